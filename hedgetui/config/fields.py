"""Field types and their checks: names, env var names, symbols, timeframes, amounts.

Messages say what is wrong and how to fix it; the env-name check never echoes its value,
which may be a secret pasted in the wrong place.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from hedgetui.domain.models import TIMEFRAMES

_NAME_RE = re.compile(r"^[A-Za-z0-9]+(?:[_.-][A-Za-z0-9]+)*$")
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ASSET_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_PART = r"[A-Za-z0-9][A-Za-z0-9._]*"
# BASE/QUOTE, BASE/QUOTE:SETTLE, and dated contracts/options: BASE/QUOTE:SETTLE-YYMMDD[-K-C]
_SYMBOL_RE = re.compile(rf"^{_PART}/{_PART}(?::{_PART}(?:-[A-Za-z0-9.]+)*)?$")
_COMMON_QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR", "BTC", "ETH", "BNB")
# ccxt constructor keys that hold credentials: they belong in env vars, never in the file
CREDENTIAL_KEYS = {
    "apikey",
    "secret",
    "password",
    "uid",
    "login",
    "twofa",
    "privatekey",
    "walletaddress",
    "token",
}


def split_commas(value: Any) -> Any:
    """Env vars may give lists as ``a,b`` as well as JSON ``["a","b"]``."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def decimal_in(value: Any) -> Any:
    # floats cross into Decimal through their shortest repr (0.1 -> Decimal("0.1"))
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


Dec = Annotated[Decimal, BeforeValidator(decimal_in), Field(allow_inf_nan=False)]
Seconds = Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)]
PositiveDec = Annotated[Dec, Field(gt=0)]


def dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def check_account_name(name: str) -> str:
    if not _NAME_RE.fullmatch(name) or len(name) > 32:
        raise ValueError(
            f"invalid account name {name!r} — use up to 32 letters/digits, optionally joined "
            "by single '-', '_' or '.', e.g. 'binance-main'"
        )
    return name


def check_env_name(name: str) -> str:
    """A NAME of an environment variable. Never echoes the value: it may be a pasted secret."""
    if not _ENV_NAME_RE.fullmatch(name):
        raise ValueError(
            "not a valid environment variable name (letters, digits and '_') — give the NAME "
            "of the variable that holds the secret, e.g. BINANCE_MAIN_KEY, not the secret"
        )
    if _looks_like_secret(name):
        raise ValueError(
            "this looks like a secret itself, not the name of an environment variable — "
            "export the secret as a variable (e.g. BINANCE_MAIN_KEY) and give that NAME here"
        )
    return name


def _looks_like_secret(name: str) -> bool:
    if len(name) >= 20 and "_" not in name:
        return True
    mixed = any(c.islower() for c in name) and any(c.isupper() for c in name)
    return len(name) >= 12 and mixed and any(c.isdigit() for c in name)


def check_symbol(symbol: str) -> str:
    if _SYMBOL_RE.fullmatch(symbol):
        return symbol
    hint = _symbol_hint(symbol)
    fix = f"did you mean '{hint}'?" if hint else "write e.g. 'BTC/USDT' or 'BTC/USDT:USDT'"
    raise ValueError(
        f"{symbol!r} is not a ccxt unified symbol (BASE/QUOTE for spot, BASE/QUOTE:SETTLE for "
        f"perpetuals) — {fix}"
    )


def _symbol_hint(symbol: str) -> str | None:
    text = symbol.strip().upper()
    for sep in ("-", "_", " "):
        if text.count(sep) == 1:
            base, quote = text.split(sep)
            if base and quote and _SYMBOL_RE.fullmatch(f"{base}/{quote}"):
                return f"{base}/{quote}"
    if text.isalnum():
        for quote in _COMMON_QUOTES:
            if text.endswith(quote) and len(text) > len(quote):
                return f"{text[: -len(quote)]}/{quote}"
    return None


def check_timeframe(tf: str) -> str:
    if tf not in TIMEFRAMES:
        raise ValueError(f"unsupported timeframe {tf!r} — use some of {', '.join(TIMEFRAMES)}")
    return tf


def check_asset(asset: str) -> str:
    if not _ASSET_RE.fullmatch(asset):
        raise ValueError(f"invalid asset code {asset!r} — write e.g. USDT")
    return asset


AssetCode = Annotated[str, AfterValidator(check_asset)]
AccountName = Annotated[str, AfterValidator(check_account_name)]
EnvName = Annotated[str, AfterValidator(check_env_name)]
Symbol = Annotated[str, AfterValidator(check_symbol)]
Timeframe = Annotated[str, AfterValidator(check_timeframe)]
