"""What a chart shows: the view a UI pane keeps and hands to :func:`render_chart`.

Indices are absolute rows of the candle frame (0 = oldest); negative ones count from the end
like Python's (-1 = the latest candle). ``window`` is the zoom (candles shown), ``offset`` the
pan (candles hidden to the right of the view; 0 keeps the latest candle at the right edge).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from hedgetui.analytics.indicator_spec import IndicatorSpec, parse_indicator_specs
from hedgetui.domain.models import timeframe_ms

__all__ = [
    "COLOR_MODES",
    "ChartView",
    "ColorMode",
    "HLine",
    "LineKind",
    "TrendLine",
    "split_indicators",
]

ColorMode = Literal["16", "256", "truecolor", "mono"]
COLOR_MODES: tuple[str, ...] = ("16", "256", "truecolor", "mono")


class LineKind(StrEnum):
    """What a horizontal line stands for; decides its colour and dash pattern."""

    DRAWING = "drawing"  # drawn by the user
    BUY = "buy"  # an open buy order
    SELL = "sell"  # an open sell order
    ENTRY = "entry"  # a position's entry price
    ALERT = "alert"  # an alert level


@dataclass(frozen=True, slots=True)
class HLine:
    price: float
    kind: LineKind = LineKind.DRAWING
    label: str = ""  # e.g. "buy 0.5 main"; shown at the line's left end


@dataclass(frozen=True, slots=True)
class TrendLine:
    """A segment from (t1, p1) to (t2, p2); times are ms UTC and need not be candle times."""

    t1: int
    p1: float
    t2: int
    p2: float
    label: str = ""  # shown next to the later point


def split_indicators(
    specs: str | Iterable[IndicatorSpec],
) -> tuple[tuple[IndicatorSpec, ...], tuple[IndicatorSpec, ...]]:
    """``"ema:20,bbands,rsi"`` (or parsed specs) -> (overlays, oscillators), order kept.

    Raises :class:`~hedgetui.analytics.indicator_spec.IndicatorSpecError` for a bad spec."""
    parsed = parse_indicator_specs(specs) if isinstance(specs, str) else list(specs)
    return (
        tuple(s for s in parsed if s.is_overlay),
        tuple(s for s in parsed if not s.is_overlay),
    )


@dataclass(frozen=True, slots=True)
class ChartView:
    exchange: str
    symbol: str
    timeframe: str
    width: int = 120  # characters
    height: int = 40  # lines
    window: int = 120  # candles shown (zoom)
    offset: int = 0  # candles hidden right of the view (pan); 0 = latest at the right edge
    overlays: tuple[IndicatorSpec, ...] = ()  # sma/ema/wma/bbands/vwap, drawn on the price
    oscillators: tuple[IndicatorSpec, ...] = ()  # rsi/macd/atr/stoch, one panel each
    hlines: tuple[HLine, ...] = ()
    trendlines: tuple[TrendLine, ...] = ()
    last_price_line: bool = True
    cursor: int | None = None  # absolute candle row (negative from the end) or None
    cursor_price: float | None = None  # the crosshair's price; None: the close under it
    color: ColorMode = "256"
    forex: bool = False  # FX weekend closes are not gaps
    volume: bool = True  # volume panel under the price when the height allows
    price_decimals: int | None = None  # None: derived from the price level

    def __post_init__(self) -> None:
        timeframe_ms(self.timeframe)  # ValueError naming the accepted timeframes
        for name in ("width", "height", "window"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"chart {name} must be a positive whole number, got {value!r}")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValueError(f"chart offset must be 0 or more candles, got {self.offset!r}")
        if self.color not in COLOR_MODES:
            raise ValueError(
                f"chart colour mode must be one of {', '.join(COLOR_MODES)}, got {self.color!r}"
            )
        for spec in self.overlays:
            if not spec.is_overlay:
                raise ValueError(
                    f"{spec.label} is an oscillator (own panel); put it in oscillators, "
                    "not overlays"
                )
        for spec in self.oscillators:
            if spec.is_overlay:
                raise ValueError(
                    f"{spec.label} is drawn on the price; put it in overlays, not oscillators"
                )
        if self.price_decimals is not None and not 0 <= self.price_decimals <= 12:
            raise ValueError(f"price_decimals must be 0..12, got {self.price_decimals}")

    @property
    def title(self) -> str:
        return f"{self.symbol} {self.timeframe} {self.exchange}"

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return self.overlays + self.oscillators
