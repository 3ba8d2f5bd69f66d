"""Incremental indicators over candle closes, with TA-Lib's exact definitions, so an alert
agrees with the chart and with TA-Lib to rounding:

* SMA: running sum, like TA_SMA.
* EMA: k = 2 / (N + 1), seeded with the SMA of the first N values (TA_EMA, default
  compatibility); the first value appears at the N-th input.
* RSI: Wilder smoothing; average gain/loss seeded with the simple mean of the first N changes
  (TA_RSI, unstable period 0); the first value appears at the (N+1)-th input. When average
  gain + loss is ~0 (|x| < 1e-8, TA-Lib's TA_IS_ZERO) the RSI is 0, as in TA-Lib.

Each ``update(x)`` costs O(1) and returns the new value (None while warming up).
"""

from __future__ import annotations

from collections import deque

from hedgetui.domain.alerts.rules import Operand

__all__ = ["Sma", "Ema", "Rsi", "Close", "make_indicator"]


class Close:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        self.value = x
        return x


class Sma:
    __slots__ = ("period", "_window", "_total", "value")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError("SMA period must be at least 1")
        self.period = period
        self._window: deque[float] = deque()
        self._total = 0.0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        self._window.append(x)
        self._total += x
        if len(self._window) < self.period:
            return None
        self.value = self._total / self.period
        self._total -= self._window.popleft()
        return self.value


class Ema:
    __slots__ = ("period", "_k", "_count", "_seed", "value")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError("EMA period must be at least 1")
        self.period = period
        self._k = 2.0 / (period + 1)
        self._count = 0
        self._seed = 0.0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        if self.value is not None:
            self.value = (x - self.value) * self._k + self.value
            return self.value
        self._count += 1
        self._seed += x
        if self._count == self.period:
            self.value = self._seed / self.period
        return self.value


class Rsi:
    __slots__ = ("period", "_prev", "_count", "_gain", "_loss", "value")

    def __init__(self, period: int) -> None:
        if period < 2:
            raise ValueError("RSI period must be at least 2")
        self.period = period
        self._prev: float | None = None
        self._count = 0  # changes seen
        self._gain = 0.0
        self._loss = 0.0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        prev, self._prev = self._prev, x
        if prev is None:
            return None
        change = x - prev
        n = self.period
        self._count += 1
        if self._count <= n:  # seeding: plain sums, then the mean
            if change < 0:
                self._loss -= change
            else:
                self._gain += change
            if self._count < n:
                return None
            self._loss /= n
            self._gain /= n
        else:
            self._loss *= n - 1
            self._gain *= n - 1
            if change < 0:
                self._loss -= change
            else:
                self._gain += change
            self._loss /= n
            self._gain /= n
        total = self._gain + self._loss
        self.value = 100.0 * (self._gain / total) if not -1e-8 < total < 1e-8 else 0.0
        return self.value


def make_indicator(operand: Operand) -> Close | Sma | Ema | Rsi:
    if operand.name == "close":
        return Close()
    if operand.name == "sma":
        return Sma(operand.period)
    if operand.name == "ema":
        return Ema(operand.period)
    if operand.name == "rsi":
        return Rsi(operand.period)
    raise ValueError(f"unknown indicator {operand.name!r}; use close, sma, ema or rsi")
