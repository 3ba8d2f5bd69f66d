"""Number and age formatting for command output."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal | float | None, places: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{places}f}"


def age(now_ms: int, then_ms: int) -> str:
    if not then_ms:
        return "never"
    seconds = max(0, (now_ms - then_ms) / 1000)
    if seconds < 60:
        return f"{seconds:.0f}s ago"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m ago"
    return f"{seconds / 3600:.1f}h ago"
