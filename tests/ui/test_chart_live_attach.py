"""The chart pane follows the store: the forming candle is patched in place (no full
rebuild), a new candle re-renders, and an --attach'ed app (no runtime, polling a read-only
store) picks up candles another writer adds."""

import dataclasses

from test_chart_pane import make_app, open_chart
from ui_helpers import fast_demo_config, wait_until

from hedgetui.domain.models import Candle
from hedgetui.store import Store
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.chart_pane import ChartPane
from hedgetui.ui.registry import all_panes

HOUR = 3_600_000
T0 = 1_767_225_600_000 - 100 * HOUR


def series(n: int) -> list[Candle]:
    out, close = [], 64_000.0
    for i in range(n):
        o, close = close, 64_000.0 + 800 * ((i * 37) % 23 - 11) / 11
        out.append(
            Candle(T0 + i * HOUR, o, max(o, close) + 40, min(o, close) - 40, close, 5.0 + i % 15)
        )
    return out


def idle(chart) -> bool:
    return chart.rendered is not None and chart.rendered.has_chart and not chart._busy()


async def test_attached_chart_patches_the_forming_candle_and_adds_new_ones(tmp_path):
    db = tmp_path / "shared.db"
    writer = await Store.open(db)  # "another process": the app only reads
    try:
        candles = series(100)
        writer.put_candles("paper", "BTC/USDT", "1h", candles)
        await writer.flush()
        app = HedgeApp(fast_demo_config(tmp_path), db_path=db, attach=True,
                       panes=all_panes(("hedgetui.ui.chart_pane",)))  # fmt: skip
        async with app.run_test(size=(100, 32)) as pilot:
            assert app.runtime is None
            await pilot.press("5")
            pane = app.query_one(ChartPane)
            box, chart = pane.box, pane.box.chart
            await wait_until(pilot, lambda: box.loaded and box.n == 100 and idle(chart), 20)
            renders, patches = chart.full_renders, chart.patches

            # a tick of the forming candle, inside the price range: patched, not rebuilt
            last = candles[-1]
            tick = dataclasses.replace(last, close=last.close + 1.5, volume=10.5)
            writer.put_candles("paper", "BTC/USDT", "1h", [tick])
            await writer.flush()
            await wait_until(pilot, lambda: chart.patches > patches, 15)
            assert chart.full_renders == renders  # the rebuild path never ran
            assert chart.rendered.data["close"][-1] == tick.close
            assert chart.rendered.data["volume"][-1] == 10.5
            assert box.n == 100
            assert chart.line_repaints > 0  # only the changed lines were repainted

            # a new candle: the layout moves, a full render (in a thread) shows it
            new = Candle(last.ts + HOUR, tick.close, tick.close + 30, tick.close - 30,
                         tick.close + 10, 3.0)  # fmt: skip
            writer.put_candles("paper", "BTC/USDT", "1h", [new])
            await writer.flush()
            await wait_until(pilot, lambda: box.n == 101 and chart.full_renders > renders, 15)
            await wait_until(pilot, lambda: idle(chart))
            assert chart.rendered.data["ts"][-1] == new.ts
            assert "2026-01-01 00:00" in box.status_text()  # "last ..." follows

            # drawings can't be placed from a read-only session: said plainly
            await pilot.press("H")
            await pilot.pause(0.1)
            assert "read-only" in box.status_text()
            app.action_quit()
            await app._quit_task
    finally:
        await writer.close()


async def test_in_process_store_write_patches_the_live_candle(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        pane = await open_chart(pilot, app)
        box, chart = pane.box, pane.box.chart
        await wait_until(pilot, lambda: idle(chart))
        renders, patches = chart.full_renders, chart.patches
        row = chart.frame.row(-1)
        tick = Candle(row[0], row[1], row[2], row[3], (row[2] + row[3]) / 2, row[5])
        app.store.put_candles("paper", "BTC/USDT", "1h", [tick])
        await app.store.flush()  # the store publishes the change; the pane patches
        await wait_until(pilot, lambda: chart.patches > patches, 15)
        assert chart.full_renders == renders
        assert box.n == chart.rendered.data.height
