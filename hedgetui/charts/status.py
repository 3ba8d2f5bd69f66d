"""The readout of the candle under the cursor (OHLCV, indicator values, the cursor's price).

A trader must see every value, so the readout gets more compact as the width shrinks
(dates shortened, short labels, no thousands separators, finally no time -- the time axis
shows the crosshair's time anyway) and, where the pane has room, wraps onto a second line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from hedgetui.analytics.indicator_spec import INDICATORS
from hedgetui.analytics.indicators import DAY_MS
from hedgetui.charts.scale import fmt_price, fmt_volume, price_decimals

__all__ = ["chart_status_line", "chart_status_lines", "indicator_groups"]

_OHLCV = ("ts", "open", "high", "low", "close", "volume")
_PERCENT_LIKE = {"rsi", "stoch"}  # 0..100 scales: one decimal
# output prefix -> indicator name, longest first so "macdsignal" wins over "macd"
_PREFIXES = sorted(
    ((out, name) for name, d in INDICATORS.items() for out in d.outputs),
    key=lambda p: -len(p[0]),
)


def _match(col: str) -> tuple[str, str, str] | None:
    for prefix, name in _PREFIXES:
        if col == prefix:
            return name, prefix, ""
        if col.startswith(prefix + "_"):
            return name, prefix, col[len(prefix) + 1 :]
    return None


def indicator_groups(columns: list[str]) -> list[tuple[str, str, list[str]]]:
    """Indicator columns grouped per indicator instance: (name, label, columns in output
    order), e.g. ("macd", "MACD(12,26,9)", ["macd_12_26_9", "macdsignal_12_26_9", ...])."""
    groups: dict[tuple[str, str], list[str]] = {}
    for col in columns:
        if col in _OHLCV:
            continue
        m = _match(col)
        if m is None:
            continue
        name, _, params = m
        groups.setdefault((name, params), []).append(col)
    out = []
    for (name, params), cols in groups.items():
        order = INDICATORS[name].outputs
        cols.sort(key=lambda c: order.index(_match(c)[1]))
        shown = params.replace("_", ",")
        out.append((name, f"{name.upper()}({shown})" if shown else name.upper(), cols))
    return out


@dataclass(frozen=True, slots=True)
class _Form:
    """How compact one rendering of the readout is."""

    time: str  # strftime for intraday candles ("" = no time)
    day_time: str  # ... for daily candles
    commas: bool  # thousands separators
    short_labels: bool  # "EMA20" instead of "EMA(20)"
    glue: str  # between "O" and its value
    joiner: str  # between the parts


_FORMS = (
    _Form("%Y-%m-%d %H:%M UTC", "%Y-%m-%d UTC", True, False, " ", "  "),
    _Form("%m-%d %H:%M", "%Y-%m-%d", True, False, " ", " "),
    _Form("%H:%M", "%m-%d", False, True, " ", " "),
    _Form("", "", False, True, "", " "),
)


def _parts(row: dict, groups, d: int, form: _Form, daily: bool, cursor_price) -> list[str]:
    def price(v) -> str:
        if v is None or v != v:
            return "—"
        text = fmt_price(v, d)
        return text if form.commas else text.replace(",", "")

    g = form.glue
    vol = fmt_volume(row["volume"] or 0.0)
    if not form.commas and vol.replace(".", "").isdigit() and "." in vol:
        vol = f"{float(vol):.3g}"  # "414.4" -> "414"
    ohlcv = (f"O{g}{price(row['open'])} H{g}{price(row['high'])} L{g}{price(row['low'])} "
             f"C{g}{price(row['close'])} V{g}{vol}")  # fmt: skip
    fmt = form.day_time if daily else form.time
    parts = [datetime.fromtimestamp(row["ts"] / 1000, UTC).strftime(fmt)] if fmt else []
    parts.append(ohlcv)
    for name, label, cols in groups:
        values = []
        for c in cols:
            v = row[c]
            if v is None or v != v:
                values.append("—")
            elif name in _PERCENT_LIKE:
                values.append(f"{v:.1f}")
            else:
                values.append(price(v))
        if form.short_labels:
            label = label.replace("BBANDS", "BB").replace("(", "").replace(")", "")
        parts.append(f"{label} {'/'.join(values)}")
    if cursor_price is not None:
        parts.append(f"@{price(cursor_price)}")
    return parts


def _wrap(parts: list[str], joiner: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(joiner) + len(part) <= width:
            lines[-1] += joiner + part
        else:
            lines.append(part)
    return lines


def chart_status_lines(
    df: pl.DataFrame,
    index: int,
    decimals: int | None = None,
    *,
    width: int | None = None,
    max_lines: int = 1,
    cursor_price: float | None = None,
    daily: bool | None = None,
) -> list[str]:
    """The readout of the candle at row ``index`` (negative counts from the end) of a candle
    frame with indicator columns (as :func:`render_chart` keeps in ``RenderedChart.data``),
    in at most ``max_lines`` lines of ``width`` characters: the most readable form that fits,
    e.g. ``"2026-01-01 12:34 UTC  O 64,012.5 H ... V 1.23K  EMA(20) 63,998.1  RSI(14) 55.2"``
    wide, ``"12:34 O 64012.5 H ... V 1.23K EMA20 63998.1 RSI14 55.2"`` narrow. A free price
    cursor (``cursor_price``) is shown as ``@<price>``. ``daily``: show dates rather than
    times (default: guessed from the candle's time, midnight UTC)."""
    n = df.height
    if not -n <= index < n:
        return [f"no candle at index {index} (the chart has {n})"]
    row = df.row(index % n, named=True)
    d = price_decimals(row["close"]) if decimals is None else decimals
    if daily is None:
        daily = row["ts"] % DAY_MS == 0
    groups = indicator_groups(df.columns)
    forms = [_parts(row, groups, d, f, daily, cursor_price) for f in _FORMS]
    if width is None:
        return ["  ".join(forms[0])]
    one = list(zip(_FORMS, forms, strict=True))
    # one line with dates and separators; then (room allowing) the same wrapped; then the
    # compact forms on one line; then those wrapped
    order = [(one[0], 1), (one[1], 1), (one[1], max_lines), (one[2], 1), (one[3], 1),
             (one[2], max_lines), (one[3], max_lines)]  # fmt: skip
    for (form, parts), limit in order:
        lines = _wrap(parts, form.joiner, width) if limit > 1 else [form.joiner.join(parts)]
        if len(lines) <= limit and all(len(s) <= width for s in lines):
            return lines
    form, parts = one[-1]  # nothing fits: the tightest form, cut with a mark
    lines = _wrap(parts, form.joiner, width) if max_lines > 1 else [form.joiner.join(parts)]
    cut = len(lines) > max_lines or any(len(s) > width for s in lines[:max_lines])
    lines = [s[:width] for s in lines[:max_lines]]
    if cut:
        lines[-1] = lines[-1][: max(0, width - 1)] + "…"
    return lines


def chart_status_line(
    df: pl.DataFrame,
    index: int,
    decimals: int | None = None,
    *,
    width: int | None = None,
    cursor_price: float | None = None,
    daily: bool | None = None,
) -> str:
    """One line of :func:`chart_status_lines` (the full form when ``width`` is None)."""
    return chart_status_lines(
        df, index, decimals, width=width, cursor_price=cursor_price, daily=daily
    )[0]
