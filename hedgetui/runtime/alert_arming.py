"""Arming a saved order batch when an alert fires (``... arm NAME [auto]``).

The batch is loaded from the order templates and previewed by the order executor (service
``"executor"``) at firing time, with the prices of that moment. It is sent at once only if
the rule says ``auto``, no row is blocked by the risk checks, and every account it touches
is a paper account — or ``[alerts] allow_live_auto = true``. Otherwise it waits, armed,
for the trader to confirm (``AlertEngine.confirm_armed``) or discard it
(``AlertEngine.discard_armed``).

Confirming sends the batch exactly as it was previewed when the alert fired (what the trader
saw), once: the batch leaves the ``armed`` status before the first await, so a second
confirmation (a double key press, the CLI and the pane at once) finds nothing to send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from hedgetui.domain.alerts import AlertEvent

log = logging.getLogger(__name__)

__all__ = ["ArmedBatch", "arm_batch", "send", "discard", "ARMED", "SENDING", "SENT", "FAILED"]

ARMED, SENDING, SENT, FAILED, DISCARDED = "armed", "sending", "sent", "failed", "discarded"


@dataclass
class ArmedBatch:
    event: AlertEvent
    template: str
    status: str  # armed (waiting for confirmation) | sending | sent | failed | discarded
    message: str
    preview: Any = None  # the executor's Preview while armed

    @property
    def waiting(self) -> bool:
        return self.status == ARMED


async def arm_batch(executor, event: AlertEvent, *, allow_live_auto: bool) -> ArmedBatch:
    """Preview the template of ``event`` and send it if ``auto`` allows; never raises."""
    name = event.arm_template or ""
    if executor is None:
        return ArmedBatch(event, name, FAILED, "not armed: no order executor is running")
    try:
        template = await executor.load_template(name)
        preview = await executor.preview(template.text)
    except Exception as exc:  # missing template, a template the accounts cannot take ...
        return ArmedBatch(event, name, FAILED, f"not armed: {exc}")
    reasons = preview.blocking_reasons()
    live = tuple(preview.live_accounts)
    if not preview.action_rows:
        return ArmedBatch(event, name, FAILED, f"not armed: template {name!r} has no orders")
    if reasons:
        # sending would only send the unblocked rows; the trader decides, never the engine
        why = "blocked, fix before confirming: " + "; ".join(reasons)
    elif not event.auto:
        why = "confirm to send"
    elif live and not allow_live_auto:
        why = (
            f"not sent automatically: live account(s) {', '.join(live)} "
            "(allow with [alerts] allow_live_auto = true)"
        )
    elif live and preview.confirm.level > 0:
        # a large live batch keeps its typed confirmation even when auto is allowed
        why = (
            f"not sent automatically: live notional {preview.live_notional:,.0f} is above "
            "risk.confirm_live_above; confirm to send"
        )
    else:
        return await send(ArmedBatch(event, name, ARMED, "", preview), executor)
    return ArmedBatch(
        event, name, ARMED, f"{_orders(len(preview.order_rows))} armed, {why}", preview
    )


def _orders(n: int) -> str:
    return f"{n} order" if n == 1 else f"{n} orders"


async def send(batch: ArmedBatch, executor) -> ArmedBatch:
    """Submit the armed preview once; the outcome is in ``status`` and ``message``."""
    if not batch.waiting:
        raise ValueError(f"batch {batch.template!r} is {batch.status}, not armed")
    batch.status, batch.message = SENDING, "sending"  # before any await: never twice
    if executor is None:
        batch.status, batch.message = FAILED, "not sent: no order executor is running"
        return batch
    try:
        preview = await executor.submit(batch.preview)
    except Exception as exc:
        batch.status, batch.message = FAILED, f"not sent: {exc}"
        return batch
    rows = preview.action_rows
    failed = [r for r in rows if r.failed]
    batch.status = SENT
    batch.message = f"sent {_orders(len(rows))} (batch {preview.batch_id})"
    if failed:
        batch.message += f", {len(failed)} failed: {failed[0].message or failed[0].status}"
    return batch


def discard(batch: ArmedBatch) -> ArmedBatch:
    """Drop an armed batch without sending it."""
    if not batch.waiting:
        raise ValueError(f"batch {batch.template!r} is {batch.status}, not armed")
    batch.status, batch.message, batch.preview = DISCARDED, "discarded, nothing sent", None
    return batch
