"""A character grid (one SGR prefix per cell) and its conversion to ANSI lines / rich Text."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

__all__ = ["RESET", "Grid", "style_of"]

RESET = "\x1b[0m"


class Grid:
    """``chars[line][col]`` and ``sgrs[line][col]``; line 0 is the top of the chart."""

    __slots__ = ("chars", "height", "sgrs", "width")

    def __init__(self, chars: list[list[str]], sgrs: list[list[str]]) -> None:
        self.chars = chars
        self.sgrs = sgrs
        self.height = len(chars)
        self.width = len(chars[0]) if chars else 0

    @classmethod
    def blank(cls, width: int, height: int) -> Grid:
        return cls([[" "] * width for _ in range(height)], [[""] * width for _ in range(height)])

    def copy(self) -> Grid:
        return Grid([r[:] for r in self.chars], [r[:] for r in self.sgrs])

    def put(self, line: int, col: int, char: str, sgr: str) -> None:
        if 0 <= line < self.height and 0 <= col < self.width:
            self.chars[line][col] = char
            self.sgrs[line][col] = sgr

    def text(self, line: int, col: int, text: str, sgr: str, limit: int | None = None) -> None:
        """Write ``text`` from ``col`` on, clipped at column ``limit`` (default: the width)."""
        end = min(self.width if limit is None else limit, col + len(text))
        if not 0 <= line < self.height:
            return
        row, srow = self.chars[line], self.sgrs[line]
        for i in range(max(col, 0), end):
            row[i] = text[i - col]
            srow[i] = sgr

    def runs(self, line: int) -> list[tuple[str, str]]:
        """(text, sgr) runs of equal style along ``line``."""
        chars, sgrs = self.chars[line], self.sgrs[line]
        out: list[tuple[str, str]] = []
        start = 0
        for i in range(1, self.width + 1):
            if i == self.width or sgrs[i] != sgrs[start]:
                out.append(("".join(chars[start:i]), sgrs[start]))
                start = i
        return out

    def ansi_line(self, line: int) -> str:
        return "".join(sgr + text + RESET if sgr else text for text, sgr in self.runs(line))

    def ansi_lines(self) -> tuple[str, ...]:
        return tuple(self.ansi_line(i) for i in range(self.height))

    def plain_lines(self) -> tuple[str, ...]:
        return tuple("".join(r) for r in self.chars)

    def segments(self, line: int) -> list[Segment]:
        return [Segment(text, style_of(sgr) if sgr else None) for text, sgr in self.runs(line)]

    def rich_text(self) -> Text:
        """The grid as one rich Text (lines joined by newlines), without parsing ANSI."""
        out = Text(no_wrap=True, overflow="crop", end="")
        for i in range(self.height):
            if i:
                out.append("\n")
            for text, sgr in self.runs(i):
                out.append(text, style_of(sgr) if sgr else None)
        return out


@lru_cache(maxsize=512)
def style_of(sgr: str) -> Style:
    """rich Style for an SGR prefix (parsed once per distinct prefix)."""
    spans = Text.from_ansi(sgr + "x").spans
    return spans[0].style if spans else Style.null()
