"""What each table keeps: replacement, upserts, history, ordering."""

from __future__ import annotations

import sqlite3
from decimal import Decimal as D

from store_builders import bal, entry, fill, order, pos

from hedgetui.domain import (
    AccountInfo,
    Candle,
    HealthState,
    OrderStatus,
    PollerHealth,
    Ticker,
)


async def test_balances_replace_the_accounts_set_and_history_keeps_changes(store):
    store.put_balances("main", [bal("main", "USDT", "100"), bal("main", "BTC", "1")], ts=1000)
    store.put_balances("sub", [bal("sub", "USDT", "5")], ts=1000)
    await store.flush()
    store.put_balances("main", [bal("main", "USDT", "100")], ts=2000)  # BTC sold out; USDT same
    await store.flush()
    store.put_balances("main", [bal("main", "USDT", "90")], ts=3000)
    await store.flush()
    latest = await store.balances("main")
    assert [(b.asset, b.total) for b in latest] == [("USDT", D("90"))]
    assert {b.account for b in await store.balances()} == {"main", "sub"}  # other account kept
    history = [(b.timestamp, b.asset, b.total) for b in await store.balance_history("main")]
    assert history == [
        (1000, "USDT", D("100")),
        (1000, "BTC", D("1")),
        (2000, "BTC", D("0")),  # vanished -> a zero row; unchanged USDT adds nothing
        (3000, "USDT", D("90")),
    ]
    since = await store.balance_history("main", since=2000)
    assert [(b.timestamp, b.asset) for b in since] == [(2000, "BTC"), (3000, "USDT")]


async def test_balance_snapshots_for_one_account_in_one_batch_are_applied_in_order(store):
    # Both puts land in the same writer batch: the second must still replace the first.
    store.put_balances("main", [bal("main", "USDT", "1"), bal("main", "ETH", "2")], ts=1)
    store.put_balances("main", [bal("main", "BTC", "3")], ts=2)
    store.put_balances("main", [], ts=3)
    store.put_balances("main", [bal("main", "USDT", "1")], ts=4)
    await store.flush()
    assert store.stats.transactions == 1
    assert [(b.asset, b.total) for b in await store.balances()] == [("USDT", D("1"))]
    history = sorted((b.timestamp, b.asset, b.total) for b in await store.balance_history("main"))
    assert history == [
        (1, "ETH", D("2")),
        (1, "USDT", D("1")),
        (2, "BTC", D("3")),
        (2, "ETH", D("0")),
        (2, "USDT", D("0")),
        (3, "BTC", D("0")),
        (4, "USDT", D("1")),
    ]


async def test_positions_replace_the_accounts_set_and_allow_hedge_mode(store):
    store.put_positions(
        "main",
        [
            pos("main", "BTC/USDT:USDT", "long"),
            pos("main", "BTC/USDT:USDT", "short", "2"),
            pos("main", "ETH/USDT:USDT"),
        ],
        ts=1,
    )
    store.put_positions("sub", [pos("sub", "ETH/USDT:USDT")], ts=1)
    await store.flush()
    assert len(await store.positions("main")) == 3
    store.put_positions("main", [pos("main", "BTC/USDT:USDT", "short", "1")], ts=2)
    await store.flush()
    got = await store.positions("main")
    assert [(p.symbol, p.side, p.contracts) for p in got] == [("BTC/USDT:USDT", "short", D("1"))]
    assert len(await store.positions()) == 2
    store.put_positions("main", [], ts=3)  # everything closed
    await store.flush()
    assert await store.positions("main") == []


async def test_accounts_list_is_replaced(store):
    store.put_accounts([AccountInfo("a", "binance", False), AccountInfo("b", "paper", True)])
    await store.flush()
    store.put_accounts([AccountInfo("b", "paper", True, ("demo",)), AccountInfo("c", "okx", False)])
    await store.flush()
    assert await store.accounts() == [
        AccountInfo("b", "paper", True, ("demo",)),
        AccountInfo("c", "okx", False),
    ]


async def test_orders_upsert_by_client_id_or_exchange_id_and_keep_history(store):
    store.put_orders([order(id="", client_id="c1", status=OrderStatus.PENDING, created=1)])
    store.put_orders([order(id="x9", client_id="", created=2)])  # no client id: exchange id
    await store.flush()
    store.put_orders(
        [order(id="101", client_id="c1", status=OrderStatus.OPEN, created=1, updated=5)]
    )
    store.put_orders(
        [order(id="x9", client_id="", status=OrderStatus.FILLED, filled="1", created=2, updated=6)]
    )
    await store.flush()
    orders = await store.orders()
    assert [(o.id, o.client_id, o.status) for o in orders] == [
        ("x9", "", OrderStatus.FILLED),
        ("101", "c1", OrderStatus.OPEN),
    ]  # newest first
    assert [o.id for o in await store.orders(open_only=True)] == ["101"]
    assert [o.id for o in await store.orders(limit=1)] == ["x9"]
    assert await store.orders(account="other") == []


async def test_stale_order_updates_never_roll_an_order_back(store):
    store.put_orders([order(status=OrderStatus.FILLED, filled="1", updated=10)])
    await store.flush()
    store.put_orders([order(status=OrderStatus.OPEN, updated=20)])  # final -> live: ignored
    store.put_orders([order(status=OrderStatus.CANCELED, updated=5)])  # older: ignored
    await store.flush()
    (o,) = await store.orders()
    assert (o.status, o.filled, o.updated_at) == (OrderStatus.FILLED, D("1"), 10)


async def test_fills_are_deduplicated_and_newest_first(store):
    store.put_fills([fill("t1", 100), fill("t2", 300), fill("t3", 200)])
    store.put_fills([fill("t2", 300), fill("t1", 100, account="other")])  # repeat + other acct
    await store.flush()
    assert [f.id for f in await store.fills(account="main")] == ["t2", "t3", "t1"]
    assert [f.id for f in await store.fills(account="main", since=200)] == ["t2", "t3"]
    assert [f.id for f in await store.fills(account="main", limit=1)] == ["t2"]
    assert len(await store.fills()) == 4


async def test_tickers_keep_the_latest_per_symbol(store):
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 100.0), Ticker("paper", "ETH/USDT", 1, 5.0)])
    store.put_tickers([Ticker("paper", "BTC/USDT", 2, 101.5, bid=101.0)])
    store.put_tickers([Ticker("okx", "BTC/USDT", 2, 99.0)])
    await store.flush()
    assert [(t.symbol, t.last) for t in await store.tickers("paper")] == [
        ("BTC/USDT", 101.5),
        ("ETH/USDT", 5.0),
    ]
    assert len(await store.tickers()) == 3


async def test_candles_upsert_ranges_and_latest(store):
    candles = [Candle(i * 60_000, 1.0 + i, 2.0 + i, 0.5, 1.5, 10.0) for i in range(10)]
    store.put_candles("paper", "BTC/USDT", "1m", candles)
    store.put_candles("paper", "BTC/USDT", "1m", [Candle(9 * 60_000, 10.0, 12.0, 9.0, 11.0, 99.0)])
    store.put_candles("paper", "BTC/USDT", "5m", [Candle(0, 1.0, 1.0, 1.0, 1.0, 1.0)])
    await store.flush()
    got = await store.candles("paper", "BTC/USDT", "1m")
    assert len(got) == 10 and got[-1] == Candle(9 * 60_000, 10.0, 12.0, 9.0, 11.0, 99.0)
    assert [c.ts for c in await store.candles("paper", "BTC/USDT", "1m", limit=3)] == [
        7 * 60_000,
        8 * 60_000,
        9 * 60_000,
    ]  # latest 3, oldest first
    assert [
        c.ts for c in await store.candles("paper", "BTC/USDT", "1m", since=60_000, until=180_000)
    ] == [60_000, 120_000, 180_000]
    assert [
        c.ts for c in await store.candles("paper", "BTC/USDT", "1m", since=60_000, limit=2)
    ] == [60_000, 120_000]
    assert [
        c.ts for c in await store.candles("paper", "BTC/USDT", "1m", until=120_000, limit=2)
    ] == [60_000, 120_000]
    rows = await store.candle_rows("paper", "BTC/USDT", "1m", limit=1)
    assert rows == [(9 * 60_000, 10.0, 12.0, 9.0, 11.0, 99.0)]
    assert await store.last_candle_ts("paper", "BTC/USDT", "1m") == 9 * 60_000
    assert await store.last_candle_ts("paper", "BTC/USDT", "1h") is None


async def test_health_is_kept_per_key(store):
    store.put_health([PollerHealth("account:main:balances", "binance", "balances", "main")])
    store.put_health(
        [
            PollerHealth(
                "account:main:balances",
                "binance",
                "balances",
                "main",
                HealthState.BACKOFF,
                5,
                1,
                12.5,
                2,
                3,
                "timeout",
                4.0,
            )
        ]
    )
    await store.flush()
    (h,) = await store.health()
    assert (h.state, h.consecutive_errors, h.last_error) == (HealthState.BACKOFF, 2, "timeout")


async def test_journal_add_update_and_filters(store):
    await store.journal_add(
        [entry("c1", created=1), entry("c2", created=2), entry("c3", batch="b2", created=3)]
    )
    await store.journal_update("c1", status=OrderStatus.OPEN, order_id="555", attempts_inc=1, ts=10)
    await store.journal_update(
        "c2", status=OrderStatus.REJECTED, message="insufficient margin", ts=11
    )
    all_ = await store.journal()
    assert [e.client_id for e in all_] == ["c1", "c2", "c3"]
    c1 = all_[0]
    assert (c1.status, c1.order_id, c1.attempts, c1.updated_at, c1.message) == (
        OrderStatus.OPEN,
        "555",
        1,
        10,
        "",
    )
    assert all_[1].message == "insufficient margin" and all_[1].order_id == ""
    assert [e.client_id for e in await store.journal(unfinished_only=True)] == ["c1", "c3"]
    assert [e.client_id for e in await store.journal(batch_id="b2")] == ["c3"]
    await store.journal_update("c1", status=OrderStatus.FILLED, ts=12)  # None keeps order_id
    assert (await store.journal(batch_id="b1"))[0].order_id == "555"


async def test_journal_add_returns_only_after_commit(store):
    await store.journal_add([entry("durable-1")])
    # A separate connection (as after a crash) sees it at once: no flush needed.
    with sqlite3.connect(store.path) as other:
        rows = other.execute("SELECT client_id, status FROM order_journal").fetchall()
    assert rows == [("durable-1", "pending")]


async def test_snapshots_save_load_and_overwrite(store):
    assert await store.load_snapshot("paper") is None
    await store.save_snapshot("paper", {"balances": {"USDT": "1000.10"}, "seq": 1})
    with sqlite3.connect(store.path) as other:  # durable: visible to another connection
        assert other.execute("SELECT count(*) FROM snapshots").fetchone() == (1,)
    await store.save_snapshot("paper", {"balances": {}, "seq": 2})
    assert await store.load_snapshot("paper") == {"balances": {}, "seq": 2}
