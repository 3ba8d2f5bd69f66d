"""Bulk submission: 100 orders over 5 paper accounts with Binance-like limits.

Each paper account's create_order first asks a shared Binance spot RateLimiter (orders
100/10 s per account, weight 6,000/min per IP), as the ccxt adapter's gate does; the
executor also paces each account at risk.max_orders_per_second. The floor is what those
limits allow: per account, ceil(n / burst) - 1 whole seconds (burst = orders per second),
and Binance's 100/10 s never binds at 20 orders per account. Target: wall / floor <= 1.1.

    /work/venv/bin/python bench/bench_orders.py
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from hedgetui.config import Config
from hedgetui.config.model import AccountConfig, RiskConfig, StoreConfig
from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.limits import limits_for
from hedgetui.runtime.headless import trading_session
from hedgetui.runtime.ratelimit import RateLimiter
from hedgetui.store import Store

ACCOUNTS = 5
PER_ACCOUNT = 20


def gate(executor, limiter: RateLimiter) -> None:
    for name, ex in executor.exchanges.items():
        original = ex.create_order

        async def create_order(request, _orig=original, _name=name):
            await limiter.acquire(1, priority=Priority.ORDER, account=_name, orders=1)
            return await _orig(request)

        ex.create_order = create_order


async def run(rate: float) -> tuple[float, float, int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        names = [f"a{i}" for i in range(1, ACCOUNTS + 1)]
        config = Config(
            store=StoreConfig(path=str(Path(tmp) / "b.db")),
            accounts=tuple(
                AccountConfig(name=n, exchange="paper", balances={"USDT": Decimal(100_000)})
                for n in names
            ),
            risk=RiskConfig(max_orders_per_second=rate),
        )
        store = await Store.open(config.resolved_db_path())
        try:
            async with trading_session(config, store) as executor:
                gate(executor, RateLimiter(limits_for("binance")))
                text = f"buy 2000usdt BTC/USDT @ 94500..93000 x{PER_ACCOUNT} on {','.join(names)}"
                preview = await executor.preview(text, fetch=True)
                assert not preview.blocking_reasons(), preview.blocking_reasons()[:3]
                t0 = time.perf_counter()
                await executor.submit(preview)
                wall = time.perf_counter() - t0
                ok = sum(r.status == "open" for r in preview.order_rows)
                saves = executor._saver.saves
        finally:
            await store.close()
    burst = max(1, int(rate))
    floor = math.ceil(PER_ACCOUNT / burst) - 1.0
    return wall, floor, ok, saves


async def main() -> None:
    print(f"{ACCOUNTS * PER_ACCOUNT} orders over {ACCOUNTS} paper accounts, Binance spot limits")
    print(
        f"{'orders/s/acct':>14} {'wall s':>8} {'floor s':>8} {'ratio':>6} {'open':>5} {'snapshots':>9}"
    )
    for rate in (5.0, 10.0, 20.0):
        wall, floor, ok, saves = await run(rate)
        ratio = wall / floor if floor else float("nan")  # no floor: limits never bind
        print(f"{rate:>14g} {wall:>8.3f} {floor:>8.3f} {ratio:>6.3f} {ok:>5} {saves:>9}")


if __name__ == "__main__":
    asyncio.run(main())
