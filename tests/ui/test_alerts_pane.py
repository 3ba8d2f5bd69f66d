"""The Alerts pane through Pilot on the paper demo: create alerts from the keyboard, see them
fire (toast + bell + history row), edit/toggle/ack/delete, and parse errors inline."""

import pytest
from ui_helpers import demo_loaded, wait_until

from hedgetui.runtime import engine as engine_mod
from hedgetui.store import alerts as store_alerts
from hedgetui.ui.alerts_pane import AlertsPane
from hedgetui.ui.registry import all_panes


@pytest.fixture(autouse=True)
def _alerts_service(monkeypatch):
    if "hedgetui.runtime.alerts" not in engine_mod.SERVICES:
        monkeypatch.setattr(
            engine_mod, "SERVICES", (*engine_mod.SERVICES, "hedgetui.runtime.alerts")
        )


def alerts_app(demo_app):
    app = demo_app()
    app.pane_specs = all_panes(("hedgetui.ui.alerts_pane",))
    bells = []
    app.bell = lambda: bells.append(1)
    return app, bells


async def type_rule(pilot, text):
    await pilot.press("a")
    box = pilot.app.query_one("#alert-input")
    assert box.has_focus
    box.value = text
    await pilot.press("enter")


def notes(app):
    return [str(n.message) for n in app._notifications]


@pytest.mark.skip(
    reason="flaky under CI load: the alert did not fire within the wait; issue 6 is open"
)
async def test_price_and_pnl_alerts_fire_from_the_pane(demo_app):
    app, bells = alerts_app(demo_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        app.action_pane("alerts")
        pane = app.query_one(AlertsPane)
        await wait_until(pilot, lambda: pane.engine is not None)
        price = app.state.tickers[("paper", "BTC/USDT")].last
        # just below the current paper price: "above" is already true, so it fires now
        await type_rule(pilot, f"BTC/USDT > {price * 0.999:.2f}")
        await wait_until(pilot, lambda: any("BTC/USDT" in n and "#1" in n for n in notes(app)))
        pnl = sum(p.unrealized_pnl + p.realized_pnl for p in app.state.positions.values())
        await type_rule(pilot, f"pnl perps > {pnl - 1:f}")
        await wait_until(pilot, lambda: any("#2" in n for n in notes(app)))
        assert len(bells) >= 2
        await wait_until(pilot, lambda: pane.events_table.row_count == 2)
        assert {pane.events_table.get_row(k)["rule_id"] for k in pane.events_table.row_order} == {
            1,
            2,
        }
        # once-rules that fired are shown disabled
        await wait_until(pilot, lambda: pane.rules_table.get_row(1)["on"] == "off")
        events = await store_alerts.events(app.store)
        assert [e.rule_id for e in events] == [2, 1]


async def test_parse_error_is_shown_inline_with_a_caret(demo_app):
    app, _ = alerts_app(demo_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        app.action_pane("alerts")
        pane = app.query_one(AlertsPane)
        await type_rule(pilot, "BTC/USDT abov 65000")
        error = str(pane.query_one("#alert-error").render())
        assert "column 10" in error and "^^^^" in error
        assert pane.query_one("#alert-input").display  # still open to fix it
        await pilot.press("escape")
        assert not pane.query_one("#alert-input").display
        assert await store_alerts.rules(app.store) == []


async def test_toggle_edit_ack_and_delete_with_confirmation(demo_app):
    app, _ = alerts_app(demo_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        app.action_pane("alerts")
        pane = app.query_one(AlertsPane)
        await type_rule(pilot, "BTC/USDT > 10000000")
        await wait_until(pilot, lambda: pane.rules_table.row_count == 1)
        pane.rules_table.focus()
        await pilot.press("space")
        await wait_until(pilot, lambda: pane.rules_table.get_row(1)["on"] == "off")
        await pilot.press("e")
        box = pane.query_one("#alert-input")
        assert box.value == "BTC/USDT > 10000000"
        box.value = 'BTC/USDT > 20000000 note "far"'
        await pilot.press("enter")
        await wait_until(pilot, lambda: "20000000" in pane.rules_table.get_row(1)["rule"])
        await pilot.press("x")
        await wait_until(pilot, lambda: any("acknowledged" in n for n in notes(app)))
        await pilot.press("d")
        assert "press d again" in str(pane.query_one("#alert-error").render())
        assert pane.rules_table.row_count == 1
        await pilot.press("d")
        await wait_until(pilot, lambda: pane.rules_table.row_count == 0)
        assert await store_alerts.rules(app.store) == []
