"""The plotext part: frame, scales, time axis, candles, volume, indicator lines, trend lines.

Everything except the latest candle's own marks (when it is visible): those belong to the live
layer (:mod:`hedgetui.charts.live`), which draws them with plotext's own rasterising rules on
top of this base -- so a tick of the live candle never needs plotext again.
"""

from __future__ import annotations

import bisect

from hedgetui.charts._px import NO_COLOR, colors_to_ansi, new_figure
from hedgetui.charts.grid import Grid
from hedgetui.charts.layout import Panel, Plan
from hedgetui.charts.palette import Palette, is_bar_column, series_colors, series_markers
from hedgetui.domain.models import timeframe_ms

__all__ = ["draw_base", "ts_to_x", "WICK"]

WICK = "│"
_RIGHT = "right"


def ts_to_x(plan: Plan, t: int, tf: int) -> float:
    """x (slot units) of a time that need not be a candle time: interpolated between the
    surrounding candles, extrapolated by the timeframe beyond the visible ones."""
    ts, slots = plan.vis["ts"], plan.slots
    if t <= ts[0]:
        return slots[0] - (ts[0] - t) / tf
    if t >= ts[-1]:
        return slots[-1] + (t - ts[-1]) / tf
    i = bisect.bisect_left(ts, t)
    if ts[i] == t:
        return slots[i]
    a, b = ts[i - 1], ts[i]
    return slots[i - 1] + (slots[i] - slots[i - 1]) * (t - a) / (b - a)


def _runs(xs: list[float], ys: list) -> list[tuple[list[float], list[float]]]:
    """Contiguous non-null stretches of a series (warm-up nulls are not drawn)."""
    out, cx, cy = [], [], []
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            if cx:
                out.append((cx, cy))
            cx, cy = [], []
        else:
            cx.append(x)
            cy.append(y)
    if cx:
        out.append((cx, cy))
    return out


def _frame(sub, plan: Plan, panel: Panel, k: int, last: bool, palette: Palette) -> None:
    lay = plan.layout
    gutter_w = lay.width - lay.gutter
    sub.plot_size(lay.width, panel.sub_height)
    sub.theme("clear")
    sub.ticks_color(palette.color("axis"))
    sub.xaxes(True, k == 0)
    sub.yaxes(False, True)
    sub.xlim(*lay.x_lim)
    sub.ylim(panel.lo, panel.hi, yside=_RIGHT)
    sub.yticks(list(panel.ticks), [s.ljust(gutter_w) for s in panel.tick_labels], yside=_RIGHT)
    if last:
        sub.xticks([x for x, _ in plan.x_ticks], [s for _, s in plan.x_ticks])
    else:
        sub.xticks([], [])
    # an invisible first point: the right axis must count as used even in an empty panel
    sub.monitor.draw([lay.x_lim[0]], [panel.lo], yside=_RIGHT, marker=" ", color=NO_COLOR)


def _candles(mon, plan: Plan, n: int, palette: Palette) -> None:
    v, slots = plan.vis, plan.slots
    for i in range(n):
        o, h, lo, c = v["open"][i], v["high"][i], v["low"][i], v["close"][i]
        up = c >= o
        color = palette.color("up" if up else "down")
        bot, top = min(o, c), max(o, c)
        x = [slots[i], slots[i]]
        mon.draw(x, [top, h], yside=_RIGHT, lines=True, marker=WICK, color=color)
        mon.draw(x, [lo, bot], yside=_RIGHT, lines=True, marker=WICK, color=color)
        mon.draw(x, [bot, top], yside=_RIGHT, lines=True, marker=palette.body(up), color=color)


def _bars(mon, xs, ys, up_of, palette: Palette, fill) -> None:
    """Bars from the fill level (plotext scatter with fillx), one signal per colour."""
    for up in (True, False):
        pts = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None and up_of(x, y) is up]
        if pts:
            mon.draw([p[0] for p in pts], [p[1] for p in pts], yside=_RIGHT, lines=False,
                     marker=palette.body(up), color=palette.color("vol_up" if up else "vol_down"),
                     fillx=fill)  # fmt: skip


def _lines(mon, xs, columns, vis, n, colors, markers, palette: Palette) -> None:
    for col in columns:
        if is_bar_column(col):
            ys = vis[col][:n]
            _bars(mon, xs, ys, lambda x, y: y >= 0, palette, 0)
            continue
        for rx, ry in _runs(xs, vis[col][:n]):
            mon.draw(rx, ry, yside=_RIGHT, lines=True, marker=markers[col], color=colors[col])


def draw_base(plan: Plan, palette: Palette) -> Grid:
    view, lay = plan.view, plan.layout
    n = len(plan.slots) - (1 if plan.live else 0)  # candles drawn here
    xs = plan.slots[:n]
    colors = series_colors(view.overlays, view.oscillators, palette)
    markers = series_markers(view.overlays, view.oscillators, palette)
    fig = new_figure(lay.width, lay.height)
    fig.subplots(len(lay.panels), 1)
    for k, panel in enumerate(lay.panels):
        sub = fig.subplot(k + 1, 1)
        _frame(sub, plan, panel, k, k == len(lay.panels) - 1, palette)
        mon = sub.monitor
        if panel.key == "price":
            _candles(mon, plan, n, palette)
            cols = [c for s in view.overlays for c in s.columns]
            _lines(mon, xs, cols, plan.vis, n, colors, markers, palette)
            tf = timeframe_ms(view.timeframe)
            for t in view.trendlines:
                mon.draw([ts_to_x(plan, t.t1, tf), ts_to_x(plan, t.t2, tf)], [t.p1, t.p2],
                         yside=_RIGHT, lines=True, marker=palette.line_marker(),
                         color=palette.color("drawing"))  # fmt: skip
        elif panel.key == "volume":
            opens, closes = plan.vis["open"], plan.vis["close"]
            ups = {x: closes[i] >= opens[i] for i, x in enumerate(xs)}
            _bars(mon, xs, plan.vis["volume"][:n], lambda x, _y, u=ups: u[x], palette, True)
        else:
            _lines(mon, xs, list(panel.spec.columns), plan.vis, n, colors, markers, palette)
    fig._set_sizes()
    fig._build_matrix()
    _check_geometry(fig, lay)
    return _grid(fig.monitor.matrix)


def _grid(matrix) -> Grid:
    """plotext's matrix (row 0 at the bottom) as a top-down grid of (char, SGR) cells."""
    chars, sgrs = [], []
    for r in range(matrix.rows - 1, -1, -1):
        chars.append(list(matrix.marker[r]))
        fg, st, bg = matrix.fullground[r], matrix.style[r], matrix.background[r]
        sgrs.append([colors_to_ansi(fg[c], st[c], bg[c]) for c in range(matrix.cols)])
    return Grid(chars, sgrs)


def _check_geometry(fig, lay) -> None:
    """The layout predicts where plotext puts each canvas; a different plotext would break
    the live layer silently, so fail loudly instead."""
    line = 0
    for k, panel in enumerate(lay.panels):
        m = fig._get_subplot(k + 1, 1).monitor.matrix
        rows = m.Rows_canvas
        top = line + m.rows - rows.stop
        if (top, len(rows), m.Cols_canvas) != (panel.top, panel.rows, range(lay.canvas_width)):
            raise RuntimeError(
                f"plotext placed panel {panel.key} at lines {top}+{len(rows)}, columns "
                f"{m.Cols_canvas}; expected {panel.top}+{panel.rows}, 0..{lay.canvas_width} "
                "(plotext version other than 5.3.x?)"
            )
        line += m.rows
