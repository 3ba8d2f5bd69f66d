"""Chart rendering: the pane on the event loop vs a full render vs plain plotext, one run.

    /work/venv/bin/python bench/bench_chart.py [--candles 200] [--history 1000] [--repeat 40]

200 candles shown at 120x40 with two overlays, EMA(20) and BBANDS(20,2), plus RSI(14);
indicators computed over ``--history`` candles. Measured side by side:

* **the pane on the event loop**: the real ChartBox/ChartWidget in a headless Textual app
  over a real store. A poller writes a tick of the forming candle (or a new candle) to the
  store; then the pane's own update path runs (``ChartBox.refresh_latest``: store read,
  merge, ``ChartWidget.patch`` or a full render in a thread) and Textual paints it. The
  loop's busy time is summed over every callback it runs in that span (asyncio handles
  timed), so thread time (aiosqlite, polars, plotext) is excluded and everything the loop
  really does -- including Textual's compositor -- is included.
* full ``render_chart`` (plotext; runs off the event loop, only on data/size/view changes)
* the live candle's pieces: ``prepare_live_update`` (polars, in a thread) and
  ``apply_live_update`` + ``segment_lines`` (on the loop); ``with_cursor`` (crosshair)
* a plain plotext 5.x build of the same chart (candles, EMA, Bollinger, volume, RSI; same
  size), the textbook way -- what a chart that rebuilds per frame pays every frame
* all nine indicators over 100,000 candles (``apply_indicators``; see bench_indicators.py
  for each one against TA-Lib)

Target: the pane's on-loop time per live update <= 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from textual.app import App

from hedgetui.analytics.indicators import bbands, ema, rsi
from hedgetui.charts import (
    ChartView,
    apply_live_update,
    prepare_live_update,
    render_chart,
    split_indicators,
    try_patch_last_candle,
    with_cursor,
)
from hedgetui.charts._px import new_figure
from hedgetui.domain.models import Candle
from hedgetui.store import Store
from hedgetui.ui.chart_box import ChartBox

sys.path.insert(0, str(Path(__file__).parent))
from bench_indicators import all_indicators_ms  # noqa: E402

SPECS = "ema:20,bbands:20:2,rsi:14"


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
    """The same chart built with plotext's public API: candles with EMA(20) and Bollinger
    bands, volume bars, RSI(14) below (indicators over the full history, like the pane)."""
    close = df["close"]
    lines = {"ema": ema(close, 20), **dict(zip(("up", "mid", "lo"), bbands(close, 20, 2),
                                                   strict=True)), "rsi": rsi(close, 14)}  # fmt: skip
    n = min(df.height, 200)
    part = df.tail(n)
    xs = list(range(n))
    # a fresh figure per build: plotext's global one keeps growing state across
    # clear_figure() with subplots (builds get slower and slower)
    fig = new_figure(width, height)
    fig.subplots(3, 1)
    price = fig.subplot(1, 1)
    price.plotsize(width, height * 6 // 10)
    data = {"Open": part["open"].to_list(), "Close": part["close"].to_list(),
            "High": part["high"].to_list(), "Low": part["low"].to_list()}  # fmt: skip
    price.candlestick(xs, data)
    for key in ("ema", "up", "mid", "lo"):
        price.plot(xs, lines[key].tail(n).fill_null(float("nan")).to_list())
    vol = fig.subplot(2, 1)
    vol.plotsize(width, height * 15 // 100)
    vol.bar(xs, part["volume"].to_list())
    osc = fig.subplot(3, 1)
    osc.plotsize(width, height - height * 6 // 10 - height * 15 // 100)
    osc.plot(xs, lines["rsi"].tail(n).fill_null(50.0).to_list())
    osc.ylim(0, 100)
    return fig.build()


class LoopMeter:
    """Sums the time the event loop spends running callbacks (every task step, timer and
    call_soon goes through ``asyncio.Handle._run``); waiting for I/O or threads is not
    counted."""

    def __init__(self) -> None:
        self.busy = 0.0
        self._orig = asyncio.events.Handle._run

    def __enter__(self) -> LoopMeter:
        meter, orig = self, self._orig

        def _run(handle):
            t0 = time.perf_counter()
            try:
                return orig(handle)
            finally:
                meter.busy += time.perf_counter() - t0

        asyncio.events.Handle._run = _run
        return self

    def __exit__(self, *exc) -> None:
        asyncio.events.Handle._run = self._orig


class PaneBench(App):
    """One chart box of the Chart pane, as the pane builds it, over a real store."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self):
        overlays, oscillators = split_indicators(SPECS)
        yield ChartBox("bench", "BTC/USDT", "1h", overlays + oscillators)


async def _until(pilot, predicate, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise RuntimeError("the chart pane did not get there in time")
        await pilot.pause(0.002)


async def pane_on_loop(df: pl.DataFrame, shown: int, repeat: int) -> dict[str, list[float]]:
    """Per live tick and per new candle: (on-loop ms, wall ms) of the pane's real path."""
    out: dict[str, list[float]] = {"tick_loop": [], "tick_wall": [], "new_loop": [],
                                   "new_wall": []}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.db")
        candles = [Candle(*r) for r in df.iter_rows()]
        store.put_candles("bench", "BTC/USDT", "1h", candles)
        await store.flush()
        app = PaneBench(store)
        try:
            async with app.run_test(size=(120, 41)) as pilot:  # chart 120x40 + status line
                box = app.query_one(ChartBox)
                await box.reload()
                box.window = shown
                box.apply_view()
                chart = box.chart
                await _until(pilot, lambda: chart.rendered is not None
                             and chart.rendered.has_chart and not chart._busy())  # fmt: skip
                assert chart.size.width == 120 and chart.size.height == 40, chart.size
                last = candles[-1]
                with LoopMeter() as meter:
                    for i in range(repeat):
                        # a tick of the forming candle: written by the poller, not timed
                        close = last.close * (1 + (i % 7 - 3) * 1e-5)
                        tick = Candle(last.ts, last.open, max(last.high, close),
                                      min(last.low, close), close, last.volume + i * 0.01)  # fmt: skip
                        store.put_candles("bench", "BTC/USDT", "1h", [tick])
                        await store.flush()
                        await pilot.pause()
                        patches, renders = chart.patches, chart.full_renders
                        busy0, t0 = meter.busy, time.perf_counter()
                        await box.refresh_latest()
                        await pilot.pause()  # Textual paints the changed lines
                        out["tick_loop"].append((meter.busy - busy0) * 1000)
                        out["tick_wall"].append((time.perf_counter() - t0) * 1000)
                        assert chart.patches == patches + 1 and chart.full_renders == renders, (
                            "a tick should be patched, not rebuilt"
                        )
                    for _ in range(max(3, repeat // 4)):
                        # a new candle: the layout moves, so a full render (in a thread)
                        last = Candle(last.ts + 3_600_000, last.close, last.close * 1.0005,
                                      last.close * 0.9995, last.close, 1.0)  # fmt: skip
                        store.put_candles("bench", "BTC/USDT", "1h", [last])
                        await store.flush()
                        await pilot.pause()
                        renders = chart.full_renders
                        busy0, t0 = meter.busy, time.perf_counter()
                        await box.refresh_latest()
                        await _until(pilot, lambda r=renders: chart.full_renders > r
                                     and not chart._busy())  # fmt: skip
                        await pilot.pause()
                        out["new_loop"].append((meter.busy - busy0) * 1000)
                        out["new_wall"].append((time.perf_counter() - t0) * 1000)
                app.exit()
        finally:
            await store.close()
    return out


def stats(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[max(0, int(len(values) * 0.9) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candles", type=int, default=200)
    ap.add_argument("--history", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    df = candles(max(args.history, args.candles))
    overlays, oscillators = split_indicators(SPECS)
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

    pane = asyncio.run(pane_on_loop(df, args.candles, args.repeat))
    rows = [
        ("PANE on loop per live tick (patch + paint)", stats(pane["tick_loop"])),
        ("  same, wall time incl. threads", stats(pane["tick_wall"])),
        ("PANE on loop per new candle (render in thread)", stats(pane["new_loop"])),
        ("  same, wall time incl. the full render", stats(pane["new_wall"])),
        ("full render_chart (off the loop)", measure(lambda i: render_chart(df, view),
                                                     args.repeat)),
        ("plain plotext build of the same chart", measure(
            lambda i: plain_plotext(df, 120, 40), args.repeat)),
        ("  piece: prepare_live_update (thread)", measure(
            lambda i: prepare_live_update(rendered, tick(i)), args.repeat)),
        ("  piece: apply_live_update + segments (loop)", measure(
            lambda i: apply_live_update(rendered, updates[i]).segment_lines, args.repeat)),
        ("cursor: with_cursor + segments (loop)", measure(
            lambda i: with_cursor(rendered, -1 - i % 50).segment_lines, args.repeat)),
    ]  # fmt: skip
    base = rows[5][1][0]
    print(f"{args.candles} candles shown at 120x40, EMA(20) BBANDS(20,2) RSI(14), "
          f"{df.height} candles of history, {args.repeat} runs")  # fmt: skip
    print(f"{'':48s} {'median ms':>10s} {'p90 ms':>8s} {'vs plotext':>11s}")
    for name, (med, p90) in rows:
        print(f"{name:48s} {med:10.2f} {p90:8.2f} {med / base:10.2f}x")
    loop = rows[0][1][0]
    verdict = "OK" if loop <= 5.0 else "OVER"
    print(f"pane on-loop time per live update: {loop:.2f} ms median (target <= 5 ms): {verdict}")
    total = all_indicators_ms(100_000)
    print(f"all 9 indicators over 100,000 candles (apply_indicators): {total:.1f} ms total")


if __name__ == "__main__":
    main()
