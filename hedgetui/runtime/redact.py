"""Error text safe to store and show: no secrets, no signed query strings."""

from __future__ import annotations

import re

_SIGNED = re.compile(
    r"(?i)(signature|apikey|api_key|secret|passphrase|password|x-mbx-apikey|token)"
    r"([=:]\s*|\"\s*:\s*\")[^&\s\"',}]+"
)
_MAX = 300


def redact(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _SIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def describe_error(exc: BaseException, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``ClassName: message`` with secrets removed, cut to a length a table cell can hold."""
    text = redact(f"{type(exc).__name__}: {exc}".strip().rstrip(":"), secrets)
    text = " ".join(text.split())
    return text if len(text) <= _MAX else text[: _MAX - 1] + "…"
