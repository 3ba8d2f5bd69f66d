"""AlertEvaluator: feeds updates to the rules that watch them and decides what fires.

Rules are indexed by what they watch — (exchange, symbol) for tickers, (exchange, symbol,
timeframe) for candles, account name for account metrics — so an update touches only its
own rules. Firing policy (see docs/alerts.md):

* Level conditions (``>``, ``change``, ``volume``, ``rsi > 70``, ``equity <``, ``stale`` ...)
  fire when they *become* true: at the first observation if already true, then only after
  having been false again. Equality never satisfies a strict ``>``/``<``.
* Crosses fire when an observation lands strictly on the other side of the level from the
  last observation that was not exactly on it. The first observation only records the side.
* ``once``: fire, then the rule is done (the event says ``final``; the engine disables it).
* ``repeat D``: fire on every new occurrence, at most once per D. A level condition that
  becomes true inside the cooldown fires when the cooldown ends if it is still true then;
  a cross inside the cooldown is dropped.
* ``until-ack D``: fire, then a REMINDER every D (from :meth:`tick`) until
  :meth:`acknowledge`; occurrences in between are not re-announced. After the ack the rule
  re-arms and fires on the next occurrence.
* Expiry: at or after ``expires_at`` a rule never fires; it emits one EXPIRED event (final).

Time: ``now_ms`` (default: the clock) drives cooldowns, expiry, staleness and ``fired_at``;
market timestamps place observations in change windows and on trend lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from hedgetui.domain.alerts.conditions import (
    CANDLE_KINDS,
    TICKER_KINDS,
    AccountLevel,
    Change,
    Cond,
    Health,
    LineCross,
)
from hedgetui.domain.alerts.events import AccountMetrics, AlertEvent, Drawing, EventKind
from hedgetui.domain.alerts.market import CandleSeries, PriceHistory
from hedgetui.domain.alerts.rules import TOTAL, AlertRule, Direction, Mode, RuleKind
from hedgetui.domain.alerts.state import RuleState
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.domain.models import Candle, PollerHealth, Ticker, timeframe_ms

__all__ = ["AlertEvaluator"]


class _Slot:
    """The ticker rules of one (exchange, symbol), plus its price history if needed."""

    __slots__ = ("conds", "history")

    def __init__(self) -> None:
        self.conds: list[Cond] = []
        self.history: PriceHistory | None = None


class AlertEvaluator:
    def __init__(self, default_exchange: str, clock: Clock | None = None) -> None:
        self.default_exchange = default_exchange
        self._clock = clock or SystemClock()
        self._rules: dict[int, AlertRule] = {}
        self._state: dict[int, RuleState] = {}
        self._conds: dict[int, Cond] = {}
        self._tickers: dict[tuple[str, str], _Slot] = {}
        self._candle_rules: dict[tuple[str, str, str], list[Cond]] = {}
        self._series: dict[tuple[str, str, str], CandleSeries] = {}
        self._account_rules: dict[str, list[AccountLevel]] = {}
        self._health_rules: list[Health] = []
        self._unacked: set[int] = set()
        self._drawings: dict[str, Drawing] = {}
        self._metrics: dict[str, AccountMetrics] = {}
        self._pollers: dict[str, PollerHealth] = {}
        self._first_seen: dict[str, int] = {}
        self._out: list[AlertEvent] = []
        self._fired_messages: dict[int, str] = {}  # until-ack: what the reminders repeat

    # -- rules -------------------------------------------------------------------------------
    def set_rules(self, rules: Iterable[AlertRule]) -> None:
        """Replace the rule set. Enabled rules only; each needs an ``id``. A rule keeps its
        state if its id and text are unchanged; an edited or re-enabled rule starts afresh."""
        rules = [r for r in rules if r.enabled]
        for r in rules:
            if r.id is None:
                raise ValueError(f"rule {r.text!r} has no id; store it before evaluating it")
        old_rules, old_state = self._rules, self._state
        self._rules = {r.id: r for r in rules}
        self._state = {
            rid: old_state[rid]
            for rid, r in self._rules.items()
            if rid in old_state and old_rules[rid].text == r.text
        }
        self._rebuild()

    def rules(self) -> list[AlertRule]:
        return list(self._rules.values())

    def _rebuild(self) -> None:
        old_hist = {k: s.history for k, s in self._tickers.items() if s.history is not None}
        self._conds, self._tickers, self._candle_rules = {}, {}, {}
        self._account_rules, self._health_rules = {}, []
        operands: dict[tuple[str, str, str], set] = {}
        for rid, rule in self._rules.items():
            st = self._state.setdefault(rid, RuleState())
            kind = rule.kind
            exchange = (rule.exchange or self.default_exchange) if kind.is_market else None
            if kind in TICKER_KINDS:
                slot = self._tickers.setdefault((exchange, rule.symbol), _Slot())
                if kind is RuleKind.CHANGE:
                    window = rule.params.window_ms
                    if slot.history is None:
                        prev = old_hist.get((exchange, rule.symbol))
                        slot.history = prev if prev is not None else PriceHistory(window)
                    if window > slot.history.window_ms:
                        slot.history.window_ms = window
                        slot.history.resolution_ms = window // 1000
                    cond = Change(rule, exchange, slot.history)
                elif kind is RuleKind.LINE_CROSS:
                    cond = LineCross(rule, exchange, self._drawings)
                else:
                    cond = TICKER_KINDS[kind](rule, exchange)
                slot.conds.append(cond)
            elif kind in CANDLE_KINDS:
                key = (exchange, rule.symbol, rule.params.timeframe)
                cond = CANDLE_KINDS[kind](rule, exchange)
                self._candle_rules.setdefault(key, []).append(cond)
                operands.setdefault(key, set()).update(cond.operands())
            elif kind.is_account:
                cond = AccountLevel(rule)
                self._account_rules.setdefault(rule.params.account, []).append(cond)
            else:
                cond = Health(rule)
                self._health_rules.append(cond)
            cond.st = st
            self._conds[rid] = cond
        for key, ops in operands.items():
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = CandleSeries(timeframe_ms(key[2]))
            series.retain(ops)
            for op in ops:
                series.ensure(op)
        for key in list(self._series):
            if key not in operands:
                del self._series[key]
        self._unacked = {rid for rid, st in self._state.items() if st.unacked_since is not None}

    # -- updates -----------------------------------------------------------------------------
    def on_tickers(self, tickers: Iterable[Ticker], now_ms: int | None = None) -> list[AlertEvent]:
        now = self._clock.now_ms() if now_ms is None else now_ms
        index = self._tickers
        for t in tickers:
            slot = index.get((t.exchange, t.symbol))
            if slot is None or t.last is None:
                continue
            ts = t.timestamp or now
            if slot.history is not None:
                slot.history.add(ts, t.last)
            for cond in slot.conds:
                if cond.st.done:
                    continue
                if now >= cond.expires:
                    self._expire(cond, now)
                    continue
                cond.on_ticker(t, ts, now, self)
        return self._flush()

    def on_candles(
        self,
        exchange: str,
        symbol: str,
        timeframe: str,
        candles: list[Candle],
        now_ms: int | None = None,
    ) -> list[AlertEvent]:
        """Recent candles of one market (a forming last candle is fine: only closed candles,
        ts + timeframe <= now, are used). Rules see each newly closed candle in order; the
        first call for a series is history: indicators warm up on it and rules look only at
        its last candle."""
        now = self._clock.now_ms() if now_ms is None else now_ms
        key = (exchange, symbol, timeframe)
        slot = self._tickers.get((exchange, symbol))
        if (
            slot is not None
            and slot.history is not None
            and candles
            and not slot.history.covers(now)
        ):
            tf = timeframe_ms(timeframe)
            slot.history.backfill([(c.ts + tf, c.close) for c in candles if c.ts + tf <= now])
        series = self._series.get(key)
        if series is None:
            return self._flush()
        first = series.last_ts is None
        fresh = series.new_closed(candles, now)
        conds = self._candle_rules.get(key, ())
        for i, candle in enumerate(fresh):
            series.push(candle)
            if first and i < len(fresh) - 1:
                continue
            for cond in conds:
                if cond.st.done:
                    continue
                if now >= cond.expires:
                    self._expire(cond, now)
                    continue
                cond.on_candle(series, now, self)
        return self._flush()

    def on_account_metrics(
        self, metrics: Mapping[str, AccountMetrics], now_ms: int | None = None
    ) -> list[AlertEvent]:
        """Latest metrics of some accounts (others keep their last values). ``total`` rules
        see the sum over every account reported so far."""
        now = self._clock.now_ms() if now_ms is None else now_ms
        self._metrics.update(metrics)
        for account, m in metrics.items():
            self._run_account(self._account_rules.get(account, ()), m, now)
        total_rules = self._account_rules.get(TOTAL)
        if total_rules and metrics:
            self._run_account(total_rules, self._total(), now)
        return self._flush()

    def _total(self) -> AccountMetrics:
        equity = pnl = Decimal(0)
        balances: dict[str, Decimal] = {}
        for m in self._metrics.values():
            equity += m.equity
            pnl += m.pnl
            for asset, amount in m.balances.items():
                balances[asset] = balances.get(asset, Decimal(0)) + amount
        return AccountMetrics(equity, pnl, balances)

    def _run_account(self, conds, m: AccountMetrics, now: int) -> None:
        for cond in conds:
            if cond.st.done:
                continue
            if now >= cond.expires:
                self._expire(cond, now)
                continue
            cond.on_metrics(m, now, self)

    def on_health(
        self, pollers: Iterable[PollerHealth], now_ms: int | None = None
    ) -> list[AlertEvent]:
        now = self._clock.now_ms() if now_ms is None else now_ms
        for p in pollers:
            self._pollers[p.key] = p
            self._first_seen.setdefault(p.key, now)
        self._run_health(now)
        return self._flush()

    def _run_health(self, now: int) -> None:
        for cond in self._health_rules:
            if cond.st.done:
                continue
            if now >= cond.expires:
                self._expire(cond, now)
                continue
            cond.check(self._pollers, self._first_seen, now, self)

    def on_drawings(self, drawings: Iterable[Drawing]) -> None:
        """Replace the known chart drawings (the set of all lines, by id)."""
        self._drawings.clear()
        self._drawings.update({d.id: d for d in drawings})

    def tick(self, now_ms: int | None = None) -> list[AlertEvent]:
        """Time-driven work; call about once a second: expiries, staleness (which grows with
        no update at all), until-ack reminders."""
        now = self._clock.now_ms() if now_ms is None else now_ms
        for cond in self._conds.values():
            if not cond.st.done and now >= cond.expires:
                self._expire(cond, now)
        if any(c.rule.kind is RuleKind.STALE for c in self._health_rules):
            self._run_health(now)
        for rid in sorted(self._unacked):
            cond, st = self._conds[rid], self._state[rid]
            if st.done or st.unacked_since is None:
                self._unacked.discard(rid)
                continue
            if now - (st.last_notice or 0) >= cond.rule.options.cooldown_ms:
                st.last_notice = now
                self._emit(cond, EventKind.REMINDER, now, st.last_value, final=False)
        return self._flush()

    def acknowledge(self, rule_id: int) -> bool:
        """Stop an until-ack rule's reminders and re-arm it. False if nothing was pending."""
        st = self._state.get(rule_id)
        if st is None or st.unacked_since is None:
            return False
        st.unacked_since = None
        self._unacked.discard(rule_id)
        return True

    # -- state -------------------------------------------------------------------------------
    def rule_state(self, rule_id: int) -> RuleState | None:
        st = self._state.get(rule_id)
        return None if st is None else replace(st)

    def state_snapshot(self) -> dict[str, dict]:
        """Plain JSON-able state of every rule, keyed by str(rule id)."""
        return {str(rid): st.to_dict(self._rules[rid].text) for rid, st in self._state.items()}

    def load_state(self, snapshot: Mapping[str, dict]) -> int:
        """Restore state saved by :meth:`state_snapshot`, after :meth:`set_rules`. Entries
        for unknown ids, edited rules or malformed data are skipped. Returns how many were
        restored. Restored crosses keep their last side: after a restart a cross still needs
        a price on the other side of the level from the one last seen before the restart."""
        restored = 0
        for key, data in snapshot.items():
            try:
                rid = int(key)
                rule = self._rules.get(rid)
                if rule is None or not isinstance(data, dict) or data.get("text") != rule.text:
                    continue
                new = RuleState.from_dict(data)
            except (TypeError, ValueError):
                continue
            st = self._state[rid]
            for f in st.__slots__:
                setattr(st, f, getattr(new, f))
            restored += 1
        self._unacked = {rid for rid, st in self._state.items() if st.unacked_since is not None}
        return restored

    # -- firing policy (called by the conditions) --------------------------------------------
    def level(self, cond: Cond, now: int, is_true: bool, value) -> None:
        st = cond.st
        st.last_value = value
        was = st.active
        st.active = is_true
        if not is_true:
            st.pending = False
        elif not was or st.pending:
            self._fire(cond, now, value)

    def cross(self, cond: Cond, now: int, side: int, value) -> None:
        st = cond.st
        st.last_value = value
        if side == 0:
            return  # exactly on the level: neither side
        prev, st.side = st.side, side
        if prev == 0 or prev == side:
            return
        d = cond.direction
        if d is Direction.ANY or (d is Direction.ABOVE) == (side > 0):
            self._fire(cond, now, value)

    def _fire(self, cond: Cond, now: int, value) -> None:
        st, o = cond.st, cond.rule.options
        if o.mode is Mode.UNTIL_ACK and st.unacked_since is not None:
            return
        if o.mode is Mode.REPEAT and st.last_fired is not None:
            if now - st.last_fired < o.cooldown_ms:
                st.pending = cond.level
                return
        st.pending = False
        st.last_fired = now
        st.fires += 1
        if o.mode is Mode.ONCE:
            st.done = True
        elif o.mode is Mode.UNTIL_ACK:
            st.unacked_since = st.last_notice = now
            self._unacked.add(cond.rule_id)
        self._emit(cond, EventKind.FIRED, now, value, final=st.done)

    def _expire(self, cond: Cond, now: int) -> None:
        st = cond.st
        st.done = st.expired = True
        st.pending = False
        self._unacked.discard(cond.rule_id)
        self._emit(cond, EventKind.EXPIRED, now, None, final=True)

    def _emit(self, cond: Cond, kind: EventKind, now: int, value, *, final: bool) -> None:
        rule = cond.rule
        if kind is EventKind.EXPIRED:
            message = f"alert expired without firing: {rule.text}"
            if cond.st.fires:
                message = f"alert expired after firing {cond.st.fires}x: {rule.text}"
        elif kind is EventKind.REMINDER:
            first = self._fired_messages.get(cond.rule_id) or rule.text
            message = f"not acknowledged: {first}"
        else:
            message = cond.message(value)
            if rule.options.mode is Mode.UNTIL_ACK:
                self._fired_messages[cond.rule_id] = message
        fired = kind is EventKind.FIRED
        self._out.append(
            AlertEvent(
                rule_id=cond.rule_id,
                rule=rule.text,
                kind=kind,
                fired_at=now,
                value=value,
                message=message,
                note=rule.options.note,
                arm_template=rule.options.arm_template if fired else None,
                auto=rule.options.auto if fired else False,
                final=final,
            )
        )

    def _flush(self) -> list[AlertEvent]:
        out, self._out = self._out, []
        return out
