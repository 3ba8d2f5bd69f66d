"""What the alert engine reads from the store for its rules, and hands to the evaluator.

On each committed batch the engine passes the changed tables and keys; this reads only what
a rule watches (tickers, candle series, account balances/positions valued at the latest
prices, poller health, chart drawings) and returns the evaluator's events.
"""

from __future__ import annotations

import logging

from hedgetui.domain import PollerHealth, timeframe_ms
from hedgetui.domain.alerts import TOTAL, AlertEvaluator, AlertEvent, RuleKind
from hedgetui.domain.valuation import price_map
from hedgetui.runtime.alert_inputs import (
    HISTORY_CANDLES,
    RECENT_CANDLES,
    AccountBook,
    Watch,
    drawing_lines,
)

log = logging.getLogger(__name__)

__all__ = ["AlertFeed"]


class AlertFeed:
    def __init__(self, store, evaluator: AlertEvaluator, config, clock, default_exchange: str):
        self.store, self.evaluator, self.config, self.clock = store, evaluator, config, clock
        self.default_exchange = default_exchange
        self.watch = Watch()
        self.book = AccountBook({a.name: a.exchange for a in config.accounts}, default_exchange)
        self.health: dict[str, PollerHealth] = {}  # records written in this session
        self._series: set[tuple[str, str, str]] = set()  # candle series read with history
        self._backfilled: set[tuple[str, str]] = set()  # % change histories backfilled
        self.dirty = False  # the evaluator's state changed (the engine saves it)

    def set_rules(self, parsed) -> None:
        self.watch = Watch.of(parsed, self.default_exchange)
        self._series &= self.watch.candles
        self._backfilled &= self.watch.change

    async def current(self) -> list[AlertEvent]:
        """Feed the latest of everything watched (after the rules changed)."""
        w, ev = self.watch, self.evaluator
        events: list[AlertEvent] = []
        if w.lines:
            await self.load_drawings()
        if w.tickers or w.accounts:
            tickers = await self.store.tickers()
            self.book.prices = price_map(tickers)
            mine = [t for t in tickers if (t.exchange, t.symbol) in w.tickers]
            for key in w.change - self._backfilled:
                events += await self._backfill_change(key)
            if mine:
                events += ev.on_tickers(mine)
        for key in w.candles:
            events += await self._candles(key)
        if w.accounts:
            events += await self._accounts(set(self.book.exchange_of), reload=False)
        if w.health and self.health:
            events += ev.on_health(list(self.health.values()))
        return events

    async def changed(self, tables: set[str], keys: dict) -> list[AlertEvent]:
        """Evaluate what the commits (their ``tables`` and ``keys``) changed."""
        if "accounts" in tables:
            accounts = await self.store.accounts()
            self.book.exchange_of.update({a.name: a.exchange for a in accounts})
        w, ev = self.watch, self.evaluator
        events: list[AlertEvent] = []
        if "drawings" in tables and w.lines:
            await self.load_drawings()
        if "tickers" in tables and (w.tickers or w.accounts):
            tickers = await self.store.tickers()
            self.book.prices = price_map(tickers)
            changed = keys.get("tickers")
            mine = [
                t
                for t in tickers
                if (t.exchange, t.symbol) in w.tickers
                and (changed is None or (t.exchange, t.symbol) in changed)
            ]
            if mine:
                events += ev.on_tickers(mine)
                self.dirty = True
        if "candles" in tables and w.candles:
            changed = keys.get("candles")
            for key in w.candles if changed is None else w.candles & changed:
                events += await self._candles(key)
        if w.accounts:
            accounts: set[str] = set()
            for table in ("balances", "positions"):
                if table in tables:
                    changed = keys.get(table)
                    accounts |= set(self.book.exchange_of) if changed is None else set(changed)
            if "tickers" in tables:  # equity moves with prices: revalue every account
                accounts |= set(self.book.balances)
            if accounts:
                events += await self._accounts(accounts, reload=True, tables=tables)
        if "health" in tables:
            changed = keys.get("health")
            stored = await self.store.health()
            fresh = [h for h in stored if changed is None or h.key in changed]
            self.health.update({h.key: h for h in fresh})
            if w.health and fresh:
                events += ev.on_health(fresh)
                self.dirty = True
        return events

    async def _candles(self, key: tuple[str, str, str]) -> list[AlertEvent]:
        first = key not in self._series
        limit = HISTORY_CANDLES if first else RECENT_CANDLES
        candles = await self.store.candles(*key, limit=limit)
        if not candles:
            return []
        self._series.add(key)
        self.dirty = True
        return self.evaluator.on_candles(*key, candles)

    async def _backfill_change(self, key: tuple[str, str]) -> list[AlertEvent]:
        """% change rules need a whole window of prices: take it from the finest stored
        candles, so a new rule (or a restart) does not wait a whole window."""
        self._backfilled.add(key)
        windows = [
            r.params.window_ms
            for r in self.evaluator.rules()
            if r.kind is RuleKind.CHANGE and (r.exchange or self.default_exchange, r.symbol) == key
        ]
        tfs = sorted(self.config.market.timeframes, key=timeframe_ms)
        if not windows or not tfs:
            return []
        tf = tfs[0]
        since = self.clock.now_ms() - max(windows) - 2 * timeframe_ms(tf)
        candles = await self.store.candles(*key, tf, since=since, limit=HISTORY_CANDLES)
        return self.evaluator.on_candles(*key, tf, candles) if candles else []

    async def _accounts(
        self, accounts: set[str], *, reload: bool, tables: set[str] = frozenset()
    ) -> list[AlertEvent]:
        w, book = self.watch, self.book
        wanted = {a for a in accounts if w.wants_account(a)}
        await book.refresh(self.store, wanted, reload, tables)
        # An account with no balances yet would read as equity 0 and fire "equity < X";
        # "total" rules wait until every configured account has reported.
        ready = {a for a in accounts if book.balances.get(a) and w.wants_account(a)}
        if w.all_accounts and not book.complete():
            ready &= w.accounts
            return self._without_total(book.metrics(ready)) if ready else []
        if not ready:
            return []
        self.dirty = True
        return self.evaluator.on_account_metrics(book.metrics(ready))

    def _without_total(self, metrics: dict) -> list[AlertEvent]:
        """Feed per-account rules without running ``total`` rules on a partial sum (the
        evaluator runs them on every call; it has no notion of "not every account yet")."""
        saved = self.evaluator._account_rules.pop(TOTAL, None)
        try:
            return self.evaluator.on_account_metrics(metrics)
        finally:
            if saved is not None:
                self.evaluator._account_rules[TOTAL] = saved

    async def load_drawings(self) -> None:
        try:
            from hedgetui.store.drawings import list_drawings

            stored = await list_drawings(self.store)
        except Exception as exc:  # no drawings table yet (older schema): lines never cross
            log.debug("chart drawings unavailable for alerts: %s", exc)
            return
        self.set_drawings(stored)

    def set_drawings(self, stored) -> None:
        """Chart lines for ``crosses line ID`` rules (store drawings or domain Drawings)."""
        self.evaluator.on_drawings(drawing_lines(stored))
