"""ConfigError and the translation of pydantic's validation errors into one clear line.

A config error names where the bad value came from (the file and its key, or the environment
variable), what is wrong and how to fix it. Values are echoed only when they are short and
their key cannot hold a secret; the error never carries the raw pydantic error (whose text
includes input values) as a visible part of its message.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["ConfigError", "format_key", "suggest", "show_value", "describe_error"]

# keys whose values may be secrets, or names that lead to them: never echo their values
_SECRETISH = ("key", "secret", "password", "token", "passphrase", "private", "uid", "auth")


class ConfigError(Exception):
    """A configuration problem, reported as a single line; the CLI exits with ``exit_code``.

    ``file`` is the config file in use (``None`` when there is none), ``key`` the offending key
    (``accounts[1].name``) or, for an environment override, the variable's name (then
    ``env_var`` is set too), ``message`` says what is wrong and how to fix it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        env_var: str | None = None,
        where: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.key = key
        self.env_var = env_var
        self._where = where

    @property
    def where(self) -> str:
        if self._where:
            return self._where
        if self.env_var:
            return "environment"
        return self.file or "built-in configuration"

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"config error in {self.where}: {key}{self.message}"

    def __repr__(self) -> str:
        return f"ConfigError({str(self)!r})"


def format_key(loc: Sequence[str | int]) -> str:
    """``("accounts", 1, "name")`` -> ``accounts[1].name``; odd keys are quoted as in TOML."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if _is_bare_key(part) else '"' + part.replace('"', '\\"') + '"'
        out += f".{text}" if out else text
    return out


def _is_bare_key(key: str) -> bool:
    return bool(key) and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to ``word`` (case-insensitive), if any is close enough."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def is_secretish(loc: Sequence[str | int]) -> bool:
    return any(isinstance(p, str) and any(s in p.lower() for s in _SECRETISH) for p in loc)


def show_value(value: Any, loc: Sequence[str | int]) -> str:
    """A short, safe rendering of a bad input value for a message."""
    if is_secretish(loc):
        return "a value (not shown)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    if len(text) > 40:
        return f"a {type(value).__name__} of {len(str(value))} characters"
    return text


_EXPECTED = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": 'a string (in quotes, e.g. "text")',
    "list_type": 'a list, e.g. ["a", "b"]',
    "tuple_type": 'a list, e.g. ["a", "b"]',
    "set_type": 'a list, e.g. ["a", "b"]',
    "dict_type": "a table (key = value pairs)",
    "model_type": "a table (key = value pairs)",
    "model_attributes_type": "a table (key = value pairs)",
    "decimal_parsing": 'a number (or a number in quotes, e.g. "0.1")',
    "decimal_type": 'a number (or a number in quotes, e.g. "0.1")',
    "datetime_parsing": "a date-time, e.g. 2024-01-01T00:00:00Z",
    "datetime_type": "a date-time, e.g. 2024-01-01T00:00:00Z",
    "datetime_from_date_parsing": "a date-time, e.g. 2024-01-01T00:00:00Z",
    "finite_number": "a finite number",
}

_BOUNDS = {
    "greater_than": ("gt", "greater than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}


def describe_error(
    err: dict[str, Any],
    loc: Sequence[str | int],
    valid_keys: Sequence[str] | None,
    key_hint: Callable[[str], str] | None = None,
) -> str:
    """One sentence (problem — fix) for one pydantic error dict at ``loc``.

    ``valid_keys`` are the keys allowed beside an unknown one (for the suggestion);
    ``key_hint`` renders a suggested key in the caller's notation (file key or env var).
    """
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    last = next((p for p in reversed(loc) if isinstance(p, str)), "value")
    if kind == "extra_forbidden":
        msg = f"unknown key '{last}'"
        best = suggest(last, valid_keys or [])
        if best:
            hint = key_hint(best) if key_hint else best
            return f"{msg} — did you mean '{hint}'?"
        if valid_keys:
            return f"{msg} — remove it; valid keys here: {', '.join(valid_keys)}"
        return f"{msg} — remove it"
    if kind == "missing":
        return f"required key '{last}' is missing — add it"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "invalid value")))
    got = show_value(err.get("input"), loc)
    if tuple(loc) == ("accounts",) and kind in ("list_type", "tuple_type"):
        return (
            f"expected a list of accounts, got {got} — write each account as its own "
            "[[accounts]] table (double brackets)"
        )
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got} — fix the value"
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"must be {words} {ctx.get(name)}, got {got} — fix the value"
    return f"{err.get('msg', 'invalid value')} (got {got})"
