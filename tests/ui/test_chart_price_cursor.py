"""The crosshair moves in price too (up/down, k/j, K/J): lines are placed at any price by
keyboard; the readout at 80 columns shows every value and the cursor's price."""

from test_chart_pane import open_chart
from test_chart_split_drawings import make_app
from ui_helpers import wait_until

from hedgetui.charts.scale import fmt_price
from hedgetui.store.drawings import list_drawings
from hedgetui.ui.chart_modals import FormScreen
from hedgetui.ui.help import HelpScreen


async def test_price_cursor_places_lines_at_any_price(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_chart(pilot, app)
        box = pane.box
        await pilot.press("c", "left", "left")
        await wait_until(pilot, lambda: box.cursor == box.n - 3)
        close = float(box.chart.frame["close"][box.cursor])
        assert box.cursor_price() == close and "@" not in box.status_text()
        text = box.status_text()  # 80 columns, EMA 20 + RSI 14: every value, one line
        row = box.chart.rendered.data.row(box.cursor, named=True)
        d = box.chart.rendered.layout.decimals
        assert "\n" not in text and len(text) <= 78, text
        for v in (row["open"], row["high"], row["low"], row["close"], row["ema_20"]):
            assert f"{v:.{d}f}" in text, (v, text)
        assert f"RSI14 {row['rsi_14']:.1f}" in text

        step = box.price_step()
        await pilot.press("k", "up", "k")  # three steps up, on multiples of the step
        level = box.cursor_level
        assert level is not None and level > close
        assert abs(level / step - round(level / step)) < 1e-6
        assert 2 * step < level - close <= 3 * step + 1e-9
        assert box.cursor_price() == level
        assert f"@{box.price_text(level)}" in box.status_text()
        r = box.chart.rendered  # the crosshair's line and tag at that price, no full render
        assert r.view.cursor_price == level
        line = r.layout.price_to_row(level)
        assert line is not None  # its price tag in the scale (the line may hide under others)
        assert r.plain[line][r.layout.gutter :].strip() == fmt_price(level, d)

        await pilot.press("left")  # moving in time keeps the price
        assert box.cursor == box.n - 4 and box.cursor_level == level
        await pilot.press("J")  # five steps down
        assert abs(box.cursor_level - (level - 5 * step)) < 1e-6
        level = box.cursor_level

        await pilot.press("H")  # a horizontal line at the cursor's price
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert float(app.screen.values()["price"]) == level
        await pilot.press("enter", *"pc", "enter")
        await wait_until(pilot, lambda: box.drawings)
        saved = await list_drawings(app.store, "paper", "BTC/USDT")
        assert [(d.kind, d.price, d.label) for d in saved] == [("hline", level, "pc")]

        await pilot.press("r", "left", "left", "k", "r")  # a trend line between two prices
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(box.drawings) == 2)
        trend = next(d for d in box.drawings if d.kind == "trend")
        # stored oldest point first: the second point is earlier in time and one step up
        assert trend.p2 == level and trend.t1 < trend.t2
        assert 0 < trend.p1 - level <= box.price_step() + 1e-9

        await pilot.press("escape")  # the crosshair goes, and its price with it
        assert box.cursor is None and box.cursor_level is None
        await pilot.press("question_mark")  # every chart key, the price cursor among them
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert any("k j" in k for k, _, _ in app.screen.rows)
        await pilot.press("escape")
        app.action_quit()
        await app._quit_task
