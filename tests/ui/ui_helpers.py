"""Shared helpers of the UI tests (imported by module name, like paper_helpers)."""

import asyncio

from hedgetui.config import PollersConfig, demo_config

FROZEN_MS = 1_767_268_800_000  # 2026-01-01T12:00:00Z


def fast_demo_config(tmp_path, **ui):
    cfg = demo_config()
    fast = PollersConfig(
        balances=0.1, positions=0.1, orders=0.1, fills=0.1, tickers=0.1, candles=0.5
    )
    market = cfg.market.model_copy(update={"timeframes": ("1h",), "history_days": 1})
    store = cfg.store.model_copy(update={"path": str(tmp_path / "ui.db")})
    update = {"pollers": fast, "market": market, "store": store}
    if ui:
        update["ui"] = cfg.ui.model_copy(update=ui)
    return cfg.model_copy(update=update)


async def wait_until(pilot, predicate, timeout=10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


def demo_loaded(app):
    """Every account's balances, the perp position and all seven tickers are in."""
    state = app.state
    return (
        {a for a, _ in state.balances} == {"main", "alt", "perps"}
        and len(state.positions) == 1
        and len(state.tickers) == 7
        and len(state.open_orders()) >= 6
    )
