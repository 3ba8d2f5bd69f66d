from __future__ import annotations

import polars as pl

from hedgetui.analytics.indicator_spec import apply_indicators
from hedgetui.charts import chart_status_line
from hedgetui.charts.scale import fmt_volume, nice_range, price_decimals, time_label
from hedgetui.charts.status import chart_status_lines

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


def _ema_rsi(base: float = 95_000.0) -> pl.DataFrame:
    return apply_indicators(candles(120, base=base), "ema:20,rsi:14")


def _values(df: pl.DataFrame, index: int, decimals: int) -> list[str]:
    """Every number the readout must show, as the compact form writes it."""
    row = df.row(index, named=True)
    prices = [row[c] for c in ("open", "high", "low", "close", "ema_20")]
    return [f"{p:.{decimals}f}" for p in prices] + [f"{row['rsi_14']:.1f}"]


def test_status_line_at_120_columns_keeps_the_full_form():
    df = _ema_rsi()
    full = chart_status_line(df, -3, 1)
    assert len(full) <= 120
    assert chart_status_line(df, -3, 1, width=120) == full
    assert full.startswith("2026-01-05 21:00 UTC  O 95,166.4 H 95,191.4")
    assert "  EMA(20) 94,907.1  RSI(14) 64.1" in full
    moved = chart_status_line(df, -3, 1, width=120, cursor_price=95_250.0)
    assert moved == full + "  @95,250.0"


def test_status_line_at_80_columns_shows_every_value():
    df = _ema_rsi()
    for index in (-1, -3, 60):
        for cursor in (None, 95_250.0):
            line = chart_status_line(df, index, 1, width=78, cursor_price=cursor)  # 80 - padding
            assert len(line) <= 78 and "…" not in line, line
            for value in _values(df, index, 1):
                assert value in line, (value, line)
            assert ("@95250.0" in line) == (cursor is not None)
    # short labels, no separators, the time without the date
    assert chart_status_line(df, -3, 1, width=78) == (
        "21:00 O 95166.4 H 95191.4 L 95083.2 C 95118.2 V 29 EMA20 94907.1 RSI14 64.1"
    )


def test_status_wraps_onto_a_second_line_where_there_is_room():
    df = _ema_rsi()
    lines = chart_status_lines(df, -3, 1, width=70, max_lines=2, cursor_price=95_250.0)
    assert lines == [
        "01-05 21:00 O 95,166.4 H 95,191.4 L 95,083.2 C 95,118.2 V 29",
        "EMA(20) 94,907.1 RSI(14) 64.1 @95,250.0",
    ]
    one = chart_status_lines(df, -3, 1, width=74, cursor_price=95_250.0)  # no room: 1 line
    assert one == ["O95166.4 H95191.4 L95083.2 C95118.2 V29 EMA20 94907.1 RSI14 64.1 @95250.0"]
    many = apply_indicators(candles(120, base=95_000.0), "ema:20,bbands,rsi:14,macd")
    wrapped = chart_status_lines(many, -3, 1, width=78, max_lines=2)
    assert len(wrapped) == 2 and all(len(s) <= 78 for s in wrapped)
    assert "BB20,2 " in wrapped[1] and "MACD12,26,9 " in wrapped[1]
    # nothing fits: cut, and the cut is marked
    tiny = chart_status_lines(many, -3, 1, width=40)
    assert len(tiny) == 1 and len(tiny[0]) == 40 and tiny[0].endswith("…")


def test_status_line_daily_candles_show_dates():
    df = apply_indicators(candles(60, step=86_400_000), "ema:20")
    assert chart_status_line(df, -1, 1, width=64).startswith("03-01 O ")
    assert chart_status_line(df, -1, 1).startswith("2026-03-01 UTC  O ")
