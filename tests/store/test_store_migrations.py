"""Schema migrations, open errors and paths."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from hedgetui.domain import AccountInfo, Balance, Candle
from hedgetui.store import Store, StoreError
from hedgetui.store.migrate import load_migrations, split_statements

TABLES = {
    "meta",
    "accounts",
    "balances",
    "balance_history",
    "positions",
    "orders",
    "fills",
    "tickers",
    "candles",
    "poller_health",
    "order_journal",
    "snapshots",
}


def packaged_dir(tmp_path: Path) -> Path:
    """A copy of the packaged migrations that a test can extend."""
    target = tmp_path / "migrations"
    target.mkdir()
    for entry in resources.files("hedgetui.store.migrations").iterdir():
        if entry.name.endswith(".sql"):
            (target / entry.name).write_text(entry.read_text(encoding="utf-8"))
    return target


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


async def test_fresh_database_gets_latest_schema_and_wal(tmp_path):
    path = tmp_path / "fresh.db"
    store = await Store.open(path)
    assert await store.rev() == 0
    await store.close()
    latest = load_migrations()[-1].version
    assert user_version(path) == latest >= 1
    assert TABLES <= tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # candles: composite primary key, no rowid
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'candles'").fetchone()[0]
    assert "WITHOUT ROWID" in sql


async def test_writer_connection_pragmas(store):
    conn = store._writer_conn
    await store.save_snapshot("k", {})  # durable writes use FULL for their own batch only
    assert (await conn.execute_fetchall("PRAGMA synchronous"))[0][0] == 1  # NORMAL
    assert (await conn.execute_fetchall("PRAGMA busy_timeout"))[0][0] >= 1000
    assert (await conn.execute_fetchall("PRAGMA foreign_keys"))[0][0] == 1


async def test_reopen_applies_nothing_and_keeps_data(tmp_path):
    path = tmp_path / "db.sqlite"
    store = await Store.open(path)
    store.put_candles("x", "A/B", "1m", [Candle(1, 1.0, 2.0, 0.5, 1.5, 3.0)])
    await store.close()
    store = await Store.open(path)
    assert await store.candles("x", "A/B", "1m") == [Candle(1, 1.0, 2.0, 0.5, 1.5, 3.0)]
    await store.close()


async def test_later_migration_applies_to_existing_database_and_data_survives(tmp_path):
    mig = packaged_dir(tmp_path)
    path = tmp_path / "db.sqlite"
    store = await Store.open(path, migrations=mig)
    store.put_accounts([AccountInfo("main", "binance", False, ("vip",))])
    store.put_balances(
        "main", [Balance("main", "USDT", Decimal("10.50"), Decimal(0), Decimal("10.50"))], ts=1
    )
    await store.close()
    v1 = user_version(path)

    (mig / f"{v1 + 1:04d}_alerts.sql").write_text(
        "-- a hypothetical later migration\n"
        "CREATE TABLE alerts (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, above REAL);\n"
        "ALTER TABLE accounts ADD COLUMN color TEXT NOT NULL DEFAULT 'default';\n"
        "CREATE TRIGGER alerts_symbol BEFORE INSERT ON alerts BEGIN\n"
        "  SELECT CASE WHEN NEW.symbol = '' THEN RAISE(ABORT, 'empty symbol') END;\n"
        "END;\n"
    )
    store = await Store.open(path, migrations=mig)
    assert await store.accounts() == [AccountInfo("main", "binance", False, ("vip",))]
    assert [b.total for b in await store.balances()] == [Decimal("10.50")]
    await store.close()
    assert user_version(path) == v1 + 1
    assert "alerts" in tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT color FROM accounts").fetchall() == [("default",)]


async def test_failed_migration_leaves_database_at_previous_version(tmp_path):
    mig = packaged_dir(tmp_path)
    path = tmp_path / "db.sqlite"
    store = await Store.open(path, migrations=mig)
    store.put_accounts([AccountInfo("main", "binance", False)])
    await store.close()
    v1 = user_version(path)
    (mig / f"{v1 + 1:04d}_broken.sql").write_text("CREATE TABLE half_done (x);\nTHIS IS NOT SQL;\n")
    with pytest.raises(StoreError, match=r"migration .*_broken\.sql failed"):
        await Store.open(path, migrations=mig)
    assert user_version(path) == v1
    assert "half_done" not in tables(path)  # rolled back with the failed migration
    store = await Store.open(path)  # the packaged migrations still open it
    assert [a.name for a in await store.accounts()] == ["main"]
    await store.close()


async def test_database_from_newer_hedgetui_is_refused(tmp_path):
    path = tmp_path / "db.sqlite"
    await (await Store.open(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    for readonly in (False, True):
        with pytest.raises(StoreError, match="newer hedgetui.*upgrade hedgetui") as err:
            await Store.open(path, readonly=readonly)
        assert str(path) in str(err.value)


def test_migration_numbering_must_have_no_gaps(tmp_path):
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (x);")
    (tmp_path / "0003_c.sql").write_text("CREATE TABLE c (x);")
    (tmp_path / "notes.txt").write_text("ignored")
    with pytest.raises(StoreError, match="expected number 0002"):
        load_migrations(tmp_path)


def test_split_statements_keeps_trigger_bodies_and_skips_comments():
    sql = (
        "-- header\nCREATE TABLE a (x); -- trailing\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 1;\n  SELECT 1;\nEND;\n"
        "-- the end\n"
    )
    parts = split_statements(sql)
    assert len(parts) == 2
    assert parts[1].startswith("CREATE TRIGGER") and parts[1].endswith("END;")


async def test_missing_directory_is_a_clear_error(tmp_path):
    path = tmp_path / "nope" / "db.sqlite"
    with pytest.raises(StoreError, match="does not exist; create it") as err:
        await Store.open(path)
    assert str(path.parent) in str(err.value)


async def test_file_that_is_not_sqlite_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my trading notes, not a database\n" * 100)
    for readonly in (False, True):
        with pytest.raises(StoreError, match="is not a SQLite database") as err:
            await Store.open(path, readonly=readonly)
        assert str(path) in str(err.value)
    assert path.read_bytes().startswith(b"these are my trading notes")  # untouched


async def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(StoreError, match="not a hedgetui one"):
        await Store.open(path)
    assert tables(path) == {"recipes"}


async def test_attach_to_missing_or_unmigrated_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no hedgetui database .* without --attach"):
        await Store.open(tmp_path / "missing.db", readonly=True)
    mig = packaged_dir(tmp_path)
    path = tmp_path / "old.db"
    await (await Store.open(path, migrations=mig)).close()
    v1 = user_version(path)
    (mig / f"{v1 + 1:04d}_more.sql").write_text("CREATE TABLE more (x);")
    with pytest.raises(StoreError, match=f"schema version {v1}.*without --attach"):
        await Store.open(path, readonly=True, migrations=mig)
    assert user_version(path) == v1  # attach never migrates


async def test_directory_as_path_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="not a file"):
        await Store.open(tmp_path)


def test_packaged_migrations_ship_as_package_data():
    names = [m.name for m in load_migrations()]
    assert names[0] == "0001_initial.sql"
