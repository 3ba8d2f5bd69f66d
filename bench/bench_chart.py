"""Chart rendering: full render vs the live paths vs a plain plotext candlestick, one run.

    /work/venv/bin/python bench/bench_chart.py [--candles 200] [--history 1000] [--repeat 40]

200 candles shown at 120x40 with EMA(20), BBANDS(20,2) and RSI(14), indicators computed over
``--history`` candles. Measured side by side:

* full ``render_chart`` (plotext; runs off the event loop, only on data/size/view changes)
* the live candle: ``prepare_live_update`` (polars indicator recompute; thread or loop) and
  ``apply_live_update`` + ``segment_lines`` (what the UI does on the loop per tick)
* ``with_cursor`` (crosshair move, on the loop)
* a plain plotext 5.x candlestick of the same candles, same size, built the textbook way

Target: the on-loop part per live update <= 5 ms.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable

import plotext as plt
import polars as pl

from hedgetui.charts import (
    ChartView,
    apply_live_update,
    prepare_live_update,
    render_chart,
    split_indicators,
    try_patch_last_candle,
    with_cursor,
)
from hedgetui.domain.models import Candle


def measure(fn: Callable[[int], object], repeat: int) -> tuple[float, float]:
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.9) - 1] * 1000


def candles(n: int) -> pl.DataFrame:
    rnd = random.Random(42)
    rows, close = [], 64_000.0
    for i in range(n):
        o = close
        close = o * math.exp(rnd.gauss(0, 0.002))
        hi, lo = (
            max(o, close) * (1 + rnd.uniform(0, 0.001)),
            min(o, close) * (1 - rnd.uniform(0, 0.001)),
        )
        rows.append((1_767_225_600_000 + i * 3_600_000, o, hi, lo, close, rnd.uniform(1, 50)))
    return pl.DataFrame(rows, schema=["ts", "open", "high", "low", "close", "volume"], orient="row")


def plain_plotext(df: pl.DataFrame, width: int, height: int) -> str:
    plt.clear_figure()
    plt.limit_size(False, False)
    plt.plotsize(width, height)
    data = {"Open": df["open"].to_list(), "Close": df["close"].to_list(),
            "High": df["high"].to_list(), "Low": df["low"].to_list()}  # fmt: skip
    plt.candlestick(list(range(df.height)), data)
    return plt.build()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candles", type=int, default=200)
    ap.add_argument("--history", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    df = candles(max(args.history, args.candles))
    overlays, oscillators = split_indicators("ema:20,bbands:20:2,rsi:14")
    view = ChartView("binance", "BTC/USDT", "1h", 120, 40, window=args.candles,
                     overlays=overlays, oscillators=oscillators)  # fmt: skip
    rendered = render_chart(df, view)
    rendered.segment_lines  # noqa: B018 -- warm the shared line cache like a UI would
    last = df.row(-1, named=True)

    def tick(i: int) -> Candle:  # small moves that stay in the price range
        close = last["close"] * (1 + (i % 7 - 3) * 1e-5)
        return Candle(last["ts"], last["open"], max(last["high"], close),
                      min(last["low"], close), close, last["volume"] + i * 0.01)  # fmt: skip

    updates = [prepare_live_update(rendered, tick(i)) for i in range(args.repeat)]
    assert all(u is not None for u in updates)
    assert all(try_patch_last_candle(rendered, tick(i)) for i in range(args.repeat)), "range"

    rows = [
        ("full render_chart (off-loop)", measure(lambda i: render_chart(df, view), args.repeat)),
        ("plain plotext candlestick build", measure(
            lambda i: plain_plotext(df.tail(args.candles), 120, 40), args.repeat)),
        ("live: prepare_live_update (polars)", measure(
            lambda i: prepare_live_update(rendered, tick(i)), args.repeat)),
        ("live: apply_live_update + segments (loop)", measure(
            lambda i: apply_live_update(rendered, updates[i]).segment_lines, args.repeat)),
        ("live: try_patch_last_candle (both)", measure(
            lambda i: try_patch_last_candle(rendered, tick(i)), args.repeat)),
        ("cursor: with_cursor + segments (loop)", measure(
            lambda i: with_cursor(rendered, -1 - i % 50).segment_lines, args.repeat)),
    ]  # fmt: skip
    base = rows[1][1][0]
    print(f"{args.candles} candles shown at 120x40, EMA(20) BBANDS(20,2) RSI(14), "
          f"{df.height} candles of history, {args.repeat} runs")  # fmt: skip
    print(f"{'':44s} {'median ms':>10s} {'p90 ms':>8s} {'vs plotext':>11s}")
    for name, (med, p90) in rows:
        print(f"{name:44s} {med:10.2f} {p90:8.2f} {med / base:10.2f}x")
    loop = rows[3][1][0]
    verdict = "OK" if loop <= 5.0 else "OVER"
    print(f"on-loop live update: {loop:.2f} ms median (target <= 5 ms): {verdict}")


if __name__ == "__main__":
    main()
