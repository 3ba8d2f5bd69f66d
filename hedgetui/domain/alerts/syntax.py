"""Lexical pieces of the rule language: tokens, the parse error, numbers, durations, times.

Everything here is ASCII-only on purpose (``[0-9]``, not ``\\d``): a Unicode digit must be
a parse error, never a surprise value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

__all__ = [
    "RuleParseError",
    "Token",
    "tokenize",
    "parse_number",
    "format_number",
    "parse_duration",
    "format_duration",
    "parse_instant",
    "format_instant",
    "DURATION_UNITS",
]

DAY_MS = 86_400_000
DURATION_UNITS = {"w": 7 * DAY_MS, "d": DAY_MS, "h": 3_600_000, "m": 60_000, "s": 1_000}


class RuleParseError(ValueError):
    """A rule that does not parse. ``column`` is 1-based; ``str(err)`` reads like a compiler
    error: the message, the rule text, and a caret under the offending token."""

    def __init__(self, text: str, column: int, expected: str, found: str = "", *, length: int = 1):
        self.text = text
        self.column = column
        self.expected = expected
        self.found = found
        self.length = max(1, length)
        super().__init__(self.render())

    @property
    def message(self) -> str:
        found = f", found {self.found}" if self.found else ""
        return f"column {self.column}: expected {self.expected}{found}"

    def render(self) -> str:
        # Control characters would shift the caret; show them as spaces (same width).
        shown = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in self.text)
        caret = " " * (self.column - 1) + "^" * self.length
        return f"{self.message}\n  {shown}\n  {caret}"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word" | "op" | "string" | "end"
    value: str  # for strings: the unescaped content
    col: int  # 1-based column of the first character
    width: int  # characters covered in the source

    def describe(self) -> str:
        if self.kind == "end":
            return "end of rule"
        if self.kind == "string":
            return "a quoted text"
        return repr(self.value)


_OP_CHARS = "<>"
_SPACE = " \t\r\n\f\v"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
        elif c in _OP_CHARS:
            width = 2 if i + 1 < n and text[i + 1] == "=" else 1
            tokens.append(Token("op", text[i : i + width], i + 1, width))
            i += width
        elif c == '"':
            j, out = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\':
                    j += 1
                out.append(text[j])
                j += 1
            if j >= n:
                raise RuleParseError(text, i + 1, 'a closing " for this text', "end of rule")
            tokens.append(Token("string", "".join(out), i + 1, j + 1 - i))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in _SPACE and text[j] not in _OP_CHARS and text[j] != '"':
                j += 1
            tokens.append(Token("word", text[i:j], i + 1, j - i))
            i = j
    tokens.append(Token("end", "", n + 1, 1))
    return tokens


# 65000, -3, 0.5, .5, 65,000.25 (commas group thousands only), 65_000
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:_[0-9]+)*)?(?:\.[0-9]+)?")
_MAX_NUMBER_CHARS = 40


def parse_number(word: str) -> Decimal | None:
    """The number ``word`` spells, or None if it is not a number in rule syntax."""
    if not word or len(word) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(word):
        return None
    digits = word.replace(",", "").replace("_", "")
    if not any(c.isdigit() for c in digits):
        return None
    value = Decimal(digits)
    return value if value != 0 else Decimal(0)  # no "-0"


def format_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


_DURATION = re.compile(r"(?:[0-9]{1,6}[wdhms])+")
_DURATION_PART = re.compile(r"([0-9]+)([wdhms])")


def parse_duration(word: str) -> int | None:
    """``90s``, ``5m``, ``1h30m``, ``2d``, ``1w`` -> milliseconds; None if not a duration."""
    if not _DURATION.fullmatch(word):
        return None
    return sum(int(n) * DURATION_UNITS[u] for n, u in _DURATION_PART.findall(word))


def format_duration(ms: int) -> str:
    if ms == 0:
        return "0s"
    parts = []
    for unit, size in DURATION_UNITS.items():
        count, ms = divmod(ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


_INSTANT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:T([0-9]{2}:[0-9]{2}(?::[0-9]{2})?))?(Z?)")


def parse_instant(word: str) -> int | None:
    """An absolute UTC time: ``2026-12-31`` (valid through that UTC day, i.e. it expires at
    the next midnight), ``2026-12-31T18:00``, ``2026-12-31T18:00:30`` (``Z`` optional).
    None if the word does not look like one; ValueError if it looks like one but is invalid."""
    m = _INSTANT.fullmatch(word)
    if not m:
        return None
    date, time, _ = m.groups()
    dt = datetime.fromisoformat(f"{date}T{time or '00:00'}").replace(tzinfo=UTC)
    ms = int(dt.timestamp()) * 1000
    return ms + DAY_MS if time is None else ms


def format_instant(ms: int) -> str:
    if ms % DAY_MS == 0:
        return datetime.fromtimestamp((ms - DAY_MS) / 1000, UTC).strftime("%Y-%m-%d")
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%MZ" if ms % 60_000 == 0 else "%Y-%m-%dT%H:%M:%SZ")
