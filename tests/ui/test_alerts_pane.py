"""The Alerts pane through Pilot on the paper demo: create alerts from the keyboard, see them
fire (toast + bell + history row), edit/toggle/ack/delete, and parse errors inline."""

import re
from decimal import Decimal

import pytest
from textual.widgets import Input
from ui_helpers import demo_loaded, wait_until

from hedgetui.domain.risk import confirmation
from hedgetui.runtime import engine as engine_mod
from hedgetui.store import alerts as store_alerts
from hedgetui.ui.alerts_pane import EVENT_COLUMNS, AlertsPane
from hedgetui.ui.registry import all_panes
from hedgetui.ui.trade_modals import ConfirmSend


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


def fired(app, rule_id):
    """The toast of a fired alert (``#ID message``), not the pane's "alert #ID added"."""
    return any(n.startswith(f"#{rule_id} ") for n in notes(app))


BATCH_WAITS = "batch armed: o sends"


async def open_alerts(pilot, app) -> AlertsPane:
    """The demo loaded, the Alerts pane shown and its engine running."""
    await wait_until(pilot, lambda: demo_loaded(app))
    app.action_pane("alerts")
    pane = app.query_one(AlertsPane)
    await wait_until(pilot, lambda: pane.engine is not None)
    return pane


def footer_keys(app):
    return {k for k, b in app.screen.active_bindings.items() if b.binding.show}


async def test_price_and_pnl_alerts_fire_from_the_pane_and_survive_a_restart(demo_app):
    app, bells = alerts_app(demo_app)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_alerts(pilot, app)
        price = app.state.tickers[("paper", "BTC/USDT")].last
        # just below the current paper price: "above" is already true, so it fires now
        await type_rule(pilot, f"BTC/USDT > {price * 0.999:.2f}")
        await wait_until(pilot, lambda: fired(app, 1), timeout=30)
        # the demo's perp PnL is a few USDT either way of 0 on the frozen clock: a threshold
        # 1,000 below it is true whatever the last poll saw
        pnl = sum(p.unrealized_pnl + p.realized_pnl for p in app.state.positions.values())
        await type_rule(pilot, f"pnl perps > {pnl - 1000:f}")
        await wait_until(pilot, lambda: fired(app, 2), timeout=30)
        assert len(bells) >= 2
        await wait_until(pilot, lambda: pane.events_table.row_count == 2, timeout=30)
        ids = {pane.events_table.get_row(k)["rule_id"] for k in pane.events_table.row_order}
        assert ids == {1, 2}
        # once-rules that fired are shown disabled
        await wait_until(pilot, lambda: pane.rules_table.get_row(1)["on"] == "off", timeout=30)
        events = await store_alerts.events(app.store)
        assert [e.rule_id for e in events] == [2, 1]

    # a new app on the same database: both are in the pane's history, and nothing re-fires
    app2, bells2 = alerts_app(demo_app)
    async with app2.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app2))
        app2.action_pane("alerts")
        pane = app2.query_one(AlertsPane)
        await wait_until(pilot, lambda: pane.events_table.row_count == 2, timeout=30)
        rows = [pane.events_table.get_row(k) for k in pane.events_table.row_order]
        assert [r["rule_id"] for r in rows] == [2, 1]
        assert "pnl of perps" in rows[0]["message"] and "BTC/USDT" in rows[1]["message"]
        assert {pane.rules_table.get_row(k)["on"] for k in (1, 2)} == {"off"}
        assert bells2 == [] and not any(n.startswith("#") for n in notes(app2))


async def test_armed_batch_is_shown_then_sent_or_dropped_with_confirmation(demo_app):
    app, _ = alerts_app(demo_app)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_alerts(pilot, app)
        await wait_until(pilot, lambda: "a" in footer_keys(app))  # the rules table has focus
        assert not {"o", "z"} & footer_keys(app)  # nothing armed
        executor = app.runtime.services["executor"]
        await executor.save_template("dip", "buy 0.01 BTC/USDT @ 93000 on main")
        journal = len(await app.store.journal())
        price = app.state.tickers[("paper", "BTC/USDT")].last
        await type_rule(pilot, f"BTC/USDT > {price / 2:.2f} arm dip")
        armed = pane.query_one("#alert-armed")
        await wait_until(pilot, lambda: "confirm to send" in str(armed.render()), timeout=30)
        assert armed.display and "#1 dip: armed" in str(armed.render())
        await wait_until(pilot, lambda: any("batch 'dip': 1 order armed" in n for n in notes(app)))
        assert any("o sends, z drops" in n for n in notes(app))  # the toast says what to do
        pane.rules_table.focus()
        await wait_until(pilot, lambda: {"o", "z"} <= footer_keys(app))  # while it waits
        await wait_until(pilot, lambda: pane.rules_table.get_row(1)["state"] == BATCH_WAITS)
        await pilot.press("o")
        assert "press o again" in str(pane.query_one("#alert-error").render())
        assert len(await app.store.journal()) == journal  # not sent yet
        await pilot.press("o")
        await wait_until(pilot, lambda: any("sent 1 order " in n for n in notes(app)))
        assert "#1 dip: sent" in str(armed.render())
        assert len(await app.store.journal()) == journal + 1
        # the rule no longer says a batch waits (armed state is in memory, not the store)
        await wait_until(pilot, lambda: pane.rules_table.get_row(1)["state"] != BATCH_WAITS, 1)
        # nothing waits any more: o and z leave the footer (room for "?" at 80 columns)
        await wait_until(pilot, lambda: not {"o", "z"} & footer_keys(app))
        await pilot.press("o")
        assert len(await app.store.journal()) == journal + 1

        await type_rule(pilot, f"BTC/USDT > {price / 3:.2f} arm dip")
        await wait_until(pilot, lambda: pane.engine.armed.get(2) is not None, timeout=30)
        pane.rules_table.focus()
        await pilot.press("z")
        assert "discard the batch 'dip' armed by alert #2" in str(
            pane.query_one("#alert-error").render()
        )
        await pilot.press("escape")  # keep it
        assert pane.engine.armed[2].waiting
        await pilot.press("z", "z")
        await wait_until(pilot, lambda: any("discarded" in n for n in notes(app)))
        assert pane.engine.armed[2].status == "discarded"
        assert len(await app.store.journal()) == journal + 1


async def test_a_large_live_armed_batch_asks_for_the_typed_confirmation(demo_app):
    app, _ = alerts_app(demo_app)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_alerts(pilot, app)
        await app.runtime.services["executor"].save_template(
            "dip", "buy 0.01 BTC/USDT @ 93000 on main"
        )
        journal = len(await app.store.journal())
        price = app.state.tickers[("paper", "BTC/USDT")].last
        await type_rule(pilot, f"BTC/USDT > {price / 2:.2f} arm dip")
        await wait_until(pilot, lambda: pane.engine.armed.get(1) is not None, timeout=30)
        # what the executor asks of a live batch above risk.confirm_live_above[0]
        pane.engine.armed[1].preview.confirm = confirmation(1, Decimal(5000), ("main",))
        pane.rules_table.focus()
        await pilot.press("o")
        modal = app.screen
        assert isinstance(modal, ConfirmSend) and "CONFIRM" in modal.confirm.prompt
        await pilot.press("y", "enter")  # a plain yes is not enough
        assert app.screen is modal and "type CONFIRM" in str(
            modal.query_one("#confirm-error").render()
        )
        assert len(await app.store.journal()) == journal
        modal.query_one(Input).value = "CONFIRM"
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("sent 1 order " in n for n in notes(app)))
        assert len(await app.store.journal()) == journal + 1


async def test_parse_error_is_shown_inline_with_a_caret(demo_app):
    app, _ = alerts_app(demo_app)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_alerts(pilot, app)
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
        pane = await open_alerts(pilot, app)
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


def table_lines(table, n):
    return ["".join(seg.text for seg in table.render_line(y)) for y in range(n)]


async def test_fired_alerts_fit_80_and_120_columns(demo_app):
    """Time, rule, ack mark, kind, the trader's note and the message all show at 80 columns
    (no "A…" header, no hidden note); acknowledging turns "!" into "✓"."""
    app, _ = alerts_app(demo_app)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_alerts(pilot, app)
        price = app.state.tickers[("paper", "BTC/USDT")].last
        await type_rule(pilot, f'BTC/USDT > {price / 2:.2f} note "check hedge"')
        table = pane.events_table
        await wait_until(pilot, lambda: table.row_count == 1, timeout=30)
        for width in (80, 120):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            assert table.visible_columns == tuple(c.key for c in EVENT_COLUMNS), width
            header, row = table_lines(table, 2)
            assert header.split() == ["Time", "(UTC)", "#", "✓", "Kind", "Note", "Message"]
            assert re.match(r"\d\d-\d\d \d\d:\d\d:\d\d  +1 ! +fired +check hedge +BTC/USDT", row)
            assert ("…" in row) == (width == 80)  # "(paper)" is cut at 80 only
        pane.events_table.focus()
        await pilot.press("x")
        await wait_until(pilot, lambda: table.get_row(table.row_order[0])["ack"] == "✓")
        app.action_quit()
        await app._quit_task
