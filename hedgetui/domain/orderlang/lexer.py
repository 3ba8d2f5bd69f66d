"""Split a batch into statements and statements into tokens.

The lexer knows no keywords: it cuts a line into words and the few punctuation marks
(``@ , ; =``), drops ``#`` comments, and records 1-based columns. The parser gives words
their meaning by position, so an account called ``post`` still works after a comma.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Token", "Statement", "split_statements", "parse_number", "format_number"]

WORD = "word"
AT = "@"
COMMA = ","
EQ = "="
END = "end"

_PUNCT = {"@": AT, ",": COMMA, "=": EQ}
_MULTIPLIERS = {"k": Decimal(1000), "m": Decimal(1_000_000)}
_NUMBER = re.compile(r"(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)([kKmM])?")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # WORD, AT, COMMA, EQ or END
    text: str
    col: int  # 1-based
    end: int  # 1-based column just past the token

    def shown(self) -> str:
        return "end of line" if self.kind == END else repr(self.text)


@dataclass(frozen=True, slots=True)
class Statement:
    """The tokens of one statement (a line, or a ``;``-separated part of one)."""

    line: int
    source_line: str
    tokens: tuple[Token, ...]  # always ends with an END token

    @property
    def source(self) -> str:
        words = self.tokens[:-1]
        if not words:
            return ""
        return self.source_line[words[0].col - 1 : words[-1].end - 1]


def split_statements(text: str) -> list[Statement]:
    """Every non-empty statement of ``text``, in order. Never raises."""
    out: list[Statement] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        tokens: list[Token] = []
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if c == "#":
                break
            if c.isspace():
                i += 1
            elif c == ";":
                _flush(out, number, line, tokens)
                tokens = []
                i += 1
            elif c in _PUNCT:
                tokens.append(Token(_PUNCT[c], c, i + 1, i + 2))
                i += 1
            else:
                j = i
                while j < n and not line[j].isspace() and line[j] not in "#;@,=":
                    j += 1
                tokens.append(Token(WORD, line[i:j], i + 1, j + 1))
                i = j
        _flush(out, number, line, tokens)
    return out


def _flush(out: list[Statement], number: int, line: str, tokens: list[Token]) -> None:
    if tokens:
        end = tokens[-1].end
        out.append(Statement(number, line, (*tokens, Token(END, "", end, end))))


def parse_number(text: str) -> Decimal | None:
    """``64000``, ``64_000``, ``0.5``, ``.5``, ``64k``, ``1.5m`` -> Decimal; else None.

    Commas are never part of a number (they separate accounts), exponents are not accepted
    (``1e5`` is a typo more often than a size).
    """
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    suffix = match.group(1)
    digits = text[: len(text) - 1] if suffix else text
    value = Decimal(digits.replace("_", ""))
    if suffix:
        value *= _MULTIPLIERS[suffix.lower()]
    return value


def split_number_prefix(text: str) -> tuple[str, str]:
    """``"1000usdt"`` -> ``("1000", "usdt")``; the suffix is interpreted by the parser."""
    match = re.match(r"[0-9_.]+", text)
    if not match:
        return "", text
    return match.group(0), text[match.end() :]


def format_number(value: Decimal) -> str:
    """Plain positional notation, no exponent, no trailing zeros: 64000, 0.5, 1.25."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
