"""Chart drawings (horizontal lines, trend lines) per (exchange, symbol): the SQL and the API.

Drawings belong to a market, not a timeframe, so a chart shows them on every timeframe; the
alerts engine reads them with :func:`list_drawings`. Writes are durable (they return after
the COMMIT), so a drawing the user just placed survives a crash a moment later. Deleting
keeps the row (``deleted = 1``) with a new ``rev``: readers that follow revisions see it go.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from dataclasses import dataclass
from typing import Literal

from hedgetui.store.db import StoreError
from hedgetui.store.ops import REV, register_kind

__all__ = [
    "MAX_LABEL",
    "Drawing",
    "DrawingKind",
    "add_hline",
    "add_trendline",
    "delete_drawing",
    "get_drawing",
    "list_drawings",
    "update_drawing",
]

DrawingKind = Literal["hline", "trend"]
MAX_LABEL = 60
TABLE = "drawings"

_COLS = "id, exchange, symbol, kind, price, t1, p1, t2, p2, label, created_at, updated_at"

ADD = register_kind(
    "drawing_add",
    TABLE,
    f"INSERT INTO drawings (id, exchange, symbol, kind, price, t1, p1, t2, p2, label, "
    f"created_at, updated_at, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {REV})",
)
UPDATE = register_kind(
    "drawing_update",
    TABLE,
    f"UPDATE drawings SET price = ?, t1 = ?, p1 = ?, t2 = ?, p2 = ?, label = ?, "
    f"updated_at = ?, rev = {REV} WHERE id = ? AND deleted = 0",
)
DELETE = register_kind(
    "drawing_delete",
    TABLE,
    f"UPDATE drawings SET deleted = 1, updated_at = ?, rev = {REV} WHERE id = ? AND deleted = 0",
)


@dataclass(frozen=True, slots=True)
class Drawing:
    """A horizontal line (``price``) or a trend line from (t1, p1) to (t2, p2); times are ms
    UTC, prices floats (market data)."""

    id: int
    exchange: str
    symbol: str
    kind: DrawingKind
    price: float | None
    t1: int | None
    p1: float | None
    t2: int | None
    p2: float | None
    label: str
    created_at: int
    updated_at: int

    def price_at(self, ts: int) -> float:
        """The line's price at time ``ts`` (a trend line is extended both ways)."""
        if self.kind == "hline":
            return self.price
        if self.t2 == self.t1:
            return self.p2
        return self.p1 + (self.p2 - self.p1) * (ts - self.t1) / (self.t2 - self.t1)

    @property
    def describe(self) -> str:
        text = (
            f"line at {self.price:g}"
            if self.kind == "hline"
            else f"trend {self.p1:g} -> {self.p2:g}"
        )
        return f"#{self.id} {text}" + (f" '{self.label}'" if self.label else "")


# One lock per store: ids come from max(id) + 1, so two adds in one process must not overlap.
_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _lock(store) -> asyncio.Lock:
    lock = _locks.get(store)
    if lock is None:
        lock = _locks[store] = asyncio.Lock()
    return lock


def _check_market(exchange: str, symbol: str) -> None:
    if not isinstance(exchange, str) or not exchange.strip():
        raise ValueError("a drawing needs an exchange name, e.g. 'paper'")
    if not isinstance(symbol, str) or not symbol.strip():
        raise ValueError("a drawing needs a symbol, e.g. 'BTC/USDT'")


def _check_price(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"drawing {name} must be a finite number, got {value!r}")
    if value <= 0:
        raise ValueError(f"drawing {name} must be above zero, got {value!r}")
    return float(value)


def _check_ts(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"drawing {name} must be a time in ms since 1970 (UTC), got {value!r}")
    return value


def _check_label(label: str) -> str:
    if not isinstance(label, str):
        raise ValueError(f"drawing label must be text, got {label!r}")
    text = " ".join(label.split())  # no newlines or tabs: it is drawn on one chart line
    if len(text) > MAX_LABEL:
        raise ValueError(f"drawing label is {len(text)} characters; keep it to {MAX_LABEL}")
    return text


def _now(store, now_ms: int | None) -> int:
    return int(now_ms) if now_ms is not None else store._clock.now_ms()


async def _add(store, row: tuple, exchange: str, symbol: str) -> Drawing:
    async with _lock(store):
        rows = await store._fetch("SELECT coalesce(max(id), 0) + 1 FROM drawings")
        new_id = int(rows[0][0])
        await store._write_durable(ADD, [(new_id, *row)], frozenset({(exchange, symbol)}))
    return await get_drawing(store, new_id)


async def add_hline(
    store, exchange: str, symbol: str, price: float, label: str = "", *, now_ms: int | None = None
) -> Drawing:
    """Store a horizontal line at ``price``; returns it with its id."""
    _check_market(exchange, symbol)
    price = _check_price("price", price)
    label = _check_label(label)
    now = _now(store, now_ms)
    row = (exchange, symbol, "hline", price, None, None, None, None, label, now, now)
    return await _add(store, row, exchange, symbol)


async def add_trendline(
    store,
    exchange: str,
    symbol: str,
    t1: int,
    p1: float,
    t2: int,
    p2: float,
    label: str = "",
    *,
    now_ms: int | None = None,
) -> Drawing:
    """Store a trend line from (t1, p1) to (t2, p2); the points are ordered by time."""
    _check_market(exchange, symbol)
    t1, t2 = _check_ts("t1", t1), _check_ts("t2", t2)
    p1, p2 = _check_price("p1", p1), _check_price("p2", p2)
    if t1 == t2:
        raise ValueError("a trend line needs two different times; use a horizontal line instead")
    if t2 < t1:
        t1, p1, t2, p2 = t2, p2, t1, p1
    label = _check_label(label)
    now = _now(store, now_ms)
    row = (exchange, symbol, "trend", None, t1, p1, t2, p2, label, now, now)
    return await _add(store, row, exchange, symbol)


_UNSET = object()


async def update_drawing(
    store,
    drawing_id: int,
    *,
    price=_UNSET,
    t1=_UNSET,
    p1=_UNSET,
    t2=_UNSET,
    p2=_UNSET,
    label=_UNSET,
    now_ms: int | None = None,
) -> Drawing:
    """Change a drawing's level, points or label (only what is given). Raises
    :class:`StoreError` when no such drawing exists (or it was deleted)."""
    old = await get_drawing(store, drawing_id)
    if old is None:
        raise StoreError(f"no drawing #{drawing_id} (it may have been deleted)")
    if old.kind == "hline" and any(v is not _UNSET for v in (t1, p1, t2, p2)):
        raise ValueError(f"drawing #{drawing_id} is a horizontal line: change its price")
    if old.kind == "trend" and price is not _UNSET:
        raise ValueError(f"drawing #{drawing_id} is a trend line: change t1/p1/t2/p2")
    new_price = old.price if price is _UNSET else _check_price("price", price)
    nt1 = old.t1 if t1 is _UNSET else _check_ts("t1", t1)
    nt2 = old.t2 if t2 is _UNSET else _check_ts("t2", t2)
    np1 = old.p1 if p1 is _UNSET else _check_price("p1", p1)
    np2 = old.p2 if p2 is _UNSET else _check_price("p2", p2)
    if old.kind == "trend":
        if nt1 == nt2:
            raise ValueError("a trend line needs two different times")
        if nt2 < nt1:
            nt1, np1, nt2, np2 = nt2, np2, nt1, np1
    new_label = old.label if label is _UNSET else _check_label(label)
    row = (new_price, nt1, np1, nt2, np2, new_label, _now(store, now_ms), drawing_id)
    await store._write_durable(UPDATE, [row], frozenset({(old.exchange, old.symbol)}))
    return await get_drawing(store, drawing_id)


async def delete_drawing(store, drawing_id: int, *, now_ms: int | None = None) -> bool:
    """Delete a drawing; False when there was none with that id."""
    old = await get_drawing(store, drawing_id)
    if old is None:
        return False
    row = (_now(store, now_ms), drawing_id)
    await store._write_durable(DELETE, [row], frozenset({(old.exchange, old.symbol)}))
    return True


def _drawing(row: tuple) -> Drawing:
    return Drawing(*row)


async def get_drawing(store, drawing_id: int) -> Drawing | None:
    rows = await store._fetch(
        f"SELECT {_COLS} FROM drawings WHERE id = ? AND deleted = 0", (int(drawing_id),)
    )
    return _drawing(rows[0]) if rows else None


async def list_drawings(
    store, exchange: str | None = None, symbol: str | None = None
) -> list[Drawing]:
    """Live drawings, oldest first; filtered by exchange and/or symbol when given."""
    cond, args = ["deleted = 0"], []
    if exchange is not None:
        cond.append("exchange = ?")
        args.append(exchange)
    if symbol is not None:
        cond.append("symbol = ?")
        args.append(symbol)
    sql = f"SELECT {_COLS} FROM drawings WHERE {' AND '.join(cond)} ORDER BY id"
    return [_drawing(r) for r in await store._fetch(sql, tuple(args))]
