"""A Binance-compatible spot REST server backed by the paper venue.

Real ccxt (``exchange = "binance"`` with ``api_url``) talks to it exactly as to Binance:
same paths, signing, JSON shapes, error codes and request-weight accounting. It serves the
venue's spot markets; each API key maps to one paper account.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from aiohttp import web

from hedgetui.domain import (
    TIMEFRAMES,
    Market,
    MarketType,
)
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.exchanges.binance_server import shapes
from hedgetui.exchanges.binance_server.faults import Fault, Faults, answer
from hedgetui.exchanges.binance_server.protocol import (
    BAD_KEY,
    TOO_MUCH_WEIGHT,
    BinanceError,
    check_signature,
    from_engine,
    mandatory,
    strip_signature,
)
from hedgetui.exchanges.binance_server.trading import PARAMS, KeyGrant, TradingRoutes
from hedgetui.exchanges.binance_server.weights import DEFAULT_LIMIT, WeightMeter
from hedgetui.exchanges.errors import ExchangeError
from hedgetui.exchanges.paper import PaperVenue

RAW = web.RequestKey("raw", tuple)  # (raw query string, raw body)


@dataclass(frozen=True)
class Seen:
    """One request as the server received it (signature removed)."""

    method: str
    path: str
    params: dict[str, str]
    api_key: str | None


@dataclass
class BinanceServer(TradingRoutes):
    venue: PaperVenue
    keys: dict[str, KeyGrant]
    meter: WeightMeter = field(default_factory=WeightMeter)
    faults: Faults = field(default_factory=Faults)
    requests: list[Seen] = field(default_factory=list)
    runner: web.AppRunner | None = None
    url: str = ""  # base URL once started
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # ---- test / operator API ------------------------------------------------------------

    def inject(
        self,
        path: str,
        kind: str,
        times: int = 1,
        *,
        method: str | None = None,
        retry_after: int = 3,
        delay: float = 1.0,
    ) -> None:
        """Make the next ``times`` requests to ``path`` fail with ``kind`` (see FAULT_KINDS)."""
        self.faults.add(path, Fault(kind, times, method, retry_after, delay))

    def seen(self, path: str, method: str | None = None) -> list[Seen]:
        return [r for r in self.requests if r.path == path and method in (None, r.method)]

    def grant(self, api_key: str, *, can_trade: bool = True, can_withdraw: bool = False) -> None:
        self.keys[api_key].can_trade = can_trade
        self.keys[api_key].can_withdraw = can_withdraw

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    # ---- the app ------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        get, post, delete = app.router.add_get, app.router.add_post, app.router.add_delete
        get("/api/v3/ping", self.ping)
        get("/api/v3/time", self.time)
        get("/api/v3/exchangeInfo", self.exchange_info)
        get("/api/v3/ticker/24hr", self.ticker_24hr)
        get("/api/v3/klines", self.klines)
        get("/api/v3/depth", self.depth)
        get("/api/v3/account", self.account)
        post("/api/v3/order", self.new_order)
        get("/api/v3/order", self.query_order)
        delete("/api/v3/order", self.cancel_order)
        get("/api/v3/openOrders", self.open_orders)
        delete("/api/v3/openOrders", self.cancel_open_orders)
        get("/api/v3/myTrades", self.my_trades)
        get("/sapi/v1/account/apiRestrictions", self.api_restrictions)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        raw_query = request.rel_url.raw_query_string
        raw_body = await request.text() if request.can_read_body else ""
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        params.update(parse_qsl(raw_body, keep_blank_values=True))
        request[RAW] = (raw_query, raw_body)
        request[PARAMS] = params
        public = {k: v for k, v in params.items() if k != "signature"}
        self.requests.append(
            Seen(request.method, request.path, public, request.headers.get("X-MBX-APIKEY"))
        )
        ip = request.remote or "?"
        used = self.meter.charge(ip, request.method, request.path, public)
        headers = {"X-MBX-USED-WEIGHT-1M": str(used)}
        if used > self.meter.limit:
            self.meter.rejected += 1
            body = {"code": -1003, "msg": TOO_MUCH_WEIGHT.format(limit=self.meter.limit)}
            headers["Retry-After"] = str(self.meter.retry_after_s())
            return web.json_response(body, status=429, headers=headers)
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            faulty = await answer(fault, headers)
            if faulty is not None:
                return faulty
        try:
            response = await handler(request)
        except BinanceError as err:
            response = web.json_response(err.body(), status=err.status)
        except ExchangeError as exc:  # an engine error no handler mapped more precisely
            err = from_engine(exc)
            response = web.json_response(err.body(), status=err.status)
        except web.HTTPException as http:
            response = http
        if fault is not None:  # "slow": served, but the reply arrives after the client gave up
            await asyncio.sleep(fault.delay)
        response.headers.update(headers)
        return response

    # ---- helpers ------------------------------------------------------------------------

    def _spot(self) -> dict[str, Market]:
        return {
            m.exchange_id: m
            for m in self.venue.load_markets().values()
            if m.type is MarketType.SPOT and m.exchange_id
        }

    def _market(self, params: Mapping[str, str], required: bool = True) -> Market | None:
        market_id = params.get("symbol")
        if not market_id:
            if required:
                raise mandatory("symbol")
            return None
        market = self._spot().get(market_id.upper())
        if market is None:
            raise BinanceError(400, -1121, "Invalid symbol.")
        return market

    def _auth(self, request: web.Request, trade: bool = False) -> str:
        key = request.headers.get("X-MBX-APIKEY")
        if not key:
            raise BinanceError(401, -2014, "API-key format invalid.")
        grant = self.keys.get(key)
        if grant is None:
            raise BinanceError(401, -2015, BAD_KEY)
        raw_query, raw_body = request[RAW]
        query, sig_q = strip_signature(raw_query)
        body, sig_b = strip_signature(raw_body)
        check_signature(query + body, sig_q or sig_b, grant.secret, request[PARAMS])
        if trade and not grant.can_trade:
            raise BinanceError(401, -2015, BAD_KEY)
        return grant.account

    @staticmethod
    def _decimal(params: Mapping[str, str], name: str, required: bool = False) -> Decimal | None:
        raw = params.get(name)
        if raw in (None, ""):
            if required:
                raise mandatory(name)
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise BinanceError(
                400, -1100, f"Illegal characters found in parameter '{name}'."
            ) from None
        return value if value.is_finite() else None

    @staticmethod
    def _int(params: Mapping[str, str], name: str, default: int | None = None) -> int | None:
        raw = params.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except ValueError:
            raise BinanceError(
                400, -1100, f"Illegal characters found in parameter '{name}'."
            ) from None

    def _now(self) -> int:
        return self.venue.clock.now_ms()

    # ---- public -------------------------------------------------------------------------

    async def ping(self, request: web.Request) -> web.Response:
        return web.json_response({})

    async def time(self, request: web.Request) -> web.Response:
        return web.json_response({"serverTime": SystemClock().now_ms()})

    async def exchange_info(self, request: web.Request) -> web.Response:
        markets = self._spot()
        params = request[PARAMS]
        wanted = params.get("symbol")
        if wanted:
            self._market(params)
            markets = {wanted.upper(): markets[wanted.upper()]}
        limits = [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": self.meter.limit,
            },
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        ]
        return web.json_response(
            {
                "timezone": "UTC",
                "serverTime": self._now(),
                "rateLimits": limits,
                "exchangeFilters": [],
                "symbols": [shapes.symbol_json(m) for m in markets.values()],
            }
        )

    def _symbols_param(self, params: Mapping[str, str]) -> list[Market]:
        try:
            ids = json.loads(params["symbols"])
        except ValueError:
            raise BinanceError(
                400, -1100, "Illegal characters found in parameter 'symbols'."
            ) from None
        return [self._market({"symbol": str(i)}) for i in ids]

    async def ticker_24hr(self, request: web.Request) -> web.Response:
        params = request[PARAMS]
        if params.get("symbol"):
            m = self._market(params)
            t = self.venue.tickers([m.symbol])[m.symbol]
            return web.json_response(shapes.ticker_json(t, m))
        chosen = (
            self._symbols_param(params) if params.get("symbols") else list(self._spot().values())
        )
        tickers = self.venue.tickers([m.symbol for m in chosen])
        return web.json_response([shapes.ticker_json(tickers[m.symbol], m) for m in chosen])

    async def klines(self, request: web.Request) -> web.Response:
        params = request[PARAMS]
        m = self._market(params)
        interval = params.get("interval")
        if not interval:
            raise mandatory("interval")
        if interval not in TIMEFRAMES:
            raise BinanceError(400, -1120, "Invalid interval.")
        limit = max(1, min(self._int(params, "limit", 500), 1000))
        start, end = self._int(params, "startTime"), self._int(params, "endTime")
        candles = self.venue.ohlcv(m.symbol, interval, start, None if end is not None else limit)
        if end is not None:
            candles = [c for c in candles if c.ts <= end]
            candles = candles[:limit] if start is not None else candles[-limit:]
        period = TIMEFRAMES[interval]
        return web.json_response([shapes.kline_json(c, period) for c in candles])

    async def depth(self, request: web.Request) -> web.Response:
        params = request[PARAMS]
        m = self._market(params)
        limit = max(1, min(self._int(params, "limit", 100), 5000))
        book = self.venue.order_book(m.symbol, limit)
        return web.json_response(shapes.depth_json(book, self._now()))


async def start_server(
    venue: PaperVenue,
    accounts: Mapping[str, tuple[str, str]],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    weight_limit: int = DEFAULT_LIMIT,
    window_clock: Clock | None = None,
) -> tuple[str, BinanceServer]:
    """Serve ``venue`` Binance-style. ``accounts`` maps api key -> (secret, paper account).

    Returns the base URL (``http://127.0.0.1:PORT``) and the server; ``await server.close()``
    stops it. ``window_clock`` drives the per-minute weight windows (default: system time).
    """
    for key, (_secret, account) in accounts.items():
        venue.account(account)  # unknown account: fail now, with the list of known ones
        if not key:
            raise ValueError("an api key must not be empty")
    server = BinanceServer(
        venue=venue,
        keys={k: KeyGrant(s, a) for k, (s, a) in accounts.items()},
        meter=WeightMeter(limit=weight_limit, clock=window_clock or SystemClock()),
    )
    runner = web.AppRunner(server.app(), access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server.runner = runner
    sockets = site._server.sockets if site._server else ()  # the real port when port=0
    bound = sockets[0].getsockname()[1] if sockets else port
    server.url = f"http://{host}:{bound}"
    return server.url, server
