"""The Health pane: pollers in one table, each exchange's shared rate-limit budget in its own
small table (used/limit, share, pause, waiting), and a total that counts only pollers."""

from __future__ import annotations

import logging

from textual.widgets import Static
from ui_helpers import demo_loaded, wait_until

from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.limits import limits_for
from hedgetui.runtime.limits_health import limiter_record
from hedgetui.runtime.ratelimit import RateLimiter
from hedgetui.ui.panes import HealthPane


async def test_rate_limits_get_their_own_table_and_are_not_counted_as_pollers(demo_app, caplog):
    caplog.set_level(logging.ERROR)  # the penalty below logs a warning
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        await pilot.press("4")
        pane = app.query_one(HealthPane)
        limits = pane.query_one("#limits-table")
        status = pane.query_one("#health-status", Static)
        await wait_until(pilot, lambda: len(pane.table.row_order) >= 13)
        pollers = len(pane.table.row_order)
        # the paper demo has no rate limits: no section for them
        assert not pane.has_class("-limits") and not limits.display
        assert str(status.render()).startswith(f"{pollers} pollers · 0 failing")

        busy = RateLimiter(limits_for("binance"))
        for _ in range(5):
            await busy.acquire(1000, priority=Priority.MARKET, account=None)
        paused = RateLimiter(limits_for("bybit"))
        paused.penalize(30, status=429, reason="bybit answered HTTP 429")
        now = app.clock.now_ms()
        app.store.put_health(
            [limiter_record(busy, "limit:binance", now), limiter_record(paused, "limit:bybit", now)]
        )
        await wait_until(pilot, lambda: len(limits.row_order) == 2)
        await pilot.pause(0.1)

        assert limits.display and pane.query_one("#limits-title").display
        assert list(limits.row_order) == ["limit:binance", "limit:bybit"]
        assert not [k for k in pane.table.row_order if k.startswith("limit:")]
        binance = limits.get_row("limit:binance")
        limit = round(busy.headroom()[0].limit)
        assert binance["exchange"] == "binance"
        assert binance["used"] == f"5,000/{limit:,} weight/min"
        assert binance["share"] == 5000 / limit and binance["paused"] is None
        bybit = limits.get_row("limit:bybit")
        assert 29 <= bybit["paused"] <= 30 and bybit["note"] == "bybit answered HTTP 429"
        text = str(status.render())
        assert text == f"{pollers} pollers · 0 failing · 2 rate limits, 1 paused"

        # at 80x24 both tables and the status line are on screen, the pollers keep most room
        screen = app.screen.region
        for widget in (pane.table, limits, status):
            assert widget.region.height >= 1 and screen.contains_region(widget.region)
        assert limits.region.height == 3  # header + two budgets
        assert pane.table.region.height >= 8
