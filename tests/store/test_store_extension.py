"""Feature modules of the store package add tables through registered write kinds."""

from hedgetui.store import Store
from hedgetui.store.ops import register_kind


async def test_registered_kind_writes_durably_and_reports_its_table(tmp_path):
    kind = register_kind("test_note", "notes", "INSERT INTO notes (id, text) VALUES (?, ?)")
    store = await Store.open(tmp_path / "x.db")
    try:
        # a feature's table would come from its migration; here the test makes one
        await store._writer_conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text)")
        await store._writer_conn.commit()
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
