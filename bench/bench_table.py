"""LiveTable vs Textual's DataTable under streamed cell updates (run by hand).

    /work/venv/bin/python bench/bench_table.py [--seconds 3] [--rates 1000,10000,50000]
        [--modes headless,pty] [--first-paint-rows 10000] [--size 200x50]

1,000 rows (50 accounts x 20 assets), 10 columns. Updates go to the rows on screen at a fixed
rate, one cell each. Both widgets get the same stream in the same run. Measured:

* fps: frames the app composed (headless) or wrote (pty) per second;
* update->paint latency: each update is timestamped; when a frame repaints the screen line
  showing its row (the lines of Textual's ChopsUpdate, or all lines for a full frame), the
  delay to the moment that frame is handed to the driver is recorded;
* loop lag p99: how late a 10 ms asyncio sleep wakes up;
* bytes/frame (pty only): the parent reads the pseudo-terminal and counts the bytes the app
  wrote during the measured window;
* first paint: 10,000 rows given to an empty table -> first frame showing rows.

"pty" runs each case in a child process whose stdin/stdout/stderr is a pseudo-terminal
(os.openpty), with the real Linux driver.

--gc-freeze calls gc.freeze() once the app is up (for both widgets). Without it, full
garbage collections of Textual's object graph (~50 ms on a slow 2-core machine) land in the
p99 figures; an app can do the same after start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import gc
import json
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from statistics import quantiles

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from hedgetui.ui.widgets import Column, LiveTable

ACCOUNTS = 50
ASSETS = 20
ASSET_NAMES = [f"A{i:02d}" for i in range(ASSETS)]
STREAMED = ("price", "pnl", "qty")


def columns() -> list[Column]:
    def pnl(v: float):
        return f"{v:+,.2f}", "positive" if v > 0 else "negative" if v < 0 else None

    return [
        Column("account", "Account", max_width=14),
        Column("asset", "Asset", max_width=6),
        Column("qty", "Qty", numeric=True, decimals=4),
        Column("price", "Price", numeric=True, decimals=2),
        Column("value", "Value", numeric=True, decimals=2, priority=1),
        Column("pnl", "PnL", numeric=True, formatter=pnl),
        Column("pnl_pct", "PnL%", numeric=True, formatter=lambda v: f"{v:+.2f}%", priority=2),
        Column("bid", "Bid", numeric=True, decimals=2, priority=3),
        Column("ask", "Ask", numeric=True, decimals=2, priority=3),
        Column("updated", "Updated", priority=4),
    ]


def make_rows(count: int) -> list[tuple[str, dict]]:
    rows = []
    for i in range(count):
        account, asset = divmod(i, ASSETS)
        price = 10.0 + (i * 37) % 5000
        qty = 1.0 + (i % 17) / 4
        rows.append(
            (
                f"acct-{account:03d}/{ASSET_NAMES[asset]}",
                {
                    "account": f"acct-{account:03d}",
                    "asset": ASSET_NAMES[asset],
                    "qty": qty,
                    "price": price,
                    "value": price * qty,
                    "pnl": (i % 11 - 5) * 12.5,
                    "pnl_pct": (i % 11 - 5) * 0.4,
                    "bid": price - 0.5,
                    "ask": price + 0.5,
                    "updated": "12:00:00.000",
                },
            )
        )
    return rows


class Probe:
    """Update timestamps -> paint times, frames, loop lag, bytes written."""

    def __init__(self) -> None:
        # (row key, column) -> timestamps of updates not on screen yet
        self.pending: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.candidates: dict[int, str] = {}  # screen line -> row key last rendered there
        # column -> (x1, x2) on screen; None: the widget repaints whole lines (DataTable)
        self.column_x: Callable[[str], tuple[int, int] | None] = lambda column: None
        self.latencies: list[float] = []
        self.lags: list[float] = []
        self.frames = 0
        self.bytes = 0
        self.updates = 0
        self.measuring = False
        self.rows_painted = False

    def rendered_line(self, y: int, key: str) -> None:
        """The widget rendered ``key`` on line ``y``; painted only if the frame writes y."""
        self.candidates[y] = key

    def displayed(self, renderable) -> None:
        """A frame went to the terminal: the updates of the cells it repainted are on screen."""
        now = time.perf_counter()
        spans = getattr(renderable, "spans", None)  # ChopsUpdate: only these spans change
        if spans is None:
            spans = [(y, 0, 1 << 30) for y in self.candidates]
        pending = self.pending
        positions = {column: self.column_x(column) for column in STREAMED}
        for y, x1, x2 in spans:
            key = self.candidates.get(y)
            if key is None:
                continue
            self.rows_painted = True
            for column, position in positions.items():
                if position is not None and not (x1 < position[1] and position[0] < x2):
                    continue  # that cell is not in this span
                stamps = pending.pop((key, column), None)
                if stamps and self.measuring:
                    self.latencies.extend(now - t for t in stamps)
        if self.measuring:
            self.frames += 1


class ProbedLiveTable(LiveTable):
    probe: Probe

    def render_line(self, y: int):
        strip = super().render_line(y)
        if y > 0:
            view = self.model.view
            index = self.scroll_offset.y + y - 1
            if index < len(view):
                self.probe.rendered_line(y, view[index])
        return strip


class ProbedDataTable(DataTable):
    probe: Probe

    def render_line(self, y: int):
        strip = super().render_line(y)
        if y > 0:
            try:
                row_key, _ = self._get_offsets(y + self.scroll_offset.y)
            except LookupError:
                return strip
            if row_key.value is not None:
                self.probe.rendered_line(y, row_key.value)
        return strip


class BenchApp(App):
    CSS = "DataTable { height: 1fr; }"

    def __init__(self, kind: str, rate: int, seconds: float, rows: int, first_paint: bool):
        super().__init__()
        self.kind = kind
        self.rate = rate
        self.seconds = seconds
        self.row_count = rows
        self.first_paint = first_paint
        self.probe = Probe()
        self.result: dict = {}
        self._first_paint_waiter: asyncio.Future | None = None

    def compose(self) -> ComposeResult:
        if self.kind == "live":
            table = ProbedLiveTable(columns())
        else:
            table = ProbedDataTable(cursor_type="row")
            for column in columns():
                table.add_column(column.label, key=column.key)
        table.probe = self.probe
        if isinstance(table, LiveTable):

            def column_x(column: str) -> tuple[int, int] | None:
                x1, x2 = table._column_spans().get(column, (0, 0))
                scroll_x = table.scroll_offset.x
                return x1 - scroll_x, x2 - scroll_x

            self.probe.column_x = column_x
        self.table = table
        yield table

    def on_mount(self) -> None:
        original = self._display

        def display(screen, renderable):
            original(screen, renderable)
            if renderable is not None:
                self.probe.displayed(renderable)
                if self._first_paint_waiter is not None and self.probe.rows_painted:
                    self._first_paint_waiter.set_result(time.perf_counter())
                    self._first_paint_waiter = None

        self._display = display
        driver = self._driver
        if driver is not None and not self.is_headless:
            write = driver.write

            def counting_write(data: str) -> None:
                if self.probe.measuring:
                    self.probe.bytes += len(data.encode("utf-8"))
                write(data)

            driver.write = counting_write
        self._first_paint_waiter = None
        self.run_worker(self.scenario(), exit_on_error=True)

    def populate(self, rows: list[tuple[str, dict]]) -> None:
        if isinstance(self.table, LiveTable):
            self.table.set_rows([(key, values, None) for key, values in rows])
        else:
            keys = [c.key for c in columns()]
            for key, values in rows:
                self.table.add_row(*(values[k] for k in keys), key=key)

    async def scenario(self) -> None:
        try:
            if self.first_paint:
                await self.measure_first_paint()
            else:
                await self.measure_stream()
        finally:
            self.exit(self.result)

    async def measure_first_paint(self) -> None:
        await asyncio.sleep(0.3)
        rows = make_rows(self.row_count)
        self.probe.rows_painted = False
        self._first_paint_waiter = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        self.populate(rows)
        painted = await asyncio.wait_for(self._first_paint_waiter, timeout=60)
        self.result = {"first_paint_ms": (painted - start) * 1000}

    async def measure_stream(self) -> None:
        rows = make_rows(self.row_count)
        self.populate(rows)
        await asyncio.sleep(0.5)
        if os.environ.get("BENCH_GC_FREEZE") == "1":
            # what an app can do once started: long-lived objects leave the collector's
            # view, so full collections stop scanning the whole Textual object graph
            gc.collect()
            gc.freeze()
        visible = max(1, self.table.scrollable_content_region.height - 1)
        keys = [key for key, _ in rows[:visible]]
        values = {key: dict(v) for key, v in rows[:visible]}
        probe = self.probe
        running = True

        async def stream() -> None:
            update = self.table.update_cell  # same call shape on both: (row, column, value)
            pending = probe.pending
            clock = time.perf_counter
            last = clock()
            owed = 0.0
            i = 0
            while running:
                await asyncio.sleep(0.004)
                now = clock()
                owed += self.rate * (now - last)
                last = now
                count = min(int(owed), int(self.rate * 0.05) + 1)  # never more than 50 ms worth
                owed = min(owed - count, self.rate * 0.05)
                for _ in range(count):
                    key = keys[i % len(keys)]
                    col = STREAMED[(i // len(keys)) % 3]
                    row = values[key]
                    step = 1.0 + (((i * 7919) % 200) - 100) / 20000
                    value = row[col] = row[col] * step if col != "pnl" else row[col] + step - 1
                    pending[key, col].append(clock())
                    update(key, col, value)
                    i += 1
                probe.updates += count if probe.measuring else 0

        async def lag() -> None:
            while running:
                start = time.perf_counter()
                await asyncio.sleep(0.01)
                if probe.measuring:
                    probe.lags.append(time.perf_counter() - start - 0.01)

        tasks = [asyncio.create_task(stream()), asyncio.create_task(lag())]
        await asyncio.sleep(0.5)  # warm up
        probe.measuring = True
        wall_start, start = time.time(), time.perf_counter()
        await asyncio.sleep(self.seconds)
        probe.measuring = False
        elapsed = time.perf_counter() - start
        wall_end = time.time()
        running = False
        await asyncio.gather(*tasks)
        self.result = {
            "updates_per_s": probe.updates / elapsed,
            # updates whose paint was seen, per update sent in the window (the rest were
            # overwritten before a frame showed them, or are still pending at the end)
            "painted_pct": 100 * len(probe.latencies) / max(1, probe.updates),
            "fps": probe.frames / elapsed,
            "lat_p50_ms": pct(probe.latencies, 50),
            "lat_p99_ms": pct(probe.latencies, 99),
            "lag_p99_ms": pct(probe.lags, 99),
            "frames": probe.frames,
            "bytes_self": probe.bytes,
            "wall_start": wall_start,
            "wall_end": wall_end,
        }


def pct(samples: list[float], q: int) -> float | None:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else None
    return quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def run_headless(kind, rate, seconds, rows, size, first_paint=False) -> dict:
    app = BenchApp(kind, rate, seconds, rows, first_paint)
    return asyncio.run(app.run_async(headless=True, size=size)) or {}


def run_pty(kind, rate, seconds, rows, size, first_paint=False) -> dict:
    """The case in a child process on a pseudo-terminal; the parent counts the bytes."""
    master, slave = os.openpty()
    cols, lines = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        args = [sys.executable, __file__, "--child", kind, str(rate), str(seconds), str(rows)]
        args += [str(int(first_paint)), str(out)]
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
        env.pop("TEXTUAL", None)
        # Textual draws on stderr: all three go to the pseudo-terminal
        proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        total = 0
        samples: list[tuple[float, int]] = []
        while True:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:
                    break
                if not data:
                    break
                total += len(data)
                samples.append((time.time(), total))
            elif proc.poll() is not None:
                break
        proc.wait(timeout=30)
        os.close(master)
        if not out.exists():
            raise RuntimeError(f"{kind} child (pty) wrote no result; exit code {proc.returncode}")
        result = json.loads(out.read_text())
        if "error" in result:
            raise RuntimeError(f"{kind} child (pty) failed:\n{result['error']}")
    if "wall_start" in result:
        window = bytes_between(samples, result["wall_start"], result["wall_end"])
        result["bytes_window"] = window
        frames = result["frames"] or 1
        result["bytes_per_frame"] = window / frames
        result["kib_per_s"] = window / 1024 / (result["wall_end"] - result["wall_start"])
    return result


def bytes_between(samples: list[tuple[float, int]], start: float, end: float) -> int:
    def at(t: float) -> int:
        count = 0
        for when, cumulative in samples:
            if when > t:
                break
            count = cumulative
        return count

    return at(end) - at(start)


def child(argv: list[str]) -> None:
    kind, rate, seconds, rows, first_paint, out = argv
    try:
        app = BenchApp(kind, int(rate), float(seconds), int(rows), bool(int(first_paint)))
        result = app.run() or {}
        if app.return_code:
            result = {"error": f"app exited with code {app.return_code}"}
    except Exception:  # the terminal is gone with the child: report through the file
        result = {"error": traceback.format_exc()}
    Path(out).write_text(json.dumps(result))


def fmt(value, unit="") -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:.1f}{unit}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per case")
    parser.add_argument("--rates", default="1000,10000,50000", help="cell updates per second")
    parser.add_argument("--modes", default="headless,pty")
    parser.add_argument("--rows", type=int, default=ACCOUNTS * ASSETS)
    parser.add_argument("--first-paint-rows", type=int, default=10_000, help="0 to skip")
    parser.add_argument("--size", default="200x50", help="terminal WIDTHxHEIGHT")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after start-up (both widgets)"
    )
    opts = parser.parse_args()
    if opts.gc_freeze:
        os.environ["BENCH_GC_FREEZE"] = "1"
    size = tuple(int(n) for n in opts.size.split("x"))
    rates = [int(r) for r in opts.rates.split(",") if r]
    modes = [m for m in opts.modes.split(",") if m]
    runners = {"headless": run_headless, "pty": run_pty}

    metrics = [
        ("updates_per_s", "achieved updates/s", "", None),
        ("painted_pct", "updates seen painted", " %", None),
        ("fps", "frames/s", "", ">= 55"),
        ("lat_p50_ms", "update->paint p50", " ms", None),
        ("lat_p99_ms", "update->paint p99", " ms", "< 50 ms"),
        ("lag_p99_ms", "event-loop lag p99", " ms", "< 16 ms"),
        ("bytes_per_frame", "bytes/frame", " B", None),
        ("kib_per_s", "terminal KiB/s", "", None),
    ]
    print(
        f"{opts.rows} rows, {size[0]}x{size[1]}, {opts.seconds:g} s per case, cpus={os.cpu_count()}"
    )
    print(
        f"{'mode':8} {'rate/s':>7}  {'metric':20} {'LiveTable':>11} {'DataTable':>11} {'ratio':>8}  target"
    )
    for mode in modes:
        for rate in rates:
            live = runners[mode]("live", rate, opts.seconds, opts.rows, size)
            table = runners[mode]("datatable", rate, opts.seconds, opts.rows, size)
            for key, label, unit, target in metrics:
                if key not in live:
                    continue
                a, b = live.get(key), table.get(key)
                ratio = f"{a / b:.2f}x" if a and b else "-"
                print(
                    f"{mode:8} {rate:>7}  {label:20} {fmt(a, unit):>11} {fmt(b, unit):>11} "
                    f"{ratio:>8}  {target or ''}"
                )
            sys.stdout.flush()
    if opts.first_paint_rows:
        for mode in modes:
            live = runners[mode]("live", 0, 0, opts.first_paint_rows, size, True)
            table = runners[mode]("datatable", 0, 0, opts.first_paint_rows, size, True)
            a, b = live["first_paint_ms"], table["first_paint_ms"]
            print(
                f"{mode:8} {'-':>7}  {f'first paint {opts.first_paint_rows:,}':20} "
                f"{fmt(a, ' ms'):>11} {fmt(b, ' ms'):>11} {a / b:>7.3f}x  < 100 ms"
            )


if __name__ == "__main__":
    main()
