"""Text -> :class:`Batch`. Any input gives a Batch or a :class:`ParseError`, nothing else.

Grammar (keywords case-insensitive; see docs/order-language.md)::

    order  := SIDE SIZE SYMBOL PRICE OPTION* 'on' ACCOUNTS OPTION*
    SIDE   := buy | b | sell | s
    SIZE   := NUM | NUM CCY | NUM% (CCY may also follow after a space)
    PRICE  := mkt | market | '@' NUM [stop NUM] | stop NUM ['@' NUM] | '@' NUM..NUM xN
    OPTION := post | reduce | ioc | fok | gtc | dist=(flat|linear|exp[:F])
    cancel := cancel [buy|sell] (all | SYMBOL) on ACCOUNTS
    close  := close [NUM%] (all | SYMBOL) on ACCOUNTS
    ACCOUNTS := all | ACCOUNT (',' ACCOUNT)*     ACCOUNT := NAME | @TAG
"""

from __future__ import annotations

import re
from decimal import Decimal

from hedgetui.domain.models import OrderType, Side, TimeInForce
from hedgetui.domain.orderlang import lexer
from hedgetui.domain.orderlang.errors import ParseError
from hedgetui.domain.orderlang.lexer import Token, parse_number, split_number_prefix
from hedgetui.domain.orderlang.nodes import (
    AccountSelector,
    Batch,
    CancelStmt,
    CloseStmt,
    Dist,
    Ladder,
    OrderStmt,
    Size,
    SizeKind,
    Statement,
)
from hedgetui.domain.orderlang.stream import MARKET_WORDS, TokenStream

__all__ = ["parse", "parse_statement", "MAX_RUNGS"]

MAX_RUNGS = 100
SIDES = {"buy": Side.BUY, "b": Side.BUY, "sell": Side.SELL, "s": Side.SELL}
TIF_FLAGS = {
    "post": TimeInForce.PO,
    "po": TimeInForce.PO,
    "post-only": TimeInForce.PO,
    "ioc": TimeInForce.IOC,
    "fok": TimeInForce.FOK,
    "gtc": TimeInForce.GTC,
}
REDUCE_FLAGS = {"reduce", "ro", "reduce-only"}
DISTS = {"flat": Dist.FLAT, "linear": Dist.LINEAR, "lin": Dist.LINEAR, "exp": Dist.EXP}
SIZE_HELP = "a size (e.g. 0.5, 1000usdt, 10%)"
_SYMBOL = re.compile(r"[A-Za-z0-9]+/[A-Za-z0-9]+(?::[A-Za-z0-9]+(?:-[A-Za-z0-9-]+)?)?")
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_COUNT = re.compile(r"[xX](\d{1,6})")
_QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "USD", "EUR", "BTC", "ETH", "BNB")


def parse(text: str) -> Batch:
    """Parse a batch: lines, ``;``-separated statements, ``#`` comments.

    Raises :class:`ParseError` for the first bad statement, with the errors of the
    later ones in ``.more`` (so ``render()`` reports a whole file at once).
    """
    statements: list[Statement] = []
    errors: list[ParseError] = []
    for raw in lexer.split_statements(text):
        try:
            statements.append(_Parser(raw).statement())
        except ParseError as err:
            errors.append(err)
    if errors:
        raise errors[0].with_more(tuple(errors[1:]))
    return Batch(tuple(statements), text)


def parse_statement(text: str) -> Statement:
    """Parse exactly one statement (the one-line input)."""
    batch = parse(text)
    if len(batch.statements) != 1:
        found = "nothing" if not batch.statements else f"{len(batch.statements)} statements"
        raise ParseError(
            f"expected one statement, got {found}",
            line=1,
            col=1,
            expected="one statement",
            source_line=text.split("\n", 1)[0],
        )
    return batch.statements[0]


class _Parser(TokenStream):
    # -- statements ----------------------------------------------------------------------
    def statement(self) -> Statement:
        first = self.peek()
        verb = self.word()
        if verb in SIDES:
            return self.order()
        if verb == "cancel":
            return self.cancel()
        if verb == "close":
            return self.close()
        raise self.error(first, "a statement (buy, sell, cancel or close)")

    def order(self) -> OrderStmt:
        side_tok = self.take()
        side = SIDES[side_tok.text.lower()]
        size_tok, unit_tok = self.size_tokens(side_tok)
        symbol_tok = self.peek()
        symbol = self.symbol("a symbol like BTC/USDT after the size")
        size = self.interpret_size(size_tok, unit_tok, symbol)
        fields = self.price_part(symbol_tok)
        tif, reduce, dist_tok = self.options(fields)
        accounts = self.on_clause()
        tif, reduce, dist_tok = self.options(fields, tif, reduce, dist_tok)
        self.end(flags=True)
        stmt = OrderStmt(
            side=side,
            size=size,
            symbol=symbol,
            accounts=accounts,
            time_in_force=tif[1] if tif else TimeInForce.GTC,
            reduce_only=reduce is not None,
            line=self.stmt.line,
            source=self.stmt.source,
            **fields,
        )
        self.check_combination(stmt, tif, reduce, dist_tok)
        return stmt

    def cancel(self) -> CancelStmt:
        self.take()
        side = SIDES.get(self.word()) if self.word() in ("buy", "sell") else None
        if side:
            self.take()
        symbol = None
        if self.word() == "all":
            self.take()
        else:
            symbol = self.symbol("'all' or a symbol like BTC/USDT after 'cancel'")
        accounts = self.on_clause()
        self.end()
        return CancelStmt(accounts, symbol, side, line=self.stmt.line, source=self.stmt.source)

    def close(self) -> CloseStmt:
        self.take()
        percent = Decimal(100)
        tok = self.peek()
        if tok.kind == lexer.WORD and (tok.text[:1].isdigit() or tok.text.startswith(".")):
            self.take()
            self.no_comma_after(tok)
            percent = self.percent(tok, "'close'")
        symbol = None
        if self.word() == "all":
            self.take()
        else:
            symbol = self.symbol("'all' or a symbol like BTC/USDT:USDT after 'close'")
        accounts = self.on_clause()
        self.end()
        return CloseStmt(accounts, symbol, percent, line=self.stmt.line, source=self.stmt.source)

    # -- pieces --------------------------------------------------------------------------
    def percent(self, tok: Token, after: str) -> Decimal:
        text = tok.text
        if self.peek().kind == lexer.WORD and self.peek().text == "%":
            self.take()
            text += "%"
        value = parse_number(text[:-1]) if text.endswith("%") else None
        if value is None:
            raise self.error(tok, f"a percentage like 50% after {after}")
        if not 0 < value <= 100:
            raise self.fail(tok, f"a percentage must be above 0 and at most 100, got {text!r}")
        return value

    def size_tokens(self, side_tok: Token) -> tuple[Token, Token | None]:
        tok = self.take()
        number, _ = split_number_prefix(tok.text) if tok.kind == lexer.WORD else ("", "")
        if not number or parse_number(number) is None:
            raise self.error(tok, f"{SIZE_HELP} after {side_tok.text!r}")
        self.no_comma_after(tok)
        unit = self.peek()
        # "1000 usdt BTC/USDT": a unit word, when a symbol follows it
        if unit.kind == lexer.WORD and (
            unit.text == "%" or ("/" not in unit.text and "/" in self.peek(1).text)
        ):
            self.take()
            return tok, unit
        return tok, None

    def symbol(self, expected: str) -> str:
        tok = self.peek()
        if tok.kind != lexer.WORD or not _SYMBOL.fullmatch(tok.text):
            hint = ""
            upper = tok.text.upper()
            for quote in _QUOTES:
                if tok.kind == lexer.WORD and upper.endswith(quote) and len(upper) > len(quote):
                    if upper[: -len(quote)].isalnum():
                        hint = f"did you mean {upper[: -len(quote)]}/{quote}?"
                        break
            raise self.error(tok, expected, hint)
        self.take()
        return tok.text.upper()

    def interpret_size(self, tok: Token, unit_tok: Token | None, symbol: str) -> Size:
        number, suffix = split_number_prefix(tok.text)
        where = tok
        if unit_tok is not None:  # "2k usdt": the number may carry a multiplier
            if suffix.lower() not in ("", "k", "m"):
                raise self.error(unit_tok, f"a symbol like BTC/USDT after {tok.text!r}")
            number, suffix, where = number + suffix, unit_tok.text, unit_tok
        base, quote = symbol.split(":")[0].split("/")
        if suffix == "%":
            value = parse_number(number)
            if value is None:
                raise self.error(tok, SIZE_HELP)
            if not 0 < value <= 100:
                raise self.fail(tok, f"a percentage must be above 0 and at most 100, got {value}%")
            return Size(SizeKind.PERCENT, value)
        units = {base.lower(): (SizeKind.BASE, base), quote.lower(): (SizeKind.QUOTE, quote)}
        lowered = suffix.lower()
        multiplier = ""
        if lowered and lowered not in units and lowered[0] in "km":
            multiplier, lowered = lowered[0], lowered[1:]
        if lowered and lowered not in units:
            raise self.fail(
                where,
                f"unknown size unit {suffix!r}: use {base.lower()} (base) or "
                f"{quote.lower()} (quote) for {symbol}, or a percentage like 10%",
                "a size unit",
            )
        kind, currency = units.get(lowered, (SizeKind.BASE, base))
        value = parse_number(number + multiplier)
        if value is None:
            raise self.error(tok, SIZE_HELP)
        if value <= 0:
            raise self.fail(tok, f"the size must be greater than 0, got {tok.text!r}", "a size")
        return Size(kind, value, currency)

    def price_part(self, symbol_tok: Token) -> dict:
        tok = self.peek()
        word = self.word()
        if word in MARKET_WORDS:
            self.take()
            return {"type": OrderType.MARKET}
        if word == "stop":
            self.take()
            stop = self.number(self.take(), "a stop price", "'stop'")
            if self.peek().kind == lexer.AT:
                self.take()
                price_tok = self.take()
                if ".." in price_tok.text:
                    raise self.fail(price_tok, "stop orders can't be laddered")
                price = self.number(price_tok, "a limit price", "'@'")
                return {"type": OrderType.STOP_LIMIT, "price": price, "stop_price": stop}
            return {"type": OrderType.STOP_MARKET, "stop_price": stop}
        if tok.kind == lexer.AT:
            self.take()
            price_tok = self.take()
            if price_tok.kind == lexer.WORD and ".." in price_tok.text:
                ladder = self.ladder(price_tok)
                if self.word() == "stop":
                    raise self.fail(self.peek(), "stop orders can't be laddered")
                return {"type": OrderType.LIMIT, "ladder": ladder}
            price = self.number(price_tok, "a price", "'@'")
            if self.word() == "stop":
                self.take()
                stop = self.number(self.take(), "a stop price", "'stop'")
                return {"type": OrderType.STOP_LIMIT, "price": price, "stop_price": stop}
            return {"type": OrderType.LIMIT, "price": price}
        raise self.error(tok, f"'@ PRICE', 'mkt' or 'stop PRICE' after {symbol_tok.text!r}")

    def ladder(self, tok: Token) -> Ladder:
        left, _, right = tok.text.partition("..")
        start, end = parse_number(left), parse_number(right)
        if start is None or end is None or not start > 0 or not end > 0:
            raise self.fail(
                tok,
                f"expected a price range like 63000..60000 after '@', got {tok.text!r}",
                "a price range",
            )
        count_tok = self.peek()
        match = _COUNT.fullmatch(count_tok.text) if count_tok.kind == lexer.WORD else None
        if not match:
            raise self.error(count_tok, f"a rung count like x5 after {tok.text!r}")
        self.take()
        count = int(match.group(1))
        if not 1 <= count <= MAX_RUNGS:
            raise self.fail(count_tok, f"a ladder has 1 to {MAX_RUNGS} rungs, got {count}")
        if count > 1 and start == end:
            raise self.fail(tok, f"a ladder of {count} rungs needs two different prices")
        return Ladder(start, end, count)

    def options(self, fields: dict, tif=None, reduce=None, dist_tok=None):
        """Flags and ``dist=`` in any order; returns (tif (token, value), reduce token,
        dist token) so the combination check can point at the culprit."""
        while True:
            tok, word = self.peek(), self.word()
            if word in TIF_FLAGS:
                self.take()
                if tif and tif[1] != TIF_FLAGS[word]:
                    raise self.fail(
                        tok, f"conflicting time-in-force flags {tif[0].text!r} and {tok.text!r}"
                    )
                tif = (tok, TIF_FLAGS[word])
            elif word in REDUCE_FLAGS:
                reduce = self.take()
            elif word == "dist":
                dist_tok = self.take()
                self.dist(fields, dist_tok)
            elif _COUNT.fullmatch(word):
                raise self.fail(tok, f"{tok.text!r} needs a price range like @ 63000..60000")
            else:
                return tif, reduce, dist_tok

    def dist(self, fields: dict, dist_tok: Token) -> None:
        eq = self.take()
        if eq.kind != lexer.EQ:
            raise self.error(eq, "'=' after 'dist' (e.g. dist=linear)")
        tok = self.take()
        name, _, factor_text = tok.text.lower().partition(":")
        if tok.kind != lexer.WORD or name not in DISTS:
            raise self.error(tok, "a distribution (flat, linear, exp or exp:1.5) after 'dist='")
        factor = None
        if factor_text or tok.text.endswith(":"):
            factor = parse_number(factor_text)
            if name != "exp" or factor is None or not 0 < factor <= 10:
                raise self.fail(
                    tok, f"an exp factor is a number above 0 up to 10, got {tok.text!r}"
                )
        ladder = fields.get("ladder")
        if ladder is None:
            raise self.fail(dist_tok, "'dist=' applies to ladders only (@ 63000..60000 x5)")
        fields["ladder"] = Ladder(ladder.start, ladder.end, ladder.count, DISTS[name], factor)

    def on_clause(self) -> AccountSelector:
        tok = self.peek()
        if self.word() != "on":
            raise self.error(tok, "'on' followed by accounts")
        self.take()
        names: list[str] = []
        tags: list[str] = []
        every: Token | None = None
        while True:
            tok = self.take()
            if tok.kind == lexer.AT:
                tag = self.peek()
                if tag.kind != lexer.WORD or tag.col != tok.end or not _NAME.fullmatch(tag.text):
                    raise self.error(tag, "a tag name right after '@' (e.g. @binance)")
                self.take()
                tags.append(tag.text)
            elif tok.kind == lexer.WORD and tok.text.lower() == "all":
                every = tok
            elif tok.kind == lexer.WORD and _NAME.fullmatch(tok.text):
                names.append(tok.text)
            else:
                after = "'on'" if not names and not tags and not every else "','"
                raise self.error(tok, f"an account name, @tag or 'all' after {after}")
            if self.peek().kind != lexer.COMMA:
                break
            self.take()
        if every and (names or tags):
            raise self.fail(every, "'all' can't be combined with other accounts")
        return AccountSelector(all=every is not None, names=tuple(names), tags=tuple(tags))

    def check_combination(self, stmt: OrderStmt, tif, reduce, dist_tok) -> None:
        has_limit = stmt.type.has_price
        if tif and tif[1] is not TimeInForce.GTC and not has_limit:
            raise self.fail(
                tif[0],
                f"{tif[0].text!r} needs a limit price; market and stop-market orders "
                "execute immediately when triggered",
            )
        if tif and tif[1] is TimeInForce.PO and stmt.type.is_stop:
            raise self.fail(tif[0], "post-only stop orders aren't supported; drop 'post'")
        if reduce is not None and ":" not in stmt.symbol:
            raise self.fail(
                reduce,
                f"'reduce' applies to perpetuals (e.g. {stmt.symbol}:"
                f"{stmt.symbol.split('/')[1]}); {stmt.symbol} is spot",
            )
