"""Market data the evaluator keeps: a per-symbol price history for % change windows and a
per-(symbol, timeframe) series of closed candles feeding incremental indicators."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from itertools import islice

from hedgetui.domain.alerts.indicators import make_indicator
from hedgetui.domain.alerts.rules import Operand
from hedgetui.domain.models import Candle

__all__ = ["PriceHistory", "CandleSeries", "KEEP_CANDLES"]

KEEP_CANDLES = 2000  # closed candles kept per series: replay for indicators added later


class PriceHistory:
    """(ts, price) observations covering the longest change window of a symbol's rules.

    Observations closer than ``window / 1000`` to the previous kept one are skipped, which
    bounds memory (at most ~1000 points per window) and puts the reference price within
    0.1 % of the window from its exact instant."""

    __slots__ = ("window_ms", "resolution_ms", "ts", "px", "start")

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self.resolution_ms = window_ms // 1000
        self.ts: list[int] = []
        self.px: list[float] = []
        self.start = 0

    def add(self, ts: int, price: float) -> None:
        ts_list = self.ts
        if ts_list and ts < ts_list[-1] + self.resolution_ms:
            return
        ts_list.append(ts)
        self.px.append(price)
        cutoff = ts - self.window_ms
        start, last = self.start, len(ts_list) - 1
        while start < last and ts_list[start + 1] <= cutoff:
            start += 1  # keep one observation at or before the window start
        if start > 512 and start * 2 > len(ts_list):
            del ts_list[:start]
            del self.px[:start]
            start = 0
        self.start = start

    def price_at(self, t: int) -> float | None:
        """The last observed price at or before ``t``; None if history does not reach back."""
        i = bisect_right(self.ts, t, self.start) - 1
        return self.px[i] if i >= self.start else None

    def covers(self, now_ms: int) -> bool:
        """Does the history reach back a whole window before ``now_ms``?"""
        return self.start < len(self.ts) and self.ts[self.start] <= now_ms - self.window_ms

    def backfill(self, points: list[tuple[int, float]]) -> None:
        """Prepend older observations (e.g. candle closes after a restart), oldest first."""
        first = self.ts[self.start] if self.start < len(self.ts) else None
        older = [(t, p) for t, p in points if first is None or t < first]
        if not older:
            return
        self.ts = [t for t, _ in older] + self.ts[self.start :]
        self.px = [p for _, p in older] + self.px[self.start :]
        self.start = 0
        cutoff = self.ts[-1] - self.window_ms
        while self.start < len(self.ts) - 1 and self.ts[self.start + 1] <= cutoff:
            self.start += 1


class CandleSeries:
    """Closed candles of one (exchange, symbol, timeframe), oldest first, and the indicators
    the rules on it need, updated once per newly closed candle."""

    __slots__ = ("tf_ms", "last_ts", "candles", "calcs")

    def __init__(self, tf_ms: int) -> None:
        self.tf_ms = tf_ms
        self.last_ts: int | None = None
        self.candles: deque[Candle] = deque(maxlen=KEEP_CANDLES)
        self.calcs: dict[Operand, object] = {}

    def ensure(self, operand: Operand) -> None:
        if operand not in self.calcs:
            calc = make_indicator(operand)
            for c in self.candles:  # replay what we have
                calc.update(c.close)
            self.calcs[operand] = calc

    def retain(self, operands: set[Operand]) -> None:
        for op in list(self.calcs):
            if op not in operands:
                del self.calcs[op]

    def new_closed(self, candles: list[Candle], now_ms: int) -> list[Candle]:
        """Candles that closed (ts + timeframe <= now) after the last one seen, oldest first."""
        last, tf = self.last_ts, self.tf_ms
        fresh = []
        for c in reversed(candles):
            if last is not None and c.ts <= last:
                break
            if c.ts + tf <= now_ms:
                fresh.append(c)
        fresh.reverse()
        if any(b.ts <= a.ts for a, b in zip(fresh, islice(fresh, 1, None), strict=False)):
            fresh = sorted({c.ts: c for c in fresh}.values(), key=lambda c: c.ts)
        return fresh

    def push(self, candle: Candle) -> None:
        self.candles.append(candle)
        self.last_ts = candle.ts
        close = candle.close
        for calc in self.calcs.values():
            calc.update(close)

    def value(self, operand: Operand) -> float | None:
        calc = self.calcs.get(operand)
        return calc.value if calc is not None else None

    def volume_average(self, length: int) -> float | None:
        """SMA of the ``length`` volumes before the last candle; None if too few."""
        n = len(self.candles)
        if n < length + 1:
            return None
        total = 0.0
        for c in islice(self.candles, n - 1 - length, n - 1):
            total += c.volume
        return total / length
