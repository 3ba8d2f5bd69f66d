"""Fault injection for the local Binance server: make a path misbehave ``times`` times."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from hedgetui.exchanges.binance_server.protocol import (
    BAD_SIGNATURE,
    INSUFFICIENT,
    TOO_MUCH_WEIGHT,
    UNKNOWN_ORDER,
)

#: kind -> what the server answers instead of serving the request
FAULT_KINDS: dict[str, str] = {
    "429": "HTTP 429 (code -1003) with Retry-After",
    "418": "HTTP 418 IP ban (code -1003) with Retry-After",
    "5xx": "HTTP 502 with an HTML body (a load balancer error page)",
    "slow": "serve the request, then hold the reply for `delay` seconds",
    "slow_unprocessed": "hold for `delay` seconds, then 503, never serving the request",
    "-1003": "HTTP 200 with code -1003 (too much request weight)",
    "-2010": "HTTP 400 -2010 insufficient balance",
    "-1013": "HTTP 400 -1013 Filter failure: LOT_SIZE",
    "-2011": "HTTP 400 -2011 Unknown order sent.",
    "-1022": "HTTP 400 -1022 Signature for this request is not valid.",
}

_BODIES: dict[str, tuple[int, int, str]] = {
    "-1003": (200, -1003, TOO_MUCH_WEIGHT.format(limit=6000)),
    "-2010": (400, -2010, INSUFFICIENT),
    "-1013": (400, -1013, "Filter failure: LOT_SIZE"),
    "-2011": (400, -2011, UNKNOWN_ORDER),
    "-1022": (400, -1022, BAD_SIGNATURE),
}

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Fault:
    kind: str
    times: int
    method: str | None = None  # None = any method
    retry_after: int = 3
    delay: float = 1.0
    fired: int = 0


class Faults:
    def __init__(self) -> None:
        self._by_path: dict[str, list[Fault]] = {}

    def add(self, path: str, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {fault.kind!r}; use one of {', '.join(FAULT_KINDS)}"
            )
        if fault.times < 1:
            raise ValueError("times must be >= 1")
        self._by_path.setdefault(path, []).append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self._by_path.get(path, ()):
            if fault.fired < fault.times and fault.method in (None, method):
                fault.fired += 1
                return fault
        return None

    def clear(self) -> None:
        self._by_path.clear()


async def answer(fault: Fault, headers: dict[str, str]) -> web.Response | None:
    """The faulty answer, or None when the request should be served (``slow``)."""
    kind = fault.kind
    if kind in ("429", "418"):
        body = {"code": -1003, "msg": TOO_MUCH_WEIGHT.format(limit=6000)}
        if kind == "418":
            body["msg"] = "Way too much request weight used; IP banned until later."
        return web.json_response(
            body, status=int(kind), headers={**headers, "Retry-After": str(fault.retry_after)}
        )
    if kind == "5xx":
        return web.Response(text=HTML_502, status=502, content_type="text/html", headers=headers)
    if kind == "slow":
        return None
    if kind == "slow_unprocessed":
        await asyncio.sleep(fault.delay)
        return web.Response(text="Service Unavailable", status=503, headers=headers)
    status, code, msg = _BODIES[kind]
    return web.json_response({"code": code, "msg": msg}, status=status, headers=headers)
