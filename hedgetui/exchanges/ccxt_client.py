"""Building a ccxt client for one account: options, sandbox, api_url, the shared request gate,
and error text without secrets.

Every request a ccxt method makes goes through ``fetch2``; the adapter replaces it on the
instance so that the request first passes the shared :class:`RequestGate` (with the
endpoint's weight and the calling method's priority). ccxt's own per-instance throttler is
off (``enableRateLimit=False``): one instance per account would otherwise multiply the IP
budget by the number of accounts.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import re
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlparse

import ccxt.async_support as ccxt_async

from hedgetui.exchanges.base import OpenGate, Priority, RequestGate
from hedgetui.exchanges.limits import weight_for

#: options that keep ccxt on the endpoints a spot account uses (no futures/margin catalog
#: calls on load_markets, no warning when listing open orders across symbols)
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "binance": {
        "fetchMarkets": {"types": ["spot"]},
        "fetchMargins": False,
        "fetchCurrencies": False,
        "warnOnFetchOpenOrdersWithoutSymbol": False,
    },
}
#: when the exchange answers 429/418 (or an equivalent body code) without Retry-After
DEFAULT_PENALTY_S = 5.0
DEFAULT_TIMEOUT_MS = 10_000
#: how long a graceful close may take before the connections are aborted
CLOSE_TIMEOUT_S = 3.0
T = TypeVar("T")

# ccxt logs every request at DEBUG with its headers (API key) and signed URL: give clients a
# logger that never emits DEBUG, whatever level the application configures at the root.
_CCXT_LOG = logging.getLogger("hedgetui.exchanges.ccxt")
_CCXT_LOG.setLevel(logging.INFO)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallContext:
    """What the adapter method currently running asked for: its priority, and whether its
    sending request (the first non-GET) places an order and takes an order slot."""

    priority: Priority = Priority.MARKET
    places_order: bool = False


_CONTEXT: contextvars.ContextVar[CallContext] = contextvars.ContextVar(
    "hedgetui_ccxt_call",
    default=CallContext(),  # noqa: B039 - frozen dataclass, immutable
)


@contextlib.contextmanager
def calling(priority: Priority, places_order: bool = False) -> Iterator[None]:
    token = _CONTEXT.set(CallContext(priority, places_order))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


# ---- construction ------------------------------------------------------------------------


def merged_options(exchange_id: str, ccxt_options: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults for the exchange, overridden key by key by the account's ``ccxt_options``."""
    options = {
        k: (dict(v) if isinstance(v, dict) else v)
        for k, v in DEFAULT_OPTIONS.get(exchange_id, {}).items()
    }
    for key, value in (ccxt_options or {}).items():
        if isinstance(value, dict) and isinstance(options.get(key), dict):
            options[key] = {**options[key], **value}
        else:
            options[key] = value
    return options


def build_client(
    exchange_id: str,
    credentials: dict[str, str] | None = None,
    *,
    sandbox: bool = False,
    api_url: str | None = None,
    ccxt_options: dict[str, Any] | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Any:
    """A ccxt async client. Precedence: sandbox swaps in the exchange's test URLs first, then
    ``api_url`` replaces the main host of whatever URLs are active (so with both, requests go
    to ``api_url``; sandbox still sets its other switches, e.g. okx's simulated-trading
    header)."""
    cls = getattr(ccxt_async, exchange_id, None)
    if cls is None or exchange_id not in ccxt_async.exchanges:
        raise ValueError(f"unknown exchange {exchange_id!r}: use a ccxt exchange id, e.g. binance")
    config: dict[str, Any] = {
        "enableRateLimit": False,
        "timeout": timeout_ms,
        "options": merged_options(exchange_id, ccxt_options),
    }
    config.update({k: v for k, v in (credentials or {}).items() if v})
    client = cls(config)
    client.logger = _CCXT_LOG
    client.verbose = False
    if sandbox:
        client.set_sandbox_mode(True)
    if api_url:
        client.urls["api"], changed = rewrite_api_urls(client.urls["api"], api_url)
        if not changed:
            raise ValueError(f"{exchange_id}: could not find a REST URL to replace with api_url")
    return client


_ORIGIN = re.compile(r"^(https?://[^/]+)(.*)$")


def main_origin(api: Any) -> str | None:
    """The exchange's default REST origin (scheme + host) in ``urls['api']``: the one of its
    ``public``/``rest``/``spot`` entry, else of the first http(s) URL found."""
    if isinstance(api, str):
        match = _ORIGIN.match(api)
        return match.group(1) if match else None
    if isinstance(api, dict):
        for key in ("public", "rest", "spot"):
            if isinstance(api.get(key), str) and (match := _ORIGIN.match(api[key])):
                return match.group(1)
        for value in api.values():
            found = main_origin(value)
            if found:
                return found
    return None


def rewrite_api_urls(api: Any, api_url: str) -> tuple[Any, int]:
    """Replace the default origin by ``api_url`` in every (nested) URL, keeping each path.
    URLs on other hosts (e.g. Binance futures' fapi/dapi) are left alone. Templates such as
    ``https://api.{hostname}`` are origins too, so bybit/okx are rewritten the same way.
    Returns the new structure and how many URLs changed."""
    origin = main_origin(api)
    base = api_url.rstrip("/")
    count = 0

    def walk(value: Any) -> Any:
        nonlocal count
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, str) and origin:
            match = _ORIGIN.match(value)
            if match and match.group(1) == origin:
                count += 1
                return base + match.group(2)
        return value

    return walk(api), count


# ---- the gate ----------------------------------------------------------------------------


def install_gate(client: Any, gate: RequestGate, account: str | None) -> None:
    """Route every request of ``client`` through ``gate`` and report 429/418 to it."""
    exchange_id = client.id
    original_paths = _api_paths(client.urls.get("api"))
    fetch2 = client.fetch2
    handle_errors = client.handle_errors

    async def gated_fetch2(path, api="public", method="GET", params=None, config=None):
        params = {} if params is None else params  # ccxt passes {} or a list body
        config = {} if config is None else config
        ctx = _CONTEXT.get()
        weight = request_weight(client, exchange_id, original_paths, path, api, method, params)
        orders = 1 if ctx.places_order and method.upper() != "GET" else 0
        await gate.acquire(weight, priority=ctx.priority, account=account, orders=orders)
        return await fetch2(path, api, method, params, config)

    def penalizing_handle_errors(code, reason, url, method, headers, body, response, *rest):
        status = int(code or 0)
        body_code = response.get("code") if isinstance(response, dict) else None
        if status in (418, 429) or (exchange_id.startswith("binance") and body_code == -1003):
            gate.penalize(
                retry_after(headers) or DEFAULT_PENALTY_S,
                status=status,
                reason=f"{exchange_id} answered HTTP {status}"
                + (f" code {body_code}" if body_code is not None else ""),
            )
        return handle_errors(code, reason, url, method, headers, body, response, *rest)

    client.fetch2 = gated_fetch2
    client.handle_errors = penalizing_handle_errors


def _api_paths(api: Any) -> dict[str, str]:
    """api name -> URL path prefix, taken before any api_url rewrite (e.g. public -> /api/v3)."""
    if not isinstance(api, dict):
        return {}
    return {k: urlparse(v).path for k, v in api.items() if isinstance(v, str)}


def request_weight(client, exchange_id, paths, path, api, method, params) -> float:
    """The endpoint's weight from the rate limiter's table (by REST path and parameters)."""
    api_name = api[0] if isinstance(api, list | tuple) else api
    if exchange_id == "okx":  # okx builds /api/<version>/<path> on one host
        full = f"/api/{client.version}/{path}"
    else:  # binance, bybit...: the api's base URL path + path
        full = f"{paths.get(api_name, '')}/{path}"
    # implicit endpoints may carry a list body (okx batch-orders): no query parameters then
    query = dict(params) if isinstance(params, dict) else {}
    return float(weight_for(exchange_id, method.upper(), full, query))


def retry_after(headers: dict | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds form), if any."""
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


# ---- secrets out of error text -----------------------------------------------------------

_SIGNED = re.compile(
    r"(?i)(signature|sign|apikey|api_key|secret|passphrase|password|x-mbx-apikey|"
    r"ok-access-key|ok-access-sign|x-bapi-api-key|x-bapi-sign)"
    r"([=:]\s*|\"\s*:\s*\"|'\s*:\s*')[^&\s\"',}]+"
)


def redact(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """Remove secret values and signed query parameters from ``text``."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return _SIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


# ---- lifecycle ---------------------------------------------------------------------------


def shared(aw: Awaitable[T]) -> Awaitable[T]:
    """Await ``aw`` (work other callers share, e.g. ccxt's one market-loading task) so that
    cancelling this caller does not cancel it for the others: ccxt hands every concurrent
    caller the same task, and a cancelled caller would otherwise cancel it - another
    account's poller would then die of a CancelledError it never asked for. The error of the
    work is marked retrieved, since after a cancel nobody may await it."""
    task = asyncio.ensure_future(aw)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return asyncio.shield(task)


async def close_client(client: Any, timeout: float = CLOSE_TIMEOUT_S) -> None:
    """Close a ccxt client's HTTP session within about ``timeout`` seconds. A peer that
    stopped answering (dead network) could otherwise hold each TLS close handshake ~30 s, and
    a trader's quit with it: past ``timeout`` the connections are aborted, and if ccxt still
    has not returned one more ``timeout`` later, the close is abandoned."""
    connections = open_connections(client)
    closing = asyncio.ensure_future(client.close())
    try:
        done, _ = await asyncio.wait({closing}, timeout=timeout)
        if not done:
            log.warning("%s: closing the client takes long; aborting its connections", client.id)
            for proto in connections:
                proto.abort()
            done, _ = await asyncio.wait({closing}, timeout=timeout)
    finally:
        if not closing.done():
            closing.cancel()
    if done:
        closing.result()


def open_connections(client: Any) -> list[Any]:
    """The client's pooled and in-use aiohttp connections (protocols with ``abort()``), to
    cut them if closing hangs. Best effort: reads aiohttp internals, [] if they change."""
    connector = getattr(client, "tcp_connector", None)
    try:
        pooled = [proto for conns in connector._conns.values() for proto, _ in conns]
        return pooled + list(connector._acquired)
    except (AttributeError, TypeError):
        return []


__all__ = [
    "CallContext",
    "DEFAULT_OPTIONS",
    "OpenGate",
    "build_client",
    "calling",
    "close_client",
    "install_gate",
    "main_origin",
    "merged_options",
    "open_connections",
    "redact",
    "retry_after",
    "rewrite_api_urls",
    "shared",
]
