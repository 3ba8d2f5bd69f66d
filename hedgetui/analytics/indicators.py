"""Technical indicators on polars Series, matching TA-Lib (0.8, default compatibility mode).

Every function takes float-like ``pl.Series`` and returns ``pl.Series`` (Float64) of the same
length, named after its output column (``ema_20``, ``macdsignal_12_26_9``, ...). Warm-up
positions are null at exactly the indices where TA-Lib returns NaN; from TA-Lib's first value
on, ours agree with it to ~1e-14 relative (tests hold them to 1e-9).

Conventions shared with TA-Lib:

* EMA is seeded with the SMA of its first ``period`` values (not with the first value, which
  is what ``ewm_mean(adjust=False)`` alone would do); ``k = 2 / (period + 1)``.
* RSI and ATR use Wilder smoothing (``alpha = 1 / period``) seeded with a plain average.
  ATR's first value is at index ``period``: the mean of TR[1..period] (TR[0] has no previous
  close and is not used). RSI of a flat series is 0 (TA-Lib's choice when gains+losses = 0).
* MACD's fast EMA is seeded at the slow EMA's first index, so both start together; all three
  outputs start at ``slow + signal - 2``. If ``slow < fast`` the two are swapped, as TA-Lib does.
* Bollinger Bands use the population standard deviation (ddof=0) around an SMA middle band.
* Stochastic is TA-Lib's slow STOCH: %K smoothed by an SMA of ``slowk``, %D an SMA of %K of
  ``slowd``; %K is 0 when the high-low range of the window is 0.

Missing values (null or NaN): leading ones are skipped, like the TA-Lib Python wrapper does
(the indicator starts at the first bar where every input is present, and warm-up counts from
there). A missing value *after* that makes the output null from that bar to the end: TA-Lib's
own results there are inconsistent between functions (its RSI turns 0 forever, WMA recovers,
ATR ignores a missing close), so we do not imitate them. Candle history has no holes of this
kind in practice; gaps are missing rows, which :mod:`hedgetui.analytics.resample` reports.

VWAP (not in TA-Lib) is defined in :func:`vwap`.
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "DAY_MS",
    "atr",
    "bbands",
    "ema",
    "fmt_param",
    "macd",
    "rsi",
    "sma",
    "stoch",
    "vwap",
    "wma",
]

DAY_MS = 86_400_000
MAX_PERIOD = 100_000  # TA-Lib's upper bound for every period


def fmt_param(value: float) -> str:
    """Parameter as it appears in a column name: 20 -> "20", 2.0 -> "2", 2.5 -> "2.5"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _name(prefix: str, *params: float) -> str:
    return "_".join([prefix, *(fmt_param(p) for p in params)])


def _check_period(what: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    if not minimum <= value <= MAX_PERIOD:
        raise ValueError(f"{what} must be between {minimum} and {MAX_PERIOD}, got {value}")


def _as_float(s: pl.Series, what: str) -> pl.Series:
    if not isinstance(s, pl.Series):
        raise TypeError(f"{what} must be a polars Series, got {type(s).__name__}")
    if not s.dtype.is_numeric():
        raise ValueError(f"{what} must be numeric, got a {s.dtype} series")
    return s.cast(pl.Float64)


def _span(*series: pl.Series) -> tuple[int, int]:
    """[start, end) of the usable run: from the first bar where every input is present up to
    (not including) the next bar where one is missing. (0, 0) when nothing is usable."""
    n = series[0].len()
    if any(s.len() != n for s in series):
        raise ValueError(f"inputs differ in length: {[s.len() for s in series]}")
    valid = pl.select(
        pl.all_horizontal([s.is_not_null() & s.is_not_nan() for s in series])
    ).to_series()
    present = valid.arg_true()
    if present.len() == 0:
        return 0, 0
    start = int(present[0])
    holes = valid.slice(start).not_().arg_true()
    end = start + int(holes[0]) if holes.len() else n
    return start, end


def _nulls(k: int) -> pl.Series:
    return pl.Series(values=[None] * k, dtype=pl.Float64) if k else pl.Series(dtype=pl.Float64)


def _place(core: pl.Series, start: int, n: int, name: str) -> pl.Series:
    """Put ``core`` (computed on the usable run) back at ``start`` in a length-``n`` series."""
    tail = n - start - core.len()
    return pl.concat([_nulls(start), core.cast(pl.Float64), _nulls(tail)]).rename(name)


def _blank(at: int, core: pl.Series) -> pl.Series:
    """``core`` with its first ``at`` values nulled (aligning warm-ups to TA-Lib's)."""
    at = min(at, core.len())
    return pl.concat([_nulls(at), core.slice(at)])


def _recursive(x: pl.Series, seed: float, seed_at: int, alpha: float) -> pl.Series:
    """y[seed_at] = seed; y[t] = y[t-1] + alpha * (x[t] - y[t-1]) after; null before.

    ``ewm_mean(adjust=False)`` starts from its first element, so the series handed to it starts
    with the seed: this gives TA-Lib's SMA-seeded EMA and Wilder smoothing without a loop."""
    tail = pl.concat([pl.Series([seed], dtype=pl.Float64), x.slice(seed_at + 1)])
    return pl.concat([_nulls(seed_at), tail.ewm_mean(alpha=alpha, adjust=False)])


def _ema_core(x: pl.Series, period: int, seed_at: int) -> pl.Series:
    """EMA whose first value is at ``seed_at``: the SMA of the ``period`` values ending there."""
    if x.len() <= seed_at:
        return _nulls(x.len())
    seed = x.slice(seed_at - period + 1, period).mean()
    return _recursive(x, seed, seed_at, 2.0 / (period + 1))


def sma(close: pl.Series, period: int = 20) -> pl.Series:
    """Simple moving average (TA_SMA); first value at index ``period - 1``."""
    _check_period("SMA period", period)
    x = _as_float(close, "close")
    start, end = _span(x)
    core = x.slice(start, end - start).rolling_mean(period)
    return _place(core, start, x.len(), _name("sma", period))


def ema(close: pl.Series, period: int = 20) -> pl.Series:
    """Exponential moving average (TA_EMA), seeded with the SMA of the first ``period``."""
    _check_period("EMA period", period)
    x = _as_float(close, "close")
    start, end = _span(x)
    core = _ema_core(x.slice(start, end - start), period, period - 1)
    return _place(core, start, x.len(), _name("ema", period))


def wma(close: pl.Series, period: int = 20) -> pl.Series:
    """Linearly weighted moving average (TA_WMA): weights 1..period, newest heaviest."""
    _check_period("WMA period", period)
    x = _as_float(close, "close")
    start, end = _span(x)
    weights = [float(w) for w in range(1, period + 1)]
    divider = period * (period + 1) / 2
    core = x.slice(start, end - start).rolling_sum(period, weights=weights) / divider
    return _place(core, start, x.len(), _name("wma", period))


def bbands(
    close: pl.Series, period: int = 20, nbdev_up: float = 2.0, nbdev_dn: float = 2.0
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Bollinger Bands (TA_BBANDS, SMA middle): ``(upper, middle, lower)``.

    upper/lower = middle +/- nbdev * population standard deviation over ``period``."""
    _check_period("Bollinger period", period, minimum=2)
    for what, dev in (("nbdev_up", nbdev_up), ("nbdev_dn", nbdev_dn)):
        if isinstance(dev, bool) or not isinstance(dev, int | float) or dev != dev:
            raise ValueError(f"{what} must be a number, got {dev!r}")
    x = _as_float(close, "close")
    start, end = _span(x)
    run = x.slice(start, end - start)
    mid = run.rolling_mean(period)
    std = run.rolling_std(period, ddof=0)
    if nbdev_up == nbdev_dn:  # same arithmetic as TA-Lib: one product, added and subtracted
        dev = std * float(nbdev_up)
        upper, lower = mid + dev, mid - dev
    else:
        upper, lower = mid + std * float(nbdev_up), mid - std * float(nbdev_dn)
    suffix = (period, nbdev_up) if nbdev_up == nbdev_dn else (period, nbdev_up, nbdev_dn)
    n = x.len()
    return (
        _place(upper, start, n, _name("bbupper", *suffix)),
        _place(mid, start, n, _name("bbmiddle", *suffix)),
        _place(lower, start, n, _name("bblower", *suffix)),
    )


def rsi(close: pl.Series, period: int = 14) -> pl.Series:
    """Wilder's RSI (TA_RSI); first value at index ``period``; 0 when nothing moved."""
    _check_period("RSI period", period, minimum=2)
    x = _as_float(close, "close")
    start, end = _span(x)
    run = x.slice(start, end - start)
    if run.len() <= period:
        core = _nulls(run.len())
    else:
        change = run.diff()
        gain = change.clip(lower_bound=0.0)
        loss = (-change).clip(lower_bound=0.0)
        alpha = 1.0 / period
        avg_gain = _recursive(gain, gain.slice(1, period).sum() / period, period, alpha)
        avg_loss = _recursive(loss, loss.slice(1, period).sum() / period, period, alpha)
        total = avg_gain + avg_loss
        core = pl.select(
            pl.when(total == 0.0).then(0.0).otherwise(100.0 * (avg_gain / total))
        ).to_series()
    return _place(core, start, x.len(), _name("rsi", period))


def macd(
    close: pl.Series, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """MACD (TA_MACD): ``(macd, signal, hist)``, all starting at index ``slow + signal - 2``."""
    _check_period("MACD fast period", fast, minimum=2)
    _check_period("MACD slow period", slow, minimum=2)
    _check_period("MACD signal period", signal)
    names = [_name(p, fast, slow, signal) for p in ("macd", "macdsignal", "macdhist")]
    long_, short = (fast, slow) if slow < fast else (slow, fast)  # TA-Lib swaps them
    x = _as_float(close, "close")
    start, end = _span(x)
    run = x.slice(start, end - start)
    first = long_ + signal - 2
    if run.len() <= first:
        line = sig = hist = _nulls(run.len())
    else:
        # both EMAs begin at the slow one's first bar (TA-Lib seeds the fast one there too)
        line = _ema_core(run, short, long_ - 1) - _ema_core(run, long_, long_ - 1)
        sig = pl.concat([_nulls(long_ - 1), _ema_core(line.slice(long_ - 1), signal, signal - 1)])
        line = _blank(first, line)
        hist = line - sig
    n = x.len()
    return tuple(_place(s, start, n, nm) for s, nm in zip((line, sig, hist), names, strict=True))


def atr(high: pl.Series, low: pl.Series, close: pl.Series, period: int = 14) -> pl.Series:
    """Average True Range (TA_ATR, Wilder); first value at index ``period``."""
    _check_period("ATR period", period)
    h, lo, c = _as_float(high, "high"), _as_float(low, "low"), _as_float(close, "close")
    start, end = _span(h, lo, c)
    h, lo, c = (s.slice(start, end - start) for s in (h, lo, c))
    if h.len() <= period:
        core = _nulls(h.len())
    else:
        prev = c.shift(1)
        tr = pl.select(pl.max_horizontal(h - lo, (h - prev).abs(), (lo - prev).abs())).to_series()
        core = _recursive(tr, tr.slice(1, period).sum() / period, period, 1.0 / period)
    return _place(core, start, high.len(), _name("atr", period))


def stoch(
    high: pl.Series,
    low: pl.Series,
    close: pl.Series,
    fastk: int = 5,
    slowk: int = 3,
    slowd: int = 3,
) -> tuple[pl.Series, pl.Series]:
    """Slow stochastic (TA_STOCH with SMA smoothing): ``(k, d)``, both starting at index
    ``fastk + slowk + slowd - 3``."""
    _check_period("STOCH fastk period", fastk)
    _check_period("STOCH slowk period", slowk)
    _check_period("STOCH slowd period", slowd)
    h, lo, c = _as_float(high, "high"), _as_float(low, "low"), _as_float(close, "close")
    start, end = _span(h, lo, c)
    h, lo, c = (s.slice(start, end - start) for s in (h, lo, c))
    highest, lowest = h.rolling_max(fastk), lo.rolling_min(fastk)
    # TA-Lib divides by range/100 and gives 0 for a zero range
    diff = (highest - lowest) / 100.0
    fast_k = pl.select(pl.when(diff == 0.0).then(0.0).otherwise((c - lowest) / diff)).to_series()
    k = fast_k.rolling_mean(slowk)
    d = k.rolling_mean(slowd)
    k = _blank(fastk + slowk + slowd - 3, k)
    n = high.len()
    return (
        _place(k, start, n, _name("stochk", fastk, slowk, slowd)),
        _place(d, start, n, _name("stochd", fastk, slowk, slowd)),
    )


def vwap(df: pl.DataFrame, *, reset_daily: bool = True) -> pl.Series:
    """Volume-weighted average price (not in TA-Lib), defined as

        vwap[t] = sum(tp[i] * volume[i]) / sum(volume[i]),  tp = (high + low + close) / 3

    summed over the bars from the start of the current UTC day (a bar belongs to the day of its
    ``ts``) up to and including bar t -- TradingView's "Session" anchor for 24/7 markets. With
    ``reset_daily=False`` the sums run from the first bar. Null while the summed volume is 0.

    ``df`` needs columns ts (int ms, UTC), high, low, close, volume.
    """
    missing = [c for c in ("ts", "high", "low", "close", "volume") if c not in df.columns]
    if missing:
        raise ValueError(f"vwap needs columns ts, high, low, close, volume; missing {missing}")
    h, lo, c, v = (_as_float(df[col], col) for col in ("high", "low", "close", "volume"))
    start, end = _span(h, lo, c, v)
    run = pl.DataFrame(
        {
            "day": df["ts"].slice(start, end - start) // DAY_MS if reset_daily else 0,
            "pv": (h + lo + c).slice(start, end - start) / 3.0 * v.slice(start, end - start),
            "v": v.slice(start, end - start),
        }
    )
    core = run.select(
        pl.when(pl.col("v").cum_sum().over("day") == 0.0)
        .then(None)
        .otherwise(pl.col("pv").cum_sum().over("day") / pl.col("v").cum_sum().over("day"))
    ).to_series()
    return _place(core, start, df.height, "vwap")
