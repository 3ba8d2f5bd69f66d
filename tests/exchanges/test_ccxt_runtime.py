"""The runtime on `exchange = "binance"` accounts, through real ccxt against the local
Binance-compatible server: the store fills exactly as for paper accounts, market data is
fetched once per exchange (not per account), and a refused key stops only its account."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from live_runtime_helpers import (
    START,
    WATCH,
    buy,
    config_toml,
    env_for,
    key,
    load,
    secret,
    server_accounts,
    venue_with,
    wait_for,
)

from hedgetui.domain import HealthState, MarketType
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.binance_server import start_server
from hedgetui.exchanges.ccxt_adapter import CcxtExchange
from hedgetui.runtime.accounts import build_exchanges
from hedgetui.runtime.engine import Runtime
from hedgetui.store import Store

NAMES = ("alpha", "beta", "gamma")


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
async def live(tmp_path, clock):
    """start(names, **config) -> (runtime, server, venue); everything closed afterwards."""
    made = []

    async def start(names=NAMES, *, server_names=None, env_overrides=None, **kw):
        venue = venue_with(clock, names)
        url, server = await start_server(venue, server_accounts(server_names or names))
        made.append(server)
        cfg = load(
            tmp_path,
            config_toml(url, names, db=tmp_path / "live.db", **kw),
            env_for(names, env_overrides),
        )
        store = await Store.open(cfg.resolved_db_path())
        runtime = Runtime(cfg, store, clock=clock)
        # bound each service's stop tightly: a service that misses a cancel then costs the
        # suite 2 s, not the product's 12 s
        runtime.service_stop_s = 2.0
        made.append(runtime)
        return runtime, server, venue

    yield start
    for thing in reversed(made):
        if isinstance(thing, Runtime):
            await thing.stop()
            await thing.store.close()
        else:
            await thing.close()


async def test_binance_accounts_fill_the_store_like_paper_accounts(live, clock):
    runtime, server, venue = await live()
    # an open order for alpha, a filled market order (fills) for beta
    btc = venue.market("BTC/USDT")
    price = btc.market.round_price(btc.last_decimal * Decimal("0.9"))
    resting = venue.place_order("alpha", buy("BTC/USDT", "limit", "0.01", "rest-1", price))
    venue.place_order("beta", buy("ETH/USDT", "market", "0.5", "mkt-1"))
    expected_fills = venue.my_trades("beta")
    assert expected_fills

    await runtime.start()
    store = runtime.store

    async def everything_in() -> bool:
        balances = await store.balances()
        return (
            {b.account for b in balances} == set(NAMES)
            and any(o.id == resting.id for o in await store.orders(open_only=True))
            and len(await store.fills(account="beta")) == len(expected_fills)
            and len(await store.tickers("binance")) == len(WATCH)
            and await store.last_candle_ts("binance", "BTC/USDT", "1h") is not None
            and await store.last_candle_ts("binance", "ETH/USDT", "1h") is not None
        )

    await wait_for(everything_in)
    await store.flush()

    for name in NAMES:
        got = {b.asset: b for b in await store.balances(name)}
        want = {b.asset: b for b in venue.balances(name) if b.total}
        assert {a: (b.free, b.used, b.total) for a, b in got.items() if b.total} == {
            a: (b.free, b.used, b.total) for a, b in want.items()
        }
        assert all(isinstance(b.total, Decimal) for b in got.values())
    open_orders = await store.orders(open_only=True, account="alpha")
    assert [(o.id, o.client_id, o.price, o.amount) for o in open_orders] == [
        (resting.id, "rest-1", resting.price, resting.amount)
    ]
    fills = await store.fills(account="beta")
    assert sorted((f.id, f.amount, f.price) for f in fills) == sorted(
        (f.id, f.amount, f.price) for f in expected_fills
    )
    tickers = {t.symbol: t for t in await store.tickers("binance")}
    venue_tickers = venue.tickers(list(WATCH))
    assert {s: t.last for s, t in tickers.items()} == {s: t.last for s, t in venue_tickers.items()}
    stored = await store.candles("binance", "BTC/USDT", "1h")
    first = stored[0].ts
    want = venue.ohlcv("BTC/USDT", "1h", first, None)
    assert [(c.ts, c.open, c.close) for c in stored] == [(c.ts, c.open, c.close) for c in want]
    assert first <= START - 23 * 3_600_000  # a day of history was backfilled

    infos = {a.name: a for a in await store.accounts()}
    assert all(not infos[n].is_paper and infos[n].exchange == "binance" for n in NAMES)
    health = {h.key: h for h in await store.health()}
    for name in NAMES:
        for feed in ("balances", "positions", "orders", "fills"):
            assert health[f"account:{name}:{feed}"].state is HealthState.OK
    assert health["market:binance:tickers"].state is HealthState.OK
    limit = health["limit:binance"]  # headroom of the shared budget, for the Health pane
    assert limit.feed == "rate limit" and limit.state is HealthState.OK
    assert limit.last_error.startswith("binance (127.0.0.1): ")
    assert "weight/min" in limit.last_error


async def test_accounts_share_one_market_catalog_and_one_market_poller(live, clock):
    runtime, server, venue = await live(interval=0.1, candles=0.2)
    runtime.exchanges = await build_exchanges(runtime.config, runtime.store, clock)
    market = runtime.exchanges.market_data["binance"]
    calls = {"tickers": 0, "ohlcv": 0}
    fetch_tickers, fetch_ohlcv = market.fetch_tickers, market.fetch_ohlcv

    async def counting_tickers(*a, **kw):
        calls["tickers"] += 1
        return await fetch_tickers(*a, **kw)

    async def counting_ohlcv(*a, **kw):
        calls["ohlcv"] += 1
        return await fetch_ohlcv(*a, **kw)

    market.fetch_tickers, market.fetch_ohlcv = counting_tickers, counting_ohlcv
    await runtime.start()
    await wait_for(lambda: calls["tickers"] >= 8 and calls["ohlcv"] >= 8)
    await runtime.supervisor.stop()  # no request in flight while counting

    # one keyless instance serves every account's market data
    tickers = server.seen("/api/v3/ticker/24hr")
    klines = server.seen("/api/v3/klines")
    assert len(tickers) == calls["tickers"]
    assert len(klines) == calls["ohlcv"]
    assert {r.api_key for r in [*tickers, *klines]} == {None}
    jobs = [k for k in runtime.supervisor.jobs if k.startswith("market:binance:")]
    assert sorted(jobs) == sorted(
        ["market:binance:tickers"] + [f"market:binance:candles:{s}:1h" for s in WATCH]
    )
    # the market catalog is loaded once for all three accounts
    assert len(server.seen("/api/v3/exchangeInfo")) == 1
    for name in NAMES:
        account = runtime.exchanges.accounts[name]
        assert isinstance(account, CcxtExchange) and account.markets_source is market
        assert account.client.markets is market.client.markets
    spot = {s for s, m in venue.load_markets().items() if m.type is MarketType.SPOT}
    assert set(await runtime.exchanges.accounts["alpha"].load_markets()) == spot
    # every account's limiter is the same object
    gates = {id(runtime.exchanges.accounts[n].gate) for n in NAMES} | {id(market.gate)}
    assert len(gates) == 1


async def test_unreachable_exchange_at_start_does_not_crash_and_pollers_back_off(live):
    runtime, server, venue = await live()
    await server.close()  # nothing listens any more: connection refused
    await runtime.start()
    await wait_for(
        lambda: runtime.health.records["account:alpha:balances"].state is HealthState.BACKOFF
    )
    record = runtime.health.records["account:alpha:balances"]
    assert record.consecutive_errors >= 1 and "ExchangeNotAvailable" in record.last_error
    assert "market:binance:tickers" in runtime.supervisor.running()
    # stopping while every poller waits out a backoff (or a request) to the dead server is
    # prompt and complete: no poller, service or market load is left running
    await asyncio.wait_for(runtime.stop(), 15)
    assert runtime.supervisor.running() == []
    assert all(t.done() for t in runtime.exchanges._tasks)
    assert all(e.client.session is None for e in runtime.exchanges.market_data.values())


async def test_refused_keys_stop_only_that_account_with_a_redacted_error(live):
    names = (*NAMES, "stranger")
    wrong = "hedgetuiWRONGsecretQ8v2Lx7Tn4Pz"
    # gamma's secret is wrong (-1022); stranger's key is unknown to the server (-2015)
    runtime, server, venue = await live(
        names,
        server_names=NAMES,
        env_overrides={"SECRET_GAMMA": wrong},
    )
    await runtime.start()
    bad = ("gamma", "stranger")
    feeds = ("balances", "positions", "orders", "fills")

    def settled() -> bool:
        recs = runtime.health.records
        return all(
            recs[f"account:{n}:{f}"].state is HealthState.STOPPED for n in bad for f in feeds
        ) and all(recs[f"account:{n}:balances"].last_success for n in ("alpha", "beta"))

    await wait_for(settled)
    await runtime.store.flush()
    health = {h.key: h for h in await runtime.store.health()}
    for name in bad:
        texts = [health[f"account:{name}:{f}"].last_error for f in feeds]
        assert all(t for t in texts)
        assert any("AuthenticationError" in t for t in texts)
        for t in texts:
            assert wrong not in t and secret(name) not in t and "signature=" not in t.lower()
    assert not [k for k in runtime.supervisor.running() if k.split(":")[1] in bad]
    # the others keep polling: new successful requests with their keys
    seen = len(server.requests)
    await wait_for(
        lambda: (
            {r.api_key for r in server.requests[seen:] if r.path == "/api/v3/account"}
            >= {key("alpha"), key("beta")}
        )
    )
    for name in ("alpha", "beta"):
        for feed in feeds:
            assert runtime.health.records[f"account:{name}:{feed}"].state is HealthState.OK
        assert f"account:{name}:balances" in runtime.supervisor.running()
