"""PaperExchange: the :class:`Exchange` interface for one account of a :class:`PaperVenue`.

Methods are ``async`` to fit the protocol but compute synchronously: every call is a
bounded amount of work (the venue advances lazily, cheaply), so the event loop never waits
on I/O that does not exist.
"""

from __future__ import annotations

from hedgetui.domain import (
    Balance,
    Candle,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Ticker,
)
from hedgetui.exchanges.base import Exchange
from hedgetui.exchanges.paper.venue import PaperVenue


class PaperExchange(Exchange):
    is_paper = True

    def __init__(self, venue: PaperVenue, account: str | None) -> None:
        """``account=None`` gives a market-data-only instance (tickers, candles, book)."""
        if account is not None:
            venue.account(account)  # fail early, with the list of known accounts
        self.venue = venue
        self.id = venue.id
        self.account = account  # type: ignore[assignment]

    def _name(self) -> str:
        if self.account is None:
            raise ValueError(
                "this paper exchange instance serves market data only; "
                "create PaperExchange(venue, account_name) for account calls"
            )
        return self.account

    async def load_markets(self, reload: bool = False) -> dict[str, Market]:
        return self.venue.load_markets()

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        return self.venue.tickers(symbols)

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        return self.venue.ohlcv(symbol, timeframe, since, limit)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        return self.venue.order_book(symbol, limit)

    async def fetch_balance(self) -> list[Balance]:
        return self.venue.balances(self._name())

    async def fetch_positions(self, symbols: list[str] | None = None) -> list[Position]:
        return self.venue.positions(self._name(), symbols)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        return self.venue.open_orders(self._name(), symbol)

    async def fetch_my_trades(
        self,
        symbol: str | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        return self.venue.my_trades(self._name(), symbol, since, limit)

    async def create_order(self, request: OrderRequest) -> Order:
        return self.venue.place_order(self._name(), request)

    async def cancel_order(self, id: str, symbol: str) -> Order:
        return self.venue.cancel_order(self._name(), order_id=id, symbol=symbol)

    async def fetch_order(
        self,
        symbol: str,
        id: str | None = None,
        client_id: str | None = None,
    ) -> Order:
        return self.venue.get_order(self._name(), id, client_id, symbol)

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        return self.venue.cancel_all(self._name(), symbol)
