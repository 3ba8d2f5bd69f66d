"""Marks drawn over plotext's base that don't depend on the live candle: panel titles in the
frame lines, RSI/stoch guide levels, gap markers, horizontal lines with their price tags.

Lines and markers only take blank plot cells, so candles and indicator lines stay on top
(as in plotext, where user lines are drawn under the data).
"""

from __future__ import annotations

from hedgetui.charts.grid import Grid
from hedgetui.charts.layout import Panel, Plan
from hedgetui.charts.palette import LINE_GLYPH, Palette, is_bar_column, series_colors
from hedgetui.charts.scale import fmt_price
from hedgetui.charts.view import LineKind

__all__ = ["annotate", "hline_on_blanks", "tag"]

GAP_MARK = "┊"
LEVEL_MARK = "┄"


def hline_on_blanks(grid: Grid, line: int, width: int, char: str, sgr: str) -> None:
    row, srow = grid.chars[line], grid.sgrs[line]
    for c in range(width):
        if row[c] == " ":
            row[c] = char
            srow[c] = sgr


def vline_on_blanks(grid: Grid, col: int, panels, char: str, sgr: str) -> None:
    for p in panels:
        for line in range(p.top, p.top + p.rows):
            if grid.chars[line][col] == " ":
                grid.chars[line][col] = char
                grid.sgrs[line][col] = sgr


def tag(grid: Grid, plan: Plan, line: int, price: float, sgr: str) -> None:
    """A price tag in the right-hand scale, like TradingView's."""
    lay = plan.layout
    text = fmt_price(price, lay.decimals).ljust(lay.width - lay.gutter)
    grid.text(line, lay.gutter, text, sgr)


def _title(grid: Grid, line: int, parts: list[tuple[str, str]], limit: int) -> None:
    col = 1
    for text, sgr in parts:
        grid.text(line, col, f" {text} ", sgr, limit)
        col += len(text) + 2


def _panel_title(plan: Plan, panel: Panel, palette: Palette, colors: dict) -> list:
    axis = palette.sgr("axis")
    if panel.key == "price":
        parts = [(plan.view.title, axis)]
        for spec in plan.view.overlays:
            parts.append((spec.label, palette.sgr_of(colors[spec.columns[0]])))
        if plan.layout.hidden_oscillators:
            hidden = ", ".join(s.label for s in plan.layout.hidden_oscillators)
            parts.append((f"(no room for {hidden})", axis))
        return parts
    if panel.key == "volume":
        return [("VOL", axis)]
    first = next(c for c in panel.spec.columns if not is_bar_column(c))
    return [(panel.spec.label, palette.sgr_of(colors[first]))]


def annotate(grid: Grid, plan: Plan, palette: Palette) -> None:
    view, lay = plan.view, plan.layout
    colors = series_colors(view.overlays, view.oscillators, palette)
    dim = palette.sgr("dim")
    for panel in lay.panels:
        _title(grid, panel.top - 1, _panel_title(plan, panel, palette, colors), lay.canvas_width)
        for level in panel.levels:
            line = panel.row_of(level)
            if line is not None:
                hline_on_blanks(grid, line, lay.canvas_width, LEVEL_MARK, dim)
    for gap in lay.gaps:
        vline_on_blanks(grid, gap.column, lay.panels, GAP_MARK, dim)
    price = lay.price
    for h in view.hlines:
        line = price.row_of(h.price)
        if line is None:
            continue  # listed in layout.offscreen_lines
        hline_on_blanks(grid, line, lay.canvas_width, LINE_GLYPH[h.kind], palette.sgr(h.kind))
        tag(grid, plan, line, h.price, palette.sgr(h.kind, tag=True))
        label = h.label or ("" if h.kind is LineKind.DRAWING else str(h.kind))
        if label:
            grid.text(line, 1, f" {label} ", palette.sgr(h.kind), lay.canvas_width)
