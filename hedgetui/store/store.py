"""The Store facade: the runtime's only door to the database.

Writes (``put_*``) build their rows at once (bad input raises here, at the call site),
enqueue them and return; one writer task commits them in batches, in order, and notifies
subscribers with :class:`~hedgetui.domain.Changed`. ``journal_*`` and ``save_snapshot``
return only after their COMMIT. Reads use a separate connection, so they never wait for
the writer (WAL). ``Store.open(path, readonly=True)`` (``--attach``) opens only a read-only
connection: it never writes and works while another process owns the database.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import aiosqlite

from hedgetui.domain import (
    AccountInfo,
    Balance,
    Candle,
    Changed,
    Fill,
    JournalEntry,
    Order,
    OrderStatus,
    PollerHealth,
    Position,
    Ticker,
)
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.store import codec, ops, queries
from hedgetui.store.db import (
    StoreError,
    check_path,
    check_sqlite_version,
    explain,
    open_reader,
    open_writer,
)
from hedgetui.store.migrate import check_version, load_migrations, migrate, user_version
from hedgetui.store.ops import Op
from hedgetui.store.queries import ChangeSet
from hedgetui.store.writer import Writer, WriterStats


class Store:
    def __init__(
        self,
        path: Path,
        writer: Writer | None,
        writer_conn: aiosqlite.Connection | None,
        reader: aiosqlite.Connection,
        clock: Clock,
    ) -> None:
        self.path = path
        self.readonly = writer is None
        self._writer = writer
        self._writer_conn = writer_conn
        self._reader = reader
        self._read_lock = asyncio.Lock()
        self._clock = clock
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike,
        *,
        readonly: bool = False,
        migrations: str | os.PathLike | None = None,
        clock: Clock | None = None,
        max_batch_rows: int = 50_000,
    ) -> Store:
        """Open (creating and migrating unless ``readonly``) the database at ``path``.
        ``migrations`` overrides the migrations directory (tests)."""
        check_sqlite_version()
        p = Path(path).expanduser().absolute()
        check_path(p, readonly=readonly)
        mig_dir = Path(migrations) if migrations is not None else None
        clock = clock or SystemClock()
        if readonly:
            reader = await open_reader(p, readonly=True)
            try:
                await _check_attachable(reader, p, mig_dir)
            except BaseException:
                await reader.close()
                raise
            return cls(p, None, None, reader, clock)
        conn = await open_writer(p)
        reader = None
        try:
            await migrate(conn, p, mig_dir)
            reader = await open_reader(p, readonly=False)
            writer = Writer(conn, max_rows=max_batch_rows)
            writer.rev = await queries.rev(conn)
        except BaseException as exc:
            if reader is not None:
                await reader.close()
            await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise explain(p, exc) from None
            raise
        writer.start()
        return cls(p, writer, conn, reader, clock)

    async def close(self) -> None:
        """Commit everything enqueued, stop the writer, close the connections."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._writer is not None:
                await self._writer.stop()
        finally:
            if self._writer_conn is not None:
                await self._writer_conn.close()
            await self._reader.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # --- writer plumbing ------------------------------------------------------------------

    @property
    def stats(self) -> WriterStats:
        """Writer counters (transactions, executemany statements, rows, dropped ops)."""
        return self._writer.stats if self._writer is not None else WriterStats()

    @property
    def pending(self) -> int:
        """Ops queued and not yet taken by the writer."""
        return self._writer.pending if self._writer is not None else 0

    def subscribe(self, callback: Callable[[Changed], None]) -> Callable[[], None]:
        """Call ``callback(Changed)`` after each commit of this store's writer (not for other
        processes' writes: poll :meth:`data_version` for those). Returns unsubscribe."""
        if self._writer is None:
            return lambda: None
        return self._writer.subscribe(callback)

    def _submit(self, op: Op) -> None:
        self._writable().submit(op)

    def _writable(self) -> Writer:
        if self._writer is None:
            raise StoreError(
                f"database {self.path} is open read-only (attached); "
                "changes cannot be saved from this session"
            )
        if self._closed:
            raise StoreError(f"database {self.path} is closed; nothing more can be saved")
        if not self._writer.running:
            raise StoreError(
                f"the writer of database {self.path} has stopped "
                f"({self._writer.error or 'see the log'}); restart hedgetui"
            )
        return self._writer

    async def _durable(self, op: Op) -> None:
        op.future = asyncio.get_running_loop().create_future()
        self._submit(op)
        await op.future

    # --- writes ---------------------------------------------------------------------------

    def put_accounts(self, accounts: list[AccountInfo]) -> None:
        """The configured accounts: replaces the list (others become inactive, history kept)."""
        self._writable()
        rows = [codec.account_row(a) for a in accounts]
        names = [r[0] for r in rows]
        self._submit(Op(ops.ACCOUNTS, rows, frozenset(names), "", (json.dumps(names),)))

    def put_balances(self, account: str, balances: list[Balance], *, ts: int) -> None:
        """Replace the account's latest balances (assets not in ``balances`` leave the set)
        and append changed values to the history at ``ts``."""
        self._writable()
        rows = [codec.balance_row(b, account, ts) for b in balances]
        kept = json.dumps([r[1] for r in rows])
        self._submit(Op(ops.BALANCES, rows, frozenset((account,)), account, (account, kept, ts)))

    def put_positions(self, account: str, positions: list[Position], *, ts: int) -> None:
        """Replace the account's positions: one missing from ``positions`` is removed."""
        self._writable()
        rows = [codec.position_row(p, account, ts) for p in positions]
        kept = json.dumps([f"{r[1]}\x1f{r[2]}" for r in rows])
        self._submit(Op(ops.POSITIONS, rows, frozenset((account,)), account, (account, kept, ts)))

    def put_orders(self, orders: list[Order]) -> None:
        """Upsert by (account, client id, or exchange id without one); closed orders stay.
        A stale update (older ``updated_at``, or a final order turning live) is ignored."""
        self._writable()
        if orders:
            rows = [codec.order_row(o) for o in orders]
            self._submit(Op(ops.ORDERS, rows, frozenset(r[0] for r in rows)))

    def put_fills(self, fills: list[Fill]) -> None:
        """Insert; a fill already stored (same account and trade id) is ignored."""
        self._writable()
        if fills:
            rows = [codec.fill_row(f) for f in fills]
            self._submit(Op(ops.FILLS, rows, frozenset(r[0] for r in rows)))

    def put_tickers(self, tickers: list[Ticker]) -> None:
        self._writable()
        if tickers:
            rows = [codec.ticker_row(t) for t in tickers]
            self._submit(Op(ops.TICKERS, rows, frozenset((r[0], r[1]) for r in rows)))

    def put_candles(
        self, exchange: str, symbol: str, timeframe: str, candles: list[Candle]
    ) -> None:
        """Upsert by (exchange, symbol, timeframe, ts): the forming candle can be rewritten."""
        self._writable()
        if candles:  # the hot path: one comprehension, no per-row calls
            rows = [
                (exchange, symbol, timeframe, c.ts, c.open, c.high, c.low, c.close, c.volume)
                for c in candles
            ]
            self._submit(Op(ops.CANDLES, rows, frozenset(((exchange, symbol, timeframe),))))

    def put_health(self, records: list[PollerHealth]) -> None:
        self._writable()
        if records:
            rows = [codec.health_row(h) for h in records]
            self._submit(Op(ops.HEALTH, rows, frozenset(r[0] for r in rows)))

    async def flush(self) -> int:
        """Wait until everything enqueued so far is committed; return the store revision."""
        if self._writer is None:
            return await self.rev()
        op = Op(ops.FLUSH, future=asyncio.get_running_loop().create_future())
        self._submit(op)
        return await op.future

    # --- durable writes (return after COMMIT) ---------------------------------------------

    async def journal_add(self, entries: list[JournalEntry]) -> None:
        """Record orders before sending them. A client id already journaled is an error
        (StoreError) and nothing of this call is saved."""
        self._writable()
        if entries:
            rows = [codec.journal_row(e) for e in entries]
            await self._durable(Op(ops.JOURNAL_ADD, rows, frozenset(r[0] for r in rows)))

    async def journal_update(
        self,
        client_id: str,
        *,
        status: OrderStatus,
        order_id: str | None = None,
        message: str | None = None,
        attempts_inc: int = 0,
        ts: int,
    ) -> None:
        """Update one entry; ``None`` keeps ``order_id``/``message``. StoreError if unknown."""
        self._writable()
        row = (OrderStatus(status).value, order_id, message, int(attempts_inc), int(ts), client_id)
        await self._durable(Op(ops.JOURNAL_UPDATE, [row], frozenset((client_id,))))

    async def save_snapshot(self, key: str, data: dict) -> None:
        self._writable()
        try:
            text = json.dumps(data, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"snapshot {key!r} cannot be saved as JSON: {exc}; convert "
                "Decimals to strings and keep to dict/list/str/int/float"
            ) from None
        row = (key, text, self._clock.now_ms())
        await self._durable(Op(ops.SNAPSHOT, [row], frozenset((key,))))

    # --- for feature modules of this package (alerts, templates, drawings) -------------

    def _write(self, kind: str, rows: list[tuple], keys: frozenset = frozenset()) -> None:
        """Enqueue rows of a kind registered with :func:`ops.register_kind`."""
        self._writable()
        if rows:
            self._submit(Op(kind, rows, keys))

    async def _write_durable(
        self, kind: str, rows: list[tuple], keys: frozenset = frozenset()
    ) -> None:
        """Like :meth:`_write`, returning only after the COMMIT."""
        self._writable()
        if rows:
            await self._durable(Op(kind, rows, keys))

    async def _fetch(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        """Rows of a read-only query on the reader connection, under the reader lock."""
        async with self._read_lock, self._reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _read(self, query, *args, **kw):
        """``query(reader, *args, **kw)`` under the reader lock. Every read takes it: a
        feed's multi-statement read transaction (:meth:`changes_since`) on the same
        connection would otherwise hide from a read what was committed after it began (a
        write would not be seen by the read that follows it). The lock is not re-entrant:
        never call a read while holding it."""
        async with self._read_lock:
            return await query(self._reader, *args, **kw)

    # --- reads ----------------------------------------------------------------------------

    async def load_snapshot(self, key: str) -> dict | None:
        return await self._read(queries.load_snapshot, key)

    async def journal(
        self, *, unfinished_only: bool = False, batch_id: str | None = None
    ) -> list[JournalEntry]:
        """In creation order; ``unfinished_only``: pending, open or unknown."""
        return await self._read(queries.journal, unfinished_only=unfinished_only, batch_id=batch_id)

    async def accounts(self) -> list[AccountInfo]:
        return await self._read(queries.accounts)

    async def balances(self, account: str | None = None) -> list[Balance]:
        return await self._read(queries.balances, account)

    async def balance_history(self, account: str, since: int | None = None) -> list[Balance]:
        """Oldest first; each Balance's ``timestamp`` is its snapshot time (``ts``). Only
        changes are kept: an unchanged poll adds no row, a vanished asset adds a zero row."""
        return await self._read(queries.balance_history, account, since)

    async def positions(self, account: str | None = None) -> list[Position]:
        return await self._read(queries.positions, account)

    async def orders(
        self, *, open_only: bool = False, account: str | None = None, limit: int | None = None
    ) -> list[Order]:
        """Newest first (by created_at). ``open_only``: pending, open or unknown."""
        return await self._read(queries.orders, open_only=open_only, account=account, limit=limit)

    async def fills(
        self, *, account: str | None = None, since: int | None = None, limit: int | None = None
    ) -> list[Fill]:
        """Newest first (by timestamp), always; ``since`` inclusive."""
        return await self._read(queries.fills, account=account, since=since, limit=limit)

    async def tickers(self, exchange: str | None = None) -> list[Ticker]:
        return await self._read(queries.tickers, exchange)

    async def candles(
        self,
        exchange: str,
        symbol: str,
        timeframe: str,
        *,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """Oldest first; ``since``/``until`` inclusive; with ``limit`` and no ``since``:
        the latest ``limit`` candles."""
        return await self._read(queries.candles, exchange, symbol, timeframe, since, until, limit)

    async def candle_rows(
        self,
        exchange: str,
        symbol: str,
        timeframe: str,
        *,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[tuple]:
        """Like :meth:`candles` but plain ``(ts, open, high, low, close, volume)`` tuples:
        no object per row, ready for ``polars.DataFrame(rows, orient="row")``."""
        return await self._read(
            queries.candle_rows, exchange, symbol, timeframe, since, until, limit
        )

    async def last_candle_ts(self, exchange: str, symbol: str, timeframe: str) -> int | None:
        return await self._read(queries.last_candle_ts, exchange, symbol, timeframe)

    async def health(self) -> list[PollerHealth]:
        return await self._read(queries.health)

    async def rev(self) -> int:
        """The revision of the last committed write (by any process)."""
        return await self._read(queries.rev)

    async def changes_since(self, rev: int) -> ChangeSet:
        """Rows changed after ``rev`` (one consistent read); pass ``.rev`` next time."""
        return await self._read(queries.changes_since, rev)

    async def data_version(self) -> int:
        """Changes whenever another connection (writer, other process) commits: a cheap
        poll for attached sessions before calling :meth:`changes_since`."""
        return await self._read(queries.data_version)


async def _check_attachable(reader: aiosqlite.Connection, path: Path, mig_dir: Path | None) -> None:
    migrations = load_migrations(mig_dir)
    latest = migrations[-1].version if migrations else 0
    try:
        current = await user_version(reader)
    except sqlite3.Error as exc:
        raise explain(path, exc) from None
    check_version(path, current, latest)
    if current < latest:
        what = "not a hedgetui database" if current == 0 else f"at schema version {current}"
        raise StoreError(
            f"database {path} is {what}; this hedgetui needs version {latest}: start "
            "hedgetui on it once without --attach to create or upgrade it"
        )
