"""Published rate limits, declared as data (one entry per exchange id).

Each exchange has a list of :class:`Budget` s (what is counted, per IP or per account, over
which window) and a table of per-endpoint request weights. The limiter in
``hedgetui.runtime.ratelimit`` enforces the budgets; the ccxt adapter asks
:func:`weight_for` what each request costs. Nothing here does any accounting.

We enforce ``SAFETY`` (95%) of each published number: the rest is left for clock skew
between us and the exchange and for anything else on the same IP. The enforced number is the
budget we declare (``Budget.limit``) and then use fully.

Sources: Binance spot "LIMITS" and per-endpoint "Weight" notes (api/v3, 2025), Binance USD-M
futures docs (fapi). Bybit and OKX entries are approximate (their limits are per endpoint
and per UID; we fold them into one conservative pool) and are marked ``approximate=True``.
Exchanges not listed get a generic budget derived from ccxt's ``rateLimit`` (ms/request).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from urllib.parse import parse_qsl, urlsplit

#: share of each published limit we allow ourselves
SAFETY = 0.95


class Counts(StrEnum):
    WEIGHT = "weight"  # the request's weight (``acquire(weight=...)``)
    REQUESTS = "requests"  # 1 per request, whatever its weight
    ORDERS = "orders"  # ``acquire(orders=...)``: new orders placed


class Scope(StrEnum):
    IP = "ip"  # shared by every account on the same IP
    ACCOUNT = "account"  # one budget per account


@dataclass(frozen=True)
class Budget:
    name: str  # the exchange's own name for it, e.g. REQUEST_WEIGHT
    counts: Counts
    scope: Scope
    published: float  # what the exchange documents per window
    window_s: float
    safety: float = SAFETY

    @property
    def limit(self) -> float:
        """What we enforce: ``published * safety``."""
        return self.published * self.safety


@dataclass(frozen=True)
class Endpoint:
    """The weight of one endpoint; optional variants by parameter.

    ``by_limit``/``by_symbols`` are ``(up_to, weight)`` steps, ascending: the first step whose
    ``up_to`` is >= the request's ``limit`` (or number of symbols) applies; beyond the last
    step the last weight applies.
    """

    weight: float
    no_symbol: float | None = None  # weight when neither ``symbol`` nor ``symbols`` is given
    by_limit: tuple[tuple[int, float], ...] = ()
    default_limit: int | None = None  # the server's default ``limit`` when none is sent
    by_symbols: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class ExchangeLimits:
    id: str
    budgets: tuple[Budget, ...]
    #: ``(METHOD, /path)`` -> weight
    endpoints: Mapping[tuple[str, str], Endpoint] = field(default_factory=dict)
    #: weight of a request to an endpoint not in the table (conservative)
    default_weight: float = 1.0
    approximate: bool = False
    note: str = ""


def _ep(
    weight: float,
    no_symbol: float | None = None,
    by_limit: tuple[tuple[int, float], ...] = (),
    default_limit: int | None = None,
    by_symbols: tuple[tuple[int, float], ...] = (),
) -> Endpoint:
    return Endpoint(weight, no_symbol, by_limit, default_limit, by_symbols)


BINANCE = ExchangeLimits(
    id="binance",
    budgets=(
        Budget("REQUEST_WEIGHT", Counts.WEIGHT, Scope.IP, 6000, 60),
        Budget("RAW_REQUESTS", Counts.REQUESTS, Scope.IP, 61000, 300),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 100, 10),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 200_000, 86_400),
    ),
    endpoints={
        ("GET", "/api/v3/ping"): _ep(1),
        ("GET", "/api/v3/time"): _ep(1),
        ("GET", "/api/v3/exchangeInfo"): _ep(20),
        ("GET", "/api/v3/depth"): _ep(
            5, by_limit=((100, 5), (500, 25), (1000, 50), (5000, 250)), default_limit=100
        ),
        ("GET", "/api/v3/trades"): _ep(25),
        ("GET", "/api/v3/historicalTrades"): _ep(25),
        ("GET", "/api/v3/aggTrades"): _ep(4),
        ("GET", "/api/v3/klines"): _ep(2),
        ("GET", "/api/v3/uiKlines"): _ep(2),
        ("GET", "/api/v3/avgPrice"): _ep(2),
        ("GET", "/api/v3/ticker/24hr"): _ep(
            2, no_symbol=80, by_symbols=((20, 2), (100, 40), (10**9, 80))
        ),
        ("GET", "/api/v3/ticker/price"): _ep(2, no_symbol=4, by_symbols=((10**9, 4),)),
        ("GET", "/api/v3/ticker/bookTicker"): _ep(2, no_symbol=4, by_symbols=((10**9, 4),)),
        ("GET", "/api/v3/account"): _ep(20),
        ("GET", "/api/v3/account/commission"): _ep(20),
        ("GET", "/api/v3/rateLimit/order"): _ep(40),
        ("POST", "/api/v3/order"): _ep(1),
        ("POST", "/api/v3/order/test"): _ep(1),
        ("POST", "/api/v3/order/cancelReplace"): _ep(1),
        ("GET", "/api/v3/order"): _ep(4),
        ("DELETE", "/api/v3/order"): _ep(1),
        ("GET", "/api/v3/openOrders"): _ep(6, no_symbol=80),
        ("DELETE", "/api/v3/openOrders"): _ep(1),
        ("GET", "/api/v3/allOrders"): _ep(20),
        ("GET", "/api/v3/myTrades"): _ep(20),
        ("POST", "/api/v3/userDataStream"): _ep(2),
        ("PUT", "/api/v3/userDataStream"): _ep(2),
        ("DELETE", "/api/v3/userDataStream"): _ep(2),
    },
    default_weight=20,
    note="Binance spot: weight 6,000/min per IP, orders 100/10s and 200,000/day per account",
)

# USD-M futures have their own IP and order budgets, separate from spot's.
BINANCE_USDM = ExchangeLimits(
    id="binanceusdm",
    budgets=(
        Budget("REQUEST_WEIGHT", Counts.WEIGHT, Scope.IP, 2400, 60),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 300, 10),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 1200, 60),
    ),
    endpoints={
        ("GET", "/fapi/v1/ping"): _ep(1),
        ("GET", "/fapi/v1/time"): _ep(1),
        ("GET", "/fapi/v1/exchangeInfo"): _ep(1),
        ("GET", "/fapi/v1/depth"): _ep(
            5, by_limit=((50, 2), (100, 5), (500, 10), (1000, 20)), default_limit=500
        ),
        ("GET", "/fapi/v1/klines"): _ep(
            2, by_limit=((99, 1), (499, 2), (1000, 5), (1500, 10)), default_limit=500
        ),
        ("GET", "/fapi/v1/ticker/24hr"): _ep(1, no_symbol=40),
        ("GET", "/fapi/v1/ticker/price"): _ep(1, no_symbol=2),
        ("GET", "/fapi/v1/ticker/bookTicker"): _ep(2, no_symbol=5),
        ("GET", "/fapi/v1/premiumIndex"): _ep(1, no_symbol=10),
        ("GET", "/fapi/v1/fundingRate"): _ep(1),
        ("GET", "/fapi/v2/account"): _ep(5),
        ("GET", "/fapi/v3/account"): _ep(5),
        ("GET", "/fapi/v2/balance"): _ep(5),
        ("GET", "/fapi/v3/balance"): _ep(5),
        ("GET", "/fapi/v2/positionRisk"): _ep(5),
        ("GET", "/fapi/v3/positionRisk"): _ep(5),
        # order placement weighs 0 on the IP budget; we count 1 to stay conservative
        ("POST", "/fapi/v1/order"): _ep(1),
        ("GET", "/fapi/v1/order"): _ep(1),
        ("DELETE", "/fapi/v1/order"): _ep(1),
        ("GET", "/fapi/v1/openOrders"): _ep(1, no_symbol=40),
        ("DELETE", "/fapi/v1/allOpenOrders"): _ep(1),
        ("GET", "/fapi/v1/allOrders"): _ep(5),
        ("GET", "/fapi/v1/userTrades"): _ep(5),
        ("GET", "/fapi/v1/income"): _ep(30),
        ("POST", "/fapi/v1/leverage"): _ep(1),
    },
    default_weight=10,
    note="Binance USD-M futures: weight 2,400/min per IP, orders 300/10s and 1,200/min",
)

# Bybit v5: 600 requests per 5 s per IP; order creation about 10/s per UID (varies by
# product and account tier) - approximate.
BYBIT = ExchangeLimits(
    id="bybit",
    budgets=(
        Budget("IP_REQUESTS", Counts.WEIGHT, Scope.IP, 600, 5),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 10, 1),
    ),
    default_weight=1,
    approximate=True,
    note="Bybit: ~600 requests/5s per IP, ~10 orders/s per account (approximate)",
)

# OKX limits each endpoint separately, all over 2 s windows. One pool of 20 units/2 s where
# an endpoint allowed N requests/2 s costs 20/N units never exceeds any endpoint's own limit
# (it is stricter than OKX when several endpoints are used together) - approximate.
_OKX_20 = 1.0  # 20 requests / 2 s
_OKX_40 = 0.5  # 40 requests / 2 s
_OKX_10 = 2.0  # 10 requests / 2 s
_OKX_60 = 1 / 3  # 60 requests / 2 s
OKX = ExchangeLimits(
    id="okx",
    budgets=(
        Budget("REQUEST_UNITS", Counts.WEIGHT, Scope.IP, 20, 2),
        Budget("ORDERS", Counts.ORDERS, Scope.ACCOUNT, 60, 2),
    ),
    endpoints={
        ("GET", "/api/v5/public/instruments"): _ep(_OKX_20),
        ("GET", "/api/v5/public/time"): _ep(_OKX_10),
        ("GET", "/api/v5/market/tickers"): _ep(_OKX_20),
        ("GET", "/api/v5/market/ticker"): _ep(_OKX_20),
        ("GET", "/api/v5/market/books"): _ep(_OKX_40),
        ("GET", "/api/v5/market/candles"): _ep(_OKX_40),
        ("GET", "/api/v5/market/history-candles"): _ep(_OKX_20),
        ("GET", "/api/v5/account/balance"): _ep(_OKX_10),
        ("GET", "/api/v5/account/positions"): _ep(_OKX_10),
        ("POST", "/api/v5/trade/order"): _ep(_OKX_60),
        ("POST", "/api/v5/trade/cancel-order"): _ep(_OKX_60),
        ("POST", "/api/v5/trade/batch-orders"): _ep(_OKX_20),
        ("POST", "/api/v5/trade/cancel-batch-orders"): _ep(_OKX_20),
        ("GET", "/api/v5/trade/order"): _ep(_OKX_60),
        ("GET", "/api/v5/trade/orders-pending"): _ep(_OKX_60),
        ("GET", "/api/v5/trade/fills"): _ep(_OKX_60),
    },
    default_weight=_OKX_10,
    approximate=True,
    note="OKX: per-endpoint limits over 2 s folded into one pool (approximate)",
)

DECLARED: dict[str, ExchangeLimits] = {e.id: e for e in (BINANCE, BINANCE_USDM, BYBIT, OKX)}

#: the generic budget's window: short, so a burst cannot be much bigger than ccxt's pace
GENERIC_WINDOW_S = 10.0


@cache
def _ccxt_rate_limit_ms(exchange_id: str) -> float | None:
    import ccxt  # lazy: only for exchanges without a declared entry

    cls = getattr(ccxt, exchange_id, None) if exchange_id in ccxt.exchanges else None
    if cls is None:
        return None
    return float(cls().rateLimit)


@cache
def limits_for(exchange_id: str) -> ExchangeLimits:
    """The declared limits, or for another ccxt exchange a generic budget of ccxt's own pace
    (one request per ``rateLimit`` ms, counted over ``GENERIC_WINDOW_S``, 1 unit/request)."""
    if exchange_id in DECLARED:
        return DECLARED[exchange_id]
    rate_ms = _ccxt_rate_limit_ms(exchange_id)
    if rate_ms is None or rate_ms <= 0:
        raise ValueError(
            f"no rate limits known for exchange {exchange_id!r}: use a ccxt exchange id "
            "(the paper venue needs no rate limiter)"
        )
    published = GENERIC_WINDOW_S * 1000 / rate_ms
    return ExchangeLimits(
        id=exchange_id,
        budgets=(Budget("REQUESTS", Counts.WEIGHT, Scope.IP, published, GENERIC_WINDOW_S),),
        default_weight=1,
        approximate=True,
        note=f"generic: ccxt rateLimit {rate_ms:g} ms per request",
    )


def _step(steps: tuple[tuple[int, float], ...], n: int) -> float:
    for up_to, weight in steps:
        if n <= up_to:
            return weight
    return steps[-1][1]


def _symbol_count(params: Mapping[str, object]) -> int | None:
    """Symbols named by the request: 1 for ``symbol``, the list length for ``symbols``
    (a list or Binance's JSON text ``["BTCUSDT","ETHUSDT"]``), None when neither."""
    if params.get("symbol"):
        return 1
    symbols = params.get("symbols")
    if not symbols:
        return None
    if isinstance(symbols, str):
        try:
            symbols = json.loads(symbols)
        except ValueError:
            symbols = symbols.split(",")
    return len(symbols) if isinstance(symbols, list | tuple) else 1


def weight_for(
    exchange_id: str, method: str, path: str, params: Mapping[str, object] | None = None
) -> float:
    """The weight of one request. ``path`` may be a full URL or ``/api/v3/...``; a query
    string in it is read as params when ``params`` is not given. Unknown endpoints cost the
    exchange's conservative ``default_weight``."""
    limits = limits_for(exchange_id)
    parts = urlsplit(path)
    clean = parts.path if parts.path.startswith("/") else "/" + parts.path
    if params is None:
        params = dict(parse_qsl(parts.query))
    endpoint = limits.endpoints.get((method.upper(), clean.rstrip("/") or "/"))
    if endpoint is None:
        return limits.default_weight
    count = _symbol_count(params)
    if endpoint.by_symbols and count is not None and count > 1:
        return _step(endpoint.by_symbols, count)
    if count is None and endpoint.no_symbol is not None:
        return endpoint.no_symbol
    if endpoint.by_limit:
        limit = params.get("limit", endpoint.default_limit)
        try:
            n = int(limit) if limit is not None else None
        except (TypeError, ValueError):
            n = None
        # unknown limit: the heaviest step, to stay on the safe side
        return _step(endpoint.by_limit, n) if n is not None else endpoint.by_limit[-1][1]
    return endpoint.weight
