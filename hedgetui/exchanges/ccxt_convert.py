"""ccxt unified structures -> domain models, converted once, here.

Account quantities become ``Decimal`` through the float's shortest repr (``to_decimal``);
market data stays ``float``. Every function takes one ccxt dict (the shape documented at
https://docs.ccxt.com/#/README?id=unified-api) and never looks at exchange-native ``info``
except where ccxt drops something the app needs (noted at the spot).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ccxt.base.decimal_to_precision import DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE

from hedgetui.domain import (
    ZERO,
    Balance,
    Candle,
    Fill,
    Market,
    MarketType,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Position,
    Side,
    Ticker,
    TimeInForce,
    to_decimal,
)

Json = dict[str, Any]

_DEFAULT_STEP = Decimal("0.00000001")
_STATUS = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
_TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}
_BALANCE_META = frozenset({"info", "free", "used", "total", "timestamp", "datetime", "debt"})


def dec(value: Any) -> Decimal | None:
    """ccxt numbers (float, int, numeric string or None) -> Decimal, exactly as shown."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    return to_decimal(value if isinstance(value, float | int | Decimal) else str(value))


def _dec0(value: Any) -> Decimal:
    got = dec(value)
    return ZERO if got is None else got


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def step_from_precision(value: Any, precision_mode: int) -> Decimal | None:
    """A market precision as a step size: TICK_SIZE gives the step itself, DECIMAL_PLACES the
    number of decimals (2 -> 0.01). SIGNIFICANT_DIGITS has no fixed step: None."""
    if value is None:
        return None
    if precision_mode == TICK_SIZE:
        return dec(value)
    if precision_mode == DECIMAL_PLACES:
        return Decimal(1).scaleb(-int(value))
    if precision_mode == SIGNIFICANT_DIGITS:
        return None
    raise ValueError(f"unknown ccxt precisionMode {precision_mode}")


def market(m: Json, precision_mode: int) -> Market | None:
    """A spot or perpetual market; other kinds (dated futures, options, margin-only) -> None."""
    if m.get("spot"):
        kind = MarketType.SPOT
    elif m.get("swap"):
        kind = MarketType.SWAP
    else:
        return None
    precision = m.get("precision") or {}
    limits = m.get("limits") or {}
    amount_limits = limits.get("amount") or {}
    cost_limits = limits.get("cost") or {}
    amount_step = step_from_precision(precision.get("amount"), precision_mode)
    price_step = step_from_precision(precision.get("price"), precision_mode)
    return Market(
        symbol=m["symbol"],
        base=m["base"],
        quote=m["quote"],
        type=kind,
        settle=m.get("settle") if kind is MarketType.SWAP else None,
        contract_size=(dec(m.get("contractSize")) or Decimal(1))
        if kind is MarketType.SWAP
        else Decimal(1),
        amount_step=amount_step or _DEFAULT_STEP,
        price_step=price_step or _DEFAULT_STEP,
        min_amount=dec(amount_limits.get("min")),
        max_amount=dec(amount_limits.get("max")),
        min_cost=dec(cost_limits.get("min")),
        maker_fee=dec(m.get("maker")) if m.get("maker") is not None else Decimal("0.001"),
        taker_fee=dec(m.get("taker")) if m.get("taker") is not None else Decimal("0.001"),
        active=m.get("active") is not False,  # None = unknown: assume tradable
        exchange_id=str(m.get("id") or ""),
    )


def ticker(t: Json, exchange: str) -> Ticker | None:
    """None when the exchange reports no last price (a market that never traded)."""
    last = t.get("last") if t.get("last") is not None else t.get("close")
    if last is None:
        return None
    return Ticker(
        exchange=exchange,
        symbol=t["symbol"],
        timestamp=int(t.get("timestamp") or 0),
        last=float(last),
        bid=_float(t.get("bid")),
        ask=_float(t.get("ask")),
        high=_float(t.get("high")),
        low=_float(t.get("low")),
        open=_float(t.get("open")),
        base_volume=_float(t.get("baseVolume")),
        quote_volume=_float(t.get("quoteVolume")),
    )


def candle(row: list) -> Candle:
    ts, o, h, low, c, v = row[:6]
    return Candle(int(ts), float(o), float(h), float(low), float(c), float(v or 0.0))


def order_book(ob: Json, symbol: str) -> OrderBook:
    def side(levels: list) -> tuple[tuple[float, float], ...]:
        return tuple((float(lv[0]), float(lv[1])) for lv in levels)

    return OrderBook(
        symbol=ob.get("symbol") or symbol,
        timestamp=int(ob.get("timestamp") or 0),
        bids=side(ob.get("bids") or []),
        asks=side(ob.get("asks") or []),
    )


def balances(b: Json, account: str, now_ms: int) -> list[Balance]:
    """One Balance per asset with a non-zero total, sorted by asset."""
    ts = int(b.get("timestamp") or now_ms)
    free, used, total = b.get("free") or {}, b.get("used") or {}, b.get("total") or {}
    out = []
    for asset in sorted(set(total) | set(free) | set(used)):
        if asset in _BALANCE_META:
            continue
        f, u = dec(free.get(asset)), dec(used.get(asset))
        t = dec(total.get(asset))
        if t is None:
            t = (f or ZERO) + (u or ZERO)
        if not t:
            continue
        if f is None:
            f = t - (u or ZERO)
        if u is None:
            u = t - f
        out.append(Balance(account, asset, f, u, t, ts))
    return out


def position(p: Json, account: str) -> Position | None:
    """A perpetual position; flat ones (0 contracts) -> None."""
    contracts = dec(p.get("contracts"))
    if not contracts:
        return None
    side = p.get("side")
    if side not in ("long", "short"):
        side = "long" if contracts > 0 else "short"
    return Position(
        account=account,
        symbol=p["symbol"],
        side=side,
        contracts=abs(contracts),
        entry_price=_dec0(p.get("entryPrice")),
        mark_price=dec(p.get("markPrice")),
        unrealized_pnl=_dec0(p.get("unrealizedPnl")),
        realized_pnl=_dec0(p.get("realizedPnl")),
        leverage=dec(p.get("leverage")),
        liquidation_price=dec(p.get("liquidationPrice")) or None,
        margin=dec(p.get("initialMargin")),
        timestamp=int(p.get("timestamp") or 0),
    )


def order_type(o: Json) -> OrderType:
    kind = (o.get("type") or "limit").lower()
    trigger = o.get("triggerPrice") or o.get("stopPrice")
    if trigger:
        return OrderType.STOP_LIMIT if "limit" in kind or kind == "stop" else OrderType.STOP_MARKET
    return OrderType.MARKET if kind == "market" else OrderType.LIMIT


def order_status(o: Json) -> OrderStatus:
    status = _STATUS.get((o.get("status") or "").lower())
    if status is not None:
        return status
    return OrderStatus.UNKNOWN  # ccxt could not tell ("canceling", None): reconcile later


def time_in_force(o: Json) -> TimeInForce:
    if o.get("postOnly") or o.get("timeInForce") == "PO":
        return TimeInForce.PO
    return _TIF.get(o.get("timeInForce") or "GTC", TimeInForce.GTC)


def order(o: Json, account: str) -> Order:
    info = o.get("info") or {}
    # a cancel reply names the cancel request's own id clientOrderId; Binance keeps the
    # order's in origClientOrderId
    client_id = info.get("origClientOrderId") if isinstance(info, dict) else None
    fee = o.get("fee") or {}
    kind = order_type(o)
    amount = _dec0(o.get("amount"))
    filled = _dec0(o.get("filled"))
    created = int(o.get("timestamp") or 0)
    return Order(
        account=account,
        id=str(o.get("id") or ""),
        client_id=str(client_id or o.get("clientOrderId") or ""),
        symbol=o["symbol"],
        side=Side(o["side"]),
        type=kind,
        amount=amount,
        status=order_status(o),
        price=dec(o.get("price")) if kind.has_price else None,
        stop_price=dec(o.get("triggerPrice") or o.get("stopPrice")) if kind.is_stop else None,
        filled=filled,
        average=dec(o.get("average")) or None,
        fee=_dec0(fee.get("cost")),
        fee_currency=fee.get("currency"),
        time_in_force=time_in_force(o),
        reduce_only=bool(o.get("reduceOnly")),
        created_at=created,
        updated_at=int(o.get("lastUpdateTimestamp") or o.get("lastTradeTimestamp") or created),
    )


def fill(t: Json, account: str) -> Fill:
    fee = t.get("fee") or {}
    info = t.get("info") or {}
    realized = info.get("realizedPnl") if isinstance(info, dict) else None  # Binance futures
    return Fill(
        account=account,
        id=str(t.get("id") or ""),
        order_id=str(t.get("order") or ""),
        symbol=t["symbol"],
        side=Side(t["side"]),
        price=_dec0(t.get("price")),
        amount=_dec0(t.get("amount")),
        fee=_dec0(fee.get("cost")),
        fee_currency=fee.get("currency") or "",
        timestamp=int(t.get("timestamp") or 0),
        taker=t.get("takerOrMaker") != "maker",
        client_id=str(t.get("clientOrderId") or ""),
        realized_pnl=_dec0(realized),
    )
