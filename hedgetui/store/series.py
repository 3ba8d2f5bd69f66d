"""Which candle series the store holds: for the chart's symbol picker (imported markets
appear there alongside the watchlist)."""

from __future__ import annotations

__all__ = ["candle_series"]

# Walk the primary key (exchange, symbol, timeframe, ts) from one series to the next: one
# index seek per series, instead of DISTINCT, which would read every candle row.
_NEXT = (
    "SELECT exchange, symbol, timeframe FROM candles "
    "WHERE (exchange, symbol, timeframe) > (?, ?, ?) "
    "ORDER BY exchange, symbol, timeframe LIMIT 1"
)
_FIRST = (
    "SELECT exchange, symbol, timeframe FROM candles ORDER BY exchange, symbol, timeframe LIMIT 1"
)


async def candle_series(store, *, limit: int = 10_000) -> list[tuple[str, str, str]]:
    """(exchange, symbol, timeframe) of every stored series, sorted."""
    rows = await store._fetch(_FIRST)
    out: list[tuple[str, str, str]] = []
    while rows and len(out) < limit:
        key = tuple(rows[0])
        out.append(key)
        rows = await store._fetch(_NEXT, key)
    return out
