"""Shared setup of the executor tests: the demo on a frozen clock, headless (no pollers)."""

import contextlib

from hedgetui.config import demo_config
from hedgetui.domain.clock import ManualClock
from hedgetui.runtime.headless import trading_session
from hedgetui.store import Store

FROZEN_MS = 1_767_268_800_000  # 2026-01-01T12:00:00Z; the demo venue starts here: BTC 95000


def demo(tmp_path, **risk):
    cfg = demo_config()
    store = cfg.store.model_copy(update={"path": str(tmp_path / "x.db")})
    update = {"store": store}
    if risk:
        update["risk"] = cfg.risk.model_copy(update=risk)
    return cfg.model_copy(update=update)


@contextlib.asynccontextmanager
async def session(tmp_path, clock=None, **risk):
    cfg = demo(tmp_path, **risk)
    store = await Store.open(cfg.resolved_db_path(), clock=clock or ManualClock(FROZEN_MS))
    try:
        async with trading_session(cfg, store, clock or ManualClock(FROZEN_MS)) as executor:
            yield executor
    finally:
        await store.close()


def venue_orders(executor, account):
    """Every order (open and closed) the paper venue holds for ``account``."""
    acct = executor.runtime.exchanges.venue.accounts[account]
    return list(acct.open.values()) + list(acct.closed.values())
