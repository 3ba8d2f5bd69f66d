"""The alert rule model: what a rule watches (``kind`` + ``params``) and how it fires
(``options``). Rules are built by :func:`hedgetui.domain.alerts.parser.parse_rule`; their
canonical ``text`` is the one thing to persist (it re-parses to the same rule)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "RuleKind",
    "Mode",
    "Direction",
    "OPS",
    "Operand",
    "PriceParams",
    "CrossParams",
    "LineCrossParams",
    "ChangeParams",
    "VolumeParams",
    "IndicatorParams",
    "IndicatorCrossParams",
    "AccountParams",
    "HealthParams",
    "RuleParams",
    "AlertOptions",
    "AlertRule",
    "TOTAL",
    "DEFAULT_COOLDOWN_MS",
]

TOTAL = "total"  # the account name meaning "all accounts summed"
DEFAULT_COOLDOWN_MS = 60_000


class RuleKind(StrEnum):
    PRICE = "price"  # BTC/USDT > 65000
    CROSS = "cross"  # BTC/USDT crosses 64000
    LINE_CROSS = "line_cross"  # BTC/USDT crosses line 17
    CHANGE = "change"  # BTC/USDT change 5m > 2%
    VOLUME = "volume"  # ETH/USDT volume 1m > 3x avg 20
    INDICATOR = "indicator"  # BTC/USDT rsi 14 1h > 70
    INDICATOR_CROSS = "indicator_cross"  # BTC/USDT ema 20 crosses above ema 50 5m
    EQUITY = "equity"  # equity main < 90000
    PNL = "pnl"  # pnl total > 1000
    BALANCE = "balance"  # balance main USDT < 1000
    STALE = "stale"  # stale account main 60s
    ERROR = "error"  # error account main

    @property
    def is_market(self) -> bool:
        return self in _MARKET_KINDS

    @property
    def is_account(self) -> bool:
        return self in (RuleKind.EQUITY, RuleKind.PNL, RuleKind.BALANCE)

    @property
    def is_health(self) -> bool:
        return self in (RuleKind.STALE, RuleKind.ERROR)


_MARKET_KINDS = frozenset(
    {
        RuleKind.PRICE,
        RuleKind.CROSS,
        RuleKind.LINE_CROSS,
        RuleKind.CHANGE,
        RuleKind.VOLUME,
        RuleKind.INDICATOR,
        RuleKind.INDICATOR_CROSS,
    }
)


class Mode(StrEnum):
    ONCE = "once"  # fire once, then the rule is done (disabled)
    REPEAT = "repeat"  # fire on every new occurrence, at most once per cooldown
    UNTIL_ACK = "until-ack"  # fire, then remind every cooldown until acknowledged


class Direction(StrEnum):
    ANY = "any"
    ABOVE = "above"
    BELOW = "below"


# Comparison operators; ">" is strictly above: a price equal to the threshold does not fire.
OPS: dict[str, Callable[[object, object], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True, slots=True)
class Operand:
    """A series computed from closed candles: ``close``, ``ema N``, ``sma N``, ``rsi N``."""

    name: str
    period: int = 0  # 0 for ``close``

    def __str__(self) -> str:
        return self.name if self.name == "close" else f"{self.name} {self.period}"


@dataclass(frozen=True, slots=True)
class PriceParams:
    exchange: str | None
    symbol: str
    field: str  # last | bid | ask | mid
    op: str
    level: Decimal


@dataclass(frozen=True, slots=True)
class CrossParams:
    exchange: str | None
    symbol: str
    field: str
    direction: Direction
    level: Decimal


@dataclass(frozen=True, slots=True)
class LineCrossParams:
    exchange: str | None
    symbol: str
    field: str
    direction: Direction
    line_id: str  # a chart drawing's id


@dataclass(frozen=True, slots=True)
class ChangeParams:
    exchange: str | None
    symbol: str
    window_ms: int
    op: str
    pct: Decimal  # percent: 2 means 2 %
    absolute: bool = False  # compare |change| instead of the signed change


@dataclass(frozen=True, slots=True)
class VolumeParams:
    exchange: str | None
    symbol: str
    timeframe: str
    op: str
    multiple: Decimal  # the last closed candle's volume vs multiple x SMA(volume, length)
    length: int


@dataclass(frozen=True, slots=True)
class IndicatorParams:
    exchange: str | None
    symbol: str
    timeframe: str
    left: Operand
    op: str
    right: Operand | Decimal


@dataclass(frozen=True, slots=True)
class IndicatorCrossParams:
    exchange: str | None
    symbol: str
    timeframe: str
    left: Operand
    direction: Direction
    right: Operand | Decimal


@dataclass(frozen=True, slots=True)
class AccountParams:
    """equity / pnl / balance of one account, or of all accounts summed (``account="total"``)."""

    account: str
    op: str
    value: Decimal
    asset: str | None = None  # balance rules only


@dataclass(frozen=True, slots=True)
class HealthParams:
    target: str  # "account" | "poller"
    name: str  # account name or poller key
    max_age_ms: int = 0  # stale rules only


RuleParams = (
    PriceParams
    | CrossParams
    | LineCrossParams
    | ChangeParams
    | VolumeParams
    | IndicatorParams
    | IndicatorCrossParams
    | AccountParams
    | HealthParams
)


@dataclass(frozen=True, slots=True)
class AlertOptions:
    mode: Mode = Mode.ONCE
    cooldown_ms: int = 0  # repeat: minimum gap between fires; until-ack: reminder interval
    expires_at: int | None = None  # ms UTC; the rule never fires at or after this instant
    note: str = ""
    arm_template: str | None = None  # saved order batch to arm when the rule fires
    auto: bool = False  # send the armed batch without confirmation (the engine vets this)


@dataclass(frozen=True, slots=True)
class AlertRule:
    text: str  # canonical text; persist this
    kind: RuleKind
    params: RuleParams
    options: AlertOptions = field(default_factory=AlertOptions)
    id: int | None = None  # assigned by the store
    enabled: bool = True

    def with_id(self, rule_id: int) -> AlertRule:
        return replace(self, id=rule_id)

    def is_expired(self, now_ms: int) -> bool:
        exp = self.options.expires_at
        return exp is not None and now_ms >= exp

    @property
    def exchange(self) -> str | None:
        return getattr(self.params, "exchange", None)

    @property
    def symbol(self) -> str | None:
        return getattr(self.params, "symbol", None)
