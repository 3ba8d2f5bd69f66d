"""bybit and okx on the generic path, without their servers: a canned-response HTTP server on
127.0.0.1 (exchange-native JSON written from their v5 docs) behind ``api_url``, so ccxt's
real URL building, signing and parsing run; ccxt's own ``parse_*`` for order/balance/position
shapes; and the proxy trick (``InvalidProxySettings`` just before sending) for requests we
do not want answered. Not verified: their real error codes, pagination and rate limits."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aiohttp import web

from hedgetui.domain import MarketType, OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from hedgetui.exchanges import ccxt_convert as convert
from hedgetui.exchanges.base import Priority
from hedgetui.exchanges.ccxt_adapter import CcxtExchange
from hedgetui.exchanges.ccxt_client import build_client, main_origin, rewrite_api_urls
from hedgetui.exchanges.errors import ExchangeError

D = Decimal
CREDS = {"apiKey": "genericKEY1234567", "secret": "genericSECRET7654321", "password": "pass9876"}


def bybit_ok(result: dict) -> dict:
    return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 1}


BYBIT_SPOT = {
    "symbol": "BTCUSDT",
    "baseCoin": "BTC",
    "quoteCoin": "USDT",
    "innovation": "0",
    "status": "Trading",
    "marginTrading": "both",
    "lotSizeFilter": {
        "basePrecision": "0.000001",
        "quotePrecision": "0.00000001",
        "minOrderQty": "0.000048",
        "maxOrderQty": "71.73956243",
        "minOrderAmt": "1",
        "maxOrderAmt": "2000000",
    },
    "priceFilter": {"tickSize": "0.01"},
}
BYBIT_LINEAR = {
    "symbol": "BTCUSDT",
    "contractType": "LinearPerpetual",
    "status": "Trading",
    "baseCoin": "BTC",
    "quoteCoin": "USDT",
    "settleCoin": "USDT",
    "launchTime": "1585526400000",
    "deliveryTime": "0",
    "deliveryFeeRate": "",
    "priceScale": "2",
    "leverageFilter": {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"},
    "priceFilter": {"minPrice": "0.10", "maxPrice": "199999.80", "tickSize": "0.10"},
    "lotSizeFilter": {
        "maxOrderQty": "100.000",
        "minOrderQty": "0.001",
        "qtyStep": "0.001",
        "postOnlyMaxOrderQty": "1000.000",
        "minNotionalValue": "5",
    },
    "unifiedMarginTrade": True,
    "fundingInterval": 480,
}
BYBIT_TICKER = {
    "symbol": "BTCUSDT",
    "bid1Price": "20517.96",
    "bid1Size": "2",
    "ask1Price": "20527.77",
    "ask1Size": "1.862172",
    "lastPrice": "20533.13",
    "prevPrice24h": "20393.48",
    "price24hPcnt": "0.0068",
    "highPrice24h": "21128.12",
    "lowPrice24h": "20318.89",
    "turnover24h": "243765620.65899866",
    "volume24h": "11801.27771",
}
OKX_SPOT = {
    "alias": "",
    "baseCcy": "BTC",
    "category": "1",
    "ctMult": "",
    "ctType": "",
    "ctVal": "",
    "ctValCcy": "",
    "expTime": "",
    "instFamily": "",
    "instId": "BTC-USDT",
    "instType": "SPOT",
    "lever": "10",
    "listTime": "1548133413000",
    "lotSz": "0.00000001",
    "maxLmtSz": "9999999999",
    "maxMktSz": "1000000",
    "minSz": "0.00001",
    "optType": "",
    "quoteCcy": "USDT",
    "settleCcy": "",
    "state": "live",
    "tickSz": "0.1",
    "uly": "",
}
OKX_SWAP = {
    **OKX_SPOT,
    "instId": "BTC-USDT-SWAP",
    "instType": "SWAP",
    "baseCcy": "",
    "quoteCcy": "",
    "ctVal": "0.01",
    "ctValCcy": "BTC",
    "ctType": "linear",
    "settleCcy": "USDT",
    "uly": "BTC-USDT",
    "instFamily": "BTC-USDT",
    "lotSz": "1",
    "minSz": "1",
    "lever": "100",
}
OKX_TICKER = {
    "instType": "SPOT",
    "instId": "BTC-USDT",
    "last": "9999.99",
    "lastSz": "0.1",
    "askPx": "9999.99",
    "askSz": "11",
    "bidPx": "8888.88",
    "bidSz": "5",
    "open24h": "9000",
    "high24h": "10000",
    "low24h": "8888.88",
    "volCcy24h": "2222",
    "vol24h": "2222",
    "sodUtc0": "2222",
    "sodUtc8": "2222",
    "ts": "1597026383085",
}

ROUTES = {
    "bybit": {
        "/v5/asset/coin/query-info": bybit_ok({"rows": []}),
        "/v5/user/query-api": bybit_ok({"readOnly": 0, "unified": 0, "uta": 1, "ips": ["*"]}),
        "/v5/account/info": bybit_ok({"unifiedMarginStatus": 5, "marginMode": "REGULAR_MARGIN"}),
        "/v5/market/instruments-info?category=spot": bybit_ok(
            {"category": "spot", "list": [BYBIT_SPOT]}
        ),
        "/v5/market/instruments-info?category=linear": bybit_ok(
            {"category": "linear", "list": [BYBIT_LINEAR], "nextPageCursor": ""}
        ),
        "/v5/market/tickers?category=spot": bybit_ok({"category": "spot", "list": [BYBIT_TICKER]}),
        "/v5/market/kline": bybit_ok(
            {
                "symbol": "BTCUSDT",
                "category": "spot",
                "list": [
                    ["1670608860000", "17055.5", "17080", "17050", "17071", "12.5", "213000"],
                    ["1670608800000", "17071", "17073", "17027", "17055.5", "268611", "4582369880"],
                ],
            }
        ),
    },
    "okx": {
        "/api/v5/asset/currencies": {"code": "0", "msg": "", "data": []},
        "/api/v5/public/instruments?instType=SPOT": {"code": "0", "msg": "", "data": [OKX_SPOT]},
        "/api/v5/public/instruments?instType=SWAP": {"code": "0", "msg": "", "data": [OKX_SWAP]},
        "/api/v5/market/tickers?instType=SPOT": {"code": "0", "msg": "", "data": [OKX_TICKER]},
        "/api/v5/market/candles": {
            "code": "0",
            "msg": "",
            "data": [
                [
                    "1597026443085",
                    "3.708",
                    "3.799",
                    "3.494",
                    "3.72",
                    "24912403",
                    "67632347",
                    "1",
                    "0",
                ],
                [
                    "1597026383085",
                    "3.721",
                    "3.743",
                    "3.677",
                    "3.708",
                    "8422410",
                    "22698348",
                    "1",
                    "1",
                ],
            ],
        },
    },
}
OPTIONS = {
    "bybit": {"fetchMarkets": {"types": ["spot", "linear"]}},
    "okx": {"fetchMarkets": {"types": ["spot", "swap"]}, "fetchCurrencies": False},
}


@pytest.fixture
async def canned():
    """A server answering ROUTES by exact path+query, else by path; records what it saw."""
    seen: list[tuple[str, str, dict]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append((request.method, request.path_qs, dict(request.headers)))
        for table in ROUTES.values():
            for key in (request.path_qs, request.path):
                if key in table or key.split("&")[0] in table:
                    return web.json_response(table.get(key) or table[key.split("&")[0]])
        return web.Response(status=404, text="not in the canned routes")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


class Gate:
    def __init__(self) -> None:
        self.acquired: list[tuple[float, Priority, int]] = []

    async def acquire(self, weight, *, priority, account, orders=0) -> None:
        self.acquired.append((weight, priority, orders))

    def penalize(self, retry_after_s, *, status, reason) -> None:
        raise AssertionError("no rate-limit answers expected here")


@pytest.fixture
async def adapter(canned):
    made = []

    def make(exchange_id: str, **kw) -> CcxtExchange:
        url, _seen = canned
        ex = CcxtExchange(
            exchange_id,
            "acct",
            CREDS,
            api_url=url,
            gate=Gate(),
            ccxt_options=OPTIONS[exchange_id],
            **kw,
        )
        made.append(ex)
        return ex

    yield make
    for ex in made:
        await ex.close()


# ---- URL rewriting -----------------------------------------------------------------------


def test_binance_rewrites_the_spot_host_only_and_keeps_paths():
    client = build_client("binance", api_url="http://127.0.0.1:8080/")
    api = client.urls["api"]
    assert api["public"] == "http://127.0.0.1:8080/api/v3"
    assert api["sapi"] == "http://127.0.0.1:8080/sapi/v1"
    assert api["fapiPublic"] == "https://fapi.binance.com/fapi/v1"  # other hosts untouched


def test_sandbox_then_api_url_wins_for_the_sandbox_hosts():
    client = build_client("binance", sandbox=True, api_url="http://127.0.0.1:9")
    assert client.isSandboxModeEnabled
    assert client.urls["api"]["public"] == "http://127.0.0.1:9/api/v3"
    plain = build_client("binance", sandbox=True)
    assert plain.urls["api"]["public"].startswith("https://testnet.binance.vision/")


@pytest.mark.parametrize("exchange_id", ["bybit", "okx"])
def test_hostname_templates_are_rewritten(exchange_id):
    client = build_client(exchange_id, api_url="http://127.0.0.1:9")
    assert "{hostname}" in main_origin(build_client(exchange_id).urls["api"])
    flat = json.dumps(client.urls["api"])
    assert "{hostname}" not in flat and "http://127.0.0.1:9" in flat


def test_rewrite_handles_nested_dicts_and_counts():
    api = {
        "rest": {"public": "https://x.com/v1", "private": "https://x.com/p"},
        "other": "https://y.com/z",
    }
    new, count = rewrite_api_urls({"public": "https://x.com/a", **api}, "http://h:1")
    assert count == 3 and new["rest"]["private"] == "http://h:1/p" and new["other"] == api["other"]


def test_unknown_exchange_id_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown exchange 'binanse'"):
        build_client("binanse")


# ---- bybit / okx through a canned server ---------------------------------------------------


async def test_bybit_markets_and_tickers_through_the_canned_server(adapter, canned):
    ex = adapter("bybit")
    markets = await ex.load_markets()
    spot, perp = markets["BTC/USDT"], markets["BTC/USDT:USDT"]
    assert spot.type is MarketType.SPOT and spot.price_step == D("0.01")
    assert spot.amount_step == D("0.000001") and spot.min_amount == D("0.000048")
    assert perp.type is MarketType.SWAP and perp.settle == "USDT"
    assert perp.amount_step == D("0.001") and perp.price_step == D("0.1")
    tickers = await ex.fetch_tickers(["BTC/USDT"])
    t = tickers["BTC/USDT"]
    assert (t.last, t.bid, t.ask, t.high, t.low) == (
        20533.13,
        20517.96,
        20527.77,
        21128.12,
        20318.89,
    )
    assert t.base_volume == 11801.27771
    candles = await ex.fetch_ohlcv("BTC/USDT", "1m", limit=2)
    assert [c.ts for c in candles] == [1670608800000, 1670608860000]  # oldest first
    _url, seen = canned
    assert all(path.startswith("/v5/") for _m, path, _h in seen)
    assert {p for _w, p, _o in ex.gate.acquired} == {Priority.MARKET}


async def test_okx_markets_and_tickers_through_the_canned_server(adapter, canned):
    ex = adapter("okx")
    markets = await ex.load_markets()
    spot, perp = markets["BTC/USDT"], markets["BTC/USDT:USDT"]
    assert spot.price_step == D("0.1") and spot.amount_step == D("0.00000001")
    assert perp.contract_size == D("0.01") and perp.amount_step == D("1")
    t = (await ex.fetch_tickers(["BTC/USDT"]))["BTC/USDT"]
    assert (t.last, t.bid, t.ask, t.open, t.timestamp) == (
        9999.99,
        8888.88,
        9999.99,
        9000.0,
        1597026383085,
    )
    candles = await ex.fetch_ohlcv("BTC/USDT", "1m", limit=2)
    assert [c.close for c in candles] == [3.708, 3.72]
    weights = [w for w, _p, _o in ex.gate.acquired]
    assert 1.0 in weights  # public/instruments and market/tickers: okx's table in limits.py


@pytest.mark.parametrize(
    ("exchange_id", "path", "client_key", "auth_header"),
    [
        ("bybit", "/v5/order/create", "orderLinkId", "X-BAPI-API-KEY"),
        ("okx", "/api/v5/trade/batch-orders", "clOrdId", "OK-ACCESS-KEY"),
    ],
)
async def test_order_requests_are_built_and_signed_offline(
    adapter, exchange_id, path, client_key, auth_header
):
    ex = adapter(exchange_id)
    await ex.load_markets()
    if exchange_id == "bybit":  # account kind lookups (signed GETs) answered by the canned server
        assert await ex.client.is_unified_enabled() == [False, True]
    ex.client.httpProxy = ex.client.httpsProxy = "http://127.0.0.1:1"  # refuse just before sending
    request = OrderRequest(
        "BTC/USDT",
        Side.BUY,
        OrderType.LIMIT,
        D("0.001"),
        "gen-cid-1",
        price=D("20000.5"),
        time_in_force=TimeInForce.PO,
    )
    with pytest.raises(ExchangeError, match="(?i)proxy"):
        await ex.create_order(request)
    url = ex.client.last_request_url
    assert url.startswith(ex.client.urls["api"][next(iter(ex.client.urls["api"]))][:22])
    assert url.split("?")[0].endswith(path)
    body = json.loads(ex.client.last_request_body)
    body = body[0] if isinstance(body, list) else body  # ccxt's okx sends a one-order batch
    assert body[client_key] == "gen-cid-1"
    assert ex.client.last_request_headers[auth_header] == CREDS["apiKey"]
    if exchange_id == "okx":
        assert body["ordType"] == "post_only" and body["px"] == "20000.5"
    else:
        assert body["timeInForce"] == "PostOnly" and body["price"] == "20000.5"
    assert ex.gate.acquired[-1][1:] == (Priority.ORDER, 1)


async def test_okx_sandbox_sends_the_simulated_trading_header(adapter):
    ex = adapter("okx", sandbox=True)
    await ex.load_markets()
    ex.client.httpProxy = ex.client.httpsProxy = "http://127.0.0.1:1"
    with pytest.raises(ExchangeError):
        await ex.fetch_balance()
    assert ex.client.last_request_headers.get("x-simulated-trading") == "1"
    assert "127.0.0.1" in ex.client.last_request_url


# ---- ccxt parse_* of documented native shapes -> domain -----------------------------------


def test_okx_order_balance_position_conversion():
    client = build_client("okx")
    client.set_markets([client.parse_market(OKX_SPOT), client.parse_market(OKX_SWAP)])
    order = client.parse_order(
        {
            "accFillSz": "0.3",
            "avgPx": "59100",
            "cTime": "1618235248028",
            "clOrdId": "ok-1",
            "fee": "-0.0001",
            "feeCcy": "BTC",
            "instId": "BTC-USDT",
            "instType": "SPOT",
            "ordId": "301835739059335168",
            "ordType": "post_only",
            "px": "59200",
            "side": "buy",
            "state": "partially_filled",
            "sz": "1",
            "reduceOnly": "false",
            "tdMode": "cash",
            "uTime": "1618235248030",
            "slTriggerPx": "",
            "tpTriggerPx": "",
        }
    )
    o = convert.order(order, "acct")
    assert (o.id, o.client_id, o.status, o.type) == (
        "301835739059335168",
        "ok-1",
        OrderStatus.OPEN,
        OrderType.LIMIT,
    )
    assert o.time_in_force is TimeInForce.PO
    assert (o.amount, o.filled, o.price, o.average) == (D(1), D("0.3"), D(59200), D(59100))
    assert o.fee == D("0.0001") and o.fee_currency == "BTC"
    balance = client.parse_trading_balance(
        {
            "code": "0",
            "data": [
                {
                    "uTime": "1",
                    "details": [
                        {
                            "ccy": "USDT",
                            "availBal": "900.5",
                            "frozenBal": "99.5",
                            "eq": "1000",
                            "cashBal": "1000",
                        },
                        {
                            "ccy": "ETH",
                            "availBal": "0",
                            "frozenBal": "0",
                            "eq": "0",
                            "cashBal": "0",
                        },
                    ],
                }
            ],
        }
    )
    balances = convert.balances(balance, "acct", 5)
    assert [(b.asset, b.free, b.used, b.total) for b in balances] == [
        ("USDT", D("900.5"), D("99.5"), D(1000))
    ]
    pos = convert.position(
        client.parse_position(
            {
                "instId": "BTC-USDT-SWAP",
                "instType": "SWAP",
                "mgnMode": "cross",
                "posSide": "net",
                "pos": "-5",
                "avgPx": "60000",
                "markPx": "59000",
                "upl": "50",
                "realizedPnl": "3",
                "lever": "10",
                "liqPx": "70000",
                "imr": "295",
                "uTime": "1618235248030",
                "cTime": "1618235248028",
                "notionalUsd": "2950",
                "ccy": "USDT",
            }
        ),
        "acct",
    )
    assert (pos.side, pos.contracts, pos.entry_price, pos.mark_price) == (
        "short",
        D(5),
        D(60000),
        D(59000),
    )
    assert (pos.unrealized_pnl, pos.leverage, pos.liquidation_price) == (D(50), D(10), D(70000))


def test_bybit_order_balance_position_conversion():
    client = build_client("bybit")
    order = client.parse_order(
        {
            "orderId": "fd4300ae",
            "orderLinkId": "by-1",
            "symbol": "BTCUSDT",
            "price": "60000",
            "qty": "0.01",
            "side": "Sell",
            "orderStatus": "Untriggered",
            "avgPrice": "0",
            "leavesQty": "0.01",
            "cumExecQty": "0",
            "cumExecValue": "0",
            "cumExecFee": "0",
            "timeInForce": "GTC",
            "orderType": "Limit",
            "stopOrderType": "StopLoss",
            "triggerPrice": "61000",
            "reduceOnly": False,
            "createdTime": "1684738540559",
            "updatedTime": "1684738540561",
            "category": "spot",
        },
        {
            "symbol": "BTC/USDT",
            "id": "BTCUSDT",
            "spot": True,
            "type": "spot",
            "base": "BTC",
            "quote": "USDT",
            "settle": None,
            "contract": False,
            "linear": None,
            "inverse": None,
        },
    )
    o = convert.order(order, "acct")
    assert (o.client_id, o.side, o.status, o.type) == (
        "by-1",
        Side.SELL,
        OrderStatus.OPEN,
        OrderType.STOP_LIMIT,
    )
    assert o.stop_price == D(61000) and o.price == D(60000)
    balance = client.parse_balance(
        {
            "retCode": 0,
            "result": {
                "list": [
                    {
                        "accountType": "UNIFIED",
                        "totalEquity": "1000",
                        "coin": [
                            {
                                "coin": "BTC",
                                "equity": "0.5",
                                "walletBalance": "0.5",
                                "locked": "0.1",
                                "totalOrderIM": "0",
                                "totalPositionIM": "0",
                                "availableToWithdraw": "0.4",
                                "spotBorrow": "0",
                                "borrowAmount": "0",
                                "accruedInterest": "0",
                            },
                        ],
                    }
                ]
            },
            "time": 1684738540561,
        }
    )
    assert [(b.asset, b.total) for b in convert.balances(balance, "acct", 1)] == [("BTC", D("0.5"))]


def test_decimal_places_precision_becomes_steps():
    from ccxt.base.decimal_to_precision import DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE

    assert convert.step_from_precision(2, DECIMAL_PLACES) == D("0.01")
    assert convert.step_from_precision(0, DECIMAL_PLACES) == D(1)
    assert convert.step_from_precision(0.005, TICK_SIZE) == D("0.005")
    assert convert.step_from_precision(4, SIGNIFICANT_DIGITS) is None
    m = convert.market(
        {
            "symbol": "A/B",
            "base": "A",
            "quote": "B",
            "spot": True,
            "id": "AB",
            "precision": {"amount": 3, "price": 1},
            "limits": {},
        },
        DECIMAL_PLACES,
    )
    assert m.amount_step == D("0.001") and m.price_step == D("0.1")
    assert convert.market({"symbol": "A/B:B-261231", "future": True}, TICK_SIZE) is None
