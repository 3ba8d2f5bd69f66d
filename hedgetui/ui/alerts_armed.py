"""The Alerts pane's order batches armed by alerts: shown above the rules, announced by a
toast, sent (``o o``, or the typed confirmation for a large live batch) or dropped (``z z``);
``o`` and ``z`` are in the footer (and answer) only while a batch waits.
A mixin of :class:`~hedgetui.ui.alerts_pane.AlertsPane`, which provides ``engine``,
``hedge``, ``poll``, ``_error``, ``_writable``, ``_selected_rule`` and ``_pending``."""

from __future__ import annotations

from textual.widgets import Static

from hedgetui.runtime.alert_arming import ArmedBatch
from hedgetui.ui.trade_modals import ConfirmSend

ARMED_LINES = 3  # armed batches shown above the rules (waiting ones first)


class ArmedBatchActions:
    _armed_waiting = False  # a batch waits for o / z (the keys show in the footer)

    def announce_batch(self, batch: ArmedBatch) -> None:
        hint = "  (Alerts pane: o sends, z drops)" if batch.waiting else ""
        self.hedge.notify(
            f"#{batch.event.rule_id} batch '{batch.template}': {batch.message}{hint}",
            title="Order batch armed" if batch.waiting else "Order batch",
            severity="error" if batch.status == "failed" else "warning",
            timeout=15,
        )
        self._show_armed()

    def armed_batches(self) -> list:
        """The batches alerts armed in this session, waiting ones first, newest first."""
        engine = self.engine
        if engine is None:
            return []
        batches = sorted(engine.armed.values(), key=lambda b: -b.event.fired_at)
        return sorted(batches, key=lambda b: not b.waiting)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # o / z only while a batch waits: at 80 columns they would push "?" and the
        # everyday keys out of the footer for nothing
        if action in ("send_armed", "discard_armed"):
            return self._armed_waiting
        return super().check_action(action, parameters)

    def _show_armed(self) -> None:
        box = self.query_one("#alert-armed", Static)
        batches = self.armed_batches()
        lines = [
            f"#{b.event.rule_id} {b.template}: {b.status} — {b.message}"
            for b in batches[:ARMED_LINES]
        ]
        box.update("\n".join(lines))
        box.display = bool(lines)
        waiting = any(b.waiting for b in batches)
        if waiting != self._armed_waiting:
            self._armed_waiting = waiting
            self.refresh_bindings()

    def _target_batch(self):
        """The waiting batch of the selected rule, else the newest waiting one."""
        waiting = [b for b in self.armed_batches() if b.waiting]
        rid = self._selected_rule()
        for b in waiting:
            if b.event.rule_id == rid:
                return b
        return waiting[0] if waiting else None

    async def action_send_armed(self) -> None:
        await self._armed_action("send")

    async def action_discard_armed(self) -> None:
        await self._armed_action("discard")

    async def _armed_action(self, what: str) -> None:
        if not self._writable():
            return
        batch = self._target_batch()
        if batch is None:
            self._error("no order batch is armed: a rule with 'arm TEMPLATE' arms one")
            return
        rid = batch.event.rule_id
        key = "o" if what == "send" else "z"
        confirm = getattr(batch.preview, "confirm", None)
        if what == "send" and confirm is not None and confirm.expected != "y":
            # a large live batch: the same typed confirmation as the Trade pane, not a keypress
            def typed(ok: bool | None) -> None:
                if ok:
                    self.run_worker(self._finish_armed("send", rid))

            summary = f"alert #{rid} armed '{batch.template}': {batch.message}"
            self.app.push_screen(ConfirmSend(summary, confirm), typed)
            return
        if self._pending != (what, rid):
            self._pending = (what, rid)
            orders = len(batch.preview.order_rows) if batch.preview is not None else 0
            self._error(
                f"{what} the batch '{batch.template}' armed by alert #{rid} "
                f"({orders} orders)? press {key} again (Esc: keep it armed)"
            )
            return
        await self._finish_armed(what, rid)

    async def _finish_armed(self, what: str, rid: int) -> None:
        self._pending = None
        self._error("")
        try:
            if what == "send":
                done = await self.engine.confirm_armed(rid)
            else:
                done = self.engine.discard_armed(rid)
        except KeyError as exc:
            self._error(exc.args[0])
            return
        severity = "error" if done.status == "failed" else "information"
        self.hedge.notify(
            f"alert #{rid} batch '{done.template}': {done.message}", severity=severity, timeout=6
        )
        self._show_armed()
        self.poll()
