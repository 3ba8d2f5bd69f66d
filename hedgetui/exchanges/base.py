"""The Exchange protocol: the one interface the runtime talks to, paper or live.

One instance serves one account (like a ccxt instance holds one key pair); market-data
methods work on any instance. Results are domain models; errors are the ccxt exception
classes re-exported by :mod:`hedgetui.exchanges.errors`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal
from enum import IntEnum
from typing import Protocol

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


class Priority(IntEnum):
    """Who goes first when the shared request budget is short (lower = sooner)."""

    ORDER = 0  # placing / cancelling orders
    ACCOUNT = 1  # balances, positions, open orders, fills
    MARKET = 2  # tickers, candles, books


class RequestGate(Protocol):
    """The shared rate-limit budget an adapter asks before every request (implemented in
    ``hedgetui.runtime.ratelimit``; injected, so ``exchanges`` never imports ``runtime``)."""

    async def acquire(
        self, weight: float, *, priority: Priority, account: str | None, orders: int = 0
    ) -> None:
        """Wait until ``weight`` (and ``orders`` order slots for ``account``) fit the budget."""

    def penalize(self, retry_after_s: float, *, status: int, reason: str) -> None:
        """The exchange said 429/418: pause every request to it for ``retry_after_s``."""


class OpenGate:
    """No budget at all: for the paper venue and for tests that measure raw behaviour."""

    async def acquire(
        self, weight: float, *, priority: Priority, account: str | None, orders: int = 0
    ) -> None:
        return None

    def penalize(self, retry_after_s: float, *, status: int, reason: str) -> None:
        return None


class Exchange(ABC):
    """Async exchange interface for one account."""

    #: exchange id: "paper" or a ccxt id such as "binance"
    id: str
    #: the account this instance acts for
    account: str
    #: True for the simulated venue; the UI shows PAPER/LIVE from it
    is_paper: bool = False

    @abstractmethod
    async def load_markets(self, reload: bool = False) -> dict[str, Market]: ...

    @abstractmethod
    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]: ...

    @abstractmethod
    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """Candles with ``ts >= since`` (oldest first), at most ``limit`` of them; without
        ``since`` the latest ``limit``. The last candle may still be forming."""

    @abstractmethod
    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook: ...

    @abstractmethod
    async def fetch_balance(self) -> list[Balance]: ...

    @abstractmethod
    async def fetch_positions(self, symbols: list[str] | None = None) -> list[Position]: ...

    @abstractmethod
    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]: ...

    @abstractmethod
    async def fetch_my_trades(
        self,
        symbol: str | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        """Fills with ``timestamp >= since``, oldest first."""

    @abstractmethod
    async def create_order(self, request: OrderRequest) -> Order: ...

    @abstractmethod
    async def cancel_order(self, id: str, symbol: str) -> Order: ...

    @abstractmethod
    async def fetch_order(
        self,
        symbol: str,
        id: str | None = None,
        client_id: str | None = None,
    ) -> Order:
        """Look an order up by exchange id or by client id; OrderNotFound if absent."""

    @abstractmethod
    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]: ...

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def quote_value(amount: Decimal, price: float | None) -> Decimal | None:
    """Value of ``amount`` at a market-data price (float crosses into Decimal by repr)."""
    if price is None:
        return None
    return amount * Decimal(repr(price))
