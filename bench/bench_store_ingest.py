"""Candle ingest: Store.put_candles + flush vs raw sqlite3.executemany, side by side.

    /work/venv/bin/python bench/bench_store_ingest.py [--symbols 10] [--candles 100000]
        [--chunk 1000] [--repeat 3] [--dir /dev/shm]

Both write the same rows into the same schema (a database created by Store.open) with the
same upsert statement and pragmas (WAL, synchronous=NORMAL). The raw side gets its tuples
pre-built and writes them in ONE transaction (its best case); the store side starts from
domain ``Candle`` lists handed over in poller-sized chunks and includes the tuple building,
the queue, the writer's batching and its commits. Target: store/raw >= 0.8.
Also printed: the event loop's worst stall while the store ingests, seen by a task ticking
at 60 Hz like a UI refresh timer (a 1 ms ticker would itself slow the ingest: every wake-up
takes the GIL from the writer thread).
Rounds alternate which side goes first. On a shared 2-core machine single runs are noisy
(other processes steal CPU), so the summary gives the median of the per-round ratios, best
vs best, and the CPU-time ratio (process CPU seconds, all threads), which noise moves less.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from hedgetui.domain import Candle
from hedgetui.store import Store
from hedgetui.store.ops import UPSERT_CANDLE

START = 1_700_000_000_000


def make_candles(n: int, seed: int) -> list[Candle]:
    rnd = random.Random(seed)
    price = 100.0 + seed
    out = []
    for i in range(n):
        o = price
        c = o * (1 + rnd.uniform(-0.002, 0.002))
        out.append(
            Candle(
                START + i * 60_000, o, max(o, c) * 1.001, min(o, c) * 0.999, c, rnd.uniform(0, 50)
            )
        )
        price = c
    return out


async def store_ingest(
    path: Path, data: dict[str, list[Candle]], chunk: int, period: float = 1 / 60
) -> tuple[float, float, float]:
    """Returns (wall s, process CPU s, worst event-loop stall s)."""
    store = await Store.open(path)
    lag = 0.0
    running = True

    async def ticker() -> None:
        nonlocal lag
        while running:
            t = time.perf_counter()
            await asyncio.sleep(period)
            lag = max(lag, time.perf_counter() - t - period)

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    t0, c0 = time.perf_counter(), time.process_time()
    # Round-robin over symbols like concurrent backfill pollers; yield between chunks as a
    # poller does while it awaits its next HTTP response.
    for start in range(0, max(map(len, data.values())), chunk):
        for symbol, candles in data.items():
            store.put_candles("bench", symbol, "1m", candles[start : start + chunk])
        await asyncio.sleep(0)
    await store.flush()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    running = False
    await tick
    stats = store.stats
    await store.close()
    assert stats.rows == sum(map(len, data.values())) and stats.dropped == 0
    return wall, cpu, lag, stats


def raw_ingest(path: Path, rows: list[tuple]) -> tuple[float, float]:
    """Pre-built tuples, one transaction, one executemany: (wall s, CPU s)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    t0, c0 = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(UPSERT_CANDLE, rows)
    conn.execute("COMMIT")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    conn.close()
    return wall, cpu


def count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM candles").fetchone()[0]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--symbols", type=int, default=10)
    ap.add_argument("--candles", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where to put the databases (default: temp)")
    args = ap.parse_args()
    data = {f"SYM{i}/USDT": make_candles(args.candles, i) for i in range(args.symbols)}
    total = args.symbols * args.candles
    rows = [
        ("bench", s, "1m", c.ts, c.open, c.high, c.low, c.close, c.volume)
        for s, cs in data.items()
        for c in cs
    ]
    print(f"{total:,} candles ({args.symbols} symbols x {args.candles:,}), chunks of {args.chunk}")
    raw_w, raw_c, st_w, st_c, lags = [], [], [], [], []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for r in range(args.repeat):
            raw_path, store_path = Path(tmp) / f"raw{r}.db", Path(tmp) / f"store{r}.db"
            await (await Store.open(raw_path)).close()  # same schema, fresh file
            order = ("store", "raw") if r % 2 else ("raw", "store")
            for side in order:
                gc.collect()
                if side == "raw":
                    w, c = raw_ingest(raw_path, rows)
                    raw_w.append(w)
                    raw_c.append(c)
                else:
                    w, c, lag, stats = await store_ingest(store_path, data, args.chunk)
                    st_w.append(w)
                    st_c.append(c)
                    lags.append(lag)
            assert count(raw_path) == count(store_path) == total
            for p in Path(tmp).iterdir():
                p.unlink()
            print(
                f"  round {r + 1} ({order[0]} first): raw {total / raw_w[-1]:,.0f} rows/s, "
                f"store {total / st_w[-1]:,.0f} rows/s ({stats.transactions} transactions, "
                f"{stats.statements} executemany), ratio {raw_w[-1] / st_w[-1]:.2f}, "
                f"CPU ratio {raw_c[-1] / st_c[-1]:.2f}, loop stall max {lags[-1] * 1000:.0f} ms"
            )
    median = statistics.median(a / b for a, b in zip(raw_w, st_w, strict=True))
    cpu = statistics.median(a / b for a, b in zip(raw_c, st_c, strict=True))
    print(
        f"raw sqlite3.executemany best {total / min(raw_w):,.0f} rows/s | "
        f"Store.put_candles+flush best {total / min(st_w):,.0f} rows/s\n"
        f"ratio store/raw: best-vs-best {min(raw_w) / min(st_w):.2f}, median {median:.2f}, "
        f"CPU-time median {cpu:.2f} (target >= 0.80) | worst loop stall "
        f"{max(lags) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
