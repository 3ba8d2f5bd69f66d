"""Compiled rules: one small object per rule that measures its value from an update and
reports either a level (condition true/false) or a side (for crosses) to the evaluator,
which applies the firing policy. Messages are built only when a rule fires."""

from __future__ import annotations

from decimal import Decimal

from hedgetui.domain.alerts.events import AccountMetrics, format_value
from hedgetui.domain.alerts.market import CandleSeries, PriceHistory
from hedgetui.domain.alerts.rules import OPS, TOTAL, AlertRule, Operand, RuleKind
from hedgetui.domain.alerts.syntax import format_duration
from hedgetui.domain.models import AccountHealth, HealthState, PollerHealth, Ticker

NEVER = 2**62  # "no expiry" as an int, so the hot path is one comparison

_OP_WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
_BAD_STATES = (HealthState.BACKOFF, HealthState.STOPPED)


def price_of(t: Ticker, field: str) -> float | None:
    if field == "last":
        return t.last
    if field == "bid":
        return t.bid
    if field == "ask":
        return t.ask
    if t.bid is None or t.ask is None:
        return None
    return (t.bid + t.ask) / 2.0


def _side(diff: float) -> int:
    return 1 if diff > 0 else (-1 if diff < 0 else 0)


def _operand_name(op: Operand | Decimal) -> str:
    if isinstance(op, Decimal):
        return format_value(op)
    return "close" if op.name == "close" else f"{op.name.upper()} {op.period}"


class Cond:
    """Base: the rule, its mutable state (set by the evaluator) and its resolved market."""

    __slots__ = ("rule", "rule_id", "st", "expires", "exchange", "symbol")
    level = True  # level condition (fires on becoming true) vs cross (fires on a cross)

    def __init__(self, rule: AlertRule, exchange: str | None) -> None:
        self.rule = rule
        self.rule_id = rule.id
        self.st = None
        exp = rule.options.expires_at
        self.expires = NEVER if exp is None else exp
        self.exchange = exchange
        self.symbol = getattr(rule.params, "symbol", None)

    def where(self) -> str:
        return f" ({self.exchange})" if self.exchange else ""

    def message(self, value) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


# -- tickers -----------------------------------------------------------------------------------
class PriceLevel(Cond):
    __slots__ = ("field", "cmp", "op", "threshold")

    def __init__(self, rule, exchange):
        super().__init__(rule, exchange)
        p = rule.params
        self.field, self.op, self.cmp, self.threshold = p.field, p.op, OPS[p.op], float(p.level)

    def on_ticker(self, t: Ticker, ts: int, now: int, ev) -> None:
        v = t.last if self.field == "last" else price_of(t, self.field)
        if v is not None:
            ev.level(self, now, self.cmp(v, self.threshold), v)

    def message(self, value) -> str:
        word = _OP_WORDS[self.op]
        return (
            f"{self.symbol} {self.field} {format_value(value)} is {word} "
            f"{format_value(self.rule.params.level)}{self.where()}"
        )


class PriceCross(Cond):
    __slots__ = ("field", "direction", "threshold", "crossed")
    level = False

    def __init__(self, rule, exchange):
        super().__init__(rule, exchange)
        p = rule.params
        self.field, self.direction, self.threshold = p.field, p.direction, float(p.level)

    def on_ticker(self, t: Ticker, ts: int, now: int, ev) -> None:
        v = t.last if self.field == "last" else price_of(t, self.field)
        if v is not None:
            ev.cross(self, now, _side(v - self.threshold), v)

    def target(self) -> str:
        return format_value(self.rule.params.level)

    def message(self, value) -> str:
        way = "above" if self.st.side > 0 else "below"
        return (
            f"{self.symbol} {self.field} {format_value(value)} crossed {way} "
            f"{self.target()}{self.where()}"
        )


class LineCross(PriceCross):
    __slots__ = ("line_id", "drawings", "line_value")

    def __init__(self, rule, exchange, drawings: dict):
        Cond.__init__(self, rule, exchange)
        p = rule.params
        self.field, self.direction, self.line_id = p.field, p.direction, p.line_id
        self.drawings = drawings  # the evaluator's live dict: id -> Drawing
        self.line_value = None

    def on_ticker(self, t: Ticker, ts: int, now: int, ev) -> None:
        drawing = self.drawings.get(self.line_id)
        if drawing is None:
            return
        line = drawing.value_at(ts)
        v = t.last if self.field == "last" else price_of(t, self.field)
        if line is None or v is None:
            return
        self.line_value = line
        ev.cross(self, now, _side(v - line), v)

    def target(self) -> str:
        return f"line {self.line_id} at {format_value(self.line_value)}"


class Change(Cond):
    __slots__ = ("window_ms", "op", "cmp", "pct", "absolute", "history", "ref")

    def __init__(self, rule, exchange, history: PriceHistory):
        super().__init__(rule, exchange)
        p = rule.params
        self.window_ms, self.op, self.cmp = p.window_ms, p.op, OPS[p.op]
        self.pct, self.absolute, self.history, self.ref = float(p.pct), p.absolute, history, None

    def on_ticker(self, t: Ticker, ts: int, now: int, ev) -> None:
        ref = self.history.price_at(ts - self.window_ms)
        if not ref:
            return  # history does not reach back a whole window yet
        change = (t.last / ref - 1.0) * 100.0
        self.ref = ref
        measured = abs(change) if self.absolute else change
        ev.level(self, now, self.cmp(measured, self.pct), change)

    def message(self, value) -> str:
        window = format_duration(self.window_ms)
        return (
            f"{self.symbol} moved {value:+.2f}% in {window} "
            f"({format_value(self.ref)} -> {format_value(self.ref * (1 + value / 100))}), "
            f"{'|change| ' if self.absolute else ''}{_OP_WORDS[self.op]} "
            f"{format_value(self.rule.params.pct)}%{self.where()}"
        )


# -- candles -----------------------------------------------------------------------------------
class Volume(Cond):
    __slots__ = ("op", "cmp", "multiple", "length", "volume", "average")

    def __init__(self, rule, exchange):
        super().__init__(rule, exchange)
        p = rule.params
        self.op, self.cmp, self.multiple, self.length = p.op, OPS[p.op], float(p.multiple), p.length
        self.volume = self.average = 0.0

    def operands(self) -> tuple[Operand, ...]:
        return ()

    def on_candle(self, series: CandleSeries, now: int, ev) -> None:
        avg = series.volume_average(self.length)
        if avg is None:
            return
        vol = series.candles[-1].volume
        self.volume, self.average = vol, avg
        ratio = vol / avg if avg > 0 else float("inf")
        ev.level(self, now, self.cmp(vol, self.multiple * avg), ratio)

    def message(self, value) -> str:
        p = self.rule.params
        return (
            f"{self.symbol} {p.timeframe} volume {format_value(self.volume)} is "
            f"{value:.1f}x its {self.length}-candle average {format_value(self.average)} "
            f"({_OP_WORDS[self.op]} {format_value(p.multiple)}x){self.where()}"
        )


class IndicatorLevel(Cond):
    __slots__ = ("left", "right", "op", "cmp", "right_value")

    def __init__(self, rule, exchange):
        super().__init__(rule, exchange)
        p = rule.params
        self.left, self.right = p.left, p.right
        self.op = getattr(p, "op", "")
        self.cmp = OPS.get(self.op)
        self.right_value = float(p.right) if isinstance(p.right, Decimal) else None

    def operands(self) -> tuple[Operand, ...]:
        return (self.left,) if isinstance(self.right, Decimal) else (self.left, self.right)

    def values(self, series: CandleSeries) -> tuple[float | None, float | None]:
        left = series.value(self.left)
        right = self.right_value if isinstance(self.right, Decimal) else series.value(self.right)
        return left, right

    def on_candle(self, series: CandleSeries, now: int, ev) -> None:
        left, right = self.values(series)
        if left is not None and right is not None:
            self.right_value = right
            ev.level(self, now, self.cmp(left, right), left)

    def describe(self, value) -> str:
        tf = self.rule.params.timeframe
        return f"{self.symbol} {_operand_name(self.left)} ({tf}) {format_value(value)}"

    def message(self, value) -> str:
        right = _operand_name(self.right)
        if not isinstance(self.right, Decimal):
            right += f" {format_value(self.right_value)}"
        return f"{self.describe(value)} is {_OP_WORDS[self.op]} {right}{self.where()}"


class IndicatorCross(IndicatorLevel):
    __slots__ = ("direction",)
    level = False

    def __init__(self, rule, exchange):
        super().__init__(rule, exchange)
        self.direction = rule.params.direction

    def on_candle(self, series: CandleSeries, now: int, ev) -> None:
        left, right = self.values(series)
        if left is not None and right is not None:
            self.right_value = right
            ev.cross(self, now, _side(left - right), left)

    def message(self, value) -> str:
        way = "above" if self.st.side > 0 else "below"
        right = _operand_name(self.right)
        if not isinstance(self.right, Decimal):
            right += f" {format_value(self.right_value)}"
        return f"{self.describe(value)} crossed {way} {right}{self.where()}"


# -- accounts ----------------------------------------------------------------------------------
class AccountLevel(Cond):
    __slots__ = ("metric", "account", "asset", "op", "cmp", "threshold")

    def __init__(self, rule, exchange=None):
        super().__init__(rule, None)
        p = rule.params
        self.metric = rule.kind.value
        self.account, self.asset, self.op, self.cmp, self.threshold = (
            p.account,
            p.asset,
            p.op,
            OPS[p.op],
            p.value,
        )

    def on_metrics(self, m: AccountMetrics, now: int, ev) -> None:
        if self.rule.kind is RuleKind.EQUITY:
            v = m.equity
        elif self.rule.kind is RuleKind.PNL:
            v = m.pnl
        else:
            v = m.balances.get(self.asset, Decimal(0))  # exchanges omit zero balances
        ev.level(self, now, self.cmp(v, self.threshold), v)

    def message(self, value) -> str:
        who = "all accounts" if self.account == TOTAL else self.account
        what = f"{self.asset} balance" if self.asset else self.metric
        return (
            f"{what} of {who} {format_value(value)} is {_OP_WORDS[self.op]} "
            f"{format_value(self.threshold)}"
        )


# -- health ------------------------------------------------------------------------------------
class Health(Cond):
    __slots__ = ("target", "name", "max_age_ms", "detail")

    def __init__(self, rule, exchange=None):
        super().__init__(rule, None)
        p = rule.params
        self.target, self.name, self.max_age_ms, self.detail = p.target, p.name, p.max_age_ms, ""

    def pollers(self, pollers: dict[str, PollerHealth]) -> list[PollerHealth]:
        if self.target == "poller":
            p = pollers.get(self.name)
            return [p] if p is not None else []
        return [p for p in pollers.values() if p.account == self.name]

    def check(self, pollers: dict[str, PollerHealth], first_seen: dict[str, int], now, ev):
        mine = self.pollers(pollers)
        if not mine:
            return
        if self.rule.kind is RuleKind.STALE:
            # never-succeeded pollers count from when we first saw them, not from 1970
            oldest = min(mine, key=lambda p: max(p.last_success, first_seen.get(p.key, now)))
            age = now - max(oldest.last_success, first_seen.get(oldest.key, now))
            self.detail = oldest.key
            ev.level(self, now, age > self.max_age_ms, round(age / 1000, 1))
        else:
            if self.target == "poller":
                state, error = mine[0].state, mine[0].last_error
            else:
                folded = AccountHealth.fold(self.name, mine)
                state, error = folded.state, folded.last_error
            self.detail = f"{state.value}: {error}" if error else state.value
            ev.level(self, now, state in _BAD_STATES, None)

    def message(self, value) -> str:
        if self.rule.kind is RuleKind.STALE:
            return (
                f"{self.target} {self.name} data is {format_value(value)}s old "
                f"(limit {format_duration(self.max_age_ms)}; oldest feed {self.detail})"
            )
        return f"{self.target} {self.name} is in error ({self.detail})"


TICKER_KINDS = {
    RuleKind.PRICE: PriceLevel,
    RuleKind.CROSS: PriceCross,
    RuleKind.CHANGE: Change,
    RuleKind.LINE_CROSS: LineCross,
}
CANDLE_KINDS = {
    RuleKind.VOLUME: Volume,
    RuleKind.INDICATOR: IndicatorLevel,
    RuleKind.INDICATOR_CROSS: IndicatorCross,
}
