"""The Trade pane by keyboard at 80x24: type a ladder, read the preview, confirm, watch the
statuses; completion; kill switch; templates; blocked rows; --attach."""

from ui_helpers import FROZEN_MS, demo_loaded, fast_demo_config, wait_until

from hedgetui.domain.clock import ManualClock
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.registry import all_panes
from hedgetui.ui.trade_suggest import complete

BATCH = "buy 1000usdt BTC/USDT @ 94000..92000 x5 on main,alt"


def make(tmp_path, **kw):
    return HedgeApp(
        fast_demo_config(tmp_path),
        panes=all_panes(("hedgetui.ui.trade_pane",)),
        clock=ManualClock(FROZEN_MS),
        **kw,
    )


def grid(app):
    return app.query_one("#trade-grid")


def status_text(app):
    return str(app.query_one("#trade-status").render())


async def quit_app(pilot, app):
    if app.focused is not None and app.focused.id == "trade-input":
        await pilot.press("escape")  # from the order line to the grid, where q quits
    await pilot.press("q")


async def open_pane(pilot, app):
    await wait_until(pilot, lambda: demo_loaded(app) and app.runtime is not None)
    await pilot.press("5")
    await pilot.pause(0.1)
    assert app.focused.id == "trade-input"


async def test_type_preview_confirm_and_watch_statuses(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press(*BATCH, "enter")
        await wait_until(pilot, lambda: grid(app).row_count >= 10)
        orders = [k for k in grid(app).row_order if k.startswith("htui-")]
        assert len(orders) == 10
        first = grid(app).get_row(orders[0])
        assert first["account"] == "main" and first["price"] == "94,000"
        assert first["amount"] == "0.00213" and first["status"] == "ready"
        assert grid(app).get_row(orders[5])["account"] == "alt"
        assert "10 orders" in status_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "ConfirmSend"
        await pilot.press("y", "enter")
        await wait_until(
            pilot, lambda: all(grid(app).get_row(k)["status"].startswith("open") for k in orders)
        )
        assert "10 open" in status_text(app)
        journal = await app.store.journal()
        assert {e.client_id for e in journal} == set(orders)
        await quit_app(pilot, app)


async def test_blocked_batch_is_not_sent_and_parse_errors_point_at_the_column(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press(*"buy 0.5 BTC/USDT @ abc on main", "enter")
        await wait_until(pilot, lambda: "col 20" in status_text(app))
        assert "^" in status_text(app)
        box = app.query_one("#trade-input")
        box.value = "buy 0.01 BTC/USDT @ 50000 on main"
        await pilot.press("enter")
        await wait_until(pilot, lambda: grid(app).row_count == 1)
        (key,) = grid(app).row_order
        assert grid(app).get_row(key)["status"].startswith("blocked: price")
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ != "ConfirmSend" and "blocked" in status_text(app)
        assert await app.store.journal() == []
        await quit_app(pilot, app)


async def test_kill_switch_and_templates(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, app)
        await pilot.press(*BATCH)
        await pilot.press("ctrl+t")
        await pilot.pause(0.1)
        await pilot.press(*"ladder", "enter")
        await wait_until(pilot, lambda: "saved template ladder" in status_text(app))
        app.query_one("#trade-input").value = ""
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TemplatePicker")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.query_one("#trade-input").value == BATCH

        await pilot.press("ctrl+k")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "KillSwitch"
        scope = app.screen.query_one("#kill-scope")
        scope.value = "@perps"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "kill switch: perps: 3 canceled" in status_text(app))
        assert await app.runtime.exchanges.accounts["perps"].fetch_open_orders() == []
        assert await app.runtime.exchanges.accounts["main"].fetch_open_orders()
        await quit_app(pilot, app)


def test_completion_of_the_current_word():
    words = ["buy", "sell", "on", "all", "main", "alt", "@perps", "BTC/USDT", "BTC/USDT:USDT"]
    assert complete("bu", words) == "buy"
    assert complete("buy 1 btc/u", words) == "buy 1 btc/uSDT"
    assert complete("buy 1 BTC/USDT @ 9 on main,al", words) == "buy 1 BTC/USDT @ 9 on main,alt"
    assert complete("close all on @pe", words) == "close all on @perps"
    assert complete("buy 1", words) is None and complete("buy ", words) is None


async def test_attached_session_cannot_trade(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:  # create the database first
        await wait_until(pilot, lambda: demo_loaded(app))
        await quit_app(pilot, app)
    attached = make(tmp_path, attach=True)
    async with attached.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("5")
        await pilot.press(*"buy 1 BTC/USDT @ 94000 on main", "enter")
        await pilot.pause(0.1)
        assert "--attach" in status_text(attached)
        await quit_app(pilot, attached)
