"""The plotext 5.x internals the chart relies on, in one place (pinned <6 in pyproject).

Besides the public figure API we use: the figure's cell matrix after a build (so annotations
and the live candle can be composed on top without a rebuild), and plotext's own coordinate
and line rasterising helpers, so cells we draw land exactly where plotext would draw them.
"""

from __future__ import annotations

from plotext import _utility as ut
from plotext._figure import _figure_class

__all__ = ["NO_COLOR", "Figure", "colors_to_ansi", "line_cells", "new_figure", "to_cells"]

NO_COLOR = ut.no_color
Figure = _figure_class


def new_figure(width: int, height: int) -> _figure_class:
    """A private figure (not plotext's global one, so renders in threads don't collide)."""
    fig = _figure_class()
    fig._limit_size(False, False)  # else it shrinks to 80x24 when stdout is not a terminal
    fig.plot_size(width, height)
    return fig


def colors_to_ansi(fg, style=NO_COLOR, bg=NO_COLOR) -> str:
    """The SGR prefix plotext writes for a cell (memoised by plotext; colours are hashable)."""
    return ut.colors_to_ansi(fg, style, bg)


def to_cells(values: list[float], lim: tuple[float, float], bins: int) -> list[int]:
    """plotext's data -> canvas cell index mapping (0 = left/bottom)."""
    return ut.get_matrix_data(values, list(lim), bins)


def line_cells(xs: list[int], ys: list[int]) -> list[tuple[int, int]]:
    """The cells plotext fills for a polyline through cell points (lines=True)."""
    lx, ly = ut.get_lines(xs, ys, [0] * len(xs))[:2]  # plotext needs one extra per-point list
    return list(zip(lx, ly, strict=True))
