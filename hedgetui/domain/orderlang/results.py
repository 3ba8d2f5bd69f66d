"""What a batch expands into: the input of the expansion and its outputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from hedgetui.domain.models import AccountInfo, Market, OrderRequest, Side

__all__ = [
    "ExpandContext",
    "Severity",
    "ExpansionIssue",
    "ConcreteOrder",
    "CancelAction",
    "CloseAction",
    "Expanded",
    "ClientIdFactory",
    "blocking_reasons",
]


@dataclass(frozen=True)
class ExpandContext:
    """A snapshot of everything the expansion may look at; it never fetches anything.

    ``positions``: account -> symbol -> (``"long"`` | ``"short"``, contracts >= 0).
    ``last_prices``: (exchange, symbol) -> last trade price (floats are accepted and cross
    into Decimal through their repr, see :func:`hedgetui.domain.models.to_decimal`).
    """

    accounts: Mapping[str, AccountInfo]
    markets: Mapping[str, Mapping[str, Market]]  # exchange -> symbol -> Market
    free: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)  # account -> asset
    positions: Mapping[str, Mapping[str, tuple[str, Decimal]]] = field(default_factory=dict)
    last_prices: Mapping[tuple[str, str], Decimal | float] = field(default_factory=dict)


class Severity(StrEnum):
    ERROR = "error"  # blocks the batch: the executor must not send it as is
    WARNING = "warning"  # shown in the preview; the trader decides
    INFO = "info"  # nothing to do, e.g. "no position to close", ladder dust


@dataclass(frozen=True, slots=True)
class ExpansionIssue:
    line: int
    source: str
    message: str
    severity: Severity = Severity.ERROR
    account: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class ConcreteOrder:
    """One order for one account, ready for risk checks and the executor.

    ``request.amount`` is in contracts for perpetuals (ccxt's unit), in base for spot.
    ``notional`` (quote currency) is priced at the limit price, the stop price for stop
    markets, or the last price for market orders; None when no price is known.
    ``blocks`` are reasons the order cannot be sent (below minimums, zero after rounding,
    insufficient balance, ...); ``warnings`` are for the trader's eyes.
    """

    account: str
    exchange: str
    is_paper: bool
    request: OrderRequest
    market: Market
    notional: Decimal | None
    price: Decimal | None  # the price the notional was computed at
    last_price: Decimal | None
    line: int
    source: str
    rung: int | None = None  # 1-based rung of a ladder
    rungs: int | None = None
    warnings: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def base_amount(self) -> Decimal:
        if self.market.is_perp:
            return self.request.amount * self.market.contract_size
        return self.request.amount


@dataclass(frozen=True, slots=True)
class CancelAction:
    """Cancel the account's open orders on ``symbol`` (None: every symbol), of ``side``
    only when given."""

    account: str
    exchange: str
    is_paper: bool
    symbol: str | None
    side: Side | None
    line: int
    source: str


@dataclass(frozen=True, slots=True)
class CloseAction:
    """Flatten ``fraction`` of a position (perpetuals: reduce-only market order) or of the
    free base balance (spot: market sell). ``order`` is sized from the snapshot; an
    executor may re-size it from a fresher position with ``fraction``."""

    account: str
    exchange: str
    symbol: str
    fraction: Decimal  # 0 < fraction <= 1
    position_side: str | None  # "long" / "short"; None for spot
    position_amount: Decimal  # contracts (perp) or free base (spot) in the snapshot
    order: ConcreteOrder
    line: int
    source: str


Expanded = ConcreteOrder | CancelAction | CloseAction | ExpansionIssue


def blocking_reasons(items: list[Expanded]) -> list[str]:
    """Every reason the batch must not be sent as is (empty: good to go)."""
    reasons: list[str] = []
    for item in items:
        if isinstance(item, ExpansionIssue) and item.blocking:
            reasons.append(f"line {item.line}: {item.message}")
        order = item.order if isinstance(item, CloseAction) else item
        if isinstance(order, ConcreteOrder):
            reasons.extend(f"line {order.line} {order.account}: {b}" for b in order.blocks)
    return reasons


_ID_PART = re.compile(r"[A-Za-z0-9_]{1,20}")


class ClientIdFactory:
    """``htui-<batch>-<n>``: unique per batch id, at most 36 characters of
    ``[A-Za-z0-9_-]`` (Binance's rule, the strictest common one)."""

    def __init__(self, batch_id: str, prefix: str = "htui") -> None:
        if not _ID_PART.fullmatch(batch_id) or not re.fullmatch(r"[A-Za-z0-9]{1,4}", prefix):
            raise ValueError(
                f"batch id {batch_id!r} must be 1-20 characters of letters, digits or '_' "
                f"(prefix {prefix!r}: 1-4 letters or digits)"
            )
        self.batch_id = batch_id
        self.prefix = prefix
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        client_id = f"{self.prefix}-{self.batch_id}-{self.count}"
        if len(client_id) > 36:
            raise ValueError(f"client id {client_id!r} is longer than 36 characters")
        return client_id
