"""Lines outside the price range are marked at the panel's edge; the crosshair's own price."""

from __future__ import annotations

import dataclasses

from hedgetui.charts import HLine, LineKind, render_chart, with_cursor
from hedgetui.charts.annotate import offscreen_marks

from .conftest import candles, cell, view


def _lines():
    return (
        HLine(64_000.0, LineKind.ENTRY, "entry long 1"),  # inside the range
        HLine(70_000.0, LineKind.SELL, "sell 1 main"),
        HLine(66_000.0, LineKind.DRAWING, "lvl-a"),
        HLine(50_000.0, LineKind.BUY, "buy 2 alt"),
    )


def test_lines_outside_the_range_are_marked_at_the_edges():
    r = render_chart(candles(150), view(hlines=_lines()))
    lay = r.layout
    price = lay.price
    assert {h.label for h in lay.offscreen_lines} == {"sell 1 main", "lvl-a", "buy 2 alt"}
    top, bottom = r.plain[price.top], r.plain[price.top + price.rows - 1]
    # nearest first: the drawing at 66,000 before the sell order at 70,000
    assert top.startswith("  ▲ 66,000.0 lvl-a   ▲ 70,000.0 sell 1 main ")
    assert bottom.startswith("  ▼ 50,000.0 buy 2 alt ")
    # in the line's colour (as its price tag), so a buy/sell/drawing is told apart
    assert cell(r, price.top, 2)[1].bgcolor.number == 51  # drawing: cyan
    assert cell(r, price.top + price.rows - 1, 2)[1].bgcolor.number == 41  # buy: green
    # the line inside the range is drawn normally, not marked
    assert "entry long 1" in r.plain[lay.price_to_row(64_000.0)]
    assert "64,000" not in top + bottom


def test_offscreen_marks_fit_the_width_and_count_the_rest():
    many = tuple(HLine(70_000.0 + 1000 * i, LineKind.DRAWING, f"level {i}") for i in range(12))
    r = render_chart(candles(150), view(hlines=many, width=60))
    above, below = offscreen_marks(r._plan, r.layout.canvas_width - 2)
    assert below == []
    assert above[0] == ("▲ 70,000.0 level 0", LineKind.DRAWING)
    shown = len(above) - 1
    assert above[-1] == (f"+{12 - shown}", None)
    assert sum(len(t) + 3 for t, _ in above) <= r.layout.canvas_width - 2
    top = r.plain[r.layout.price.top]
    assert top[: r.layout.canvas_width].rstrip().endswith(f"+{12 - shown}")


def test_crosshair_at_its_own_price_equals_a_full_render():
    frame = candles(150)
    base = view(window=100)
    rendered = render_chart(frame, base)
    lay = rendered.layout
    level = lay.price.value_at(lay.price.top + 3)  # near the top, far from any close
    moved = with_cursor(rendered, -10, level)
    full = render_chart(frame, dataclasses.replace(base, cursor=-10, cursor_price=level))
    assert moved.lines == full.lines
    line = lay.price_to_row(level)
    assert moved.plain[line][lay.gutter :].strip() == f"{level:,.{lay.decimals}f}"  # its tag
    assert "╌" in moved.plain[line]
    # None: back at the close under the cursor
    close = frame["close"][-10]
    assert with_cursor(moved, -10, None).lines == with_cursor(rendered, -10).lines
    assert with_cursor(moved, -10, None).plain[lay.price_to_row(close)].count("╌") > 0
    # keeping the price by default
    assert with_cursor(moved, -11).view.cursor_price == level


def test_label_spaces_are_not_filled_by_other_lines():
    # the last price at the entry line's level used to fill the label's spaces with ┈
    frame = candles(150)
    close = frame["close"][-1]
    r = render_chart(frame, view(hlines=(HLine(close, LineKind.ENTRY, "entry long 1"),)))
    assert " entry long 1 " in r.plain[r.layout.price_to_row(close)]


def test_marks_leave_the_label_of_a_line_on_the_edge_row():
    frame = candles(150)
    r = render_chart(frame, view())
    price = r.layout.price
    edge = price.value_at(price.top + price.rows - 1)  # a line on the bottom row
    lines = (HLine(edge, LineKind.BUY, "buy 0.2 perps"), HLine(50_000.0, LineKind.SELL, "s 1"))
    r = render_chart(frame, view(hlines=lines))
    bottom = r.plain[r.layout.price.top + r.layout.price.rows - 1]
    assert bottom.startswith("╌ buy 0.2 perps ╌ ▼ 50,000.0 s 1 ")


def test_lines_sharing_a_row_keep_both_labels_readable():
    r = render_chart(candles(150), view(hlines=_lines()[:1]))
    row = r.layout.price_to_row(64_000.0)
    close = HLine(r.layout.price.value_at(row), LineKind.DRAWING, "resist")
    assert r.layout.price_to_row(close.price) == row  # the same row at this height
    both = render_chart(candles(150), view(hlines=(_lines()[0], close)))
    text = both.plain[row]
    assert " entry long 1 " in text and " resist " in text  # side by side, not overwritten
