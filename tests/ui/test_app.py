"""The workstation driven by keyboard through Pilot, on the seeded paper demo."""

from decimal import Decimal

from ui_helpers import demo_loaded, wait_until

from hedgetui.ui.app import HedgeApp
from hedgetui.ui.panes import AccountsPane


def rows(app: HedgeApp) -> list[str]:
    return list(app.query_one(AccountsPane).table.row_order)


async def test_table_fills_from_the_demo(demo_app):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        await pilot.pause(0.2)
        keys = rows(app)
        for expected in (
            "bal|main|BTC",
            "bal|main|ETH",
            "bal|main|USDT",
            "bal|alt|SOL",
            "bal|alt|XRP",
            "bal|perps|USDT",
            "pos|perps|BTC/USDT:USDT",
            "sub|main",
            "sub|alt",
            "sub|perps",
            "total",
        ):
            assert expected in keys
        assert keys[-1] == "total"
        # subtotals follow their account's rows
        assert keys.index("sub|main") > keys.index("bal|main|USDT")
        table = app.query_one(AccountsPane).table
        btc = table.get_row("bal|main|BTC")
        assert btc["total"] == Decimal("1.5") and btc["value"] > 0 and btc["mode"] == "PAPER"
        total = table.get_row("total")["value"]
        subs = sum(table.get_row(f"sub|{a}")["value"] for a in ("main", "alt", "perps"))
        assert total == subs
        pos = table.get_row("pos|perps|BTC/USDT:USDT")
        assert pos["side"] == "long" and pos["entry"] > 0
        bar = str(app.query_one("#accounts-bar").render())
        assert "main" in bar and "PAPER" in bar


async def test_sort_by_keyboard_and_reverse(demo_app):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        pane = app.query_one(AccountsPane)
        await pilot.press("s")  # first column: account
        assert pane.view.sort == "account"
        for _ in range(9):  # ... to "value" (10th column)
            await pilot.press("s")
        assert pane.view.sort == "value" and pane.view.reverse  # big values first
        table = pane.table
        main_rows = [k for k in rows(app) if k.startswith("bal|main|")]
        values = [table.get_row(k)["value"] for k in main_rows]
        assert values == sorted(values, reverse=True)
        await pilot.press("S")
        assert not pane.view.reverse
        main_rows = [k for k in rows(app) if k.startswith("bal|main|")]
        values = [table.get_row(k)["value"] for k in main_rows]
        assert values == sorted(values)
        assert table.sort_column == "value"  # the header shows the indicator


async def test_filter_by_text_tag_and_account(demo_app):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        await pilot.press("slash")
        assert app.focused.id == "filter"
        await pilot.press(*"@perps", "enter")
        detail = [k for k in rows(app) if k.startswith(("bal|", "pos|"))]
        assert detail and all("|perps|" in k for k in detail)
        await pilot.press("slash")
        await pilot.press("ctrl+a", "ctrl+k", *"account:main btc", "enter")
        assert [k for k in rows(app) if k.startswith(("bal|", "pos|"))] == ["bal|main|BTC"]
        await pilot.press("escape")
        assert app.query_one(AccountsPane).view.filter == ""
        assert "bal|alt|SOL" in rows(app)


async def test_group_toggle_by_asset(demo_app):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        await pilot.press("b")
        keys = rows(app)
        assert "sub|BTC" in keys and "sub|USDT" in keys and "sub|main" not in keys
        table = app.query_one(AccountsPane).table
        # the BTC group holds main's spot BTC and perps' BTC perp
        btc_group = keys[: keys.index("sub|BTC")]
        assert "bal|main|BTC" in btc_group and "pos|perps|BTC/USDT:USDT" in btc_group
        usdt = table.get_row("sub|USDT")
        assert usdt["total"] == sum(
            table.get_row(f"bal|{a}|USDT")["total"] for a in ("main", "alt", "perps")
        )
        await pilot.press("b")
        assert "sub|main" in rows(app)


async def test_pane_switch_by_number_keys(demo_app):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        from textual.widgets import TabbedContent

        for key, pane, table_id in (
            ("2", "orders", "orders-table"),
            ("3", "market", "market-table"),
            ("4", "health", "health-table"),
            ("1", "accounts", "accounts-table"),
        ):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert app.query_one(TabbedContent).active == pane
            assert app.focused.id == table_id
        await pilot.press("2")
        await pilot.pause(0.2)
        orders = app.query_one("#orders-table").row_order
        assert len(orders) >= 6 and any(k.startswith("perps|") for k in orders)
        await pilot.press("3")
        await pilot.pause(0.2)
        assert len(app.query_one("#market-table").row_order) == 7
        await pilot.press("4")
        await pilot.pause(0.2)
        assert "account:main:balances" in app.query_one("#health-table").row_order


async def test_vim_keys_move_the_cursor(demo_app):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        table = app.query_one(AccountsPane).table
        table.focus()
        await pilot.press("g")
        assert table.cursor_index == 0
        await pilot.press("j", "j")
        assert table.cursor_index == 2
        await pilot.press("k")
        assert table.cursor_index == 1
        await pilot.press("G")
        assert table.cursor_key == "total"


async def test_help_lists_every_key(demo_app):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        from hedgetui.ui.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        everywhere = {k for k, _, scope in app.screen.rows if scope == "Everywhere"}
        # one row per app key (1-4 in one); "?" also answers to F1 (inputs take "?")
        assert everywhere >= {"1-4", "/", "b", "s", "S", "? / F1", "q", "Esc"}
        for word in ("show pane N", "group by account", "cursor down", "command palette"):
            assert word in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_an_action(demo_app):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"group by account")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.query_one(AccountsPane).view.group == "asset"


async def test_quit_flushes_the_writer(demo_app, tmp_path):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: demo_loaded(app))
        store = app.store
        # what `q` runs (pressing it from Pilot would wait on an app that is leaving)
        app.action_quit()
        await app._quit_task
    assert store._closed and store.pending == 0
    # the paper venue was saved for the next start
    from hedgetui.store import Store

    reopened = await Store.open(tmp_path / "ui.db", readonly=True)
    try:
        assert await reopened.load_snapshot("paper-venue") is not None
        assert len(await reopened.balances()) >= 7
    finally:
        await reopened.close()
