"""Candle resampling (1m -> 5m/15m/1h/4h/1d) and gap detection.

Buckets start at UTC epoch multiples of the target timeframe (so 1d buckets start at 00:00 UTC,
4h ones at 00:00, 04:00, ... UTC), the same boundaries exchanges use for native candles.
"""

from __future__ import annotations

import polars as pl

from hedgetui.domain.models import TIMEFRAMES, timeframe_ms

__all__ = ["FOREX_WEEKEND", "find_gaps", "resample"]

_OHLCV = ("ts", "open", "high", "low", "close", "volume")
_WEEK_MS = 7 * 86_400_000
_HOUR_MS = 3_600_000
# The epoch (1970-01-01) was a Thursday. FX closes Friday 17:00 New York and reopens Sunday
# 17:00 New York: 21:00 UTC in northern summer, 22:00 UTC in winter. The window below spans
# both, Friday 21:00 UTC to Sunday 22:00 UTC, as (start, end) offsets from Thursday 00:00.
FOREX_WEEKEND = ((24 + 21) * _HOUR_MS, (72 + 22) * _HOUR_MS)


def _tf_ms(timeframe: str | int) -> int:
    if isinstance(timeframe, int) and not isinstance(timeframe, bool):
        if timeframe <= 0:
            raise ValueError(f"timeframe must be a positive number of ms, got {timeframe}")
        return timeframe
    return timeframe_ms(timeframe)


def resample(df: pl.DataFrame, to_timeframe: str) -> pl.DataFrame:
    """Aggregate candles into ``to_timeframe`` buckets: open=first, high=max, low=min,
    close=last, volume=sum (columns ts, open, high, low, close, volume; ts = bucket start).

    Gaps are not bridged: a bucket with no source candle produces no row (nothing is
    forward-filled). The last bucket is included even if incomplete: it is the live candle.
    The source is sorted by ts and exact duplicate timestamps are kept once (the last).
    Raises ``ValueError`` when the target is finer than the source's own spacing or not a
    whole multiple of it.
    """
    step = _tf_ms(to_timeframe)
    missing = [c for c in _OHLCV if c not in df.columns]
    if missing:
        raise ValueError(f"resample needs columns {', '.join(_OHLCV)}; missing {missing}")
    src = df.select(_OHLCV).sort("ts").unique("ts", keep="last", maintain_order=True)
    if src.height > 1:
        spacing = int(src["ts"].diff().min())
        if spacing > step or step % spacing:
            known = {v: k for k, v in TIMEFRAMES.items()}
            have = known.get(spacing, f"{spacing} ms")
            raise ValueError(
                f"cannot resample {have} candles to {to_timeframe}: the target timeframe must "
                f"be a whole multiple of the source's"
            )
    bucket = pl.col("ts") - pl.col("ts") % step  # polars % is floored: right for ts < 0 too
    return (
        src.group_by(bucket.alias("ts"), maintain_order=True)
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            # summing floats leaves binary noise (22614.760000000002); exchanges quote
            # volume to at most 8 decimals, so the decimal sum is the sum rounded there
            pl.col("volume").sum().round(8),
        )
        .sort("ts")
    )


def _weekend_windows(start: int, end: int) -> list[tuple[int, int]]:
    """FX weekend windows [a, b) that overlap [start, end)."""
    week = start - start % _WEEK_MS - _WEEK_MS
    out = []
    while week < end:
        a, b = week + FOREX_WEEKEND[0], week + FOREX_WEEKEND[1]
        if a < end and b > start:
            out.append((a, b))
        week += _WEEK_MS
    return out


def _ceil(ts: int, start: int, step: int) -> int:
    """First candle time >= ts on the grid start + k*step."""
    return start + -(-(ts - start) // step) * step


def find_gaps(ts: pl.Series, timeframe: str | int, *, forex: bool = False) -> list[tuple[int, int]]:
    """Missing candles in ``ts`` (candle open times, ms) as half-open ranges
    ``(gap_start, gap_end)``: the candles at gap_start, gap_start + tf, ..., gap_end - tf are
    missing, and gap_end is the next candle present -- the range to refetch.

    Only holes between the first and last candle count. With ``forex=True`` candles that would
    open inside the FX weekend close, Friday 21:00 to Sunday 22:00 UTC (17:00 New York in both
    summer and winter time, so the window is an hour wider than either), are expected to be
    missing; the rest of a hole that straddles the weekend is still reported.
    """
    step = _tf_ms(timeframe)
    times = ts.drop_nulls().unique().sort()
    if times.len() < 2:
        return []
    frame = pl.DataFrame({"end": times}).with_columns(start=pl.col("end").shift(1) + step)
    holes = frame.filter(pl.col("end") > pl.col("start"))
    gaps: list[tuple[int, int]] = []
    for start, end in zip(holes["start"].to_list(), holes["end"].to_list(), strict=True):
        if not forex:
            gaps.append((start, end))
            continue
        cursor = start
        for a, b in _weekend_windows(start, end):
            # candles opening in [a, b) are expected; split the hole around them
            first_in = _ceil(max(a, cursor), start, step)
            if first_in >= min(b, end):
                continue  # no candle of this hole opens inside the window
            if first_in > cursor:
                gaps.append((cursor, first_in))
            cursor = _ceil(min(b, end), start, step)
        if cursor < end:
            gaps.append((cursor, end))
    return gaps
