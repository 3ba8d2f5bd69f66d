"""Reads, on a reader connection (never the writer's). Ordering rules are part of the API:

* accounts, balances, positions, tickers, health: sorted by their keys;
* orders and fills: newest first (``created_at`` / ``timestamp`` descending), with or
  without ``limit``;
* candles and balance history: oldest first;
* journal: in creation order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import starmap

import aiosqlite

from hedgetui.domain import (
    AccountInfo,
    Balance,
    Candle,
    Fill,
    JournalEntry,
    Order,
    PollerHealth,
    Position,
    Ticker,
)
from hedgetui.store import codec

_LIVE = "status IN ('pending', 'open', 'unknown')"  # matches the partial indexes
ACCOUNT_COLS = "name, exchange, is_paper, tags, read_only"
BALANCE_COLS = "account, asset, free, used, total, timestamp"
POSITION_COLS = (
    "account, symbol, side, contracts, entry_price, mark_price, unrealized_pnl, "
    "realized_pnl, leverage, liquidation_price, margin, timestamp"
)
FILL_COLS = (
    "account, id, order_id, symbol, side, price, amount, fee, fee_currency, timestamp, "
    "taker, client_id, realized_pnl"
)
TICKER_COLS = (
    "exchange, symbol, timestamp, last, bid, ask, high, low, open, base_volume, quote_volume"
)
HEALTH_COLS = (
    "key, exchange, feed, account, state, last_attempt, last_success, latency_ms, "
    "consecutive_errors, error_count, last_error, backoff_s"
)


@dataclass(slots=True)
class ChangeSet:
    """Rows changed after a given revision, read in one consistent snapshot.

    ``removed_*`` list the keys that left the latest set (an account no longer configured,
    an asset or position missing from the newest snapshot of its account)."""

    rev: int
    accounts: list[AccountInfo] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    tickers: list[Ticker] = field(default_factory=list)
    health: list[PollerHealth] = field(default_factory=list)
    removed_accounts: list[str] = field(default_factory=list)
    removed_balances: list[tuple[str, str]] = field(default_factory=list)  # (account, asset)
    removed_positions: list[tuple[str, str, str]] = field(default_factory=list)  # +side

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.accounts,
                self.balances,
                self.positions,
                self.orders,
                self.fills,
                self.tickers,
                self.health,
                self.removed_accounts,
                self.removed_balances,
                self.removed_positions,
            )
        )


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


async def rev(conn: aiosqlite.Connection) -> int:
    rows = await conn.execute_fetchall("SELECT value FROM meta WHERE key = 'rev'")
    return int(rows[0][0])


async def data_version(conn: aiosqlite.Connection) -> int:
    rows = await conn.execute_fetchall("PRAGMA data_version")
    return int(rows[0][0])


async def accounts(conn: aiosqlite.Connection) -> list[AccountInfo]:
    rows = await conn.execute_fetchall(
        f"SELECT {ACCOUNT_COLS} FROM accounts WHERE active = 1 ORDER BY name"
    )
    return [codec.account_from(r) for r in rows]


async def _active(
    conn: aiosqlite.Connection, cols: str, table: str, account: str | None, order: str
) -> Iterable[tuple]:
    """The live rows of a per-account snapshot table (balances, positions)."""
    cond, args = ["active = 1"], []
    if account is not None:
        cond.append("account = ?")
        args.append(account)
    sql = f"SELECT {cols} FROM {table}{_where(cond)} ORDER BY {order}"
    return await conn.execute_fetchall(sql, args)


async def balances(conn: aiosqlite.Connection, account: str | None) -> list[Balance]:
    rows = await _active(conn, BALANCE_COLS, "balances", account, "account, asset")
    return [codec.balance_from(r) for r in rows]


async def balance_history(
    conn: aiosqlite.Connection, account: str, since: int | None
) -> list[Balance]:
    """History rows as Balances whose ``timestamp`` is the snapshot time, oldest first."""
    cond, args = ["account = ?"], [account]
    if since is not None:
        cond.append("ts >= ?")
        args.append(since)
    rows = await conn.execute_fetchall(
        "SELECT account, asset, free, used, total, ts FROM balance_history"
        f"{_where(cond)} ORDER BY ts, rowid",
        args,
    )
    return [codec.balance_from(r) for r in rows]


async def positions(conn: aiosqlite.Connection, account: str | None) -> list[Position]:
    rows = await _active(conn, POSITION_COLS, "positions", account, "account, symbol, side")
    return [codec.position_from(r) for r in rows]


async def orders(
    conn: aiosqlite.Connection, *, open_only: bool, account: str | None, limit: int | None
) -> list[Order]:
    """Newest first. ``open_only``: orders still live (pending, open or unknown)."""
    cond, args = [], []
    if open_only:
        cond.append(_LIVE)
    if account is not None:
        cond.append("account = ?")
        args.append(account)
    sql = (
        f"SELECT {codec.ORDER_COLUMNS} FROM orders{_where(cond)} "
        "ORDER BY created_at DESC, rowid DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    return [codec.order_from(r) for r in await conn.execute_fetchall(sql, args)]


async def fills(
    conn: aiosqlite.Connection, *, account: str | None, since: int | None, limit: int | None
) -> list[Fill]:
    """Newest first; ``since`` is inclusive (timestamp >= since)."""
    cond, args = [], []
    if account is not None:
        cond.append("account = ?")
        args.append(account)
    if since is not None:
        cond.append("timestamp >= ?")
        args.append(since)
    sql = f"SELECT {FILL_COLS} FROM fills{_where(cond)} ORDER BY timestamp DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    return [codec.fill_from(r) for r in await conn.execute_fetchall(sql, args)]


async def tickers(conn: aiosqlite.Connection, exchange: str | None) -> list[Ticker]:
    cond, args = [], []
    if exchange is not None:
        cond.append("exchange = ?")
        args.append(exchange)
    rows = await conn.execute_fetchall(
        f"SELECT {TICKER_COLS} FROM tickers{_where(cond)} ORDER BY exchange, symbol", args
    )
    return list(starmap(Ticker, rows))


async def candle_rows(
    conn: aiosqlite.Connection,
    exchange: str,
    symbol: str,
    timeframe: str,
    since: int | None,
    until: int | None,
    limit: int | None,
) -> list[tuple[int, float, float, float, float, float]]:
    """(ts, open, high, low, close, volume) oldest first; ``since``/``until`` inclusive.
    With ``limit`` and no ``since``: the latest ``limit`` candles (up to ``until``)."""
    cond = ["exchange = ?", "symbol = ?", "timeframe = ?"]
    args: list = [exchange, symbol, timeframe]
    if since is not None:
        cond.append("ts >= ?")
        args.append(since)
    if until is not None:
        cond.append("ts <= ?")
        args.append(until)
    sql = f"SELECT ts, open, high, low, close, volume FROM candles{_where(cond)}"
    latest = limit is not None and since is None
    sql += " ORDER BY ts DESC" if latest else " ORDER BY ts"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    rows = await conn.execute_fetchall(sql, args)
    if latest:
        rows = list(rows)
        rows.reverse()
    return rows


async def candles(
    conn: aiosqlite.Connection,
    exchange: str,
    symbol: str,
    timeframe: str,
    since: int | None,
    until: int | None,
    limit: int | None,
) -> list[Candle]:
    rows = await candle_rows(conn, exchange, symbol, timeframe, since, until, limit)
    return list(starmap(Candle, rows))


async def last_candle_ts(
    conn: aiosqlite.Connection, exchange: str, symbol: str, timeframe: str
) -> int | None:
    rows = await conn.execute_fetchall(
        "SELECT max(ts) FROM candles WHERE exchange = ? AND symbol = ? AND timeframe = ?",
        (exchange, symbol, timeframe),
    )
    return rows[0][0]


async def health(conn: aiosqlite.Connection) -> list[PollerHealth]:
    rows = await conn.execute_fetchall(f"SELECT {HEALTH_COLS} FROM poller_health ORDER BY key")
    return [codec.health_from(r) for r in rows]


async def journal(
    conn: aiosqlite.Connection, *, unfinished_only: bool, batch_id: str | None
) -> list[JournalEntry]:
    """In creation order. ``unfinished_only``: status pending, open or unknown."""
    cond, args = [], []
    if unfinished_only:
        cond.append(_LIVE)
    if batch_id is not None:
        cond.append("batch_id = ?")
        args.append(batch_id)
    rows = await conn.execute_fetchall(
        f"SELECT {codec.JOURNAL_COLUMNS} FROM order_journal{_where(cond)} "
        "ORDER BY created_at, rowid",
        args,
    )
    return [codec.journal_from(r) for r in rows]


async def load_snapshot(conn: aiosqlite.Connection, key: str) -> dict | None:
    rows = await conn.execute_fetchall("SELECT data FROM snapshots WHERE key = ?", (key,))
    return json.loads(rows[0][0]) if rows else None


async def changes_since(conn: aiosqlite.Connection, since: int) -> ChangeSet:
    """Caller holds the reader lock: this runs several SELECTs in one read transaction."""
    await conn.execute("BEGIN")
    try:
        out = ChangeSet(await rev(conn))
        args = (since,)
        q = conn.execute_fetchall
        for r in await q(f"SELECT {ACCOUNT_COLS}, active FROM accounts WHERE rev > ?", args):
            if r[5]:
                out.accounts.append(codec.account_from(r))
            else:
                out.removed_accounts.append(r[0])
        for r in await q(f"SELECT {BALANCE_COLS}, active FROM balances WHERE rev > ?", args):
            if r[6]:
                out.balances.append(codec.balance_from(r))
            else:
                out.removed_balances.append((r[0], r[1]))
        for r in await q(f"SELECT {POSITION_COLS}, active FROM positions WHERE rev > ?", args):
            if r[12]:
                out.positions.append(codec.position_from(r))
            else:
                out.removed_positions.append((r[0], r[1], r[2]))
        out.orders = [
            codec.order_from(r)
            for r in await q(f"SELECT {codec.ORDER_COLUMNS} FROM orders WHERE rev > ?", args)
        ]
        out.fills = [
            codec.fill_from(r)
            for r in await q(f"SELECT {FILL_COLS} FROM fills WHERE rev > ?", args)
        ]
        out.tickers = list(
            starmap(Ticker, await q(f"SELECT {TICKER_COLS} FROM tickers WHERE rev > ?", args))
        )
        out.health = [
            codec.health_from(r)
            for r in await q(f"SELECT {HEALTH_COLS} FROM poller_health WHERE rev > ?", args)
        ]
    finally:
        await conn.execute("COMMIT")
    return out
