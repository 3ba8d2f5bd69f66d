"""The shared rate-limit budget under the real runtime, through real ccxt against the local
server's own weight counter: many accounts hammering one exchange never pass the budget,
and a 429 with Retry-After pauses every account on that exchange."""

from __future__ import annotations

import time

import pytest
from live_runtime_helpers import (
    START,
    config_toml,
    env_for,
    key,
    load,
    server_accounts,
    small_binance,
    venue_with,
    wait_for,
)

from hedgetui.domain import HealthState
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.binance_server import start_server
from hedgetui.runtime.accounts import build_exchanges
from hedgetui.runtime.engine import Runtime
from hedgetui.runtime.ratelimit import RateLimiterRegistry
from hedgetui.store import Store

SERVER_LIMIT = 600  # the server's weight per minute (Binance answers 429 above it)


@pytest.fixture
async def hammer(tmp_path):
    """hammer(n_accounts, registry, server_limit, **config) -> (runtime, server); closed
    afterwards. The registry defaults to the declared Binance budget."""
    made = []
    clock = ManualClock(START)

    async def start(
        n: int, registry: RateLimiterRegistry | None = None, server_limit: int = 6000, **kw
    ):
        names = [f"acct{i}" for i in range(n)]
        venue = venue_with(clock, names)
        _url, server = await start_server(venue, server_accounts(names), weight_limit=server_limit)
        made.append(server)
        cfg = load(
            tmp_path, config_toml(server.url, names, db=tmp_path / "h.db", **kw), env_for(names)
        )
        store = await Store.open(cfg.resolved_db_path())
        runtime = Runtime(cfg, store, clock=clock)
        runtime.exchanges = await build_exchanges(cfg, store, clock, limiters=registry)
        made.append(runtime)
        return runtime, server

    yield start
    for thing in reversed(made):
        if isinstance(thing, Runtime):
            await thing.stop()
            await thing.store.close()
        else:
            await thing.close()


async def test_six_accounts_hammering_never_pass_the_budget_and_get_no_429(hammer):
    registry = RateLimiterRegistry(limits=lambda _id: small_binance(SERVER_LIMIT))
    runtime, server = await hammer(
        6, registry, server_limit=SERVER_LIMIT, interval=0.01, candles=0.01
    )
    await runtime.start()
    limiter = registry.for_exchange("binance", server.url)
    budget = limiter.limits.budgets[0].limit  # 95% of the server's 600
    assert budget == pytest.approx(570)
    # hammer until the budget is spent and requests queue up behind it. "Spent" is not 100%:
    # the head waiter blocks everyone behind it (so a big request is never starved), and
    # the largest here (weight 80, open orders of every symbol) can stall the queue with up
    # to 80 + the ACCOUNT reserve (2%) unused: 84% of the budget at worst
    await wait_for(
        lambda: server.meter.total_weight >= 0.8 * budget and sum(limiter.waiting().values()) >= 6
    )
    time_spent = time.monotonic()
    await wait_for(lambda: time.monotonic() - time_spent > 1.0)  # keep pushing for a second
    await runtime.supervisor.stop()
    # the whole test is far shorter than the 60 s window: all weight ever sent is one window
    assert server.meter.rejected == 0
    assert server.meter.max_window_weight <= SERVER_LIMIT
    assert 0.8 * budget <= server.meter.total_weight <= budget
    keys = {r.api_key for r in server.requests}
    assert {key(f"acct{i}") for i in range(6)} <= keys  # every account got its share
    assert all(
        runtime.health.records[f"account:acct{i}:balances"].error_count == 0 for i in range(6)
    )


async def test_a_429_with_retry_after_pauses_every_account_on_the_exchange(hammer):
    runtime, server = await hammer(3, interval=0.05, candles=0.2)
    arrivals: list[tuple[float, str]] = []
    weigh = server.meter.weigh

    def timed(method, path, params):
        arrivals.append((time.monotonic(), path))
        return weigh(method, path, params)

    server.meter.weigh = timed
    await runtime.start()
    await wait_for(lambda: len(server.seen("/api/v3/account")) >= 6)
    server.inject("/api/v3/account", "429", retry_after=2)
    fault = server.faults._by_path["/api/v3/account"][0]
    await wait_for(lambda: fault.fired == 1)
    fired_at = arrivals[max(i for i, (_t, p) in enumerate(arrivals) if p == "/api/v3/account")][0]
    limiter = runtime.exchanges.limiters.for_exchange("binance", server.url)
    assert limiter.paused_for_s() > 1.5
    record = runtime.services["limits-health"].publish()[0]
    assert record.key == "limit:binance" and record.state is HealthState.BACKOFF
    assert "HTTP 429" in record.last_error and record.backoff_s > 1.5

    await wait_for(lambda: time.monotonic() > fired_at + 2.6, timeout=5)
    during = [t for t, _p in arrivals if fired_at + 0.3 < t < fired_at + 1.9]
    after = [p for t, p in arrivals if t > fired_at + 1.9]
    assert during == []  # nothing from any account while paused
    assert {"/api/v3/account", "/api/v3/openOrders", "/api/v3/ticker/24hr"} <= set(after)
    assert server.meter.rejected == 0
    hit = [h for h in runtime.health.records.values() if "DDoSProtection" in h.last_error]
    # only the request that got the 429: /api/v3/account, asked by the balances poller or by
    # the fills poller (which reads the balances to know which markets to ask for trades)
    assert len(hit) == 1 and hit[0].feed in ("balances", "fills")
    assert runtime.services["limits-health"].publish()[0].state is HealthState.OK
