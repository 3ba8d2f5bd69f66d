"""Order-entry risk limits (the ``[risk]`` section): pure checks on expanded orders.

The expansion (``orderlang``) already blocks what the exchange would refuse; these are the
trader's own guards on top. Inputs that need I/O (what was sent today, how many orders are
open) are passed in, so the rules are testable without an exchange.

Rules, per order, in batch order:

* notional unknown (market order without a last price) -> blocked: no limit can be checked;
* notional above ``max_notional_per_order``;
* the account's notional sent today (UTC) + earlier orders of this batch + this one above
  ``max_notional_per_account_day``;
* open orders of the account + earlier resting orders of this batch + this one above
  ``max_open_orders`` (market, IOC and FOK orders never rest, so they don't count);
* a limit price further than ``price_band_pct`` from the last price (fat-finger guard,
  both directions, like Binance's PERCENT_PRICE filter); no last price -> blocked.

Reduce-only orders lower exposure: they skip the notional limits (a kill switch must never
be stopped by them) but still get the price band. Blocked orders reserve nothing.
``max_orders_per_second`` is a pace, not a block: the executor spaces sends by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from hedgetui.domain.models import OrderRequest, OrderType, TimeInForce
from hedgetui.domain.orderlang.lexer import format_number as fmt

__all__ = [
    "RiskLimits",
    "check_orders",
    "rests",
    "Confirmation",
    "confirmation",
    "DAY_MS",
    "day_start",
]

DAY_MS = 86_400_000


@dataclass(frozen=True)
class RiskLimits:
    """The numbers of ``RiskConfig`` the checks need (``RiskConfig`` satisfies it too)."""

    max_notional_per_order: Decimal
    max_notional_per_account_day: Decimal
    max_open_orders: int
    price_band_pct: Decimal


def day_start(now_ms: int) -> int:
    """Start of the UTC day holding ``now_ms``: the day limit resets at 00:00 UTC."""
    return now_ms - now_ms % DAY_MS


def rests(request: OrderRequest) -> bool:
    """Whether the order can stay on the book (and count toward open orders)."""
    if request.type is OrderType.MARKET:
        return False
    return request.time_in_force not in (TimeInForce.IOC, TimeInForce.FOK)


@dataclass(frozen=True)
class _Candidate:
    account: str
    request: OrderRequest
    notional: Decimal | None
    last_price: Decimal | None
    quote: str
    blocked: bool  # already blocked by the expansion: reserves nothing here


def check_orders(
    orders: Sequence,
    limits,
    *,
    day_notional: Mapping[str, Decimal],
    open_orders: Mapping[str, int],
) -> list[tuple[str, ...]]:
    """Block reasons per order (same order as ``orders``, empty tuple: passes).

    ``orders`` are :class:`~hedgetui.domain.orderlang.ConcreteOrder` s (anything with
    ``account``, ``request``, ``notional``, ``last_price``, ``market`` and ``blocks``).
    ``day_notional``: account -> notional already sent today; ``open_orders``: account ->
    orders open now.
    """
    used_day: dict[str, Decimal] = {}
    used_open: dict[str, int] = {}
    out: list[tuple[str, ...]] = []
    band = Decimal(limits.price_band_pct)
    for o in orders:
        c = _Candidate(
            o.account, o.request, o.notional, o.last_price, o.market.quote, bool(o.blocks)
        )
        reasons = _band(c, band)
        if not c.request.reduce_only:
            reasons += _notional(c, limits, day_notional, used_day)
        reasons += _open(c, limits, open_orders, used_open)
        if not reasons and not c.blocked:  # only orders that will be sent use the limits
            if not c.request.reduce_only and c.notional is not None:
                used_day[c.account] = used_day.get(c.account, Decimal(0)) + c.notional
            if rests(c.request):
                used_open[c.account] = used_open.get(c.account, 0) + 1
        out.append(tuple(reasons))
    return out


def _band(c: _Candidate, band: Decimal) -> list[str]:
    price = c.request.price
    if price is None:
        return []
    if c.last_price is None or c.last_price <= 0:
        return ["no last price: the price band (fat-finger guard) cannot be checked"]
    off = (price / c.last_price - 1) * 100
    if abs(off) > band:
        side = "above" if off > 0 else "below"
        return [
            f"price {fmt(price)} is {fmt(abs(off).quantize(Decimal('0.01')))}% {side} last "
            f"{fmt(c.last_price)}: outside the {fmt(band)}% price band "
            "(risk.price_band_pct)"
        ]
    return []


def _notional(
    c: _Candidate, limits, day: Mapping[str, Decimal], used: Mapping[str, Decimal]
) -> list[str]:
    if c.notional is None:
        return ["notional unknown (no last price): risk limits cannot be checked"]
    per_order = Decimal(limits.max_notional_per_order)
    out = []
    if c.notional > per_order:
        out.append(
            f"notional {fmt(_q(c.notional))} {c.quote} is above the per-order limit "
            f"{fmt(per_order)} (risk.max_notional_per_order)"
        )
    per_day = Decimal(limits.max_notional_per_account_day)
    sent = day.get(c.account, Decimal(0))
    earlier = used.get(c.account, Decimal(0))
    if sent + earlier + c.notional > per_day:
        out.append(
            f"{c.account} would reach {fmt(_q(sent + earlier + c.notional))} today "
            f"(sent {fmt(_q(sent))}, this batch {fmt(_q(earlier + c.notional))}): above the "
            f"daily limit {fmt(per_day)} (risk.max_notional_per_account_day)"
        )
    return out


def _open(c: _Candidate, limits, open_now: Mapping[str, int], used: Mapping[str, int]) -> list:
    if not rests(c.request):
        return []
    limit = int(limits.max_open_orders)
    total = open_now.get(c.account, 0) + used.get(c.account, 0) + 1
    if total > limit:
        return [
            f"{c.account} would have {total} open orders ({open_now.get(c.account, 0)} open "
            f"now): above the limit {limit} (risk.max_open_orders)"
        ]
    return []


def _q(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"))


# --- confirmation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """What the trader must type (or press) before a batch is sent.

    ``level`` 0: paper only, or live up to the first ``confirm_live_above`` threshold -> a
    plain yes (``y``). Level 1 -> the word ``CONFIRM``. Level 2 and above -> the live
    notional as a whole number (e.g. ``12346``), so the amount is read, not clicked away.
    """

    level: int
    live: bool
    expected: str
    prompt: str

    def accepts(self, answer: str) -> bool:
        text = answer.strip().replace(",", "").replace("_", "")
        if self.expected == "y":
            return text.lower() in ("y", "yes")
        return text == self.expected


def confirmation(level: int, live_notional: Decimal, live_accounts: Sequence[str]) -> Confirmation:
    """The confirmation for a batch with ``live_notional`` on ``live_accounts`` at ``level``
    (``RiskConfig.confirm_level(live_notional)``; 0 when nothing is live)."""
    live = bool(live_accounts)
    whole = str(int(live_notional.to_integral_value()))
    where = f"LIVE on {', '.join(live_accounts)}" if live else "paper"
    if not live or level <= 0:
        return Confirmation(0, live, "y", f"send ({where})? type y")
    if level == 1:
        return Confirmation(
            1, live, "CONFIRM", f"{fmt(_q(live_notional))} notional {where}: type CONFIRM"
        )
    return Confirmation(
        level,
        live,
        whole,
        f"{fmt(_q(live_notional))} notional {where}: type the notional {whole} to send",
    )
