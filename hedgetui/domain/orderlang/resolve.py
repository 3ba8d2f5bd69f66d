"""Account selectors -> configured accounts; symbols -> markets. With suggestions, since a
typo must never turn into an empty (or a different) selection."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from hedgetui.domain.models import AccountInfo, Market
from hedgetui.domain.orderlang.nodes import AccountSelector

__all__ = ["resolve_accounts", "find_market"]


def resolve_accounts(
    selector: AccountSelector, accounts: Mapping[str, AccountInfo]
) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
    """Account names (configured spelling, selection order, no duplicates) and problems
    as (message, suggestions). Names and tags match case-insensitively."""
    if selector.all:
        if not accounts:
            return [], [("no accounts are configured", ())]
        return list(accounts), []
    by_lower = {name.lower(): name for name in accounts}
    tags: dict[str, list[str]] = {}
    for name, info in accounts.items():
        for tag in info.tags:
            tags.setdefault(tag.lower(), []).append(name)
    picked: list[str] = []
    problems: list[tuple[str, tuple[str, ...]]] = []
    for name in selector.names:
        found = by_lower.get(name.lower())
        if found:
            picked.append(found)
            continue
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
        hints = [by_lower[c] for c in close]
        if name.lower() in tags:
            hints.insert(0, f"@{name}")
        problems.append((f"unknown account {name!r}", tuple(hints)))
    for tag in selector.tags:
        members = tags.get(tag.lower())
        if members:
            picked.extend(members)
            continue
        close = difflib.get_close_matches(tag.lower(), list(tags), n=3, cutoff=0.6)
        hints = [f"@{c}" for c in close]
        if tag.lower() in by_lower:
            hints.insert(0, by_lower[tag.lower()])
        problems.append((f"no account has the tag @{tag}", tuple(hints)))
    return list(dict.fromkeys(picked)), problems


def find_market(
    markets: Mapping[str, Mapping[str, Market]], exchange: str, symbol: str
) -> tuple[Market | None, tuple[str, ...]]:
    """The market for ``symbol`` on ``exchange`` (exact, then case-insensitive), or None
    and some likely symbols (``BTC/USDT:USDT`` for ``BTC/USDT`` and vice versa first)."""
    listed = markets.get(exchange) or {}
    market = listed.get(symbol)
    if market is not None:
        return market, ()
    upper = {s.upper(): m for s, m in listed.items()}
    if symbol.upper() in upper:
        return upper[symbol.upper()], ()
    hints: list[str] = []
    spot = symbol.split(":")[0]
    if ":" in symbol and spot in listed:
        hints.append(spot)
    hints.extend(s for s in listed if ":" not in symbol and s.startswith(symbol + ":"))
    hints.extend(difflib.get_close_matches(symbol, list(listed), n=3, cutoff=0.7))
    return None, tuple(dict.fromkeys(hints))[:4]
