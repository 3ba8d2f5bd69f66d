"""Declared limits and request weights (hedgetui.exchanges.limits)."""

from __future__ import annotations

import pytest

from hedgetui.exchanges.limits import SAFETY, Counts, Scope, limits_for, weight_for

SPOT = "https://api.binance.com"


@pytest.mark.parametrize(
    ("method", "path", "params", "weight"),
    [
        ("GET", "/api/v3/exchangeInfo", {}, 20),
        ("GET", "/api/v3/ticker/24hr", {"symbol": "BTCUSDT"}, 2),
        ("GET", "/api/v3/ticker/24hr", {}, 80),
        ("GET", "/api/v3/ticker/24hr", {"symbols": '["BTCUSDT"]'}, 2),
        ("GET", "/api/v3/ticker/24hr", {"symbols": [f"S{i}" for i in range(20)]}, 2),
        ("GET", "/api/v3/ticker/24hr", {"symbols": [f"S{i}" for i in range(21)]}, 40),
        ("GET", "/api/v3/ticker/24hr", {"symbols": [f"S{i}" for i in range(100)]}, 40),
        ("GET", "/api/v3/ticker/24hr", {"symbols": [f"S{i}" for i in range(101)]}, 80),
        ("GET", "/api/v3/klines", {"symbol": "BTCUSDT", "limit": 1000}, 2),
        ("GET", "/api/v3/depth", {"symbol": "BTCUSDT"}, 5),  # server default limit 100
        ("GET", "/api/v3/depth", {"symbol": "BTCUSDT", "limit": 100}, 5),
        ("GET", "/api/v3/depth", {"symbol": "BTCUSDT", "limit": "101"}, 25),
        ("GET", "/api/v3/depth", {"symbol": "BTCUSDT", "limit": 500}, 25),
        ("GET", "/api/v3/depth", {"symbol": "BTCUSDT", "limit": 1000}, 50),
        ("GET", "/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5000}, 250),
        ("GET", "/api/v3/account", {}, 20),
        ("POST", "/api/v3/order", {"symbol": "BTCUSDT"}, 1),
        ("GET", "/api/v3/order", {"symbol": "BTCUSDT"}, 4),
        ("DELETE", "/api/v3/order", {"symbol": "BTCUSDT"}, 1),
        ("GET", "/api/v3/openOrders", {"symbol": "BTCUSDT"}, 6),
        ("GET", "/api/v3/openOrders", {}, 80),
        ("DELETE", "/api/v3/openOrders", {"symbol": "BTCUSDT"}, 1),
        ("GET", "/api/v3/myTrades", {"symbol": "BTCUSDT"}, 20),
        ("get", "/api/v3/myTrades/", {"symbol": "BTCUSDT"}, 20),  # case and slash tolerant
        ("GET", "/sapi/v1/something/new", {}, 20),  # unknown: conservative default
    ],
)
def test_binance_spot_weights(method, path, params, weight):
    assert weight_for("binance", method, path, params) == weight


def test_full_urls_and_query_strings_are_read():
    url = f"{SPOT}/api/v3/depth?symbol=BTCUSDT&limit=1000"
    assert weight_for("binance", "GET", url) == 50
    assert weight_for("binance", "GET", f"{SPOT}/api/v3/openOrders?timestamp=1") == 80
    # explicit params win over the query string
    assert weight_for("binance", "GET", url, {"symbol": "BTCUSDT", "limit": 5}) == 5


def test_binance_budgets_are_the_published_numbers_times_safety():
    limits = limits_for("binance")
    table = {(b.name, b.window_s): b for b in limits.budgets}
    weight = table[("REQUEST_WEIGHT", 60)]
    assert (weight.published, weight.scope, weight.counts) == (6000, Scope.IP, Counts.WEIGHT)
    assert weight.limit == pytest.approx(6000 * SAFETY) == 5700
    assert table[("RAW_REQUESTS", 300)].published == 61000
    assert table[("RAW_REQUESTS", 300)].counts is Counts.REQUESTS
    assert table[("ORDERS", 10)].published == 100
    assert table[("ORDERS", 10)].scope is Scope.ACCOUNT
    assert table[("ORDERS", 86_400)].published == 200_000
    assert not limits.approximate


def test_usdm_futures_have_their_own_budget_and_weights():
    limits = limits_for("binanceusdm")
    assert limits.budgets[0].published == 2400
    assert weight_for("binanceusdm", "GET", "/fapi/v1/ticker/24hr", {}) == 40
    assert weight_for("binanceusdm", "GET", "/fapi/v1/depth", {"limit": 1000}) == 20
    assert weight_for("binanceusdm", "GET", "/fapi/v2/positionRisk", {}) == 5


def test_bybit_and_okx_are_approximate_pools():
    bybit = limits_for("bybit")
    assert bybit.approximate
    assert (bybit.budgets[0].published, bybit.budgets[0].window_s) == (600, 5)
    assert weight_for("bybit", "GET", "/v5/market/tickers", {}) == 1
    okx = limits_for("okx")
    assert okx.approximate
    assert (okx.budgets[0].published, okx.budgets[0].window_s) == (20, 2)
    # 20 requests/2 s for tickers = one unit of a 20-unit pool; 40/2 s = half a unit
    assert weight_for("okx", "GET", "/api/v5/market/tickers", {"instType": "SPOT"}) == 1
    assert weight_for("okx", "GET", "/api/v5/market/books", {}) == 0.5
    assert weight_for("okx", "POST", "/api/v5/trade/order", {}) == pytest.approx(1 / 3)
    assert weight_for("okx", "GET", "/api/v5/unlisted", {}) == 2


def test_other_ccxt_exchanges_get_a_generic_budget_from_ccxt_rate_limit():
    import ccxt

    limits = limits_for("kraken")
    (budget,) = limits.budgets
    rate_ms = ccxt.kraken().rateLimit
    assert budget.window_s == 10
    assert budget.published == pytest.approx(10_000 / rate_ms)
    assert limits.approximate
    assert weight_for("kraken", "GET", "/0/public/Ticker", {}) == 1


def test_unknown_ids_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="no rate limits known for exchange 'paper'"):
        limits_for("paper")
    with pytest.raises(ValueError, match="ccxt exchange id"):
        weight_for("nosuchexchange", "GET", "/x", {})
