"""Store revision, changes_since, data_version, read-only attach (also across processes)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import textwrap
from decimal import Decimal as D

import pytest
from store_builders import bal

from hedgetui.domain import (
    AccountInfo,
    Fill,
    Order,
    OrderStatus,
    OrderType,
    PollerHealth,
    Position,
    Side,
    Ticker,
)
from hedgetui.store import Store, StoreError


async def test_every_commit_bumps_the_revision(store):
    assert await store.rev() == 0
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    assert await store.flush() == 1
    await store.journal_add([])  # nothing to write: no transaction
    await store.save_snapshot("k", {})
    assert await store.rev() == 2
    store.put_tickers([Ticker("paper", "BTC/USDT", 2, 1.0)])
    assert await store.flush() == 3


async def test_changes_since_returns_only_rows_changed_after_rev(store):
    store.put_accounts([AccountInfo("main", "binance", False), AccountInfo("old", "okx", False)])
    store.put_balances("main", [bal("main", "USDT", "10"), bal("main", "BTC", "1")], ts=1)
    store.put_positions("main", [Position("main", "BTC/USDT:USDT", "long", D(1), D(100))], ts=1)
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0), Ticker("paper", "ETH/USDT", 1, 2.0)])
    store.put_orders(
        [
            Order(
                "main",
                "1",
                "c1",
                "BTC/USDT",
                Side.BUY,
                OrderType.LIMIT,
                D(1),
                OrderStatus.OPEN,
                price=D(5),
            )
        ]
    )
    store.put_fills([Fill("main", "t1", "1", "BTC/USDT", Side.BUY, D(5), D(1), D(0), "USDT", 1)])
    store.put_health([PollerHealth("k1", "paper", "tickers")])
    r1 = await store.flush()
    everything = await store.changes_since(0)
    assert everything.rev == r1
    assert (
        len(everything.accounts),
        len(everything.balances),
        len(everything.positions),
        len(everything.tickers),
        len(everything.orders),
        len(everything.fills),
        len(everything.health),
    ) == (2, 2, 1, 2, 1, 1, 1)
    assert (await store.changes_since(r1)).empty

    # Re-put identical balances/positions/accounts (a quiet poll): their rows do not change.
    store.put_accounts([AccountInfo("main", "binance", False)])  # "old" removed
    store.put_balances("main", [bal("main", "USDT", "10")], ts=2)  # BTC gone, USDT same
    store.put_positions("main", [Position("main", "BTC/USDT:USDT", "long", D(1), D(100))], ts=2)
    store.put_tickers([Ticker("paper", "ETH/USDT", 2, 2.5)])
    r2 = await store.flush()
    delta = await store.changes_since(r1)
    assert delta.rev == r2 > r1
    assert delta.accounts == [] and delta.removed_accounts == ["old"]
    assert delta.balances == [] and delta.removed_balances == [("main", "BTC")]
    assert delta.positions == [] and delta.removed_positions == []
    assert [t.symbol for t in delta.tickers] == ["ETH/USDT"]
    assert delta.orders == delta.fills == delta.health == []

    store.put_positions("main", [], ts=3)
    store.put_balances("main", [bal("main", "USDT", "11")], ts=3)
    r3 = await store.flush()
    delta = await store.changes_since(r2)
    assert delta.removed_positions == [("main", "BTC/USDT:USDT", "long")]
    assert [(b.asset, b.total) for b in delta.balances] == [("USDT", D("11"))]
    assert delta.rev == r3


async def test_data_version_moves_when_the_writer_commits(store):
    before = await store.data_version()
    assert await store.data_version() == before  # reading does not move it
    store.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    await store.flush()
    assert await store.data_version() != before


async def test_two_writers_on_one_file_get_distinct_increasing_revisions(tmp_path):
    path = tmp_path / "db"
    a = await Store.open(path)
    b = await Store.open(path)
    revs = []
    for i in range(10):
        a.put_tickers([Ticker("a", "X/Y", i, float(i))])
        b.put_tickers([Ticker("b", "X/Y", i, float(i))])
        revs += await asyncio.gather(a.flush(), b.flush())
    assert len(set(revs)) == 20 and max(revs) == 20
    await a.close()
    await b.close()


async def test_attached_store_reads_while_another_store_writes(tmp_path):
    path = tmp_path / "db"
    writer = await Store.open(path)
    reader = await Store.open(path, readonly=True)
    assert reader.readonly
    before = await reader.data_version()
    writer.put_tickers([Ticker("paper", "BTC/USDT", 1, 1.0)])
    rev = await writer.flush()
    assert await reader.data_version() != before
    assert await reader.rev() == rev
    assert [t.symbol for t in await reader.tickers()] == ["BTC/USDT"]
    assert [t.symbol for t in (await reader.changes_since(0)).tickers] == ["BTC/USDT"]
    with pytest.raises(StoreError, match="read-only"):
        reader.put_tickers([Ticker("paper", "ETH/USDT", 1, 1.0)])
    with pytest.raises(StoreError, match="read-only"):
        await reader.journal_add([])
    with pytest.raises(StoreError, match="read-only"):
        await reader.save_snapshot("x", {})
    assert await reader.flush() == rev  # nothing to flush: just the revision
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        await reader._reader.execute("DELETE FROM tickers")  # the connection itself can't
    await reader.close()
    await writer.close()


WRITER_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from hedgetui.domain import Ticker
    from hedgetui.store import Store

    async def main(path, n):
        store = await Store.open(path)
        for i in range(n):
            store.put_tickers([Ticker("proc", f"S{i}/USDT", i, float(i))])
            await store.flush()
            await asyncio.sleep(0.005)
        print(await store.rev(), flush=True)
        await store.close()

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
""")


async def test_attached_store_sees_another_process_writing(tmp_path):
    path = tmp_path / "db"
    await (await Store.open(path)).close()
    reader = await Store.open(path, readonly=True)
    before = await reader.data_version()
    env = dict(os.environ)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER_SCRIPT,
        str(path),
        "30",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    seen = set()
    while proc.returncode is None:  # read concurrently while the other process writes
        seen.add(len(await reader.tickers()))
        try:
            await asyncio.wait_for(proc.wait(), timeout=0.01)
        except TimeoutError:
            pass
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert await reader.data_version() != before
    assert len(await reader.tickers()) == 30
    assert await reader.rev() == int(out.decode().strip()) == 30
    assert seen <= set(range(31))
    await reader.close()
