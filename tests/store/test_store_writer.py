"""The writer: batching, ordering, isolation of bad ops, retries, close, subscribers."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from decimal import Decimal as D

import pytest
from store_builders import entry

from hedgetui.domain import (
    Balance,
    Candle,
    Changed,
    PollerHealth,
    Ticker,
)
from hedgetui.store import Store, StoreError


def candles(n: int, start: int = 0) -> list[Candle]:
    return [Candle((start + i) * 60_000, 1.0, 2.0, 0.5, 1.5, float(i)) for i in range(n)]


async def test_many_small_puts_commit_in_one_transaction_with_one_executemany_per_group(store):
    for i in range(200):
        store.put_tickers([Ticker("paper", f"S{i}/USDT", i, float(i))])
    for i in range(100):
        store.put_candles("paper", "BTC/USDT", "1m", candles(10, start=i * 10))
    rev = await store.flush()
    stats = store.stats
    assert stats.transactions == 1 and rev == 1
    assert stats.statements == 2  # one executemany for 200 ticker puts, one for 100 candle puts
    assert stats.rows == 200 + 1000
    assert stats.ops == 300
    assert len(await store.tickers()) == 200
    assert len(await store.candles("paper", "BTC/USDT", "1m")) == 1000


async def test_interleaved_kinds_keep_their_order(store):
    # last write wins only if order is preserved across groups of different kinds
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    store.put_candles("paper", "BTC/USDT", "1m", candles(1))
    store.put_tickers([Ticker("paper", "BTC/USDT", 2, 2.0)])
    await store.flush()
    assert store.stats.statements == 3
    assert (await store.tickers())[0].last == 2.0


async def test_batches_are_bounded(tmp_path):
    store = await Store.open(tmp_path / "db", max_batch_rows=100)
    for i in range(10):
        store.put_candles("paper", "BTC/USDT", "1m", candles(50, start=i * 50))
    await store.flush()
    assert store.stats.transactions == 5  # 100 rows per transaction
    assert store.stats.rows == 500
    await store.close()


async def test_a_bad_op_is_dropped_alone_and_logged(store, caplog):
    caplog.set_level(logging.WARNING, logger="hedgetui.store")
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 100.0)])
    store.put_candles("paper", "BTC/USDT", "1m", candles(5))
    store.put_candles("paper", "ETH/USDT", "1m", [Candle(0, None, 1.0, 1.0, 1.0, 1.0)])  # bad
    store.put_candles("paper", "SOL/USDT", "1m", candles(3))
    store.put_health([PollerHealth("k", "paper", "tickers")])
    await store.flush()
    assert store.stats.dropped == 1 and store.stats.isolated == 1
    assert len(await store.candles("paper", "BTC/USDT", "1m")) == 5
    assert len(await store.candles("paper", "SOL/USDT", "1m")) == 3
    assert await store.candles("paper", "ETH/USDT", "1m") == []
    assert len(await store.tickers()) == 1 and len(await store.health()) == 1
    assert any("dropped a bad candles write" in r.getMessage() for r in caplog.records)
    # and the writer keeps going
    store.put_candles("paper", "ETH/USDT", "1m", candles(2))
    await store.flush()
    assert len(await store.candles("paper", "ETH/USDT", "1m")) == 2


async def test_one_bad_row_does_not_cost_its_neighbours(store, caplog):
    caplog.set_level(logging.ERROR, logger="hedgetui.store")
    rows = candles(5)
    rows[2] = Candle(rows[2].ts, 1.0, 2.0, 0.5, float("nan"), 1.0)  # NaN -> NULL -> NOT NULL
    store.put_candles("paper", "BTC/USDT", "1m", rows)
    await store.flush()
    got = await store.candles("paper", "BTC/USDT", "1m")
    assert [c.ts for c in got] == [rows[i].ts for i in (0, 1, 3, 4)]
    assert store.stats.dropped_rows == 1 and store.stats.dropped == 0
    assert any("dropped a bad candles row" in r.getMessage() for r in caplog.records)


async def test_duplicate_journal_entry_fails_its_caller_only(store):
    await store.journal_add([entry("c1")])
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    with pytest.raises(StoreError, match="not saved"):
        await store.journal_add([entry("c2"), entry("c1")])
    assert [e.client_id for e in await store.journal()] == ["c1"]  # nothing of that call
    assert len(await store.tickers()) == 1
    with pytest.raises(StoreError, match="no entry with client id 'ghost'"):
        await store.journal_update("ghost", status="open", ts=1)


async def test_bad_values_are_rejected_when_put(store):
    with pytest.raises(TypeError, match=r"Balance\(main, USDT\)\.free must be a Decimal"):
        store.put_balances("main", [Balance("main", "USDT", 1.5, D(0), D(0))], ts=1)
    with pytest.raises(ValueError, match="belongs to account 'sub'"):
        store.put_balances("main", [Balance("sub", "USDT", D(1), D(0), D(1))], ts=1)
    with pytest.raises(TypeError, match="cannot be saved as JSON"):
        await store.save_snapshot("paper", {"x": D("1")})
    assert store.pending == 0


async def test_close_commits_everything_queued(tmp_path):
    path = tmp_path / "db"
    store = await Store.open(path)
    for i in range(50):
        store.put_candles("paper", "BTC/USDT", "1m", candles(100, start=i * 100))
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    await store.close()  # no flush
    with pytest.raises(StoreError, match="closed"):
        store.put_tickers([Ticker("paper", "BTC/USDT", 2, 2.0)])
    store = await Store.open(path)
    assert len(await store.candles("paper", "BTC/USDT", "1m")) == 5000
    assert len(await store.tickers()) == 1
    await store.close()


async def test_subscribers_get_changed_with_keys_after_commit(store):
    seen: list[Changed] = []
    visible: list[int] = []

    def on_change(change: Changed) -> None:
        seen.append(change)

    def broken(change: Changed) -> None:
        raise RuntimeError("subscriber bug")

    store.subscribe(broken)  # must not stop the writer or other subscribers
    unsubscribe = store.subscribe(on_change)
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0), Ticker("okx", "ETH/USDT", 1, 2.0)])
    store.put_candles("paper", "BTC/USDT", "1m", candles(2))
    store.put_balances("main", [], ts=1)
    store.put_health([PollerHealth("market:paper:tickers", "paper", "tickers")])
    rev = await store.flush()
    visible.append(len(await store.tickers()))
    assert visible == [2]
    (change,) = seen
    assert change.rev == rev
    assert change.tables == {"tickers", "candles", "balances", "health"}
    assert change.keys["tickers"] == {("paper", "BTC/USDT"), ("okx", "ETH/USDT")}
    assert change.keys["candles"] == {("paper", "BTC/USDT", "1m")}
    assert change.keys["balances"] == {"main"}
    assert change.keys["health"] == {"market:paper:tickers"}
    unsubscribe()
    store.put_tickers([Ticker("paper", "BTC/USDT", 2, 1.0)])
    await store.flush()
    assert len(seen) == 1


async def test_flush_with_nothing_queued_returns_current_rev(store):
    assert await store.flush() == 0
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    assert await store.flush() == 1
    assert await store.flush() == 1
    assert store.stats.transactions == 1


async def test_database_locked_beyond_busy_timeout_is_retried_not_lost(store):
    await store._writer_conn.execute("PRAGMA busy_timeout=20")
    store._writer.backoff_s = 0.05
    locker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    release = threading.Timer(0.3, lambda: locker.execute("ROLLBACK"))
    release.start()
    try:
        store.put_candles("paper", "BTC/USDT", "1m", candles(10))
        await asyncio.wait_for(store.flush(), timeout=10)
    finally:
        release.join()
        locker.close()
    assert store.stats.retries >= 1
    assert len(await store.candles("paper", "BTC/USDT", "1m")) == 10


async def test_durable_writes_commit_with_full_sync_and_restore_normal(store):
    traced: list[str] = []
    await store._writer_conn.set_trace_callback(traced.append)
    await store.journal_add([entry("c1")])
    await store._writer_conn.set_trace_callback(None)
    traced = [t.strip() for t in traced]
    assert traced[0] == "PRAGMA synchronous=FULL"
    assert traced[-1] == "PRAGMA synchronous=NORMAL"
    assert "COMMIT" in traced[1:-1]
    assert (await store._writer_conn.execute_fetchall("PRAGMA synchronous"))[0][0] == 1
