"""The chart widget: shows a finished :class:`~hedgetui.charts.RenderedChart`, line by line.

Nothing is drawn on the event loop per frame. A full render (plotext, tens of ms) runs in a
thread, only when the data, the size or the view changed, debounced, one at a time; the old
chart stays on screen meanwhile. A live tick of the forming candle is patched: the polars
part (``prepare_live_update``) in a thread, the cell part (``apply_live_update``, about a
millisecond) on the loop. Crosshair moves use ``with_cursor`` on the loop (no plotext).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import polars as pl
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from hedgetui.analytics.candles_frame import empty_frame
from hedgetui.charts import (
    ChartView,
    RenderedChart,
    apply_live_update,
    prepare_live_update,
    render_chart,
    with_cursor,
)
from hedgetui.domain.models import Candle

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.03  # resizes and key repeats arrive in bursts: render once after them


class ChartWidget(Widget, can_focus=True):
    """Call :meth:`show_data` / :meth:`set_view` / :meth:`patch` / :meth:`set_cursor`; the
    widget renders when needed and calls ``on_rendered`` (if set) after a new chart is up."""

    DEFAULT_CSS = """
    ChartWidget { width: 1fr; height: 1fr; }
    """

    def __init__(self, view: ChartView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view  # width/height are replaced by the widget's size at render time
        self.frame: pl.DataFrame = empty_frame()
        self.rendered: RenderedChart | None = None
        self.on_rendered = None
        self.waiting = True  # until the first data arrives
        self.full_renders = 0  # counters for tests and the benchmark
        self.patches = 0
        self.line_repaints = 0  # lines repainted alone (not the whole widget)
        self._dirty = False
        self._render_timer = None
        self._render_task: asyncio.Task | None = None
        self._strips: dict[int, tuple] = {}  # id(segment list) -> (list, Strip)

    # -- inputs ------------------------------------------------------------------------

    def show_data(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.waiting = False
        self.request_render()

    def set_view(self, view: ChartView) -> None:
        if view != self.view:
            self.view = view
            self.request_render()

    def set_cursor(self, cursor: int | None, price: float | None = None) -> bool:
        """Move the crosshair (to the candle row ``cursor``, at ``price``; None: the close)
        without a render; False when the candle is not visible (the caller pans, i.e.
        changes ``offset``, and the next render shows it)."""
        price = price if cursor is not None else None
        self.view = dataclasses.replace(self.view, cursor=cursor, cursor_price=price)
        r = self.rendered
        if r is None or r.layout is None or self._busy():
            self.request_render()
            return r is not None and r.layout is not None
        if cursor is not None and r.layout.column_of(cursor) is None:
            return False
        self._show(with_cursor(r, cursor, price))
        return True

    async def patch(self, candle: Candle) -> None:
        """The forming candle changed (same ts as the latest) or a new one started."""
        self._merge(candle)
        r = self.rendered
        if r is None or self._busy() or r.latest_ts != candle.ts:
            self.request_render()
            return
        update = await asyncio.to_thread(prepare_live_update, r, candle)
        current = self.rendered
        patched = None if update is None or current is not r else apply_live_update(r, update)
        if patched is None or self._busy():
            self.request_render()
            return
        self.patches += 1
        self._show(patched)

    def _merge(self, candle: Candle) -> None:
        row = pl.DataFrame(
            [(candle.ts, candle.open, candle.high, candle.low, candle.close, candle.volume)],
            schema=self.frame.schema,
            orient="row",
        )
        frame = self.frame
        if frame.height and frame["ts"][-1] == candle.ts:
            frame = pl.concat([frame.head(frame.height - 1), row])
        elif not frame.height or frame["ts"][-1] < candle.ts:
            frame = pl.concat([frame, row])
        else:
            return  # an older candle: a full reload brings it
        self.frame = frame

    # -- rendering ---------------------------------------------------------------------

    def _busy(self) -> bool:
        return self._render_timer is not None or (
            self._render_task is not None and not self._render_task.done()
        )

    def request_render(self) -> None:
        self._dirty = True
        if self._render_timer is None and self.is_mounted:
            self._render_timer = self.set_timer(DEBOUNCE_S, self._kick)

    def _kick(self) -> None:
        self._render_timer = None
        if self._render_task is None or self._render_task.done():
            self._render_task = asyncio.create_task(self._render_loop(), name="chart render")

    def sized_view(self) -> ChartView | None:
        w, h = self.size.width, self.size.height
        if w <= 0 or h <= 0:
            return None
        return dataclasses.replace(self.view, width=w, height=h)

    async def _render_loop(self) -> None:
        while self._dirty:
            self._dirty = False
            view = self.sized_view()
            if view is None or self.waiting:
                return
            frame = self.frame
            try:
                rendered = await asyncio.to_thread(render_chart, frame, view)
            except Exception as exc:  # a bug must not kill the pane: show it, log it
                log.exception("chart render failed")
                rendered = _message(view, f"chart failed: {exc} (see the log)")
            self.full_renders += 1
            self._strips = {}
            moved = (self.view.cursor, self.view.cursor_price) != (view.cursor, view.cursor_price)
            if moved and rendered.layout is not None:
                rendered = with_cursor(rendered, self.view.cursor, self.view.cursor_price)
            self._show(rendered)

    def _show(self, rendered: RenderedChart) -> None:
        previous, self.rendered = self.rendered, rendered
        lines = self._changed_lines(previous, rendered)
        if lines is None:
            self.refresh()
        elif lines:
            # a tick or a cursor move touches a few lines: Textual repaints only those
            # (a whole-widget repaint costs ~15 ms at 120x40 in the compositor)
            self.line_repaints += len(lines)
            self.refresh(*(Region(0, y, self.size.width, 1) for y in lines))
        if self.on_rendered is not None:
            self.on_rendered(self)

    def _changed_lines(self, old: RenderedChart | None, new: RenderedChart) -> list[int] | None:
        """Lines that differ between two charts of the same size; None: repaint it all."""
        if (
            old is None
            or old.view.width != new.view.width
            or len(old.lines) != len(new.lines)
            or new.view.width != self.size.width
        ):
            return None
        return [y for y, (a, b) in enumerate(zip(old.lines, new.lines, strict=True))
                if a is not b and a != b]  # fmt: skip

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        r = self.rendered
        if r is None:
            if y == self.size.height // 2:
                text = "loading candles…" if self.waiting else "rendering…"
                return Strip.blank(max(0, (width - len(text)) // 2)) + Strip(
                    [_segment(text)]
                ).adjust_cell_length(width - max(0, (width - len(text)) // 2))
            return Strip.blank(width)
        lines = r.segment_lines
        if y >= len(lines):
            return Strip.blank(width)
        segments = lines[y]
        cached = self._strips.get(id(segments))
        if cached is None or cached[0] is not segments:
            if len(self._strips) > 8 * len(lines):
                self._strips.clear()
            cached = self._strips[id(segments)] = (segments, Strip(segments, r.view.width))
        strip = cached[1]
        return strip.adjust_cell_length(width) if r.view.width != width else strip

    def on_resize(self) -> None:
        self.request_render()

    def on_unmount(self) -> None:
        if self._render_task is not None:
            self._render_task.cancel()

    @property
    def plain_text(self) -> str:
        """What the chart shows, without colours (tests, debugging)."""
        return "\n".join(self.rendered.plain) if self.rendered else ""


def _segment(text: str) -> Segment:
    return Segment(text)


def _message(view: ChartView, text: str) -> RenderedChart:
    top = view.height // 2
    lines = tuple(
        (text if i == top else "").center(view.width)[: view.width] for i in range(view.height)
    )
    return RenderedChart(view, lines, lines, message=text)
