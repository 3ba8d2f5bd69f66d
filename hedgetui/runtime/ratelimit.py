"""One shared rate-limit budget per exchange and IP (implements ``exchanges.base.RequestGate``).

Every account on the same exchange and IP asks the same :class:`RateLimiter` before each
request (ccxt throttles per instance, so 10 accounts would otherwise send 10x the IP budget).
Budgets come from ``hedgetui.exchanges.limits``; each is accounted by a sliding log
(:mod:`hedgetui.runtime.ratelimit_window`), which never exceeds the limit in any fixed
window the server may use.

Waiting requests form one queue per priority (ORDER, then ACCOUNT, then MARKET; FIFO within
one). When the IP budget is short the first waiter in that order blocks everything behind
it, so a burst of market polls cannot overtake an order. On top of that market data may use
only ``1 - reserve`` of the IP budgets, so orders find room at once even while pollers
saturate the rest. A waiter held only by its own account's order budget does not hold up
other accounts.

No task runs in the background: grants happen inside ``acquire`` when the budget allows,
otherwise from a single loop timer set for the moment the next waiter fits.

What the Health pane reads (headroom per budget, the one-line summary) lives in
:mod:`hedgetui.runtime.ratelimit_report`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from hedgetui.domain.clock import SystemClock
from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.limits import Budget, Counts, ExchangeLimits, Scope, limits_for
from hedgetui.runtime.ratelimit_report import Headroom, ReportMixin, num_text, window_label
from hedgetui.runtime.ratelimit_window import Entry, SlidingWindow

__all__ = [
    "DEFAULT_GUARD_S",
    "DEFAULT_PAUSE_S",
    "DEFAULT_RESERVE",
    "Headroom",
    "RateLimiter",
    "RateLimiterRegistry",
]

log = logging.getLogger(__name__)

#: share of each IP budget a priority may NOT use (kept for the ones above it)
DEFAULT_RESERVE: Mapping[Priority, float] = {
    Priority.ORDER: 0.0,
    Priority.ACCOUNT: 0.02,
    Priority.MARKET: 0.05,
}
#: latency jitter between our clock and the server's, added to each window (capped at 1%)
DEFAULT_GUARD_S = 0.5
#: pause when the exchange sends no usable Retry-After
DEFAULT_PAUSE_S = {429: 60.0, 418: 120.0}
# a timer never fires sooner than this after "now" (guards against float ties spinning)
_MIN_STEP_S = 1e-6


@dataclass(eq=False)
class _Waiter:
    weight: float
    priority: Priority
    account: str | None
    orders: int
    future: asyncio.Future[None]
    grants: list[tuple[SlidingWindow, Entry, float]] = field(default_factory=list)


class RateLimiter(ReportMixin):
    """The shared budget of one exchange on one IP. Create through
    :class:`RateLimiterRegistry` so every adapter of that exchange gets the same one.

    ``clock`` is monotonic seconds (default: the running event loop's time; tests run on a
    virtual-time loop); ``wall_ms`` is UTC ms, used only to place the server's fixed windows
    reported through :meth:`observe_used_weight`.
    """

    def __init__(
        self,
        limits: ExchangeLimits,
        *,
        ip_key: str = "default",
        clock: Callable[[], float] | None = None,
        wall_ms: Callable[[], int] | None = None,
        reserve: Mapping[Priority, float] | None = None,
        guard_s: float = DEFAULT_GUARD_S,
    ) -> None:
        self.limits = limits
        self.ip_key = ip_key
        self._clock = clock
        self._wall_ms = wall_ms or SystemClock().now_ms
        self._reserve = dict(DEFAULT_RESERVE if reserve is None else reserve)
        self._guard_s = guard_s
        self._ip = [(b, self._window(b)) for b in limits.budgets if b.scope is Scope.IP]
        self._account_budgets = [b for b in limits.budgets if b.scope is Scope.ACCOUNT]
        self._accounts: dict[str | None, list[tuple[Budget, SlidingWindow]]] = {}
        self._waiters: dict[Priority, deque[_Waiter]] = {p: deque() for p in Priority}
        self._paused_until = -math.inf
        self.last_penalty: tuple[int, str] | None = None  # (status, reason)
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def exchange_id(self) -> str:
        return self.limits.id

    def _window(self, budget: Budget) -> SlidingWindow:
        guard = min(self._guard_s, budget.window_s / 100)
        return SlidingWindow(budget.limit, budget.window_s, guard)

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        loop = self._loop or asyncio.get_running_loop()
        return loop.time()

    # -- the RequestGate protocol ---------------------------------------------------------
    async def acquire(
        self, weight: float, *, priority: Priority, account: str | None, orders: int = 0
    ) -> None:
        """Wait until ``weight`` (and ``orders`` new orders for ``account``) fit every budget,
        then count them. Cancelling the wait gives back whatever was taken."""
        priority = Priority(priority)
        self._check(weight, priority, orders)
        loop = asyncio.get_running_loop()
        self._loop = loop
        waiter = _Waiter(weight, priority, account, orders, loop.create_future())
        self._waiters[priority].append(waiter)
        self._dispatch()
        if waiter.future.done():
            return  # granted at once: no trip through the event loop
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._refund(waiter)  # granted, but the caller is gone: give it back
            else:
                self._forget(waiter)
            self._dispatch()
            raise

    def penalize(self, retry_after_s: float, *, status: int, reason: str) -> None:
        """Pause every request to this exchange (all accounts). A later penalty can extend the
        pause, never shorten it. Without a usable ``retry_after_s`` a default applies."""
        if retry_after_s is None or not retry_after_s > 0:
            retry_after_s = DEFAULT_PAUSE_S.get(status, DEFAULT_PAUSE_S[429])
        until = self._safe_now() + retry_after_s
        if until > self._paused_until:
            self._paused_until = until
        self.last_penalty = (status, reason)
        log.warning(
            "%s: HTTP %s, pausing all requests for %.1fs: %s",
            self.exchange_id,
            status,
            retry_after_s,
            reason,
        )
        self._dispatch()

    # -- server feedback ------------------------------------------------------------------
    def observe_used_weight(self, used: float, at_ms: int | None = None) -> None:
        """The server's own count for its current window of the main IP budget (Binance's
        ``X-MBX-USED-WEIGHT-1M`` header), reported at wall time ``at_ms``. When it exceeds what
        we granted in that window (another process on the IP), the difference is counted too
        until the server's window ends. Never lowers our own count."""
        if not self._ip:
            return
        budget, window = next(
            ((b, w) for b, w in self._ip if b.counts is Counts.WEIGHT), self._ip[0]
        )
        now, wall = self._safe_now(), self._wall_ms()
        at_ms = wall if at_ms is None else at_ms
        at = now - (wall - at_ms) / 1000
        window_ms = int(budget.window_s * 1000)
        start_ms = at_ms - at_ms % window_ms
        start = at - (at_ms - start_ms) / 1000
        foreign = used - window.usage_between(start, at)
        if foreign > 0:
            window.add_extra(start_ms, start + window.span, foreign)

    # -- internals ------------------------------------------------------------------------
    def _safe_now(self) -> float:
        try:
            return self._now()
        except RuntimeError:  # called outside any event loop (sync code)
            return time.monotonic()

    def _check(self, weight: float, priority: Priority, orders: int) -> None:
        if not weight >= 0 or not math.isfinite(weight):
            raise ValueError(f"request weight must be a number >= 0, got {weight!r}")
        if orders < 0:
            raise ValueError(f"orders must be >= 0, got {orders!r}")
        ceiling = 1 - self._reserve.get(priority, 0.0)
        for budget, _ in self._ip:
            need = self._amount(budget, weight, orders)
            if need > budget.limit * ceiling + 1e-9:
                raise ValueError(
                    f"a request of {need:g} {budget.counts.value} can never fit "
                    f"{self.exchange_id} {budget.name} ({num_text(budget.limit * ceiling)} per "
                    f"{window_label(budget.window_s)} for {priority.name.lower()} requests)"
                )
        for budget in self._account_budgets:
            if orders > budget.limit + 1e-9:
                raise ValueError(
                    f"{orders} orders at once exceed {self.exchange_id} {budget.name} "
                    f"({num_text(budget.limit)} per {window_label(budget.window_s)}): split them"
                )

    @staticmethod
    def _amount(budget: Budget, weight: float, orders: int) -> float:
        if budget.counts is Counts.WEIGHT:
            return weight
        if budget.counts is Counts.REQUESTS:
            return 1.0
        return float(orders)

    def _account_windows(self, account: str | None) -> list[tuple[Budget, SlidingWindow]]:
        windows = self._accounts.get(account)
        if windows is None:
            windows = [(b, self._window(b)) for b in self._account_budgets]
            self._accounts[account] = windows
        return windows

    def _ip_free_at(self, now: float, w: _Waiter) -> float:
        ceiling = 1 - self._reserve.get(w.priority, 0.0)
        return max(
            (win.free_at(now, self._amount(b, w.weight, w.orders), ceiling) for b, win in self._ip),
            default=now,
        )

    def _account_free_at(self, now: float, w: _Waiter) -> float:
        return max(
            (win.free_at(now, float(w.orders)) for _, win in self._account_windows(w.account)),
            default=now,
        )

    def _grant(self, now: float, w: _Waiter) -> None:
        for budget, window in self._ip:
            amount = self._amount(budget, w.weight, w.orders)
            entry = window.add(now, amount)
            if entry is not None:
                w.grants.append((window, entry, amount))
        if w.orders > 0:
            for _, window in self._account_windows(w.account):
                entry = window.add(now, float(w.orders))
                if entry is not None:
                    w.grants.append((window, entry, float(w.orders)))
        w.future.set_result(None)

    def _dispatch(self) -> None:
        """Grant every waiter that fits, in priority order, and set the timer for the rest."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not any(self._waiters.values()):
            return
        now = self._now()
        if now < self._paused_until:
            self._schedule(now, self._paused_until)
            return
        wake = math.inf
        held_accounts: set[str | None] = set()
        for priority in Priority:
            queue = self._waiters[priority]
            for w in list(queue):
                if w.future.done():  # cancelled, its task not yet resumed
                    queue.remove(w)
                    continue
                ip_at = self._ip_free_at(now, w)
                if ip_at > now:  # IP budget short: nobody behind this waiter may pass
                    self._schedule(now, min(wake, ip_at))
                    return
                if w.orders > 0:
                    if w.account in held_accounts:
                        continue  # FIFO within one account's orders
                    account_at = self._account_free_at(now, w)
                    if account_at > now:
                        held_accounts.add(w.account)
                        wake = min(wake, account_at)
                        continue
                queue.remove(w)
                self._grant(now, w)
        if wake < math.inf:
            self._schedule(now, wake)

    def _schedule(self, now: float, at: float) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        self._timer = loop.call_later(max(at - now, _MIN_STEP_S), self._dispatch)

    def _forget(self, w: _Waiter) -> None:
        queue = self._waiters[w.priority]
        if w in queue:
            queue.remove(w)

    def _refund(self, w: _Waiter) -> None:
        for window, entry, amount in w.grants:
            window.refund(entry, amount)
        w.grants.clear()


class RateLimiterRegistry:
    """One :class:`RateLimiter` per (exchange id, IP key): every adapter of one exchange that
    goes out through the same address shares it. ``ip_key`` may be an API URL (its host is
    used) or any label naming the egress IP/proxy."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        wall_ms: Callable[[], int] | None = None,
        reserve: Mapping[Priority, float] | None = None,
        guard_s: float = DEFAULT_GUARD_S,
        limits: Callable[[str], ExchangeLimits] = limits_for,
    ) -> None:
        self._kwargs = {"clock": clock, "wall_ms": wall_ms, "reserve": reserve, "guard_s": guard_s}
        self._limits = limits
        self._limiters: dict[tuple[str, str], RateLimiter] = {}

    @staticmethod
    def _ip_key(ip_key: str) -> str:
        if "://" in ip_key:
            return (urlsplit(ip_key).hostname or ip_key).lower()
        return ip_key.lower()

    def for_exchange(self, exchange_id: str, ip_key: str = "default") -> RateLimiter:
        key = (exchange_id, self._ip_key(ip_key))
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = RateLimiter(self._limits(exchange_id), ip_key=key[1], **self._kwargs)
            self._limiters[key] = limiter
        return limiter

    def limiters(self) -> list[RateLimiter]:
        return list(self._limiters.values())

    def describe(self) -> list[str]:
        return [limiter.describe() for limiter in self._limiters.values()]
