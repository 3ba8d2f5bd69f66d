"""Pure domain models shared by every layer.

Numbers, chosen deliberately:

* Account and order quantities (balances, positions, orders, fills, market precision and
  limits) are ``Decimal``. Precision rounding, reservations and fee arithmetic must be exact:
  a paper balance that drifts to 999.99999999997 after a cancel is a bug a trader sees. The
  store keeps them as TEXT, so they round-trip exactly.
* Market data (tickers, candles, order-book levels) is ``float``. It arrives from exchanges
  (ccxt) as floats, is high-volume, and feeds polars as float64. SQLite REAL is an IEEE-754
  double, so floats round-trip exactly too.

Where market data meets an order (a price from a ticker becoming a limit price), it crosses
with :func:`to_decimal`, which uses the float's shortest repr (0.1 -> Decimal("0.1")).

Timestamps are integer milliseconds since the Unix epoch, UTC, as in ccxt.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from enum import StrEnum

__all__ = [
    "AccountInfo",
    "Changed",
    "JournalEntry",
    "to_decimal",
    "round_step",
    "Side",
    "MarketType",
    "OrderType",
    "TimeInForce",
    "OrderStatus",
    "Market",
    "Ticker",
    "Candle",
    "OrderBook",
    "Balance",
    "Position",
    "OrderRequest",
    "Order",
    "Fill",
    "HealthState",
    "PollerHealth",
    "AccountHealth",
    "timeframe_ms",
    "ZERO",
    "TIMEFRAMES",
]

ZERO = Decimal(0)


def to_decimal(value: float | int | str | Decimal | None) -> Decimal | None:
    """Exact-as-shown conversion: floats go through repr, never through binary expansion."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_step(value: Decimal, step: Decimal, rounding: str = ROUND_DOWN) -> Decimal:
    """Round ``value`` to a multiple of ``step`` (amounts truncate, like exchanges do)."""
    if step <= 0:
        return value
    units = (value / step).to_integral_value(rounding=rounding)
    return (units * step).quantize(step) if step.as_tuple().exponent < 0 else units * step


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class MarketType(StrEnum):
    SPOT = "spot"
    SWAP = "swap"  # perpetual


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"

    @property
    def has_price(self) -> bool:
        return self in (OrderType.LIMIT, OrderType.STOP_LIMIT)

    @property
    def is_stop(self) -> bool:
        return self in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    PO = "PO"  # post-only


class OrderStatus(StrEnum):
    """Lifecycle: PENDING (journaled, not yet acknowledged) -> OPEN -> FILLED | CANCELED |
    EXPIRED; PENDING -> REJECTED. ``UNKNOWN`` marks a journaled order whose fate could not
    be established yet (e.g. the send timed out); reconciliation resolves it by client id."""

    PENDING = "pending"
    OPEN = "open"
    FILLED = "filled"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        return self in _FINAL

    def can_become(self, new: OrderStatus) -> bool:
        return new == self or new in _TRANSITIONS[self]


_FINAL = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.REJECTED}
)
_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset(OrderStatus) - {OrderStatus.PENDING},
    OrderStatus.UNKNOWN: frozenset(OrderStatus) - {OrderStatus.PENDING, OrderStatus.UNKNOWN},
    OrderStatus.OPEN: _FINAL,
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Market:
    """A tradable instrument in ccxt's unified naming (``BTC/USDT``, ``BTC/USDT:USDT``).

    Precision is expressed as step sizes (ccxt's TICK_SIZE mode); adapters convert
    decimal-places precision into steps once.
    """

    symbol: str
    base: str
    quote: str
    type: MarketType = MarketType.SPOT
    settle: str | None = None
    contract_size: Decimal = Decimal(1)
    amount_step: Decimal = Decimal("0.00000001")
    price_step: Decimal = Decimal("0.00000001")
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    min_cost: Decimal | None = None  # min notional, in quote
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")
    active: bool = True
    exchange_id: str = ""  # the exchange's own symbol id, e.g. BTCUSDT

    @property
    def is_perp(self) -> bool:
        return self.type is MarketType.SWAP

    def round_amount(self, amount: Decimal) -> Decimal:
        return round_step(amount, self.amount_step, ROUND_DOWN)

    def round_price(self, price: Decimal) -> Decimal:
        return round_step(price, self.price_step, ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Ticker:
    exchange: str
    symbol: str
    timestamp: int
    last: float
    bid: float | None = None
    ask: float | None = None
    high: float | None = None
    low: float | None = None
    open: float | None = None  # 24h open
    base_volume: float | None = None
    quote_volume: float | None = None

    @property
    def change_pct(self) -> float | None:
        if not self.open:
            return None
        return (self.last / self.open - 1.0) * 100.0


@dataclass(frozen=True, slots=True)
class Candle:
    """OHLCV for the period starting at ``ts`` (ms, UTC)."""

    ts: int
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class OrderBook:
    symbol: str
    timestamp: int
    bids: tuple[tuple[float, float], ...]  # (price, amount), best first
    asks: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Balance:
    account: str
    asset: str
    free: Decimal
    used: Decimal
    total: Decimal
    timestamp: int = 0


@dataclass(frozen=True, slots=True)
class Position:
    """A perpetual position. ``contracts`` is always >= 0; direction is in ``side``."""

    account: str
    symbol: str
    side: str  # "long" | "short"
    contracts: Decimal
    entry_price: Decimal
    mark_price: Decimal | None = None
    unrealized_pnl: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    leverage: Decimal | None = None
    liquidation_price: Decimal | None = None
    margin: Decimal | None = None
    timestamp: int = 0


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a caller asks an exchange to do; ``client_id`` is required so that every order
    can be found again after a crash or a timed-out send."""

    symbol: str
    side: Side
    type: OrderType
    amount: Decimal
    client_id: str
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False

    @property
    def post_only(self) -> bool:
        return self.time_in_force is TimeInForce.PO


@dataclass(frozen=True, slots=True)
class Order:
    account: str
    id: str  # exchange order id ("" while PENDING)
    client_id: str
    symbol: str
    side: Side
    type: OrderType
    amount: Decimal
    status: OrderStatus
    price: Decimal | None = None
    stop_price: Decimal | None = None
    filled: Decimal = ZERO
    average: Decimal | None = None
    fee: Decimal = ZERO
    fee_currency: str | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    created_at: int = 0
    updated_at: int = 0
    message: str = ""  # exchange's reason on reject/cancel

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def is_open(self) -> bool:
        return self.status is OrderStatus.OPEN

    def with_status(self, status: OrderStatus, **changes) -> Order:
        if not self.status.can_become(status):
            raise ValueError(f"order {self.client_id}: {self.status} cannot become {status}")
        return replace(self, status=status, **changes)


@dataclass(frozen=True, slots=True)
class Fill:
    account: str
    id: str  # trade id
    order_id: str
    symbol: str
    side: Side
    price: Decimal
    amount: Decimal
    fee: Decimal
    fee_currency: str
    timestamp: int
    taker: bool = True
    client_id: str = ""
    realized_pnl: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.price * self.amount


class HealthState(StrEnum):
    OK = "ok"
    BACKOFF = "backoff"  # failing, retrying with backoff
    STOPPED = "stopped"  # gave up (e.g. authentication error); needs the user
    STARTING = "starting"


@dataclass(frozen=True, slots=True)
class PollerHealth:
    """Health of one poller: ``key`` is e.g. ``account:main:balances`` or
    ``market:paper:tickers``. ``last_error`` never holds secrets (redacted at the source)."""

    key: str
    exchange: str
    feed: str
    account: str | None = None
    state: HealthState = HealthState.STARTING
    last_attempt: int = 0
    last_success: int = 0
    latency_ms: float = 0.0
    consecutive_errors: int = 0
    error_count: int = 0
    last_error: str = ""
    backoff_s: float = 0.0


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """One account's health, folded from its pollers' records."""

    account: str
    state: HealthState
    last_success: int
    error_count: int
    last_error: str = ""
    pollers: tuple[PollerHealth, ...] = field(default=())

    @classmethod
    def fold(cls, account: str, pollers: list[PollerHealth]) -> AccountHealth:
        mine = tuple(p for p in pollers if p.account == account)
        order = [HealthState.STOPPED, HealthState.BACKOFF, HealthState.STARTING, HealthState.OK]
        state = min((p.state for p in mine), key=order.index, default=HealthState.STARTING)
        errors = [p for p in mine if p.last_error]
        last = max(errors, key=lambda p: p.last_attempt, default=None)
        return cls(
            account=account,
            state=state,
            last_success=min((p.last_success for p in mine), default=0),
            error_count=sum(p.error_count for p in mine),
            last_error=last.last_error if last else "",
            pollers=mine,
        )


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An account as configured: what the table shows beside its balances."""

    name: str
    exchange: str
    is_paper: bool
    tags: tuple[str, ...] = ()
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """The order journal: written durably BEFORE an order is sent, updated as it goes, so a
    crash or timeout never leaves an order unaccounted for (reconciled by ``client_id``)."""

    client_id: str
    batch_id: str
    account: str
    request: OrderRequest
    status: OrderStatus = OrderStatus.PENDING
    order_id: str = ""
    message: str = ""
    created_at: int = 0
    updated_at: int = 0
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class Changed:
    """Published after each committed write batch: which tables changed, at which store
    revision, and (where cheap to know) which keys, e.g. ``{"tickers": {("paper",
    "BTC/USDT")}, "candles": {("paper", "BTC/USDT", "1m")}}``."""

    rev: int
    tables: frozenset[str]
    keys: dict[str, frozenset] = field(default_factory=dict)


TIMEFRAMES: dict[str, int] = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
    "1d": 86_400_000,
}


def timeframe_ms(timeframe: str) -> int:
    try:
        return TIMEFRAMES[timeframe]
    except KeyError:
        raise ValueError(
            f"unknown timeframe {timeframe!r}; use one of {', '.join(TIMEFRAMES)}"
        ) from None
