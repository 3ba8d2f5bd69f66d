"""The live layer: everything that moves with the latest candle or the cursor.

The latest candle (when visible), the last segment of each indicator line, its volume bar,
the last-price line and tag, and the crosshair. Cells are placed with plotext's own mapping
and line rasterising (``_px``), so they look exactly like the rest, and they are drawn on a
copy of the cached base: a live tick or a cursor move costs a copy plus these few cells.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hedgetui.analytics.indicators import DAY_MS
from hedgetui.charts._px import line_cells
from hedgetui.charts.annotate import hline_on_blanks, tag, vline_on_blanks
from hedgetui.charts.grid import Grid
from hedgetui.charts.layout import Panel, Plan
from hedgetui.charts.palette import Palette, is_bar_column, series_colors, series_markers
from hedgetui.charts.plot import WICK
from hedgetui.domain.models import timeframe_ms

__all__ = ["draw_live", "resolve_index"]

LAST_PRICE_MARK = "┈"
CURSOR_V = "┆"
CURSOR_H = "╌"


def resolve_index(index: int | None, n: int) -> int | None:
    """Absolute row for a possibly negative index; None when out of range."""
    if index is None or not -n <= index < n:
        return None
    return index % n


def _put(grid: Grid, panel: Panel, width: int, cells, char: str, sgr: str) -> None:
    for x, y in cells:  # plotext's canvas coordinates, clipped like remove_outsiders()
        if 0 <= x < width and 0 <= y < panel.rows:
            grid.put(panel.top + panel.rows - 1 - y, x, char, sgr)


def _bar(grid, panel, width, col, value, char, sgr) -> None:
    """plotext's fillx: cells from the zero level to the value (fill_data)."""
    y, level = panel.cell_of(value), panel.cell_of(0.0)
    ys = range(level, y + 1) if level < y else range(y, level) if level > y else [level]
    _put(grid, panel, width, [(col, v) for v in ys], char, sgr)


def _tail(grid, plan: Plan, panel: Panel, col: str, color, marker, palette: Palette) -> None:
    lay, vis = plan.layout, plan.vis
    cur = vis[col][-1]
    if cur is None:
        return
    prev = vis[col][-2] if len(vis[col]) > 1 else None
    sgr = palette.sgr_of(color)
    if prev is None:
        cells = [(lay.columns[-1], panel.cell_of(cur))]
    else:
        xs = [lay.columns[-2], lay.columns[-1]]
        cells = line_cells(xs, [panel.cell_of(prev), panel.cell_of(cur)])
    _put(grid, panel, lay.canvas_width, cells, marker, sgr)


def _latest_candle(grid: Grid, plan: Plan, palette: Palette) -> None:
    lay, vis, view = plan.layout, plan.vis, plan.view
    price, col, w = lay.price, lay.columns[-1], lay.canvas_width
    o, h, lo, c = vis["open"][-1], vis["high"][-1], vis["low"][-1], vis["close"][-1]
    up = c >= o
    sgr = palette.sgr("up" if up else "down")
    bot, top = min(o, c), max(o, c)
    for a, b, mark in ((top, h, WICK), (lo, bot, WICK), (bot, top, palette.body(up))):
        _put(grid, price, w, line_cells([col, col], [price.cell_of(a), price.cell_of(b)]),
             mark, sgr)  # fmt: skip
    colors = series_colors(view.overlays, view.oscillators, palette)
    markers = series_markers(view.overlays, view.oscillators, palette)
    for spec in view.overlays:
        for name in spec.columns:
            _tail(grid, plan, price, name, colors[name], markers[name], palette)
    for panel in lay.panels[1:]:
        if panel.key == "volume":
            side = "up" if up else "down"
            _bar(grid, panel, w, col, vis["volume"][-1], palette.body(up),
                 palette.sgr("vol_" + side))  # fmt: skip
            continue
        for name in panel.spec.columns:
            value = vis[name][-1]
            if is_bar_column(name):
                if value is not None:
                    pos = value >= 0
                    _bar(grid, panel, w, col, value, palette.body(pos),
                         palette.sgr("vol_up" if pos else "vol_down"))  # fmt: skip
            else:
                _tail(grid, plan, panel, name, colors[name], markers[name], palette)


def _last_price(grid: Grid, plan: Plan, palette: Palette) -> None:
    latest, lay = plan.latest, plan.layout
    line = lay.price.row_of(latest["close"])
    if line is None:
        return
    role = "up" if latest["close"] >= latest["open"] else "down"
    hline_on_blanks(grid, line, lay.canvas_width, LAST_PRICE_MARK, palette.sgr(role))
    tag(grid, plan, line, latest["close"], palette.sgr(role, tag=True))


def _crosshair(grid: Grid, plan: Plan, palette: Palette) -> None:
    lay = plan.layout
    idx = resolve_index(plan.view.cursor, plan.n)
    col = None if idx is None else lay.column_of(idx)
    if col is None:
        return
    sgr = palette.sgr("cursor")
    vline_on_blanks(grid, col, lay.panels, CURSOR_V, sgr)
    i = idx - lay.first
    level = plan.view.cursor_price
    if level is None:
        level = plan.vis["close"][i]
    line = lay.price.row_of(level)
    if line is not None:
        hline_on_blanks(grid, line, lay.canvas_width, CURSOR_H, sgr)
        tag(grid, plan, line, level, palette.sgr("cursor", tag=True))
    ts = plan.vis["ts"][i]
    form = "%m-%d %H:%M" if timeframe_ms(plan.view.timeframe) < DAY_MS else "%Y-%m-%d"
    text = f" {datetime.fromtimestamp(ts / 1000, UTC).strftime(form)} "
    start = max(0, min(col - len(text) // 2, lay.canvas_width - len(text)))
    # no half-covered axis labels ("08:0") next to it: clear the words it cuts into
    row, left, right = grid.chars[lay.time_row], start, start + len(text)
    while left > 0 and row[left - 1] != " ":
        left -= 1
        grid.put(lay.time_row, left, " ", "")
    while right < lay.canvas_width and row[right] != " ":
        grid.put(lay.time_row, right, " ", "")
        right += 1
    grid.text(lay.time_row, start, text, palette.sgr("cursor", tag=True))


def draw_live(grid: Grid, plan: Plan, palette: Palette) -> None:
    if plan.live:
        _latest_candle(grid, plan, palette)
    if plan.view.last_price_line:
        _last_price(grid, plan, palette)
    if plan.view.cursor is not None:
        _crosshair(grid, plan, palette)
