"""Request weight accounting of the local Binance server: the weight of each request comes
from the rate limiter's table (:func:`hedgetui.exchanges.limits.weight_for`, Binance's
documented spot weights), counted per IP per minute as Binance does: the used weight is
returned in ``X-MBX-USED-WEIGHT-1M`` and a request over the budget is answered 429.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.exchanges.limits import weight_for

WINDOW_MS = 60_000
DEFAULT_LIMIT = 6_000  # REQUEST_WEIGHT per minute per IP (spot)


def binance_weight(method: str, path: str, params: Mapping[str, str]) -> int:
    """Weight of one spot request (Binance's table, shared with the client-side limiter)."""
    return int(weight_for("binance", method, path, dict(params)))


@dataclass
class WeightMeter:
    """Used weight per IP per minute window, and counters tests assert on."""

    limit: int = DEFAULT_LIMIT
    clock: Clock = field(default_factory=SystemClock)
    weigh: Callable[[str, str, Mapping[str, str]], int] = field(default=binance_weight)
    total_weight: int = 0
    max_window_weight: int = 0
    rejected: int = 0  # requests answered 429 because the budget was spent
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)  # ip -> (window, used)

    def charge(self, ip: str, method: str, path: str, params: Mapping[str, str]) -> int:
        """Add this request's weight; return the window's used weight (may exceed limit)."""
        weight = self.weigh(method, path, params)
        window = self.clock.now_ms() // WINDOW_MS
        start, used = self._windows.get(ip, (window, 0))
        used = (used if start == window else 0) + weight
        self._windows[ip] = (window, used)
        self.total_weight += weight
        self.max_window_weight = max(self.max_window_weight, used)
        return used

    def used(self, ip: str) -> int:
        window = self.clock.now_ms() // WINDOW_MS
        start, used = self._windows.get(ip, (window, 0))
        return used if start == window else 0

    def retry_after_s(self) -> int:
        """Seconds until the current window ends (what Binance puts in Retry-After)."""
        now = self.clock.now_ms()
        return max(1, -(-(WINDOW_MS - now % WINDOW_MS) // 1000))
