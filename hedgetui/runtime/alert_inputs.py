"""What the alert engine reads for its rules: which tickers, candle series, accounts and
pollers the enabled rules watch (so a commit touching nothing watched costs no read), and
account metrics built from balances, positions and prices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from hedgetui.domain import Balance, Position
from hedgetui.domain.alerts import TOTAL, AccountMetrics, AlertRule, Drawing, RuleKind
from hedgetui.domain.valuation import balance_value

__all__ = [
    "Watch",
    "AccountBook",
    "account_metrics",
    "drawing_lines",
    "HISTORY_CANDLES",
    "RECENT_CANDLES",
]

HISTORY_CANDLES = 1000  # first read of a series: indicators warm up on it
RECENT_CANDLES = 3  # later reads: the forming candle and the ones that just closed
_CANDLE_KINDS = (RuleKind.VOLUME, RuleKind.INDICATOR, RuleKind.INDICATOR_CROSS)
_TICKER_KINDS = (RuleKind.PRICE, RuleKind.CROSS, RuleKind.LINE_CROSS, RuleKind.CHANGE)


@dataclass
class Watch:
    """The keys the enabled rules watch."""

    tickers: set[tuple[str, str]] = field(default_factory=set)  # (exchange, symbol)
    candles: set[tuple[str, str, str]] = field(default_factory=set)  # (+ timeframe)
    change: set[tuple[str, str]] = field(default_factory=set)  # tickers with % change rules
    accounts: set[str] = field(default_factory=set)  # "total" = every account
    health: bool = False
    lines: bool = False  # rules on chart drawings

    @classmethod
    def of(cls, rules: Iterable[AlertRule], default_exchange: str) -> Watch:
        w = cls()
        for r in rules:
            if not r.enabled:
                continue
            kind = r.kind
            if kind.is_market:
                key = (r.exchange or default_exchange, r.symbol)
                if kind in _TICKER_KINDS:
                    w.tickers.add(key)
                if kind is RuleKind.CHANGE:
                    w.change.add(key)
                if kind is RuleKind.LINE_CROSS:
                    w.lines = True
                if kind in _CANDLE_KINDS:
                    w.candles.add((*key, r.params.timeframe))
            elif kind.is_account:
                w.accounts.add(r.params.account)
            elif kind.is_health:
                w.health = True
        return w

    @property
    def all_accounts(self) -> bool:
        return TOTAL in self.accounts

    def wants_account(self, account: str) -> bool:
        return account in self.accounts or self.all_accounts


def account_metrics(
    balances: list[Balance],
    positions: list[Position],
    exchange: str,
    prices: Mapping[tuple[str, str], float],
) -> AccountMetrics:
    """Equity = the account's balances valued in USD (stablecoins at par, other assets at
    their stablecoin pair's last price; an asset nothing prices counts 0). Paper and ccxt
    perp balances already include unrealized PnL in ``total``. PnL = unrealized + realized
    of the open positions."""
    equity = Decimal(0)
    for b in balances:
        value = balance_value(b, exchange, prices)
        if value is not None:
            equity += value
    pnl = sum((p.unrealized_pnl + p.realized_pnl for p in positions), Decimal(0))
    return AccountMetrics(equity, pnl, {b.asset: b.total for b in balances})


class AccountBook:
    """The latest balances and positions of the accounts the rules watch, and prices."""

    def __init__(self, exchange_of: dict[str, str], default_exchange: str) -> None:
        self.exchange_of = exchange_of  # account -> exchange id (for valuation)
        self.default_exchange = default_exchange
        self.balances: dict[str, list[Balance]] = {}
        self.positions: dict[str, list[Position]] = {}
        self.prices: dict[tuple[str, str], float] = {}

    async def refresh(self, store, accounts: set[str], reload: bool, tables) -> None:
        """Read what changed (``tables``) for ``accounts``, and whatever was never read."""
        for name in accounts:
            if (reload and "balances" in tables) or name not in self.balances:
                self.balances[name] = await store.balances(name)
            if (reload and "positions" in tables) or name not in self.positions:
                self.positions[name] = await store.positions(name)

    def complete(self) -> bool:
        """Has every configured account reported balances?"""
        return all(self.balances.get(a) for a in self.exchange_of)

    def metrics(self, accounts: set[str]) -> dict[str, AccountMetrics]:
        return {
            a: account_metrics(
                self.balances.get(a, []),
                self.positions.get(a, []),
                self.exchange_of.get(a, self.default_exchange),
                self.prices,
            )
            for a in accounts
        }


def drawing_lines(stored) -> list[Drawing]:
    """Chart drawings from the store (``hedgetui.store.drawings.Drawing``) as the
    evaluator's lines; store trend lines extend both ways."""
    lines = []
    for d in stored:
        if isinstance(d, Drawing):
            lines.append(d)
        elif d.kind == "hline":
            lines.append(Drawing.horizontal(d.id, d.price))
        elif d.t1 != d.t2:
            lines.append(Drawing.trend(d.id, d.t1, d.p1, d.t2, d.p2, extend_left=True))
    return lines
