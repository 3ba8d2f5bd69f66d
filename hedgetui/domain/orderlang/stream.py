"""A cursor over one statement's tokens, and the error helpers the parser shares."""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain.orderlang import lexer
from hedgetui.domain.orderlang.errors import ParseError
from hedgetui.domain.orderlang.lexer import Token, parse_number

__all__ = ["TokenStream", "MARKET_WORDS", "FLAG_HELP"]

MARKET_WORDS = {"mkt", "market"}
FLAG_HELP = "post, reduce, ioc, fok, gtc"


class TokenStream:
    def __init__(self, stmt: lexer.Statement) -> None:
        self.stmt = stmt
        self.toks = stmt.tokens
        self.i = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def word(self, ahead: int = 0) -> str:
        """The lower-cased text of a WORD token ahead, "" for punctuation or the end."""
        tok = self.peek(ahead)
        return tok.text.lower() if tok.kind == lexer.WORD else ""

    def error(self, tok: Token, expected: str, hint: str = "") -> ParseError:
        message = f"expected {expected}, got {tok.shown()}"
        return self.fail(tok, message + (f" ({hint})" if hint else ""), expected)

    def fail(self, tok: Token, message: str, expected: str = "") -> ParseError:
        return ParseError(
            message,
            line=self.stmt.line,
            col=tok.col,
            token=tok.text,
            expected=expected,
            source_line=self.stmt.source_line,
        )

    def number(self, tok: Token, what: str, after: str) -> Decimal:
        value = parse_number(tok.text) if tok.kind == lexer.WORD else None
        if value is None:
            hint = ""
            if tok.text.lower() in MARKET_WORDS and after == "'@'":
                hint = "for a market order write 'mkt' without '@'"
            raise self.error(tok, f"{what} after {after}", hint)
        if value <= 0:
            raise self.fail(tok, f"{what} must be greater than 0, got {tok.text!r}", what)
        self.no_comma_after(tok)
        return value

    def no_comma_after(self, tok: Token) -> None:
        """``64,000`` reads as 64 then an account list; say what's wrong instead."""
        comma, digits = self.peek(), self.peek(1)
        if (
            comma.kind == lexer.COMMA
            and comma.col == tok.end
            and digits.col == comma.end
            and digits.text[:1].isdigit()
        ):
            raise self.fail(
                comma, "no commas in numbers: write 64000 or 64_000", "a number without commas"
            )

    def end(self, flags: bool = False) -> None:
        """The statement must end here; the on-clause came last, so a stray word is most
        likely a missing comma between accounts."""
        tok = self.peek()
        if tok.kind != lexer.END:
            more = f" or a flag ({FLAG_HELP})" if flags else ""
            raise self.error(tok, f"',' between accounts{more} or the end of the statement")
