"""Builders for the tests that run the runtime on `exchange = "binance"` accounts pointed at
the local Binance-compatible server (not a test module)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from hedgetui.config import load_config
from hedgetui.domain import OrderRequest, OrderType, Side
from hedgetui.exchanges.limits import BINANCE, Budget, Counts, Scope
from hedgetui.exchanges.paper import PaperVenue

D = Decimal
START = 1_767_225_600_000  # 2026-01-01T00:00Z
WATCH = ("BTC/USDT", "ETH/USDT")


def key(name: str) -> str:
    return f"hedgetuiKEY{name}Zr9Lm2Xv5Qw3"


def secret(name: str) -> str:
    return f"hedgetuiSECRET{name}N4b8Jp1Ks6Ty"


def env_for(names, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """KEY_<NAME>/SECRET_<NAME> env vars holding each account's keys."""
    env = {}
    for n in names:
        env[f"KEY_{n.upper()}"] = key(n)
        env[f"SECRET_{n.upper()}"] = secret(n)
    env.update(overrides or {})
    return env


def venue_with(clock, names) -> PaperVenue:
    venue = PaperVenue(clock, seed=11)
    for n in names:
        venue.add_account(n, {"USDT": D(50_000), "BTC": D(1), "ETH": D(5)})
    return venue


def server_accounts(names) -> dict[str, tuple[str, str]]:
    return {key(n): (secret(n), n) for n in names}


def config_toml(
    url: str,
    names,
    *,
    db: Path,
    interval: float = 0.2,
    candles: float = 0.5,
    timeframes: tuple[str, ...] = ("1h",),
    extra: str = "",
) -> str:
    accounts = "".join(
        f"""
[[accounts]]
name = "{n}"
exchange = "binance"
api_key_env = "KEY_{n.upper()}"
secret_env = "SECRET_{n.upper()}"
api_url = "{url}"
"""
        for n in names
    )
    tfs = ", ".join(f'"{t}"' for t in timeframes)
    syms = ", ".join(f'"{s}"' for s in WATCH)
    return f"""
[store]
path = "{db}"

[market]
watchlist = {{ binance = [{syms}] }}
timeframes = [{tfs}]
history_days = 1

[pollers]
balances = {interval}
positions = {interval}
orders = {interval}
fills = {interval}
tickers = {interval}
candles = {candles}
{accounts}{extra}"""


def load(tmp_path: Path, text: str, env: dict[str, str]):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path, env=env)


def small_binance(weight_per_min: float):
    """Binance's declared limits with a smaller REQUEST_WEIGHT budget (same weights table)."""
    budgets = tuple(
        replace(b, published=weight_per_min) if b.name == "REQUEST_WEIGHT" else b
        for b in BINANCE.budgets
    )
    assert any(b.counts is Counts.WEIGHT and b.scope is Scope.IP for b in budgets)
    return replace(BINANCE, budgets=budgets)


def weight_budget(weight_per_min: float) -> Budget:
    return next(b for b in small_binance(weight_per_min).budgets if b.name == "REQUEST_WEIGHT")


def buy(symbol: str, kind: str, amount: str, cid: str, price: Decimal | None = None):
    return OrderRequest(symbol, Side.BUY, OrderType(kind), D(amount), cid, price=price)


async def wait_for(predicate, timeout: float = 30.0, step: float = 0.05):
    """Poll an async or sync predicate until true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(step)
