"""LiveTable's column layout: which columns fit, how wide, and the scrollable size.

Kept apart from the update path in live_table.py: this runs when a width, the column set
or the widest text seen changes, never per update. Column widths only grow (``_wanted``),
so a streaming value never makes the columns jitter.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.geometry import Size

from hedgetui.ui.widgets.live_table_columns import (
    Column,
    Layout,
    compute_layout,
    format_cell,
    natural_width,
)

if TYPE_CHECKING:
    from hedgetui.ui.widgets.live_table import LiveTable

    _Base = LiveTable
else:
    _Base = object

MEASURE_SAMPLE = 200  # rows measured up front so the first frame has sensible widths


class LayoutMixin(_Base):
    def _invalidate_layout(self) -> None:
        self._layout = None
        self._layout_stale = False
        self._row_cache.clear()
        self._header = None
        self._full_refresh = True
        self._wake()

    def _ensure_layout(self) -> Layout:
        available = self._viewport()[1]
        if self._layout is None or available != self._layout_width:
            if self._layout is None and self.model.rows and not self._wanted:
                self._measure(self.model.view[:MEASURE_SAMPLE])
            self._layout = compute_layout(self.model.columns, self._wanted, available, self._gap)
            if self._layout_width not in (-1, available):
                self._full_refresh = True
                self._wake()
            self._layout_width = available
            self._row_cache.clear()
            self._header = None
        return self._layout

    def _update_virtual_size(self) -> None:
        width = self._layout.total_width if self._layout is not None else 0
        size = Size(width, len(self.model.view) + 1)
        if size != self.virtual_size:
            self.virtual_size = size

    def _measure(self, keys: list[Hashable]) -> None:
        """Widen columns for these rows' text now, so a new table doesn't start abbreviated."""
        wanted = self._wanted
        rows = self.model.rows
        for column in self.model.columns:
            col = column.key
            before = wanted.get(col, 0)
            widest = before
            for key in keys:
                text, _ = format_cell(column, rows[key].values.get(col))
                widest = max(widest, cell_len(text))
            wanted[col] = widest
            if natural_width(column, widest) != natural_width(column, before):
                self._layout_stale = True
                self._wake()

    def _note_overflow(self, column: Column, text: str) -> None:
        """A cell didn't fit: widen its column on the next frame if the layout allows."""
        before = natural_width(column, self._wanted.get(column.key, 0))
        self._wanted[column.key] = max(self._wanted.get(column.key, 0), cell_len(text))
        if natural_width(column, self._wanted[column.key]) > before:
            self._layout_stale = True
            self._wake()
