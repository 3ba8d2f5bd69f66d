"""Candle series kept by the paper market.

Two base series per symbol are stored: 1m (feeds 1m/5m/15m) and 1h (feeds 1h/4h/1d).
Coarser timeframes are aggregated on fetch, so every timeframe agrees with the others by
construction (a 1h high is the max of its 1m highs wherever 1m data exists).

Rows are plain mutable lists ``[open, high, low, close, volume]`` in a contiguous list
indexed by bucket number (``ts // tf_ms``): appends and lookups are O(1).
"""

from __future__ import annotations

from hedgetui.domain import TIMEFRAMES, Candle

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000

#: the stored series a timeframe is aggregated from
BASE_OF: dict[str, int] = {
    "1m": MINUTE_MS,
    "5m": MINUTE_MS,
    "15m": MINUTE_MS,
    "1h": HOUR_MS,
    "4h": HOUR_MS,
    "1d": HOUR_MS,
}

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000  # like Binance /klines


class CandleSeries:
    """A contiguous run of candles of one timeframe, capped at ``cap`` rows."""

    __slots__ = ("tf", "cap", "align", "start", "rows")

    def __init__(self, tf: int, cap: int, align: int = 1) -> None:
        self.tf = tf
        self.cap = cap
        self.align = align  # trimmed in whole multiples, so derived buckets stay whole
        self.start = 0  # bucket number of rows[0]
        self.rows: list[list[float]] = []

    @property
    def end(self) -> int:
        """Bucket number of the last row (start - 1 when empty)."""
        return self.start + len(self.rows) - 1

    def add(self, ts: int, o: float, h: float, lo: float, c: float, v: float) -> None:
        """Merge one bar (a trade is a bar with o == h == l == c) into its bucket."""
        bucket = ts // self.tf
        rows = self.rows
        if not rows:
            self.start = bucket
            rows.append([o, h, lo, c, v])
            return
        last = self.start + len(rows) - 1
        if bucket == last:
            row = rows[-1]
            if h > row[1]:
                row[1] = h
            if lo < row[2]:
                row[2] = lo
            row[3] = c
            row[4] += v
            return
        if bucket < last:  # bars only move forward; an older bar is a caller bug
            raise ValueError(f"bar at {ts} is older than the series end")
        if bucket - last > self.cap:  # a gap longer than the whole series: start afresh
            self.start = bucket
            rows.clear()
            rows.append([o, h, lo, c, v])
            return
        prev = rows[-1][3]
        for _ in range(bucket - last - 1):  # no trades in between: flat, zero volume
            rows.append([prev, prev, prev, prev, 0.0])
        rows.append([o, h, lo, c, v])
        if len(rows) > self.cap + self.align:
            drop = (len(rows) - self.cap) // self.align * self.align
            del rows[:drop]
            self.start += drop

    def prepend(self, start: int, rows: list[list[float]], merge: bool = True) -> None:
        """Put older rows (generated history) in front. Where history's last bucket is the
        series' first, it is merged in (``merge``) or dropped (the row already holds it)."""
        if not rows:
            return
        if not self.rows:
            self.start, self.rows = start, rows  # the caller hands the rows over
            return
        hist_end = start + len(rows) - 1
        if hist_end < self.start - 1 or start >= self.start:
            return  # not adjacent (series already trimmed past history): keep live data
        keep = rows[: self.start - start]
        if hist_end == self.start and merge:  # history ends where live data began
            h, first = rows[-1], self.rows[0]
            first[0] = h[0]
            first[1] = max(first[1], h[1])
            first[2] = min(first[2], h[2])
            first[4] += h[4]
        self.rows = keep + self.rows
        self.start = start
        excess = len(self.rows) - self.cap
        if excess > 0:
            drop = -(-excess // self.align) * self.align
            del self.rows[:drop]
            self.start += drop

    def since_bucket(self, bucket: int) -> list[list[float]]:
        """Rows from ``bucket`` on (for snapshots)."""
        return self.rows[max(0, bucket - self.start) :]

    def window(self, first: int, last: int) -> list[list[float]]:
        lo = max(first, self.start) - self.start
        hi = min(last, self.end) - self.start
        return self.rows[lo : hi + 1] if hi >= lo else []


def aggregate(rows: list[list[float]]) -> tuple[float, float, float, float, float]:
    o = rows[0][0]
    c = rows[-1][3]
    h = max(r[1] for r in rows)
    lo = min(r[2] for r in rows)
    v = sum(r[4] for r in rows)
    return o, h, lo, c, v


def fetch(
    series: CandleSeries,
    timeframe: str,
    since: int | None,
    limit: int | None,
    volume_digits: int = 8,
) -> list[Candle]:
    """Candles of ``timeframe`` from the base ``series`` (see Exchange.fetch_ohlcv)."""
    tf = TIMEFRAMES[timeframe]
    if tf % series.tf:
        raise ValueError(f"{timeframe} cannot be built from {series.tf} ms candles")
    if not series.rows:
        return []
    limit = DEFAULT_LIMIT if limit is None else max(0, min(int(limit), MAX_LIMIT))
    ratio = tf // series.tf
    first_tb = series.start // ratio
    last_tb = series.end // ratio
    if since is not None:
        b0 = max(first_tb, -(-since // tf))
        b1 = min(last_tb, b0 + limit - 1)
    else:
        b1 = last_tb
        b0 = max(first_tb, b1 - limit + 1)
    out: list[Candle] = []
    if ratio == 1:
        for b in range(b0, b1 + 1):
            r = series.rows[b - series.start]
            out.append(Candle(b * tf, r[0], r[1], r[2], r[3], round(r[4], volume_digits)))
        return out
    for b in range(b0, b1 + 1):
        rows = series.window(b * ratio, b * ratio + ratio - 1)
        if rows:
            o, h, lo, c, v = aggregate(rows)
            out.append(Candle(b * tf, o, h, lo, c, round(v, volume_digits)))
    return out
