"""CcxtExchange: the :class:`Exchange` for one live account, through ``ccxt.async_support``.

* Every request passes the shared :class:`RequestGate` (weight, priority, order slot) - see
  :mod:`hedgetui.exchanges.ccxt_client`; 429/418 answers penalize the gate.
* Errors are ccxt's own classes, re-raised with secrets and signed query strings removed.
* The adapter never loops on errors (the runtime supervisor backs off), with one exception:
  when sending an order fails in a way that leaves its fate unknown (timeout, 5xx, 429...),
  it looks the client order id up before giving up, so an order is never sent twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from ccxt.base.errors import ArgumentsRequired, BaseError

from hedgetui.domain import (
    Balance,
    Candle,
    Fill,
    Market,
    MarketType,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Ticker,
    TimeInForce,
)
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.exchanges import ccxt_convert as convert
from hedgetui.exchanges.base import Exchange, OpenGate, Priority, RequestGate
from hedgetui.exchanges.ccxt_check import AccountCheck, AccountChecks
from hedgetui.exchanges.ccxt_client import (
    CLOSE_TIMEOUT_S,
    DEFAULT_TIMEOUT_MS,
    build_client,
    calling,
    close_client,
    install_gate,
    redact,
    shared,
)
from hedgetui.exchanges.errors import (
    RETRYABLE,
    InvalidOrder,
    NotSupported,
    OrderNotFound,
    PermissionDenied,
)

T = TypeVar("T")
__all__ = ["AccountCheck", "CcxtExchange", "is_retryable"]
_ORDER_PAGE = 100  # closed orders scanned when an exchange cannot fetch by client id


def is_retryable(exc: BaseException) -> bool:
    """Could the same request succeed later unchanged? (network, timeouts, 5xx, rate limits)"""
    return isinstance(exc, RETRYABLE)


class CcxtExchange(AccountChecks, Exchange):
    is_paper = False

    def __init__(
        self,
        exchange_id: str,
        account: str,
        credentials: dict[str, str] | None = None,
        *,
        sandbox: bool = False,
        read_only: bool = False,
        api_url: str | None = None,
        ccxt_options: dict[str, Any] | None = None,
        gate: RequestGate | None = None,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        clock: Clock | None = None,
        trade_symbols: Iterable[str] = (),
    ) -> None:
        self.id = exchange_id
        self.account = account
        self.read_only = read_only
        self.gate = gate or OpenGate()
        self.clock = clock or SystemClock()
        self._secrets = tuple(v for v in (credentials or {}).values() if v)
        self.client = build_client(
            exchange_id,
            credentials,
            sandbox=sandbox,
            api_url=api_url,
            ccxt_options=ccxt_options,
            timeout_ms=timeout_ms,
        )
        install_gate(self.client, self.gate, account)
        self._markets: dict[str, Market] = {}
        #: symbols this account trades: asked for fills when the exchange needs a symbol
        self.trade_symbols: set[str] = set(trade_symbols)
        #: another adapter of the same exchange (same URLs and options) whose market catalog
        #: this one adopts, so N accounts load markets once instead of N times
        self.markets_source: CcxtExchange | None = None

    @classmethod
    def from_account(cls, account: Any, gate: RequestGate | None = None, **kw: Any):
        """From a ``config.AccountConfig`` (duck-typed: exchanges does not import config)."""
        return cls(
            account.exchange,
            account.name,
            account.credentials(),
            sandbox=account.sandbox,
            read_only=account.read_only,
            api_url=account.api_url,
            ccxt_options=dict(account.ccxt_options),
            gate=gate,
            **kw,
        )

    # ---- plumbing -----------------------------------------------------------------------

    async def _call(
        self,
        priority: Priority,
        fn: Callable[[], Awaitable[T]],
        places_order: bool = False,
    ) -> T:
        """Run a ccxt call under ``priority``; its errors come back redacted."""
        with calling(priority, places_order):
            try:
                return await fn()
            except BaseError as exc:
                clean = self.redacted(exc)
        raise clean  # outside the except block: no __context__ holding the raw message

    def redacted(self, exc: BaseException) -> BaseException:
        """The same exception class with secrets and signatures removed from its text."""
        text = redact(str(exc), self._secrets)
        try:
            clean = type(exc)(text)
        except Exception:  # noqa: BLE001 - an exotic constructor: fall back to the base class
            clean = BaseError(text)
        return clean

    def _guard_write(self, action: str) -> None:
        if self.read_only:
            raise PermissionDenied(
                f"account {self.account} is read-only: {action} is disabled "
                "(set read_only = false for this account in the config to trade)"
            )

    async def _ensure_markets(self) -> dict[str, Market]:
        if not self._markets:
            source = self.markets_source
            if source is None or source is self:
                await self.load_markets()
            else:  # ccxt dedupes concurrent loads of one instance: one request for everyone
                await source._ensure_markets()
                self.adopt_markets(source)
        return self._markets

    def adopt_markets(self, source: CcxtExchange) -> None:
        """Use ``source``'s loaded catalog (same exchange id) without a request."""
        self.client.set_markets_from_exchange(source.client)
        self._markets = dict(source._markets)

    # ---- market data --------------------------------------------------------------------

    async def load_markets(self, reload: bool = False) -> dict[str, Market]:
        # ccxt hands concurrent callers one loading task: a cancelled caller must not end it
        raw = await self._call(Priority.MARKET, lambda: shared(self.client.load_markets(reload)))
        mode = self.client.precisionMode
        converted = (convert.market(m, mode) for m in raw.values())
        self._markets = {m.symbol: m for m in converted if m is not None}
        return dict(self._markets)

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        await self._ensure_markets()
        if self.client.has.get("fetchTickers"):
            raw = await self._call(Priority.MARKET, lambda: self.client.fetch_tickers(symbols))
            items = list(raw.values())
        else:  # one request per symbol
            items = [
                await self._call(Priority.MARKET, lambda s=s: self.client.fetch_ticker(s))
                for s in symbols or list(self._markets)
            ]
        tickers = (convert.ticker(t, self.id) for t in items)
        return {t.symbol: t for t in tickers if t is not None}

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        await self._ensure_markets()
        rows = await self._call(
            Priority.MARKET, lambda: self.client.fetch_ohlcv(symbol, timeframe, since, limit)
        )
        return [convert.candle(r) for r in rows]

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        await self._ensure_markets()
        raw = await self._call(Priority.MARKET, lambda: self.client.fetch_order_book(symbol, limit))
        return convert.order_book(raw, symbol)

    # ---- account ------------------------------------------------------------------------

    async def fetch_balance(self) -> list[Balance]:
        await self._ensure_markets()
        raw = await self._call(Priority.ACCOUNT, self.client.fetch_balance)
        return convert.balances(raw, self.account, self.clock.now_ms())

    async def fetch_positions(self, symbols: list[str] | None = None) -> list[Position]:
        """Perpetual positions; [] for a spot-only account (no swap markets loaded)."""
        markets = await self._ensure_markets()
        has_swaps = any(m.type is MarketType.SWAP for m in markets.values())
        if not has_swaps or not self.client.has.get("fetchPositions"):
            return []
        raw = await self._call(Priority.ACCOUNT, lambda: self.client.fetch_positions(symbols))
        positions = (convert.position(p, self.account) for p in raw)
        return [p for p in positions if p is not None]

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        await self._ensure_markets()
        raw = await self._call(Priority.ACCOUNT, lambda: self.client.fetch_open_orders(symbol))
        return [convert.order(o, self.account) for o in raw]

    async def fetch_my_trades(
        self,
        symbol: str | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        """Fills, oldest first. Exchanges that need a symbol (Binance) are asked per symbol of
        :meth:`relevant_symbols`: open orders, orders sent through this adapter, configured
        ``trade_symbols``, and markets whose base and quote both have a non-zero balance."""
        await self._ensure_markets()
        try:
            raw = await self._call(
                Priority.ACCOUNT, lambda: self.client.fetch_my_trades(symbol, since, limit)
            )
        except ArgumentsRequired:  # raised by ccxt before any request is sent
            raw = []
            for s in sorted(await self.relevant_symbols()):
                raw += await self._call(
                    Priority.ACCOUNT, lambda s=s: self.client.fetch_my_trades(s, since, limit)
                )
        fills = sorted((convert.fill(t, self.account) for t in raw), key=lambda f: f.timestamp)
        if since is not None:
            fills = [f for f in fills if f.timestamp >= since]
        if limit is not None:
            fills = fills[:limit] if since is not None else fills[-limit:] if limit else []
        return fills

    async def relevant_symbols(self) -> set[str]:
        markets = await self._ensure_markets()
        held = {b.asset for b in await self.fetch_balance()}
        symbols = {s for s in self.trade_symbols if s in markets}
        symbols |= {o.symbol for o in await self.fetch_open_orders()}
        symbols |= {
            m.symbol
            for m in markets.values()
            if m.type is MarketType.SPOT and m.base in held and m.quote in held
        }
        return symbols

    # ---- orders -------------------------------------------------------------------------

    async def create_order(self, request: OrderRequest) -> Order:
        self._guard_write("placing orders")
        await self._ensure_markets()
        r = request
        params: dict[str, Any] = {"clientOrderId": r.client_id}
        if r.time_in_force is TimeInForce.PO:
            params["postOnly"] = True
        elif r.time_in_force is not TimeInForce.GTC:
            params["timeInForce"] = r.time_in_force.value
        if r.reduce_only:
            params["reduceOnly"] = True
        if r.type.is_stop:
            if r.stop_price is None:
                raise InvalidOrder(f"a {r.type.value} order needs a stop price")
            params["triggerPrice"] = float(r.stop_price)
        kind = "limit" if r.type.has_price else "market"
        price = float(r.price) if r.type.has_price and r.price is not None else None
        self.trade_symbols.add(r.symbol)
        try:
            raw = await self._call(
                Priority.ORDER,
                lambda: self.client.create_order(
                    r.symbol, kind, r.side.value, float(r.amount), price, params
                ),
                places_order=True,
            )
        except RETRYABLE as exc:
            # the order may have reached the exchange: look it up, never send it again
            try:
                found = await self.find_by_client_id(r.symbol, r.client_id)
            except BaseError:
                found = None
            if found is not None:
                return found
            raise exc from None
        order = convert.order(raw, self.account)
        if r.type.is_stop and not order.type.is_stop:
            # a reply that omits the trigger (e.g. Binance's ACK for stops): keep what was sent
            order = replace(order, type=r.type, stop_price=r.stop_price)
        return order

    async def find_by_client_id(self, symbol: str, client_id: str) -> Order | None:
        """The order with this client id on ``symbol``, or None if the exchange has none."""
        await self._ensure_markets()
        key = "origClientOrderId" if self.id.startswith("binance") else "clientOrderId"
        try:
            raw = await self._call(
                Priority.ORDER,
                lambda: self.client.fetch_order(None, symbol, {key: client_id}),
            )
            return convert.order(raw, self.account)
        except OrderNotFound:
            return None
        except (ArgumentsRequired, NotSupported):
            pass  # this exchange fetches by exchange id only: scan recent orders
        candidates = await self._call(Priority.ORDER, lambda: self.client.fetch_open_orders(symbol))
        if self.client.has.get("fetchClosedOrders"):
            candidates += await self._call(
                Priority.ORDER, lambda: self.client.fetch_closed_orders(symbol, None, _ORDER_PAGE)
            )
        for raw in candidates:
            if raw.get("clientOrderId") == client_id:
                return convert.order(raw, self.account)
        return None

    async def fetch_order(
        self,
        symbol: str,
        id: str | None = None,
        client_id: str | None = None,
    ) -> Order:
        if id:
            await self._ensure_markets()
            raw = await self._call(Priority.ACCOUNT, lambda: self.client.fetch_order(id, symbol))
            return convert.order(raw, self.account)
        if not client_id:
            raise InvalidOrder("give an order id or a client id to look an order up")
        found = await self.find_by_client_id(symbol, client_id)
        if found is None:
            raise OrderNotFound(f"{self.id}: no order with client id {client_id} on {symbol}")
        return found

    async def cancel_order(self, id: str, symbol: str) -> Order:
        self._guard_write("cancelling orders")
        await self._ensure_markets()
        raw = await self._call(Priority.ORDER, lambda: self.client.cancel_order(id, symbol))
        return convert.order(raw, self.account)

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        """Cancel open orders (of ``symbol``, or all). Exchanges that need a symbol are asked
        once per symbol that has open orders; "nothing to cancel" is an empty list."""
        self._guard_write("cancelling orders")
        await self._ensure_markets()
        if symbol is None:
            try:
                raw = await self._call(Priority.ORDER, lambda: self.client.cancel_all_orders())
                return [convert.order(o, self.account) for o in raw if o.get("symbol")]
            except ArgumentsRequired:
                pass
            symbols = sorted({o.symbol for o in await self.fetch_open_orders()})
            out: list[Order] = []
            for s in symbols:
                out += await self.cancel_all_orders(s)
            return out
        try:
            raw = await self._call(Priority.ORDER, lambda: self.client.cancel_all_orders(symbol))
        except OrderNotFound:
            return []
        return [convert.order(o, self.account) for o in raw or [] if o.get("symbol")]

    async def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Close the HTTP session, never taking much longer than ``2 * timeout``."""
        await close_client(self.client, timeout)
