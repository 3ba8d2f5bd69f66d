"""Connections: opening, pragmas, and turning SQLite failures into clear StoreErrors."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
# RETURNING (the revision bump) needs 3.35; json_each (set replacement) is built in since 3.38.
MIN_SQLITE = (3, 38, 0)


class StoreError(Exception):
    """A store problem the user can act on; the message names the path and the fix."""


def check_sqlite_version() -> None:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        need = ".".join(map(str, MIN_SQLITE))
        raise StoreError(
            f"hedgetui needs SQLite {need} or newer, this Python has {sqlite3.sqlite_version}; "
            "use a Python build with a newer SQLite (e.g. python.org or a recent distro)"
        )


def check_path(path: Path, *, readonly: bool) -> None:
    """Fail early with a message a user can act on (sqlite3 just says 'unable to open')."""
    if str(path) == ":memory:":
        raise StoreError(
            "an in-memory database cannot be shared by the writer and readers; pass a file path"
        )
    parent = path.parent
    if not parent.is_dir():
        raise StoreError(
            f"cannot open database {path}: directory {parent} does not exist; "
            "create it or choose another database path"
        )
    if path.exists() and not path.is_file():
        raise StoreError(f"cannot open database {path}: it is not a file; choose another path")
    if readonly:
        if not path.is_file():
            raise StoreError(
                f"no hedgetui database at {path} to attach to; start hedgetui once without "
                "--attach to create it, or pass the right database path"
            )
    elif not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StoreError(
            f"cannot write database {path}: permission denied; fix the permissions or "
            "choose another database path (or use --attach to open it read-only)"
        )


def explain(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return StoreError(
            f"{path} is not a SQLite database (is it another file?); move it away or choose "
            "another database path"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(
            f"cannot open database {path} for writing ({text}); check the file and directory "
            "permissions or choose another database path"
        )
    return StoreError(f"cannot use database {path}: {text}")


async def open_writer(path: Path) -> aiosqlite.Connection:
    """The single writing connection: WAL so readers never block it, NORMAL sync (durable
    against app crashes; the journal batches switch to FULL), autocommit so that every
    transaction is an explicit BEGIN IMMEDIATE."""
    conn = await _connect(path, str(path), uri=False)
    try:
        rows = await conn.execute_fetchall("PRAGMA journal_mode=WAL")
        mode = rows[0][0] if rows else "?"
        if str(mode).lower() != "wal":
            log.warning(
                "database %s: WAL not available (journal_mode=%s); readers may block writers",
                path,
                mode,
            )
        for pragma in (
            "PRAGMA synchronous=NORMAL",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
            "PRAGMA foreign_keys=ON",
            "PRAGMA temp_store=MEMORY",
        ):
            await conn.execute(pragma)
    except sqlite3.Error as exc:
        await conn.close()
        raise explain(path, exc) from None
    return conn


async def open_reader(path: Path, *, readonly: bool) -> aiosqlite.Connection:
    """A reading connection. ``readonly`` (attach mode) opens the file with mode=ro, so it
    cannot write even by mistake and works while another process owns the writer."""
    if readonly:
        target, uri = path.resolve().as_uri() + "?mode=ro", True
    else:
        target, uri = str(path), False
    conn = await _connect(path, target, uri=uri)
    try:
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA query_only=ON")
        await conn.execute_fetchall("SELECT count(*) FROM sqlite_master")  # surfaces 'not a db'
    except sqlite3.Error as exc:
        await conn.close()
        raise explain(path, exc) from None
    return conn


async def _connect(path: Path, target: str, *, uri: bool) -> aiosqlite.Connection:
    try:
        # isolation_level=None: no implicit BEGINs; transactions are explicit.
        return await aiosqlite.connect(target, uri=uri, isolation_level=None)
    except sqlite3.Error as exc:
        raise explain(path, exc) from None
