"""Issue 7's "done when", by keyboard on the paper demo: open a chart, switch timeframe, add
EMA 20 + RSI 14, draw a horizontal line and see it on every timeframe; ``candles show``
prints the values the pane shows at the crosshair; an hourly EUR/USD CSV imported with
``candles import`` charts the same way, its weekend not flagged as missing data."""

import argparse
import asyncio
import contextlib
import csv
import io
import math
import re
from datetime import UTC, datetime, timedelta

from test_chart_pane import shows_candles
from ui_helpers import FROZEN_MS, fast_demo_config, wait_until

from hedgetui.charts.scale import fmt_price
from hedgetui.commands.candles import import_command, show_command
from hedgetui.domain.clock import ManualClock
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.chart_modals import FormScreen
from hedgetui.ui.chart_pane import ChartPane
from hedgetui.ui.registry import all_panes

ORDER = ("1m", "5m", "15m", "1h", "4h", "1d")


def eurusd_csv(path) -> None:
    """Two weeks of hourly EUR/USD as Dukascopy writes it; no rows in the FX weekend
    (Friday 21:00 to Sunday 22:00 UTC), like every real FX feed."""
    t = datetime(2025, 12, 8, tzinfo=UTC)  # a Monday
    rows, price, i = [], 1.0850, 0
    while t < datetime(2025, 12, 22, tzinfo=UTC):
        wd = t.weekday()
        closed = (wd == 4 and t.hour >= 21) or wd == 5 or (wd == 6 and t.hour < 22)
        if not closed:
            o, price = price, 1.0850 + 0.004 * math.sin(i / 7) + 0.0007 * math.sin(i * 1.3)
            hi, lo = max(o, price) + 0.0003, min(o, price) - 0.0002
            rows.append(f"{t:%d.%m.%Y %H:%M:%S}.000,{o:.5f},{hi:.5f},{lo:.5f},{price:.5f},"
                        f"{1000 + (i * 37) % 900:.2f}")  # fmt: skip
            i += 1
        t += timedelta(hours=1)
    path.write_text("Gmt time,Open,High,Low,Close,Volume\n" + "\n".join(rows) + "\n")


def cli_csv(db, exchange, symbol, timeframe) -> dict[str, dict]:
    """``hedgetui candles show ... --indicators ema:20,rsi:14 --format csv`` -> rows by time."""
    args = argparse.Namespace(exchange=exchange, symbol=symbol, timeframe=timeframe,
                              since=None, until=None, indicators="ema:20,rsi:14",
                              format="csv", output=None, limit=None, db=str(db), config=None)  # fmt: skip
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert show_command(args) == 0
    return {r["time"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}


def at_cursor(box) -> tuple[str, str, str, int]:
    """(time ISO, EMA text, RSI text, decimals) from the pane's status line."""
    text = box.status_text()
    # the readout's full ("EMA(20) 93,489.2") or compact ("EMA20 93489.2") form
    ema = re.search(r"EMA\(?20\)? (\S+)", text).group(1).replace(",", "")
    rsi = re.search(r"RSI\(?14\)? (\S+)", text).group(1)
    ts = box.cursor_ts()
    iso = datetime.fromtimestamp(ts / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return iso, ema, rsi, box.chart.rendered.layout.decimals


async def set_indicators(pilot, app, text: str) -> None:
    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
    await pilot.press("end", "ctrl+u", *text, "enter")  # ctrl+u: clear to the start
    await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen))


async def test_done_when_paper_and_imported_eurusd(tmp_path):
    cfg = fast_demo_config(tmp_path)
    # 1m stored too, so every timeframe has candles (5m/15m resampled from 1m, 4h/1d from 1h);
    # one watched symbol keeps the 1m backfill small
    market = cfg.market.model_copy(update={"timeframes": ("1m", "1h"), "history_days": 1,
                                           "watchlist": {"paper": ("BTC/USDT",)}})  # fmt: skip
    # calm pollers: every key press waits for the app to be idle
    pollers = cfg.pollers.model_copy(update={"balances": 1.0, "positions": 1.0, "orders": 1.0,
                                             "fills": 1.0, "tickers": 1.0, "candles": 1.0})  # fmt: skip
    cfg = cfg.model_copy(update={"market": market, "pollers": pollers})
    db = tmp_path / "ui.db"
    fx = tmp_path / "EURUSD_H1.csv"
    eurusd_csv(fx)
    imp = argparse.Namespace(path=str(fx), exchange="dukascopy", symbol="EUR/USD",
                             timeframe="1h", tz=None, db=str(db), config=None)  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()) as report:
        assert await asyncio.to_thread(import_command, imp) == 0
    assert "0 rejected" in report.getvalue()

    app = HedgeApp(cfg, clock=ManualClock(FROZEN_MS), panes=all_panes(("hedgetui.ui.chart_pane",)))
    seen: dict[str, tuple] = {}
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("5")
        pane = app.query_one(ChartPane)
        box = pane.box
        await wait_until(pilot, lambda: shows_candles(pane, "1h"), 30)
        await set_indicators(pilot, app, "")  # start from a bare chart
        await wait_until(pilot, lambda: "EMA(20)" not in box.chart.plain_text)
        await wait_until(pilot, lambda: shows_candles(pane, "1h"))

        await pilot.press("t")  # switch timeframe
        await wait_until(pilot, lambda: shows_candles(pane, "4h"))
        await set_indicators(pilot, app, "ema:20,rsi:14")  # add EMA 20 + RSI 14
        await pilot.press("T")
        await wait_until(pilot, lambda: shows_candles(pane, "1h") and
                         "RSI(14)" in box.chart.plain_text and "EMA(20)" in box.chart.plain_text)  # fmt: skip

        await pilot.press("c", "H")  # a line at the crosshair's price (the latest close)
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        level = float(app.screen.values()["price"])
        await pilot.press("enter", *"lvl", "enter")
        await wait_until(pilot, lambda: box.drawings)

        await pilot.press("T", "T", "T")  # 1m, then up through every timeframe
        for tf in ORDER:
            await wait_until(pilot, lambda tf=tf: shows_candles(pane, tf) and box.drawings, 20)
            await wait_until(pilot, lambda: "lvl" in box.chart.plain_text)
            lines = [h for h in box.chart.view.hlines if h.label == "lvl"]
            assert [h.price for h in lines] == [level], tf
            assert box.chart.rendered.layout.price.row_of(level) is not None, tf
            if tf in ("15m", "1h"):  # the crosshair readout, for the CLI comparison
                await pilot.press("left", "left", "left")
                await wait_until(pilot, lambda: "EMA" in box.status_text())
                seen[tf] = at_cursor(box)
            if tf != "1d":
                await pilot.press("t")

        # the imported EUR/USD: picked like any market, indicators, no weekend gap
        await pilot.press("T", "T")
        await wait_until(pilot, lambda: shows_candles(pane, "1h"))
        await pilot.press("p")
        await pilot.pause(0.2)
        await pilot.press(*"eur", "enter")
        await wait_until(pilot, lambda: box.symbol == "EUR/USD" and shows_candles(pane, "1h"))
        assert box.exchange == "dukascopy"
        r = box.chart.rendered
        assert r.view.forex and r.layout.gaps == ()  # the weekend is not missing data
        assert "EMA(20)" in box.chart.plain_text and "RSI(14)" in box.chart.plain_text
        await pilot.press("c", "left", "left")
        await wait_until(pilot, lambda: "EMA" in box.status_text())
        seen["fx"] = at_cursor(box)
        app.action_quit()
        await app._quit_task

    for key, (exchange, symbol, tf) in {"15m": ("paper", "BTC/USDT", "15m"),
                                        "1h": ("paper", "BTC/USDT", "1h"),
                                        "fx": ("dukascopy", "EUR/USD", "1h")}.items():  # fmt: skip
        iso, ema, rsi, decimals = seen[key]
        assert ema != "—" and rsi != "—", key  # warmed up at the crosshair
        row = (await asyncio.to_thread(cli_csv, db, exchange, symbol, tf))[iso]
        assert fmt_price(float(row["ema_20"]), decimals).replace(",", "") == ema, key
        assert f"{float(row['rsi_14']):.1f}" == rsi, key
