"""A virtual-time event loop for the rate-limiter tests (plus checks of the loop itself).

Real asyncio semantics (tasks, futures, cancellation, call_later), but whenever the loop
would block waiting for a timer, time jumps straight to it: minutes of simulated traffic
run in milliseconds and deterministically.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

START = 1000.0  # virtual monotonic seconds at loop start
WALL_START_MS = 1_767_225_600_000  # 2026-01-01T00:00Z, a minute boundary


class _InstantSelector:
    def __init__(self, selector: Any, loop: VirtualTimeLoop) -> None:
        self._selector = selector
        self._loop = loop

    def select(self, timeout: float | None = None) -> list:
        events = self._selector.select(0)
        if events or timeout == 0:
            return events
        if timeout is None:
            raise RuntimeError("virtual-time loop would wait forever: nothing is scheduled")
        self._loop.virtual_now += timeout
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._selector, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        self.virtual_now = START
        self._selector = _InstantSelector(self._selector, self)

    def time(self) -> float:
        return self.virtual_now

    def wall_ms(self) -> int:
        """UTC ms matching the virtual clock (START is a minute boundary)."""
        return WALL_START_MS + round((self.virtual_now - START) * 1000)


def run_virtual(make: Any) -> Any:
    """Run ``make(loop)`` (a coroutine factory) on a fresh virtual-time loop."""
    loop = VirtualTimeLoop()
    try:
        coro: Coroutine = make(loop)
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_sleeping_advances_virtual_time_only():
    async def main(loop: VirtualTimeLoop) -> float:
        await asyncio.sleep(3600)
        return loop.time()

    started = time.monotonic()
    assert run_virtual(main) == START + 3600
    assert time.monotonic() - started < 1.0


def test_concurrent_sleepers_wake_in_order_at_their_times():
    async def main(loop: VirtualTimeLoop) -> list[tuple[str, float]]:
        woke: list[tuple[str, float]] = []

        async def sleeper(name: str, s: float) -> None:
            await asyncio.sleep(s)
            woke.append((name, loop.time() - START))

        await asyncio.gather(sleeper("b", 20), sleeper("a", 10), sleeper("c", 30))
        return woke

    assert run_virtual(main) == [("a", 10), ("b", 20), ("c", 30)]
