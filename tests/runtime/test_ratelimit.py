"""The shared limiter: priorities, reserve, order budgets, penalties, resync, cancellation."""

from __future__ import annotations

import asyncio

import pytest
from test_ratelimit_vtime import START, VirtualTimeLoop, run_virtual

from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.limits import Budget, Counts, ExchangeLimits, Scope, limits_for
from hedgetui.runtime.ratelimit import RateLimiter, RateLimiterRegistry

NO_RESERVE = {p: 0.0 for p in Priority}
SMALL = ExchangeLimits(
    id="test",
    budgets=(
        Budget("WEIGHT", Counts.WEIGHT, Scope.IP, 10, 60, safety=1.0),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 3, 10, safety=1.0),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 5, 86_400, safety=1.0),
    ),
)


def small(loop: VirtualTimeLoop, **kw) -> RateLimiter:
    kw.setdefault("reserve", NO_RESERVE)
    return RateLimiter(SMALL, guard_s=0.0, wall_ms=loop.wall_ms, **kw)


def ip_used(limiter: RateLimiter) -> float:
    return limiter.headroom()[0].used


def test_grants_at_once_while_the_budget_allows():
    async def main(loop):
        limiter = small(loop)
        for _ in range(5):
            await limiter.acquire(2, priority=Priority.MARKET, account=None)
        return loop.time(), ip_used(limiter)

    assert run_virtual(main) == (START, 10)


def test_waiters_go_by_priority_then_fifo():
    async def main(loop):
        limiter = small(loop)
        await limiter.acquire(10, priority=Priority.MARKET, account=None)  # budget now full
        granted: list[tuple[str, float]] = []

        async def ask(name: str, priority: Priority) -> None:
            await limiter.acquire(5, priority=priority, account=name)
            granted.append((name, loop.time() - START))

        tasks = []
        for name, priority in [
            ("m1", Priority.MARKET),
            ("a1", Priority.ACCOUNT),
            ("o1", Priority.ORDER),
            ("m2", Priority.MARKET),
            ("o2", Priority.ORDER),
            ("a2", Priority.ACCOUNT),
        ]:
            tasks.append(asyncio.create_task(ask(name, priority)))
            await asyncio.sleep(0)  # queue them in this order
        assert limiter.waiting() == {Priority.ORDER: 2, Priority.ACCOUNT: 2, Priority.MARKET: 2}
        await asyncio.gather(*tasks)
        return granted

    assert run_virtual(main) == [
        ("o1", 60),
        ("o2", 60),
        ("a1", 120),
        ("a2", 120),
        ("m1", 180),
        ("m2", 180),
    ]


def test_a_heavy_waiter_is_not_overtaken_by_lighter_ones_of_its_priority():
    async def main(loop):
        limiter = small(loop)
        await limiter.acquire(8, priority=Priority.MARKET, account=None)  # 2 left
        order: list[str] = []

        async def ask(name: str, weight: float) -> None:
            await limiter.acquire(weight, priority=Priority.MARKET, account=None)
            order.append(name)

        heavy = asyncio.create_task(ask("heavy", 5))
        await asyncio.sleep(0)
        light = asyncio.create_task(ask("light", 1))
        await asyncio.gather(heavy, light)
        return order, loop.time() - START

    assert run_virtual(main) == (["heavy", "light"], 60)


def test_reserve_keeps_room_for_orders_while_market_pollers_saturate():
    """Binance limits, default reserve: 20 pollers hammer tickers for 5 minutes; an order
    every 7 s never waits, and market data never uses more than its 95%."""

    async def main(loop):
        limiter = RateLimiter(limits_for("binance"), wall_ms=loop.wall_ms)
        end = START + 300
        market: list[tuple[float, float]] = []
        order_waits: list[float] = []

        async def poller() -> None:
            while loop.time() < end:
                await limiter.acquire(80, priority=Priority.MARKET, account=None)
                market.append((loop.time(), 80))
                await asyncio.sleep(0.05)

        async def trader() -> None:
            await asyncio.sleep(3)
            while loop.time() < end:
                asked = loop.time()
                await limiter.acquire(1, priority=Priority.ORDER, account="main", orders=1)
                order_waits.append(loop.time() - asked)
                await asyncio.sleep(7)

        await asyncio.gather(*(poller() for _ in range(20)), trader())
        return market, order_waits, limiter

    market, order_waits, limiter = run_virtual(main)
    assert len(order_waits) > 40 and max(order_waits) == 0
    cap = 5700 * 0.95
    times = [t for t, _ in market]
    for i, t in enumerate(times):  # every 60 s span starting at a grant
        assert sum(w for s, w in market[i:] if s < t + 60) <= cap
    # and market data still got (almost) all of its share
    assert sum(w for t, w in market if t < START + 240) >= 0.9 * cap * 4


def test_without_reserve_an_order_still_goes_before_queued_market_requests():
    async def main(loop):
        limiter = small(loop)
        await limiter.acquire(10, priority=Priority.MARKET, account=None)
        done: list[str] = []

        async def ask(name, priority, weight):
            await limiter.acquire(weight, priority=priority, account="x")
            done.append(name)

        markets = [asyncio.create_task(ask(f"m{i}", Priority.MARKET, 5)) for i in range(6)]
        await asyncio.sleep(30)
        order = asyncio.create_task(ask("order", Priority.ORDER, 1))
        await asyncio.gather(order, *markets)
        return done

    done = run_virtual(main)
    assert done[0] == "order"


def test_order_budgets_per_account_over_10s_and_a_day():
    async def main(loop):
        limiter = small(loop)
        times: dict[str, list[float]] = {"a": [], "b": []}

        async def place(account: str) -> None:
            await limiter.acquire(0, priority=Priority.ORDER, account=account, orders=1)
            times[account].append(loop.time() - START)

        # account a wants 7 orders: 3 per 10 s and 5 per day
        a = [asyncio.create_task(place("a")) for _ in range(7)]
        await asyncio.sleep(0)
        # account b is not held up by a's full order budget, nor are a's other requests
        await place("b")
        await limiter.acquire(1, priority=Priority.ACCOUNT, account="a")
        assert loop.time() == START
        await asyncio.gather(*a)
        return times

    times = run_virtual(main)
    assert times["b"] == [0]
    # the day's log merges grants within 144 s (1/600 of the window) and releases them with
    # the latest one: 10 s late, never early
    assert times["a"] == [0, 0, 0, 10, 10, 86_410, 86_410]


def test_penalty_pauses_every_account_and_only_ever_extends():
    async def main(loop):
        limiter = small(loop)
        done: dict[str, float] = {}

        async def ask(account: str, priority: Priority) -> None:
            await limiter.acquire(1, priority=priority, account=account)
            done[account] = loop.time() - START

        limiter.penalize(30, status=429, reason="Too many requests")
        tasks = [asyncio.create_task(ask("a", Priority.ORDER))]
        tasks.append(asyncio.create_task(ask("b", Priority.MARKET)))
        await asyncio.sleep(10)
        assert limiter.describe().startswith("test: 0/10 weight/min (0%), paused 20s (HTTP 429)")
        limiter.penalize(5, status=429, reason="shorter: ignored")
        assert limiter.paused_for_s() == 20
        limiter.penalize(50, status=418, reason="banned")  # until START + 60
        await asyncio.gather(*tasks)
        # without a usable Retry-After an IP ban pauses for the default 120 s
        limiter.penalize(0, status=418, reason="no header")
        pause = limiter.paused_for_s()
        return done, pause

    done, pause = run_virtual(main)
    assert done == {"a": 60, "b": 60}
    assert pause == 120


def test_server_reported_weight_resyncs_until_its_window_ends():
    async def main(loop):
        limiter = RateLimiter(limits_for("binance"), wall_ms=loop.wall_ms)  # 5,700/min
        await asyncio.sleep(10)
        await limiter.acquire(100, priority=Priority.ORDER, account=None)
        # another process on the IP: the server counts 5,000 in this minute
        limiter.observe_used_weight(5000, at_ms=loop.wall_ms())
        used_after_report = ip_used(limiter)
        limiter.observe_used_weight(50, at_ms=loop.wall_ms())  # less than ours: ignored
        assert ip_used(limiter) == used_after_report
        await limiter.acquire(1000, priority=Priority.ORDER, account=None)
        return used_after_report, loop.time() - START

    used, granted_at = run_virtual(main)
    assert used == 5000
    # the server's minute [0, 60) ends; our guard adds 0.5 s for clock jitter
    assert granted_at == pytest.approx(60.5)


def test_a_cancelled_waiter_takes_nothing_and_unblocks_those_behind_it():
    async def main(loop):
        limiter = small(loop)
        await limiter.acquire(8, priority=Priority.MARKET, account=None)  # 2 left
        heavy = asyncio.create_task(limiter.acquire(5, priority=Priority.MARKET, account=None))
        await asyncio.sleep(0)
        light = asyncio.create_task(limiter.acquire(2, priority=Priority.MARKET, account=None))
        await asyncio.sleep(1)
        assert not light.done()
        heavy.cancel()
        await light
        with pytest.raises(asyncio.CancelledError):
            await heavy
        return loop.time() - START, ip_used(limiter), limiter.waiting()

    at, used, waiting = run_virtual(main)
    assert (at, used) == (1, 10)
    assert sum(waiting.values()) == 0


def test_a_grant_whose_caller_was_cancelled_is_given_back():
    async def main(loop):
        now = [0.0]
        limiter = RateLimiter(SMALL, clock=lambda: now[0], reserve=NO_RESERVE, guard_s=0.0)
        await limiter.acquire(10, priority=Priority.MARKET, account=None)
        x = asyncio.create_task(limiter.acquire(5, priority=Priority.ORDER, account="x", orders=1))
        await asyncio.sleep(0)
        now[0] = 60.0  # the first grant leaves the window
        # this acquire runs the queue: x is granted first, but its task has not resumed yet
        await limiter.acquire(0, priority=Priority.ORDER, account="y")
        x.cancel()
        with pytest.raises(asyncio.CancelledError):
            await x
        rows = {(h.name, h.scope): h.used for h in limiter.headroom()}
        return rows

    rows = run_virtual(main)
    assert rows[("WEIGHT", "ip")] == 0
    assert rows[("ORDERS", "x")] == 0


def test_headroom_and_one_line_description():
    async def main(loop):
        limiter = RateLimiter(limits_for("binance"), wall_ms=loop.wall_ms)
        await limiter.acquire(4812, priority=Priority.ORDER, account="main", orders=1)
        await asyncio.sleep(15)
        waiter = asyncio.create_task(limiter.acquire(2000, priority=Priority.MARKET, account=None))
        await asyncio.sleep(0)
        rows = limiter.headroom()
        text = limiter.describe()
        waiter.cancel()
        return rows, text

    rows, text = run_virtual(main)
    assert text == "binance: 4,812/5,700 weight/min (84%), paused 0s, waiting 1 (orders 0)"
    by_key = {(h.name, h.scope, h.window_s): h for h in rows}
    weight = by_key[("REQUEST_WEIGHT", "ip", 60)]
    assert (weight.used, weight.limit, weight.unit) == (4812, 5700, "weight")
    assert weight.resets_in_s == pytest.approx(45.5)  # 60 s window + 0.5 s guard - 15 s
    assert weight.waiting[Priority.MARKET] == 1
    assert by_key[("RAW_REQUESTS", "ip", 300)].used == 1
    assert by_key[("ORDERS", "main", 10)].used == 0  # 15 s ago: out of the 10 s window
    day = by_key[("ORDERS", "main", 86_400)]
    assert (day.used, day.limit) == (1, 190_000)


def test_requests_that_can_never_fit_are_refused_with_a_clear_message():
    async def main(loop):
        limiter = RateLimiter(limits_for("binance"), wall_ms=loop.wall_ms)
        with pytest.raises(ValueError, match="can never fit binance REQUEST_WEIGHT"):
            await limiter.acquire(5500, priority=Priority.MARKET, account=None)
        with pytest.raises(ValueError, match="weight must be a number >= 0"):
            await limiter.acquire(-1, priority=Priority.MARKET, account=None)
        with pytest.raises(ValueError, match="split them"):
            await limiter.acquire(1, priority=Priority.ORDER, account="a", orders=500)

    run_virtual(main)


def test_registry_shares_one_limiter_per_exchange_and_ip():
    registry = RateLimiterRegistry()
    a = registry.for_exchange("binance")
    assert registry.for_exchange("binance", "default") is a
    host = registry.for_exchange("binance", "https://API.binance.com/api/v3")
    assert registry.for_exchange("binance", "https://api.binance.com") is host
    assert host is not a and host.ip_key == "api.binance.com"
    assert registry.for_exchange("binanceusdm") is not a
    assert registry.for_exchange("okx").limits.id == "okx"
    assert len(registry.limiters()) == 4
    assert registry.describe()[1].startswith("binance (api.binance.com): 0/5,700 weight/min")
    with pytest.raises(ValueError, match="paper"):
        registry.for_exchange("paper")
