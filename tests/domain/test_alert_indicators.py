"""The alert engine's incremental indicators agree with TA-Lib (the reference) to 1e-9."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import talib

from hedgetui.domain.alerts.indicators import Ema, Rsi, Sma


def _walk(seed: int, n: int, start: float = 100.0) -> list[float]:
    rng = random.Random(seed)
    out, price = [], start
    for _ in range(n):
        price *= math.exp(rng.gauss(0, 0.01))
        out.append(price)
    return out


def _compare(mine: list[float | None], ref: np.ndarray) -> None:
    assert len(mine) == len(ref)
    for i, (a, b) in enumerate(zip(mine, ref, strict=True)):
        if math.isnan(b):
            assert a is None, f"index {i}: {a} where TA-Lib has no value yet"
        else:
            assert a is not None, f"index {i}: warming up where TA-Lib has {b}"
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12), f"index {i}"


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", [2, 5, 14, 50])
def test_rsi_matches_talib(seed, period):
    closes = _walk(seed, 600)
    calc = Rsi(period)
    _compare([calc.update(x) for x in closes], talib.RSI(np.array(closes), timeperiod=period))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", [2, 9, 20, 200])
def test_ema_matches_talib(seed, period):
    closes = _walk(seed, 600, start=65_000.0)
    calc = Ema(period)
    _compare([calc.update(x) for x in closes], talib.EMA(np.array(closes), timeperiod=period))


@pytest.mark.parametrize("period", [1, 3, 20])
def test_sma_matches_talib(period):
    closes = _walk(7, 500, start=0.0004)  # tiny prices too
    calc = Sma(period)
    _compare([calc.update(x) for x in closes], talib.SMA(np.array(closes), timeperiod=period))


def test_rsi_flat_series_is_zero_like_talib():
    closes = [100.0] * 30 + [101.0, 102.0]
    calc = Rsi(14)
    _compare([calc.update(x) for x in closes], talib.RSI(np.array(closes), timeperiod=14))


def test_rsi_with_plateaus_and_integer_steps_matches_talib():
    rng = random.Random(5)
    closes = [float(100 + rng.choice([-2, -1, 0, 0, 1, 2])) for _ in range(400)]
    for i in range(1, len(closes)):
        closes[i] = closes[i - 1] + rng.choice([-1.0, 0.0, 0.0, 1.0])
    calc = Rsi(14)
    _compare([calc.update(x) for x in closes], talib.RSI(np.array(closes), timeperiod=14))


def test_bad_periods_are_rejected():
    with pytest.raises(ValueError, match="RSI period"):
        Rsi(1)
    with pytest.raises(ValueError, match="EMA period"):
        Ema(0)
