"""What goes into the evaluator besides market data (account metrics, chart drawings) and
what comes out of it (alert events)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = ["EventKind", "AlertEvent", "AccountMetrics", "Drawing", "format_value"]


class EventKind(StrEnum):
    FIRED = "fired"  # the condition happened
    REMINDER = "reminder"  # until-ack: still not acknowledged
    EXPIRED = "expired"  # the rule reached its expiry without (further) firing


@dataclass(frozen=True, slots=True)
class AlertEvent:
    rule_id: int
    rule: str  # the rule's canonical text
    kind: EventKind
    fired_at: int  # ms UTC
    value: float | Decimal | None  # the measured value (price, %, RSI, equity, age in s ...)
    message: str  # one human line, e.g. "BTC/USDT last 65,012.5 crossed above 65,000 (paper)"
    note: str = ""
    arm_template: str | None = None  # FIRED only: the order batch to arm
    auto: bool = False
    final: bool = False  # the rule will not fire again (once-rule fired, or expired)

    def to_dict(self) -> dict:
        """JSON-ready payload (Decimal values as strings, exact)."""
        value = self.value
        if isinstance(value, Decimal):
            value = str(value)
        return {
            "rule_id": self.rule_id,
            "rule": self.rule,
            "kind": self.kind.value,
            "fired_at": self.fired_at,
            "value": value,
            "message": self.message,
            "note": self.note,
            "arm_template": self.arm_template,
            "auto": self.auto,
            "final": self.final,
        }


@dataclass(frozen=True, slots=True)
class AccountMetrics:
    """One account as the runtime computes it: ``equity`` (in the account's valuation
    currency), ``pnl`` (unrealized + realized) and each asset's total balance."""

    equity: Decimal
    pnl: Decimal
    balances: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Drawing:
    """A line drawn on a chart. Horizontal: ``price``. Trend: the line through (t1, p1) and
    (t2, p2), t1 < t2, evaluated at time t by linear interpolation; it extends to the right
    of t2 (``extend_right``) and, if asked, to the left of t1 (``extend_left``)."""

    id: str
    price: float | None = None
    t1: int = 0
    p1: float = 0.0
    t2: int = 0
    p2: float = 0.0
    extend_left: bool = False
    extend_right: bool = True

    @classmethod
    def horizontal(cls, id: str | int, price: float) -> Drawing:
        return cls(id=str(id), price=float(price))

    @classmethod
    def trend(
        cls,
        id: str | int,
        t1: int,
        p1: float,
        t2: int,
        p2: float,
        *,
        extend_left: bool = False,
        extend_right: bool = True,
    ) -> Drawing:
        if t2 == t1:
            raise ValueError(f"trend line {id}: its two points need different times")
        if t2 < t1:
            t1, p1, t2, p2 = t2, p2, t1, p1
        return cls(str(id), None, t1, float(p1), t2, float(p2), extend_left, extend_right)

    def value_at(self, ts: int) -> float | None:
        """The line's price at ``ts``; None where the line does not extend."""
        if self.price is not None:
            return self.price
        if self.t2 == self.t1:
            return None
        if (ts < self.t1 and not self.extend_left) or (ts > self.t2 and not self.extend_right):
            return None
        return self.p1 + (self.p2 - self.p1) * (ts - self.t1) / (self.t2 - self.t1)


def format_value(value: float | Decimal | int | None) -> str:
    """65012.5 -> '65,012.5'; floats keep 10 significant digits (no 0.30000000000000004)."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        value = Decimal(repr(float(f"{value:.10g}")))
    elif isinstance(value, int):
        value = Decimal(value)
    text = format(value, ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
