"""``format_rule``: an AlertRule as canonical text, which parses back to an equal rule."""

from __future__ import annotations

import re
from decimal import Decimal

from hedgetui.domain.alerts.rules import AlertRule, Direction, Mode, Operand, RuleKind
from hedgetui.domain.alerts.syntax import format_duration, format_instant, format_number

__all__ = ["format_rule", "NAME"]

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")  # bare names (accounts, order batches)


def _market(p) -> str:
    return f"{p.exchange}:{p.symbol}" if p.exchange else p.symbol


def _field(p) -> str:
    return "" if p.field == "last" else f" {p.field}"


def _dir(d: Direction) -> str:
    return "" if d is Direction.ANY else f" {d.value}"


def _right(r: Operand | Decimal) -> str:
    return format_number(r) if isinstance(r, Decimal) else str(r)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_rule(rule: AlertRule) -> str:
    """Canonical text: parses back (with any ``now_ms``) to an equal rule."""
    p, k = rule.params, rule.kind
    if k is RuleKind.PRICE:
        body = f"{_market(p)}{_field(p)} {p.op} {format_number(p.level)}"
    elif k is RuleKind.CROSS:
        body = f"{_market(p)}{_field(p)} crosses{_dir(p.direction)} {format_number(p.level)}"
    elif k is RuleKind.LINE_CROSS:
        body = f"{_market(p)}{_field(p)} crosses{_dir(p.direction)} line {p.line_id}"
    elif k is RuleKind.CHANGE:
        abs_ = "abs " if p.absolute else ""
        pct = format_number(p.pct)
        body = f"{_market(p)} {abs_}change {format_duration(p.window_ms)} {p.op} {pct}%"
    elif k is RuleKind.VOLUME:
        m = format_number(p.multiple)
        body = f"{_market(p)} volume {p.timeframe} {p.op} {m}x avg {p.length}"
    elif k is RuleKind.INDICATOR:
        body = f"{_market(p)} {p.left} {p.timeframe} {p.op} {_right(p.right)}"
    elif k is RuleKind.INDICATOR_CROSS:
        body = f"{_market(p)} {p.left} crosses{_dir(p.direction)} {_right(p.right)} {p.timeframe}"
    elif k in (RuleKind.EQUITY, RuleKind.PNL):
        body = f"{k.value} {p.account} {p.op} {format_number(p.value)}"
    elif k is RuleKind.BALANCE:
        body = f"balance {p.account} {p.asset} {p.op} {format_number(p.value)}"
    elif k is RuleKind.STALE:
        body = f"stale {p.target} {p.name} {format_duration(p.max_age_ms)}"
    else:
        body = f"error {p.target} {p.name}"
    o = rule.options
    parts = [body]
    if o.mode is not Mode.ONCE:
        parts.append(f"{o.mode.value} {format_duration(o.cooldown_ms)}")
    if o.expires_at is not None:
        parts.append(f"expires {format_instant(o.expires_at)}")
    if o.arm_template is not None:
        name = o.arm_template
        parts.append(f"arm {name if NAME.fullmatch(name) else _quote(name)}")
    if o.auto:
        parts.append("auto")
    if o.note:
        parts.append(f"note {_quote(o.note)}")
    return " ".join(parts)
