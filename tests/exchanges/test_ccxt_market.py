"""Market data through real ccxt against the local Binance-compatible server."""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain import MarketType, timeframe_ms
from hedgetui.exchanges.base import Priority


async def test_load_markets_converts_binance_filters_to_steps_and_limits(ex, venue, server):
    markets = await ex.load_markets()
    spot = {s for s, m in venue.load_markets().items() if m.type is MarketType.SPOT}
    assert set(markets) == spot  # the perp is not served by the spot API
    btc = markets["BTC/USDT"]
    assert btc.price_step == Decimal("0.01")
    assert btc.amount_step == Decimal("0.00001")
    assert btc.min_amount == Decimal("0.00001")
    assert btc.max_amount == Decimal("9000000")
    assert btc.min_cost == Decimal("5")
    assert btc.exchange_id == "BTCUSDT"
    assert btc.type is MarketType.SPOT and btc.base == "BTC" and btc.quote == "USDT"
    doge = markets["DOGE/USDT"]
    assert doge.amount_step == Decimal("1") and doge.price_step == Decimal("0.00001")
    # the binance defaults keep load_markets on the one spot endpoint
    assert [r.path for r in server.requests] == ["/api/v3/exchangeInfo"]


async def test_account_options_can_override_the_binance_defaults(make_exchange):
    ex = make_exchange(ccxt_options={"fetchMarkets": {"types": ["spot", "linear"]}})
    assert ex.client.options["fetchMarkets"]["types"] == ["spot", "linear"]
    assert ex.client.options["fetchCurrencies"] is False  # untouched defaults stay
    assert ex.client.enableRateLimit is False


async def test_tickers_all_and_selected(ex, venue):
    tickers = await ex.fetch_tickers()
    assert "BTC/USDT" in tickers and "BTC/USDT:USDT" not in tickers
    some = await ex.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    assert set(some) == {"BTC/USDT", "ETH/USDT"}
    expected = venue.tickers(["BTC/USDT"])["BTC/USDT"]
    got = some["BTC/USDT"]
    assert got.exchange == "binance"
    assert got.last == expected.last
    assert got.bid == expected.bid and got.ask == expected.ask
    assert got.high == expected.high and got.low == expected.low
    assert got.open == expected.open
    assert isinstance(got.last, float)


async def test_ohlcv_latest_and_since(ex, venue, clock):
    start = clock.now_ms()
    clock.advance(3 * 3_600_000)
    latest = await ex.fetch_ohlcv("ETH/USDT", "5m", limit=4)
    expected = venue.ohlcv("ETH/USDT", "5m", None, 4)
    assert [(c.ts, c.open, c.high, c.low, c.close) for c in latest] == [
        (c.ts, c.open, c.high, c.low, c.close) for c in expected
    ]
    since = start + 30 * 60_000
    rows = await ex.fetch_ohlcv("ETH/USDT", "1m", since=since, limit=10)
    assert len(rows) == 10
    assert rows[0].ts == since
    assert all(b.ts - a.ts == timeframe_ms("1m") for a, b in zip(rows, rows[1:], strict=False))


async def test_order_book_levels(ex, venue):
    book = await ex.fetch_order_book("BTC/USDT", 5)
    expected = venue.order_book("BTC/USDT", 5)
    assert book.symbol == "BTC/USDT"
    assert book.bids == expected.bids and book.asks == expected.asks
    assert book.bids[0][0] < book.asks[0][0]


async def test_market_requests_pass_the_gate_with_binance_weights(ex):
    await ex.fetch_order_book("BTC/USDT", 5)
    await ex.fetch_tickers()
    weights = [(w, p) for w, p, _a, _o in ex.gate.acquired]
    # exchangeInfo, depth (limit 5), all tickers: Binance's documented weights 20, 5, 80
    assert weights == [(20, Priority.MARKET), (5, Priority.MARKET), (80, Priority.MARKET)]
    assert all(acct == "live" and orders == 0 for _w, _p, acct, orders in ex.gate.acquired)


async def test_server_reports_used_weight_and_counts_per_window(ex, server):
    await ex.load_markets()
    await ex.fetch_order_book("BTC/USDT", 5)
    assert server.meter.total_weight == 25
    assert server.meter.max_window_weight == 25
    assert ex.client.last_response_headers["X-MBX-USED-WEIGHT-1M"] == "25"
