"""Candles of one (exchange, symbol, timeframe) from the store as a polars frame.

When the timeframe itself isn't stored, the candles are resampled from a stored finer one
that divides it (buckets start at UTC epoch multiples, exactly as exchanges cut native
candles, so a resampled 4h candle equals the exchange's). Of the stored divisors the
coarsest is used: the same buckets from the fewest rows (4h from 1h, not from 1m).

The store is passed in (any object with ``candle_rows`` and ``last_candle_ts``); this module
only shapes data.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from hedgetui.analytics.importer import CANDLE_SCHEMA, is_forex_symbol
from hedgetui.analytics.resample import resample
from hedgetui.domain.models import TIMEFRAMES, timeframe_ms

__all__ = ["CandleFrame", "empty_frame", "load_candles", "rows_to_frame", "source_timeframe"]


@dataclass(frozen=True)
class CandleFrame:
    frame: pl.DataFrame  # ts, open, high, low, close, volume; ascending unique ts
    exchange: str
    symbol: str
    timeframe: str
    source: str | None  # the stored timeframe the candles come from; None: nothing stored
    forex: bool  # FX pair: weekend closes are not gaps

    @property
    def resampled(self) -> bool:
        return self.source is not None and self.source != self.timeframe

    @property
    def empty(self) -> bool:
        return self.frame.height == 0

    def describe_source(self) -> str:
        if self.source is None:
            return f"no {self.symbol} candles on {self.exchange} in the store"
        if self.resampled:
            return f"{self.timeframe} resampled from stored {self.source} candles"
        return f"stored {self.timeframe} candles"


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=CANDLE_SCHEMA)


def rows_to_frame(rows: list[tuple]) -> pl.DataFrame:
    """``Store.candle_rows`` output -> frame with :data:`CANDLE_SCHEMA`."""
    if not rows:
        return empty_frame()
    return pl.DataFrame(rows, schema=CANDLE_SCHEMA, orient="row")


async def source_timeframe(store, exchange: str, symbol: str, timeframe: str) -> str | None:
    """The stored timeframe to build ``timeframe`` from: itself when stored, else the
    coarsest stored one that divides it; None when neither exists."""
    step = timeframe_ms(timeframe)
    if await store.last_candle_ts(exchange, symbol, timeframe) is not None:
        return timeframe
    finer = sorted(
        (tf for tf, ms in TIMEFRAMES.items() if ms < step and step % ms == 0),
        key=TIMEFRAMES.__getitem__,
        reverse=True,
    )
    for tf in finer:
        if await store.last_candle_ts(exchange, symbol, tf) is not None:
            return tf
    return None


async def load_candles(
    store,
    exchange: str,
    symbol: str,
    timeframe: str,
    *,
    since: int | None = None,
    until: int | None = None,
    limit: int | None = None,
) -> CandleFrame:
    """Candles for the request (``since``/``until`` inclusive bucket starts, ms UTC; with
    ``limit`` and no ``since``: the latest ``limit``). Resampled when not stored as such."""
    forex = is_forex_symbol(symbol)
    source = await source_timeframe(store, exchange, symbol, timeframe)
    if source is None:
        return CandleFrame(empty_frame(), exchange, symbol, timeframe, None, forex)
    if source == timeframe:
        rows = await store.candle_rows(
            exchange, symbol, timeframe, since=since, until=until, limit=limit
        )
        return CandleFrame(rows_to_frame(rows), exchange, symbol, timeframe, source, forex)
    step = timeframe_ms(timeframe)
    src_since = None if since is None else since - since % step
    src_until = None if until is None else until - until % step + step - 1
    if limit is not None and src_since is None:
        # the latest `limit` buckets: start at the bucket `limit - 1` before the last one
        last = await store.last_candle_ts(exchange, symbol, source)
        if until is not None:
            last = min(last, src_until)
        src_since = last - last % step - (max(limit, 1) - 1) * step
    rows = await store.candle_rows(exchange, symbol, source, since=src_since, until=src_until)
    frame = resample(rows_to_frame(rows), timeframe) if rows else empty_frame()
    if limit is not None and frame.height > limit:
        frame = frame.tail(limit)
    return CandleFrame(frame, exchange, symbol, timeframe, source, forex)
