"""Reconciliation: every unfinished journal entry (pending, open, unknown) is looked up on
its exchange by client id and the journal and the store's orders are brought in line.

It never sends an order. An entry the exchange does not know:

* PENDING / UNKNOWN (the send may never have left, e.g. ``kill -9`` right after the
  journal write) -> REJECTED, "never reached the exchange";
* OPEN (it was acknowledged once) -> CANCELED, "no longer on the exchange".

An exchange that cannot be asked leaves the entry as it is, with the reason reported.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from hedgetui.domain import JournalEntry, Order, OrderStatus
from hedgetui.runtime.redact import describe_error
from hedgetui.runtime.sending import lookup

log = logging.getLogger(__name__)

NEVER_REACHED = "never reached the exchange (not found by client id at reconciliation)"
GONE = "no longer on the exchange (not found by client id at reconciliation)"


@dataclass(frozen=True)
class Reconciled:
    entry: JournalEntry
    status: OrderStatus  # after reconciliation
    message: str
    changed: bool
    order: Order | None = None

    @property
    def checked(self) -> bool:
        """False when the exchange could not be asked (the entry is left as it was)."""
        return not self.message.startswith("could not check")


async def reconcile(
    store, exchanges: dict, now_ms, secrets: dict[str, tuple[str, ...]] | None = None
) -> list[Reconciled]:
    """Reconcile every unfinished entry; ``exchanges``: account -> Exchange; ``now_ms``: a
    callable giving the time. Accounts are checked concurrently, entries of one account in
    journal order."""
    entries = await store.journal(unfinished_only=True)
    by_account: dict[str, list[JournalEntry]] = {}
    for e in entries:
        by_account.setdefault(e.account, []).append(e)
    results: dict[str, list[Reconciled]] = {}

    async def one_account(account: str, mine: list[JournalEntry]) -> None:
        ex = exchanges.get(account)
        out = results.setdefault(account, [])
        for e in mine:
            if ex is None:
                out.append(
                    Reconciled(
                        e, e.status, f"could not check: account {account} is not configured", False
                    )
                )
                continue
            out.append(await _one(store, ex, e, now_ms, (secrets or {}).get(account, ())))

    await asyncio.gather(*(one_account(a, m) for a, m in by_account.items()))
    done = {r.entry.client_id: r for rs in results.values() for r in rs}
    return [done[e.client_id] for e in entries]  # journal order


async def _one(store, ex, e: JournalEntry, now_ms, secrets) -> Reconciled:
    try:
        found = await lookup(ex, e.request)
    except Exception as exc:
        return Reconciled(e, e.status, f"could not check: {describe_error(exc, secrets)}", False)
    if found is not None:
        changed = found.status is not e.status or found.id != e.order_id
        if changed:
            await store.journal_update(
                e.client_id,
                status=found.status,
                order_id=found.id,
                message=found.message or None,
                ts=now_ms(),
            )
        store.put_orders([found])
        return Reconciled(e, found.status, found.message or _said(found), changed, found)
    status = OrderStatus.CANCELED if e.status is OrderStatus.OPEN else OrderStatus.REJECTED
    message = GONE if status is OrderStatus.CANCELED else NEVER_REACHED
    await store.journal_update(e.client_id, status=status, message=message, ts=now_ms())
    return Reconciled(e, status, message, True)


def _said(order: Order) -> str:
    if order.filled:
        return f"found on the exchange: {order.status.value}, filled {order.filled}"
    return f"found on the exchange: {order.status.value}"
