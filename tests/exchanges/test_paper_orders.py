"""Order types, fees, reservations and rejections of the paper matching engine."""

from __future__ import annotations

import pytest
from paper_helpers import D, balance, path, req, venue

from hedgetui.domain import OrderStatus
from hedgetui.exchanges.errors import (
    BadRequest,
    BadSymbol,
    InsufficientFunds,
    InvalidOrder,
    OrderImmediatelyFillable,
    OrderNotFound,
)


@pytest.fixture
def v():
    ven, clock = venue()
    ven.add_account("a", {"USDT": D(5_000_000), "BTC": D(10), "TST": D(1000)})
    return ven, clock


def test_market_buy_walks_the_book_with_slippage(v):
    ven, _ = v
    sm = ven.market("BTC/USDT")
    book = ven.order_book("BTC/USDT", 50)
    order = ven.place_order("a", req("BTC/USDT", "buy", "market", "8"))
    fills = ven.my_trades("a")
    assert order.status is OrderStatus.FILLED and order.filled == D(8)
    assert len(fills) > 1  # one fill per level walked
    prices = [f.price for f in fills]
    assert prices == sorted(prices) and len(set(prices)) == len(prices)
    assert float(prices[0]) == book.asks[0][0]
    for f, (price, size) in zip(fills[:-1], book.asks, strict=False):
        assert (float(f.price), float(f.amount)) == (price, size)  # levels taken in full
    assert sum(f.amount for f in fills) == D(8)
    assert order.average == sum(f.price * f.amount for f in fills) / D(8)
    assert order.average > sm.ticks_to_decimal(sm.top()[1])  # slippage
    assert all(f.taker for f in fills)


def test_market_sell_walks_bids(v):
    ven, _ = v
    book = ven.order_book("BTC/USDT", 10)
    ven.place_order("a", req("BTC/USDT", "sell", "market", "3"))
    fills = ven.my_trades("a")
    assert float(fills[0].price) == book.bids[0][0]
    assert [f.price for f in fills] == sorted((f.price for f in fills), reverse=True)


def test_fees_taker_and_maker_are_exact(v):
    ven, clock = v
    usdt0 = balance(ven, "a", "USDT").total
    tst0 = balance(ven, "a", "TST").total
    sm = ven.market("TST/USDT")
    ask = sm.ticks_to_decimal(sm.top()[1])
    o = ven.place_order("a", req("TST/USDT", "buy", "limit", "1.00", price=str(ask)))
    assert o.status is OrderStatus.FILLED
    (f,) = ven.my_trades("a")
    assert f.taker and f.price == ask and f.fee == (ask * D("0.002")).quantize(D("1e-8"))
    assert f.fee_currency == "USDT"
    assert balance(ven, "a", "USDT").total == usdt0 - ask - f.fee
    assert balance(ven, "a", "TST").total == tst0 + D(1)
    # maker: a resting sell filled by a trade through it
    ticks = path(1, "TST/USDT", 600)
    price_t = max(ticks) - 1
    price = sm.ticks_to_decimal(price_t)
    s = ven.place_order("a", req("TST/USDT", "sell", "limit", "2.00", price=str(price)))
    assert s.status is OrderStatus.OPEN
    clock.advance(600_000)
    done = ven.get_order("a", s.id)
    assert done.status is OrderStatus.FILLED and done.average == price
    maker = ven.my_trades("a")[-1]
    assert not maker.taker and maker.fee == (price * 2 * D("0.001")).quantize(D("1e-8"))


def test_resting_limit_fills_on_trade_through_not_on_touch():
    # find a level the path touches before it trades through it
    ticks = path(3, "TST/USDT", 900)
    ven, clock = venue(3)
    ven.add_account("a", {"USDT": D(100_000)})
    sm = ven.market("TST/USDT")
    start = sm.last_ticks
    level = touch_at = through_at = None
    for cand in range(start - 1, start - 60, -1):
        first_le = next((i for i, t in enumerate(ticks) if t <= cand), None)
        if first_le is not None and ticks[first_le] == cand:
            later = next((i for i, t in enumerate(ticks) if t < cand), None)
            if later is not None:
                level, touch_at, through_at = cand, first_le, later
                break
    assert level is not None, "the test path should touch a level before going through it"
    price = sm.ticks_to_decimal(level)
    o = ven.place_order("a", req("TST/USDT", "buy", "limit", "10.00", price=str(price)))
    assert o.status is OrderStatus.OPEN
    clock.advance((touch_at + 1) * 1000)  # the touch: trade exactly at our price
    ven.sync()
    assert sm.last_ticks == level
    assert ven.get_order("a", o.id).status is OrderStatus.OPEN
    clock.advance((through_at - touch_at) * 1000)
    ven.sync()
    assert sm.last_ticks < level
    filled = ven.get_order("a", o.id)
    assert filled.status is OrderStatus.FILLED and filled.average == price
    (f,) = ven.my_trades("a")
    assert f.timestamp == sm.step * 1000 and not f.taker


def test_marketable_limit_takes_up_to_its_price_then_rests(v):
    ven, _ = v
    sm = ven.market("BTC/USDT")
    limit_t = sm.level_price(1, 2)  # the third ask level
    limit = sm.ticks_to_decimal(limit_t)
    o = ven.place_order("a", req("BTC/USDT", "buy", "limit", "9.00000", price=str(limit)))
    takes = ven.my_trades("a")
    assert [sm.decimal_to_ticks(f.price) for f in takes] == [sm.level_price(1, i) for i in range(3)]
    assert o.status is OrderStatus.OPEN and o.filled == sum(f.amount for f in takes)
    assert D(0) < o.filled < D(9)
    assert balance(ven, "a", "USDT").used == o.remaining * limit * D("1.001")


def test_ioc_remainder_expires_and_fok_is_all_or_nothing(v):
    ven, _ = v
    sm = ven.market("BTC/USDT")
    limit = str(sm.ticks_to_decimal(sm.level_price(1, 1)))
    ioc = ven.place_order("a", req("BTC/USDT", "buy", "limit", "9.00000", price=limit, tif="IOC"))
    assert ioc.status is OrderStatus.EXPIRED and D(0) < ioc.filled < D(9)
    fok = ven.place_order("a", req("BTC/USDT", "buy", "limit", "9.00000", price=limit, tif="FOK"))
    assert fok.status is OrderStatus.EXPIRED and fok.filled == 0
    small = sm.level_size(1, 0)
    ok = ven.place_order("a", req("BTC/USDT", "buy", "limit", str(small), price=limit, tif="FOK"))
    assert ok.status is OrderStatus.FILLED and ok.filled == small
    assert ven.open_orders("a") == []
    assert balance(ven, "a", "USDT").used == 0


def test_post_only_that_would_take_is_rejected(v):
    ven, _ = v
    sm = ven.market("BTC/USDT")
    bid, ask = (sm.ticks_to_decimal(t) for t in sm.top())
    with pytest.raises(OrderImmediatelyFillable, match="immediately match"):
        ven.place_order("a", req("BTC/USDT", "buy", "limit", "0.01000", price=str(ask), tif="PO"))
    with pytest.raises(OrderImmediatelyFillable):
        ven.place_order("a", req("BTC/USDT", "sell", "limit", "0.01000", price=str(bid), tif="PO"))
    o = ven.place_order("a", req("BTC/USDT", "buy", "limit", "0.01000", price=str(bid), tif="PO"))
    assert o.status is OrderStatus.OPEN and ven.my_trades("a") == []


@pytest.mark.parametrize("kind", ["stop_market", "stop_limit"])
def test_stops_trigger_on_last_crossing(kind):
    ticks = path(5, "TST/USDT", 900)
    ven, clock = venue(5)
    ven.add_account("a", {"USDT": D(100_000), "TST": D(100)})
    sm = ven.market("TST/USDT")
    stop_t = sm.last_ticks - 5
    trigger_at = next(i for i, t in enumerate(ticks) if t <= stop_t)
    stop = sm.ticks_to_decimal(stop_t)
    price = str(sm.ticks_to_decimal(stop_t - 50)) if kind == "stop_limit" else None
    o = ven.place_order("a", req("TST/USDT", "sell", kind, "10.00", price=price, stop=str(stop)))
    assert balance(ven, "a", "TST").used == D(10)
    clock.advance(trigger_at * 1000)
    assert ven.get_order("a", o.id).status is OrderStatus.OPEN and not ven.my_trades("a")
    clock.advance(1000)
    done = ven.get_order("a", o.id)
    assert done.status is OrderStatus.FILLED
    fills = ven.my_trades("a")
    assert fills[0].taker and fills[0].timestamp == sm.step * 1000
    assert sm.decimal_to_ticks(fills[0].price) == sm.top()[0]  # sold into the bid
    assert balance(ven, "a", "TST").total == D(90) and balance(ven, "a", "TST").used == 0


def test_stop_limit_rests_as_limit_when_not_marketable():
    ticks = path(5, "TST/USDT", 900)
    ven, clock = venue(5)
    ven.add_account("a", {"USDT": D(100_000), "TST": D(100)})
    sm = ven.market("TST/USDT")
    stop_t = sm.last_ticks - 5
    trigger_at = next(i for i, t in enumerate(ticks) if t <= stop_t)
    limit_t = ticks[trigger_at] + 40  # above the market after the trigger: not marketable
    o = ven.place_order(
        "a",
        req(
            "TST/USDT",
            "sell",
            "stop_limit",
            "10.00",
            price=str(sm.ticks_to_decimal(limit_t)),
            stop=str(sm.ticks_to_decimal(stop_t)),
        ),
    )
    clock.advance((trigger_at + 1) * 1000)
    assert ven.get_order("a", o.id).status is OrderStatus.OPEN
    assert sm.sell_limit_min == limit_t  # now watched as a resting limit
    assert balance(ven, "a", "TST").used == D(10)


def test_stop_that_would_trigger_now_is_rejected(v):
    ven, _ = v
    last = ven.market("BTC/USDT").last_decimal
    with pytest.raises(InvalidOrder, match="immediately trigger"):
        ven.place_order("a", req("BTC/USDT", "sell", "stop_market", "0.10000", stop=str(last)))


def test_reserve_and_release_are_exact(v):
    ven, _ = v
    before = {b.asset: (b.free, b.used, b.total) for b in ven.balances("a")}
    sm = ven.market("ETH/USDT")
    price = sm.ticks_to_decimal(sm.last_ticks - 3000)
    buys = [
        ven.place_order("a", req("ETH/USDT", "buy", "limit", "0.3333", price=str(price)))
        for _ in range(3)
    ]
    sell = ven.place_order("a", req("BTC/USDT", "sell", "limit", "0.12345", price="200000.00"))
    usdt = balance(ven, "a", "USDT")
    assert usdt.used == 3 * D("0.3333") * price * D("1.001")
    assert usdt.free + usdt.used == usdt.total
    assert balance(ven, "a", "BTC").used == D("0.12345")
    for o in (*buys, sell):
        assert ven.cancel_order("a", o.id).status is OrderStatus.CANCELED
    after = {b.asset: (b.free, b.used, b.total) for b in ven.balances("a")}
    assert after == before


def test_insufficient_funds(v):
    ven, _ = v
    ven.add_account("poor", {"USDT": D(100)})
    with pytest.raises(InsufficientFunds, match="insufficient balance"):
        ven.place_order("poor", req("BTC/USDT", "buy", "market", "0.01000"))
    with pytest.raises(InsufficientFunds):
        ven.place_order("poor", req("BTC/USDT", "buy", "limit", "0.00200", price="60000.00"))
    with pytest.raises(InsufficientFunds):
        ven.place_order("poor", req("BTC/USDT", "sell", "limit", "0.00100", price="200000.00"))
    # the reservation of one order is not available to the next
    ven.place_order("poor", req("ETH/USDT", "buy", "limit", "0.0200", price="3000.00"))
    with pytest.raises(InsufficientFunds):
        ven.place_order("poor", req("ETH/USDT", "buy", "limit", "0.0200", price="3000.00"))
    assert len(ven.open_orders("poor")) == 1


@pytest.mark.parametrize(
    ("request_", "error", "text"),
    [
        (dict(amount="0.000015"), InvalidOrder, "LOT_SIZE"),
        (dict(amount="0.000001"), InvalidOrder, "LOT_SIZE"),
        (dict(price="90000.005"), InvalidOrder, "PRICE_FILTER"),
        (dict(amount="0.00005"), BadRequest, "NOTIONAL"),
        (dict(symbol="NOPE/USDT"), BadSymbol, "NOPE/USDT"),
        (dict(reduce_only=True), InvalidOrder, "reduce-only"),
        (dict(type_="stop_market", stop="99000.00"), InvalidOrder, "takes no price"),
        (dict(type_="stop_limit"), InvalidOrder, "needs a stop price"),
        (dict(tif="PO", type_="stop_limit", stop="99000.00"), InvalidOrder, "post-only"),
        (dict(amount="-1"), InvalidOrder, "LOT_SIZE"),
    ],
)
def test_filter_rejections(v, request_, error, text):
    ven, _ = v
    kw = dict(symbol="BTC/USDT", side="buy", type_="limit", amount="0.01000", price="90000.00")
    kw.update(request_)
    with pytest.raises(error, match=text):
        ven.place_order("a", req(**kw))
    assert ven.open_orders("a") == []


def test_duplicate_client_id_and_lookups(v):
    ven, _ = v
    o = ven.place_order(
        "a", req("BTC/USDT", "buy", "limit", "0.01000", price="80000.00", cid="mine-1")
    )
    with pytest.raises(InvalidOrder, match="Duplicate order sent."):
        ven.place_order(
            "a", req("BTC/USDT", "buy", "limit", "0.01000", price="80000.00", cid="mine-1")
        )
    assert ven.get_order("a", client_id="mine-1").id == o.id
    assert ven.get_order("a", o.id, symbol="BTC/USDT").client_id == "mine-1"
    with pytest.raises(OrderNotFound, match="Unknown order sent."):
        ven.get_order("a", "999999")
    with pytest.raises(OrderNotFound):
        ven.cancel_order("a", o.id, symbol="ETH/USDT")
    ven.cancel_order("a", o.id)
    with pytest.raises(OrderNotFound):  # already canceled
        ven.cancel_order("a", o.id)
    assert ven.get_order("a", client_id="mine-1").status is OrderStatus.CANCELED


def test_cancel_all_and_trade_history_since(v):
    ven, clock = v
    ven.place_order("a", req("BTC/USDT", "buy", "limit", "0.01000", price="80000.00"))
    ven.place_order("a", req("ETH/USDT", "buy", "limit", "0.0100", price="2000.00"))
    ven.place_order("a", req("BTC/USDT", "buy", "market", "0.01000"))
    t1 = clock.now_ms()
    clock.advance(5_000)
    ven.place_order("a", req("BTC/USDT", "sell", "market", "0.01000"))
    assert len(ven.my_trades("a", since=t1 + 1)) == 1
    assert ven.my_trades("a", "ETH/USDT") == []
    assert (
        len(ven.my_trades("a", limit=1)) == 1
        and ven.my_trades("a", limit=1)[0].side.value == "sell"
    )
    canceled = ven.cancel_all("a", "BTC/USDT")
    assert [o.symbol for o in canceled] == ["BTC/USDT"]
    assert [o.symbol for o in ven.open_orders("a")] == ["ETH/USDT"]
    assert len(ven.cancel_all("a")) == 1 and ven.open_orders("a") == []
