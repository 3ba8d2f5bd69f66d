"""Chart pane: two charts side by side (each its own market and timeframe), and trend lines
placed by keyboard at the crosshair, labelled, stored per market, edited and deleted."""

from test_chart_pane import PANES, open_chart, shows_candles
from ui_helpers import FROZEN_MS, fast_demo_config, wait_until

from hedgetui.domain.clock import ManualClock
from hedgetui.store.drawings import list_drawings
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.chart_modals import FormScreen, MenuScreen
from hedgetui.ui.registry import all_panes


def make_app(tmp_path) -> HedgeApp:
    # calm pollers: every key press waits for the app to be idle
    cfg = fast_demo_config(tmp_path)
    pollers = cfg.pollers.model_copy(update={"balances": 1.0, "positions": 1.0, "orders": 1.0,
                                             "fills": 1.0, "tickers": 1.0})  # fmt: skip
    cfg = cfg.model_copy(update={"pollers": pollers})
    return HedgeApp(cfg, clock=ManualClock(FROZEN_MS), panes=all_panes(PANES))


def box_ready(box, symbol: str, timeframe: str) -> bool:
    r = box.chart.rendered
    return (
        box.loaded and box.symbol == symbol and box.timeframe == timeframe and box.n > 0
        and r is not None and r.has_chart and r.view.symbol == symbol
        and r.view.timeframe == timeframe and not box.chart._busy()
    )  # fmt: skip


async def test_side_by_side_charts_each_with_its_own_market(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(170, 40)) as pilot:
        pane = await open_chart(pilot, app)
        await pilot.press("w")  # wide enough: a second chart, one timeframe up, active
        await wait_until(pilot, lambda: len(pane.boxes) == 2 and pane._active_index == 1)
        first, second = pane.boxes
        await wait_until(pilot, lambda: box_ready(second, "BTC/USDT", "4h"))
        assert first.region.right <= second.region.x  # side by side, not stacked
        assert "-active" in second.classes and "-active" not in first.classes

        await pilot.press("p")  # the symbol picker works on the active (second) chart
        await pilot.pause(0.2)
        await pilot.press(*"eth", "enter")
        await wait_until(pilot, lambda: box_ready(second, "ETH/USDT", "4h"))
        assert "ETH/USDT 4h paper" in second.chart.plain_text
        assert first.symbol == "BTC/USDT" and first.timeframe == "1h"

        await pilot.press("tab")  # next chart: the first one; its keys act on it alone
        assert pane._active_index == 0 and "-active" in first.classes
        await pilot.press("T")  # 1h -> 15m: not stored, not buildable from 1h: says so
        await wait_until(pilot, lambda: first.loaded and first.timeframe == "15m")
        await wait_until(pilot, lambda: "no BTC/USDT 15m candles" in first.chart.plain_text
                         or "no BTC/USDT candles" in first.status_text())  # fmt: skip
        await pilot.press("t", "t")  # back up to 4h
        await wait_until(pilot, lambda: box_ready(first, "BTC/USDT", "4h"))
        assert box_ready(second, "ETH/USDT", "4h")  # untouched
        await pilot.press("tab")
        assert pane._active_index == 1

        await pilot.press("w")  # back to one chart
        await wait_until(pilot, lambda: len(pane.boxes) == 1)
        assert pane.box is first and "-active" in first.classes


async def test_trend_line_by_keyboard_on_every_timeframe_edit_and_delete(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_chart(pilot, app)
        box = pane.box
        await pilot.press("c", *["left"] * 6, "r")  # first point: 6 candles back
        a = (box.cursor_ts(), box.cursor_price())
        assert box.trend_anchor == a and "first point set" in box.status_text()
        await pilot.press("r")  # same candle: refused, the anchor stays
        assert "another candle" in box.status_text() and box.trend_anchor == a
        await pilot.press(*["right"] * 4, "r")  # second point: 2 candles back
        b = (box.cursor_ts(), box.cursor_price())
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press(*"wedge", "enter")
        await wait_until(pilot, lambda: box.drawings)
        saved = await list_drawings(app.store, "paper", "BTC/USDT")
        assert [(d.kind, d.t1, d.p1, d.t2, d.p2, d.label) for d in saved] == [
            ("trend", a[0], a[1], b[0], b[1], "wedge")
        ]
        assert box.trend_anchor is None
        await wait_until(pilot, lambda: "wedge" in box.chart.plain_text)
        trend = box.chart.view.trendlines
        assert [(t.t1, t.p1, t.t2, t.p2, t.label) for t in trend] == [(*a, *b, "wedge")]

        for key, tf in (("t", "4h"), ("T", "1h")):  # every timeframe of the market shows it
            await pilot.press(key)
            await wait_until(pilot, lambda tf=tf: shows_candles(pane, tf) and box.drawings)
            assert [t.label for t in box.chart.view.trendlines] == ["wedge"]
        await pilot.press("p")  # another market doesn't
        await pilot.pause(0.2)
        await pilot.press(*"eth", "enter")
        await wait_until(pilot, lambda: box.symbol == "ETH/USDT" and shows_candles(pane, "1h"))
        assert box.drawings == [] and box.chart.view.trendlines == ()
        await pilot.press("p")
        await pilot.pause(0.2)
        await pilot.press(*"btc/usdt pa", "enter")
        await wait_until(pilot, lambda: box.symbol == "BTC/USDT" and shows_candles(pane, "1h"))
        await wait_until(pilot, lambda: box.drawings)

        await pilot.press("D")  # edit: a trend line offers delete and label
        await wait_until(pilot, lambda: isinstance(app.screen, MenuScreen))
        await pilot.press("down", "enter")  # "Edit label"
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+u", *"channel", "enter")
        await wait_until(pilot, lambda: [d.label for d in box.drawings] == ["channel"])
        await wait_until(pilot, lambda: "channel" in box.chart.plain_text)
        assert [d.label for d in await list_drawings(app.store)] == ["channel"]

        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, MenuScreen))
        await pilot.press("enter")  # "Delete"
        await wait_until(pilot, lambda: not box.drawings)
        assert await list_drawings(app.store) == []
        assert box.chart.view.trendlines == ()
