"""Rate-limit headroom per exchange, written as health records so the Health pane (and an
``--attach``ed TUI or ``hedgetui status`` reading the same database) shows it.

One record per limiter, key ``limit:<exchange>`` (``limit:<exchange>@<ip>`` when one exchange
goes out through several addresses), feed "rate limit": state OK, or BACKOFF while the
exchange has paused us (429/418); ``last_error`` holds the limiter's one-line description
(used/limit, pause, waiting requests) and ``backoff_s`` the pause left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass

from hedgetui.domain import HealthState, PollerHealth
from hedgetui.runtime.ratelimit import RateLimiter

log = logging.getLogger(__name__)

EVERY_S = 2.0
FEED = "rate limit"


def is_limit(record: PollerHealth) -> bool:
    """A rate-limit headroom record, not a poller."""
    return record.feed == FEED and record.key.startswith("limit:")


@dataclass(frozen=True, slots=True)
class LimitView:
    """A headroom record read back for display (the TUI may be ``--attach``ed: it has only
    the stored record). ``used``/``limit`` are None when the exchange has no IP budget."""

    key: str
    exchange: str  # "binance", or "binance (<ip>)" when one exchange uses several
    used: float | None
    limit: float | None
    unit: str  # "weight/min"
    paused_s: float
    waiting: int
    waiting_orders: int
    note: str  # why the exchange paused us, when it did

    @property
    def fraction(self) -> float | None:
        if self.used is None or not self.limit:
            return None
        return self.used / self.limit


# the text RateLimiter.describe() writes (plus " — <reason>" while paused); tested together
_DESCRIBED = re.compile(
    r"^(?P<exchange>.+?):"
    r"(?: (?P<used>[\d,.]+)/(?P<limit>[\d,.]+) (?P<unit>\S+) \(\d+%\),)?"
    r" paused (?P<paused>\d+)s(?: \(HTTP \d+\))?,"
    r" waiting (?P<waiting>\d+) \(orders (?P<orders>\d+)\)"
    r"(?: — (?P<note>.*))?$"
)


def limit_view(record: PollerHealth) -> LimitView:
    """The record's numbers; a text this version cannot read is kept whole as the note."""
    m = _DESCRIBED.match(record.last_error)
    if m is None:
        exchange = record.key.removeprefix("limit:")
        return LimitView(
            record.key, exchange, None, None, "", record.backoff_s, 0, 0, record.last_error
        )

    def num(name: str) -> float | None:
        text = m.group(name)
        return float(text.replace(",", "")) if text else None

    return LimitView(
        key=record.key,
        exchange=m.group("exchange"),
        used=num("used"),
        limit=num("limit"),
        unit=m.group("unit") or "",
        paused_s=record.backoff_s,
        waiting=int(m.group("waiting")),
        waiting_orders=int(m.group("orders")),
        note=m.group("note") or "",
    )


def health_key(limiter: RateLimiter, shared_exchange: bool) -> str:
    if shared_exchange:
        return f"limit:{limiter.exchange_id}@{limiter.ip_key}"
    return f"limit:{limiter.exchange_id}"


def limiter_record(
    limiter: RateLimiter, key: str, now_ms: int, last_success: int = 0
) -> PollerHealth:
    paused = limiter.paused_for_s()
    text = limiter.describe()
    if paused > 0 and limiter.last_penalty:
        text += f" — {limiter.last_penalty[1]}"
    return PollerHealth(
        key=key,
        exchange=limiter.exchange_id,
        feed=FEED,
        state=HealthState.BACKOFF if paused > 0 else HealthState.OK,
        last_attempt=now_ms,
        last_success=last_success if paused > 0 else now_ms,
        last_error=text,
        backoff_s=round(paused, 1),
    )


class LimitsHealth:
    """Writes every limiter's headroom every ``every_s`` seconds (and once at start/stop)."""

    name = "limits-health"

    def __init__(self, runtime, every_s: float = EVERY_S) -> None:
        self.runtime = runtime
        self.every_s = every_s
        self._task: asyncio.Task | None = None
        self._last_ok: dict[str, int] = {}

    def limiters(self) -> list[RateLimiter]:
        exchanges = self.runtime.exchanges
        return exchanges.limiters.limiters() if exchanges is not None else []

    def publish(self) -> list[PollerHealth]:
        limiters = self.limiters()
        ids = [lim.exchange_id for lim in limiters]
        now = self.runtime.clock.now_ms()
        records = []
        for limiter in limiters:
            key = health_key(limiter, ids.count(limiter.exchange_id) > 1)
            record = limiter_record(limiter, key, now, self._last_ok.get(key, 0))
            self._last_ok[key] = record.last_success
            records.append(record)
        if records:
            self.runtime.store.put_health(records)
        return records

    async def start(self) -> None:
        self.publish()
        self._task = asyncio.create_task(self._run(), name="limits health")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            self.publish()  # the final state, for `hedgetui status` after collect ends
        except Exception:  # noqa: BLE001 - the store may already refuse writes
            log.debug("final rate-limit health not written", exc_info=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            try:
                self.publish()
            except Exception:
                log.exception("writing rate-limit health failed; retrying in %ss", self.every_s)


def create(runtime) -> LimitsHealth:
    return LimitsHealth(runtime)
