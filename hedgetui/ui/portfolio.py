"""The accounts table's rows, computed from the store's latest state (pure: no Textual).

``PortfolioState`` mirrors what the UI needs of the store and absorbs ``ChangeSet``s;
``portfolio_rows`` turns it into ordered rows — one per (account, asset) balance and per
(account, position), a subtotal per group and a grand total — grouped by account or asset,
filtered and sorted. The table widget diffs the values, so recomputing every row per batch
costs a few milliseconds and redraws only what changed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hedgetui.domain import (
    AccountInfo,
    Balance,
    Fill,
    Order,
    PollerHealth,
    Position,
    Ticker,
)
from hedgetui.domain.valuation import asset_price

GROUP_ACCOUNT = "account"
GROUP_ASSET = "asset"
MAX_FILLS = 500
SUM_COLUMNS = ("value", "upnl", "rpnl")


@dataclass
class PortfolioState:
    accounts: dict[str, AccountInfo] = field(default_factory=dict)
    balances: dict[tuple[str, str], Balance] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    tickers: dict[tuple[str, str], Ticker] = field(default_factory=dict)
    orders: dict[tuple[str, str], Order] = field(default_factory=dict)
    fills: deque[Fill] = field(default_factory=lambda: deque(maxlen=MAX_FILLS))
    health: dict[str, PollerHealth] = field(default_factory=dict)
    rev: int = 0

    def apply(self, changes: Any) -> set[str]:
        """Absorb a store ``ChangeSet``; return which kinds changed."""
        changed: set[str] = set()
        for a in changes.accounts:
            self.accounts[a.name] = a
            changed.add("accounts")
        if changes.balances:
            # a balance snapshot replaces the account's set: drop assets it no longer holds
            for acct in {b.account for b in changes.balances}:
                stamp = max(b.timestamp for b in changes.balances if b.account == acct)
                for key in [
                    k for k, b in self.balances.items() if k[0] == acct and b.timestamp < stamp
                ]:
                    del self.balances[key]
            for b in changes.balances:
                self.balances[(b.account, b.asset)] = b
            changed.add("balances")
        for p in changes.positions:
            if p.contracts:
                self.positions[(p.account, p.symbol)] = p
            else:
                self.positions.pop((p.account, p.symbol), None)
            changed.add("positions")
        for o in changes.orders:
            self.orders[(o.account, o.client_id or o.id)] = o
            changed.add("orders")
        if changes.fills:
            known = {(f.account, f.id) for f in self.fills}
            for f in sorted(changes.fills, key=lambda f: f.timestamp):
                if (f.account, f.id) not in known:
                    self.fills.append(f)
            changed.add("fills")
        for t in changes.tickers:
            self.tickers[(t.exchange, t.symbol)] = t
            changed.add("tickers")
        for h in changes.health:
            self.health[h.key] = h
            changed.add("health")
        self.rev = max(self.rev, changes.rev)
        return changed

    def prices(self) -> dict[tuple[str, str], float]:
        return {k: t.last for k, t in self.tickers.items()}

    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if o.is_open]


@dataclass(frozen=True)
class View:
    group: str = GROUP_ACCOUNT
    sort: str | None = None
    reverse: bool = False
    filter: str = ""


Row = tuple[str, dict[str, Any], str | None]


def _change_24h(state: PortfolioState, exchange: str, symbol: str) -> float | None:
    t = state.tickers.get((exchange, symbol))
    return t.change_pct if t else None


def _asset_ticker(state: PortfolioState, exchange: str, asset: str) -> float | None:
    for quote in ("USDT", "USDC", "USD"):
        change = _change_24h(state, exchange, f"{asset}/{quote}")
        if change is not None:
            return change
    return None


def detail_rows(state: PortfolioState, now_ms: int, stale_ms: int) -> list[Row]:
    prices = state.prices()
    rows: list[Row] = []
    for (acct, asset), b in state.balances.items():
        if not b.total and not b.used:
            continue
        info = state.accounts.get(acct)
        exchange = info.exchange if info else ""
        price = asset_price(asset, exchange, prices)
        value = b.total * Decimal(repr(price)) if price is not None else None
        age = (now_ms - b.timestamp) / 1000 if b.timestamp else None
        rows.append(
            (
                f"bal|{acct}|{asset}",
                {
                    "account": acct,
                    "exchange": exchange,
                    "mode": _mode(info),
                    "asset": asset,
                    "side": "",
                    "free": b.free,
                    "used": b.used,
                    "total": b.total,
                    "last": price,
                    "value": value,
                    "entry": None,
                    "upnl": None,
                    "rpnl": None,
                    "chg24": _asset_ticker(state, exchange, asset),
                    "age": age,
                    "tags": info.tags if info else (),
                },
                _stale(age, stale_ms),
            )
        )
    for (acct, symbol), p in state.positions.items():
        info = state.accounts.get(acct)
        exchange = info.exchange if info else ""
        ticker = state.tickers.get((exchange, symbol))
        mark = (
            p.mark_price
            if p.mark_price is not None
            else (Decimal(repr(ticker.last)) if ticker else None)
        )
        age = (now_ms - p.timestamp) / 1000 if p.timestamp else None
        signed = p.contracts if p.side == "long" else -p.contracts
        rows.append(
            (
                f"pos|{acct}|{symbol}",
                {
                    "account": acct,
                    "exchange": exchange,
                    "mode": _mode(info),
                    "asset": symbol,
                    "side": p.side,
                    "free": None,
                    "used": p.margin,
                    "total": signed,
                    "last": float(mark) if mark is not None else None,
                    "value": p.contracts * mark if mark is not None else None,
                    "entry": p.entry_price,
                    "upnl": p.unrealized_pnl,
                    "rpnl": p.realized_pnl,
                    "chg24": ticker.change_pct if ticker else None,
                    "age": age,
                    "tags": info.tags if info else (),
                },
                _stale(age, stale_ms),
            )
        )
    return rows


def _mode(info: AccountInfo | None) -> str:
    if info is None:
        return ""
    return "PAPER" if info.is_paper else "LIVE"


def _stale(age: float | None, stale_ms: int) -> str | None:
    return "stale" if age is not None and age * 1000 > stale_ms else None


def matches(values: dict[str, Any], text: str) -> bool:
    """Filter words, all of which must match: ``@tag``, ``account:NAME``, ``tag:NAME``,
    ``asset:BTC``, or plain text found in account, exchange, asset or tags."""
    for word in text.lower().split():
        if word.startswith("@") or word.startswith("tag:"):
            tag = word.split(":", 1)[-1].lstrip("@")
            if tag not in (t.lower() for t in values.get("tags", ())):
                return False
        elif word.startswith("account:"):
            if values["account"].lower() != word[8:]:
                return False
        elif word.startswith("asset:"):
            if word[6:] not in values["asset"].lower():
                return False
        else:
            hay = " ".join(
                [
                    values["account"],
                    values["exchange"],
                    values["asset"],
                    values["mode"],
                    *values.get("tags", ()),
                ]
            ).lower()
            if word not in hay:
                return False
    return True


def _group_key(values: dict[str, Any], group: str) -> str:
    if group == GROUP_ACCOUNT:
        return values["account"]
    asset = values["asset"]
    return asset.split("/")[0] if "/" in asset else asset


def _sort_key(column: str):
    def key(row: Row):
        value = row[1].get(column)
        if value is None:
            return (1, 0, "")
        if isinstance(value, str):
            return (0, 0, value.lower())
        return (0, value, "")

    return key


def portfolio_rows(
    state: PortfolioState, view: View, now_ms: int, stale_ms: int = 15_000
) -> list[Row]:
    """Every row of the table in display order, subtotals after each group, total last."""
    details = [
        r
        for r in detail_rows(state, now_ms, stale_ms)
        if not view.filter or matches(r[1], view.filter)
    ]
    groups: dict[str, list[Row]] = {}
    for row in details:
        groups.setdefault(_group_key(row[1], view.group), []).append(row)
    out: list[Row] = []
    grand = dict.fromkeys(SUM_COLUMNS, Decimal(0))
    for name in sorted(groups):
        rows = groups[name]
        if view.sort:
            nones = [r for r in rows if r[1].get(view.sort) is None]
            rest = sorted(
                (r for r in rows if r[1].get(view.sort) is not None),
                key=_sort_key(view.sort),
                reverse=view.reverse,
            )
            rows = rest + nones
        else:
            rows.sort(key=lambda r: (r[0].startswith("pos"), r[1]["asset"], r[1]["account"]))
        out.extend(rows)
        sums = _sums(rows)
        for c in SUM_COLUMNS:
            grand[c] += sums[c]
        label = {"account": name, "asset": "", "exchange": "", "mode": ""}
        if view.group == GROUP_ASSET:
            label = {"account": "", "asset": name, "exchange": "", "mode": ""}
            held = [r[1]["total"] for r in rows if r[0].startswith("bal")]
            sums["total"] = sum(held, Decimal(0)) if held else None
        ages = [r[1]["age"] for r in rows if r[1].get("age") is not None]
        out.append(
            (
                f"sub|{name}",
                {**_blank(), **label, **sums, "side": "Σ", "age": max(ages) if ages else None},
                "subtotal",
            )
        )
    out.append(("total", {**_blank(), "account": "TOTAL", **grand, "side": "Σ"}, "total"))
    return out


def _sums(rows: list[Row]) -> dict[str, Decimal]:
    """Value adds balances only: a position row's value is its notional exposure, and its
    PnL is already part of the settlement balance (the wallet counts unrealized PnL)."""
    sums = {
        c: sum((r[1][c] for r in rows if r[1].get(c) is not None), Decimal(0)) for c in SUM_COLUMNS
    }
    sums["value"] = sum(
        (r[1]["value"] for r in rows if r[0].startswith("bal|") and r[1]["value"] is not None),
        Decimal(0),
    )
    return sums


def _blank() -> dict[str, Any]:
    return {
        "account": "",
        "exchange": "",
        "mode": "",
        "asset": "",
        "side": "",
        "free": None,
        "used": None,
        "total": None,
        "last": None,
        "value": None,
        "entry": None,
        "upnl": None,
        "rpnl": None,
        "chg24": None,
        "age": None,
        "tags": (),
    }
