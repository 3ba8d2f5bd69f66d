"""Alerts, the pure core: the rule language (parse/format), the rule model and the
evaluator that turns market, account and health updates into alert events."""

from hedgetui.domain.alerts.evaluator import AlertEvaluator
from hedgetui.domain.alerts.events import AccountMetrics, AlertEvent, Drawing, EventKind
from hedgetui.domain.alerts.parser import format_rule, parse_rule
from hedgetui.domain.alerts.rules import (
    TOTAL,
    AlertOptions,
    AlertRule,
    Direction,
    Mode,
    Operand,
    RuleKind,
)
from hedgetui.domain.alerts.syntax import RuleParseError

__all__ = [
    "AccountMetrics",
    "AlertEvaluator",
    "AlertEvent",
    "AlertOptions",
    "AlertRule",
    "Direction",
    "Drawing",
    "EventKind",
    "Mode",
    "Operand",
    "RuleKind",
    "RuleParseError",
    "TOTAL",
    "format_rule",
    "parse_rule",
]
