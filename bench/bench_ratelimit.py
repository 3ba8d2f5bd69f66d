"""One shared rate-limit budget vs ccxt's per-instance throttle: 10 accounts on one exchange.

    /work/venv/bin/python bench/bench_ratelimit.py [--seconds 60] [--accounts 10]

Both sides run the real runtime (pollers, store) with every requesting poller's interval at
1 ms - "as fast as allowed" - on 10 `exchange = "binance"` accounts, through real ccxt, against the local
Binance-compatible server (weight limit 6,000/min per IP, answers 429 above it):

* shared: the product's setup - one RateLimiter for the exchange and IP with the declared
  Binance budget (REQUEST_WEIGHT 6,000/min published, 5,700 enforced), ccxt's throttle off.
* ccxt:   no shared limiter; each account's ccxt instance throttles itself
  (``enableRateLimit=True``, ccxt's own binance costs), as a plain ccxt setup would.

Each side gets a fresh server. Printed per side, from the server's own arrival log: the
heaviest 60 s window of weight and of requests (for runs shorter than 60 s: the whole run),
relative to the declared budget (target <= 1.0), the server's 429 count (target 0), and the
fraction of the budget used (target >= 0.9). A run shorter than the window can only show the
opening burst the budget allows; 60 s or more also shows the steady state.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from hedgetui.config import load_config
from hedgetui.domain.clock import SystemClock
from hedgetui.exchanges.base import OpenGate
from hedgetui.exchanges.binance_server import start_server
from hedgetui.exchanges.ccxt_adapter import CcxtExchange
from hedgetui.exchanges.limits import BINANCE
from hedgetui.exchanges.paper import PaperVenue
from hedgetui.runtime.accounts import build_exchanges
from hedgetui.runtime.engine import Runtime
from hedgetui.runtime.ratelimit import RateLimiterRegistry
from hedgetui.store import Store

WINDOW_S = 60.0
SERVER_LIMIT = 6000  # Binance spot REQUEST_WEIGHT per minute per IP
BUDGET = next(b for b in BINANCE.budgets if b.name == "REQUEST_WEIGHT")


class NoSharedLimiter(RateLimiterRegistry):
    """The comparison: every adapter gets an open gate (nothing shared, no 429 pause)."""

    def for_exchange(self, exchange_id: str, ip_key: str = "default"):
        return OpenGate()


def config_text(url: str, n: int, db: Path) -> str:
    accounts = "".join(
        f'\n[[accounts]]\nname = "acct{i}"\nexchange = "binance"\napi_url = "{url}"\n'
        f'api_key_env = "BENCH_KEY_{i}"\nsecret_env = "BENCH_SECRET_{i}"\n'
        for i in range(n)
    )
    return f"""
[store]
path = "{db}"

[market]
watchlist = {{ binance = ["BTC/USDT", "ETH/USDT"] }}
timeframes = ["1m"]
history_days = 1

[pollers]
balances = 0.001
# spot accounts: positions make no request (nothing to rate-limit), so don't spin on them
positions = 1
orders = 0.001
fills = 0.001
tickers = 0.001
candles = 0.001
{accounts}"""


def heaviest_window(arrivals: list[tuple[float, float]], span: float) -> tuple[float, int]:
    """Most weight and most requests that arrived within any ``span`` seconds."""
    best_w, best_n, lo, acc = 0.0, 0, 0, 0.0
    for hi, (t, w) in enumerate(arrivals):
        acc += w
        while arrivals[lo][0] <= t - span:
            acc -= arrivals[lo][1]
            lo += 1
        best_w, best_n = max(best_w, acc), max(best_n, hi - lo + 1)
    return best_w, best_n


async def run_side(shared: bool, seconds: float, n: int, workdir: Path) -> dict:
    clock = SystemClock()
    venue = PaperVenue(clock, seed=1)
    keys, env = {}, {}
    for i in range(n):
        venue.add_account(f"acct{i}", {"USDT": Decimal(10_000), "BTC": Decimal("0.2")})
        keys[f"benchKEY{i}x7Qw3Zr9"] = (f"benchSECRET{i}n4b8Jp1Ks", f"acct{i}")
        env[f"BENCH_KEY_{i}"], env[f"BENCH_SECRET_{i}"] = (
            f"benchKEY{i}x7Qw3Zr9",
            (f"benchSECRET{i}n4b8Jp1Ks"),
        )
    _url, server = await start_server(venue, keys, weight_limit=SERVER_LIMIT)
    arrivals: list[tuple[float, float]] = []
    weigh = server.meter.weigh

    def timed(method, path, params):
        weight = weigh(method, path, params)
        arrivals.append((time.monotonic(), weight))
        return weight

    server.meter.weigh = timed
    side = "shared" if shared else "ccxt"
    path = workdir / f"{side}.toml"
    path.write_text(config_text(server.url, n, workdir / f"{side}.db"))
    config = load_config(path, env=env)
    store = await Store.open(config.resolved_db_path())
    registry = RateLimiterRegistry() if shared else NoSharedLimiter()
    runtime = Runtime(config, store, clock=clock)
    runtime.exchanges = await build_exchanges(config, store, clock, limiters=registry)
    if not shared:
        for ex in [*runtime.exchanges.accounts.values(), *runtime.exchanges.market_data.values()]:
            assert isinstance(ex, CcxtExchange)
            ex.client.enableRateLimit = True  # ccxt's own per-instance token bucket
    started = time.monotonic()
    await runtime.start()
    await asyncio.sleep(seconds)
    await runtime.stop()
    elapsed = time.monotonic() - started
    await store.close()
    await server.close()
    span = min(WINDOW_S, elapsed)
    weight, requests = heaviest_window(arrivals, span)
    return {
        "side": side,
        "elapsed": elapsed,
        "span": span,
        "weight": weight,
        "requests": requests,
        "total_requests": len(arrivals),
        "rejected": server.meter.rejected,
        "server_max_minute": server.meter.max_window_weight,
    }


def report(r: dict) -> None:
    budget = BUDGET.limit
    print(
        f"{r['side']:>6}: {r['requests']:6d} req and {r['weight']:8,.0f} weight in the heaviest "
        f"{r['span']:.0f}s window -> weight/budget {r['weight'] / budget:5.2f} "
        f"(vs published {r['weight'] / BUDGET.published:4.2f}), "
        f"429s {r['rejected']:5d}, budget used {min(r['weight'], budget) / budget:4.0%}, "
        f"server's max minute {r['server_max_minute']:,}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--accounts", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(
        f"{args.accounts} binance accounts, pollers at 1 ms, {args.seconds:g}s per side; "
        f"declared budget {BUDGET.limit:,.0f} weight/min ({BUDGET.published:,.0f} published)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        shared = await run_side(True, args.seconds, args.accounts, Path(tmp))
        report(shared)
        plain = await run_side(False, args.seconds, args.accounts, Path(tmp))
        report(plain)
    ok = shared["weight"] <= BUDGET.limit and not shared["rejected"]
    used = shared["weight"] / BUDGET.limit
    print(
        f"shared limiter: ratio {used:.2f} (target <= 1.0), 429s {shared['rejected']} "
        f"(target 0), used {used:.0%} (target >= 90%) -> {'OK' if ok and used >= 0.9 else 'MISS'}"
    )
    print(
        f"ccxt per-instance throttle: {plain['weight'] / BUDGET.limit:.1f}x the budget sent, "
        f"{plain['rejected']} answered 429"
    )


if __name__ == "__main__":
    asyncio.run(main())
