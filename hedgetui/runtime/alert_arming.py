"""Arming a saved order batch when an alert fires (``... arm NAME [auto]``).

The batch is loaded from the order templates and previewed by the order executor (service
``"executor"``) at firing time, with the prices of that moment. It is sent at once only if
the rule says ``auto``, no row is blocked by the risk checks, and every account it touches
is a paper account — or ``[alerts] allow_live_auto = true``. Otherwise it waits, armed,
for the trader to confirm (``AlertEngine.confirm_armed``) or discard it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from hedgetui.domain.alerts import AlertEvent

log = logging.getLogger(__name__)

__all__ = ["ArmedBatch", "arm_batch"]

ARMED, SENT, FAILED, DISCARDED = "armed", "sent", "failed", "discarded"


@dataclass
class ArmedBatch:
    event: AlertEvent
    template: str
    status: str  # armed (waiting for confirmation) | sent | failed | discarded
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
    if not event.auto:
        why = "confirm to send"
    elif reasons:
        why = "not sent automatically: " + "; ".join(reasons)
    elif live and not allow_live_auto:
        why = (
            f"not sent automatically: live account(s) {', '.join(live)} "
            "(allow with [alerts] allow_live_auto = true)"
        )
    else:
        return await send(ArmedBatch(event, name, ARMED, "", preview), executor)
    orders = len(preview.order_rows)
    return ArmedBatch(event, name, ARMED, f"{orders} orders armed, {why}", preview)


async def send(batch: ArmedBatch, executor) -> ArmedBatch:
    try:
        preview = await executor.submit(batch.preview)
    except Exception as exc:
        batch.status, batch.message = FAILED, f"not sent: {exc}"
        return batch
    rows = preview.action_rows
    batch.status = SENT
    batch.message = f"sent {len(rows)} orders (batch {preview.batch_id})"
    return batch
