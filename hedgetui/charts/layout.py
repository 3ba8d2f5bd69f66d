"""Chart layout: which candles are visible, where each lands (columns), the panels' value
ranges and rows. Pure computation; plotext draws with exactly these limits and ticks, so the
mappings here are the ones in the finished text.

Time axis: candles sit on *slots*, one per candle, and a real gap in the data (a missing
candle, per :func:`~hedgetui.analytics.resample.find_gaps`) adds empty slots -- as many as
candles are missing, at most ``MAX_GAP_SLOTS`` so a long outage doesn't squash the view -- and
a dotted marker in every panel, so a gap is visible at any zoom. FX weekend closes are not
gaps when the view says ``forex``.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import polars as pl

from hedgetui.analytics.indicator_spec import IndicatorSpec
from hedgetui.analytics.resample import find_gaps
from hedgetui.charts._px import to_cells
from hedgetui.charts.scale import (
    fmt_price,
    fmt_volume,
    nice_range,
    nice_step,
    price_decimals,
    step_decimals,
    ticks_in,
    time_ticks,
)
from hedgetui.charts.view import ChartView, HLine
from hedgetui.domain.models import timeframe_ms

__all__ = ["MAX_GAP_SLOTS", "ChartLayout", "Gap", "Panel", "Plan", "live_fits", "make_plan"]

MAX_GAP_SLOTS = 3
_FIXED = {"rsi": (0.0, 100.0, (30.0, 70.0)), "stoch": (0.0, 100.0, (20.0, 80.0))}


@dataclass(frozen=True, slots=True)
class Panel:
    """One horizontal band: the price, the volume, or one oscillator. ``top``/``rows`` are
    output lines of its plot area (canvas); values map to rows with plotext's own rule."""

    key: str  # "price", "volume", or the oscillator's label, e.g. "RSI(14)"
    spec: IndicatorSpec | None
    sub_height: int  # lines of the plotext subplot, frame included
    top: int = 0
    rows: int = 0
    lo: float = 0.0
    hi: float = 1.0
    ticks: tuple[float, ...] = ()
    tick_labels: tuple[str, ...] = ()
    levels: tuple[float, ...] = ()  # dotted guide levels (RSI 30/70, stoch 20/80)

    def cell_of(self, value: float) -> int:
        """Canvas row counted from the bottom (plotext's coordinates); may be out of range."""
        return to_cells([value], (self.lo, self.hi), self.rows)[0]

    def row_of(self, value: float | None) -> int | None:
        """Output line of ``value``, or None when it is outside the panel."""
        if value is None or not math.isfinite(value):
            return None
        c = self.cell_of(value)
        return self.top + self.rows - 1 - c if 0 <= c < self.rows else None

    def value_at(self, line: int) -> float | None:
        """The value at the centre of output ``line`` (None outside the panel)."""
        c = self.top + self.rows - 1 - line
        if not 0 <= c < self.rows:
            return None
        if self.rows == 1:
            return (self.lo + self.hi) / 2
        return self.lo + (self.hi - self.lo) * c / (self.rows - 1)


@dataclass(frozen=True, slots=True)
class Gap:
    start: int  # first missing candle time (ms)
    end: int  # next candle present
    missing: int  # candles missing
    column: int  # where the marker is drawn


@dataclass(frozen=True, slots=True)
class ChartLayout:
    """Where things are in the finished text; lines and columns are 0-based."""

    width: int
    height: int
    canvas_width: int  # plot columns are 0 .. canvas_width-1 (all panels share them)
    gutter: int  # first column of the price scale labels at the right
    panels: tuple[Panel, ...]
    first: int  # absolute frame row of the leftmost visible candle
    last: int  # ... and of the rightmost
    ts: tuple[int, ...]  # visible candle times
    columns: tuple[int, ...]  # column of each visible candle
    x_lim: tuple[float, float]
    gaps: tuple[Gap, ...]
    decimals: int  # price decimals of tags and the status line
    time_row: int  # the line with the time labels
    hidden_oscillators: tuple[IndicatorSpec, ...] = ()  # no room for their panels
    offscreen_lines: tuple[HLine, ...] = ()  # horizontal lines outside the price range

    @property
    def price(self) -> Panel:
        return self.panels[0]

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)

    def price_to_row(self, price: float) -> int | None:
        return self.price.row_of(price)

    def row_to_price(self, line: int) -> float | None:
        return self.price.value_at(line)

    def column_of(self, index: int) -> int | None:
        """Column of the candle at absolute frame row ``index`` (None when not visible)."""
        if not self.first <= index <= self.last:
            return None
        return self.columns[index - self.first]

    def index_at(self, column: int) -> int | None:
        """Absolute frame row of the visible candle nearest to ``column``."""
        if not self.columns or not 0 <= column < self.canvas_width:
            return None
        i = bisect.bisect_left(self.columns, column)
        if i == len(self.columns):
            i -= 1
        elif i > 0 and column - self.columns[i - 1] <= self.columns[i] - column:
            i -= 1
        return self.first + i


@dataclass(slots=True)
class Plan:
    """Everything the base drawing, the annotations and the live layer need."""

    view: ChartView
    layout: ChartLayout
    slots: list[float]  # x of each visible candle
    vis: dict[str, list]  # visible rows, column -> values (None for nulls)
    live: bool  # the latest candle is visible and drawn by the live layer
    base_extremes: dict[str, tuple[float | None, float | None]]
    latest: dict  # the frame's latest candle (ts, open, close), visible or not
    n: int  # candles in the frame
    x_ticks: list[tuple[float, str]] = field(default_factory=list)


def panel_heights(height: int, n_osc: int, volume: bool) -> tuple[int, int, list[int]]:
    """(price, volume, [oscillator...]) subplot heights; the price keeps about half or more."""
    avail = height - 1  # the time labels row
    vol = 1 + max(2, min(height // 10, 6)) if volume and height >= 16 else 0
    osc_h = 1 + max(3, min(height // 6, 8))
    keep = max(6, int(height * 0.45))
    oscs: list[int] = []
    while len(oscs) < n_osc and avail - vol - (len(oscs) + 1) * osc_h - 2 >= keep:
        oscs.append(osc_h)
    return avail - vol - sum(oscs), vol, oscs


def _columns(spec: IndicatorSpec | None, key: str) -> list[str]:
    if key == "price":
        return ["high", "low"]
    if key == "volume":
        return ["volume"]
    return list(spec.columns)


def panel_columns(panels: tuple[Panel, ...], overlays: tuple[IndicatorSpec, ...]) -> dict:
    cols = {p.key: _columns(p.spec, p.key) for p in panels}
    cols["price"] = cols["price"] + [c for s in overlays for c in s.columns]
    return cols


def extremes(vis: dict[str, list], cols: list[str], rows: slice) -> tuple:
    lo = hi = None
    for c in cols:
        vals = [v for v in vis[c][rows] if v is not None and math.isfinite(v)]
        if vals:
            a, b = min(vals), max(vals)
            lo = a if lo is None or a < lo else lo
            hi = b if hi is None or b > hi else hi
    return lo, hi


def merge(a: tuple, b: tuple) -> tuple:
    lo = a[0] if b[0] is None else b[0] if a[0] is None else min(a[0], b[0])
    hi = a[1] if b[1] is None else b[1] if a[1] is None else max(a[1], b[1])
    return lo, hi


def panel_ranges(panel: Panel, ext: tuple, decimals_hint: int | None) -> Panel:
    """``panel`` with its value range, ticks and tick labels from the data extremes."""
    name = panel.spec.name if panel.spec else panel.key
    lo, hi = ext
    if name in _FIXED:
        a, b, levels = _FIXED[name]
        ticks, levels = fixed_ticks(a, b, levels, panel.rows)
        return _with(panel, a, b, ticks, tuple(f"{t:g}" for t in ticks), levels)
    if name == "volume":
        top = hi if hi and hi > 0 else 1.0
        step = nice_step(top / 2)
        top = math.ceil(top / (step / 2)) * (step / 2)
        return _with(panel, 0.0, top, (top,), (fmt_volume(top),))
    if lo is None:
        lo, hi = 0.0, 1.0
    if name == "macd":
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    a, b, step = nice_range(lo, hi, panel.rows)
    d = step_decimals(step)
    if name == "price" and decimals_hint is not None:
        d = min(d, decimals_hint)
    ticks = tuple(ticks_in(a, b, step))
    return _with(panel, a, b, ticks, tuple(fmt_price(t, d) for t in ticks))


def fixed_ticks(lo: float, hi: float, levels: tuple[float, ...], rows: int) -> tuple:
    """(ticks, guide levels) of a bounded oscillator (RSI 30/70, stoch 20/80) in ``rows``.

    When two levels fall on the same row (a short panel) neither is drawn: a label "30" or
    "70" on the middle row of three would lie about where the line is, and plotext would show
    one of two labels written on the same cell. The rows' own centre values are labelled
    instead (e.g. "50" on a 3-row RSI panel), so the ticks are always honest and stable."""
    cells = to_cells(list(levels), (lo, hi), max(rows, 1))
    if len(set(cells)) == len(cells):
        return tuple(levels), tuple(levels)
    if rows < 2:
        return ((lo + hi) / 2,), ()
    centres = sorted({lo + (hi - lo) * c / (rows - 1) for c in cells if 0 <= c < rows})
    return tuple(centres), ()


def _with(panel: Panel, lo, hi, ticks, labels, levels=()) -> Panel:
    return Panel(panel.key, panel.spec, panel.sub_height, panel.top, panel.rows, lo, hi,
                 tuple(ticks), tuple(labels), tuple(levels))  # fmt: skip


def x_slots(
    ts: list[int], tf: int, forex: bool
) -> tuple[list[float], list[tuple[int, int, int, int]]]:
    """Slot of each candle and the gaps as (index of the candle after it, start, end, missing)."""
    extra = [0] * len(ts)
    found = []
    for start, end in find_gaps(pl.Series(ts, dtype=pl.Int64), tf, forex=forex):
        i = bisect.bisect_left(ts, end)
        missing = (end - start) // tf
        extra[i] += min(missing, MAX_GAP_SLOTS)
        found.append((i, start, end, missing))
    slots, s = [], -1.0
    for i in range(len(ts)):
        s += 1 + extra[i]
        slots.append(s)
    return slots, found


def make_plan(data: pl.DataFrame, view: ChartView) -> Plan:
    """The layout for ``data`` (candles with indicator columns, ascending ts) under ``view``."""
    n = data.height
    offset = min(view.offset, n - 1)
    last = n - 1 - offset
    first = max(0, last - view.window + 1)
    live = offset == 0
    keep = ["ts", "open", "high", "low", "close", "volume"]
    keep += [c for s in view.indicators for c in s.columns]
    rows = data.slice(first, last - first + 1).select(keep)
    vis = {c: rows[c].to_list() for c in keep}
    tf = timeframe_ms(view.timeframe)

    price_h, vol_h, osc_hs = panel_heights(view.height, len(view.oscillators), view.volume)
    panels = [Panel("price", None, price_h)]
    if vol_h:
        panels.append(Panel("volume", None, vol_h))
    panels += [Panel(s.label, s, h) for s, h in zip(view.oscillators, osc_hs, strict=False)]
    hidden = view.oscillators[len(osc_hs) :]
    panels = _place(panels)

    cols = panel_columns(tuple(panels), view.overlays)
    base_rows = slice(0, len(vis["ts"]) - 1) if live else slice(None)
    base_ext = {p.key: extremes(vis, cols[p.key], base_rows) for p in panels}
    latest = data.select("ts", "open", "close").row(n - 1, named=True)
    plan = Plan(view, None, [], vis, live, base_ext, latest, n)  # type: ignore[arg-type]
    finish_plan(plan, panels, first, last, tf, hidden)
    return plan


def _row_extremes(panels, view: ChartView, row: dict) -> dict:
    cols = panel_columns(tuple(panels), view.overlays)
    out = {}
    for key, names in cols.items():
        vals = [row[c] for c in names if row.get(c) is not None and math.isfinite(row[c])]
        out[key] = (min(vals), max(vals)) if vals else (None, None)
    return out


def ranged_panels(plan: Plan, panels, live_row: dict | None) -> list[Panel]:
    """Panels with value ranges from the base extremes plus the live candle's values."""
    ext = dict(plan.base_extremes)
    if live_row is not None:
        le = _row_extremes(panels, plan.view, live_row)
        ext = {k: merge(v, le[k]) for k, v in ext.items()}
    return [panel_ranges(p, ext[p.key], plan.view.price_decimals) for p in panels]


def _decimals(view: ChartView, price: Panel) -> int:
    if view.price_decimals is not None:
        return view.price_decimals
    return price_decimals(max(abs(price.lo), abs(price.hi)))


def _gutter_width(view: ChartView, panels, decimals: int, latest_close: float) -> int:
    price = panels[0]
    tags = [fmt_price(h.price, decimals) for h in view.hlines if price.row_of(h.price) is not None]
    tags.append(fmt_price(latest_close, decimals))
    return max(len(s) for p in panels for s in (*p.tick_labels, *tags))


def live_fits(plan: Plan, live_row: dict | None, latest_close: float) -> bool:
    """Whether the layout stays the same with these live values (else: rebuild)."""
    lay = plan.layout
    panels = ranged_panels(plan, lay.panels, live_row)
    if tuple(panels) != lay.panels:
        return False
    return _gutter_width(plan.view, panels, lay.decimals, latest_close) == lay.width - lay.gutter


def _place(panels: list[Panel]) -> list[Panel]:
    """Canvas top line and rows of each panel: the first has a frame line above, every panel
    a line below (the next panel's title sits in it), the last also the time labels row."""
    out, line = [], 0
    for k, p in enumerate(panels):
        last = k == len(panels) - 1
        h = p.sub_height + (1 if last else 0)
        top = line + (1 if k == 0 else 0)
        rows = h - (2 if k == 0 else 1) - (1 if last else 0)
        out.append(Panel(p.key, p.spec, h, top, rows))
        line += h
    return out


def finish_plan(plan: Plan, panels: list[Panel], first, last, tf, hidden) -> None:
    """Ranges, label gutter, x mapping and ticks: everything that depends on the live row."""
    view, vis = plan.view, plan.vis
    live_row = {c: v[-1] for c, v in vis.items()} if plan.live else None
    panels = ranged_panels(plan, panels, live_row)
    price = panels[0]
    decimals = _decimals(view, price)
    off = [h for h in view.hlines if price.row_of(h.price) is None]
    gutter_w = _gutter_width(view, panels, decimals, plan.latest["close"])
    canvas_w = view.width - 1 - gutter_w

    ts = vis["ts"]
    slots, found = x_slots(ts, tf, view.forex)
    total = max(slots[-1] + 1, view.window)
    per_slot = max(canvas_w, 1) / (total + 1)
    margin = max(1.0, 2 / per_slot)  # two empty columns right of the latest candle
    x_lim = (slots[-1] - total + 0.5, slots[-1] + 0.5 + margin)
    columns = to_cells(slots, x_lim, canvas_w)
    per_slot = canvas_w / (x_lim[1] - x_lim[0])
    gaps = tuple(
        Gap(start, end, missing, to_cells([(slots[i - 1] + slots[i]) / 2], x_lim, canvas_w)[0])
        for i, start, end, missing in found
    )
    plan.x_ticks = [(slots[i], label) for i, label in time_ticks(ts, tf, 9 / per_slot * tf)]
    plan.slots = slots
    time_row = view.height - 1
    plan.layout = ChartLayout(
        width=view.width, height=view.height, canvas_width=canvas_w, gutter=canvas_w + 1,
        panels=tuple(panels), first=first, last=last, ts=tuple(ts), columns=tuple(columns),
        x_lim=x_lim, gaps=gaps, decimals=decimals, time_row=time_row,
        hidden_oscillators=tuple(hidden), offscreen_lines=tuple(off),
    )  # fmt: skip
