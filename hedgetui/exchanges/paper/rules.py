"""Order validation with Binance's filter vocabulary, so paper rejects what live would."""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain import Market, OrderRequest, OrderType, TimeInForce
from hedgetui.exchanges.errors import BadRequest, InvalidOrder

INSUFFICIENT = "Account has insufficient balance for requested action."
UNKNOWN_ORDER = "Unknown order sent."
DUPLICATE = "Duplicate order sent."
WOULD_TAKE = "Order would immediately match and take."
WOULD_TRIGGER = "Order would immediately trigger."
REDUCE_ONLY_REJECTED = "ReduceOnly Order is rejected."


def _on_step(value: Decimal, step: Decimal) -> bool:
    return step <= 0 or value % step == 0


def validate(request: OrderRequest, market: Market, last: Decimal) -> None:
    """Raise the exchange's error for a malformed order; ``last`` prices market orders."""
    r = request
    if not r.client_id:
        raise InvalidOrder("client_id is required (it lets the order be found after a crash)")
    if len(r.client_id) > 36:
        raise InvalidOrder(
            "client_id is too long: at most 36 characters (Binance newClientOrderId)"
        )
    if not r.amount.is_finite() or r.amount <= 0:
        raise InvalidOrder(f"Filter failure: LOT_SIZE (amount must be positive, got {r.amount})")
    if not _on_step(r.amount, market.amount_step):
        raise InvalidOrder(
            f"Filter failure: LOT_SIZE (amount {r.amount} is not a multiple of "
            f"{market.amount_step}; round it with Market.round_amount)"
        )
    if market.min_amount is not None and r.amount < market.min_amount:
        raise InvalidOrder(
            f"Filter failure: LOT_SIZE (amount {r.amount} < minimum {market.min_amount})"
        )
    if market.max_amount is not None and r.amount > market.max_amount:
        raise InvalidOrder(
            f"Filter failure: LOT_SIZE (amount {r.amount} > maximum {market.max_amount})"
        )
    if r.type.has_price:
        if r.price is None:
            raise InvalidOrder(f"a {r.type.value} order needs a price")
        _check_price(r.price, market, "price")
    elif r.price is not None:
        raise InvalidOrder(
            f"a {r.type.value} order takes no price; use a limit or stop_limit order to cap it"
        )
    if r.type.is_stop:
        if r.stop_price is None:
            raise InvalidOrder(f"a {r.type.value} order needs a stop price")
        _check_price(r.stop_price, market, "stop price")
        if r.time_in_force is TimeInForce.PO:
            raise InvalidOrder("post-only is only valid for limit orders")
    elif r.stop_price is not None:
        raise InvalidOrder(f"a {r.type.value} order takes no stop price")
    if r.time_in_force is TimeInForce.PO and r.type is not OrderType.LIMIT:
        raise InvalidOrder("post-only is only valid for limit orders")
    if r.reduce_only and not market.is_perp:
        raise InvalidOrder("reduce-only is only valid for perpetual (swap) markets")
    if market.min_cost is not None and not r.reduce_only:
        ref = r.price if r.type.has_price else (r.stop_price if r.type.is_stop else last)
        notional = r.amount * ref * market.contract_size
        if notional < market.min_cost:
            raise BadRequest(
                f"Filter failure: NOTIONAL (order value {notional} {market.quote} < minimum "
                f"{market.min_cost} {market.quote})"
            )


def _check_price(price: Decimal, market: Market, what: str) -> None:
    if not price.is_finite() or price <= 0:
        raise InvalidOrder(f"Filter failure: PRICE_FILTER ({what} must be positive, got {price})")
    if not _on_step(price, market.price_step):
        raise InvalidOrder(
            f"Filter failure: PRICE_FILTER ({what} {price} is not a multiple of "
            f"{market.price_step}; round it with Market.round_price)"
        )
