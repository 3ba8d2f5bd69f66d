"""LiveTable's cursor: a row key that follows its row, keys, clicks and header sorting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

from hedgetui.ui.widgets.live_table_columns import Column

if TYPE_CHECKING:
    from hedgetui.ui.widgets.live_table import LiveTable

    _Base = LiveTable
else:
    _Base = object


class CursorMixin(_Base):
    """The cursor stays on its row (by key) when rows are re-sorted or updated, so an action
    never lands on a row that slid under it; if its row is removed it keeps its position."""

    def _remember_cursor(self) -> None:
        """Where the cursor is now: if its row goes away it stays at this position."""
        key = self._cursor_key
        index = None if key is None else self.model.index_of(key)
        if index is not None:
            self._cursor_last_index = index

    def _fix_cursor(self) -> None:
        """Keep the cursor on its row; if that row went away, on the same position."""
        view = self.model.view
        if not view:
            self._cursor_key = None
            return
        if self._cursor_key is None or self.model.index_of(self._cursor_key) is None:
            self._move_cursor(min(self._cursor_last_index, len(view) - 1), scroll=False)

    def _move_cursor(self, index: int, scroll: bool = True) -> None:
        view = self.model.view
        if not view:
            return
        index = max(0, min(index, len(view) - 1))
        key = view[index]
        self._cursor_last_index = index
        if scroll:
            self._scroll_to_index(index)
        if key == self._cursor_key:
            return
        old, self._cursor_key = self._cursor_key, key
        self._refresh_keys((old, key))
        self.post_message(self.RowHighlighted(self, key, index))

    def _scroll_to_index(self, index: int) -> None:
        top = self.scroll_offset.y
        height = max(1, self._viewport()[2] - 1)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def _page(self) -> int:
        return max(1, self._viewport()[2] - 2)

    def action_cursor_down(self) -> None:
        self._move_cursor((self.cursor_index or 0) + (self._cursor_key is not None))

    def action_cursor_up(self) -> None:
        self._move_cursor((self.cursor_index or 0) - 1)

    def action_cursor_first(self) -> None:
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self.model.view) - 1)

    def action_page_down(self) -> None:
        self._move_cursor((self.cursor_index or 0) + self._page())

    def action_page_up(self) -> None:
        self._move_cursor((self.cursor_index or 0) - self._page())

    def action_select_cursor(self) -> None:
        index = self.cursor_index
        if index is not None:
            self.post_message(self.RowSelected(self, self._cursor_key, index))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._ensure_layout().column_at(offset.x + self.scroll_offset.x)
            if column is not None:
                self._header_clicked(column)
            return
        index = self.scroll_offset.y + offset.y - 1
        if index < len(self.model.view):
            if self.model.view[index] == self._cursor_key:
                self.action_select_cursor()
            else:
                self._move_cursor(index)

    def _header_clicked(self, column: Column) -> None:
        if self.model.sort_column == column.key:
            reverse = not self.model.sort_reverse
        else:
            reverse = column.numeric  # biggest numbers first
        if self.sort_on_header_click:
            self.sort_by(column.key, reverse)
        self.post_message(self.SortRequested(self, column.key, reverse))
