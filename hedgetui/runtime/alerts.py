"""The alert engine: the runtime service ``"alerts"`` (in ``hedgetui collect`` and the TUI).

It evaluates the stored rules on each committed batch of new data, never in the UI: the
store's ``Changed`` (via the bus) says which tickers, candle series, accounts and pollers
changed, and the engine reads only those that a rule watches, then hands them to the pure
:class:`~hedgetui.domain.alerts.AlertEvaluator`. Fired events are appended to the store's
history and delivered: the log file always, desktop notifications and a webhook when
configured, and the listeners the TUI registers (toast + bell).

Rules may be edited by another process (``hedgetui alerts add`` while ``collect`` runs):
the engine re-reads them when the table changes in-process and polls a cheap fingerprint
every ``reload_s`` seconds otherwise. The evaluator's state is saved every ``state_s``
seconds and on stop, so a restart neither forgets a cross side nor re-fires a rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path

from hedgetui.domain import Changed
from hedgetui.domain.alerts import AlertEvaluator, AlertEvent, RuleParseError, parse_rule
from hedgetui.runtime.alert_arming import ArmedBatch, arm_batch, discard
from hedgetui.runtime.alert_arming import send as send_armed
from hedgetui.runtime.alert_delivery import (
    CallbackChannel,
    Channel,
    Deliverer,
    DesktopChannel,
    LogFileChannel,
    WebhookChannel,
    redact_url,
)
from hedgetui.runtime.alert_feed import AlertFeed
from hedgetui.store import alerts as store_alerts

log = logging.getLogger(__name__)

__all__ = ["AlertEngine", "create", "ALERT_LOG_NAME"]

ALERT_LOG_NAME = "hedgetui-alerts.log"
_WATCHED = frozenset(
    {"tickers", "candles", "balances", "positions", "health", "accounts", "drawings"}
)


def create(runtime) -> AlertEngine:
    return AlertEngine(runtime)


class AlertEngine:
    name = "alerts"

    def __init__(
        self,
        runtime,
        *,
        tick_s: float = 1.0,
        reload_s: float = 2.0,
        state_s: float = 10.0,
        channels: list[Channel] | None = None,
    ) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.config = runtime.config
        ids = self.config.exchange_ids()
        self.default_exchange = ids[0] if ids else "paper"
        self.evaluator = AlertEvaluator(self.default_exchange, self.clock)
        self.tick_s, self.reload_s, self.state_s = tick_s, reload_s, state_s
        self.deliverer = Deliverer(self._channels() if channels is None else channels)
        self.deliverer.add(CallbackChannel(self._notify_listeners, name="listeners"))
        self.rules: dict[int, store_alerts.StoredRule] = {}
        self.invalid: dict[int, str] = {}  # stored rules that no longer parse: id -> why
        self.recent: deque[AlertEvent] = deque(maxlen=500)  # this session's events
        self.armed: dict[int, ArmedBatch] = {}  # rule id -> the batch its last firing armed
        self._tasks: set[asyncio.Task] = set()
        self._listeners: list[Callable[[AlertEvent], object]] = []
        self._batch_listeners: list[Callable[[ArmedBatch], object]] = []
        self._fingerprint: tuple | None = None
        self._tables: set[str] = set()
        self._keys: dict[str, set] = {}
        self._wake = asyncio.Event()
        self._reload_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._state_dirty = False
        self._loaded = False
        self.feed = AlertFeed(
            self.store, self.evaluator, self.config, self.clock, self.default_exchange
        )

    # -- settings and channels ---------------------------------------------------------------
    def _settings(self, name: str, default):
        section = getattr(self.config, "alerts", None)
        value = getattr(section, name, None) if section is not None else None
        return default if value is None else value

    @property
    def log_path(self) -> Path:
        db_dir = Path(self.store.path).parent
        path = self._settings("log_file", None)
        if not path:
            return db_dir / ALERT_LOG_NAME
        path = Path(str(path)).expanduser()
        return path if path.is_absolute() else db_dir / path

    @property
    def allow_live_auto(self) -> bool:
        return bool(self._settings("allow_live_auto", False))

    def _channels(self) -> list[Channel]:
        channels: list[Channel] = [LogFileChannel(self.log_path)]
        if self._settings("desktop", True):
            desktop = DesktopChannel()
            if desktop.available:
                channels.append(desktop)
        url = self._settings("webhook_url", None)
        if url:
            url = url.get_secret_value() if hasattr(url, "get_secret_value") else str(url)
            try:
                channels.append(
                    WebhookChannel(url, timeout_s=float(self._settings("webhook_timeout", 5.0)))
                )
            except ValueError as exc:
                log.warning("alert webhook %s not used: %s", redact_url(url), exc)
        return channels

    # -- listeners (the TUI's toast and bell) ------------------------------------------------
    def add_listener(self, fn: Callable[[AlertEvent], object]) -> Callable[[], None]:
        """Call ``fn(event)`` for every event this engine fires; returns the remover."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def add_batch_listener(self, fn: Callable[[ArmedBatch], object]) -> Callable[[], None]:
        """Call ``fn(batch)`` once a fired rule's order batch is armed, sent or failed."""
        self._batch_listeners.append(fn)
        return lambda: self._batch_listeners.remove(fn) if fn in self._batch_listeners else None

    async def _notify_listeners(self, event: AlertEvent) -> bool:
        await _call_each(self._listeners, event)
        return True

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        await self.reload(force=True)
        self._unsubscribe = self.runtime.bus.subscribe(Changed, self._on_changed)
        self._task = asyncio.create_task(self._run(), name="alert engine")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for task in [self._task, *self._tasks]:
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in [self._task, *self._tasks] if t), return_exceptions=True)
        self._task = None
        try:
            self.save_state()
        except Exception as exc:  # the store may already be failing; say so, don't raise
            log.warning("alert state not saved on stop: %s", exc)
        try:  # a webhook retrying must not hold the shutdown for long
            await asyncio.wait_for(self.deliverer.aclose(), 10)
        except TimeoutError:
            log.warning("alert deliveries still running after 10s were abandoned")

    def _on_changed(self, changed: Changed) -> None:
        tables = changed.tables & (_WATCHED | {store_alerts.RULES})
        if not tables:
            return
        for table in tables:
            keys = changed.keys.get(table)
            if table in self._keys and self._keys[table] is None:
                continue  # already "everything"
            if keys is None:
                self._keys[table] = None
            else:
                self._keys.setdefault(table, set()).update(keys)
        self._tables |= tables
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        next_tick, next_reload, next_state = now + self.tick_s, now + self.reload_s, now
        while True:
            timeout = max(0.0, min(next_tick, next_reload) - loop.time())
            try:  # not wait_for: on 3.11 it can swallow a cancel that races the wake-up
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.process()
                now = loop.time()
                if now >= next_reload:
                    next_reload = now + self.reload_s
                    await self.reload()
                if now >= next_tick:
                    next_tick = now + self.tick_s
                    self._handle(self.evaluator.tick())
                if self._state_dirty and now >= next_state:
                    next_state = now + self.state_s
                    self.save_state()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad read must not end alerting for the session
                log.exception("alert engine: evaluation failed; continuing")

    # -- rules -------------------------------------------------------------------------------
    async def reload(self, *, force: bool = False) -> bool:
        """Re-read the rules if they changed (any process); feed the new set the latest
        data, so a rule that is already true fires now. True if anything changed."""
        async with self._reload_lock:  # the loop and a caller (TUI, tests) may both ask
            return await self._reload(force)

    async def _reload(self, force: bool) -> bool:
        fingerprint = await store_alerts.rules_fingerprint(self.store)
        if fingerprint == self._fingerprint and not force:
            return False
        self._fingerprint = fingerprint
        stored = await store_alerts.rules(self.store)
        parsed = []
        for r in stored:
            if not r.enabled:
                continue
            try:
                parsed.append(parse_rule(r.text, now_ms=r.updated_at).with_id(r.id))
            except RuleParseError as exc:
                if self.invalid.get(r.id) != exc.message:
                    log.warning("alert rule #%d is skipped: %s (%s)", r.id, exc.message, r.text)
                self.invalid[r.id] = exc.message
        self.rules = {r.id: r for r in stored}
        self.evaluator.set_rules(parsed)
        if not self._loaded:
            self._loaded = True
            restored = self.evaluator.load_state(await store_alerts.load_state(self.store))
            log.info("alerts: %d rules, %d with saved state", len(parsed), restored)
        for r in stored:  # acknowledged elsewhere (CLI, another TUI): stop the reminders
            st = self.evaluator.rule_state(r.id)
            if r.acked_at is not None and st is not None and st.unacked_since is not None:
                if r.acked_at >= st.unacked_since:
                    self.evaluator.acknowledge(r.id)
        self.feed.set_rules(parsed)
        self._state_dirty = True
        self._handle(await self.feed.current())
        return True

    async def acknowledge(self, rule_id: int) -> int:
        """Acknowledge a rule (stops until-ack reminders) and mark its events seen; how many
        events were unacknowledged. KeyError for an unknown id."""
        self.evaluator.acknowledge(rule_id)
        self._state_dirty = True
        return await store_alerts.acknowledge(self.store, rule_id, now_ms=self.clock.now_ms())

    def rule_state(self, rule_id: int):
        return self.evaluator.rule_state(rule_id)

    # -- evaluation --------------------------------------------------------------------------
    async def process(self) -> None:
        """Evaluate what the commits since the last call changed."""
        tables, keys = self._tables, self._keys
        self._tables, self._keys = set(), {}
        if not tables:
            return
        if store_alerts.RULES in tables:
            await self.reload()
        events = await self.feed.changed(tables, keys)
        if self.feed.dirty:
            self.feed.dirty, self._state_dirty = False, True
        self._handle(events)

    def set_drawings(self, stored) -> None:
        """Chart lines for ``crosses line ID`` rules (store drawings or domain Drawings)."""
        self.feed.set_drawings(stored)

    # -- results -----------------------------------------------------------------------------
    def _handle(self, events: list[AlertEvent]) -> None:
        if not events:
            return
        store_alerts.record_events(self.store, events)
        done = sorted({e.rule_id for e in events if e.final})
        if done:  # fired once or expired: the rule shows as disabled, re-enable re-arms it
            store_alerts.disable_nowait(self.store, done, now_ms=self.clock.now_ms())
        self._state_dirty = True
        for event in events:
            log.info("alert #%d %s: %s", event.rule_id, event.kind.value, event.message)
            self.recent.append(event)
            self.deliverer.submit(event)
            if event.arm_template:
                self._arm(event)

    def _arm(self, event: AlertEvent) -> None:
        task = asyncio.get_running_loop().create_task(self._arm_now(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _arm_now(self, event: AlertEvent) -> None:
        waiting = self.armed.get(event.rule_id)
        if waiting is not None and waiting.waiting:
            # a repeat firing must not stack a second copy of the batch behind the first
            log.warning("alert #%d fired again; its batch still waits", event.rule_id)
            return
        executor = self.runtime.services.get("executor")
        batch = await arm_batch(executor, event, allow_live_auto=self.allow_live_auto)
        self.armed[event.rule_id] = batch
        log.warning("alert #%d: batch %r %s", event.rule_id, batch.template, batch.message)
        await _call_each(self._batch_listeners, batch)  # the TUI says what became of it

    def _waiting(self, rule_id: int) -> ArmedBatch:
        batch = self.armed.get(rule_id)
        if batch is None or not batch.waiting:
            raise KeyError(f"no order batch is armed by alert #{rule_id}")
        return batch

    async def confirm_armed(self, rule_id: int) -> ArmedBatch:
        """Send the batch an alert armed (the trader confirmed it), once. KeyError if none
        waits (never armed, already sent or discarded)."""
        batch = self._waiting(rule_id)
        return await send_armed(batch, self.runtime.services.get("executor"))

    def discard_armed(self, rule_id: int) -> ArmedBatch:
        """Drop the batch an alert armed without sending it. KeyError if none waits."""
        return discard(self._waiting(rule_id))

    def save_state(self) -> None:
        if self.store.readonly:
            return
        store_alerts.save_state(
            self.store, self.evaluator.state_snapshot(), now_ms=self.clock.now_ms()
        )
        self._state_dirty = False


async def _call_each(listeners: list[Callable], arg) -> None:
    """Call every listener with ``arg``; one failing listener does not stop the others."""
    for fn in list(listeners):
        try:
            result = fn(arg)
            if asyncio.iscoroutine(result):
                await result
        except Exception:
            log.exception("alert listener %r failed", fn)
