"""Sliding-log accounting of one budget (the bookkeeping behind ``ratelimit.RateLimiter``).

Why a sliding log: exchanges count usage in *fixed* windows (Binance: per calendar minute).
A token bucket refilled at B per window can let almost 2B into one fixed window (a full
bucket at its start plus the refill). Here a grant at time t is allowed only if everything
granted in ``(t - span, t]`` plus it stays within the limit. Grants come in time order, so
every half-open interval ``[s, s + span)`` then holds at most the limit — in particular every
fixed window of the server, whatever its alignment. Under saturation the limit is reached
once per span, so utilisation is ``window / span`` (``span = window + guard``, the guard
absorbing latency jitter between our clock and the server's).

To bound memory for long windows (200,000 orders/day) grants closer together than
``granularity`` are merged into one entry that expires with its *latest* grant: usage is
then counted a little longer than needed (<= granularity), never shorter.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# float slack when comparing a sum of weights with a limit
_EPS = 1e-9


@dataclass(eq=False)  # compared by identity: refunds find their own entry
class Entry:
    first: float
    last: float
    amount: float


class SlidingWindow:
    def __init__(self, limit: float, window_s: float, guard_s: float = 0.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.span = window_s + guard_s
        self.granularity = window_s / 600
        self._log: deque[Entry] = deque()
        self._total = 0.0
        # usage reported by the server beyond ours: server-window start -> (expires, amount)
        self._extra: dict[int, tuple[float, float]] = {}

    # -- reading -------------------------------------------------------------------------
    def expire(self, now: float) -> None:
        log = self._log
        while log and log[0].last + self.span <= now:
            self._total -= log.popleft().amount
        if not log:
            self._total = 0.0  # no float residue once empty
        if self._extra:
            self._extra = {k: v for k, v in self._extra.items() if v[0] > now}

    def used(self, now: float) -> float:
        self.expire(now)
        return max(0.0, self._total) + sum(a for _, a in self._extra.values())

    def fits(self, now: float, amount: float, ceiling: float = 1.0) -> bool:
        return self.used(now) + amount <= self.limit * ceiling + _EPS

    def free_at(self, now: float, amount: float, ceiling: float = 1.0) -> float:
        """Earliest time at which ``amount`` fits, if nothing else is granted meanwhile."""
        cap = self.limit * ceiling + _EPS
        used = self.used(now)
        if used + amount <= cap:
            return now
        releases = sorted(
            [(e.last + self.span, e.amount) for e in self._log] + list(self._extra.values())
        )
        for at, released in releases:
            used -= released
            if used + amount <= cap:
                return at
        return releases[-1][0] if releases else now

    def usage_between(self, start: float, end: float) -> float:
        """Our own grants in ``[start, end]`` (an entry merged across a bound counts whole)."""
        return sum(e.amount for e in self._log if e.last >= start and e.first <= end)

    def oldest_release(self, now: float) -> float | None:
        """When the oldest counted usage leaves the window (headroom next grows)."""
        self.expire(now)
        times = [self._log[0].last + self.span] if self._log else []
        times += [at for at, _ in self._extra.values()]
        return min(times) if times else None

    # -- writing -------------------------------------------------------------------------
    def add(self, now: float, amount: float) -> Entry | None:
        if amount <= 0:
            return None
        log = self._log
        if log and now - log[-1].first <= self.granularity:
            entry = log[-1]
            entry.last = max(entry.last, now)
            entry.amount += amount
        else:
            entry = Entry(now, now, amount)
            log.append(entry)
        self._total += amount
        return entry

    def refund(self, entry: Entry, amount: float) -> None:
        """Give back a grant that was never used (its request was cancelled)."""
        if entry in self._log:
            taken = min(entry.amount, amount)
            entry.amount -= taken
            self._total -= taken

    def add_extra(self, key: int, expires: float, amount: float) -> None:
        """The server counts ``amount`` more than we do in its window ``key``, until
        ``expires``; a later report for the same window replaces a smaller one."""
        old = self._extra.get(key)
        if old is None or amount > old[1]:
            self._extra[key] = (expires, amount)
