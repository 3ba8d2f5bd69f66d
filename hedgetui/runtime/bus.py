"""In-process event bus: the store's commits and the runtime's events reach the UI, the alert
engine and anyone else without them knowing each other."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class Bus:
    """Publish/subscribe by event type. Callbacks run synchronously in ``publish`` (keep them
    cheap: hand heavy work to a task); queues are for consumers that want to await events."""

    def __init__(self) -> None:
        self._subs: dict[type, list[Callback]] = defaultdict(list)

    def subscribe(self, event_type: type, callback: Callback) -> Callable[[], None]:
        self._subs[event_type].append(callback)

        def unsubscribe() -> None:
            if callback in self._subs[event_type]:
                self._subs[event_type].remove(callback)

        return unsubscribe

    def queue(self, event_type: type, maxsize: int = 0) -> tuple[asyncio.Queue, Callable[[], None]]:
        """A queue receiving every event of ``event_type``; when full, the oldest is dropped
        (a slow consumer must not stall publishers)."""
        q: asyncio.Queue = asyncio.Queue(maxsize)

        def put(event: Any) -> None:
            if q.full():
                q.get_nowait()
            q.put_nowait(event)

        return q, self.subscribe(event_type, put)

    def publish(self, event: Any) -> None:
        for callback in list(self._subs.get(type(event), ())):
            try:
                callback(event)
            except Exception:  # one bad subscriber must not break the others
                log.exception("bus subscriber failed on %s", type(event).__name__)
