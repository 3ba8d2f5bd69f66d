"""Binance's error vocabulary, request signing check and the paper-engine error mapping."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass

from hedgetui.exchanges.errors import (
    BadRequest,
    BadSymbol,
    ExchangeError,
    InsufficientFunds,
    InvalidOrder,
    OrderImmediatelyFillable,
    OrderNotFound,
)

MAX_RECV_WINDOW = 60_000
DEFAULT_RECV_WINDOW = 5_000

INSUFFICIENT = "Account has insufficient balance for requested action."
WOULD_TAKE = "Order would immediately match and take."
UNKNOWN_ORDER = "Unknown order sent."
NO_SUCH_ORDER = "Order does not exist."
BAD_SIGNATURE = "Signature for this request is not valid."
BAD_KEY = "Invalid API-key, IP, or permissions for action."
OUTSIDE_WINDOW = "Timestamp for this request is outside of the recvWindow."
TOO_MUCH_WEIGHT = (
    "Too much request weight used; current limit is {limit} request weight per 1 MINUTE. "
    "Please use WebSocket Streams for live updates to avoid polling the API."
)


@dataclass
class BinanceError(Exception):
    """An error answer: HTTP ``status`` with body ``{"code": code, "msg": msg}``."""

    status: int
    code: int
    msg: str

    def body(self) -> dict:
        return {"code": self.code, "msg": self.msg}


def mandatory(name: str) -> BinanceError:
    return BinanceError(
        400, -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def check_signature(
    payload: str, signature: str | None, secret: str, params: Mapping[str, str]
) -> None:
    """HMAC-SHA256 (hex) over the exact query string / form body, then the time window."""
    if not signature:
        raise mandatory("signature")
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise BinanceError(400, -1022, BAD_SIGNATURE)
    raw_ts = params.get("timestamp")
    if not raw_ts:
        raise mandatory("timestamp")
    try:
        ts = int(raw_ts)
        window = int(params.get("recvWindow", DEFAULT_RECV_WINDOW))
    except ValueError:
        raise BinanceError(400, -1100, "Illegal characters found in a parameter.") from None
    if not 0 < window <= MAX_RECV_WINDOW:
        raise BinanceError(400, -1131, "recvWindow must be less than 60000")
    now = time.time_ns() // 1_000_000  # real time: ccxt signs with the system clock
    if ts < now - window or ts > now + 1000:
        raise BinanceError(400, -1021, OUTSIDE_WINDOW)


def strip_signature(raw: str) -> tuple[str, str | None]:
    """Split ``a=1&b=2&signature=xx`` into the signed payload and the signature."""
    parts = raw.split("&") if raw else []
    kept = [p for p in parts if not p.startswith("signature=")]
    sig = next((p.split("=", 1)[1] for p in parts if p.startswith("signature=")), None)
    return "&".join(kept), sig


def from_engine(exc: ExchangeError, *, cancel: bool = False, query: bool = False) -> BinanceError:
    """The Binance answer for an exception raised by the paper engine."""
    text = str(exc)
    if isinstance(exc, OrderNotFound):
        return (
            BinanceError(400, -2013, NO_SUCH_ORDER)
            if query and not cancel
            else BinanceError(400, -2011, UNKNOWN_ORDER)
        )
    if isinstance(exc, InsufficientFunds):
        return BinanceError(400, -2010, INSUFFICIENT)
    if isinstance(exc, OrderImmediatelyFillable):
        return BinanceError(400, -2010, WOULD_TAKE)
    if isinstance(exc, BadSymbol):
        return BinanceError(400, -1121, "Invalid symbol.")
    for name in ("LOT_SIZE", "PRICE_FILTER", "NOTIONAL"):
        if f"Filter failure: {name}" in text:
            return BinanceError(400, -1013, f"Filter failure: {name}")
    if "Duplicate order" in text:
        return BinanceError(400, -2010, "Duplicate order sent.")
    if "immediately trigger" in text:
        return BinanceError(400, -2010, "Order would trigger immediately.")
    if isinstance(exc, InvalidOrder | BadRequest):
        return BinanceError(400, -1013, text)
    return BinanceError(400, -1000, "An unknown error occurred while processing the request.")
