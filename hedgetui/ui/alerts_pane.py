"""The Alerts pane: the rules (create, edit, enable/disable, acknowledge, delete), the order
batches alerts armed (send or discard them, each after a second key press), and the history
of fired alerts.

Rules and events are read from the store (so ``--attach`` shows what ``collect`` fires);
the pane polls a cheap fingerprint twice a second and re-reads only when it changed. When
the alert engine runs in this process, its events reach the app at once through a listener:
a toast and the terminal bell. Attached, new history rows are announced the same way.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from hedgetui.domain.alerts import AlertEvent, RuleParseError, parse_rule
from hedgetui.store import alerts as store_alerts
from hedgetui.ui.alerts_armed import ArmedBatchActions
from hedgetui.ui.panes import Pane, sync_rows
from hedgetui.ui.registry import PaneSpec
from hedgetui.ui.widgets.live_table import LiveTable
from hedgetui.ui.widgets.live_table_columns import Column

log = logging.getLogger(__name__)

RULE_COLUMNS = (
    Column("id", "#", numeric=True, flash=False, priority=0),
    Column("rule", "Rule", min_width=16, max_width=60, priority=0),
    Column("on", "On", width=3, priority=1),
    Column("state", "State", max_width=24, priority=1),
    Column("last", "Last fired", width=14, priority=2),
)
# 80 columns: the short time, the ack mark and the kind leave ~45 cells to the trader's note
# and the message. No column is dropped: the message, rightmost, is cut first (the note is
# the trader's own words); at 120 columns a typical message fits whole.
EVENT_COLUMNS = (
    Column("time", "Time (UTC)", width=14),
    Column("rule_id", "#", numeric=True, flash=False),
    Column("ack", "✓", width=2, formatter=lambda v: (v, "warning" if v == "!" else None)),
    Column("kind", "Kind", width=7),
    Column("note", "Note", max_width=30),
    Column("message", "Message", min_width=20, max_width=80),
)
KIND_SHORT = {"reminder": "remind"}  # fired, expired fit as they are
HISTORY_ROWS = 200
READ_ONLY = (
    "attached read-only: rules cannot be changed from this view — use "
    "`hedgetui alerts add/rm/ack` (the collector picks them up)"
)


def _when(ms: int | None) -> str | None:
    if not ms:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%m-%d %H:%M:%S")


def _ack_mark(acknowledged: bool, kind: str) -> str:
    """✓ acknowledged, ! still waiting for an acknowledgement; expiries need none."""
    if acknowledged:
        return "✓"
    return "" if kind == "expired" else "!"


class AlertsPane(ArmedBatchActions, Pane):
    DEFAULT_CSS = Path(__file__).with_name("alerts_pane.tcss").read_text(encoding="utf-8")
    # the footer shows the first few at 80 columns: "?" (every key) first, as on the chart
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Keys", key_display="?"),
        Binding("o", "send_armed", "Send armed"),  # only while a batch waits
        Binding("z", "discard_armed", "Drop armed"),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("space", "toggle", "On/off"),
        Binding("x", "ack", "Ack"),
        Binding("d", "delete", "Delete"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]
    # what "?" says about them (ui/help.py)
    HELP_GROUPS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (("app.help",), "this list, then the keys of every pane"),
        (("send_armed",), "send the order batch an alert armed (press twice)"),
        (("discard_armed",), "drop the armed order batch (press twice)"),
        (("add",), "add a rule, e.g. BTC/USDT > 65000 (docs/alerts.md)"),
        (("edit",), "edit the selected rule"),
        (("toggle",), "turn the selected rule on / off"),
        (("ack",), "acknowledge the selected rule's alerts (stops reminders)"),
        (("delete",), "delete the selected rule (press twice; history stays)"),
        (("cancel",), "close the rule input / keep what d, o or z asked about"),
    )

    def __init__(self, app, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hedge = app
        self.editing: int | None = None  # rule id being edited; None = adding
        self.rules: dict[int, store_alerts.StoredRule] = {}
        self._fingerprint: tuple | None = None
        self._last_event_id: int | None = None
        self._unlisten = None
        self._delete_armed: int | None = None
        self._pending: tuple[str, int] | None = None  # ("send"|"discard", rule id) to confirm
        self.announced = 0  # toasts shown (tests)

    def compose(self) -> ComposeResult:
        yield Static("", id="alert-armed")
        yield Static("Rules", classes="pane-title")
        yield LiveTable(RULE_COLUMNS, id="alert-rules")
        yield Input(
            placeholder="rule, e.g. BTC/USDT > 65000 — Enter saves, Esc cancels", id="alert-input"
        )
        yield Static("", id="alert-error")
        yield Static("Fired alerts", classes="pane-title")
        yield LiveTable(EVENT_COLUMNS, id="alert-events")
        yield Static("", id="alert-status", classes="pane-status")

    def on_mount(self) -> None:
        self.query_one("#alert-input", Input).display = False
        self.query_one("#alert-error", Static).display = False
        self.query_one("#alert-armed", Static).display = False
        self.set_interval(0.5, self.poll)

    def on_unmount(self) -> None:
        if self._unlisten is not None:
            self._unlisten()

    @property
    def rules_table(self) -> LiveTable:
        return self.query_one("#alert-rules", LiveTable)

    @property
    def events_table(self) -> LiveTable:
        return self.query_one("#alert-events", LiveTable)

    @property
    def engine(self):
        runtime = self.hedge.runtime
        return runtime.services.get("alerts") if runtime is not None else None

    def focus_main(self) -> None:
        self.rules_table.focus()

    def show(self, state, now_ms: int) -> None:
        self._listen()
        self._show_armed()

    # -- data ------------------------------------------------------------------------------
    def _listen(self) -> None:
        engine = self.engine
        if engine is not None and self._unlisten is None:
            remove_event = engine.add_listener(self.announce)
            remove_batch = engine.add_batch_listener(self.announce_batch)

            def unlisten() -> None:
                remove_event()
                remove_batch()

            self._unlisten = unlisten

    def announce(self, event: AlertEvent | store_alerts.StoredEvent) -> None:
        """A toast and the bell for a fired alert (or a reminder / expiry)."""
        kind = getattr(event.kind, "value", event.kind)
        note = f"\n{event.note}" if event.note else ""
        title = {"fired": "Alert", "reminder": "Alert — not acknowledged"}.get(
            kind, "Alert expired"
        )
        severity = "warning" if kind != "expired" else "information"
        self.hedge.notify(
            f"#{event.rule_id} {event.message}{note}", title=title, severity=severity, timeout=10
        )
        if kind != "expired":
            self.hedge.bell()
        self.announced += 1
        self.poll()

    @work(exclusive=True, group="alerts-poll")
    async def poll(self) -> None:
        store = self.hedge.store
        if store is None:
            return
        self._listen()
        self._show_armed()
        try:
            engine = self.engine
            fingerprint = (
                await store_alerts.rules_fingerprint(store),
                await store_alerts.last_event_id(store),
                # armed batches live in memory: sending or dropping one changes a rule's state
                tuple((rid, b.status) for rid, b in engine.armed.items()) if engine else (),
            )
        except Exception as exc:  # e.g. a database older than the alerts tables
            self._status(f"alerts unavailable: {exc}")
            return
        if fingerprint == self._fingerprint:
            return
        first = self._fingerprint is None
        rules = await store_alerts.rules(store)
        summaries = await store_alerts.rule_summaries(store)
        events = await store_alerts.events(store, limit=HISTORY_ROWS)
        if self.engine is None and not first and self._last_event_id is not None:
            for e in reversed([e for e in events if e.id > self._last_event_id]):
                self.announce(e)  # attached: nobody else announces what collect fired
        self._last_event_id = fingerprint[1]
        self._show_rows(rules, summaries, events)
        # only now: this worker is exclusive, a newer poll cancels it at any await above,
        # and a fingerprint recorded before the rows were shown would hide the change for good
        self._fingerprint = fingerprint

    def _show_rows(self, rules, summaries, events) -> None:
        self.rules = {r.id: r for r in rules}
        engine = self.engine
        rows = []
        for r in rules:
            last, unacked, last_kind = summaries.get(r.id, (None, 0, None))
            state = store_alerts.describe_state(r.enabled, unacked, last_kind)
            if engine is not None and r.id in engine.invalid:
                state = "invalid: " + engine.invalid[r.id]
            st = engine.rule_state(r.id) if engine is not None else None
            if st is not None and st.unacked_since is not None:
                state = "waiting for ack"
            batch = engine.armed.get(r.id) if engine is not None else None
            if batch is not None and batch.waiting:
                state = "batch armed: o sends"
            style = None if r.enabled else "dim"
            values = {"id": r.id, "rule": r.text, "on": "on" if r.enabled else "off"}
            values |= {"state": state, "last": _when(last)}
            rows.append((r.id, values, style))
        sync_rows(self.rules_table, rows)
        event_rows = [
            (
                e.id,
                {
                    "time": _when(e.fired_at),
                    "rule_id": e.rule_id,
                    "kind": KIND_SHORT.get(e.kind, e.kind),
                    "message": e.message,
                    "note": e.note,
                    "ack": _ack_mark(e.acknowledged, e.kind),
                },
                "dim" if e.acknowledged or e.kind == "expired" else None,
            )
            for e in events
        ]
        sync_rows(self.events_table, event_rows)
        unacked = sum(1 for e in events if not e.acknowledged and e.kind != "expired")
        text = f"{len(rules)} rules · {len(events)} fired shown · {unacked} unacknowledged"
        if self.hedge.attach:
            text += " · " + READ_ONLY
        self._status(text)

    def _status(self, text: str) -> None:
        self.query_one("#alert-status", Static).update(text)

    def _selected_rule(self) -> int | None:
        if self.events_table.has_focus:
            key = self.events_table.cursor_key
            if key is None or key not in self.events_table.model.rows:
                return None
            return self.events_table.get_row(key)["rule_id"]
        return self.rules_table.cursor_key

    def _writable(self) -> bool:
        if self.hedge.attach or self.hedge.store is None or self.hedge.store.readonly:
            self._error(READ_ONLY)
            return False
        return True

    def _error(self, text: str) -> None:
        box = self.query_one("#alert-error", Static)
        box.update(text)
        box.display = bool(text)

    # -- actions -----------------------------------------------------------------------------
    def action_add(self) -> None:
        self._open_input(None, "")

    def action_edit(self) -> None:
        rid = self._selected_rule()
        if rid in self.rules:
            self._open_input(rid, self.rules[rid].text)

    def _open_input(self, rule_id: int | None, text: str) -> None:
        if not self._writable():
            return
        self.editing = rule_id
        box = self.query_one("#alert-input", Input)
        box.value = text
        box.display = True
        box.border_title = f"edit alert #{rule_id}" if rule_id else "new alert"
        self._error("")
        box.focus()

    def action_cancel(self) -> None:
        box = self.query_one("#alert-input", Input)
        box.display = False
        self._error("")
        self._delete_armed = None
        self._pending = None
        self.rules_table.focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "alert-input":
            return
        event.stop()
        now = self.hedge.clock.now_ms()
        try:
            rule = parse_rule(event.value, now_ms=now)
        except RuleParseError as exc:
            self._error(str(exc))  # the caret under the offending word
            return
        store = self.hedge.store
        try:
            if self.editing is None:
                rid = await store_alerts.add_rule(store, rule.text, now_ms=now)
                done = f"alert #{rid} added: {rule.text}"
            else:
                await store_alerts.update_rule(store, self.editing, rule.text, now_ms=now)
                done = f"alert #{self.editing} now: {rule.text}"
        except Exception as exc:
            self._error(f"not saved: {exc}")
            return
        self.hedge.notify(done, timeout=4)
        self.action_cancel()
        self.poll()

    async def action_toggle(self) -> None:
        rid = self._selected_rule()
        if rid not in self.rules or not self._writable():
            return
        now = self.hedge.clock.now_ms()
        await store_alerts.set_enabled(
            self.hedge.store, rid, not self.rules[rid].enabled, now_ms=now
        )
        self.poll()

    async def action_ack(self) -> None:
        rid = self._selected_rule()
        if rid is None or not self._writable():
            return
        engine = self.engine
        try:
            if engine is not None:
                n = await engine.acknowledge(rid)
            else:
                n = await store_alerts.acknowledge(
                    self.hedge.store, rid, now_ms=self.hedge.clock.now_ms()
                )
        except KeyError as exc:
            self._error(exc.args[0])
            return
        self.hedge.notify(f"alert #{rid} acknowledged ({n} cleared)", timeout=3)
        self.poll()

    async def action_delete(self) -> None:
        rid = self._selected_rule()
        if rid not in self.rules or not self._writable():
            return
        if self._delete_armed != rid:
            self._delete_armed = rid
            self._error(f"delete alert #{rid} '{self.rules[rid].text}'? press d again (Esc: keep)")
            return
        self._delete_armed = None
        self._error("")
        await store_alerts.delete_rule(self.hedge.store, rid)
        self.hedge.notify(f"alert #{rid} deleted (its history stays)", timeout=3)
        self.poll()


PANE = PaneSpec("alerts", "Alerts", lambda app: AlertsPane(app, id="alerts-pane"))
