"""The bulk-order language: text -> :class:`Batch` -> per-account concrete orders.

``parse(text)`` never raises anything but :class:`ParseError`; ``expand(batch, ctx)`` is
pure and reports every problem as data. Grammar and examples: docs/order-language.md.
"""

from hedgetui.domain.orderlang.errors import ParseError
from hedgetui.domain.orderlang.expand import batch_digest, expand
from hedgetui.domain.orderlang.ladder import (
    Allocation,
    allocate_base,
    allocate_quote,
    ladder_prices,
    ladder_weights,
)
from hedgetui.domain.orderlang.nodes import (
    DEFAULT_EXP_FACTOR,
    AccountSelector,
    Batch,
    CancelStmt,
    CloseStmt,
    Dist,
    Ladder,
    OrderStmt,
    Size,
    SizeKind,
    Statement,
)
from hedgetui.domain.orderlang.parser import MAX_RUNGS, parse, parse_statement
from hedgetui.domain.orderlang.resolve import find_market, resolve_accounts
from hedgetui.domain.orderlang.results import (
    CancelAction,
    ClientIdFactory,
    CloseAction,
    ConcreteOrder,
    ExpandContext,
    Expanded,
    ExpansionIssue,
    Severity,
    blocking_reasons,
)

__all__ = [
    "ParseError",
    "parse",
    "parse_statement",
    "MAX_RUNGS",
    "Batch",
    "Statement",
    "OrderStmt",
    "CancelStmt",
    "CloseStmt",
    "Size",
    "SizeKind",
    "Ladder",
    "Dist",
    "DEFAULT_EXP_FACTOR",
    "AccountSelector",
    "expand",
    "batch_digest",
    "ExpandContext",
    "Expanded",
    "ConcreteOrder",
    "CancelAction",
    "CloseAction",
    "ExpansionIssue",
    "Severity",
    "ClientIdFactory",
    "blocking_reasons",
    "resolve_accounts",
    "find_market",
    "Allocation",
    "ladder_prices",
    "ladder_weights",
    "allocate_base",
    "allocate_quote",
]
