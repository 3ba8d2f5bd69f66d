"""Snapshot/restore, the demo venue and the Exchange wrapper."""

from __future__ import annotations

import json

import pytest
from paper_helpers import SMALL, START, D, req, venue

from hedgetui.domain import OrderStatus
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.base import Exchange
from hedgetui.exchanges.errors import BadSymbol, OrderNotFound
from hedgetui.exchanges.paper import (
    DEMO_ACCOUNTS,
    DEMO_SYMBOLS,
    PaperExchange,
    PaperVenue,
    build_demo_venue,
)

PERP = "BTC/USDT:USDT"


def busy_venue():
    ven, clock = venue(seed=21, specs=SMALL)
    ven.add_account("s", {"USDT": D(200_000), "TST": D(500)})
    ven.add_account("p", {"USDT": D(100_000)}, leverage=5)
    sm = ven.market("TST/USDT")
    last = sm.last_ticks
    for i in range(1, 8):
        ven.place_order(
            "s",
            req("TST/USDT", "buy", "limit", "2.00", price=str(sm.ticks_to_decimal(last - 4 * i))),
        )
        ven.place_order(
            "s",
            req("TST/USDT", "sell", "limit", "2.00", price=str(sm.ticks_to_decimal(last + 4 * i))),
        )
    ven.place_order(
        "s",
        req(
            "TST/USDT",
            "buy",
            "stop_limit",
            "3.00",
            price=str(sm.ticks_to_decimal(last + 30)),
            stop=str(sm.ticks_to_decimal(last + 25)),
        ),
    )
    ven.place_order("p", req(PERP, "buy", "market", "0.700"))
    pm = ven.market(PERP)
    ven.place_order(
        "p",
        req(
            PERP,
            "sell",
            "limit",
            "0.300",
            price=str(pm.ticks_to_decimal(pm.last_ticks + 200)),
            reduce_only=True,
        ),
    )
    ven.place_order(
        "p",
        req(
            PERP,
            "sell",
            "stop_market",
            "0.700",
            stop=str(pm.ticks_to_decimal(pm.last_ticks - 300)),
            reduce_only=True,
        ),
    )
    return ven, clock


def everything(ven):
    return (
        ven.tickers(),
        ven.ohlcv("TST/USDT", "1m", limit=1000),
        ven.ohlcv(PERP, "1h", limit=1000),
        ven.ohlcv("BTC/USDT", "1d", limit=1000),
        ven.order_book("BTC/USDT"),
        {
            n: (ven.balances(n), ven.open_orders(n), ven.my_trades(n), ven.positions(n))
            for n in ("s", "p")
        },
        (ven.next_order_id, ven.next_trade_id),
    )


def test_snapshot_is_json_and_restore_continues_identically():
    ven, clock = busy_venue()
    clock.advance(200_000)
    snap = json.loads(json.dumps(ven.snapshot()))
    assert set(snap) == {
        "format",
        "exchange",
        "seed",
        "saved_at",
        "counters",
        "markets",
        "accounts",
    }
    assert isinstance(snap["accounts"]["s"]["wallet"]["USDT"], str)
    clone_clock = ManualClock(clock.now_ms())
    clone = PaperVenue.restore(snap, clone_clock, specs=SMALL)
    assert everything(clone) == everything(ven)
    for step in (1_000, 59_000, 600_000, 3 * 3_600_000):
        clock.advance(step)
        clone_clock.advance(step)
        assert everything(clone) == everything(ven)
    assert len(ven.my_trades("s")) > 3  # the comparison covered real fills
    # the restored venue keeps trading and numbering where the original left off
    a = ven.place_order("s", req("TST/USDT", "buy", "market", "1.00", cid="after"))
    b = clone.place_order("s", req("TST/USDT", "buy", "market", "1.00", cid="after"))
    assert a == b


def test_restore_after_downtime_and_bad_snapshot():
    ven, clock = busy_venue()
    snap = json.loads(json.dumps(ven.snapshot()))
    later = ManualClock(clock.now_ms() + 5 * 3_600_000)
    clone = PaperVenue.restore(snap, later, specs=SMALL)
    minutes = clone.ohlcv("TST/USDT", "1m", limit=1000)
    assert minutes[-1].ts == later.now_ms() // 60_000 * 60_000
    assert all(y.ts - x.ts == 60_000 for x, y in zip(minutes, minutes[1:], strict=False))
    with pytest.raises(ValueError, match="not a paper venue snapshot"):
        PaperVenue.restore({"format": "x"}, later)
    with pytest.raises(ValueError, match="TST/USDT"):
        PaperVenue.restore(snap, later)  # default specs lack the test market


def test_demo_venue():
    clock = ManualClock(START)
    ven = build_demo_venue(clock)
    assert [a.name for a in DEMO_ACCOUNTS] == ["main", "alt", "perps"]
    assert {a.name: a.tags for a in DEMO_ACCOUNTS} == {
        "main": ("spot", "core"),
        "alt": ("spot",),
        "perps": ("perps",),
    }
    assert all(a.info.is_paper and a.info.exchange == "paper" for a in DEMO_ACCOUNTS)
    assert set(DEMO_SYMBOLS) <= set(ven.load_markets())
    totals = {b.asset: b.total for b in ven.balances("main")}
    assert totals == {"USDT": D(100_000), "BTC": D("1.5"), "ETH": D(20)}
    assert {b.asset: b.total for b in ven.balances("alt")} == {
        "USDT": D(25_000),
        "SOL": D(300),
        "XRP": D(5_000),
    }
    (pos,) = ven.positions("perps")
    assert pos.symbol == PERP and pos.side == "long" and pos.contracts == D("0.5")
    perps_orders = ven.open_orders("perps")
    assert len(perps_orders) == 3 and any(o.type.is_stop for o in perps_orders)
    assert all(o.status is OrderStatus.OPEN for o in perps_orders)
    assert len(ven.open_orders("main")) == 2 and len(ven.open_orders("alt")) == 1
    assert (
        ven.balances("main") and next(b for b in ven.balances("main") if b.asset == "USDT").used > 0
    )
    again = build_demo_venue(ManualClock(START))
    for name in ("main", "alt", "perps"):  # deterministic
        assert again.open_orders(name) == ven.open_orders(name)
        assert again.balances(name) == ven.balances(name)
        assert again.my_trades(name) == ven.my_trades(name)


async def test_exchange_wrapper():
    ven, clock = venue(seed=31)
    ven.add_account("x", {"USDT": D(50_000)})
    ex = PaperExchange(ven, "x")
    assert isinstance(ex, Exchange) and ex.is_paper and ex.id == "paper" and ex.account == "x"
    markets = await ex.load_markets()
    assert markets["BTC/USDT"].min_cost == D(5) and markets[PERP].is_perp
    assert set(await ex.fetch_tickers(["BTC/USDT"])) == {"BTC/USDT"}
    assert len(await ex.fetch_ohlcv("BTC/USDT", "15m", limit=3)) == 3
    assert (await ex.fetch_order_book("BTC/USDT", 5)).bids
    o = await ex.create_order(
        req("ETH/USDT", "buy", "limit", "0.0100", price="1000.00", cid="wrap-1")
    )
    assert (await ex.fetch_order("ETH/USDT", client_id="wrap-1")).id == o.id
    assert (await ex.fetch_open_orders("ETH/USDT"))[0].id == o.id
    t0 = clock.now_ms()
    clock.advance(1_000)
    await ex.create_order(req(PERP, "buy", "market", "0.002"))
    assert [f.symbol for f in await ex.fetch_my_trades(since=t0 + 1)] == [PERP]
    assert (await ex.fetch_positions([PERP]))[0].contracts == D("0.002")
    assert {b.asset for b in await ex.fetch_balance()} == {"USDT"}
    assert [c.id for c in await ex.cancel_all_orders()] == [o.id]
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(o.id, "ETH/USDT")
    with pytest.raises(BadSymbol):
        await ex.fetch_ohlcv("FOO/BAR")
    with pytest.raises(ValueError, match="unknown paper account"):
        PaperExchange(ven, "nobody")


def test_light_snapshot_without_candles_keeps_accounts_and_continuous_charts():
    ven, clock = busy_venue()
    clock.advance(90_000)
    snap = json.loads(json.dumps(ven.snapshot(candles=False)))
    assert "m1" not in snap["markets"]["TST/USDT"]
    clone = PaperVenue.restore(snap, ManualClock(clock.now_ms()), specs=SMALL)
    assert clone.market("TST/USDT").last_ticks == ven.market("TST/USDT").last_ticks
    for name in ("s", "p"):
        assert clone.balances(name) == ven.balances(name)
        assert clone.open_orders(name) == ven.open_orders(name)
        assert clone.positions(name) == ven.positions(name)
    minutes = clone.ohlcv("TST/USDT", "1m", limit=600)
    assert minutes[-1].close == ven.tickers(["TST/USDT"])["TST/USDT"].last
    assert all(y.ts - x.ts == 60_000 for x, y in zip(minutes, minutes[1:], strict=False))


async def test_market_data_only_instance():
    ven, _ = venue(specs=SMALL)
    ven.add_account("x", {"USDT": D(1)})
    assert ven.account_names() == ["x"]
    md = PaperExchange(ven, None)
    assert (await md.fetch_tickers(["BTC/USDT"]))["BTC/USDT"].last > 0
    with pytest.raises(ValueError, match="market data only"):
        await md.fetch_balance()
