"""The signed (account and trading) endpoints of the local Binance server."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from aiohttp import web

from hedgetui.domain import Market, OrderRequest, OrderType, Side, TimeInForce
from hedgetui.exchanges.binance_server import shapes
from hedgetui.exchanges.binance_server.protocol import BinanceError, from_engine, mandatory
from hedgetui.exchanges.errors import ExchangeError
from hedgetui.exchanges.paper import PaperVenue

PARAMS = web.RequestKey("params", dict)

_TYPES = {
    "LIMIT": (OrderType.LIMIT, None),
    "LIMIT_MAKER": (OrderType.LIMIT, TimeInForce.PO),
    "MARKET": (OrderType.MARKET, None),
    "STOP_LOSS": (OrderType.STOP_MARKET, None),
    "STOP_LOSS_LIMIT": (OrderType.STOP_LIMIT, None),
}


@dataclass
class KeyGrant:
    secret: str
    account: str
    can_trade: bool = True
    can_withdraw: bool = False


class TradingRoutes:
    """Mixed into BinanceServer, which provides the venue, keys and request helpers."""

    venue: PaperVenue
    keys: dict[str, KeyGrant]
    _ids: itertools.count

    # ---- signed -------------------------------------------------------------------------

    async def account(self, request: web.Request) -> web.Response:
        account = self._auth(request)
        grant = self.keys[request.headers["X-MBX-APIKEY"]]
        balances = [b for b in self.venue.balances(account) if b.total or b.used]
        return web.json_response(
            {
                "makerCommission": 10,
                "takerCommission": 10,
                "buyerCommission": 0,
                "sellerCommission": 0,
                "commissionRates": {
                    "maker": "0.00100000",
                    "taker": "0.00100000",
                    "buyer": "0.00000000",
                    "seller": "0.00000000",
                },
                "canTrade": grant.can_trade,
                "canWithdraw": grant.can_withdraw,
                "canDeposit": True,
                "brokered": False,
                "requireSelfTradePrevention": False,
                "preventSor": False,
                "updateTime": self._now(),
                "accountType": "SPOT",
                "balances": [shapes.balance_json(b) for b in balances],
                "permissions": ["SPOT"],
                "uid": 1000 + list(self.keys).index(request.headers["X-MBX-APIKEY"]),
            }
        )

    async def api_restrictions(self, request: web.Request) -> web.Response:
        self._auth(request)
        grant = self.keys[request.headers["X-MBX-APIKEY"]]
        return web.json_response(
            {
                "ipRestrict": False,
                "createTime": 1_700_000_000_000,
                "enableReading": True,
                "enableWithdrawals": grant.can_withdraw,
                "enableInternalTransfer": False,
                "enableMargin": False,
                "enableFutures": False,
                "permitsUniversalTransfer": False,
                "enableVanillaOptions": False,
                "enableFixApiTrade": False,
                "enableFixReadOnly": False,
                "enableSpotAndMarginTrading": grant.can_trade,
                "enablePortfolioMarginTrading": False,
            }
        )

    def _order_request(self, params: Mapping[str, str], m: Market) -> OrderRequest:
        side_raw = params.get("side") or ""
        if side_raw.upper() not in ("BUY", "SELL"):
            raise mandatory("side")
        type_raw = (params.get("type") or "").upper()
        if not type_raw:
            raise mandatory("type")
        if type_raw not in _TYPES:
            raise BinanceError(400, -1116, "Invalid orderType.")
        type_, tif = _TYPES[type_raw]
        amount = self._decimal(params, "quantity")
        if amount is None and type_raw == "MARKET" and params.get("quoteOrderQty"):
            quote = self._decimal(params, "quoteOrderQty")
            last = Decimal(repr(self.venue.tickers([m.symbol])[m.symbol].last))
            amount = m.round_amount(quote / last)
        if amount is None:
            raise mandatory("quantity")
        if tif is None and type_ in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            raw_tif = params.get("timeInForce")
            if not raw_tif:
                raise mandatory("timeInForce")
            if raw_tif not in ("GTC", "IOC", "FOK"):
                raise BinanceError(400, -1115, "Invalid timeInForce.")
            tif = TimeInForce(raw_tif)
        return OrderRequest(
            symbol=m.symbol,
            side=Side(side_raw.lower()),
            type=type_,
            amount=amount,
            client_id=params.get("newClientOrderId") or f"srv{secrets.token_hex(8)}",
            price=self._decimal(params, "price", required=type_.has_price),
            stop_price=self._decimal(params, "stopPrice", required=type_.is_stop),
            time_in_force=tif or TimeInForce.GTC,
        )

    async def new_order(self, request: web.Request) -> web.Response:
        account = self._auth(request, trade=True)
        params = request[PARAMS]
        m = self._market(params)
        order_request = self._order_request(params, m)
        try:
            order = self.venue.place_order(account, order_request)
        except ExchangeError as exc:
            raise from_engine(exc) from None
        ack = {
            "symbol": m.exchange_id,
            "orderId": int(order.id),
            "orderListId": -1,
            "clientOrderId": order.client_id,
            "transactTime": order.created_at,
        }
        default = "FULL" if order.type in (OrderType.MARKET, OrderType.LIMIT) else "ACK"
        resp_type = (params.get("newOrderRespType") or default).upper()
        if resp_type == "ACK":
            return web.json_response(ack)
        body = {**ack, **shapes.order_json(order, m, full=False)}
        body.pop("time", None)
        body.pop("updateTime", None)
        body.pop("isWorking", None)
        if resp_type == "FULL":
            fills = self.venue.my_trades(account, m.symbol)
            body["fills"] = [shapes.order_fill_json(f) for f in fills if f.order_id == order.id]
        return web.json_response(body)

    def _ids_of(self, params: Mapping[str, str]) -> tuple[str | None, str | None]:
        order_id, client_id = params.get("orderId"), params.get("origClientOrderId")
        if not order_id and not client_id:
            raise BinanceError(
                400,
                -1102,
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            )
        return order_id or None, client_id or None

    async def query_order(self, request: web.Request) -> web.Response:
        account = self._auth(request)
        params = request[PARAMS]
        m = self._market(params)
        order_id, client_id = self._ids_of(params)
        try:
            order = self.venue.get_order(account, order_id, client_id, m.symbol)
        except ExchangeError as exc:
            raise from_engine(exc, query=True) from None
        return web.json_response(shapes.order_json(order, m))

    def _cancel_json(self, order, m: Market, cancel_id: str | None) -> dict:
        body = shapes.order_json(order, m, full=False)
        for key in ("time", "updateTime", "isWorking", "workingTime", "origQuoteOrderQty"):
            body.pop(key, None)
        body["origClientOrderId"] = order.client_id
        body["clientOrderId"] = cancel_id or f"cancel{next(self._ids)}"
        body["transactTime"] = order.updated_at
        return body

    async def cancel_order(self, request: web.Request) -> web.Response:
        account = self._auth(request, trade=True)
        params = request[PARAMS]
        m = self._market(params)
        order_id, client_id = self._ids_of(params)
        try:
            order = self.venue.cancel_order(account, order_id, client_id, m.symbol)
        except ExchangeError as exc:
            raise from_engine(exc, cancel=True) from None
        return web.json_response(self._cancel_json(order, m, params.get("newClientOrderId")))

    async def open_orders(self, request: web.Request) -> web.Response:
        account = self._auth(request)
        params = request[PARAMS]
        m = self._market(params, required=False)
        spot = self._spot()
        by_symbol = {x.symbol: x for x in spot.values()}
        orders = self.venue.open_orders(account, m.symbol if m else None)
        return web.json_response(
            [shapes.order_json(o, by_symbol[o.symbol]) for o in orders if o.symbol in by_symbol]
        )

    async def cancel_open_orders(self, request: web.Request) -> web.Response:
        account = self._auth(request, trade=True)
        m = self._market(request[PARAMS])
        canceled = self.venue.cancel_all(account, m.symbol)
        if not canceled:  # Binance answers -2011 when there was nothing to cancel
            raise BinanceError(400, -2011, "Unknown order sent.")
        return web.json_response([self._cancel_json(o, m, None) for o in canceled])

    async def my_trades(self, request: web.Request) -> web.Response:
        account = self._auth(request)
        params = request[PARAMS]
        m = self._market(params)
        limit = max(1, min(self._int(params, "limit", 500), 1000))
        start, end = self._int(params, "startTime"), self._int(params, "endTime")
        fills = self.venue.my_trades(account, m.symbol, start, None)
        order_id, from_id = params.get("orderId"), self._int(params, "fromId")
        fills = [
            f
            for f in fills
            if (end is None or f.timestamp <= end)
            and (order_id is None or f.order_id == order_id)
            and (from_id is None or int(f.id) >= from_id)
        ]
        fills = fills[:limit] if (start is not None or from_id is not None) else fills[-limit:]
        return web.json_response([shapes.fill_json(f, m) for f in fills])
