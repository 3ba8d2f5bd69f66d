from __future__ import annotations

import polars as pl

from hedgetui.analytics.indicator_spec import apply_indicators
from hedgetui.charts import chart_status_line
from hedgetui.charts.scale import fmt_volume, nice_range, price_decimals, time_label

from .conftest import candles


def test_status_line_for_the_cursor_candle():
    df = pl.DataFrame(
        {
            "ts": [1_767_270_840_000],  # 2026-01-01 12:34 UTC
            "open": [64_012.5], "high": [64_100.0], "low": [63_950.25], "close": [64_050.0],
            "volume": [1234.5],
        }
    )  # fmt: skip
    line = chart_status_line(df, 0)
    assert line == "2026-01-01 12:34 UTC  O 64,012.5 H 64,100.0 L 63,950.2 C 64,050.0 V 1.23K"


def test_status_line_with_indicators():
    df = apply_indicators(candles(120), "ema:20,rsi:14,macd,bbands")
    line = chart_status_line(df, -1)
    row = df.row(-1, named=True)
    assert f"EMA(20) {row['ema_20']:,.1f}" in line
    assert f"RSI(14) {row['rsi_14']:.1f}" in line
    assert f"MACD(12,26,9) {row['macd_12_26_9']:,.1f}/" in line
    assert line.count("/") == 2 + 2  # MACD and BBANDS show three values each
    early = chart_status_line(df, 3)
    assert "EMA(20) —" in early and "RSI(14) —" in early


def test_status_line_bad_index():
    assert chart_status_line(candles(5), 9) == "no candle at index 9 (the chart has 5)"


def test_scale_helpers():
    assert price_decimals(64_012.5) == 1
    assert price_decimals(1.2345) == 5
    assert price_decimals(0.00001234) == 10
    assert fmt_volume(950) == "950" and fmt_volume(12_345) == "12.3K"
    lo, hi, step = nice_range(63_950.0, 64_410.0, 24)
    assert lo <= 63_950.0 and hi >= 64_410.0 and step in (50.0, 100.0)
    assert lo % (step / 2) == 0 and hi % (step / 2) == 0
    assert time_label(1_767_270_840_000, 3_600_000) == "12:34"
    assert time_label(1_767_225_600_000 + 86_400_000, 3_600_000) == "01-02"
    assert time_label(1_767_225_600_000, 86_400_000) == "2026"
