"""Feature modules of the store package add tables through registered write kinds."""

import asyncio

from hedgetui.store import Store
from hedgetui.store.ops import register_kind
from hedgetui.store.templates import Templates


async def make_notes_table(store: Store) -> None:
    # a feature's table would come from its migration; here the test makes one
    await store._writer_conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text)")
    await store._writer_conn.commit()


async def test_registered_kind_writes_durably_and_reports_its_table(tmp_path):
    kind = register_kind("test_note", "notes", "INSERT INTO notes (id, text) VALUES (?, ?)")
    store = await Store.open(tmp_path / "x.db")
    try:
        await make_notes_table(store)
        seen = []
        store.subscribe(seen.append)
        await store._write_durable(kind, [(1, "a"), (2, "b")], frozenset({1, 2}))
        assert await store._fetch("SELECT id, text FROM notes ORDER BY id") == [(1, "a"), (2, "b")]
        assert seen[-1].tables == frozenset({"notes"})
        assert seen[-1].keys["notes"] == frozenset({1, 2})
        store._write(kind, [(3, "c")])
        await store.flush()
        assert len(await store._fetch("SELECT id FROM notes")) == 3
    finally:
        await store.close()


async def test_feature_reads_wait_for_a_feed_read_transaction_and_see_later_commits(tmp_path):
    """``_fetch`` (and every read) takes the reader lock: a read issued while a feed's
    multi-statement read transaction is open waits for it, so it sees a write committed
    meanwhile instead of the transaction's older snapshot."""
    kind = register_kind("test_note2", "notes", "INSERT INTO notes (id, text) VALUES (?, ?)")
    store = await Store.open(tmp_path / "x.db")
    try:
        await make_notes_table(store)
        templates = Templates(store)
        await templates.save("ladder", "buy 1 BTC/USDT @ 100", ts=1)  # reads back: no deadlock
        async with store._read_lock:  # what changes_since does: one read transaction
            await store._reader.execute("BEGIN")
            await store._reader.execute_fetchall("SELECT count(*) FROM notes")
            await store._write_durable(kind, [(1, "a")], frozenset({1}))
            reads = [
                asyncio.create_task(store._fetch("SELECT id FROM notes")),
                asyncio.create_task(templates.get("ladder")),
                asyncio.create_task(store.rev()),
            ]
            for _ in range(20):
                await asyncio.sleep(0)
            assert not any(t.done() for t in reads)  # held until the transaction ends
            await store._reader.execute("COMMIT")
        notes, template, rev = await asyncio.wait_for(asyncio.gather(*reads), 5)
        assert notes == [(1,)]
        assert template is not None and template.text == "buy 1 BTC/USDT @ 100"
        assert rev == await store.rev() and rev > 0
        # templates read through _fetch without taking the (non re-entrant) lock twice
        assert [t.name for t in await asyncio.wait_for(templates.list(), 5)] == ["ladder"]
    finally:
        await store.close()
