"""Column sets of the workstation's tables: labels, priorities (what goes first at 80
columns) and formatters."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hedgetui.ui.widgets.live_table_columns import Column, format_number


def signed(value: Any) -> tuple[str, str | None]:
    """Money with a sign and colour: gains green, losses red."""
    text = format_number(value, 2)
    if value > 0:
        return "+" + text, "positive"
    if value < 0:
        return text, "negative"
    return text, None


def percent(value: float) -> tuple[str, str | None]:
    style = "positive" if value > 0 else "negative" if value < 0 else None
    return f"{value:+.2f}%", style


def amount(value: Decimal) -> str:
    """Amounts as the exchange gave them, trailing zeros trimmed, thousands separated."""
    if value == value.to_integral():
        return f"{value:,.0f}"
    text = f"{value.normalize():,f}"
    return text


def price(value: float) -> str:
    return format_number(value)


def age_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"


def age_formatter(stale_after_s: float):
    """Ages in red past the stale threshold (the row itself is dimmed by the caller)."""

    def fmt(seconds: float) -> tuple[str, str | None]:
        return age_text(seconds), "negative" if seconds > stale_after_s else "muted"

    return fmt


def age(seconds: float) -> tuple[str, str | None]:
    return age_text(seconds), "muted"


def mode(value: str) -> tuple[str, str | None]:
    return value, "warning" if value == "PAPER" else "negative" if value == "LIVE" else None


def side(value: str) -> tuple[str, str | None]:
    return value, {
        "long": "positive",
        "buy": "positive",
        "short": "negative",
        "sell": "negative",
    }.get(value)


def accounts_columns(stale_after_s: float) -> tuple[Column, ...]:
    stale_age = age_formatter(stale_after_s)
    return tuple(replace(c, formatter=stale_age) if c.key == "age" else c for c in ACCOUNTS)


ACCOUNTS = (
    Column("account", "Account", min_width=6, max_width=16, priority=0),
    Column("exchange", "Exch", min_width=4, max_width=10, priority=6),
    Column("mode", "Mode", width=5, formatter=mode, priority=5),
    Column("asset", "Asset", min_width=5, max_width=16, priority=0),
    Column("side", "Side", width=5, formatter=side, priority=3),
    Column("free", "Free", numeric=True, formatter=amount, priority=7),
    Column("used", "Used", numeric=True, formatter=amount, priority=7),
    Column("total", "Total", numeric=True, formatter=amount, priority=1, min_width=8),
    Column("last", "Last", numeric=True, formatter=price, priority=2),
    Column("value", "Value", numeric=True, decimals=2, priority=0, min_width=10),
    Column("entry", "Entry", numeric=True, formatter=amount, priority=4),
    Column("upnl", "uPnL", numeric=True, formatter=signed, priority=1),
    Column("rpnl", "rPnL", numeric=True, formatter=signed, priority=4),
    Column("chg24", "24h%", numeric=True, formatter=percent, priority=2, flash=False),
    Column("age", "Age", width=4, numeric=True, formatter=age, priority=3, flash=False),
)

ORDERS = (
    Column("account", "Account", min_width=6, max_width=14),
    Column("symbol", "Symbol", min_width=8, max_width=16),
    Column("side", "Side", width=5, formatter=side),
    Column("type", "Type", min_width=5, max_width=11, priority=3),
    Column("price", "Price", numeric=True, formatter=amount, flash=False),
    Column("stop", "Stop", numeric=True, formatter=amount, priority=5, flash=False),
    Column("amount", "Amount", numeric=True, formatter=amount, flash=False),
    Column("filled", "Filled", numeric=True, formatter=amount, priority=2),
    Column("status", "Status", min_width=6, max_width=9, priority=1),
    Column("client_id", "Client id", min_width=8, max_width=24, priority=6),
    Column("age", "Age", width=4, numeric=True, formatter=age, priority=4, flash=False),
)

FILLS = (
    Column("time", "Time", width=8),
    Column("account", "Account", min_width=6, max_width=14),
    Column("symbol", "Symbol", min_width=8, max_width=16),
    Column("side", "Side", width=5, formatter=side),
    Column("price", "Price", numeric=True, formatter=amount, flash=False),
    Column("amount", "Amount", numeric=True, formatter=amount, flash=False),
    Column("fee", "Fee", numeric=True, formatter=amount, priority=3, flash=False),
    Column("liquidity", "Liq", width=5, priority=4),
    Column("rpnl", "rPnL", numeric=True, formatter=signed, priority=2, flash=False),
)

MARKET = (
    Column("exchange", "Exch", min_width=4, max_width=10, priority=3),
    Column("symbol", "Symbol", min_width=8, max_width=16),
    Column("last", "Last", numeric=True, formatter=price, min_width=9),
    Column("bid", "Bid", numeric=True, formatter=price, priority=2),
    Column("ask", "Ask", numeric=True, formatter=price, priority=2),
    Column("chg24", "24h%", numeric=True, formatter=percent, flash=False),
    Column("high", "24h high", numeric=True, formatter=price, priority=4, flash=False),
    Column("low", "24h low", numeric=True, formatter=price, priority=4, flash=False),
    Column("qvol", "Vol (quote)", numeric=True, decimals=0, priority=3, flash=False),
    Column("age", "Age", width=4, numeric=True, formatter=age, priority=1, flash=False),
)

HEALTH = (
    Column("poller", "Poller", min_width=18, max_width=40),
    Column("state", "State", width=8),
    Column("last_ok", "Last ok", width=8, numeric=True, formatter=age, flash=False),
    Column("latency", "Latency ms", numeric=True, decimals=1, priority=2, flash=False),
    Column("errors", "Errors", numeric=True, decimals=0, priority=1, flash=False),
    Column("streak", "In a row", numeric=True, decimals=0, priority=3, flash=False),
    Column("backoff", "Backoff", numeric=True, decimals=1, priority=3, flash=False),
    Column("last_error", "Last error", min_width=10, max_width=80, priority=1),
)
