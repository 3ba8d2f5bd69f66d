"""Supervised polling jobs.

Each job is one asyncio task calling ``step()`` every ``interval`` seconds. A step that
raises is retried after an exponential backoff with jitter (so N accounts failing together
do not retry in lock-step); an account-fatal error (bad keys, missing permission) stops every
job of that account's group until the user fixes it. Every attempt is reported to a
:class:`HealthRecorder`, which turns it into the ``poller_health`` rows the UI shows.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace

from hedgetui.domain import HealthState, PollerHealth
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.errors import FATAL_FOR_ACCOUNT
from hedgetui.runtime.redact import describe_error

log = logging.getLogger(__name__)

#: how long stopping waits for cancelled pollers before abandoning them (logged)
STOP_TIMEOUT_S = 5.0
#: cancel again this often while waiting: a task can swallow one cancel (Python 3.11's
#: ``asyncio.wait_for`` returns the result instead when its inner future completes at the
#: same moment), and would then run - and hold the shutdown - forever
RECANCEL_EVERY_S = 0.25


@dataclass
class Job:
    """``key`` is unique (``account:main:balances``); ``group`` is what a fatal error stops
    (the account name, or the exchange for market feeds)."""

    key: str
    step: Callable[[], Awaitable[None]]
    interval: float
    exchange: str
    feed: str
    account: str | None = None
    group: str = ""
    secrets: tuple[str, ...] = field(default=(), repr=False)


class HealthRecorder:
    """Keeps the latest :class:`PollerHealth` per job and hands changed records to ``sink``
    (the store's ``put_health``)."""

    def __init__(self, sink: Callable[[list[PollerHealth]], None], clock: Clock) -> None:
        self._sink = sink
        self._clock = clock
        self.records: dict[str, PollerHealth] = {}

    def _put(self, record: PollerHealth) -> None:
        self.records[record.key] = record
        self._sink([record])

    def register(self, job: Job) -> None:
        self._put(
            PollerHealth(key=job.key, exchange=job.exchange, feed=job.feed, account=job.account)
        )

    def success(self, job: Job, latency_ms: float) -> None:
        now = self._clock.now_ms()
        self._put(
            replace(
                self.records[job.key],
                state=HealthState.OK,
                last_attempt=now,
                last_success=now,
                latency_ms=latency_ms,
                consecutive_errors=0,
                backoff_s=0.0,
            )
        )

    def failure(self, job: Job, exc: BaseException, backoff_s: float, *, fatal: bool) -> None:
        old = self.records[job.key]
        self._put(
            replace(
                old,
                state=HealthState.STOPPED if fatal else HealthState.BACKOFF,
                last_attempt=self._clock.now_ms(),
                consecutive_errors=old.consecutive_errors + 1,
                error_count=old.error_count + 1,
                last_error=describe_error(exc, job.secrets),
                backoff_s=backoff_s,
            )
        )

    def stopped(self, job: Job, reason: str) -> None:
        self._put(
            replace(
                self.records[job.key], state=HealthState.STOPPED, last_error=reason, backoff_s=0.0
            )
        )


class Supervisor:
    def __init__(
        self,
        health: HealthRecorder,
        *,
        base_backoff: float = 1.0,
        max_backoff: float = 60.0,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.health = health
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._tasks: dict[str, asyncio.Task] = {}
        self._jobs: dict[str, Job] = {}
        self.restarts: dict[str, int] = {}

    @property
    def jobs(self) -> dict[str, Job]:
        return dict(self._jobs)

    def start(self, job: Job) -> None:
        if job.key in self._tasks and not self._tasks[job.key].done():
            raise ValueError(f"job {job.key!r} is already running")
        self._jobs[job.key] = job
        self.restarts.setdefault(job.key, 0)
        self.health.register(job)
        self._tasks[job.key] = asyncio.create_task(self._run(job), name=f"poller {job.key}")

    def backoff_for(self, consecutive_errors: int) -> float:
        """Exponential, capped, with +-25% jitter."""
        raw = min(self.max_backoff, self.base_backoff * 2 ** max(0, consecutive_errors - 1))
        return raw * self._rng.uniform(0.75, 1.25)

    async def _run(self, job: Job) -> None:
        failures = 0
        while True:
            started = time.perf_counter()
            try:
                await job.step()
            except asyncio.CancelledError:
                raise
            except FATAL_FOR_ACCOUNT as exc:
                self.health.failure(job, exc, 0.0, fatal=True)
                log.error("%s stopped: %s", job.key, describe_error(exc, job.secrets))
                self.stop_group(
                    job.group,
                    reason=f"stopped: {describe_error(exc, job.secrets)}",
                    except_key=job.key,
                )
                return
            except Exception as exc:
                failures += 1
                self.restarts[job.key] += 1
                delay = self.backoff_for(failures)
                self.health.failure(job, exc, delay, fatal=False)
                log.warning(
                    "%s failed (%d in a row), retry in %.1fs: %s",
                    job.key,
                    failures,
                    delay,
                    describe_error(exc, job.secrets),
                )
                await self._sleep(delay)
                continue
            failures = 0
            self.health.success(job, (time.perf_counter() - started) * 1000.0)
            await self._sleep(job.interval)

    def stop_group(self, group: str, *, reason: str, except_key: str | None = None) -> None:
        """Stop every job of ``group`` (an account whose keys were refused)."""
        if not group:
            return
        for key, job in self._jobs.items():
            if job.group == group and key != except_key:
                task = self._tasks.get(key)
                if task and not task.done():
                    task.cancel()
                    self.health.stopped(job, reason)

    def running(self) -> list[str]:
        return [k for k, t in self._tasks.items() if not t.done()]

    async def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Cancel every job; never waits longer than ``timeout`` (stragglers are logged)."""
        left = await cancel_and_wait(self._tasks.values(), timeout)
        for task in left:
            log.warning("%s did not stop within %gs; abandoned", task.get_name(), timeout)


async def cancel_and_wait(
    tasks: Iterable[asyncio.Future], timeout: float, every: float = RECANCEL_EVERY_S
) -> set[asyncio.Future]:
    """Cancel ``tasks`` and wait up to ``timeout`` seconds for them to end, cancelling the
    ones still running again every ``every`` seconds. Returns those still running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        done, pending = await asyncio.wait(pending, timeout=min(every, remaining))
        for task in done:  # retrieve errors so asyncio does not report them as unhandled
            if not task.cancelled():
                task.exception()
    return pending


async def finish_within(aw: Awaitable[object], timeout: float, what: str) -> bool:
    """Await ``aw`` (e.g. a service's ``stop()``) for at most ``timeout`` seconds; past that,
    cancel it (waiting at most ``STOP_TIMEOUT_S`` more) and log. An error it raises is
    logged, not raised: one failing part must not keep the others from stopping. True if it
    completed normally."""
    task = asyncio.ensure_future(aw)
    try:
        done, _ = await asyncio.wait({task}, timeout=timeout)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        log.warning("%s did not finish within %gs; cancelled", what, timeout)
        if await cancel_and_wait([task], STOP_TIMEOUT_S):
            log.warning("%s ignores cancellation; abandoned", what)
        return False
    if task.cancelled():
        log.warning("%s was cancelled", what)
        return False
    if (error := task.exception()) is not None:
        log.error("%s failed: %s", what, describe_error(error))
        return False
    return True
