"""The one-line readout of the candle under the cursor (OHLCV and indicator values)."""

from __future__ import annotations

import polars as pl

from hedgetui.analytics.indicator_spec import INDICATORS
from hedgetui.charts.scale import fmt_price, fmt_volume, price_decimals, ts_text

__all__ = ["chart_status_line", "indicator_groups"]

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


def chart_status_line(df: pl.DataFrame, index: int, decimals: int | None = None) -> str:
    """``"2026-01-01 12:34 UTC  O 64,012.5 H ... L ... C ... V 1.23K  EMA(20) 63,998.1
    RSI(14) 55.2"`` for the candle at row ``index`` (negative counts from the end) of a candle
    frame with indicator columns (as :func:`render_chart` keeps in ``RenderedChart.data``)."""
    n = df.height
    if not -n <= index < n:
        return f"no candle at index {index} (the chart has {n})"
    row = df.row(index % n, named=True)
    d = price_decimals(row["close"]) if decimals is None else decimals

    def price(v) -> str:
        return "—" if v is None else fmt_price(v, d)

    parts = [
        f"{ts_text(row['ts'])} UTC",
        f"O {price(row['open'])} H {price(row['high'])} L {price(row['low'])} "
        f"C {price(row['close'])} V {fmt_volume(row['volume'] or 0.0)}",
    ]
    for name, label, cols in indicator_groups(df.columns):
        values = []
        for c in cols:
            v = row[c]
            if v is None or v != v:
                values.append("—")
            elif name in _PERCENT_LIKE:
                values.append(f"{v:.1f}")
            else:
                values.append(price(v))
        parts.append(f"{label} {'/'.join(values)}")
    return "  ".join(parts)
