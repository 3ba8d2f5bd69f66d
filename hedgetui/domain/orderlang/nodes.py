"""The syntax tree of a batch, and its canonical text.

Nodes compare equal on meaning only: the line number and the source text are carried for
messages but excluded from ``==``, so ``parse(to_text(batch)) == batch``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from hedgetui.domain.models import OrderType, Side, TimeInForce
from hedgetui.domain.orderlang.lexer import format_number

__all__ = [
    "SizeKind",
    "Size",
    "Dist",
    "Ladder",
    "AccountSelector",
    "OrderStmt",
    "CancelStmt",
    "CloseStmt",
    "Statement",
    "Batch",
    "DEFAULT_EXP_FACTOR",
]

DEFAULT_EXP_FACTOR = Decimal("1.5")


class SizeKind(StrEnum):
    BASE = "base"  # an amount of the base currency: 0.5 (BTC)
    QUOTE = "quote"  # a notional in the quote currency: 1000usdt
    PERCENT = "percent"  # of each account's free balance: 10%


@dataclass(frozen=True, slots=True)
class Size:
    kind: SizeKind
    value: Decimal
    currency: str | None = None  # base or quote currency (upper); None for percent

    def to_text(self) -> str:
        if self.kind is SizeKind.PERCENT:
            return f"{format_number(self.value)}%"
        if self.kind is SizeKind.QUOTE:
            ccy = (self.currency or "").lower()
            # "1000 1inch": a glued currency starting with a digit would read as the number
            return f"{format_number(self.value)}{' ' if ccy[:1].isdigit() else ''}{ccy}"
        return format_number(self.value)


class Dist(StrEnum):
    FLAT = "flat"  # equal size per rung
    LINEAR = "linear"  # rung i (0-based) weighs i + 1: grows toward the END price
    EXP = "exp"  # rung i weighs factor**i: grows toward the END price when factor > 1


@dataclass(frozen=True, slots=True)
class Ladder:
    """``count`` rungs from ``start`` to ``end`` inclusive, evenly spaced."""

    start: Decimal
    end: Decimal
    count: int
    dist: Dist = Dist.FLAT
    factor: Decimal | None = None  # EXP only; None means DEFAULT_EXP_FACTOR

    @property
    def exp_factor(self) -> Decimal:
        return self.factor if self.factor is not None else DEFAULT_EXP_FACTOR

    def to_text(self) -> str:
        text = f"@ {format_number(self.start)}..{format_number(self.end)} x{self.count}"
        if self.dist is Dist.EXP and self.factor is not None:
            return f"{text} dist=exp:{format_number(self.factor)}"
        if self.dist is not Dist.FLAT:
            return f"{text} dist={self.dist.value}"
        return text


@dataclass(frozen=True, slots=True)
class AccountSelector:
    """``all``, or a union of account names and ``@tags`` (matched case-insensitively)."""

    all: bool = False
    names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def to_text(self) -> str:
        if self.all:
            return "all"
        return ",".join([*self.names, *(f"@{t}" for t in self.tags)])


@dataclass(frozen=True, slots=True)
class OrderStmt:
    side: Side
    size: Size
    symbol: str
    type: OrderType
    accounts: AccountSelector
    price: Decimal | None = None  # LIMIT / STOP_LIMIT, None for ladders
    ladder: Ladder | None = None  # LIMIT ladders
    stop_price: Decimal | None = None  # STOP_MARKET / STOP_LIMIT trigger
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False)

    def to_text(self) -> str:
        parts = [self.side.value, self.size.to_text(), self.symbol]
        if self.type is OrderType.MARKET:
            parts.append("mkt")
        elif self.ladder is not None:
            parts.append(self.ladder.to_text())
        else:
            if self.stop_price is not None:
                parts.append(f"stop {format_number(self.stop_price)}")
            if self.price is not None:
                parts.append(f"@ {format_number(self.price)}")
        if self.time_in_force is TimeInForce.PO:
            parts.append("post")
        elif self.time_in_force is not TimeInForce.GTC:
            parts.append(self.time_in_force.value.lower())
        if self.reduce_only:
            parts.append("reduce")
        parts.append(f"on {self.accounts.to_text()}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class CancelStmt:
    """Cancel open orders: every symbol (``symbol is None``) or one; optionally one side."""

    accounts: AccountSelector
    symbol: str | None = None
    side: Side | None = None
    line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False)

    def to_text(self) -> str:
        side = f" {self.side.value}" if self.side else ""
        return f"cancel{side} {self.symbol or 'all'} on {self.accounts.to_text()}"


@dataclass(frozen=True, slots=True)
class CloseStmt:
    """Flatten a position (or ``percent`` of it) with a market order; ``symbol is None``
    closes every open perpetual position of the accounts."""

    accounts: AccountSelector
    symbol: str | None = None
    percent: Decimal = Decimal(100)
    line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False)

    def to_text(self) -> str:
        pct = "" if self.percent == 100 else f" {format_number(self.percent)}%"
        return f"close{pct} {self.symbol or 'all'} on {self.accounts.to_text()}"


Statement = OrderStmt | CancelStmt | CloseStmt


@dataclass(frozen=True, slots=True)
class Batch:
    statements: tuple[Statement, ...] = ()
    text: str = field(default="", compare=False)

    def to_text(self) -> str:
        """Canonical text, one statement per line; parses back to an equal batch."""
        return "\n".join(s.to_text() for s in self.statements)

    def __len__(self) -> int:
        return len(self.statements)
