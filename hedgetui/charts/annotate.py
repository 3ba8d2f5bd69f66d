"""Marks drawn over plotext's base that don't depend on the live candle: panel titles in the
frame lines, RSI/stoch guide levels, gap markers, horizontal lines with their price tags.

Lines and markers only take blank plot cells, so candles and indicator lines stay on top
(as in plotext, where user lines are drawn under the data).
"""

from __future__ import annotations

from hedgetui.charts._px import to_cells
from hedgetui.charts.grid import Grid
from hedgetui.charts.layout import Panel, Plan
from hedgetui.charts.palette import LINE_GLYPH, Palette, is_bar_column, series_colors
from hedgetui.charts.plot import ts_to_x
from hedgetui.charts.scale import fmt_price
from hedgetui.charts.view import LineKind
from hedgetui.domain.models import timeframe_ms

__all__ = ["annotate", "hline_on_blanks", "offscreen_marks", "tag"]

GAP_MARK = "┊"
LEVEL_MARK = "┄"
ABOVE_MARK, BELOW_MARK = "▲", "▼"


def hline_on_blanks(grid: Grid, line: int, width: int, char: str, sgr: str) -> None:
    """``char`` on the blank cells of ``line``; the spaces of labels (styled) stay blank."""
    row, srow = grid.chars[line], grid.sgrs[line]
    for c in range(width):
        if row[c] == " " and not srow[c]:
            row[c] = char
            srow[c] = sgr


def vline_on_blanks(grid: Grid, col: int, panels, char: str, sgr: str) -> None:
    for p in panels:
        for line in range(p.top, p.top + p.rows):
            if grid.chars[line][col] == " " and not grid.sgrs[line][col]:
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
    label_col: dict[int, int] = {}  # lines sharing a row put their labels side by side
    for h in view.hlines:
        line = price.row_of(h.price)
        if line is None:
            continue  # listed in layout.offscreen_lines
        hline_on_blanks(grid, line, lay.canvas_width, LINE_GLYPH[h.kind], palette.sgr(h.kind))
        tag(grid, plan, line, h.price, palette.sgr(h.kind, tag=True))
        label = h.label or ("" if h.kind is LineKind.DRAWING else str(h.kind))
        if label:
            col = label_col.get(line, 1)
            grid.text(line, col, f" {label} ", palette.sgr(h.kind), lay.canvas_width)
            label_col[line] = col + len(label) + 3
    _offscreen(grid, plan, palette)
    _trend_labels(grid, plan, palette)


def offscreen_marks(plan: Plan, width: int) -> tuple[list, list]:
    """(above, below): the horizontal lines outside the price range as [(text, kind)],
    nearest first, e.g. ("▲ 65,000 sell 0.5 main", SELL), within ``width`` columns (the
    ones that don't fit are counted in a last "+N")."""
    lay = plan.layout
    price = lay.price
    mid = (price.lo + price.hi) / 2
    above = sorted((h for h in lay.offscreen_lines if h.price > mid), key=lambda h: h.price)
    below = sorted((h for h in lay.offscreen_lines if h.price <= mid), key=lambda h: -h.price)
    out = []
    for mark, lines in ((ABOVE_MARK, above), (BELOW_MARK, below)):
        items, used = [], 0
        for k, h in enumerate(lines):
            label = h.label or ("" if h.kind is LineKind.DRAWING else str(h.kind))
            text = f"{mark} {fmt_price(h.price, lay.decimals)} {label}".rstrip()
            rest = len(lines) - k - 1
            reserve = len(f"+{rest}") + 3 if rest else 0
            if used + len(text) + 3 + reserve > width:
                if items:
                    items.append((f"+{len(lines) - k}", None))
                    break
                text = text[: max(1, width - reserve - 3)]
            items.append((text, h.kind))
            used += len(text) + 3  # padded, one blank between marks
        out.append(items)
    return out[0], out[1]


def _offscreen(grid: Grid, plan: Plan, palette: Palette) -> None:
    """Lines outside the price range are marked at the top or bottom edge of the price panel,
    so the trader knows an order or a level is there."""
    lay = plan.layout
    price = lay.price
    starts = {}  # after the label of a line drawn on that edge row
    for h in plan.view.hlines:
        line = price.row_of(h.price)
        label = h.label or ("" if h.kind is LineKind.DRAWING else str(h.kind))
        if line is not None and label:
            starts[line] = max(starts.get(line, 1), len(label) + 4)
    edges = (price.top, price.top + price.rows - 1)
    room = lay.canvas_width - 2 - max(starts.get(e, 1) for e in edges) + 1
    above, below = offscreen_marks(plan, room)
    for line, items in zip(edges, (above, below), strict=True):
        col = starts.get(line, 1)
        for text, kind in items:
            sgr = palette.sgr(kind, tag=True) if kind is not None else palette.sgr("axis")
            grid.text(line, col, f" {text} ", sgr, lay.canvas_width)
            col += len(text) + 3


def _trend_labels(grid: Grid, plan: Plan, palette: Palette) -> None:
    """Each labelled trend line's label just right of its later point (kept inside the
    plot), when that point is within the price range."""
    lay, price = plan.layout, plan.layout.price
    tf = timeframe_ms(plan.view.timeframe)
    for t in plan.view.trendlines:
        if not t.label:
            continue
        ts, p = (t.t2, t.p2) if t.t2 >= t.t1 else (t.t1, t.p1)
        line = price.row_of(p)
        if line is None:
            continue
        col = to_cells([ts_to_x(plan, ts, tf)], lay.x_lim, lay.canvas_width)[0]
        text = f" {t.label} "
        start = max(0, min(col + 1, lay.canvas_width - len(text)))
        grid.text(line, start, text, palette.sgr("drawing"), lay.canvas_width)
