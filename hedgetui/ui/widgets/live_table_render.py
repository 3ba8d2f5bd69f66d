"""Turning LiveTable rows into Strips, as cheaply as possible.

A row is re-rendered when one of its cells changed, but usually only that one cell changed:
each row keeps its formatted cells, and a cell whose value is the same object as last time
reuses its text. Formatting a number costs a few microseconds in Python; with ten columns that
was most of a frame at 50k updates/s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from hedgetui.ui.widgets.live_table_columns import Column, Layout, fit_cell, format_cell
from hedgetui.ui.widgets.live_table_model import DOWN, UP, Row

if TYPE_CHECKING:
    from textual.widget import Widget

CELL_TOKENS = ("positive", "negative", "warning", "muted")
ROW_CLASSES = ("subtotal", "total", "stale", "dim")

Cells = list[tuple[Any, str, "str | None"]]
"""Per shown column: (value, fitted text, style token) as last rendered."""


class TableStyles:
    """Rich styles from the widget's component classes (rebuilt on theme or focus change)."""

    def __init__(self, widget: Widget) -> None:
        get = widget.get_component_rich_style
        self.base = widget.rich_style
        self.header = get("live-table--header")
        cursor = get("live-table--cursor", partial=True)
        self.rows: dict[str | None, Style] = {None: self.base}
        for name in ROW_CLASSES:
            self.rows[name] = self.base + get(f"live-table--{name}", partial=True)
        self.cursor_rows = {name: style + cursor for name, style in self.rows.items()}
        self.tokens: dict[str, Style | None] = {
            name: get(f"live-table--{name}", partial=True) for name in CELL_TOKENS
        }
        self.flash = {
            UP: get("live-table--flash-up", partial=True),
            DOWN: get("live-table--flash-down", partial=True),
        }
        self._combined: dict[tuple[Style, str | None, int], Style] = {}

    def row(self, style: str | None, is_cursor: bool) -> Style:
        rows = self.cursor_rows if is_cursor else self.rows
        return rows.get(style, rows[None])

    def cell(self, row_style: Style, token: str | None, flash: int) -> Style:
        key = (row_style, token, flash)
        style = self._combined.get(key)
        if style is None:
            style = row_style
            if token is not None:
                token_style = self._token(token)
                if token_style is not None:
                    style = style + token_style
            if flash:
                style = style + self.flash[flash]
            self._combined[key] = style
        return style

    def _token(self, token: str) -> Style | None:
        if token not in self.tokens:
            try:  # not a known token: a Rich style string such as "bold magenta"
                self.tokens[token] = Style.parse(token)
            except StyleSyntaxError:
                self.tokens[token] = None
        return self.tokens[token]


def render_row(
    row: Row,
    layout: Layout,
    styles: TableStyles,
    is_cursor: bool,
    width: int,
    previous: Cells | None,
    on_overflow: Callable[[Column, str], None],
) -> tuple[Strip, Cells]:
    """The row as a Strip ``width`` cells wide (at least the layout's width)."""
    row_style = styles.row(row.style, is_cursor)
    values = row.values
    flash = row.flash
    gap = " " * layout.gap
    cells: Cells = []
    segments: list[Segment] = []
    run: list[str] = []
    run_style = row_style
    index = 0
    for column, column_width in zip(layout.columns, layout.widths, strict=True):
        value = values.get(column.key)
        if previous is not None and previous[index][0] is value:
            entry = previous[index]
        else:
            text, token = format_cell(column, value)
            fitted, shortened = fit_cell(text, column_width, column.alignment, value)
            if shortened:
                on_overflow(column, text)
            entry = (value, fitted, token)
        cells.append(entry)
        if index:
            if run_style is not row_style:
                segments.append(Segment("".join(run), run_style))
                run = []
                run_style = row_style
            run.append(gap)
        index += 1
        token = entry[2]
        direction = 0
        if flash is not None:
            state = flash.get(column.key)
            if state is not None:
                direction = state[0]
        style = (
            row_style
            if token is None and not direction
            else styles.cell(row_style, token, direction)
        )
        if style is not run_style:
            if run:
                segments.append(Segment("".join(run), run_style))
            run = []
            run_style = style
        run.append(entry[1])
    length = max(layout.total_width, width)
    pad = length - layout.total_width
    if pad > 0:
        if run_style is not row_style:
            segments.append(Segment("".join(run), run_style))
            run = []
            run_style = row_style
        run.append(" " * pad)
    if run:
        segments.append(Segment("".join(run), run_style))
    return Strip(segments, length), cells


def render_header(
    layout: Layout, styles: TableStyles, sort_column: str | None, reverse: bool, width: int
) -> Strip:
    """Labels aligned like their columns; ▲/▼ marks the sorted column."""
    parts = []
    for column, column_width in zip(layout.columns, layout.widths, strict=True):
        mark = " "
        if column.key == sort_column:
            mark = "▼" if reverse else "▲"
        label, _ = fit_cell(column.label, column_width - 1, "left")
        if column.alignment == "right":  # mark on the left keeps the label flush right
            text = mark + label.rstrip()
        else:
            text = label + mark
        parts.append(fit_cell(text, column_width, column.alignment)[0])
    line = (" " * layout.gap).join(parts)
    length = max(layout.total_width, width)
    line += " " * (length - layout.total_width)
    return Strip([Segment(line, styles.header)], length)
