"""Linear perpetual: margin, positions, PnL, reduce-only, flips."""

from __future__ import annotations

import pytest
from paper_helpers import D, balance, req, venue

from hedgetui.domain import OrderStatus
from hedgetui.exchanges.errors import BadRequest, InsufficientFunds, InvalidOrder

PERP = "BTC/USDT:USDT"
FEE = D("0.0005")
MONEY = D("1e-8")


@pytest.fixture
def v():
    ven, clock = venue(seed=11)
    ven.add_account("p", {"USDT": D(100_000)}, leverage=10)
    return ven, clock


def pos(ven):
    (p,) = ven.positions("p", [PERP])
    return p


def test_open_add_reduce_flip_with_entry_and_pnl(v):
    ven, clock = v
    sm = ven.market(PERP)
    wallet = D(100_000)

    ven.place_order("p", req(PERP, "buy", "market", "0.500"))
    (f1,) = ven.my_trades("p")
    wallet -= f1.fee
    assert f1.fee == (f1.price * D("0.5") * FEE).quantize(MONEY)
    p = pos(ven)
    assert (p.side, p.contracts, p.entry_price) == ("long", D("0.5"), f1.price)
    assert p.margin == f1.price * D("0.5") / 10 and p.leverage == 10

    clock.advance(120_000)
    ven.place_order("p", req(PERP, "buy", "market", "0.300"))
    f2 = ven.my_trades("p")[-1]
    wallet -= f2.fee
    entry = ((f1.price * D("0.5") + f2.price * D("0.3")) / D("0.8")).quantize(D("1e-10"))
    p = pos(ven)
    assert p.contracts == D("0.8") and p.entry_price == entry

    clock.advance(120_000)
    ven.place_order("p", req(PERP, "sell", "market", "0.200"))
    f3 = ven.my_trades("p")[-1]
    realized = ((f3.price - entry) * D("0.2")).quantize(MONEY)
    wallet += realized - f3.fee
    assert f3.realized_pnl == realized
    p = pos(ven)
    assert (p.contracts, p.entry_price, p.realized_pnl) == (D("0.6"), entry, realized)
    mark = sm.last_decimal
    assert p.mark_price == mark
    assert p.unrealized_pnl == ((mark - entry) * D("0.6")).quantize(MONEY)
    usdt = balance(ven, "p", "USDT")
    assert usdt.total == wallet + p.unrealized_pnl
    assert usdt.used == (D("0.6") * entry / 10).quantize(MONEY)
    assert usdt.free == usdt.total - usdt.used

    clock.advance(120_000)
    ven.place_order("p", req(PERP, "sell", "market", "1.000"))  # flip: close 0.6, open 0.4 short
    f4 = ven.my_trades("p")[-1]
    assert f4.realized_pnl == ((f4.price - entry) * D("0.6")).quantize(MONEY)
    p = pos(ven)
    assert (p.side, p.contracts, p.entry_price) == ("short", D("0.4"), f4.price)
    assert p.realized_pnl == realized + f4.realized_pnl
    wallet += f4.realized_pnl - f4.fee
    assert balance(ven, "p", "USDT").total == wallet + pos(ven).unrealized_pnl

    ven.place_order("p", req(PERP, "buy", "market", "0.400"))  # flat again
    assert ven.positions("p") == []
    f5 = ven.my_trades("p")[-1]
    wallet += f5.realized_pnl - f5.fee
    usdt = balance(ven, "p", "USDT")
    assert (usdt.total, usdt.used, usdt.free) == (wallet, 0, wallet)


def test_reduce_only(v):
    ven, _ = v
    with pytest.raises(InvalidOrder, match="ReduceOnly"):
        ven.place_order("p", req(PERP, "sell", "market", "0.100", reduce_only=True))
    ven.place_order("p", req(PERP, "buy", "market", "0.300"))
    with pytest.raises(InvalidOrder, match="ReduceOnly"):  # same side would increase
        ven.place_order("p", req(PERP, "buy", "market", "0.100", reduce_only=True))
    # more than the position: only the position is closed, the rest expires
    o = ven.place_order("p", req(PERP, "sell", "market", "1.000", reduce_only=True))
    assert o.status is OrderStatus.EXPIRED and o.filled == D("0.3")
    assert ven.positions("p") == []


def test_resting_reduce_only_is_clamped_to_the_position(v):
    ven, clock = v
    sm = ven.market(PERP)
    ven.place_order("p", req(PERP, "buy", "market", "0.300"))
    price = sm.ticks_to_decimal(sm.last_ticks + 5)
    tp = ven.place_order(
        "p", req(PERP, "sell", "limit", "0.500", price=str(price), reduce_only=True)
    )
    assert tp.status is OrderStatus.OPEN
    assert balance(ven, "p", "USDT").used == pos(ven).margin  # reduce-only reserves nothing
    # fill it through the engine hook: a trade above the limit price
    sm.last_ticks += 10
    ven.on_bar(sm, sm.step * 1000, sm.last_ticks, sm.last_ticks)
    done = ven.get_order("p", tp.id)
    assert done.status is OrderStatus.CANCELED and done.filled == D("0.3")
    assert "position is closed" in done.message
    assert ven.positions("p") == []
    assert not ven.my_trades("p")[-1].taker


def test_perp_order_margin_reservation_and_limits(v):
    ven, _ = v
    m = ven.market(PERP).market
    price = D("90000.0")
    ven.place_order("p", req(PERP, "buy", "limit", "0.100", price=str(price)))
    need = (D("0.1") * price / 10 + D("0.1") * price * FEE).quantize(MONEY)
    assert balance(ven, "p", "USDT").used == need
    with pytest.raises(BadRequest, match="NOTIONAL"):
        ven.place_order("p", req(PERP, "buy", "limit", "0.001", price=str(price)))
    with pytest.raises(InvalidOrder, match="PRICE_FILTER"):
        ven.place_order("p", req(PERP, "buy", "limit", "0.010", price="90000.05"))
    with pytest.raises(InsufficientFunds):  # 20 BTC at 10x needs ~180k of margin
        ven.place_order("p", req(PERP, "buy", "limit", "20.000", price=str(price)))
    assert m.maker_fee == D("0.0002") and m.taker_fee == FEE


def test_opposite_order_reserves_only_what_grows_the_position(v):
    ven, _ = v
    ven.place_order("p", req(PERP, "buy", "market", "0.300"))
    margin = pos(ven).margin
    price = D("200000.0")
    ven.place_order("p", req(PERP, "sell", "limit", "0.500", price=str(price)))
    grows = D("0.2") * price
    assert balance(ven, "p", "USDT").used == margin + (grows / 10 + grows * FEE).quantize(MONEY)


def test_leverage_change_moves_margin(v):
    ven, _ = v
    ven.place_order("p", req(PERP, "buy", "market", "0.300"))
    m10 = pos(ven).margin
    ven.set_leverage("p", D(5))
    assert pos(ven).margin == (m10 * 2).quantize(MONEY)
    with pytest.raises(InvalidOrder, match="leverage"):
        ven.set_leverage("p", D(0))
