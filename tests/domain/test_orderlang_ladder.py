"""Ladder math: rung prices on ticks, weights, and allocations that add up exactly."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction
from math import floor

from hypothesis import given
from hypothesis import strategies as st

from hedgetui.domain.models import round_step
from hedgetui.domain.orderlang import (
    Dist,
    allocate_base,
    allocate_quote,
    ladder_prices,
    ladder_weights,
)


def test_prices_evenly_spaced_inclusive_both_directions():
    assert ladder_prices(D(63000), D(60000), 5, D("0.01")) == [
        D("63000.00"),
        D("62250.00"),
        D("61500.00"),
        D("60750.00"),
        D("60000.00"),
    ]
    assert ladder_prices(D(1), D(2), 3, D("0.1")) == [D("1.0"), D("1.5"), D("2.0")]


def test_prices_count_one_and_two():
    assert ladder_prices(D(100), D(90), 1, D(1)) == [D(100)]
    assert ladder_prices(D(100), D(90), 2, D(1)) == [D(100), D(90)]


def test_prices_round_half_even_to_tick():
    # 10 + 1/3 and 10 + 2/3 at tick 0.1
    assert ladder_prices(D(10), D(11), 4, D("0.1")) == [D("10.0"), D("10.3"), D("10.7"), D("11.0")]
    # 0.25 lies exactly between 0.2 and 0.3: half-even gives 0.2, like Market.round_price
    assert ladder_prices(D(0), D("0.5"), 3, D("0.1"))[1] == D("0.2")


def test_weights():
    assert ladder_weights(4, Dist.FLAT) == [1, 1, 1, 1]
    assert ladder_weights(4, Dist.LINEAR) == [1, 2, 3, 4]
    assert ladder_weights(3, Dist.EXP, D(2)) == [1, 2, 4]
    assert ladder_weights(3, Dist.EXP) == [1, Fraction(3, 2), Fraction(9, 4)]
    assert ladder_weights(1, Dist.LINEAR) == [1]


def test_allocate_base_flat_with_remainder_steps():
    alloc = allocate_base(D("1.0000"), ladder_weights(3, Dist.FLAT), D("0.0001"))
    assert sorted(alloc.units) == [3333, 3333, 3334] and alloc.dust == 0
    assert alloc.units[-1] == 3334  # ties go to the far rung


def test_allocate_base_reports_sub_step_dust():
    alloc = allocate_base(D("1.00005"), ladder_weights(2, Dist.LINEAR), D("0.001"))
    assert sum(alloc.units) == 1000 and alloc.dust == D("0.00005")
    assert alloc.units == (333, 667)


def test_allocate_quote_each_rung_at_its_price():
    prices = [D(100), D(50)]
    alloc = allocate_quote(D(1000), ladder_weights(2, Dist.FLAT), prices, D("0.1"))
    # 500 quote each: 5 at 100, 10 at 50 (in 0.1 steps: 50 and 100)
    assert alloc.units == (50, 100) and alloc.dust == 0


def test_allocate_quote_leftover_goes_to_largest_remainder():
    prices = [D(30), D(70)]
    alloc = allocate_quote(D(100), ladder_weights(2, Dist.FLAT), prices, D(1))
    # shares 50/50: 50/30 = 1.67 -> 1, 50/70 = 0.71 -> 0; leftover 70 buys the 0.71 rung
    assert alloc.units == (1, 1) and alloc.dust == 0


def test_allocate_quote_keeps_distribution_and_reports_dust():
    prices = [D(30), D(70)]
    alloc = allocate_quote(D(90), ladder_weights(2, Dist.FLAT), prices, D(1))
    # 45/30 = 1.5 -> 1, 45/70 = 0.64 -> 0; leftover 60: 70 doesn't fit, 30 does (once)
    assert alloc.units == (2, 0) and alloc.dust == D(30)


def test_allocate_base_count_one():
    alloc = allocate_base(D("0.123456"), [Fraction(1)], D("0.001"))
    assert alloc.units == (123,) and alloc.dust == D("0.000456")


# -- properties ----------------------------------------------------------------------------
steps = st.sampled_from([D("0.00001"), D("0.001"), D("0.01"), D("0.1"), D(1), D(5)])
ticks = st.sampled_from([D("0.0001"), D("0.01"), D("0.5"), D(1), D(10)])
totals = st.decimals(min_value=D("0.00001"), max_value=D(10_000_000), places=5)
dists = st.sampled_from([(Dist.FLAT, None), (Dist.LINEAR, None), (Dist.EXP, D("1.5")),
                         (Dist.EXP, D(3)), (Dist.EXP, D("0.5"))])  # fmt: skip
prices_ = st.decimals(min_value=D(1), max_value=D(200_000), places=4)


@given(totals, st.integers(1, 100), dists, steps)
def test_base_allocation_sums_exactly(total, count, dist, step):
    weights = ladder_weights(count, dist[0], dist[1])
    alloc = allocate_base(total, weights, step)
    assert len(alloc.units) == count and min(alloc.units) >= 0
    placed = sum(alloc.units) * step
    assert placed == round_step(total, step)  # exactly the total, rounded down to the step
    assert placed + alloc.dust == total and D(0) <= alloc.dust < step
    units = list(alloc.units)
    if dist[0] is Dist.LINEAR or (dist[0] is Dist.EXP and dist[1] > 1):
        assert units == sorted(units)  # grows toward the far end
    elif dist[0] is Dist.EXP:
        assert units == sorted(units, reverse=True)
    else:
        assert max(units) - min(units) <= 1
    # each rung within one step of its exact share
    whole = sum(weights)
    exact_units = Fraction(round_step(total, step)) / Fraction(step)
    for u, w in zip(units, weights, strict=True):
        assert abs(u - exact_units * w / whole) < 1


@given(totals, st.integers(1, 40), dists, steps, st.data())
def test_quote_allocation_spends_all_but_sub_step_dust(total, count, dist, step, data):
    prices = data.draw(st.lists(prices_, min_size=count, max_size=count))
    weights = ladder_weights(count, dist[0], dist[1])
    alloc = allocate_quote(total, weights, prices, step)
    spent = sum(u * step * p for u, p in zip(alloc.units, prices, strict=True))
    assert spent + alloc.dust == total
    assert alloc.dust >= 0
    whole = sum(weights)
    for u, w, p in zip(alloc.units, weights, prices, strict=True):
        share_units = Fraction(total) * w / whole / (Fraction(step) * Fraction(p))
        assert u in (floor(share_units), floor(share_units) + 1)  # distribution kept
        if u == floor(share_units) and share_units != u:
            assert alloc.dust < step * p  # a rung left rounded down couldn't be paid for


@given(prices_, prices_, st.integers(1, 100), ticks)
def test_prices_on_ticks_within_bounds_and_monotonic(a, b, count, tick):
    prices = ladder_prices(a, b, count, tick)
    assert len(prices) == count
    ra, rb = round_step(a, tick, "ROUND_HALF_EVEN"), round_step(b, tick, "ROUND_HALF_EVEN")
    assert prices[0] == ra
    if count > 1:
        assert prices[-1] == rb
    lo, hi = min(ra, rb), max(ra, rb)
    for p in prices:
        assert lo <= p <= hi and p % tick == 0
    assert prices == sorted(prices, reverse=a > b)
