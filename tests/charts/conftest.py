from __future__ import annotations

import math

import polars as pl
import pytest

from hedgetui.charts import ChartView

HOUR = 3_600_000
T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC (a Thursday)


def candles(n: int, *, start: int = T0, step: int = HOUR, base: float = 64_000.0) -> pl.DataFrame:
    """Deterministic candles: a slow wave with alternating up/down bodies."""
    rows = []
    close = base
    for i in range(n):
        o = close
        close = base + 400 * math.sin(i / 9) + 60 * math.sin(i * 1.7)
        hi = max(o, close) + 25 + 10 * (i % 3)
        lo = min(o, close) - 25 - 10 * (i % 4)
        rows.append((start + i * step, o, hi, lo, close, 10.0 + (i * 7) % 50))
    return pl.DataFrame(rows, schema=["ts", "open", "high", "low", "close", "volume"], orient="row")


def view(**kw) -> ChartView:
    base = dict(exchange="binance", symbol="BTC/USDT", timeframe="1h", width=120, height=40,
                window=100)  # fmt: skip
    base.update(kw)
    return ChartView(**base)


def cell(rendered, line: int, col: int):
    """(char, rich Style or None) at a cell, read through the public segment lines."""
    pos = 0
    for seg in rendered.segment_lines[line]:
        if pos <= col < pos + len(seg.text):
            return seg.text[col - pos], seg.style
        pos += len(seg.text)
    raise IndexError(col)


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return candles(300)
