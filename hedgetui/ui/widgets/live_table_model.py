"""The rows of a LiveTable: values, versions, flashes, ordering, sorting and filtering.

Pure (no Textual). Updates only touch a row and remember it as dirty; the widget drains the
dirty set once per frame and redraws just those rows (batched like AG Grid's async
transactions), so an update costs a couple of microseconds whatever the stream rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

from hedgetui.ui.widgets.live_table_columns import Column, is_number

__all__ = ["KEEP_STYLE", "ROW_STYLES", "Row", "TableModel", "sort_keys"]

ROW_STYLES = frozenset({"subtotal", "total", "stale", "dim"})
KEEP_STYLE: Any = object()
UP, DOWN = 1, -1


class Row:
    """One row. ``version`` grows on every visible change (values, style, flash start/end)."""

    __slots__ = ("key", "values", "style", "version", "flash", "flash_next", "changed")

    def __init__(self, key: Hashable, values: dict[str, Any], style: str | None) -> None:
        self.key = key
        self.values = values
        self.style = style
        self.version = 0
        self.flash: dict[str, tuple[int, float]] | None = None  # column -> (UP/DOWN, until)
        self.flash_next = float("inf")  # earliest flash end
        # since the last frame: None = nothing, a set = these columns, True = the whole row
        self.changed: set[str] | bool | None = None

    def flash_direction(self, column: str) -> int:
        flash = self.flash
        if flash is None:
            return 0
        entry = flash.get(column)
        return 0 if entry is None else entry[0]


def _check_style(style: str | None) -> str | None:
    if style is not None and style not in ROW_STYLES:
        raise ValueError(f"Unknown row style {style!r}: use one of {sorted(ROW_STYLES)} or None")
    return style


def sort_keys(
    rows: Mapping[Hashable, Row],
    keys: Sequence[Hashable],
    column: Column,
    reverse: bool,
) -> list[Hashable]:
    """``keys`` ordered by ``column``: numbers numerically, text case-insensitively.

    None (and values the sort key can't order) always go last, whatever the direction;
    "total" rows stay at the very bottom; ties keep their previous order (stable).
    """
    col = column.key
    key_fn = column.sort_key
    ranked: list[tuple[tuple[int, Any], Hashable]] = []
    missing: list[Hashable] = []
    totals: list[Hashable] = []
    for key in keys:
        row = rows[key]
        if row.style == "total":
            totals.append(key)
            continue
        value = row.values.get(col)
        if key_fn is not None and value is not None:
            value = key_fn(value)
        if value is None or (isinstance(value, float) and value != value):  # None / NaN
            missing.append(key)
        elif is_number(value):
            ranked.append(((0, value), key))
        elif isinstance(value, str):
            ranked.append(((1, value.casefold()), key))
        else:
            ranked.append(((2, str(value)), key))
    ranked.sort(key=lambda item: item[0], reverse=reverse)
    return [key for _, key in ranked] + missing + totals


class TableModel:
    """Rows by key, the caller's order, and the shown order (sorted + filtered)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        flash_seconds: float = 0.8,
    ) -> None:
        self.clock = clock
        self.flash_seconds = flash_seconds
        self.columns: tuple[Column, ...] = ()
        self._by_key: dict[str, Column] = {}
        self._flash_columns: frozenset[str] = frozenset()
        self._numeric_columns: frozenset[str] = frozenset()
        self.rows: dict[Hashable, Row] = {}
        self._base: list[Hashable] = []  # the caller's order
        self._view: list[Hashable] = []  # shown order
        self._index: dict[Hashable, int] | None = {}
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.sort_applied = True  # False: the indicator only; the caller orders the rows
        self.filter_text = ""
        self.dirty: set[Hashable] = set()  # rows whose content changed since last drain
        self.view_stale = False  # order must be recomputed (rows added/removed, sort, filter)
        self.resort_pending = False  # the sort column's values changed

    # -- columns --------------------------------------------------------------------------
    def set_columns(self, columns: Iterable[Column]) -> None:
        columns = tuple(columns)
        keys = [c.key for c in columns]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"Duplicate column keys: {duplicates}; each key must be unique")
        self.columns = columns
        self._by_key = {c.key: c for c in columns}
        self._flash_columns = frozenset(c.key for c in columns if c.flashes)
        self._numeric_columns = frozenset(c.key for c in columns if c.numeric)
        if self.sort_column is not None and self.sort_column not in self._by_key:
            self.sort_column = None
        self.view_stale = True

    def column(self, key: str) -> Column:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(
                f"No column {key!r}; columns are {[c.key for c in self.columns]}"
            ) from None

    # -- rows -----------------------------------------------------------------------------
    def upsert_row(
        self, key: Hashable, values: Mapping[str, Any], style: str | None = KEEP_STYLE
    ) -> None:
        row = self.rows.get(key)
        if row is None:
            style = None if style is KEEP_STYLE else _check_style(style)
            self.rows[key] = Row(key, dict(values), style)
            self._base.append(key)
            self.view_stale = True
            return
        if style is not KEEP_STYLE and style != row.style:
            row.style = _check_style(style)
            row.version += 1
            row.changed = True
            self.dirty.add(key)
            if self.sort_column is not None:
                self.resort_pending = True  # "total" rows move to the bottom
        self.update_cells(key, values)

    def update_cells(self, key: Hashable, values: Mapping[str, Any]) -> bool:
        """Store new values; numbers that moved start a flash. False if nothing changed or
        the row is unknown."""
        changed = False
        update = self.update_cell
        for col, value in values.items():
            if update(key, col, value):
                changed = True
        return changed

    def update_cell(self, key: Hashable, col: str, new: Any) -> bool:
        """One cell: the hot path of a streaming table (no dict per update)."""
        row = self.rows.get(key)
        if row is None:
            return False
        current = row.values
        old = current.get(col)
        if new == old and type(new) is type(old):
            return False
        current[col] = new
        if col in self._flash_columns and old is not None and new is not None:
            try:
                direction = UP if new > old else DOWN if new < old else 0
            except TypeError:
                direction = 0
            if direction:
                until = self.clock() + self.flash_seconds
                if row.flash is None:
                    row.flash = {}
                row.flash[col] = (direction, until)
                if until < row.flash_next:
                    row.flash_next = until
        row.version += 1
        changed = row.changed
        if changed is None:
            row.changed = {col}
        elif changed is not True:
            changed.add(col)
        self.dirty.add(key)
        if col == self.sort_column:
            self.resort_pending = True
        if self.filter_text and col not in self._numeric_columns:
            self.view_stale = True
        return True

    def set_style(self, key: Hashable, style: str | None) -> None:
        row = self.rows[key]
        if row.style != style:
            row.style = _check_style(style)
            row.version += 1
            row.changed = True
            self.dirty.add(key)
            if self.sort_column is not None:
                self.resort_pending = True

    def remove_row(self, key: Hashable) -> bool:
        if self.rows.pop(key, None) is None:
            return False
        self._base.remove(key)
        self.dirty.discard(key)
        self.view_stale = True
        return True

    def set_rows(self, rows: Iterable[tuple[Hashable, Mapping[str, Any], str | None]]) -> None:
        """Replace all rows and the caller's order. Known keys keep their flashes and flash
        again if their numbers moved; keys not given are removed."""
        old = self.rows
        new_rows: dict[Hashable, Row] = {}
        base: list[Hashable] = []
        for key, values, style in rows:
            if key in new_rows:
                raise ValueError(f"Duplicate row key {key!r} in set_rows")
            row = old.get(key)
            if row is None:
                row = Row(key, dict(values), _check_style(style))
            else:
                if style != row.style:
                    row.style = _check_style(style)
                    row.version += 1
                    row.changed = True
                    self.dirty.add(key)
                self.update_cells(key, values)
            new_rows[key] = row
            base.append(key)
        self.rows = new_rows
        self._base = base
        self.dirty.intersection_update(new_rows)
        self.view_stale = True

    def set_order(self, keys: Iterable[Hashable]) -> None:
        """New caller order; rows not listed keep their relative order after the listed ones."""
        keys = list(keys)
        unknown = [k for k in keys if k not in self.rows]
        if unknown:
            raise KeyError(f"Unknown row keys in row order: {unknown[:5]!r}")
        if len(set(keys)) != len(keys):
            raise ValueError("Row order lists a key more than once")
        listed = set(keys)
        self._base = keys + [k for k in self._base if k not in listed]
        self.view_stale = True

    def clear(self) -> None:
        self.rows = {}
        self._base = []
        self.dirty.clear()
        self.view_stale = True

    # -- flashes --------------------------------------------------------------------------
    def expire_flashes(self, row: Row, now: float) -> list[str]:
        """Drop the row's finished flashes; the columns whose flash ended (new version)."""
        if row.flash_next > now:
            return []
        flash = row.flash
        assert flash is not None
        ended = [c for c, (_, until) in flash.items() if until <= now]
        for col in ended:
            del flash[col]
        if flash:
            row.flash_next = min(until for _, until in flash.values())
        else:
            row.flash = None
            row.flash_next = float("inf")
        if ended:  # else the earliest flash had been renewed: nothing to redraw yet
            row.version += 1
        return ended

    # -- order ----------------------------------------------------------------------------
    def sort_by(self, column: str | None, reverse: bool = False, apply: bool = True) -> None:
        """Sort by ``column`` (None: the caller's order). ``apply=False`` only records the
        sort for the header indicator: the caller orders rows itself (e.g. grouped)."""
        if column is not None:
            self.column(column)  # clear error for an unknown key
        self.sort_column = column
        self.sort_reverse = reverse
        self.sort_applied = apply
        self.view_stale = True

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().casefold()
        self.view_stale = True

    def matches(self, row: Row) -> bool:
        needle = self.filter_text
        for column in self.columns:
            if column.numeric:
                continue
            value = row.values.get(column.key)
            if value is not None and needle in str(value).casefold():
                return True
        return False

    def recompute_view(self) -> bool:
        """Rebuild the shown order; True if it changed."""
        keys: list[Hashable] = self._base
        if self.filter_text:
            rows = self.rows
            keys = [k for k in keys if self.matches(rows[k])]
        if self.sort_column is not None and self.sort_applied:
            column = self._by_key.get(self.sort_column)
            if column is not None:
                keys = sort_keys(self.rows, keys, column, self.sort_reverse)
        self.view_stale = False
        self.resort_pending = False
        if keys == self._view:
            return False
        self._view = list(keys)
        self._index = None
        return True

    @property
    def view(self) -> list[Hashable]:
        if self.view_stale:
            self.recompute_view()
        return self._view

    def index_of(self, key: Hashable) -> int | None:
        """Position of ``key`` in the shown order (None: not shown)."""
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self._view)}
        return self._index.get(key)

    def take_dirty(self) -> set[Hashable]:
        dirty = self.dirty
        self.dirty = set()
        return dirty
