"""Ladder math: rung prices, size weights, and exact allocation on amount steps.

Everything is done in exact fractions, so a total always splits into rungs that add up to
the total rounded down to one amount step (base totals), or to the quote total minus less
than one step's cost (quote totals, see :func:`allocate_quote`). Nothing is lost silently: what
cannot be allocated is returned as ``dust`` for the preview to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from math import floor

from hedgetui.domain.orderlang.nodes import Dist

__all__ = ["Allocation", "ladder_prices", "ladder_weights", "allocate_base", "allocate_quote"]


@dataclass(frozen=True, slots=True)
class Allocation:
    units: tuple[int, ...]  # amount steps per rung
    dust: Decimal  # left over, in the total's currency; always < one step (see module doc)


def _to_decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(value.numerator) / Decimal(value.denominator)).normalize()


def round_price_exact(value: Fraction, step: Decimal) -> Decimal:
    """Round half-even to a multiple of ``step``, like :meth:`Market.round_price`."""
    if step <= 0:
        return _to_decimal(value)
    units = round(value / Fraction(step))  # Fraction rounds half to even
    price = Decimal(units) * step
    return price.quantize(step) if step.as_tuple().exponent < 0 else price


def ladder_prices(start: Decimal, end: Decimal, count: int, step: Decimal) -> list[Decimal]:
    """``count`` prices evenly spaced from ``start`` to ``end`` inclusive, on ``step``.

    One rung sits at ``start``. Rounding may make neighbours equal when the range is too
    narrow for the tick; the caller reports that.
    """
    if count == 1:
        return [round_price_exact(Fraction(start), step)]
    a, b = Fraction(start), Fraction(end)
    return [round_price_exact(a + (b - a) * i / (count - 1), step) for i in range(count)]


def ladder_weights(count: int, dist: Dist, factor: Decimal | None = None) -> list[Fraction]:
    """Relative rung sizes, first rung (at the start price) first."""
    if dist is Dist.LINEAR:
        return [Fraction(i + 1) for i in range(count)]
    if dist is Dist.EXP:
        f = Fraction(factor if factor is not None else Decimal("1.5"))
        return [f**i for i in range(count)]
    return [Fraction(1)] * count


def _largest_remainder(total_units: int, weights: list[Fraction]) -> list[int]:
    whole = sum(weights)
    shares = [total_units * w / whole for w in weights]
    units = [floor(s) for s in shares]
    left = total_units - sum(units)
    # ties go to the later (heavier or equal) rung so linear/exp sizes never decrease
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - units[i]), -i))
    for i in order[:left]:
        units[i] += 1
    return units


def allocate_base(total: Decimal, weights: list[Fraction], unit: Decimal) -> Allocation:
    """Split a base-currency ``total`` into whole ``unit`` steps by ``weights``.

    ``sum(units) * unit == total`` rounded down to ``unit``; the rest is ``dust``.
    """
    if unit <= 0:
        raise ValueError("an amount step must be positive")
    total_units = floor(Fraction(total) / Fraction(unit))
    units = _largest_remainder(total_units, weights)
    return Allocation(tuple(units), _to_decimal(Fraction(total) - total_units * Fraction(unit)))


def allocate_quote(
    total: Decimal, weights: list[Fraction], prices: list[Decimal], unit: Decimal
) -> Allocation:
    """Split a quote ``total`` by ``weights``, each rung bought at its own price.

    Each rung gets ``floor(share / (unit * price))`` steps; the leftover quote then buys
    one more step for the rungs with the largest rounding remainders, in that order, as
    long as it can pay for it. So every rung holds its exact share rounded down or up by
    one step (the distribution is kept), and the ``dust`` left is less than one step at
    every rung that was not rounded up.
    """
    if unit <= 0 or any(p <= 0 for p in prices):
        raise ValueError("amount step and prices must be positive")
    whole = sum(weights)
    costs = [Fraction(unit) * Fraction(p) for p in prices]
    exact = [Fraction(total) * w / whole / c for w, c in zip(weights, costs, strict=True)]
    units = [floor(x) for x in exact]
    left = Fraction(total) - sum(u * c for u, c in zip(units, costs, strict=True))
    for i in sorted(range(len(exact)), key=lambda i: (-(exact[i] - units[i]), -i)):
        if costs[i] <= left:
            units[i] += 1
            left -= costs[i]
    return Allocation(tuple(units), _to_decimal(left))
