"""Per-order checks: exchange minimums, rounding, prices against the last trade, and the
balance an order reserves within its batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hedgetui.domain.models import Market, OrderRequest, OrderType, Side
from hedgetui.domain.orderlang.lexer import format_number as fmt

__all__ = ["Book", "notional_price", "notional", "order_checks", "rounding_warning"]

#: an amount rounded down by more than this fraction earns a warning
ROUNDING_WARN = Decimal("0.01")


def notional_price(
    type_: OrderType, price: Decimal | None, stop: Decimal | None, last: Decimal | None
) -> Decimal | None:
    """The price an order is valued at before it fills."""
    if type_.has_price:
        return price
    if type_ is OrderType.STOP_MARKET:
        return stop
    return last


def notional(market: Market, contracts: Decimal, price: Decimal | None) -> Decimal | None:
    if price is None:
        return None
    if market.is_perp and market.settle == market.base:  # inverse: contracts are quote
        return contracts * market.contract_size
    if market.is_perp:
        return contracts * market.contract_size * price
    return contracts * price


def rounding_warning(what: str, wanted: Decimal, got: Decimal, step: Decimal) -> str | None:
    if got == wanted or got == 0:
        return None
    if what == "price" or abs(wanted - got) > abs(wanted) * ROUNDING_WARN:
        return f"{what} {fmt(wanted)} rounded to {fmt(got)} (step {fmt(step)})"
    return None


@dataclass
class Book:
    """Free balances as of the snapshot minus what earlier orders of the batch reserve."""

    free: dict[tuple[str, str], Decimal]
    reserved: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def available(self, account: str, asset: str) -> Decimal:
        key = (account, asset)
        return self.free.get(key, Decimal(0)) - self.reserved.get(key, Decimal(0))

    def reserve(self, account: str, asset: str, amount: Decimal) -> None:
        key = (account, asset)
        self.reserved[key] = self.reserved.get(key, Decimal(0)) + amount


def order_checks(
    *,
    account: str,
    exchange: str,
    market: Market,
    request: OrderRequest,
    last: Decimal | None,
    position: tuple[str, Decimal] | None,
    book: Book,
) -> tuple[list[str], list[str], Decimal | None, Decimal | None]:
    """(warnings, blocks, notional, valuation price) for one order; reserves balance for
    spot orders that pass every other check."""
    warnings: list[str] = []
    blocks: list[str] = []
    amount, sym = request.amount, market.symbol
    unit = "contracts" if market.is_perp else market.base
    where = f"{sym} on {exchange}"
    value_at = notional_price(request.type, request.price, request.stop_price, last)
    value = notional(market, amount, value_at)

    if amount <= 0:
        blocks.append(f"amount rounds to 0 at step {fmt(market.amount_step)} {unit}")
    elif market.min_amount is not None and amount < market.min_amount:
        blocks.append(
            f"amount {fmt(amount)} is below the minimum {fmt(market.min_amount)} {unit} for {where}"
        )
    if market.max_amount is not None and amount > market.max_amount:
        blocks.append(
            f"amount {fmt(amount)} is above the maximum {fmt(market.max_amount)} {unit} for {where}"
        )
    if value is None:
        unchecked = ", minimum notional not checked" if market.min_cost is not None else ""
        warnings.append(f"no last price for {where}: notional unknown{unchecked}")
    elif amount > 0 and market.min_cost is not None and value < market.min_cost:
        blocks.append(
            f"notional {fmt(value)} {market.quote} is below the minimum "
            f"{fmt(market.min_cost)} {market.quote} for {where}"
        )
    warnings.extend(_price_warnings(request, last))
    if request.reduce_only:
        blocks.extend(_reduce_checks(request, position, account, sym, warnings))

    if not blocks and not market.is_perp and not request.reduce_only:
        blocks.extend(_reserve(book, account, market, request, value))
    return warnings, blocks, value, value_at


def _price_warnings(request: OrderRequest, last: Decimal | None) -> list[str]:
    if last is None:
        return []
    out = []
    buy = request.side is Side.BUY
    # a stop-limit's limit only matters once triggered, so only plain limits "cross"
    if request.type is OrderType.LIMIT and request.price is not None:
        crosses = request.price > last if buy else request.price < last
        if crosses:
            rel = "above" if buy else "below"
            if request.post_only:
                out.append(
                    f"post-only {request.side} at {fmt(request.price)} is {rel} last "
                    f"{fmt(last)}: the exchange will likely reject it"
                )
            else:
                out.append(
                    f"{request.side} limit {fmt(request.price)} is {rel} last {fmt(last)}: "
                    "it will likely execute at once"
                )
    if request.type.is_stop and request.stop_price is not None:
        fires = request.stop_price <= last if buy else request.stop_price >= last
        if fires:
            rel = "at or below" if buy else "at or above"
            out.append(
                f"{request.side} stop {fmt(request.stop_price)} is {rel} last {fmt(last)}: "
                "it triggers at once"
            )
    return out


def _reduce_checks(
    request: OrderRequest,
    position: tuple[str, Decimal] | None,
    account: str,
    symbol: str,
    warnings: list[str],
) -> list[str]:
    needed = "long" if request.side is Side.SELL else "short"
    if position is None or position[1] <= 0 or position[0] != needed:
        return [
            f"reduce-only {request.side} needs a {needed} position; {account} has none on {symbol}"
        ]
    if request.amount > position[1]:
        warnings.append(
            f"reduce-only amount {fmt(request.amount)} exceeds the {needed} position of "
            f"{fmt(position[1])} contracts"
        )
    return []


def _reserve(
    book: Book, account: str, market: Market, request: OrderRequest, value: Decimal | None
) -> list[str]:
    if request.side is Side.BUY:
        asset, need = market.quote, value
    else:
        asset, need = market.base, request.amount
    if need is None:
        return []  # a market buy without a last price: cannot know; warned above
    available = book.available(account, asset)
    if need > available:
        earlier = (
            " after earlier orders in this batch" if book.reserved.get((account, asset)) else ""
        )
        return [
            f"insufficient {asset}: needs {fmt(need)}, {fmt(max(available, Decimal(0)))} "
            f"free{earlier}"
        ]
    book.reserve(account, asset, need)
    return []
