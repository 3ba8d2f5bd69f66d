"""Columns of a LiveTable: definition, cell formatting, fitting and responsive layout.

Pure (no Textual): the widget and the tests share it.

Numbers are never cut silently. When a formatted number is wider than its column:

1. the column widens up to ``max_width`` (the widget does this on the next frame; column
   widths only grow, so the table does not jitter while values stream);
2. meanwhile, or when the column cannot widen, the number is shown *abbreviated* with an
   explicit scale suffix (``1.23M``, ``-45.6k``), or rounded to fewer decimals while at least
   two significant digits remain (``123.46``), or in scientific form for tiny values
   (``1.2e-5``);
3. if even that does not fit, the cell shows ``#`` marks (``####``), as spreadsheets do.

Text that does not fit is truncated with a visible ``…``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from rich.cells import cell_len

__all__ = [
    "Align",
    "CellFormatter",
    "Column",
    "Layout",
    "abbreviate_number",
    "compute_layout",
    "fit_cell",
    "format_cell",
    "format_number",
    "is_number",
]

Align = Literal["left", "right", "center"]
CellFormatter = Callable[[Any], "str | tuple[str, str | None]"]
"""Turns a (non-None) value into text, or into ``(text, style)``. The style is a cell style
token (``"positive"``, ``"negative"``, ``"warning"``, ``"muted"``) or a Rich style string."""

SORT_ROOM = 1  # one cell after each header label is kept for the ▲/▼ sort indicator
_SUFFIXES = ((1e15, "P"), (1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Column:
    """One column.

    key:       the key of the value in each row's dict.
    label:     header text.
    width:     fixed width in cells (the column never grows); None = sized by content, between
               ``min_width`` and ``max_width``.
    numeric:   numbers: right-aligned by default, flash on change, never cut silently.
    align:     None = right for numeric columns, left otherwise.
    priority:  0 = always shown. Larger numbers are less important: when the table is too
               narrow, the column with the largest priority is dropped first (ties: rightmost).
    formatter: value -> text or (text, style); not called for None (``none_text`` is shown).
    decimals:  fixed decimals for the default number formatter (None = automatic).
    flash:     flash the cell green/red when the number rises/falls (None = numeric).
    sort_key:  value -> sort key (None = the raw value).
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 1
    max_width: int | None = None
    numeric: bool = False
    align: Align | None = None
    priority: int = 0
    formatter: CellFormatter | None = None
    decimals: int | None = None
    none_text: str = ""
    flash: bool | None = None
    sort_key: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("Column key must be a non-empty string")
        if self.width is not None and self.width < 1:
            raise ValueError(f"Column {self.key!r}: width must be >= 1, got {self.width}")
        if self.min_width < 1:
            raise ValueError(f"Column {self.key!r}: min_width must be >= 1, got {self.min_width}")
        if self.max_width is not None and self.max_width < self.min_width:
            raise ValueError(
                f"Column {self.key!r}: max_width ({self.max_width}) is below "
                f"min_width ({self.min_width})"
            )
        if self.priority < 0:
            raise ValueError(f"Column {self.key!r}: priority must be >= 0, got {self.priority}")
        if self.align not in (None, "left", "right", "center"):
            raise ValueError(
                f"Column {self.key!r}: align must be 'left', 'right' or 'center', "
                f"got {self.align!r}"
            )

    @property
    def alignment(self) -> Align:
        if self.align is not None:
            return self.align
        return "right" if self.numeric else "left"

    @property
    def flashes(self) -> bool:
        return self.numeric if self.flash is None else self.flash

    @property
    def header_width(self) -> int:
        return cell_len(self.label) + SORT_ROOM


def format_number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """Thousands separators; floats get 2 decimals from 1 up, more significant digits below 1."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if decimals is None:
            magnitude = abs(value)
            if magnitude >= 1 or magnitude == 0:
                return f"{value:,.2f}"
            # below 1: 4 significant digits (0.0001234), at least 2 decimals (0.50)
            text = f"{value:.{min(12, 3 - math.floor(math.log10(magnitude)))}f}"
            return text[: max(len(text.rstrip("0")), text.index(".") + 3)]
        return f"{value:,.{decimals}f}"
    if isinstance(value, Decimal) and decimals is None:
        return f"{value:,f}"
    if decimals is None:
        return f"{value:,}"
    return f"{value:,.{decimals}f}"


def format_cell(column: Column, value: Any) -> tuple[str, str | None]:
    """Text and optional style token for one value (None shows ``column.none_text``)."""
    if value is None:
        return column.none_text, None
    formatter = column.formatter
    if formatter is not None:
        result = formatter(value)
        if isinstance(result, tuple):
            return str(result[0]), result[1]
        return str(result), None
    if is_number(value):
        return format_number(value, column.decimals), None
    return str(value), None


def abbreviate_number(value: int | float | Decimal, width: int) -> str:
    """The most precise explicit short form of ``value`` within ``width`` cells, or ``#`` marks."""
    number = float(value)
    if not math.isfinite(number):
        text = str(number)
        return text if len(text) <= width else "#" * width
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    candidates: list[str] = []
    for scale, suffix in _SUFFIXES:
        if magnitude >= scale:
            scaled = magnitude / scale
            candidates.extend(f"{sign}{scaled:.{d}f}{suffix}" for d in (3, 2, 1, 0))
            break
    else:
        if magnitude >= 1 or magnitude == 0:
            # rounding 123.456789 to 123.46 is fine: the integer part stays exact
            candidates.extend(f"{sign}{magnitude:,.{d}f}" for d in (4, 3, 2, 1, 0))
            candidates.extend(f"{sign}{magnitude:.{d}f}" for d in (2, 1, 0))
        else:
            # keep >= 2 significant digits, else switch to scientific: 0.00 would read as zero
            first = -math.floor(math.log10(magnitude))  # decimals up to the first digit
            candidates.extend(f"{sign}{magnitude:.{d}f}" for d in range(first + 3, first, -1))
            candidates.extend(_compact_exponent(f"{sign}{magnitude:.{d}e}") for d in (2, 1, 0))
    for text in candidates:
        if len(text) <= width:
            return text
    return "#" * width


def _compact_exponent(text: str) -> str:
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}"


def fit_cell(text: str, width: int, align: Align, value: Any = None) -> tuple[str, bool]:
    """``text`` padded to exactly ``width`` cells, and whether it had to be shortened.

    Numbers that don't fit are abbreviated explicitly (see module doc); text gets ``…``.
    """
    length = cell_len(text)
    shortened = False
    if length > width:
        shortened = True
        if is_number(value):
            text = abbreviate_number(value, width)
        else:
            text = _truncate(text, width)
        length = cell_len(text)
    pad = width - length
    if pad:
        if align == "right":
            text = " " * pad + text
        elif align == "center":
            left = pad // 2
            text = " " * left + text + " " * (pad - left)
        else:
            text = text + " " * pad
    return text, shortened


def _truncate(text: str, width: int) -> str:
    if width <= 1:
        return "…"[:width]
    if text.isascii():
        return text[: width - 1] + "…"
    out = []
    used = 0
    for char in text:
        char_width = cell_len(char)
        if used + char_width > width - 1:
            break
        out.append(char)
        used += char_width
    return "".join(out) + "…" + " " * (width - 1 - used)


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns are shown, how wide, and where (x offsets within the row)."""

    columns: tuple[Column, ...]
    widths: tuple[int, ...]
    offsets: tuple[int, ...]
    total_width: int
    dropped: tuple[str, ...]
    gap: int

    def column_at(self, x: int) -> Column | None:
        """The column under x (gaps belong to the column on their right)."""
        for column, offset, width in zip(self.columns, self.offsets, self.widths, strict=True):
            if x < offset + width:
                return column
        return None


def natural_width(column: Column, wanted: int) -> int:
    if column.width is not None:
        return column.width
    width = max(column.header_width, wanted, column.min_width)
    if column.max_width is not None:
        width = min(width, column.max_width)
    return width


def compute_layout(
    columns: Sequence[Column], wanted: Mapping[str, int], available: int, gap: int = 1
) -> Layout:
    """Fit ``columns`` into ``available`` cells.

    1. every column gets its natural width (content seen so far, label, min/max);
    2. while too wide, drop the least important column (largest ``priority`` > 0);
    3. still too wide: shrink text columns (never numbers) down to ``min_width``;
    4. still too wide: the layout is wider than ``available`` and the table scrolls sideways.
    """
    shown = list(columns)
    widths = {c.key: natural_width(c, wanted.get(c.key, 0)) for c in shown}

    def total() -> int:
        return sum(widths[c.key] for c in shown) + gap * max(0, len(shown) - 1)

    dropped: list[str] = []
    while total() > available:
        candidates = [(c.priority, i) for i, c in enumerate(shown) if c.priority > 0]
        if not candidates:
            break
        _, index = max(candidates)
        dropped.append(shown.pop(index).key)

    excess = total() - available
    if excess > 0:
        for column in reversed(shown):  # rightmost text columns give way first
            if column.numeric or column.width is not None:
                continue
            floor = max(column.min_width, 4)
            give = min(excess, widths[column.key] - floor)
            if give > 0:
                widths[column.key] -= give
                excess -= give
            if excess <= 0:
                break

    offsets = []
    x = 0
    for column in shown:
        offsets.append(x)
        x += widths[column.key] + gap
    return Layout(
        columns=tuple(shown),
        widths=tuple(widths[c.key] for c in shown),
        offsets=tuple(offsets),
        total_width=total(),
        dropped=tuple(dropped),
        gap=gap,
    )
