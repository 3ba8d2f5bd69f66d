"""Numbered SQL migrations tracked by ``PRAGMA user_version``.

Files are ``NNNN_name.sql`` in the ``hedgetui/store/migrations/`` package; migration N
brings the schema to version N. Each newer one runs in its own ``BEGIN IMMEDIATE``
transaction together with the ``user_version`` bump, so a failure leaves the database at
the previous version and two processes starting at once cannot both apply it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

from hedgetui.store.db import StoreError

_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path | None = None) -> list[Migration]:
    """The migrations in ``directory`` (default: the packaged ones), checked to be 1..N."""
    if directory is None:
        base = resources.files("hedgetui.store.migrations")
        entries = [(p.name, p) for p in base.iterdir()]
    else:
        entries = [(p.name, p) for p in Path(directory).iterdir()]
    found: list[Migration] = []
    for name, entry in entries:
        m = _NAME.match(name)
        if m:
            found.append(Migration(int(m.group(1)), name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise StoreError(
                f"migration {mig.name}: expected number {expected:04d} "
                "(migrations must be numbered 0001, 0002, ... without gaps)"
            )
    return found


def split_statements(sql: str) -> list[str]:
    """Split a script into statements (trigger bodies stay whole). Needed because
    ``executescript`` would COMMIT our transaction before running."""
    statements: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            stmt = current.strip()
            if stmt and not _only_comments(stmt):
                statements.append(stmt)
            current = ""
    if current.strip() and not _only_comments(current):
        raise StoreError(f"unterminated SQL statement (missing ';'): {current.strip()[:80]}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not ln.strip() or ln.strip().startswith("--") for ln in text.splitlines())


async def user_version(conn: aiosqlite.Connection) -> int:
    rows = await conn.execute_fetchall("PRAGMA user_version")
    return int(rows[0][0])


def check_version(path: Path, current: int, latest: int) -> None:
    if current > latest:
        raise StoreError(
            f"database {path} was written by a newer hedgetui (schema version {current}; this "
            f"hedgetui knows up to {latest}); upgrade hedgetui (pip install -U hedgetui) or "
            "choose another database path"
        )


async def migrate(conn: aiosqlite.Connection, path: Path, directory: Path | None = None) -> int:
    """Apply the migrations newer than the database; return the resulting version."""
    migrations = load_migrations(directory)
    latest = migrations[-1].version if migrations else 0
    current = await user_version(conn)
    check_version(path, current, latest)
    if current == 0:
        rows = await conn.execute_fetchall(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
        if rows[0][0]:
            raise StoreError(
                f"{path} is a SQLite database but not a hedgetui one; choose another database path"
            )
    for mig in migrations:
        if mig.version <= current:
            continue
        try:
            await conn.execute("BEGIN IMMEDIATE")
            # Re-read under the write lock: another process may have migrated meanwhile.
            now = await user_version(conn)
            if now >= mig.version:
                await conn.execute("COMMIT")
                current = now
                continue
            for stmt in split_statements(mig.sql):
                await conn.execute(stmt)
            await conn.execute(f"PRAGMA user_version = {mig.version:d}")
            await conn.execute("COMMIT")
        except (sqlite3.Error, StoreError) as exc:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise StoreError(
                f"database {path}: migration {mig.name} failed ({exc}); the database is "
                f"unchanged at schema version {current}"
            ) from None
        current = mig.version
    return current
