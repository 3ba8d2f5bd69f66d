"""Painting LiveTable: which screen spans to repaint each frame, and the Line API.

Two halves: ``_changes``/``_refresh_lines`` turn the rows that changed since the last frame
into the smallest screen regions (whole lines for moved rows, single cells for updated
values); ``render_lines``/``render_line`` give Textual each row's cached Strip.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from textual.geometry import Region
from textual.strip import Strip

from hedgetui.ui.widgets.live_table_columns import Layout
from hedgetui.ui.widgets.live_table_render import TableStyles, render_header, render_row

if TYPE_CHECKING:
    from hedgetui.ui.widgets.live_table import LiveTable

    _Base = LiveTable
else:
    _Base = object


class PaintMixin(_Base):
    def _changes(
        self, view: list[Hashable], top: int, height: int, now: float
    ) -> tuple[list[int], list[tuple[int, str]], bool]:
        """What to repaint: whole lines, single cells (line, column), and whether any visible
        row is flashing. Only cells that changed are repainted, so a frame at 1k updates/s
        sends a few hundred bytes instead of whole 200-column lines."""
        model = self.model
        rows = model.rows
        dirty = model.take_dirty()
        painted = self._painted
        lines: list[int] = []
        cells: list[tuple[int, str]] = []
        flashing = False
        for y, key in enumerate(view[top : top + height], start=1):
            row = rows[key]
            ended: list[str] = []
            if row.flash is not None:
                flashing = True  # keep the frames coming until it ends
                if row.flash_next <= now:
                    ended = model.expire_flashes(row, now)
            if painted.get(y, painted) != key:  # another row (or nothing) is drawn there
                lines.append(y)
                painted[y] = key  # what the refresh will draw
                continue
            if ended:
                cells.extend((y, col) for col in ended)
            if key in dirty:
                changed = row.changed
                if changed is True:
                    lines.append(y)
                elif changed:
                    cells.extend((y, col) for col in changed)
        for key in dirty:
            row = rows.get(key)
            if row is not None:
                row.changed = None
        shown = len(view) - top
        for y in [y for y in painted if y > shown or y > height]:
            if y <= height:
                lines.append(y)  # a row gone from the end: draw the blank line
            del painted[y]
        return lines, cells, flashing

    def _refresh_lines(self, lines: list[int], cells: list[tuple[int, str]] = ()) -> None:
        """One refresh call for all regions: whole lines (runs merged) and cell spans."""
        width = self._viewport()[0]
        regions = []
        whole = set(lines)
        if lines:
            lines = sorted(whole)
            start = previous = lines[0]
            for y in lines[1:]:
                if y != previous + 1:
                    regions.append(Region(0, start, width, previous - start + 1))
                    start = y
                previous = y
            regions.append(Region(0, start, width, previous - start + 1))
        if cells:
            positions = self._column_spans()
            scroll_x = self.scroll_offset.x
            spans: dict[int, list[tuple[int, int]]] = {}
            for y, col in cells:
                position = positions.get(col)
                if position is None or y in whole:  # column not shown / line repainted anyway
                    continue
                x1 = max(0, position[0] - scroll_x)
                x2 = min(width, position[1] - scroll_x)
                if x2 > x1:
                    spans.setdefault(y, []).append((x1, x2))
            for y, line_spans in spans.items():
                line_spans.sort()
                x1, x2 = line_spans[0]
                for a, b in line_spans[1:]:
                    if a <= x2 + 8:  # a cursor move costs about as much as 8 cells
                        x2 = max(x2, b)
                    else:
                        regions.append(Region(x1, y, x2 - x1, 1))
                        x1, x2 = a, b
                regions.append(Region(x1, y, x2 - x1, 1))
        if regions:
            self.refresh(*regions)

    def _column_spans(self) -> dict[str, tuple[int, int]]:
        """Column key -> (x1, x2) within the row, for the current layout."""
        layout = self._ensure_layout()
        if self._spans_layout is not layout:
            self._spans = {
                column.key: (offset, offset + width)
                for column, offset, width in zip(
                    layout.columns, layout.offsets, layout.widths, strict=True
                )
            }
            self._spans_layout = layout
        return self._spans

    def _refresh_keys(self, keys: Iterable[Hashable]) -> None:
        top = self.scroll_offset.y
        height = self._viewport()[2] - 1
        lines = []
        for key in keys:
            index = None if key is None else self.model.index_of(key)
            if index is not None and top <= index < top + height:
                lines.append(index - top + 1)
        if lines:
            self._refresh_lines(lines)

    def render_lines(self, crop: Region) -> list[Strip]:
        # what every line of this pass shares is looked up once, not per line
        self._pass = self._pass_state()
        try:
            if not self._plain():
                return super().render_lines(crop)
            # Fast path. Widget.render_lines sends every line through Textual's styles cache
            # (border, padding, outline, tint, opacity); with none of them set, it only pads
            # our full-width strip and applies the app's line filters. Doing just that here
            # saves ~50 µs a line, a third of a 50-line frame on a slow machine. The
            # compositor asks for every line but repaints only the refreshed ones; unchanged
            # rows come from the row cache (and their filtered copy from the Strip's cache).
            filters = self.get_line_filters()
            background = self.background_colors[1] if filters else None
            x1, x2 = crop.column_span
            full = x1 == 0 and x2 == self._pass[2]
            strips = []
            for y in crop.line_range:
                strip = self.render_line(y)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                strips.append(strip if full else strip.crop(x1, x2))
            return strips
        finally:
            self._pass = None

    def _plain(self) -> bool:
        """No border, padding, outline, tint, hatch or opacity: lines need no decoration."""
        styles = self.styles
        return (
            not any(styles.gutter)
            and not any(edge for edge, _ in styles.outline)
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and (not styles.has_rule("hatch") or styles.hatch == "none")
        )

    def _pass_state(self) -> tuple[Layout, TableStyles, int, int, int, list[Hashable], float]:
        layout = self._ensure_layout()
        styles = self._styles or self._load_styles()
        scroll_x, scroll_y = self.scroll_offset
        return (
            layout,
            styles,
            self._viewport()[0],
            scroll_x,
            scroll_y,
            self.model.view,
            self._clock(),
        )

    def render_line(self, y: int) -> Strip:
        layout, styles, width, scroll_x, top, view, now = self._pass or self._pass_state()
        if y == 0:
            strip = self._header
            if strip is None:
                model = self.model
                strip = self._header = render_header(
                    layout, styles, model.sort_column, model.sort_reverse, width
                )
        else:
            index = top + y - 1
            if index >= len(view):
                self._painted.pop(y, None)
                return Strip.blank(width, styles.base)
            key = view[index]
            self._painted[y] = key
            row = self.model.rows[key]
            if row.flash_next <= now:
                # the frame ends the flash and refreshes the line; rendering here must not,
                # since a pass may render lines that are not repainted
                self._wake()
            is_cursor = key == self._cursor_key
            cached = self._row_cache.get(key)
            if cached is not None and cached[0] == row.version and cached[1] == is_cursor:
                strip = cached[2]
            else:
                self.rendered_rows += 1
                strip, cells = render_row(
                    row,
                    layout,
                    styles,
                    is_cursor,
                    width,
                    None if cached is None else cached[3],
                    self._note_overflow,
                )
                self._row_cache[key] = (row.version, is_cursor, strip, cells)
        if scroll_x or strip.cell_length != width:
            strip = strip.crop_extend(scroll_x, scroll_x + width, styles.base)
        return strip

    def _load_styles(self) -> TableStyles:
        self._styles = TableStyles(self)
        return self._styles
