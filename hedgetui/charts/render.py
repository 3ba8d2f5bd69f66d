"""Candle charts as text: :func:`render_chart` and the cheap live paths.

A full render (plotext, ~35 ms for 200 candles at 120x40) belongs off the event loop, run only
when the data, size or view change. Between renders:

* :func:`try_patch_last_candle` redraws the live candle (same ``ts`` as the latest one) on
  the cached base without plotext -- ``None`` when the layout would change (the price left the
  current range, a new candle started, the price tag got wider): then render again off-loop.
* :func:`with_cursor` moves the crosshair without plotext.

Both give exactly the text a full render of the same data and view gives (tests hold them to
it), because a full render is itself "cached base + live layer".
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from dataclasses import dataclass, field

import polars as pl
from rich.segment import Segment
from rich.text import Text

from hedgetui.analytics.indicator_spec import apply_indicators
from hedgetui.charts.annotate import annotate
from hedgetui.charts.grid import Grid
from hedgetui.charts.layout import ChartLayout, Plan, live_fits, make_plan
from hedgetui.charts.live import draw_live
from hedgetui.charts.palette import palette_for
from hedgetui.charts.plot import draw_base
from hedgetui.charts.view import ChartView
from hedgetui.domain.models import Candle

__all__ = [
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "OHLCV",
    "LiveUpdate",
    "RenderedChart",
    "apply_live_update",
    "prepare_live_update",
    "patch_last_candle",
    "prepare_candles",
    "render_chart",
    "try_patch_last_candle",
    "with_cursor",
]

OHLCV = ("ts", "open", "high", "low", "close", "volume")
MIN_WIDTH, MIN_HEIGHT = 20, 8


@dataclass(frozen=True, eq=False)
class RenderedChart:
    """A finished chart: ``lines`` are exactly ``view.height`` ANSI strings of ``view.width``
    cells each (``plain`` without colour codes; ``text`` as a rich Text). ``layout`` maps
    candles to columns and prices to lines (None when only ``message`` is shown); ``data`` is
    the candle frame with its indicator columns, for the status line."""

    view: ChartView
    lines: tuple[str, ...]
    plain: tuple[str, ...]
    layout: ChartLayout | None = None
    data: pl.DataFrame | None = None
    message: str = ""
    _plan: Plan | None = field(default=None, repr=False)
    _static: Grid | None = field(default=None, repr=False)
    _static_lines: tuple[str, ...] = field(default=(), repr=False)
    _grid: Grid | None = field(default=None, repr=False)
    _changed: frozenset = field(default=frozenset(), repr=False)  # lines the live layer drew on
    _shared: dict = field(default_factory=dict, repr=False)  # per full render, across patches
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def text(self) -> Text:
        if "text" not in self._cache:
            self._cache["text"] = (
                self._grid.rich_text() if self._grid else Text("\n".join(self.plain), end="")
            )
        return self._cache["text"]

    @property
    def segment_lines(self) -> list[list[Segment]]:
        """Each line as rich Segments (for a Textual ``Strip``): the cheapest form to show;
        lines the live layer didn't touch are shared with the previous renders' lists."""
        if "segments" not in self._cache:
            if self._grid is None:
                self._cache["segments"] = [[Segment(s)] for s in self.plain]
            else:
                static = self._shared.setdefault("segments", {})
                out = []
                for i in range(self._grid.height):
                    if i in self._changed:
                        out.append(self._grid.segments(i))
                    else:
                        if i not in static:
                            static[i] = self._static.segments(i)
                        out.append(static[i])
                self._cache["segments"] = out
        return self._cache["segments"]

    @property
    def ansi(self) -> str:
        return "\n".join(self.lines)

    @property
    def has_chart(self) -> bool:
        return self.layout is not None

    @property
    def latest_ts(self) -> int | None:
        return self._plan.latest["ts"] if self._plan else None


def _message(view: ChartView, message: str, data=None) -> RenderedChart:
    wrapped = textwrap.wrap(message, max(view.width, 1)) or [""]
    top = max(0, (view.height - len(wrapped)) // 2)
    body = ([""] * top + wrapped + [""] * view.height)[: view.height]
    lines = tuple(s.center(view.width)[: view.width] for s in body)
    return RenderedChart(view, lines, lines, data=data, message=message)


def prepare_candles(df: pl.DataFrame, view: ChartView) -> pl.DataFrame:
    """OHLCV as Int64/Float64, ascending unique ts, rows without prices dropped, volume nulls
    as 0, plus the view's indicator columns (computed over the whole history, so the view's
    left edge isn't blank during warm-up)."""
    missing = [c for c in OHLCV if c not in df.columns]
    if missing:
        raise ValueError(
            f"candles need columns {', '.join(OHLCV)}; the frame lacks {', '.join(missing)}"
        )
    out = df.select(pl.col("ts").cast(pl.Int64), *(pl.col(c).cast(pl.Float64) for c in OHLCV[1:]))
    prices = ["open", "high", "low", "close"]
    out = out.drop_nulls(["ts", *prices]).filter(
        pl.all_horizontal(pl.col(c).is_finite() for c in prices)
    )
    out = out.with_columns(pl.col("volume").fill_null(0.0).fill_nan(0.0))
    if not out["ts"].is_sorted() or out["ts"].n_unique() != out.height:
        out = out.unique("ts", keep="last").sort("ts")
    return apply_indicators(out, view.indicators) if view.indicators else out


def render_chart(df: pl.DataFrame, view: ChartView) -> RenderedChart:
    """Draw ``df`` (ts, open, high, low, close, volume; any order) under ``view``.

    Never raises for empty data or a tiny size: the result then carries a short message.
    Raises ``ValueError`` if OHLCV columns are missing. Thread-safe (a private plotext figure
    per call); deterministic for identical inputs."""
    if view.width < MIN_WIDTH or view.height < MIN_HEIGHT:
        return _message(
            view,
            f"terminal too small for a chart (needs {MIN_WIDTH}x{MIN_HEIGHT}, "
            f"have {view.width}x{view.height})",
        )
    data = prepare_candles(df, view)
    if data.height == 0:
        return _message(view, f"no candles for {view.symbol} {view.timeframe} in the store yet")
    plan = make_plan(data, view)
    palette = palette_for(view.color)
    static = draw_base(plan, palette)
    annotate(static, plan, palette)
    return _finish(view, data, plan, static, static.ansi_lines(), {})


def _finish(view, data, plan: Plan, static: Grid, static_lines, shared: dict) -> RenderedChart:
    grid = static.copy()
    draw_live(grid, plan, palette_for(view.color))
    # re-serialise only the lines the live layer touched
    changed = frozenset(
        i
        for i in range(grid.height)
        if grid.chars[i] != static.chars[i] or grid.sgrs[i] != static.sgrs[i]
    )
    lines = tuple(
        grid.ansi_line(i) if i in changed else static_lines[i] for i in range(grid.height)
    )
    return RenderedChart(
        view, lines, grid.plain_lines(), plan.layout, data, "", plan, static, static_lines,
        grid, changed, shared,
    )  # fmt: skip


def _replace_last(data: pl.DataFrame, candle: Candle, view: ChartView) -> pl.DataFrame:
    raw = data.select(OHLCV)
    row = pl.DataFrame(
        [[candle.ts], [candle.open], [candle.high], [candle.low], [candle.close],
         [candle.volume]],
        schema=raw.schema, orient="col",
    )  # fmt: skip
    raw = pl.concat([raw.head(raw.height - 1), row])
    return apply_indicators(raw, view.indicators) if view.indicators else raw


@dataclass(frozen=True, eq=False)
class LiveUpdate:
    """A live candle with the indicators recomputed over the whole history (polars, a couple
    of ms; fine in a worker thread). Apply it on the loop with :func:`apply_live_update`."""

    candle: Candle
    data: pl.DataFrame
    last: dict  # the recomputed latest row
    _source: object = field(default=None, repr=False)


def prepare_live_update(rendered: RenderedChart, candle: Candle) -> LiveUpdate | None:
    """Step 1 of a patch; ``None`` when only a full render will do (no chart yet, a new
    candle, a non-finite price)."""
    plan = rendered._plan
    if plan is None or rendered.data is None or candle.ts != plan.latest["ts"]:
        return None
    values = (candle.open, candle.high, candle.low, candle.close, candle.volume)
    if not all(math.isfinite(v) for v in values):
        return None
    data = _replace_last(rendered.data, candle, rendered.view)
    return LiveUpdate(candle, data, data.row(data.height - 1, named=True), rendered._static)


def apply_live_update(rendered: RenderedChart, update: LiveUpdate) -> RenderedChart | None:
    """Step 2 of a patch, no polars and no plotext (about a millisecond): the chart with the
    live candle redrawn. ``None`` when a full render is needed: the update was prepared for
    another render, or the layout would change (price range, scale width)."""
    plan = rendered._plan
    if plan is None or update._source is not rendered._static:
        return None
    candle, last = update.candle, update.last
    vis = plan.vis
    if plan.live:
        vis = {c: [*v[:-1], last[c]] for c, v in vis.items()}
    latest = {"ts": candle.ts, "open": candle.open, "close": candle.close}
    new = dataclasses.replace(plan, vis=vis, latest=latest)
    if not live_fits(new, last if plan.live else None, candle.close):
        return None
    return _finish(
        rendered.view, update.data, new, rendered._static, rendered._static_lines,
        rendered._shared,
    )  # fmt: skip


def try_patch_last_candle(rendered: RenderedChart, candle: Candle) -> RenderedChart | None:
    """The chart with its latest candle replaced by ``candle`` (same ts), without plotext;
    ``None`` when a full :func:`render_chart` is needed (new candle, range or width change).
    Both steps in one call (:func:`prepare_live_update` + :func:`apply_live_update`)."""
    update = prepare_live_update(rendered, candle)
    return None if update is None else apply_live_update(rendered, update)


def patch_last_candle(rendered: RenderedChart, candle: Candle) -> RenderedChart:
    """Like :func:`try_patch_last_candle`, falling back to a full render (with the candle
    added, or replacing the one with the same ts) when the cheap path can't be used."""
    patched = try_patch_last_candle(rendered, candle)
    if patched is not None:
        return patched
    row = pl.DataFrame(
        {k: [getattr(candle, k)] for k in OHLCV},
        schema={"ts": pl.Int64, **{c: pl.Float64 for c in OHLCV[1:]}},
    )
    if rendered.data is None:
        return render_chart(row, rendered.view)
    raw = rendered.data.select(OHLCV).filter(pl.col("ts") != candle.ts)
    return render_chart(pl.concat([raw, row]), rendered.view)


_KEEP = object()


def with_cursor(
    rendered: RenderedChart, cursor: int | None, cursor_price: float | None | object = _KEEP
) -> RenderedChart:
    """The same chart with the crosshair at absolute candle row ``cursor`` (negative from the
    end, None to hide it) and at ``cursor_price`` (None: the close under it; default: as
    before), without plotext. A cursor outside the visible candles draws no crosshair: pan
    the view (``offset``) and render again to bring it into view."""
    if cursor_price is _KEEP:
        cursor_price = rendered.view.cursor_price
    view = dataclasses.replace(rendered.view, cursor=cursor, cursor_price=cursor_price)
    if rendered._plan is None:
        return dataclasses.replace(rendered, view=view, _cache={})
    plan = dataclasses.replace(rendered._plan, view=view)
    return _finish(
        view, rendered.data, plan, rendered._static, rendered._static_lines, rendered._shared
    )
