"""Order and close statements for one account -> concrete orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from hedgetui.domain.models import AccountInfo, Market, OrderRequest, OrderType, Side
from hedgetui.domain.orderlang import ladder as lad
from hedgetui.domain.orderlang.checks import Book, order_checks, rounding_warning
from hedgetui.domain.orderlang.lexer import format_number as fmt
from hedgetui.domain.orderlang.nodes import CloseStmt, OrderStmt, SizeKind
from hedgetui.domain.orderlang.resolve import find_market
from hedgetui.domain.orderlang.results import (
    CloseAction,
    ConcreteOrder,
    ExpandContext,
    Expanded,
    ExpansionIssue,
    Severity,
)

__all__ = ["OrderExpander"]

_LADDER_STEP_FALLBACK = Decimal("1e-12")  # a market without an amount step


class _Skip(Exception):
    """This statement can't be sized for this account; carries the issue."""

    def __init__(self, message: str, severity: Severity = Severity.ERROR, hints=()) -> None:
        super().__init__(message)
        self.severity = severity
        self.hints = tuple(hints)


class OrderExpander:
    def __init__(
        self,
        ctx: ExpandContext,
        ids: Callable[[], str],
        book: Book,
        last: dict[tuple[str, str], Decimal | None],
    ) -> None:
        self.ctx, self.ids, self.book, self.last = ctx, ids, book, last

    # -- order statements ----------------------------------------------------------------
    def order(self, stmt: OrderStmt, account: AccountInfo) -> list[Expanded]:
        try:
            return self._order(stmt, account)
        except _Skip as skip:
            return [self._issue(stmt, account, skip)]

    def _order(self, stmt: OrderStmt, account: AccountInfo) -> list[Expanded]:
        market = self._market(stmt.symbol, account)
        if market.is_perp and market.settle == market.base:
            raise _Skip(f"{market.symbol} is an inverse contract; size it on the exchange")
        if stmt.reduce_only and not market.is_perp:
            raise _Skip(f"'reduce' applies to perpetuals; {market.symbol} is spot")
        last = self.last.get((account.exchange, market.symbol))
        if stmt.ladder is not None:
            return self._ladder(stmt, account, market, last)
        warnings: list[str] = []
        price = self._round_price(market, stmt.price, "price", warnings)
        stop = self._round_price(market, stmt.stop_price, "stop price", warnings)
        kind, total = self._total(stmt, account, market)
        if kind == "quote":
            at = price if price is not None else stop if stop is not None else last
            if at is None:
                raise _Skip(
                    f"no last price for {market.symbol} on {account.exchange}: can't turn "
                    f"{fmt(total)} {market.quote} into an amount"
                )
            total = total / at
        wanted = total / market.contract_size if market.is_perp else total
        amount = market.round_amount(wanted)
        warning = rounding_warning("amount", wanted, amount, market.amount_step)
        if warning:
            warnings.append(warning)
        request = self._request(stmt, market, amount, price, stop)
        return [self._concrete(stmt, account, market, request, last, warnings)]

    def _ladder(
        self, stmt: OrderStmt, account: AccountInfo, market: Market, last: Decimal | None
    ) -> list[Expanded]:
        ladder = stmt.ladder
        assert ladder is not None
        prices = lad.ladder_prices(ladder.start, ladder.end, ladder.count, market.price_step)
        if any(p <= 0 for p in prices):
            raise _Skip(f"ladder prices round to 0 at tick {fmt(market.price_step)}")
        distinct = len(set(prices))
        if distinct < len(prices):
            raise _Skip(
                f"ladder {fmt(ladder.start)}..{fmt(ladder.end)} x{ladder.count} has only "
                f"{distinct} distinct prices at tick {fmt(market.price_step)} on "
                f"{account.exchange}: use fewer rungs or a wider range"
            )
        weights = lad.ladder_weights(ladder.count, ladder.dist, ladder.exp_factor)
        step = market.amount_step if market.amount_step > 0 else _LADDER_STEP_FALLBACK
        unit = step * market.contract_size if market.is_perp else step
        kind, total = self._total(stmt, account, market)
        if kind == "quote":
            alloc = lad.allocate_quote(total, weights, prices, unit)
            dust_ccy = market.quote
        else:
            alloc = lad.allocate_base(total, weights, unit)
            dust_ccy = market.base
        out: list[Expanded] = []
        for i, (price, units) in enumerate(zip(prices, alloc.units, strict=True)):
            request = self._request(stmt, market, units * step, price, None)
            order = self._concrete(stmt, account, market, request, last, [])
            out.append(replace(order, rung=i + 1, rungs=ladder.count))
        if alloc.dust > 0:
            message = (
                f"{fmt(alloc.dust)} {dust_ccy} of the ladder total is below one amount step "
                "and is not placed"
            )
            out.append(self._issue(stmt, account, _Skip(message, Severity.INFO)))
        return out

    def _total(self, stmt: OrderStmt, account: AccountInfo, market: Market) -> tuple[str, Decimal]:
        """("base", amount in base) or ("quote", notional in quote) for one account."""
        size = stmt.size
        if size.kind is SizeKind.BASE:
            return "base", size.value
        if size.kind is SizeKind.QUOTE:
            return "quote", size.value
        share = size.value / 100
        if market.is_perp and stmt.reduce_only:
            needed = "long" if stmt.side is Side.SELL else "short"
            position = self._position(account.name, market.symbol)
            if position is None or position[0] != needed or position[1] <= 0:
                raise _Skip(f"no {needed} position on {market.symbol} to reduce")
            return "base", position[1] * market.contract_size * share
        if market.is_perp:
            asset = market.settle or market.quote
        else:
            asset = market.quote if stmt.side is Side.BUY else market.base
        free = self.ctx.free.get(account.name, {}).get(asset, Decimal(0))
        if free <= 0:
            raise _Skip(f"no free {asset} to take {fmt(size.value)}% of")
        return ("base" if asset == market.base else "quote"), free * share

    # -- close ---------------------------------------------------------------------------
    def close(self, stmt: CloseStmt, account: AccountInfo) -> list[Expanded]:
        if stmt.symbol is not None:
            symbols = [stmt.symbol]
        else:
            held = self.ctx.positions.get(account.name, {})
            symbols = sorted(s for s, (_side, contracts) in held.items() if contracts > 0)
            if not symbols:
                skip = _Skip("no open positions to close", Severity.INFO)
                return [self._issue(stmt, account, skip)]
        out: list[Expanded] = []
        for symbol in symbols:
            try:
                out.append(self._close(stmt, account, symbol))
            except _Skip as skip:
                out.append(self._issue(stmt, account, skip))
        return out

    def _close(self, stmt: CloseStmt, account: AccountInfo, symbol: str) -> CloseAction:
        market = self._market(symbol, account)
        fraction = stmt.percent / 100
        if market.is_perp:
            position = self._position(account.name, market.symbol)
            if position is None or position[1] <= 0:
                raise _Skip(f"no open position on {market.symbol}", Severity.INFO)
            side_name, held = position
            if side_name not in ("long", "short"):
                raise _Skip(f"position side {side_name!r} on {market.symbol} is not long/short")
            side = Side.SELL if side_name == "long" else Side.BUY
            reduce = True
        else:
            side_name, side, reduce = None, Side.SELL, False
            held = self.book.available(account.name, market.base)
            if held <= 0:
                raise _Skip(f"no free {market.base} to sell", Severity.INFO)
        amount = market.round_amount(held * fraction)
        request = OrderRequest(
            market.symbol, side, OrderType.MARKET, amount, self.ids(), reduce_only=reduce
        )
        last = self.last.get((account.exchange, market.symbol))
        order = self._concrete(stmt, account, market, request, last, [])
        return CloseAction(
            account.name,
            account.exchange,
            market.symbol,
            fraction,
            side_name,
            held,
            order,
            stmt.line,
            stmt.source,
        )

    # -- helpers -------------------------------------------------------------------------
    def _market(self, symbol: str, account: AccountInfo) -> Market:
        market, hints = find_market(self.ctx.markets, account.exchange, symbol)
        if market is None:
            raise _Skip(f"unknown symbol {symbol} on {account.exchange}", hints=hints)
        if not market.active:
            raise _Skip(f"{market.symbol} is not active on {account.exchange}")
        return market

    def _position(self, account: str, symbol: str) -> tuple[str, Decimal] | None:
        return self.ctx.positions.get(account, {}).get(symbol)

    @staticmethod
    def _round_price(
        market: Market, value: Decimal | None, what: str, warnings: list[str]
    ) -> Decimal | None:
        if value is None:
            return None
        rounded = market.round_price(value)
        if rounded <= 0:
            raise _Skip(f"{what} {fmt(value)} rounds to 0 at tick {fmt(market.price_step)}")
        warning = rounding_warning(
            "price" if what == "price" else what, value, rounded, market.price_step
        )
        if warning:
            warnings.append(warning)
        return rounded

    def _request(
        self,
        stmt: OrderStmt,
        market: Market,
        amount: Decimal,
        price: Decimal | None,
        stop: Decimal | None,
    ) -> OrderRequest:
        return OrderRequest(
            symbol=market.symbol,
            side=stmt.side,
            type=stmt.type,
            amount=amount,
            client_id=self.ids(),
            price=price,
            stop_price=stop,
            time_in_force=stmt.time_in_force,
            reduce_only=stmt.reduce_only,
        )

    def _concrete(self, stmt, account, market, request, last, warnings) -> ConcreteOrder:
        more, blocks, value, value_at = order_checks(
            account=account.name,
            exchange=account.exchange,
            market=market,
            request=request,
            last=last,
            position=self._position(account.name, market.symbol),
            book=self.book,
        )
        return ConcreteOrder(
            account=account.name,
            exchange=account.exchange,
            is_paper=account.is_paper,
            request=request,
            market=market,
            notional=value,
            price=value_at,
            last_price=last,
            line=stmt.line,
            source=stmt.source,
            warnings=tuple(warnings + more),
            blocks=tuple(blocks),
        )

    @staticmethod
    def _issue(stmt, account: AccountInfo, skip: _Skip) -> ExpansionIssue:
        return ExpansionIssue(
            stmt.line,
            stmt.source,
            f"{account.name}: {skip}",
            skip.severity,
            account.name,
            skip.hints,
        )
