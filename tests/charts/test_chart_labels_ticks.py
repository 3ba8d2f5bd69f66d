"""Trend-line labels and the fixed scales of bounded oscillators (RSI, Stochastic)."""

from __future__ import annotations

import pytest

from hedgetui.charts import TrendLine, render_chart, split_indicators
from hedgetui.charts.layout import fixed_ticks

from .conftest import candles, view


def test_trend_line_label_sits_right_of_its_later_point():
    frame = candles(200)
    ts, closes = frame["ts"].to_list(), frame["close"].to_list()
    t = TrendLine(ts[-40], closes[-40], ts[-10], closes[-10], "wedge top")
    r = render_chart(frame, view(trendlines=(t,), window=60, last_price_line=False))
    lay = r.layout
    line = lay.price_to_row(t.p2)
    col = lay.column_of(frame.height - 10)
    assert r.plain[line][col + 1 : col + 1 + len(" wedge top ")] == " wedge top "
    unlabelled = render_chart(frame, view(trendlines=(TrendLine(t.t1, t.p1, t.t2, t.p2),),
                                          window=60, last_price_line=False))  # fmt: skip
    assert "wedge top" not in "\n".join(unlabelled.plain)


@pytest.mark.parametrize("rows", range(1, 12))
def test_fixed_ticks_never_share_a_row(rows):
    for levels in ((30.0, 70.0), (20.0, 80.0)):
        ticks, guides = fixed_ticks(0.0, 100.0, levels, rows)
        lay_rows = {round(t / 100 * (rows - 1)) if rows > 1 else 0 for t in ticks}
        assert len(lay_rows) == len(ticks)  # one label per row: nothing to pick between
        assert guides in ((), levels)
    # enough room: the classic levels, labelled and guided
    assert fixed_ticks(0.0, 100.0, (30.0, 70.0), 8) == ((30.0, 70.0), (30.0, 70.0))
    # a 3-row panel: 30 and 70 both land on the middle row, whose value is 50
    assert fixed_ticks(0.0, 100.0, (30.0, 70.0), 3) == ((50.0,), ())


@pytest.mark.parametrize("height", [14, 16, 18, 20, 24, 30, 40])
def test_rsi_and_stoch_scales_are_stable_at_every_height(height):
    frame = candles(150)
    for spec in ("rsi:14", "stoch"):
        _, osc = split_indicators(spec)
        v = view(width=80, height=height, oscillators=osc)
        first, second = render_chart(frame, v), render_chart(frame.head(149), v)
        panel = first.layout.panels[-1]
        if panel.spec is None:
            continue  # no room for the panel at this height
        assert (panel.lo, panel.hi) == (0.0, 100.0)
        # the labels depend on the panel's size only, never on the data
        assert panel.tick_labels == second.layout.panels[-1].tick_labels
        gutter = first.layout.gutter
        shown = [first.plain[r][gutter:].strip() for r in range(panel.top, panel.top + panel.rows)]
        labels = [s.lstrip("├┤│ ") for s in shown if s.lstrip("├┤│ ")]
        assert sorted(labels) == sorted(panel.tick_labels)
