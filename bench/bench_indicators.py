"""Indicators over 100,000 candles: hedgetui (polars) vs TA-Lib (C), measured in one run.

    /work/venv/bin/python bench/bench_indicators.py [--candles N] [--repeat R]

Prints per-indicator and total time (best of R runs) for both, and their ratio; the target is
all indicators together well under a second.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from hedgetui.analytics import indicators as ind
from hedgetui.analytics.indicator_spec import apply_indicators, parse_indicator_specs
from hedgetui.analytics.resample import resample

try:
    import talib
except ImportError:  # TA-Lib is a test/dev dependency only
    talib = None


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def frame(n: int) -> pl.DataFrame:
    """``n`` 1m candles of a seeded random walk."""
    rng = np.random.default_rng(42)
    close = 60_000 * np.exp(np.cumsum(rng.normal(scale=0.002, size=n)))
    high = close * (1 + rng.uniform(0, 0.003, n))
    low = close * (1 - rng.uniform(0, 0.003, n))
    volume = rng.uniform(0.1, 10, n)
    ts = 1_700_000_000_000 + np.arange(n, dtype=np.int64) * 60_000
    return pl.DataFrame(
        {"ts": ts, "open": close, "high": high, "low": low, "close": close, "volume": volume}
    )


ALL_SPECS = "sma,ema,wma,bbands,rsi,macd,atr,stoch,vwap"


def all_indicators_ms(n: int = 100_000, repeat: int = 3) -> float:
    """Best time (ms) of ``apply_indicators`` with all nine indicators over ``n`` candles."""
    df = frame(n)
    specs = parse_indicator_specs(ALL_SPECS)
    return best(lambda: apply_indicators(df, specs), repeat) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candles", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n = args.candles

    df = frame(n)
    close, high, low = (df[k].to_numpy() for k in ("close", "high", "low"))
    c, h, lo = df["close"], df["high"], df["low"]

    cases: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("sma 20", lambda: ind.sma(c, 20), lambda: talib.SMA(close, 20)),
        ("ema 20", lambda: ind.ema(c, 20), lambda: talib.EMA(close, 20)),
        ("wma 20", lambda: ind.wma(c, 20), lambda: talib.WMA(close, 20)),
        ("bbands 20 2", lambda: ind.bbands(c), lambda: talib.BBANDS(close, 20, 2, 2, 0)),
        ("rsi 14", lambda: ind.rsi(c), lambda: talib.RSI(close, 14)),
        ("macd 12 26 9", lambda: ind.macd(c), lambda: talib.MACD(close, 12, 26, 9)),
        ("atr 14", lambda: ind.atr(h, lo, c), lambda: talib.ATR(high, low, close, 14)),
        ("stoch 5 3 3", lambda: ind.stoch(h, lo, c), lambda: talib.STOCH(high, low, close)),
        ("vwap (daily)", lambda: ind.vwap(df), None),  # not in TA-Lib
    ]

    print(f"{n:,} candles, best of {args.repeat}; polars {pl.__version__}", end="")
    print(f", TA-Lib {talib.__version__}" if talib else ", TA-Lib not installed")
    print(f"{'indicator':<14}{'hedgetui ms':>12}{'TA-Lib ms':>12}{'ratio':>8}")
    ours_total = ref_total = 0.0
    for name, ours, ref in cases:
        t_ours = best(ours, args.repeat)
        ours_total += t_ours
        if talib and ref:
            t_ref = best(ref, args.repeat)
            ref_total += t_ref
            print(f"{name:<14}{t_ours * 1e3:>12.2f}{t_ref * 1e3:>12.2f}{t_ours / t_ref:>8.1f}")
        else:
            print(f"{name:<14}{t_ours * 1e3:>12.2f}{'-':>12}{'-':>8}")
    ratio = f"{ours_total / ref_total:>8.1f}" if ref_total else f"{'-':>8}"
    ref_ms = f"{ref_total * 1e3:>12.2f}" if ref_total else f"{'-':>12}"
    print(f"{'TOTAL':<14}{ours_total * 1e3:>12.2f}{ref_ms}{ratio}")

    specs = parse_indicator_specs(ALL_SPECS)
    t_apply = best(lambda: apply_indicators(df, specs), args.repeat)
    t_resample = best(lambda: resample(df, "1h"), args.repeat)
    print(f"apply_indicators(all 9 specs): {t_apply * 1e3:.2f} ms")
    print(f"resample 1m -> 1h:             {t_resample * 1e3:.2f} ms")
    verdict = "OK" if ours_total < 1.0 else "TOO SLOW"
    print(f"target: all indicators well under 1 s -> {verdict} ({ours_total * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()
