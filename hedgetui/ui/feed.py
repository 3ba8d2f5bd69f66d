"""Feeding the UI from the store, cheaply (no Textual here).

In-process (the pollers run inside the app) a store commit sets an event; attached to a
database another process writes, ``PRAGMA data_version`` is polled instead — it changes only
when another connection commits. Either way the feed then reads only the rows whose
revision is newer than the last one seen (``Store.changes_since``), at most once per
``min_interval`` (coalescing bursts of commits into one read, like AG Grid's 50 ms batches).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class StoreFeed:
    def __init__(
        self,
        store: Any,
        on_changes: Callable[[Any], None],
        *,
        min_interval: float = 0.05,
        poll_interval: float = 0.25,
        watch_other_writers: bool = True,
    ) -> None:
        self.store = store
        self.on_changes = on_changes
        self.min_interval = min_interval
        self.poll_interval = poll_interval
        self.watch_other_writers = watch_other_writers
        self.rev = 0
        self.reads = 0  # changes_since calls: for tests that nothing re-queries per tick
        self._wake = asyncio.Event()
        self._stopped = False
        self._unsubscribe = store.subscribe(lambda _changed: self._wake.set())

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """End :meth:`run` at its next wake-up (before the store is closed under it)."""
        self._stopped = True
        self._wake.set()

    async def run(self) -> None:
        version = await self.store.data_version()
        await self._read()
        try:
            while not self._stopped:
                try:
                    # not wait_for: on 3.11 it can swallow a cancel that races the wake-up
                    async with asyncio.timeout(self.poll_interval):
                        await self._wake.wait()
                except TimeoutError:
                    if not self.watch_other_writers:
                        continue
                    now = await self.store.data_version()
                    if now == version:
                        continue
                    version = now
                self._wake.clear()
                if self._stopped:
                    break
                await self._read()
                await asyncio.sleep(self.min_interval)
        finally:
            self._unsubscribe()

    async def _read(self) -> None:
        changes = await self.store.changes_since(self.rev)
        self.reads += 1
        if changes.rev == self.rev:
            return
        self.rev = changes.rev
        self.on_changes(changes)
