"""Margin and position arithmetic of the paper venue (pure functions on account state).

Reservations: a spot buy holds ``remaining * price * (1 + max fee)`` of quote, a spot sell
holds the remaining base. A perp order holds initial margin plus taker-fee headroom for the
part that would *grow* the position (closing needs no margin); reduce-only holds nothing.
Stops are valued at their limit price, or their stop price for stop-market.
"""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain import ZERO, Market, Side
from hedgetui.exchanges.paper.accounts import Account, OrderState, PositionState, money

ENTRY_STEP = Decimal("1e-10")


def closable(acct: Account, symbol: str, side: Side) -> Decimal:
    """How much of a position an order on ``side`` would close."""
    pos = acct.positions.get(symbol)
    if pos is None or not pos.qty or (pos.qty > 0) == (side is Side.BUY):
        return ZERO
    return abs(pos.qty)


def fillable(acct: Account, o: OrderState) -> Decimal:
    if o.reduce_only:
        return min(o.remaining, closable(acct, o.symbol, o.side))
    return o.remaining


def reservation(acct: Account, o: OrderState, m: Market) -> tuple[str, Decimal]:
    ref = o.price if o.type.has_price else o.stop_price
    if not m.is_perp:
        if o.buy:
            return m.quote, o.remaining * ref * (1 + max(m.maker_fee, m.taker_fee))
        return m.base, o.remaining
    settle = m.settle or m.quote
    if o.reduce_only:
        return settle, ZERO
    grows = max(ZERO, o.remaining - closable(acct, o.symbol, o.side))
    notional = grows * ref * m.contract_size
    return settle, money(notional / acct.leverage + notional * m.taker_fee)


def apply_position(
    pos: PositionState, side: Side, qty: Decimal, price: Decimal, size: Decimal, ts: int
) -> Decimal:
    """Net a fill into a one-way position; return the PnL it realised."""
    delta = qty if side is Side.BUY else -qty
    q = pos.qty
    realized = ZERO
    if not q or (q > 0) == (delta > 0):  # open or add: weighted-average entry
        new = q + delta
        pos.entry = ((abs(q) * pos.entry + qty * price) / abs(new)).quantize(ENTRY_STEP)
        pos.qty = new
    else:
        closed = min(qty, abs(q))
        direction = 1 if q > 0 else -1
        realized = money((price - pos.entry) * closed * size * direction)
        pos.qty = q + delta
        if not pos.qty:
            pos.entry = ZERO
        elif (pos.qty > 0) != (q > 0):  # flipped through zero: the rest opens at price
            pos.entry = price
    pos.realized += realized
    pos.updated_at = ts
    return realized
