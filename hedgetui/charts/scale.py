"""Scales: value ranges snapped to round steps, tick labels, price/volume/time formatting.

Ranges are padded and snapped outward to half a tick step, so a live candle that moves a
little usually keeps the same range -- and the chart can be patched instead of rebuilt.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hedgetui.analytics.indicators import DAY_MS

__all__ = [
    "fmt_price",
    "fmt_volume",
    "nice_range",
    "nice_step",
    "price_decimals",
    "step_decimals",
    "time_label",
    "time_ticks",
    "ts_text",
]

_PAD = 0.03  # of the data range, above and below


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= raw."""
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    exp = math.floor(math.log10(raw))
    base = 10.0**exp
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * base >= raw * (1 - 1e-12):
            return m * base
    return 10.0 * base


def step_decimals(step: float) -> int:
    """Decimals needed to write multiples of ``step`` exactly (2.5 -> 1, 0.25 -> 2)."""
    for d in range(0, 13):
        if abs(round(step * 10**d) - step * 10**d) < 1e-6:
            return d
    return 12


def nice_range(lo: float, hi: float, rows: int) -> tuple[float, float, float]:
    """(low, high, tick step) covering [lo, hi] with a small margin, snapped to half steps,
    with about one tick every 4 rows."""
    if hi < lo:
        lo, hi = hi, lo
    span = hi - lo
    if span <= 0:
        span = abs(hi) * 0.002 or 1.0
        lo, hi = lo - span / 2, hi + span / 2
    lo, hi = lo - span * _PAD, hi + span * _PAD
    step = nice_step((hi - lo) / max(1.0, rows / 4))
    half = step / 2
    return math.floor(lo / half) * half, math.ceil(hi / half) * half, step


def ticks_in(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def price_decimals(price: float) -> int:
    """About 6 significant digits: 64012.5 -> 1, 3012.45 -> 2, 1.23456 -> 5, 0.0000123 -> 10."""
    if not price or not math.isfinite(price):
        return 2
    digits = math.floor(math.log10(abs(price))) + 1
    return max(0, min(12, 6 - digits))


def fmt_price(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0.0"


def fmt_volume(value: float) -> str:
    """Compact volume: 950, 12.3K, 4.57M, 1.2B; small ones keep 4 significant digits."""
    a = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= limit:
            return f"{value / limit:.3g}{suffix}"
    if a >= 1 or a == 0:
        return f"{value:.4g}" if a < 1000 else f"{value:,.0f}"
    return f"{value:.4g}"


def ts_text(ts: int) -> str:
    return datetime.fromtimestamp(ts / 1000, UTC).strftime("%Y-%m-%d %H:%M")


# tick steps in ms for intraday labels, then whole days; months are handled apart
_STEPS = [60_000 * m for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 720)] + [
    DAY_MS * d for d in (1, 2, 5, 7, 10, 15)
]
_MONTH_STEPS = (1, 2, 3, 6, 12)


def time_label(ts: int, tf_ms: int, month_step: bool = False) -> str:
    """HH:MM intraday (MM-DD at midnight), MM-DD for daily, YYYY-MM for month ticks."""
    d = datetime.fromtimestamp(ts / 1000, UTC)
    if month_step:
        return d.strftime("%Y-%m")
    if tf_ms < DAY_MS and ts % DAY_MS:
        return d.strftime("%H:%M")
    return d.strftime("%Y") if (d.month, d.day) == (1, 1) else d.strftime("%m-%d")


def time_ticks(ts: list[int], tf_ms: int, min_gap_ms: float) -> list[tuple[int, str]]:
    """(candle index, label) for candles at round times, about ``min_gap_ms`` apart or more.

    Only candles that exist get a tick, so a gap or a closed market never gets a label."""
    step = next((s for s in _STEPS if s >= min_gap_ms and s % tf_ms == 0 and s >= tf_ms), None)
    if step is not None:
        out = [(i, time_label(t, tf_ms)) for i, t in enumerate(ts) if t % step == 0]
        if out or len(ts) < 2:
            return out
        # candles off the round times (e.g. FX dailies opening 22:00): every k-th one
        k = max(1, math.ceil(min_gap_ms / tf_ms))
        return [(i, time_label(ts[i], tf_ms)) for i in range(len(ts) - 1, -1, -k)][::-1]
    months = max(1.0, min_gap_ms / (30 * DAY_MS))
    every = next((m for m in _MONTH_STEPS if m >= months), 12)
    out = []
    for i, t in enumerate(ts):
        if t % DAY_MS:
            continue
        d = datetime.fromtimestamp(t / 1000, UTC)
        if d.day == 1 and (d.month - 1) % every == 0:
            out.append((i, time_label(t, tf_ms, month_step=True)))
    return out
