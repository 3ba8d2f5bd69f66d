"""``parse_rule`` (text -> AlertRule) and ``format_rule`` (AlertRule -> canonical text).

The grammar is in docs/alerts.md. Every failure is a :class:`RuleParseError` pointing at the
offending column; no other exception escapes ``parse_rule`` for any input."""

from __future__ import annotations

import re
from decimal import Decimal

from hedgetui.domain.alerts.formatting import NAME as _NAME
from hedgetui.domain.alerts.formatting import format_rule
from hedgetui.domain.alerts.rules import (
    DEFAULT_COOLDOWN_MS,
    OPS,
    TOTAL,
    AccountParams,
    AlertOptions,
    AlertRule,
    ChangeParams,
    CrossParams,
    Direction,
    HealthParams,
    IndicatorCrossParams,
    IndicatorParams,
    LineCrossParams,
    Mode,
    Operand,
    PriceParams,
    RuleKind,
    VolumeParams,
)
from hedgetui.domain.alerts.syntax import (
    DAY_MS,
    RuleParseError,
    Token,
    format_duration,
    parse_duration,
    parse_instant,
    parse_number,
    tokenize,
)
from hedgetui.domain.models import TIMEFRAMES

__all__ = ["parse_rule", "format_rule", "RuleParseError"]

_MARKET = re.compile(
    r"(?:([a-z0-9_]+):)?([A-Z0-9][A-Z0-9_.\-]*/[A-Z0-9][A-Z0-9_.\-]*(?::[A-Z0-9][A-Z0-9_.\-]*)?)",
    re.IGNORECASE | re.ASCII,
)
_POLLER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/\-]*")
_ASSET = re.compile(r"[A-Za-z0-9]+")
_LINE_ID = re.compile(r"[A-Za-z0-9_\-]+")

PRICE_FIELDS = ("last", "bid", "ask", "mid")
_INDICATORS = {"close": 0, "ema": 2, "sma": 1, "rsi": 2}  # name -> minimum period
_MAX_PERIOD = 1000
_DIRECTIONS = {
    "above": Direction.ABOVE,
    "up": Direction.ABOVE,
    "below": Direction.BELOW,
    "down": Direction.BELOW,
}
_CMP = "a comparison (>, >=, <, <=)"
_MAX_WINDOW_MS = 7 * DAY_MS
_MAX_COOLDOWN_MS = 30 * DAY_MS
_MAX_EXPIRY_MS = 3650 * DAY_MS


class _Parser:
    def __init__(self, text: str, now_ms: int) -> None:
        self.text = text
        self.now_ms = now_ms
        self.tokens = tokenize(text)
        self.i = 0

    # -- token helpers -------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def fail(self, tok: Token, expected: str) -> RuleParseError:
        return RuleParseError(self.text, tok.col, expected, tok.describe(), length=tok.width)

    def word_is(self, *words: str) -> bool:
        tok = self.peek()
        return tok.kind == "word" and tok.value.lower() in words

    def keyword(self, *words: str, expected: str | None = None) -> str:
        tok = self.take()
        if tok.kind == "word" and tok.value.lower() in words:
            return tok.value.lower()
        raise self.fail(tok, expected or " or ".join(repr(w) for w in words))

    def pattern(self, regex: re.Pattern, expected: str) -> str:
        tok = self.take()
        if tok.kind == "word" and regex.fullmatch(tok.value):
            return tok.value
        raise self.fail(tok, expected)

    def op(self) -> str:
        tok = self.take()
        if tok.kind == "op" and tok.value in OPS:
            return tok.value
        raise self.fail(tok, _CMP)

    def number(self, expected: str = "a number", *, suffix: str = "", positive: bool = False):
        tok = self.take()
        word = tok.value if tok.kind == "word" else ""
        if suffix and word.lower().endswith(suffix):
            word = word[: -len(suffix)]
        value = parse_number(word)
        if value is None:
            if "," in word:
                expected += " ('.' is the decimal point; ',' only groups thousands: 65,000.5)"
            raise self.fail(tok, expected)
        if positive and value <= 0:
            raise self.fail(tok, f"{expected} greater than 0")
        if tok.kind == "word" and suffix and not tok.value.lower().endswith(suffix):
            self.optional_word(suffix)  # "2 %" as well as "2%"
        return value

    def optional_word(self, word: str) -> bool:
        if self.word_is(word):
            self.take()
            return True
        return False

    def integer(self, expected: str, low: int, high: int) -> int:
        tok = self.take()
        value = parse_number(tok.value) if tok.kind == "word" else None
        if value is None or value != value.to_integral_value() or not low <= value <= high:
            raise self.fail(tok, f"{expected} (a whole number from {low} to {high})")
        return int(value)

    def duration(self, expected: str, low: int, high: int) -> int:
        tok = self.take()
        ms = parse_duration(tok.value.lower()) if tok.kind == "word" else None
        if ms is None:
            raise self.fail(tok, f"{expected} like 30s, 5m, 1h30m, 2d")
        if not low <= ms <= high:
            raise self.fail(
                tok, f"{expected} from {format_duration(low)} to {format_duration(high)}"
            )
        return ms

    def timeframe(self) -> str:
        tok = self.take()
        if tok.kind == "word" and tok.value in TIMEFRAMES:
            return tok.value
        raise self.fail(tok, f"a timeframe ({', '.join(TIMEFRAMES)})")

    def direction(self) -> Direction:
        if self.peek().kind == "word" and self.peek().value.lower() in _DIRECTIONS:
            return _DIRECTIONS[self.take().value.lower()]
        return Direction.ANY

    # -- grammar -------------------------------------------------------------------------
    def rule(self) -> AlertRule:
        tok = self.peek()
        head = tok.value.lower() if tok.kind == "word" else ""
        if head in ("equity", "pnl"):
            self.take()
            account = self.account()
            op = self.op()
            value = self.number()
            kind, params = RuleKind(head), AccountParams(account, op, value)
        elif head == "balance":
            self.take()
            account = self.account()
            asset = self.pattern(_ASSET, "an asset like USDT").upper()
            op = self.op()
            value = self.number()
            kind, params = RuleKind.BALANCE, AccountParams(account, op, value, asset)
        elif head in ("stale", "error"):
            self.take()
            kind, params = RuleKind(head), self.health(head)
        elif tok.kind == "word" and (m := _MARKET.fullmatch(tok.value)):
            self.take()
            exchange = m.group(1).lower() if m.group(1) else None
            kind, params = self.market(exchange, m.group(2).upper())
        else:
            raise self.fail(
                tok,
                "a market like BTC/USDT or binance:BTC/USDT, "
                "or one of equity, pnl, balance, stale, error",
            )
        options = self.options()
        return AlertRule(text="", kind=kind, params=params, options=options)

    def account(self) -> str:
        name = self.pattern(_NAME, f"an account name, or '{TOTAL}' for all accounts")
        return TOTAL if name.lower() == TOTAL else name

    def health(self, check: str) -> HealthParams:
        target = self.keyword("account", "poller")
        if target == "account":
            name = self.pattern(_NAME, "an account name")
        else:
            name = self.pattern(_POLLER, "a poller key like market:paper:tickers")
        if check == "error":
            return HealthParams(target, name)
        return HealthParams(target, name, self.duration("a maximum age", 1000, _MAX_COOLDOWN_MS))

    def market(self, exchange: str | None, symbol: str):
        tok = self.peek()
        word = tok.value.lower() if tok.kind == "word" else ""
        if word in ("abs", "change"):
            absolute = self.optional_word("abs")
            self.keyword("change")
            window = self.duration("a window", 1000, _MAX_WINDOW_MS)
            op = self.op()
            pct = self.number("a percentage like 2% or -3%", suffix="%")
            if absolute and pct < 0:
                raise self.fail(self.tokens[self.i - 1], "a percentage >= 0 with 'abs'")
            return RuleKind.CHANGE, ChangeParams(exchange, symbol, window, op, pct, absolute)
        if word == "volume":
            self.take()
            tf = self.timeframe()
            op = self.op()
            multiple = self.number("a multiple like 3x", suffix="x", positive=True)
            self.keyword("avg", expected="'avg' (volume 1m > 3x avg 20)")
            length = self.integer("the number of candles to average", 1, _MAX_PERIOD)
            return RuleKind.VOLUME, VolumeParams(exchange, symbol, tf, op, multiple, length)
        if word in _INDICATORS:
            return self.indicator(exchange, symbol)
        field = "last"
        if word in PRICE_FIELDS:
            field = self.take().value.lower()
            tok = self.peek()
        if tok.kind == "op":
            op = self.op()
            level = self.number("a price", positive=True)
            return RuleKind.PRICE, PriceParams(exchange, symbol, field, op, level)
        if tok.kind == "word" and tok.value.lower() in ("crosses", "cross"):
            self.take()
            direction = self.direction()
            if self.optional_word("line"):
                line = self.pattern(_LINE_ID, "a chart line id like 17")
                return RuleKind.LINE_CROSS, LineCrossParams(
                    exchange, symbol, field, direction, line
                )
            level = self.number("a price, or 'line' and a chart line id", positive=True)
            return RuleKind.CROSS, CrossParams(exchange, symbol, field, direction, level)
        expected = "a comparison (>, >=, <, <=) or 'crosses'"
        if field == "last" and word not in PRICE_FIELDS:
            expected = (
                "a comparison (>, >=, <, <=), 'crosses', 'change', 'volume', "
                "an indicator (rsi, ema, sma, close) or a price field (last, bid, ask, mid)"
            )
        raise self.fail(tok, expected)

    def operand(self) -> Operand:
        name = self.keyword(*_INDICATORS, expected="an indicator (rsi, ema, sma, close)")
        if name == "close":
            return Operand("close")
        return Operand(name, self.integer(f"the {name} period", _INDICATORS[name], _MAX_PERIOD))

    def indicator(self, exchange: str | None, symbol: str):
        left = self.operand()
        nxt = self.peek()
        tf = self.timeframe() if nxt.kind == "word" and nxt.value in TIMEFRAMES else None
        cross = self.word_is("crosses", "cross")
        if cross:
            self.take()
            direction = self.direction()
        else:
            op_tok = self.peek()
            if op_tok.kind != "op":
                raise self.fail(op_tok, f"{_CMP} or 'crosses'" + ("" if tf else " or a timeframe"))
            op = self.op()
        right_tok = self.peek()
        right: Operand | Decimal
        if self.word_is(*_INDICATORS):
            right = self.operand()
        else:
            right = self.number("a number or an indicator (rsi, ema, sma, close)")
        if tf is None:
            tf = self.timeframe()
        if left.name == "rsi" and isinstance(right, Decimal) and not 0 <= right <= 100:
            raise self.fail(right_tok, "an RSI level from 0 to 100")
        if cross:
            params = IndicatorCrossParams(exchange, symbol, tf, left, direction, right)
            return RuleKind.INDICATOR_CROSS, params
        return RuleKind.INDICATOR, IndicatorParams(exchange, symbol, tf, left, op, right)

    def options(self) -> AlertOptions:
        seen: set[str] = set()
        mode, cooldown, expires, note, arm, auto = Mode.ONCE, 0, None, "", None, False
        auto_tok = None
        while (tok := self.peek()).kind != "end":
            word = tok.value.lower() if tok.kind == "word" else ""
            group = "mode" if word in ("once", "repeat", "until-ack", "until_ack") else word
            if group not in ("mode", "expires", "note", "arm", "auto"):
                raise self.fail(
                    tok, "an option: once, repeat 5m, until-ack 1m, expires, note, arm, auto"
                )
            if group in seen:
                what = "of once / repeat / until-ack" if group == "mode" else repr(group)
                raise self.fail(tok, f"at most one {what}")
            seen.add(group)
            self.take()
            if word == "once":
                mode = Mode.ONCE
            elif word in ("repeat", "until-ack", "until_ack"):
                mode = Mode.REPEAT if word == "repeat" else Mode.UNTIL_ACK
                cooldown = DEFAULT_COOLDOWN_MS
                nxt = self.peek()
                if nxt.kind == "word" and parse_duration(nxt.value.lower()) is not None:
                    low = 0 if mode is Mode.REPEAT else 1000
                    cooldown = self.duration("an interval", low, _MAX_COOLDOWN_MS)
            elif word == "expires":
                expires = self.expiry()
            elif word == "note":
                note = self.note()
            elif word == "arm":
                nxt = self.take()
                if nxt.kind == "string" and nxt.value.strip() and _printable(nxt.value):
                    arm = nxt.value
                elif nxt.kind == "word" and _NAME.fullmatch(nxt.value):
                    arm = nxt.value
                else:
                    raise self.fail(nxt, "the name of a saved order batch")
            else:
                auto, auto_tok = True, tok
        if auto and arm is None:
            raise self.fail(auto_tok, "'arm TEMPLATE' with 'auto' (auto sends the armed batch)")
        return AlertOptions(mode, cooldown, expires, note, arm, auto)

    def expiry(self) -> int:
        tok = self.take()
        word = tok.value if tok.kind == "word" else ""
        rel = parse_duration(word.lower())
        if rel is not None:
            if not 1000 <= rel <= _MAX_EXPIRY_MS:
                raise self.fail(tok, "an expiry from 1s to 3650d")
            return -(-(self.now_ms + rel) // 1000) * 1000  # whole seconds, rounded up
        try:
            at = parse_instant(word)
        except (ValueError, OverflowError, OSError):
            raise self.fail(tok, "a valid date (2026-12-31) or time (2026-12-31T18:00)") from None
        if at is None:
            raise self.fail(
                tok, "a date (2026-12-31), a time (2026-12-31T18:00Z) or a duration (4h)"
            )
        return at

    def note(self) -> str:
        tok = self.take()
        if tok.kind != "string":
            raise self.fail(tok, 'a quoted note like "take profit"')
        if not _printable(tok.value):
            raise self.fail(tok, "a note on one line, without control characters")
        return tok.value


def _printable(text: str) -> bool:
    return all(ord(c) >= 32 and ord(c) != 127 for c in text)


def parse_rule(text: str, *, now_ms: int) -> AlertRule:
    """Parse one rule; ``now_ms`` resolves relative expiries (``expires 4h``)."""
    if not isinstance(text, str):
        raise RuleParseError(str(text), 1, "rule text")
    if not text.strip():
        raise RuleParseError(text, 1, "a rule like 'BTC/USDT > 65000'", "an empty rule")
    rule = _Parser(text, now_ms).rule()
    return AlertRule(
        text=format_rule(rule), kind=rule.kind, params=rule.params, options=rule.options
    )
