"""The workstation with `exchange = "binance"` accounts on the local Binance-compatible server
(real ccxt): their rows fill the accounts table like paper rows, badged LIVE, next to a
paper account; the Health pane shows the exchange's rate-limit headroom."""

from decimal import Decimal

from ui_helpers import FROZEN_MS, wait_until

from hedgetui.config import load_config
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.binance_server import start_server
from hedgetui.exchanges.paper import PaperVenue
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.panes import AccountsPane, HealthPane

KEY, SECRET = "uiKEYq7Vx3Rw9Lm2Tn5", "uiSECRETk4Hs8Qd1Jf6Wc"
KEY2, SECRET2 = "uiKEY2z8Tn5Yb8Pq3Lm", "uiSECRET2w2Cz7Ue3Xk9"


def config_text(url: str, db) -> str:
    live = "".join(
        f"""
[[accounts]]
name = "{name}"
exchange = "binance"
api_url = "{url}"
api_key_env = "UI_KEY_{i}"
secret_env = "UI_SECRET_{i}"
tags = ["live"]
"""
        for i, name in enumerate(("bn-main", "bn-hedge"))
    )
    return f"""
[store]
path = "{db}"

[[accounts]]
name = "desk"
exchange = "paper"
balances = {{ USDT = 5000 }}
{live}
[market]
watchlist = {{ binance = ["BTC/USDT", "ETH/USDT"], paper = ["BTC/USDT"] }}
timeframes = ["1h"]
history_days = 1

[pollers]
balances = 0.1
positions = 0.1
orders = 0.1
fills = 0.1
tickers = 0.1
candles = 0.5
"""


async def test_binance_accounts_show_like_paper_rows_with_a_live_badge(tmp_path):
    clock = ManualClock(FROZEN_MS)
    venue = PaperVenue(clock, seed=5)
    venue.add_account("m", {"USDT": Decimal(20_000), "BTC": Decimal("0.5")})
    venue.add_account("h", {"USDT": Decimal(7_000), "ETH": Decimal(3)})
    _url, server = await start_server(venue, {KEY: (SECRET, "m"), KEY2: (SECRET2, "h")})
    try:
        path = tmp_path / "config.toml"
        path.write_text(config_text(server.url, tmp_path / "ui.db"))
        env = {"UI_KEY_0": KEY, "UI_SECRET_0": SECRET, "UI_KEY_1": KEY2, "UI_SECRET_1": SECRET2}
        config = load_config(path, env=env)
        app = HedgeApp(config, clock=clock)
        async with app.run_test(size=(140, 40)) as pilot:

            def loaded() -> bool:
                accounts = {a for a, _ in app.state.balances}
                return accounts == {"desk", "bn-main", "bn-hedge"} and len(app.state.tickers) >= 3

            await wait_until(pilot, loaded, timeout=15)
            await pilot.pause(0.3)
            table = app.query_one(AccountsPane).table
            keys = list(table.row_order)
            for expected in (
                "bal|bn-main|BTC",
                "bal|bn-main|USDT",
                "bal|bn-hedge|ETH",
                "bal|bn-hedge|USDT",
                "bal|desk|USDT",
                "sub|bn-main",
                "sub|bn-hedge",
                "sub|desk",
                "total",
            ):
                assert expected in keys
            btc = table.get_row("bal|bn-main|BTC")
            assert btc["mode"] == "LIVE" and btc["total"] == Decimal("0.5") and btc["value"] > 0
            assert table.get_row("bal|bn-hedge|ETH")["mode"] == "LIVE"
            assert table.get_row("bal|desk|USDT")["mode"] == "PAPER"
            subs = sum(table.get_row(f"sub|{a}")["value"] for a in ("bn-main", "bn-hedge", "desk"))
            assert table.get_row("total")["value"] == subs
            bar = str(app.query_one("#accounts-bar").render())
            assert "bn-main" in bar and "LIVE" in bar and "PAPER" in bar

            # the Health pane lists the exchange's shared rate-limit budget
            await wait_until(pilot, lambda: "limit:binance" in app.state.health)
            await pilot.press("4")
            health = app.query_one(HealthPane)
            limits = health.query_one("#limits-table")
            await wait_until(pilot, lambda: "limit:binance" in limits.row_order)
            assert limits.get_row("limit:binance")["used"].endswith("weight/min")
            assert "limit:binance" not in health.table.row_order
    finally:
        await server.close()
