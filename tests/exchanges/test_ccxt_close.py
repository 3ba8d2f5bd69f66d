"""Closing a ccxt adapter never hangs, and cancelling one caller never cancels the work
other callers share (the market catalog load)."""

from __future__ import annotations

import asyncio

from hedgetui.exchanges.ccxt_client import open_connections
from hedgetui.runtime import accounts


async def test_a_cancelled_caller_does_not_cancel_the_shared_market_load(ex, server):
    server.inject("/api/v3/exchangeInfo", "slow", delay=0.3)
    first = asyncio.create_task(ex.load_markets())
    second = asyncio.create_task(ex.load_markets())
    while not server.seen("/api/v3/exchangeInfo"):
        await asyncio.sleep(0.01)
    first.cancel()  # e.g. its poller was stopped with its account
    markets = await asyncio.wait_for(second, 5)
    assert "BTC/USDT" in markets and first.cancelled()
    assert len(server.seen("/api/v3/exchangeInfo")) == 1  # still one load for both


async def test_close_aborts_connections_when_the_graceful_close_hangs(ex, caplog):
    await ex.fetch_tickers(["BTC/USDT"])  # a pooled keep-alive connection now exists
    connections = open_connections(ex.client)
    assert connections and all(p.is_connected() for p in connections)
    graceful = ex.client.close
    closing = []

    async def stuck_close():  # a TLS peer that never answers the close handshake
        closing.append(1)
        await asyncio.sleep(3600)

    ex.client.close = stuck_close
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(ex.close(timeout=0.1), 3)
    assert closing and loop.time() - started < 1.5
    assert not any(p.is_connected() for p in connections)
    assert "aborting its connections" in caplog.text
    ex.client.close = graceful  # the fixture's close releases the session for real


async def test_closing_the_exchange_set_is_bounded_per_client(monkeypatch, caplog):
    class Hung:
        id, account = "binance", "stuck"

        async def close(self):
            await asyncio.sleep(3600)

    class Fine:
        id, account, closed = "paper", "main", False

        async def close(self):
            self.closed = True

    monkeypatch.setattr(accounts, "CLOSE_TIMEOUT_S", 0.1)
    fine = Fine()
    exchanges = accounts.ExchangeSet(accounts={"stuck": Hung(), "main": fine})
    await asyncio.wait_for(exchanges.close(), 5)
    assert fine.closed
    assert "closing binance (stuck) did not finish within 0.1s; cancelled" in caplog.text
