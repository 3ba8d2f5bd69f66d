"""LiveTable: a table for streaming values that repaints only what changed.

Textual's DataTable re-renders every visible cell after any change (~8 fps at 1k updates/s).
Here (Line API, see shared/research/performance.md; batched like AG Grid's async
transactions):

* an update stores the value in the model and marks the row dirty; nothing is drawn;
* a frame timer (``fps``, 60 by default; paused while idle) drains the dirty set and
  refreshes only what is on screen and changed: the cells whose value changed or whose
  flash ended, whole lines for rows that moved, appeared or changed style;
* ``render_line`` returns each row's Strip from a cache keyed by (row version, cursor), and
  a re-rendered row reformats only its changed cells; layout/style/focus changes clear the
  cache. An unchanged row is never re-rendered, an unchanged cell never re-sent.

Files: live_table_columns (Column, formatting, layout), live_table_model (rows, order,
flashes; no Textual), live_table_layout (column widths, virtual size), live_table_render
(row -> Strip), live_table_paint (what to repaint, Line API), live_table_cursor (cursor,
keys, clicks). Styles: live_table.tcss, loaded as
DEFAULT_CSS, so the app includes nothing and may override any rule in its own .tcss.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hedgetui.ui.widgets.live_table_columns import Column, Layout
from hedgetui.ui.widgets.live_table_cursor import CursorMixin
from hedgetui.ui.widgets.live_table_layout import MEASURE_SAMPLE, LayoutMixin
from hedgetui.ui.widgets.live_table_model import KEEP_STYLE, TableModel
from hedgetui.ui.widgets.live_table_paint import PaintMixin
from hedgetui.ui.widgets.live_table_render import (
    CELL_TOKENS,
    ROW_CLASSES,
    Cells,
    TableStyles,
)

__all__ = ["LiveTable"]


class LiveTable(CursorMixin, PaintMixin, LayoutMixin, ScrollView, can_focus=True):
    """Rows keyed by any hashable, updated cell by cell at any rate, drawn at 60 fps."""

    DEFAULT_CSS = Path(__file__).with_name("live_table.tcss").read_text(encoding="utf-8")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "live-table--header",
        "live-table--cursor",
        *(f"live-table--{name}" for name in ROW_CLASSES + CELL_TOKENS),
        "live-table--flash-up",
        "live-table--flash-down",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("home,g", "cursor_first", "First", show=False),
        Binding("end,G,shift+g", "cursor_last", "Last", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    class _RowMessage(Message):
        def __init__(self, table: LiveTable, key: Hashable, index: int) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.index = index

        @property
        def control(self) -> LiveTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row (``key``, at ``index`` in the shown order)."""

    class RowSelected(_RowMessage):
        """Enter (or a click on the cursor row) on row ``key``."""

    class SortRequested(Message):
        """A header was clicked. With ``sort_on_header_click`` the table has already sorted;
        otherwise order the rows yourself and call ``sort_by(column, reverse, apply=False)``."""

        def __init__(self, table: LiveTable, column: str, reverse: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.reverse = reverse

        @property
        def control(self) -> LiveTable:
            return self.table

    def __init__(
        self,
        columns: Iterable[Column] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
        flash_seconds: float = 0.8,
        fps: float = 60.0,
        resort_seconds: float = 1.0,
        sort_on_header_click: bool = True,
        gap: int = 1,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.model = TableModel(clock=clock, flash_seconds=flash_seconds)
        self._clock = clock
        self._frame_seconds = 1.0 / fps
        self._resort_seconds = resort_seconds
        self.sort_on_header_click = sort_on_header_click
        self._gap = gap
        self._wanted: dict[str, int] = {}  # widest text seen per column (widths only grow)
        self._layout: Layout | None = None
        self._layout_width = -1
        self._layout_stale = True
        self._full_refresh = False
        self._styles: TableStyles | None = None
        # row key -> (row version, cursor on it, strip, formatted cells)
        self._row_cache: dict[Hashable, tuple[int, bool, Strip, Cells]] = {}
        self._header: Strip | None = None
        self._pass: tuple | None = None  # shared by the lines of one render pass
        self._spans: dict[str, tuple[int, int]] = {}
        self._spans_layout: Layout | None = None
        self._painted: dict[int, Hashable] = {}  # content line -> row key last drawn there
        self._cursor_key: Hashable | None = None
        self._cursor_last_index = 0
        self._last_resort = float("-inf")
        self._timer = None
        self._awake = False
        self.rendered_rows = 0  # row Strips built (cache misses); for tests and benchmarks
        self.frames = 0  # frame ticks that refreshed something
        self.model.set_columns(columns)

    # -- public API -----------------------------------------------------------------------
    @property
    def columns(self) -> tuple[Column, ...]:
        return self.model.columns

    @property
    def row_order(self) -> tuple[Hashable, ...]:
        """Keys in the shown order (after sort and filter)."""
        return tuple(self.model.view)

    @row_order.setter
    def row_order(self, keys: Iterable[Hashable]) -> None:
        self.set_row_order(keys)

    @property
    def row_count(self) -> int:
        return len(self.model.view)

    @property
    def visible_columns(self) -> tuple[str, ...]:
        return tuple(c.key for c in self._ensure_layout().columns)

    @property
    def dropped_columns(self) -> tuple[str, ...]:
        return self._ensure_layout().dropped

    @property
    def sort_column(self) -> str | None:
        return self.model.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self.model.sort_reverse

    @property
    def sort_applied(self) -> bool:
        """False after ``sort_by(..., apply=False)``: the header shows the sort, the caller
        orders the rows."""
        return self.model.sort_applied

    @property
    def cursor_key(self) -> Hashable | None:
        return self._cursor_key

    @cursor_key.setter
    def cursor_key(self, key: Hashable) -> None:
        index = self.model.index_of(key)
        if index is None:
            raise KeyError(f"Row {key!r} is not shown in the table")
        self._move_cursor(index)

    @property
    def cursor_index(self) -> int | None:
        key = self._cursor_key
        return None if key is None else self.model.index_of(key)

    def get_row(self, key: Hashable) -> Mapping[str, Any]:
        return self.model.rows[key].values

    def set_columns(self, columns: Iterable[Column]) -> None:
        self.model.set_columns(columns)
        self._wanted = {}
        self._measure(self.model.view[:MEASURE_SAMPLE])
        self._invalidate_layout()

    def upsert_row(
        self, key: Hashable, values: Mapping[str, Any], *, style: str | None = KEEP_STYLE
    ) -> None:
        """Add a row at the end of the caller's order, or update it (style kept if omitted)."""
        self.model.upsert_row(key, values, style)
        self._wake()

    def update_cells(self, key: Hashable, values: Mapping[str, Any]) -> bool:
        """Set some cells of a row; False if the row doesn't exist. Never draws."""
        changed = self.model.update_cells(key, values)
        if changed and not self._awake:
            self._wake()
        return changed

    def update_cell(self, key: Hashable, column: str, value: Any) -> bool:
        """Set one cell (the cheapest call for streams); False if the row doesn't exist or
        the value is unchanged. Never draws."""
        changed = self.model.update_cell(key, column, value)
        if changed and not self._awake:
            self._wake()
        return changed

    def update_many(self, updates: Iterable[tuple[Hashable, Mapping[str, Any]]]) -> None:
        update = self.model.update_cells
        for key, values in updates:
            update(key, values)
        self._wake()

    def set_row_style(self, key: Hashable, style: str | None) -> None:
        self.model.set_style(key, style)
        self._wake()

    def remove_row(self, key: Hashable) -> bool:
        self._remember_cursor()
        removed = self.model.remove_row(key)
        self._row_cache.pop(key, None)
        self._wake()
        return removed

    def set_rows(self, rows: Iterable[tuple[Hashable, Mapping[str, Any], str | None]]) -> None:
        """Replace all rows, in this order: (key, values, style) each."""
        self._remember_cursor()
        self.model.set_rows(rows)
        self._measure(self.model.view[:MEASURE_SAMPLE])
        self._wake()

    def set_row_order(self, keys: Iterable[Hashable]) -> None:
        self._remember_cursor()
        self.model.set_order(keys)
        self._wake()

    def clear(self) -> None:
        self.model.clear()
        self._row_cache.clear()
        self._wake()

    def sort_by(self, column: str | None, reverse: bool = False, *, apply: bool = True) -> None:
        """Sort by a column (None: caller's order). Numbers numerically, None last. While
        values stream the order is refreshed at most every ``resort_seconds``."""
        self.model.sort_by(column, reverse, apply)
        self._header = None
        self._full_refresh = True
        self._wake()

    def set_filter(self, text: str) -> None:
        """Show only rows whose text (non-numeric) cells contain ``text``, ignoring case."""
        self._remember_cursor()
        self.model.set_filter(text)
        self._wake()

    def flush(self) -> None:
        """Apply pending changes now (normally done by the frame timer)."""
        self._frame()

    # -- frame ----------------------------------------------------------------------------
    def on_mount(self) -> None:
        super().on_mount()
        self._update_virtual_size()
        self._timer = self.set_interval(self._frame_seconds, self._frame, pause=not self._awake)

    def _wake(self) -> None:
        if not self._awake:
            self._awake = True
            if self._timer is not None:
                self._timer.resume()

    def _viewport(self) -> tuple[int, int, int]:
        """(line width, width the columns may use, lines) of the content area.

        Cheaper than ``size``/``scrollable_content_region``, which look the widget up in the
        compositor (~12 µs; this is called for every line)."""
        width, height = self.container_size
        usable = width
        if self.show_vertical_scrollbar:
            usable -= self.scrollbar_size_vertical
        if self.show_horizontal_scrollbar:
            height -= self.scrollbar_size_horizontal
        return width, usable, height

    def _frame(self) -> None:
        if not self.is_mounted:
            return
        model = self.model
        now = self._clock()
        if self._layout_stale or self._layout_width != self._viewport()[1]:
            self._invalidate_layout()
            self._ensure_layout()
        full = self._full_refresh
        self._full_refresh = False
        if model.view_stale or (
            model.resort_pending and now - self._last_resort >= self._resort_seconds
        ):
            if model.resort_pending:
                self._last_resort = now
            model.recompute_view()
        cursor = self._cursor_key
        if (cursor is None and model.view) or (
            cursor is not None and model.index_of(cursor) is None
        ):
            self._fix_cursor()
        self._update_virtual_size()
        view = model.view
        top = self.scroll_offset.y
        height = max(0, self._viewport()[2] - 1)
        lines, cells, flashing = self._changes(view, top, height, now)
        if full:
            self.refresh()
            self.frames += 1
        elif lines or cells:
            self._refresh_lines(lines, cells)
            self.frames += 1
        if len(self._row_cache) > 4 * height + 256:
            keep = set(view[top : top + height])
            self._row_cache = {k: v for k, v in self._row_cache.items() if k in keep}
        if not (flashing or model.resort_pending or model.dirty or self._full_refresh):
            self._awake = False
            if self._timer is not None:
                self._timer.pause()

    # -- rendering ------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        if hasattr(self, "_row_cache"):  # also called while Widget.__init__ runs
            self._drop_styles()

    def _drop_styles(self) -> None:
        self._styles = None
        self._row_cache.clear()
        self._header = None
        self._full_refresh = True
        self._wake()

    def on_focus(self, event: events.Focus) -> None:
        self._drop_styles()  # the cursor looks different with focus

    def on_blur(self, event: events.Blur) -> None:
        self._drop_styles()
