"""The chart pane driven by keyboard on the seeded paper demo (frozen clock)."""

from ui_helpers import FROZEN_MS, demo_loaded, fast_demo_config, wait_until

from hedgetui.domain.clock import ManualClock
from hedgetui.store.drawings import list_drawings
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.chart_modals import FormScreen
from hedgetui.ui.chart_pane import ChartPane
from hedgetui.ui.registry import all_panes

PANES = ("hedgetui.ui.chart_pane",)


def make_app(tmp_path) -> HedgeApp:
    return HedgeApp(fast_demo_config(tmp_path), clock=ManualClock(FROZEN_MS),
                    panes=all_panes(PANES))  # fmt: skip


def shows_candles(pane: ChartPane, timeframe: str) -> bool:
    box = pane.box
    r = box.chart.rendered
    return (
        box.loaded and box.timeframe == timeframe and box.n > 0 and r is not None
        and r.has_chart and r.view.timeframe == timeframe and not box.chart._busy()
    )  # fmt: skip


async def open_chart(pilot, app) -> ChartPane:
    await pilot.press("5")
    pane = app.query_one(ChartPane)
    await wait_until(pilot, lambda: shows_candles(pane, "1h") and pane.box.order_lines, 20)
    return pane


async def test_timeframes_indicators_and_a_line_on_every_timeframe(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_chart(pilot, app)
        box = pane.box
        text = box.chart.plain_text
        assert "BTC/USDT 1h paper" in text and "EMA(20)" in text and "RSI(14)" in text
        assert "buy" in text or "sell" in text or "entry" in text  # order / position lines

        await pilot.press("t")  # 1h -> 4h, resampled from the stored 1h candles
        await wait_until(pilot, lambda: shows_candles(pane, "4h"))
        assert "BTC/USDT 4h paper" in box.chart.plain_text
        assert "resampled from stored 1h" in box.status_text()

        await pilot.press("i")  # indicators: a bad spec is shown inline, then fixed
        await pilot.pause(0.1)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("end", *",macdd", "enter")  # after the current "ema:20,rsi:14"
        await pilot.pause(0.1)
        assert "did you mean 'macd'" in str(app.screen.query_one("#form-error").render())
        await pilot.press("backspace", "enter")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, FormScreen)
        await wait_until(pilot, lambda: "MACD(12,26,9)" in box.chart.plain_text)
        assert [s.label for s in box.specs] == ["EMA(20)", "RSI(14)", "MACD(12,26,9)"]

        await pilot.press("c", "left", "left")  # crosshair two candles back
        await pilot.pause(0.1)
        assert box.cursor == box.n - 3
        # 100 columns: the compact readout ("EMA20", no separators) keeps every value
        text = box.status_text()
        assert "EMA20 " in text and " O " in text and "MACD12,26,9 " in text, text
        price = box.cursor_price()
        await pilot.press("H")  # a horizontal line at the crosshair price, labelled
        await pilot.pause(0.1)
        await pilot.press("enter", *"lvl-a", "enter")
        await wait_until(pilot, lambda: "lvl-a" in box.chart.plain_text)
        saved = await list_drawings(app.store, "paper", "BTC/USDT")
        assert [(d.kind, d.label) for d in saved] == [("hline", "lvl-a")]
        assert abs(saved[0].price - price) <= abs(price) * 1e-6

        await pilot.press("T")  # back to 1h: the line is there too
        await wait_until(pilot, lambda: shows_candles(pane, "1h") and box.drawings)
        assert "lvl-a" in box.chart.plain_text
        assert box.cursor is not None  # the crosshair kept its time

        await pilot.press("D")  # delete it again from the drawing menu
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not box.drawings)
        assert "lvl-a" not in box.chart.plain_text
        assert await list_drawings(app.store) == []


async def test_zoom_pan_latest_and_symbol_picker(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_chart(pilot, app)
        box = pane.box
        await pilot.press("plus")
        assert box.window is not None and box.window < box.fit_window()
        await pilot.press("left")
        assert box.pan_offset > 0
        await pilot.press("L")
        assert box.pan_offset == 0
        await pilot.press("p")
        await pilot.pause(0.2)
        await pilot.press(*"eth", "enter")
        await wait_until(pilot, lambda: box.symbol.startswith("ETH") and shows_candles(pane, "1h"))
        assert "ETH/USDT 1h paper" in box.chart.plain_text
        await pilot.press("w")  # 100 columns: too narrow for two charts, says so
        assert len(pane.boxes) == 1 and "160 columns" in box.status_text()


def test_snapshot_chart_pane_80x24(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        app = pilot.app
        pane = await open_chart(pilot, app)  # the default EMA(20) + RSI(14)
        await wait_until(pilot, lambda: demo_loaded(app))
        # RSI's 0-100 scale has fixed ticks: in this 3-line panel 30 and 70 would share the
        # middle line, so it is labelled 50 (stable between runs)
        await wait_until(pilot, lambda: "RSI(14)" in pane.box.chart.plain_text)
        await wait_until(pilot, lambda: shows_candles(pane, "1h"))
        # the crosshair one candle back, its price two steps up; the compact status line
        await pilot.press("c", "left", "k", "k")
        await pilot.pause(0.3)

    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=run_before)
