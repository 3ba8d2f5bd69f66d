"""What each poller does in one step: fetch from an exchange, hand the rows to the store.

Steps raise on failure; the :class:`~hedgetui.runtime.supervisor.Supervisor` retries them
with backoff and records health. Steps keep the minimum state needed to fetch only what is
new (last fill time, last candle time, which orders were open).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from hedgetui.domain import Order, OrderStatus, timeframe_ms
from hedgetui.domain.clock import Clock
from hedgetui.exchanges.base import Exchange
from hedgetui.exchanges.errors import OrderNotFound
from hedgetui.store import Store

log = logging.getLogger(__name__)

CANDLE_PAGE = 1000


@dataclass
class AccountPoller:
    """Balances, positions, open orders and fills of one account."""

    exchange: Exchange
    store: Store
    clock: Clock
    fills_lookback_ms: int = 86_400_000
    _open: dict[str, Order] = field(default_factory=dict)
    _fills_since: int | None = None

    @property
    def account(self) -> str:
        return self.exchange.account

    async def balances(self) -> None:
        rows = await self.exchange.fetch_balance()
        self.store.put_balances(self.account, rows, ts=self.clock.now_ms())

    async def positions(self) -> None:
        rows = await self.exchange.fetch_positions()
        self.store.put_positions(self.account, rows, ts=self.clock.now_ms())

    async def orders(self) -> None:
        if not self._open:  # first step after a start: what the store thinks is open
            self._open = {
                o.id: o for o in await self.store.orders(open_only=True, account=self.account)
            }
        current = await self.exchange.fetch_open_orders()
        now_open = {o.id: o for o in current}
        # An order that left the open list was filled, canceled or expired: ask which.
        finished = [await self._final_state(o) for i, o in self._open.items() if i not in now_open]
        self.store.put_orders(current + finished)
        self._open = now_open

    async def _final_state(self, order: Order) -> Order:
        try:
            return await self.exchange.fetch_order(order.symbol, id=order.id)
        except OrderNotFound:
            # Some exchanges forget canceled orders quickly: it is not open any more, and
            # no fill was reported, so record it as canceled with the reason.
            return order.with_status(
                OrderStatus.CANCELED,
                updated_at=self.clock.now_ms(),
                message="no longer on the exchange",
            )

    async def fills(self) -> None:
        if self._fills_since is None:
            latest = await self.store.fills(account=self.account, limit=1)
            self._fills_since = (
                latest[0].timestamp if latest else self.clock.now_ms() - self.fills_lookback_ms
            )
        rows = await self.exchange.fetch_my_trades(since=self._fills_since)
        if rows:
            self.store.put_fills(rows)
            # `since` is inclusive and fills are keyed by id, so re-reading the last
            # millisecond is harmless and never misses a fill sharing it.
            self._fills_since = max(f.timestamp for f in rows)


@dataclass
class MarketPoller:
    """Tickers of an exchange's watchlist and candles per (symbol, timeframe), shared by
    every account on that exchange."""

    exchange: Exchange
    store: Store
    clock: Clock
    exchange_id: str
    symbols: list[str]
    history_days: float = 2.0
    _candles_since: dict[tuple[str, str], int] = field(default_factory=dict)

    async def tickers(self) -> None:
        rows = await self.exchange.fetch_tickers(self.symbols)
        self.store.put_tickers(list(rows.values()))

    async def candles(self, symbol: str, timeframe: str) -> None:
        key = (symbol, timeframe)
        step = timeframe_ms(timeframe)
        since = self._candles_since.get(key)
        if since is None:  # resume from the store, or backfill the configured history
            last = await self.store.last_candle_ts(self.exchange_id, symbol, timeframe)
            since = last if last is not None else self._history_start(step)
        now = self.clock.now_ms()
        while True:
            page = await self.exchange.fetch_ohlcv(
                symbol, timeframe, since=since, limit=CANDLE_PAGE
            )
            if not page or page[-1].ts < since:
                break
            self.store.put_candles(self.exchange_id, symbol, timeframe, page)
            progressed = page[-1].ts > since
            since = page[-1].ts  # re-read the newest candle next time: it is still forming
            if len(page) < CANDLE_PAGE or since + step > now or not progressed:
                break
        self._candles_since[key] = since

    def _history_start(self, step: int) -> int:
        start = self.clock.now_ms() - int(self.history_days * 86_400_000)
        return start - start % step
