"""Ten accounts bursting through one shared budget: never over it in any window, yet using
at least 90% of it. Simulated on a virtual-time loop (10 minutes run in well under a second).
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ratelimit_vtime import START, run_virtual

from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.limits import Budget, Counts, ExchangeLimits, Scope, limits_for
from hedgetui.runtime.ratelimit import RateLimiter

Grant = tuple[float, float]  # (time, amount)


def max_in_any_span(grants: list[Grant], span: float) -> float:
    """The most granted in any half-open interval [s, s + span): it suffices to start the
    interval at each grant. Two grants exactly one span apart are in different intervals;
    ``t - span`` may round below the earlier one (0.1 vs 10.1 - 10 = 0.0999...), where the
    limiter's ``0.1 + 10 <= 10.1`` holds: compare with a tolerance far below any real gap."""
    grants = sorted(grants)
    best = total = 0.0
    j = 0
    for t, amount in grants:
        total += amount
        while grants[j][0] <= t - span + 1e-9:
            total -= grants[j][1]
            j += 1
        best = max(best, total)
    return best


def test_grants_exactly_one_span_apart_are_in_different_intervals():
    assert 0.1 + 10 <= 10.1 and not 0.1 <= 10.1 - 10  # the float trap
    assert max_in_any_span([(0.1, 20.0), (10.1, 20.0)], 10) == 20
    assert max_in_any_span([(0.1, 20.0), (10.0, 20.0)], 10) == 40


def fixed_window_totals(grants: list[Grant], width: float, phase: float) -> dict[int, float]:
    totals: dict[int, float] = defaultdict(float)
    for t, amount in grants:
        totals[int((t - START - phase) // width)] += amount
    return totals


# (priority, weight, orders) per kind of request a trader's session sends to Binance spot
MARKET_CALLS = [(2, 0), (5, 0), (2, 0), (40, 0), (25, 0)]  # ticker, depth, klines, tickers...
ACCOUNT_CALLS = [(20, 0), (6, 0), (20, 0), (4, 0)]  # account, openOrders, myTrades, order


def simulate(guard_s: float, minutes: int = 10, accounts: int = 10):
    async def main(loop):
        limiter = RateLimiter(limits_for("binance"), wall_ms=loop.wall_ms, guard_s=guard_s)
        end = START + 60 * minutes
        rng = random.Random(7)
        weight: list[Grant] = []
        raw: list[Grant] = []
        orders: dict[str, list[Grant]] = defaultdict(list)

        async def call(account, priority, w, n_orders) -> None:
            await limiter.acquire(w, priority=priority, account=account, orders=n_orders)
            now = loop.time()
            weight.append((now, w))
            raw.append((now, 1))
            if n_orders:
                orders[account].append((now, n_orders))
            await asyncio.sleep(rng.uniform(0.02, 0.3))  # the request's round trip

        async def poll(account, priority, calls) -> None:
            while loop.time() < end:
                w, n = rng.choice(calls)
                await call(account, priority, w, n)

        async def trade(account) -> None:
            while loop.time() < end:  # a ladder: many orders sent at once
                ladder = [call(account, Priority.ORDER, 1, 1) for _ in range(rng.randint(5, 60))]
                await asyncio.gather(*ladder)
                await asyncio.sleep(rng.uniform(0, 3))

        jobs = []
        for i in range(accounts):
            name = f"acct{i}"
            jobs += [poll(None, Priority.MARKET, MARKET_CALLS) for _ in range(3)]
            jobs += [poll(name, Priority.ACCOUNT, ACCOUNT_CALLS), trade(name)]
        await asyncio.gather(*jobs)
        return weight, raw, orders, end

    return run_virtual(main)


@pytest.mark.parametrize("guard_s", [0.0, 0.5])
def test_ten_accounts_never_exceed_any_window_and_use_the_budget(guard_s):
    weight, raw, orders, end = simulate(guard_s)
    assert max_in_any_span(weight, 60) <= 5700
    for phase in (0.0, 13.7, 30.0, 59.9):  # however the server aligns its minutes
        assert max(fixed_window_totals(weight, 60, phase).values()) <= 5700
    assert max_in_any_span(raw, 300) <= 61000 * 0.95
    assert len(orders) == 10
    for grants in orders.values():
        # the per-account order limit was binding (ladders wanted more), never exceeded
        assert 90 <= max_in_any_span(grants, 10) <= 95
    minutes = (end - START) / 60
    used = sum(w for t, w in weight if t < end)
    assert used / (5700 * minutes) >= 0.9
    full_minutes = fixed_window_totals([g for g in weight if g[0] < end], 60, 0.0)
    assert len(full_minutes) == minutes
    assert min(full_minutes.values()) >= 0.9 * 5700


TINY = ExchangeLimits(
    id="tiny",
    budgets=(
        Budget("W", Counts.WEIGHT, Scope.IP, 20, 10, safety=1.0),
        Budget("R", Counts.REQUESTS, Scope.IP, 12, 7, safety=1.0),
        Budget("O", Counts.ORDERS, Scope.ACCOUNT, 3, 5, safety=1.0),
    ),
)

request = st.tuples(
    st.floats(0, 4),  # delay before asking
    st.sampled_from(list(Priority)),
    st.integers(0, 6),  # weight (the MARKET ceiling is 19 here)
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 2),  # orders
    st.booleans(),  # give up (cancel) after a moment
)


@settings(max_examples=60, deadline=None)
@given(st.lists(request, min_size=1, max_size=60))
def test_any_mix_of_requests_and_cancellations_stays_within_every_budget(requests):
    async def main(loop):
        limiter = RateLimiter(TINY, wall_ms=loop.wall_ms, guard_s=0.0)
        weight: list[Grant] = []
        raw: list[Grant] = []
        orders: dict[str, list[Grant]] = defaultdict(list)

        async def ask(delay, priority, w, account, n, _):
            await asyncio.sleep(delay)
            await limiter.acquire(w, priority=priority, account=account, orders=n)
            now = loop.time()
            weight.append((now, w))
            raw.append((now, 1))
            orders[account].append((now, n))

        tasks = [asyncio.create_task(ask(*r)) for r in requests]
        await asyncio.sleep(4.5)
        for task, r in zip(tasks, requests, strict=True):
            if r[5]:
                task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        finished = sum(not isinstance(r, BaseException) for r in results)
        return weight, raw, orders, finished, limiter

    weight, raw, orders, finished, limiter = run_virtual(main)
    assert len(raw) == finished  # every request not cancelled was served
    assert sum(limiter.waiting().values()) == 0
    assert max_in_any_span(weight, 10) <= 20
    assert max_in_any_span(raw, 7) <= 12
    for grants in orders.values():
        assert max_in_any_span(grants, 5) <= 3
