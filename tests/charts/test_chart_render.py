from __future__ import annotations

import dataclasses
import threading

import polars as pl
import pytest

from hedgetui.charts import HLine, LineKind, TrendLine, render_chart, split_indicators
from hedgetui.charts.scale import fmt_price

from .conftest import HOUR, T0, candles, cell, view

OV, OSC = split_indicators("ema:20,bbands:20:2,rsi:14")


@pytest.fixture(scope="module")
def full(frame):
    return render_chart(frame, view(overlays=OV, oscillators=OSC))


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (20, 8), (200, 60)])
def test_exact_size(frame, size):
    w, h = size
    r = render_chart(frame, view(width=w, height=h, overlays=OV, oscillators=OSC))
    assert r.has_chart
    assert len(r.lines) == h == len(r.plain)
    assert {len(line) for line in r.plain} == {w}
    assert len(r.text.plain.split("\n")) == h


def test_candles_are_coloured_up_green_down_red(frame, full):
    lay = full.layout
    seen = set()
    for i in range(lay.first, lay.last + 1):
        row = frame.row(i, named=True)
        if abs(row["close"] - row["open"]) < 40:
            continue
        line = lay.price_to_row((row["open"] + row["close"]) / 2)
        char, style = cell(full, line, lay.column_of(i))
        if char != "█":
            continue  # another candle drawn later in the same column
        up = row["close"] >= row["open"]
        assert style.color.number == (36 if up else 203)
        seen.add(up)
    assert seen == {True, False}


def test_mono_is_plain_text_and_tells_up_from_down(frame):
    r = render_chart(frame, view(color="mono", window=40))
    assert not any("\x1b" in line for line in r.lines)
    lay = r.layout
    bodies = set()
    for i in range(lay.first, lay.last + 1):
        row = frame.row(i, named=True)
        if abs(row["close"] - row["open"]) < 60:
            continue
        line = lay.price_to_row((row["open"] + row["close"]) / 2)
        bodies.add((row["close"] >= row["open"], r.plain[line][lay.column_of(i)]))
    assert bodies == {(True, "░"), (False, "█")}


def test_overlays_and_oscillator_panel_have_labels(full):
    assert "EMA(20)" in full.plain[0] and "BBANDS(20,2)" in full.plain[0]
    keys = [p.key for p in full.layout.panels]
    assert keys == ["price", "volume", "RSI(14)"]
    rsi = full.layout.panel("RSI(14)")
    assert "RSI(14)" in full.plain[rsi.top - 1]
    assert "VOL" in full.plain[full.layout.panel("volume").top - 1]
    # RSI 30/70 guide levels sit on their rows, labelled in the scale
    for level in (30, 70):
        line = rsi.row_of(level)
        assert full.plain[line][full.layout.gutter :].strip() == str(level)
    # indicator lines are drawn in the price panel and the RSI panel
    price = full.layout.price
    price_text = "".join(full.plain[price.top : price.top + price.rows])
    assert price_text.count("•") > 50
    assert "•" in "".join(full.plain[rsi.top : rsi.top + rsi.rows])


def test_indicators_use_history_before_the_view(frame, full):
    lay = full.layout
    assert lay.first > 20  # history exists before the window
    ema = full.data["ema_20"]
    assert ema[lay.first] is not None
    price = lay.price
    left = [full.plain[ln][: lay.columns[3]] for ln in range(price.top, price.top + price.rows)]
    assert "•" in "".join(left)


def test_price_scale_matches_plotext_ticks(full):
    price, lay = full.layout.price, full.layout
    for tick, label in zip(price.ticks, price.tick_labels, strict=True):
        line = price.row_of(tick)
        assert full.plain[line][lay.gutter :].strip() == label
        assert full.plain[line][lay.gutter - 1] == "├"
    assert full.layout.row_to_price(price.row_of(price.ticks[0])) == pytest.approx(
        price.ticks[0], abs=(price.hi - price.lo) / price.rows
    )


def test_horizontal_lines_at_their_rows_with_tags(frame):
    last = frame["close"][-1]
    lines = (
        HLine(last - 250, LineKind.BUY, "buy 0.5 main"),
        HLine(last + 250, LineKind.SELL),
        HLine(last - 120, LineKind.ENTRY),
        HLine(last + 120, LineKind.DRAWING),
        HLine(last * 3, LineKind.ALERT),  # far outside the range
    )
    r = render_chart(frame, view(hlines=lines, last_price_line=False, window=60))
    lay = r.layout
    price = lay.price
    expected = {
        LineKind.BUY: ("╌", 41), LineKind.SELL: ("╌", 197), LineKind.ENTRY: ("═", 220),
        LineKind.DRAWING: ("─", 51),
    }  # fmt: skip
    for h in lines[:4]:
        line = lay.price_to_row(h.price)
        # the mapping is plotext's: centre of row 0 is lo, centre of the top row is hi
        c = int(0.5 + (price.rows - 1) * (h.price - price.lo) / (price.hi - price.lo))
        assert line == price.top + price.rows - 1 - c
        glyph, color = expected[h.kind]
        assert r.plain[line].count(glyph) > 10
        tag = fmt_price(h.price, lay.decimals)
        assert r.plain[line][lay.gutter :].strip() == tag
        assert cell(r, line, lay.gutter)[1].bgcolor.number == color
    buy_line = lay.price_to_row(lines[0].price)
    assert " buy 0.5 main " in r.plain[buy_line]
    assert lay.offscreen_lines == (lines[4],)


def test_trend_line_is_drawn(frame):
    ts = frame["ts"].to_list()
    closes = frame["close"].to_list()
    t = TrendLine(ts[-50], closes[-50] + 300, ts[-5], closes[-5] + 300)
    r = render_chart(frame, view(trendlines=(t,), window=60, last_price_line=False))
    lay = r.layout
    line = lay.price_to_row(t.p1)
    char, style = cell(r, line, lay.column_of(frame.height - 50))
    assert char == "•" and style.color.number == 51


def test_missing_candle_leaves_a_visible_gap(frame):
    gappy = frame.filter(pl.col("ts") != frame["ts"][-30])
    r = render_chart(gappy, view(window=60))
    (gap,) = r.layout.gaps
    assert (gap.start, gap.end, gap.missing) == (frame["ts"][-30], frame["ts"][-29], 1)
    cols = r.layout.columns
    i = r.layout.ts.index(gap.end)
    spacing = [b - a for a, b in zip(cols[: i - 1], cols[1:i], strict=True)]
    assert cols[i] - cols[i - 1] > max(spacing)
    price = r.layout.price
    marks = [r.plain[ln][gap.column] for ln in range(price.top, price.top + price.rows)]
    assert "┊" in marks
    assert render_chart(frame, view(window=60)).layout.gaps == ()


def test_forex_weekend_is_not_a_gap():
    # EUR/USD 1h: Friday 2026-01-02 21:00 to Sunday 2026-01-04 22:00 UTC closed
    fx = candles(24 * 7, base=1.08)
    friday_close = T0 + (24 + 21) * HOUR
    sunday_open = T0 + (72 + 22) * HOUR
    fx = fx.filter((pl.col("ts") < friday_close) | (pl.col("ts") >= sunday_open))
    fx_view = view(symbol="EUR/USD", exchange="oanda", window=120)
    assert render_chart(fx, dataclasses.replace(fx_view, forex=True)).layout.gaps == ()
    (gap,) = render_chart(fx, fx_view).layout.gaps  # as crypto it is a gap
    assert (gap.start, gap.end) == (friday_close, sunday_open)


def test_time_axis_labels(frame, full):
    bottom = full.plain[full.layout.time_row]
    assert "12:00" in bottom or "00:00" in bottom or "-" in bottom
    daily = candles(120, step=86_400_000)
    r = render_chart(daily, view(timeframe="1d", window=120))
    labels = r.plain[r.layout.time_row].split()
    assert labels and all(len(s) in (4, 5, 7) for s in labels)  # MM-DD, YYYY or YYYY-MM


def test_deterministic(frame):
    v = view(overlays=OV, oscillators=OSC, cursor=-10, hlines=(HLine(64_000.0),))
    assert render_chart(frame, v).lines == render_chart(frame, v).lines


def test_threads_render_the_same(frame):
    v = view(overlays=OV, oscillators=OSC, width=100, height=30)
    expected = render_chart(frame, v).lines
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(render_chart(frame, v).lines))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 3


def test_empty_and_too_small(frame):
    empty = render_chart(frame.head(0), view())
    assert not empty.has_chart
    assert empty.message == "no candles for BTC/USDT 1h in the store yet"
    assert len(empty.lines) == 40 and any(empty.message in s for s in empty.plain)
    small = render_chart(frame, view(width=19, height=8))
    assert small.message.startswith("terminal too small for a chart")
    assert len(small.plain) == 8 and {len(s) for s in small.plain} == {19}


def test_bad_input_messages(frame):
    with pytest.raises(ValueError, match="lacks volume"):
        render_chart(frame.drop("volume"), view())
    with pytest.raises(ValueError, match="unknown timeframe"):
        view(timeframe="2h")
    with pytest.raises(ValueError, match="put it in oscillators"):
        view(overlays=OSC)
    with pytest.raises(ValueError, match="colour mode"):
        view(color="8")


def test_pan_and_zoom(frame):
    r = render_chart(frame, view(window=50, offset=30))
    assert (r.layout.first, r.layout.last) == (frame.height - 80, frame.height - 31)
    assert len(r.layout.columns) == 50
    clamped = render_chart(frame, view(window=50, offset=10_000))
    assert clamped.layout.last == 0
    short = render_chart(frame.head(10), view(window=100))
    assert short.layout.columns[-1] > 90  # few candles keep the zoom, at the right


def test_all_oscillators_and_colour_modes(frame):
    ov, osc = split_indicators("sma:10,wma:10,vwap,macd,stoch,atr")
    for mode in ("16", "truecolor"):
        r = render_chart(frame, view(overlays=ov, oscillators=osc, color=mode, height=70))
        assert [p.key for p in r.layout.panels][2:] == ["MACD(12,26,9)", "STOCH(5,3,3)", "ATR(14)"]
    cramped = render_chart(frame, view(overlays=ov, oscillators=osc, height=24))
    assert [p.key for p in cramped.layout.panels] == ["price", "volume", "MACD(12,26,9)"]
    assert [s.label for s in cramped.layout.hidden_oscillators] == ["STOCH(5,3,3)", "ATR(14)"]
    assert "no room for STOCH(5,3,3), ATR(14)" in cramped.plain[0]
