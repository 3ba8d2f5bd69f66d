"""Binance spot JSON shapes built from the paper venue's domain models (numbers as strings
with 8 decimals, like Binance)."""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain import (
    Balance,
    Candle,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Ticker,
    TimeInForce,
)

ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"]
_STATUS = {
    OrderStatus.FILLED: "FILLED",
    OrderStatus.CANCELED: "CANCELED",
    OrderStatus.EXPIRED: "EXPIRED",
    OrderStatus.REJECTED: "REJECTED",
}


def num(value: Decimal | float | int | None) -> str:
    if value is None:
        return "0.00000000"
    if isinstance(value, Decimal):
        return f"{value:.8f}" if value.as_tuple().exponent >= -8 else format(value, "f")
    return f"{value:.8f}"


def symbol_json(m: Market) -> dict:
    def filt(**kw: str) -> dict:
        return kw

    return {
        "symbol": m.exchange_id,
        "status": "TRADING" if m.active else "BREAK",
        "baseAsset": m.base,
        "baseAssetPrecision": 8,
        "quoteAsset": m.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": False,
        "ocoAllowed": False,
        "otoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            filt(
                filterType="PRICE_FILTER",
                minPrice=num(m.price_step),
                maxPrice="1000000.00000000",
                tickSize=num(m.price_step),
            ),
            filt(
                filterType="LOT_SIZE",
                minQty=num(m.min_amount or m.amount_step),
                maxQty=num(m.max_amount or Decimal("9000000")),
                stepSize=num(m.amount_step),
            ),
            {
                "filterType": "NOTIONAL",
                "minNotional": num(m.min_cost or Decimal(0)),
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def ticker_json(t: Ticker, m: Market) -> dict:
    open_ = t.open if t.open is not None else t.last
    return {
        "symbol": m.exchange_id,
        "priceChange": num(t.last - open_),
        "priceChangePercent": f"{(t.last / open_ - 1) * 100:.3f}" if open_ else "0.000",
        "weightedAvgPrice": num(t.quote_volume / t.base_volume if t.base_volume else t.last),
        "prevClosePrice": num(open_),
        "lastPrice": num(t.last),
        "lastQty": "0.00000000",
        "bidPrice": num(t.bid),
        "bidQty": "1.00000000",
        "askPrice": num(t.ask),
        "askQty": "1.00000000",
        "openPrice": num(open_),
        "highPrice": num(t.high),
        "lowPrice": num(t.low),
        "volume": num(t.base_volume),
        "quoteVolume": num(t.quote_volume),
        "openTime": t.timestamp - 86_400_000,
        "closeTime": t.timestamp,
        "firstId": 0,
        "lastId": 0,
        "count": 0,
    }


def kline_json(c: Candle, period_ms: int) -> list:
    return [
        c.ts,
        num(c.open),
        num(c.high),
        num(c.low),
        num(c.close),
        num(c.volume),
        c.ts + period_ms - 1,
        num(c.volume * c.close),
        0,
        "0.00000000",
        "0.00000000",
        "0",
    ]


def depth_json(book: OrderBook, update_id: int) -> dict:
    return {
        "lastUpdateId": update_id,
        "bids": [[num(p), num(q)] for p, q in book.bids],
        "asks": [[num(p), num(q)] for p, q in book.asks],
    }


def order_type(o: Order) -> str:
    if o.type is OrderType.LIMIT:
        return "LIMIT_MAKER" if o.time_in_force is TimeInForce.PO else "LIMIT"
    return {
        OrderType.MARKET: "MARKET",
        OrderType.STOP_MARKET: "STOP_LOSS",
        OrderType.STOP_LIMIT: "STOP_LOSS_LIMIT",
    }[o.type]


def order_status(o: Order) -> str:
    if o.status is OrderStatus.OPEN:
        return "PARTIALLY_FILLED" if o.filled > 0 else "NEW"
    return _STATUS.get(o.status, "NEW")


def order_json(o: Order, m: Market, *, full: bool = True) -> dict:
    tif = "GTC" if o.time_in_force is TimeInForce.PO else o.time_in_force.value
    quote_qty = (o.average or Decimal(0)) * o.filled
    out = {
        "symbol": m.exchange_id,
        "orderId": int(o.id),
        "orderListId": -1,
        "clientOrderId": o.client_id,
        "price": num(o.price),
        "origQty": num(o.amount),
        "executedQty": num(o.filled),
        "cummulativeQuoteQty": num(quote_qty),
        "status": order_status(o),
        "timeInForce": tif,
        "type": order_type(o),
        "side": o.side.value.upper(),
        "stopPrice": num(o.stop_price),
        "icebergQty": "0.00000000",
        "time": o.created_at,
        "updateTime": o.updated_at,
        "isWorking": not (o.type.is_stop and o.status is OrderStatus.OPEN and not o.filled),
        "workingTime": o.created_at,
        "origQuoteOrderQty": "0.00000000",
        "selfTradePreventionMode": "NONE",
    }
    if not full:
        out.pop("icebergQty")
    return out


def fill_json(f: Fill, m: Market) -> dict:
    return {
        "symbol": m.exchange_id,
        "id": int(f.id),
        "orderId": int(f.order_id),
        "orderListId": -1,
        "price": num(f.price),
        "qty": num(f.amount),
        "quoteQty": num(f.price * f.amount),
        "commission": num(f.fee),
        "commissionAsset": f.fee_currency,
        "time": f.timestamp,
        "isBuyer": f.side.value == "buy",
        "isMaker": not f.taker,
        "isBestMatch": True,
    }


def order_fill_json(f: Fill) -> dict:
    return {
        "price": num(f.price),
        "qty": num(f.amount),
        "commission": num(f.fee),
        "commissionAsset": f.fee_currency,
        "tradeId": int(f.id),
    }


def balance_json(b: Balance) -> dict:
    return {"asset": b.asset, "free": num(b.free), "locked": num(b.used)}
