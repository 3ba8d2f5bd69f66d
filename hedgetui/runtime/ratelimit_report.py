"""What a RateLimiter reports to the Health pane: per-budget headroom and a one-line summary.

A mixin of ``ratelimit.RateLimiter``, kept apart from the limiter core (queues, grants,
timers) because it only reads the limiter's state and never changes it. ``window_label``
and ``num_text`` also word the limiter's error messages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hedgetui.exchanges.base import Priority

if TYPE_CHECKING:
    from hedgetui.runtime.ratelimit import RateLimiter

    _Base = RateLimiter
else:
    _Base = object


@dataclass(frozen=True)
class Headroom:
    """One budget's state, for the Health pane. ``scope`` is "ip" or the account name."""

    exchange: str
    name: str
    scope: str
    unit: str
    used: float
    limit: float
    window_s: float
    resets_in_s: float  # until the oldest counted usage leaves the window (0 if none)
    paused_for_s: float
    waiting: Mapping[Priority, int]

    @property
    def fraction(self) -> float:
        return self.used / self.limit if self.limit else 0.0


def window_label(window_s: float) -> str:
    names = {1: "s", 60: "min", 3600: "h", 86_400: "day"}
    if window_s in names:
        return names[window_s]
    if window_s % 60 == 0:
        return f"{window_s / 60:g}min"
    return f"{window_s:g}s"


def num_text(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 or x >= 100 else f"{x:,.1f}"


class ReportMixin(_Base):
    def waiting(self) -> dict[Priority, int]:
        return {p: sum(not w.future.done() for w in q) for p, q in self._waiters.items()}

    def paused_for_s(self) -> float:
        return max(0.0, self._paused_until - self._safe_now())

    def headroom(self) -> list[Headroom]:
        now = self._safe_now()
        paused, waiting = self.paused_for_s(), self.waiting()
        rows = [(b, w, "ip") for b, w in self._ip]
        for account, windows in self._accounts.items():
            rows += [(b, w, account or "-") for b, w in windows]
        out = []
        for budget, window, scope in rows:
            release = window.oldest_release(now)
            out.append(
                Headroom(
                    exchange=self.exchange_id,
                    name=budget.name,
                    scope=scope,
                    unit=budget.counts.value,
                    used=window.used(now),
                    limit=budget.limit,
                    window_s=budget.window_s,
                    resets_in_s=max(0.0, release - now) if release is not None else 0.0,
                    paused_for_s=paused,
                    waiting=waiting,
                )
            )
        return out

    def describe(self) -> str:
        """One line for the Health pane, e.g.
        ``binance: 4,812/5,700 weight/min (84%), paused 0s, waiting 3 (orders 0)``."""
        rows = self.headroom()
        waiting = self.waiting()
        name = self.exchange_id
        text = f"{name}:" if self.ip_key == "default" else f"{name} ({self.ip_key}):"
        if rows:
            main = rows[0]
            per = f"{main.unit}/{window_label(main.window_s)}"
            text += f" {num_text(main.used)}/{num_text(main.limit)} {per} ({main.fraction:.0%}),"
        text += f" paused {math.ceil(self.paused_for_s()):.0f}s"
        if self.paused_for_s() > 0 and self.last_penalty:
            text += f" (HTTP {self.last_penalty[0]})"
        text += f", waiting {sum(waiting.values())} (orders {waiting[Priority.ORDER]})"
        return text

    snapshot_for_health = describe
