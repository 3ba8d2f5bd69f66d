"""A runtime without pollers, for one-shot commands (``hedgetui orders ...``): the same
exchanges and executor the TUI uses, built the same way, started without the loops."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from hedgetui.config import Config
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.runtime.accounts import build_exchanges
from hedgetui.runtime.engine import Runtime
from hedgetui.runtime.executor import OrderExecutor
from hedgetui.store import Store


@contextlib.asynccontextmanager
async def trading_session(
    config: Config, store: Store, clock: Clock | None = None
) -> AsyncIterator[OrderExecutor]:
    """Exchanges and an executor over ``store``; on exit the paper venue is saved, writes
    are flushed and connections closed (the store stays open: the caller owns it)."""
    runtime = Runtime(config, store, clock=clock or SystemClock())
    runtime.exchanges = await build_exchanges(config, store, runtime.clock)
    store.put_accounts([a.info() for a in config.accounts])
    executor = OrderExecutor(runtime)
    runtime.services[executor.name] = executor
    try:
        yield executor
    finally:
        await runtime.save_paper()
        await store.flush()
        await runtime.exchanges.close()
