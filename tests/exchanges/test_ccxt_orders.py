"""Orders, balances and fills through real ccxt against the local Binance-compatible server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgetui.domain import OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.errors import (
    BadRequest,
    InsufficientFunds,
    InvalidOrder,
    OrderImmediatelyFillable,
    OrderNotFound,
    PermissionDenied,
)

D = Decimal


def req(symbol, side, type_, amount, price=None, stop=None, tif="GTC", cid="c-1"):
    return OrderRequest(
        symbol=symbol,
        side=Side(side),
        type=OrderType(type_),
        amount=D(amount),
        client_id=cid,
        price=None if price is None else D(price),
        stop_price=None if stop is None else D(stop),
        time_in_force=TimeInForce(tif),
    )


def last(venue, symbol="BTC/USDT") -> Decimal:
    return venue.market(symbol).last_decimal


async def test_balance_lists_nonzero_assets_as_decimals(ex):
    balances = {b.asset: b for b in await ex.fetch_balance()}
    assert set(balances) == {"USDT", "BTC", "ETH"}
    assert balances["BTC"].total == D(2) and balances["BTC"].free == D(2)
    assert balances["USDT"].used == D(0)
    assert all(b.account == "live" for b in balances.values())


async def test_limit_order_rests_is_found_by_both_ids_and_cancels(ex, venue, server):
    price = venue.market("BTC/USDT").market.round_price(last(venue) * D("0.9"))
    placed = await ex.create_order(req("BTC/USDT", "buy", "limit", "0.01", price, cid="lim-1"))
    assert placed.status is OrderStatus.OPEN
    assert placed.client_id == "lim-1" and placed.type is OrderType.LIMIT
    assert placed.price == price and placed.amount == D("0.01")
    assert server.seen("/api/v3/order", "POST")[0].params["newClientOrderId"] == "lim-1"
    balances = {b.asset: b for b in await ex.fetch_balance()}
    assert balances["USDT"].used == D("0.01") * price * D("1.001")  # reserved incl. fee
    by_id = await ex.fetch_order("BTC/USDT", id=placed.id)
    by_cid = await ex.fetch_order("BTC/USDT", client_id="lim-1")
    assert by_id == by_cid
    assert server.seen("/api/v3/order", "GET")[-1].params["origClientOrderId"] == "lim-1"
    assert [o.client_id for o in await ex.fetch_open_orders()] == ["lim-1"]
    canceled = await ex.cancel_order(placed.id, "BTC/USDT")
    assert canceled.status is OrderStatus.CANCELED
    assert canceled.client_id == "lim-1"  # not the cancel request's own id
    assert await ex.fetch_open_orders("BTC/USDT") == []
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(placed.id, "BTC/USDT")


async def test_unknown_client_id_is_none_or_order_not_found(ex):
    assert await ex.find_by_client_id("BTC/USDT", "nope") is None
    with pytest.raises(OrderNotFound):
        await ex.fetch_order("BTC/USDT", client_id="nope")


async def test_market_order_fills_with_fee_and_shows_in_my_trades(ex, venue):
    order = await ex.create_order(req("ETH/USDT", "buy", "market", "0.5", cid="mkt-1"))
    assert order.status is OrderStatus.FILLED
    assert order.filled == D("0.5") and order.average is not None
    assert order.fee > 0 and order.fee_currency == "USDT"
    fills = await ex.fetch_my_trades("ETH/USDT")
    assert sum(f.amount for f in fills) == D("0.5")
    assert all(f.order_id == order.id and f.taker and f.side is Side.BUY for f in fills)
    engine_fills = venue.my_trades("live", "ETH/USDT")
    assert [(f.price, f.amount, f.fee) for f in fills] == [
        (f.price, f.amount, f.fee) for f in engine_fills
    ]


async def test_my_trades_without_symbol_asks_each_relevant_symbol(ex, server):
    await ex.create_order(req("ETH/USDT", "sell", "market", "1", cid="m-eth"))
    await ex.create_order(req("BTC/USDT", "sell", "market", "0.01", cid="m-btc"))
    fills = await ex.fetch_my_trades()
    assert {f.symbol for f in fills} == {"ETH/USDT", "BTC/USDT"}
    assert [f.timestamp for f in fills] == sorted(f.timestamp for f in fills)
    asked = {r.params["symbol"] for r in server.seen("/api/v3/myTrades")}
    # held base+quote pairs (BTC, ETH with USDT) and symbols traded through the adapter
    assert asked == {"BTCUSDT", "ETHUSDT"}


async def test_stop_limit_and_stop_market_rest_untriggered(ex, venue, server):
    m = venue.market("BTC/USDT").market
    p = last(venue)
    stop = await ex.create_order(
        req(
            "BTC/USDT",
            "sell",
            "stop_limit",
            "0.1",
            m.round_price(p * D("0.9")),
            m.round_price(p * D("0.92")),
            cid="sl-1",
        )
    )
    assert stop.type is OrderType.STOP_LIMIT and stop.status is OrderStatus.OPEN
    assert stop.stop_price == m.round_price(p * D("0.92"))
    stop_mkt = await ex.create_order(
        req("BTC/USDT", "sell", "stop_market", "0.1", stop=m.round_price(p * D("0.9")), cid="sm-1")
    )
    assert stop_mkt.type is OrderType.STOP_MARKET
    sent = [r.params for r in server.seen("/api/v3/order", "POST")]
    assert [s["type"] for s in sent] == ["STOP_LOSS_LIMIT", "STOP_LOSS"]
    fetched = {o.client_id: o for o in await ex.fetch_open_orders("BTC/USDT")}
    assert fetched["sl-1"].type is OrderType.STOP_LIMIT
    assert fetched["sm-1"].type is OrderType.STOP_MARKET
    assert fetched["sm-1"].stop_price == m.round_price(p * D("0.9"))


async def test_post_only_rests_or_is_rejected_when_it_would_take(ex, venue, server):
    m = venue.market("BTC/USDT").market
    below = m.round_price(last(venue) * D("0.95"))
    maker = await ex.create_order(
        req("BTC/USDT", "buy", "limit", "0.01", below, tif="PO", cid="po-1")
    )
    assert maker.time_in_force is TimeInForce.PO and maker.status is OrderStatus.OPEN
    assert server.seen("/api/v3/order", "POST")[0].params["type"] == "LIMIT_MAKER"
    above = m.round_price(last(venue) * D("1.05"))
    with pytest.raises(OrderImmediatelyFillable):
        await ex.create_order(req("BTC/USDT", "buy", "limit", "0.01", above, tif="PO", cid="po-2"))


async def test_ioc_takes_what_crosses_and_expires_the_rest(ex, venue, server):
    m = venue.market("BTC/USDT").market
    _bid, ask = venue.market("BTC/USDT").top()
    at_ask = venue.market("BTC/USDT").ticks_to_decimal(ask)
    order = await ex.create_order(
        req("BTC/USDT", "buy", "limit", "1", at_ask, tif="IOC", cid="ioc")
    )
    assert server.seen("/api/v3/order", "POST")[0].params["timeInForce"] == "IOC"
    assert order.time_in_force is TimeInForce.IOC
    assert order.status in (OrderStatus.EXPIRED, OrderStatus.FILLED)
    assert 0 < order.filled <= D(1)
    assert order.price == m.round_price(at_ask)
    assert await ex.fetch_open_orders("BTC/USDT") == []


async def test_engine_rejections_arrive_as_ccxt_classes(ex, venue):
    with pytest.raises(InsufficientFunds):
        await ex.create_order(req("BTC/USDT", "sell", "market", "5", cid="too-much"))
    with pytest.raises(InvalidOrder):  # -1013 LOT_SIZE
        await ex.create_order(req("BTC/USDT", "buy", "limit", "0.000001", "50000", cid="lot"))
    with pytest.raises(BadRequest):  # -1013 NOTIONAL
        await ex.create_order(req("BTC/USDT", "buy", "limit", "0.00001", "50000", cid="tiny"))


async def test_cancel_all_per_symbol_and_everywhere(ex, venue, server):
    for n, symbol in enumerate(["BTC/USDT", "BTC/USDT", "ETH/USDT"]):
        m = venue.market(symbol).market
        price = m.round_price(last(venue, symbol) * D("0.8"))
        amount = "0.01" if symbol.startswith("BTC") else "0.1"
        await ex.create_order(req(symbol, "buy", "limit", amount, price, cid=f"ca-{n}"))
    assert await ex.cancel_all_orders("SOL/USDT") == []  # nothing there: Binance says -2011
    canceled = await ex.cancel_all_orders()
    assert sorted(o.client_id for o in canceled) == ["ca-0", "ca-1", "ca-2"]
    assert all(o.status is OrderStatus.CANCELED for o in canceled)
    assert {r.params["symbol"] for r in server.seen("/api/v3/openOrders", "DELETE")} == {
        "SOLUSDT",
        "BTCUSDT",
        "ETHUSDT",
    }
    assert await ex.fetch_open_orders() == []


async def test_spot_only_account_has_no_positions(ex, server):
    assert await ex.fetch_positions() == []
    assert all("position" not in r.path.lower() for r in server.requests)


async def test_order_requests_take_an_order_slot_with_order_priority(ex, venue):
    await ex.load_markets()
    ex.gate.acquired.clear()
    await ex.create_order(req("BTC/USDT", "sell", "market", "0.01", cid="slot"))
    await ex.fetch_balance()
    assert ex.gate.acquired == [(1, Priority.ORDER, "live", 1), (20, Priority.ACCOUNT, "live", 0)]


@pytest.mark.parametrize(
    "action",
    ["create", "cancel", "cancel_all", "cancel_all_symbol"],
)
async def test_read_only_account_never_reaches_an_order_endpoint(make_exchange, server, action):
    ex = make_exchange(read_only=True)
    calls = {
        "create": lambda: ex.create_order(req("BTC/USDT", "buy", "market", "0.01")),
        "cancel": lambda: ex.cancel_order("1", "BTC/USDT"),
        "cancel_all": lambda: ex.cancel_all_orders(),
        "cancel_all_symbol": lambda: ex.cancel_all_orders("BTC/USDT"),
    }
    with pytest.raises(PermissionDenied, match="account live is read-only"):
        await calls[action]()
    assert server.requests == []  # refused before any request, even load_markets
    assert await ex.fetch_balance()  # reading still works
    assert all(r.method == "GET" for r in server.requests)
