"""Write operations: what ``Store.put_*`` enqueues and the SQL the writer runs for a group
of consecutive operations of one kind (one ``executemany`` per statement, never per row).

Row tuples are built at ``put_*`` time (errors surface at the call site); the row revision
comes from the ``meta`` row the writer bumped at the start of the transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

# The revision of the current write transaction (bumped first thing after BEGIN IMMEDIATE).
REV = "(SELECT value FROM meta WHERE key = 'rev')"
BUMP_REV = "UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value"
READ_REV = "SELECT value FROM meta WHERE key = 'rev'"

# Op kinds; TABLE maps each to the name reported in ``Changed.tables``.
ACCOUNTS, BALANCES, POSITIONS, ORDERS, FILLS = (
    "accounts",
    "balances",
    "positions",
    "orders",
    "fills",
)
TICKERS, CANDLES, HEALTH, SNAPSHOT = "tickers", "candles", "health", "snapshot"
JOURNAL_ADD, JOURNAL_UPDATE, FLUSH = "journal_add", "journal_update", "flush"
TABLE = {
    ACCOUNTS: "accounts",
    BALANCES: "balances",
    POSITIONS: "positions",
    ORDERS: "orders",
    FILLS: "fills",
    TICKERS: "tickers",
    CANDLES: "candles",
    HEALTH: "health",
    SNAPSHOT: "snapshots",
    JOURNAL_ADD: "journal",
    JOURNAL_UPDATE: "journal",
}
# Kinds that replace an account's whole set: one op per account per group.
REPLACING = frozenset({ACCOUNTS, BALANCES, POSITIONS})
# Kinds whose rows stand alone: a bad row can be dropped without its neighbours.
ROW_WISE = {ORDERS, FILLS, TICKERS, CANDLES, HEALTH}  # feature modules may add kinds


@dataclass(slots=True, eq=False)
class Op:
    kind: str
    rows: list[tuple] = field(default_factory=list)
    keys: frozenset = frozenset()  # for Changed.keys
    group_key: Any = None  # replacing kinds: the account (or "" for the account list)
    extra: tuple = ()  # replacing kinds: (account, json of the kept keys, ts) / (json,)
    future: asyncio.Future | None = None  # durable ops and flushes: resolved after COMMIT
    error: BaseException | None = None  # why the writer dropped it

    @property
    def size(self) -> int:
        return len(self.rows) or 1


class OpError(Exception):
    """An operation that is wrong by itself (not the database): drop it, keep the rest."""


class Exec:
    """Runs statements for the writer and counts them (introspection for tests/benchmarks)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.statements = 0
        self.rows = 0

    async def many(self, sql: str, params: Iterable, count: int = 0):
        self.statements += 1
        self.rows += count
        return await self.conn.executemany(sql, params)


def _rows(ops: list[Op]) -> Iterable[tuple]:
    return ops[0].rows if len(ops) == 1 else chain.from_iterable(op.rows for op in ops)


def _count(ops: list[Op]) -> int:
    return sum(len(op.rows) for op in ops)


# --- accounts: the configured list replaces the previous one ------------------------------

UPSERT_ACCOUNT = f"""
INSERT INTO accounts (name, exchange, is_paper, tags, read_only, active, rev)
VALUES (?, ?, ?, ?, ?, 1, {REV})
ON CONFLICT (name) DO UPDATE SET exchange = excluded.exchange, is_paper = excluded.is_paper,
    tags = excluded.tags, read_only = excluded.read_only, active = 1, rev = excluded.rev
WHERE (accounts.exchange, accounts.is_paper, accounts.tags, accounts.read_only, accounts.active)
    IS NOT (excluded.exchange, excluded.is_paper, excluded.tags, excluded.read_only, 1)
"""
DEACTIVATE_ACCOUNTS = f"""
UPDATE accounts SET active = 0, rev = {REV}
WHERE active = 1 AND name NOT IN (SELECT value FROM json_each(?))
"""

# --- balances -------------------------------------------------------------------------------

# A vanished asset gets a zero history row (before the latest set is replaced).
BALANCE_VANISHED_HISTORY = """
INSERT INTO balance_history (account, asset, ts, free, used, total)
SELECT account, asset, ?3, '0', '0', '0' FROM balances
WHERE account = ?1 AND active = 1 AND asset NOT IN (SELECT value FROM json_each(?2))
"""
# History only when the value differs from the stored latest one.
BALANCE_HISTORY = """
INSERT INTO balance_history (account, asset, ts, free, used, total)
SELECT ?1, ?2, ?7, ?3, ?4, ?5 WHERE NOT EXISTS (
    SELECT 1 FROM balances WHERE account = ?1 AND asset = ?2 AND active = 1
        AND free = ?3 AND used = ?4 AND total = ?5)
"""
DEACTIVATE_BALANCES = f"""
UPDATE balances SET active = 0, rev = {REV}
WHERE account = ?1 AND active = 1 AND asset NOT IN (SELECT value FROM json_each(?2))
"""
UPSERT_BALANCE = f"""
INSERT INTO balances (account, asset, free, used, total, timestamp, ts, active, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, 1, {REV})
ON CONFLICT (account, asset) DO UPDATE SET free = excluded.free, used = excluded.used,
    total = excluded.total, timestamp = excluded.timestamp, ts = excluded.ts, active = 1,
    rev = excluded.rev
WHERE (balances.free, balances.used, balances.total, balances.timestamp, balances.active)
    IS NOT (excluded.free, excluded.used, excluded.total, excluded.timestamp, 1)
"""

# --- positions ------------------------------------------------------------------------------

DEACTIVATE_POSITIONS = f"""
UPDATE positions SET active = 0, rev = {REV}
WHERE account = ?1 AND active = 1 AND (symbol || char(31) || side) NOT IN
    (SELECT value FROM json_each(?2))
"""
_POSITION_VALUES = (
    "contracts",
    "entry_price",
    "mark_price",
    "unrealized_pnl",
    "realized_pnl",
    "leverage",
    "liquidation_price",
    "margin",
    "timestamp",
)
UPSERT_POSITION = f"""
INSERT INTO positions (account, symbol, side, {", ".join(_POSITION_VALUES)}, ts, active, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, {REV})
ON CONFLICT (account, symbol, side) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _POSITION_VALUES)}, ts = excluded.ts,
    active = 1, rev = excluded.rev
WHERE ({", ".join(f"positions.{c}" for c in _POSITION_VALUES)}, positions.active)
    IS NOT ({", ".join(f"excluded.{c}" for c in _POSITION_VALUES)}, 1)
"""

# --- orders: upsert by (account, client id or exchange id) ----------------------------------

_ORDER_MUTABLE = (
    "id",
    "client_id",
    "symbol",
    "side",
    "type",
    "amount",
    "status",
    "price",
    "stop_price",
    "filled",
    "average",
    "fee",
    "fee_currency",
    "time_in_force",
    "reduce_only",
    "created_at",
    "updated_at",
    "message",
)
_FINAL = "('filled', 'canceled', 'expired', 'rejected')"
# A stale poll never rolls an order back: older updated_at, or a final status becoming live.
UPSERT_ORDER = f"""
INSERT INTO orders (account, key, {", ".join(_ORDER_MUTABLE)}, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {REV})
ON CONFLICT (account, key) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _ORDER_MUTABLE)}, rev = excluded.rev
WHERE excluded.updated_at >= orders.updated_at
    AND NOT (orders.status IN {_FINAL} AND excluded.status NOT IN {_FINAL})
    AND ({", ".join(f"orders.{c}" for c in _ORDER_MUTABLE)})
        IS NOT ({", ".join(f"excluded.{c}" for c in _ORDER_MUTABLE)})
"""

INSERT_FILL = f"""
INSERT INTO fills (account, id, order_id, symbol, side, price, amount, fee, fee_currency,
    timestamp, taker, client_id, realized_pnl, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {REV})
ON CONFLICT (account, id) DO NOTHING
"""

UPSERT_TICKER = f"""
INSERT INTO tickers (exchange, symbol, timestamp, last, bid, ask, high, low, open, base_volume,
    quote_volume, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {REV})
ON CONFLICT (exchange, symbol) DO UPDATE SET timestamp = excluded.timestamp,
    last = excluded.last, bid = excluded.bid, ask = excluded.ask, high = excluded.high,
    low = excluded.low, open = excluded.open, base_volume = excluded.base_volume,
    quote_volume = excluded.quote_volume, rev = excluded.rev
"""

UPSERT_CANDLE = """
INSERT INTO candles (exchange, symbol, timeframe, ts, open, high, low, close, volume)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (exchange, symbol, timeframe, ts) DO UPDATE SET open = excluded.open,
    high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume
"""

_HEALTH = (
    "exchange",
    "feed",
    "account",
    "state",
    "last_attempt",
    "last_success",
    "latency_ms",
    "consecutive_errors",
    "error_count",
    "last_error",
    "backoff_s",
)
UPSERT_HEALTH = f"""
INSERT INTO poller_health (key, {", ".join(_HEALTH)}, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {REV})
ON CONFLICT (key) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in _HEALTH)},
    rev = excluded.rev
"""

INSERT_JOURNAL = f"""
INSERT INTO order_journal (client_id, batch_id, account, symbol, side, type, amount, price,
    stop_price, time_in_force, reduce_only, request_client_id, status, order_id, message,
    created_at, updated_at, attempts, rev)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {REV})
"""
UPDATE_JOURNAL = f"""
UPDATE order_journal SET status = ?1, order_id = coalesce(?2, order_id),
    message = coalesce(?3, message), attempts = attempts + ?4, updated_at = ?5, rev = {REV}
WHERE client_id = ?6
"""

UPSERT_SNAPSHOT = f"""
INSERT INTO snapshots (key, data, updated_at, rev) VALUES (?, ?, ?, {REV})
ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at,
    rev = excluded.rev
"""


# --- group appliers -------------------------------------------------------------------------


async def _simple(sql: str, ex: Exec, ops: list[Op]) -> None:
    await ex.many(sql, _rows(ops), _count(ops))


async def _accounts(ex: Exec, ops: list[Op]) -> None:
    await ex.many(DEACTIVATE_ACCOUNTS, [op.extra for op in ops], 0)
    await ex.many(UPSERT_ACCOUNT, _rows(ops), _count(ops))


async def _balances(ex: Exec, ops: list[Op]) -> None:
    sets = [op.extra for op in ops]  # (account, kept assets json, ts); accounts distinct
    await ex.many(BALANCE_VANISHED_HISTORY, sets, 0)
    await ex.many(BALANCE_HISTORY, _rows(ops), 0)
    await ex.many(DEACTIVATE_BALANCES, [s[:2] for s in sets], 0)
    await ex.many(UPSERT_BALANCE, _rows(ops), _count(ops))


async def _positions(ex: Exec, ops: list[Op]) -> None:
    await ex.many(DEACTIVATE_POSITIONS, [op.extra[:2] for op in ops], 0)
    await ex.many(UPSERT_POSITION, _rows(ops), _count(ops))


async def _journal_update(ex: Exec, ops: list[Op]) -> None:
    cursor = await ex.many(UPDATE_JOURNAL, _rows(ops), _count(ops))
    if cursor.rowcount != len(ops):
        missing = ops[0].rows[0][5] if len(ops) == 1 else f"{len(ops)} updates"
        raise OpError(f"order journal: no entry with client id {missing!r} to update")


def _bind(sql: str) -> Callable[[Exec, list[Op]], Awaitable[None]]:
    async def apply(ex: Exec, ops: list[Op]) -> None:
        await _simple(sql, ex, ops)

    return apply


APPLY: dict[str, Callable[[Exec, list[Op]], Awaitable[None]]] = {
    ACCOUNTS: _accounts,
    BALANCES: _balances,
    POSITIONS: _positions,
    ORDERS: _bind(UPSERT_ORDER),
    FILLS: _bind(INSERT_FILL),
    TICKERS: _bind(UPSERT_TICKER),
    CANDLES: _bind(UPSERT_CANDLE),
    HEALTH: _bind(UPSERT_HEALTH),
    JOURNAL_ADD: _bind(INSERT_JOURNAL),
    JOURNAL_UPDATE: _journal_update,
    SNAPSHOT: _bind(UPSERT_SNAPSHOT),
}


def register_kind(kind: str, table: str, sql: str, *, row_wise: bool = True) -> str:
    """Let a feature module of this package (alerts, templates, drawings) add a write kind:
    rows of ``kind`` run through ``sql`` with one ``executemany`` per group, and commits
    report ``table`` in ``Changed``. Returns ``kind``."""
    if kind in APPLY and TABLE.get(kind) != table:
        raise ValueError(f"store op kind {kind!r} is already registered for {TABLE[kind]!r}")
    APPLY[kind] = _bind(sql)
    TABLE[kind] = table
    if row_wise:
        ROW_WISE.add(kind)
    return kind


def groups(ops: list[Op]) -> list[tuple[str, list[Op]]]:
    """Consecutive ops of one kind, in order. A replacing kind starts a new group when the
    same account comes again, so "the set minus what this snapshot kept" stays exact."""
    out: list[tuple[str, list[Op]]] = []
    seen: set = set()
    for op in ops:
        if op.kind == FLUSH:
            continue
        if out and out[-1][0] == op.kind and not (op.kind in REPLACING and op.group_key in seen):
            out[-1][1].append(op)
        else:
            out.append((op.kind, [op]))
            seen = set()
        if op.kind in REPLACING:
            seen.add(op.group_key)
    return out
