"""Domain models <-> row tuples. Decimals travel as TEXT (``str(d)``, exact), floats as REAL
(IEEE-754 doubles, exact), enums as their values, bools as 0/1, timestamps as int ms.

Encoders validate the types that could otherwise poison the database (a float or None in a
Decimal field) and raise a clear TypeError/ValueError at the ``put_*`` call site.
Column orders here match the SQL in ``ops.py`` and ``queries.py``.
"""

from __future__ import annotations

import json
from decimal import Decimal

from hedgetui.domain import (
    AccountInfo,
    Balance,
    Fill,
    HealthState,
    JournalEntry,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    PollerHealth,
    Position,
    Side,
    Ticker,
    TimeInForce,
)


def dec(value: object, what: str) -> str:
    if type(value) is Decimal:
        return str(value)
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(Decimal(value))
    raise TypeError(f"{what} must be a Decimal, got {type(value).__name__} {value!r}")


def opt_dec(value: object, what: str) -> str | None:
    return None if value is None else dec(value, what)


def to_dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


# --- accounts ---------------------------------------------------------------------------


def account_row(a: AccountInfo) -> tuple:
    return (a.name, a.exchange, int(a.is_paper), json.dumps(list(a.tags)), int(a.read_only))


def account_from(r) -> AccountInfo:
    return AccountInfo(r[0], r[1], bool(r[2]), tuple(json.loads(r[3])), bool(r[4]))


# --- balances ---------------------------------------------------------------------------


def balance_row(b: Balance, account: str, ts: int) -> tuple:
    if b.account != account:
        raise ValueError(
            f"balance {b.asset} belongs to account {b.account!r}, "
            f"not {account!r}; pass each account's balances separately"
        )
    w = f"Balance({account}, {b.asset})"
    return (
        account,
        b.asset,
        dec(b.free, w + ".free"),
        dec(b.used, w + ".used"),
        dec(b.total, w + ".total"),
        int(b.timestamp),
        int(ts),
    )


def balance_from(r) -> Balance:
    return Balance(r[0], r[1], Decimal(r[2]), Decimal(r[3]), Decimal(r[4]), r[5])


# --- positions --------------------------------------------------------------------------


def position_row(p: Position, account: str, ts: int) -> tuple:
    if p.account != account:
        raise ValueError(
            f"position {p.symbol} belongs to account {p.account!r}, "
            f"not {account!r}; pass each account's positions separately"
        )
    if p.side not in ("long", "short"):
        raise ValueError(
            f"Position({account}, {p.symbol}).side must be 'long' or 'short', got {p.side!r}"
        )
    w = f"Position({account}, {p.symbol})"
    return (
        account,
        p.symbol,
        p.side,
        dec(p.contracts, w + ".contracts"),
        dec(p.entry_price, w + ".entry_price"),
        opt_dec(p.mark_price, w + ".mark_price"),
        dec(p.unrealized_pnl, w + ".unrealized_pnl"),
        dec(p.realized_pnl, w + ".realized_pnl"),
        opt_dec(p.leverage, w + ".leverage"),
        opt_dec(p.liquidation_price, w + ".liquidation_price"),
        opt_dec(p.margin, w + ".margin"),
        int(p.timestamp),
        int(ts),
    )


def position_from(r) -> Position:
    return Position(
        r[0],
        r[1],
        r[2],
        Decimal(r[3]),
        Decimal(r[4]),
        to_dec(r[5]),
        Decimal(r[6]),
        Decimal(r[7]),
        to_dec(r[8]),
        to_dec(r[9]),
        to_dec(r[10]),
        r[11],
    )


# --- orders -----------------------------------------------------------------------------

ORDER_COLUMNS = (
    "account, id, client_id, symbol, side, type, amount, status, price, "
    "stop_price, filled, average, fee, fee_currency, time_in_force, reduce_only, "
    "created_at, updated_at, message"
)


def order_row(o: Order) -> tuple:
    key = o.client_id or o.id
    if not key:
        raise ValueError(
            f"order on {o.account} {o.symbol} has neither an exchange id nor a "
            "client id; it cannot be stored"
        )
    w = f"Order({o.account}, {key})"
    return (
        o.account,
        key,
        o.id,
        o.client_id,
        o.symbol,
        Side(o.side).value,
        OrderType(o.type).value,
        dec(o.amount, w + ".amount"),
        OrderStatus(o.status).value,
        opt_dec(o.price, w + ".price"),
        opt_dec(o.stop_price, w + ".stop_price"),
        dec(o.filled, w + ".filled"),
        opt_dec(o.average, w + ".average"),
        dec(o.fee, w + ".fee"),
        o.fee_currency,
        TimeInForce(o.time_in_force).value,
        int(o.reduce_only),
        int(o.created_at),
        int(o.updated_at),
        o.message,
    )


def order_from(r) -> Order:
    return Order(
        r[0],
        r[1],
        r[2],
        r[3],
        Side(r[4]),
        OrderType(r[5]),
        Decimal(r[6]),
        OrderStatus(r[7]),
        to_dec(r[8]),
        to_dec(r[9]),
        Decimal(r[10]),
        to_dec(r[11]),
        Decimal(r[12]),
        r[13],
        TimeInForce(r[14]),
        bool(r[15]),
        r[16],
        r[17],
        r[18],
    )


# --- fills ------------------------------------------------------------------------------


def fill_row(f: Fill) -> tuple:
    if not f.id:
        raise ValueError(
            f"fill on {f.account} {f.symbol} (order {f.order_id}) has no trade "
            "id; it cannot be de-duplicated"
        )
    w = f"Fill({f.account}, {f.id})"
    return (
        f.account,
        f.id,
        f.order_id,
        f.symbol,
        Side(f.side).value,
        dec(f.price, w + ".price"),
        dec(f.amount, w + ".amount"),
        dec(f.fee, w + ".fee"),
        f.fee_currency,
        int(f.timestamp),
        int(f.taker),
        f.client_id,
        dec(f.realized_pnl, w + ".realized_pnl"),
    )


def fill_from(r) -> Fill:
    return Fill(
        r[0],
        r[1],
        r[2],
        r[3],
        Side(r[4]),
        Decimal(r[5]),
        Decimal(r[6]),
        Decimal(r[7]),
        r[8],
        r[9],
        bool(r[10]),
        r[11],
        Decimal(r[12]),
    )


# --- market data (floats go straight to REAL) -------------------------------------------


def ticker_row(t: Ticker) -> tuple:
    return (
        t.exchange,
        t.symbol,
        t.timestamp,
        t.last,
        t.bid,
        t.ask,
        t.high,
        t.low,
        t.open,
        t.base_volume,
        t.quote_volume,
    )


def ticker_from(r) -> Ticker:
    return Ticker(*r)


# --- health -----------------------------------------------------------------------------


def health_row(h: PollerHealth) -> tuple:
    return (
        h.key,
        h.exchange,
        h.feed,
        h.account,
        HealthState(h.state).value,
        int(h.last_attempt),
        int(h.last_success),
        float(h.latency_ms),
        int(h.consecutive_errors),
        int(h.error_count),
        h.last_error,
        float(h.backoff_s),
    )


def health_from(r) -> PollerHealth:
    return PollerHealth(
        r[0], r[1], r[2], r[3], HealthState(r[4]), r[5], r[6], r[7], r[8], r[9], r[10], r[11]
    )


# --- order journal ----------------------------------------------------------------------

JOURNAL_COLUMNS = (
    "client_id, batch_id, account, symbol, side, type, amount, price, "
    "stop_price, time_in_force, reduce_only, request_client_id, status, "
    "order_id, message, created_at, updated_at, attempts"
)


def journal_row(e: JournalEntry) -> tuple:
    q = e.request
    w = f"JournalEntry({e.client_id})"
    return (
        e.client_id,
        e.batch_id,
        e.account,
        q.symbol,
        Side(q.side).value,
        OrderType(q.type).value,
        dec(q.amount, w + ".amount"),
        opt_dec(q.price, w + ".price"),
        opt_dec(q.stop_price, w + ".stop_price"),
        TimeInForce(q.time_in_force).value,
        int(q.reduce_only),
        q.client_id,
        OrderStatus(e.status).value,
        e.order_id,
        e.message,
        int(e.created_at),
        int(e.updated_at),
        int(e.attempts),
    )


def journal_from(r) -> JournalEntry:
    request = OrderRequest(
        r[3],
        Side(r[4]),
        OrderType(r[5]),
        Decimal(r[6]),
        r[11],
        to_dec(r[7]),
        to_dec(r[8]),
        TimeInForce(r[9]),
        bool(r[10]),
    )
    return JournalEntry(
        r[0], r[1], r[2], request, OrderStatus(r[12]), r[13], r[14], r[15], r[16], r[17]
    )
