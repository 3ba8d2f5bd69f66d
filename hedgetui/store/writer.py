"""The one writer: drains the op queue into batched transactions.

Each batch is one ``BEGIN IMMEDIATE`` ... ``COMMIT``: the global revision is bumped first
(``UPDATE meta ... RETURNING``, so even two writer processes get distinct, increasing
revisions), then each group of consecutive same-kind ops runs as one ``executemany`` per
statement. After the commit, durable ops and flushes are resolved and subscribers are told
what changed.

Failures never lose data silently: an op that is wrong by itself (constraint, bad value)
makes the writer redo the batch one op at a time under savepoints, dropping only that op
(or, for ops of independent rows such as candles, only the bad rows) with a logged error,
and failing its awaiting caller; a database-level problem (locked, disk full) is retried
with backoff, and only after the retries are exhausted is the batch given up, loudly.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import aiosqlite

from hedgetui.domain import Changed
from hedgetui.store.db import StoreError
from hedgetui.store.ops import (
    APPLY,
    BUMP_REV,
    FLUSH,
    READ_REV,
    ROW_WISE,
    TABLE,
    Exec,
    Op,
    OpError,
    groups,
)

log = logging.getLogger(__name__)

# Errors caused by one op's own content: isolate and drop that op only.
OP_ERRORS = (
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
    OpError,
    OverflowError,
    TypeError,
    ValueError,
)
_STOP = object()


@dataclass(slots=True)
class WriterStats:
    """Counters for tests and benchmarks."""

    transactions: int = 0  # committed write transactions
    statements: int = 0  # executemany calls
    rows: int = 0  # rows sent through executemany (primary statements)
    ops: int = 0  # ops committed
    dropped: int = 0  # ops dropped as bad
    dropped_rows: int = 0  # single bad rows dropped from otherwise good ops
    isolated: int = 0  # batches redone op by op
    retries: int = 0  # database-level retries


class Writer:
    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        max_rows: int = 50_000,
        retries: int = 5,
        backoff_s: float = 0.2,
    ) -> None:
        self._conn = conn
        self._exec = Exec(conn)
        self._queue: asyncio.Queue = asyncio.Queue()
        self._subscribers: list[Callable[[Changed], None]] = []
        self._task: asyncio.Task | None = None
        self.max_rows = max_rows
        self.retries = retries
        self.backoff_s = backoff_s
        self.stats = WriterStats()
        self.rev = 0
        self.error: BaseException | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name="hedgetui-store-writer"
        )
        self._task.add_done_callback(self._on_exit)

    def _on_exit(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.error = task.exception()
            log.error(
                "store writer stopped: %r (%d writes still queued are NOT saved)",
                self.error,
                self._queue.qsize(),
            )

    async def stop(self) -> None:
        """Commit everything queued, then stop."""
        if self._task is None:
            return
        self._queue.put_nowait(_STOP)
        await asyncio.shield(self._task)
        self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def submit(self, op: Op) -> None:
        self._queue.put_nowait(op)

    def subscribe(self, callback: Callable[[Changed], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    # --- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            op = await self._queue.get()
            if op is _STOP:
                break
            batch = [op]
            rows = op.size
            # Take what is already queued (bounded): under load batches grow by themselves.
            while rows < self.max_rows and not self._queue.empty():
                op = self._queue.get_nowait()
                if op is _STOP:
                    stopping = True
                    break
                batch.append(op)
                rows += op.size
            try:
                await self._process(batch)
            except Exception as exc:  # a bug here must not kill the writer
                log.exception("store writer: unexpected failure writing %d ops", len(batch))
                self._fail(batch, StoreError(f"store write failed: {exc}"))

    async def _process(self, batch: list[Op]) -> None:
        writes = [op for op in batch if op.kind != FLUSH]
        if not writes:
            rows = await self._conn.execute_fetchall(READ_REV)
            self.rev = rows[0][0]
            self._resolve(batch, set(), self.rev)
            return
        durable = any(op.future is not None for op in writes)
        if durable:  # the order journal must survive power loss, not only a crash
            await self._conn.execute("PRAGMA synchronous=FULL")
        try:
            await self._commit_with_retries(batch, writes)
        finally:
            if durable:
                await self._conn.execute("PRAGMA synchronous=NORMAL")

    async def _commit_with_retries(self, batch: list[Op], writes: list[Op]) -> None:
        isolate = False
        attempt = 0
        while True:
            try:
                rev, dropped = await self._transaction(writes, isolate)
                break
            except OP_ERRORS as exc:
                await self._rollback()
                if isolate:  # cannot happen: isolation catches these per op
                    raise
                log.warning(
                    "store writer: batch of %d ops failed (%s); redoing op by op", len(writes), exc
                )
                self.stats.isolated += 1
                isolate = True
            except sqlite3.Error as exc:
                await self._rollback()
                attempt += 1
                if attempt > self.retries:
                    log.error(
                        "store writer: giving up on %d queued writes after %d attempts: "
                        "%s (these changes are NOT saved)",
                        len(writes),
                        attempt,
                        exc,
                    )
                    self._fail(batch, StoreError(f"could not write to the database: {exc}"))
                    return
                self.stats.retries += 1
                log.warning(
                    "store writer: database error (%s); retry %d/%d", exc, attempt, self.retries
                )
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
        self.rev = rev
        self.stats.transactions += 1
        self.stats.ops += len(writes) - len(dropped)
        self.stats.dropped += len(dropped)
        self._resolve(batch, dropped, rev)

    async def _transaction(self, writes: list[Op], isolate: bool) -> tuple[int, set[Op]]:
        conn, ex = self._conn, self._exec
        await conn.execute("BEGIN IMMEDIATE")
        rev = (await conn.execute_fetchall(BUMP_REV))[0][0]
        before = (ex.statements, ex.rows)
        dropped: set[Op] = set()
        try:
            if not isolate:
                for kind, ops in groups(writes):
                    await APPLY[kind](ex, ops)
            else:
                for op in writes:
                    if not await self._isolated(op):
                        dropped.add(op)
            await conn.execute("COMMIT")
        except BaseException:
            ex.statements, ex.rows = before
            raise
        self.stats.statements += ex.statements - before[0]
        self.stats.rows += ex.rows - before[1]
        return rev, dropped

    async def _isolated(self, op: Op) -> bool:
        """Apply one op under a savepoint; False if it is bad and was dropped. An op of
        independent rows (candles, tickers, orders, fills, health) is retried row by row
        so that one bad row does not cost its neighbours (slow, but only on this path)."""
        conn = self._conn
        await conn.execute("SAVEPOINT op")
        try:
            await APPLY[op.kind](self._exec, [op])
        except OP_ERRORS as exc:
            await conn.execute("ROLLBACK TO op")
            if op.kind not in ROW_WISE or len(op.rows) < 2:
                op.error = exc
                log.error(
                    "store writer: dropped a bad %s write (%d rows): %s", op.kind, len(op.rows), exc
                )
                await conn.execute("RELEASE op")
                return False
            bad = 0
            for row in op.rows:
                await conn.execute("SAVEPOINT row")
                try:
                    await APPLY[op.kind](self._exec, [Op(op.kind, [row])])
                except OP_ERRORS as row_exc:
                    await conn.execute("ROLLBACK TO row")
                    bad += 1
                    log.error("store writer: dropped a bad %s row %r: %s", op.kind, row, row_exc)
                await conn.execute("RELEASE row")
            self.stats.dropped_rows += bad
        await conn.execute("RELEASE op")
        return True

    async def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("store writer: rollback failed")

    # --- results --------------------------------------------------------------------------

    def _resolve(self, batch: list[Op], dropped: set[Op], rev: int) -> None:
        tables: set[str] = set()
        keys: dict[str, set] = {}
        for op in batch:
            fut = op.future
            if op in dropped:
                if fut is not None and not fut.done():
                    fut.set_exception(StoreError(f"{op.kind} not saved: {op.error}"))
                continue
            if op.kind == FLUSH:
                if fut is not None and not fut.done():
                    fut.set_result(rev)
                continue
            table = TABLE[op.kind]
            tables.add(table)
            if op.keys:
                keys.setdefault(table, set()).update(op.keys)
            if fut is not None and not fut.done():
                fut.set_result(None)
        if tables:
            self._publish(
                Changed(rev, frozenset(tables), {t: frozenset(k) for t, k in keys.items()})
            )

    def _publish(self, change: Changed) -> None:
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:
                log.exception("store subscriber %r failed on %r", callback, change)

    def _fail(self, batch: list[Op], exc: Exception) -> None:
        for op in batch:
            if op.future is not None and not op.future.done():
                op.future.set_exception(exc)
