"""Colours and glyphs per colour mode (TradingView-like: green up, red down).

Colours are plotext colour values: names for 16 colours, 0-255 for 256, RGB tuples for
truecolor. "mono" uses no colour at all (plain text): up and down candles then differ by
glyph (hollow-looking ``░`` up, ``█`` down) and line kinds by their dash pattern and text.
"""

from __future__ import annotations

from dataclasses import dataclass

from hedgetui.charts._px import NO_COLOR, colors_to_ansi
from hedgetui.charts.view import LineKind

__all__ = ["Palette", "palette_for"]

Color = str | int | tuple[int, int, int]

_ROLES_16 = {
    "up": "green", "down": "red", "vol_up": "green", "vol_down": "red",
    "axis": "gray+", "dim": "gray", "cursor": "gray+", "tag_text": "black",
    LineKind.BUY: "green+", LineKind.SELL: "red+", LineKind.ENTRY: "orange+",
    LineKind.ALERT: "magenta+", LineKind.DRAWING: "cyan+",
}  # fmt: skip
_ROLES_256 = {
    "up": 36, "down": 203, "vol_up": 29, "vol_down": 131,
    "axis": 245, "dim": 240, "cursor": 250, "tag_text": 16,
    LineKind.BUY: 41, LineKind.SELL: 197, LineKind.ENTRY: 220,
    LineKind.ALERT: 208, LineKind.DRAWING: 51,
}  # fmt: skip
_ROLES_RGB = {
    "up": (38, 166, 154), "down": (239, 83, 80),
    "vol_up": (24, 98, 92), "vol_down": (130, 52, 52),
    "axis": (120, 123, 134), "dim": (70, 74, 86), "cursor": (170, 172, 180),
    "tag_text": (0, 0, 0),
    LineKind.BUY: (38, 208, 124), LineKind.SELL: (242, 54, 69), LineKind.ENTRY: (255, 213, 0),
    LineKind.ALERT: (255, 152, 0), LineKind.DRAWING: (0, 188, 212),
}  # fmt: skip
# indicator lines, in order of appearance (overlays and oscillator lines have their own lists)
_SERIES = {
    "16": (["blue+", "orange+", "magenta+", "cyan+", "white"],
           ["magenta+", "blue+", "orange+", "cyan+"]),
    "256": ([33, 214, 170, 44, 230], [141, 33, 214, 44]),
    "truecolor": ([(41, 98, 255), (255, 152, 0), (171, 71, 188), (0, 188, 212), (255, 235, 59)],
                  [(126, 87, 194), (41, 98, 255), (255, 152, 0), (0, 188, 212)]),
}  # fmt: skip

# dash pattern per horizontal line kind (the colour alone is lost in mono)
LINE_GLYPH = {
    LineKind.DRAWING: "─",
    LineKind.BUY: "╌",
    LineKind.SELL: "╌",
    LineKind.ENTRY: "═",
    LineKind.ALERT: "┄",
}


@dataclass(frozen=True, slots=True)
class Palette:
    mode: str
    roles: dict
    overlays: tuple
    oscillators: tuple

    @property
    def mono(self) -> bool:
        return self.mode == "mono"

    def color(self, role) -> Color:
        return self.roles.get(role, NO_COLOR)

    def sgr(self, role, *, tag: bool = False) -> str:
        """SGR prefix for text in ``role``'s colour; ``tag`` = dark text on that colour."""
        if self.mono:
            return ""
        if tag:
            return colors_to_ansi(self.roles["tag_text"], NO_COLOR, self.roles[role])
        return colors_to_ansi(self.roles[role])

    def sgr_of(self, color: Color, *, tag: bool = False) -> str:
        if self.mono:
            return ""
        if tag:
            return colors_to_ansi(self.roles["tag_text"], NO_COLOR, color)
        return colors_to_ansi(color)

    def overlay(self, i: int) -> Color:
        return NO_COLOR if self.mono else self.overlays[i % len(self.overlays)]

    def oscillator(self, i: int) -> Color:
        return NO_COLOR if self.mono else self.oscillators[i % len(self.oscillators)]

    # glyphs
    def body(self, up: bool) -> str:
        return "░" if (self.mono and up) else "█"

    def line_marker(self, i: int = 0) -> str:
        """Indicator line marker; in mono the i-th line of a panel gets its own glyph."""
        return _MONO_MARKERS[i % len(_MONO_MARKERS)] if self.mono else "•"


_MONO_MARKERS = ("•", "·", "+", "*", "∘")


def palette_for(mode: str) -> Palette:
    if mode == "mono":
        return Palette("mono", {}, (), ())
    roles = {"16": _ROLES_16, "256": _ROLES_256, "truecolor": _ROLES_RGB}[mode]
    overlays, oscillators = _SERIES[mode]
    return Palette(mode, roles, tuple(overlays), tuple(oscillators))


def series_colors(overlays, oscillators, palette: Palette) -> dict[str, Color]:
    """Colour of every indicator output column; bbands' three bands share one colour."""
    out: dict[str, Color] = {}
    for i, spec in enumerate(overlays):
        for col in spec.columns:
            out[col] = palette.overlay(i)
    for spec in oscillators:
        lines = [c for c in spec.columns if not c.startswith("macdhist")]
        for j, col in enumerate(lines):
            out[col] = palette.oscillator(j if spec.name != "rsi" else 0)
    return out


def is_bar_column(col: str) -> bool:
    """Columns drawn as bars from zero (the MACD histogram) rather than as lines."""
    return col.startswith("macdhist")


def series_markers(overlays, oscillators, palette: Palette) -> dict[str, str]:
    """Marker of every indicator line column (distinct per panel in mono)."""
    out = {}
    for i, spec in enumerate(overlays):
        for col in spec.columns:
            out[col] = palette.line_marker(i)
    for spec in oscillators:
        for j, col in enumerate(spec.columns):
            out[col] = palette.line_marker(j)
    return out
