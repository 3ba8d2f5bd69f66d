"""The order executor (service "executor"): preview, submit, retry, reconcile, kill switch
and templates for the order pane and ``hedgetui orders``.

* ``preview(text)`` parses (ParseError propagates, with its caret rendering), expands
  against fresh inputs (``order_inputs``), applies the risk limits and returns a
  :class:`~hedgetui.runtime.preview.Preview`; nothing is sent.
* ``submit(preview)`` journals every order durably in one write, then sends: accounts
  concurrently, each account's rows in order (a cancel row waits for the orders before it),
  at most ``IN_FLIGHT`` sends per account at once, paced by risk.max_orders_per_second;
  the exchange adapters' shared gate enforces the exchange's own limits. Row status moves
  queued -> sending -> open/filled/... or rejected (the exchange's message) / unknown.
  One failing row or account never stops the others.
* ``retry(preview, key)`` re-sends a rejected/unknown row with the SAME client id, after
  asking the exchange whether it already has it.
* ``reconcile()`` (also run when the service starts) settles unfinished journal entries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from hedgetui.domain import JournalEntry, OrderStatus
from hedgetui.domain.orderlang import ClientIdFactory, expand, parse
from hedgetui.runtime.killswitch import OK_STATUSES, KillResult, kill_account
from hedgetui.runtime.order_inputs import gather_inputs
from hedgetui.runtime.preview import (
    DONE,
    FAILED,
    QUEUED,
    SENDING,
    SKIPPED,
    Preview,
    PreviewRow,
    build_preview,
)
from hedgetui.runtime.reconcile import Reconciled, reconcile
from hedgetui.runtime.redact import describe_error
from hedgetui.runtime.sending import (
    Pacer,
    SendOutcome,
    SnapshotSaver,
    lookup,
    new_batch_id,
    send_order,
)
from hedgetui.store.templates import Template, Templates

log = logging.getLogger(__name__)

IN_FLIGHT = 4  # concurrent sends per account (the gate still paces them)

StatusCallback = Callable[[PreviewRow], None]


class BatchBlocked(Exception):
    """The preview has blocked rows or errors; fix them, or send with skip_blocked."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            f"{len(reasons)} problem(s) block this batch: "
            + "; ".join(reasons[:3])
            + (" ..." if len(reasons) > 3 else "")
        )
        self.reasons = reasons


def create(runtime) -> OrderExecutor:
    return OrderExecutor(runtime)


class OrderExecutor:
    name = "executor"

    def __init__(self, runtime, *, in_flight: int = IN_FLIGHT) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.config = runtime.config
        self.clock = runtime.clock
        self.in_flight = in_flight
        self.templates = Templates(self.store)
        self.reconciled: list[Reconciled] = []
        self.reconcile_done = asyncio.Event()
        self._pacers: dict[str, Pacer] = {}
        self._saver = SnapshotSaver(runtime.save_paper)
        self._task: asyncio.Task | None = None

    # -- service ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._start_reconcile(), name="executor reconcile")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _start_reconcile(self) -> None:
        try:
            await self.reconcile()
        except Exception:
            log.exception("reconciling the order journal failed")
        finally:
            self.reconcile_done.set()

    # -- plumbing --------------------------------------------------------------------------

    @property
    def exchanges(self) -> dict:
        return self.runtime.exchanges.accounts if self.runtime.exchanges else {}

    def _secrets(self, account: str) -> tuple[str, ...]:
        try:
            return tuple(self.config.account(account).credentials().values())
        except KeyError:
            return ()

    def _pacer(self, account: str) -> Pacer:
        if account not in self._pacers:
            self._pacers[account] = Pacer(self.config.risk.max_orders_per_second)
        return self._pacers[account]

    # -- preview ---------------------------------------------------------------------------

    async def preview(self, text: str, *, fetch: bool = False) -> Preview:
        """Parse, expand and check ``text``. ``fetch``: ask the exchanges for balances,
        positions and prices instead of trusting the store (the headless path)."""
        batch = parse(text)
        now = self.clock.now_ms()
        accounts = {a.name: a.info() for a in self.config.accounts}
        inputs = await gather_inputs(
            batch=batch,
            accounts=accounts,
            exchanges=self.exchanges,
            store=self.store,
            now_ms=now,
            fetch=fetch,
            max_age_ms=int(self.config.pollers.stale_after * 1000),
            config_leverage={a.name: a.leverage for a in self.config.accounts if a.leverage},
        )
        missing = [n for n in accounts if n not in self.exchanges]
        notes = [*inputs.notes, *(f"{n}: no exchange connection" for n in missing)]
        batch_id = new_batch_id(now)
        items = expand(batch, inputs.ctx, ClientIdFactory(batch_id))
        return build_preview(
            text=text,
            batch_id=batch_id,
            items=items,
            risk=self.config.risk,
            free=inputs.ctx.free,
            leverage=inputs.leverage,
            day_notional=inputs.day_notional,
            open_orders=inputs.open_orders,
            notes=notes,
            now_ms=now,
        )

    # -- submit ----------------------------------------------------------------------------

    async def submit(
        self,
        preview: Preview,
        on_status: StatusCallback | None = None,
        *,
        skip_blocked: bool = False,
    ) -> Preview:
        """Journal, then send every sendable row; returns the preview with final statuses."""
        if preview.submitted:
            raise ValueError("this preview was already sent; preview the batch again")
        reasons = preview.blocking_reasons()
        if reasons and not skip_blocked:
            raise BatchBlocked(reasons)
        notify = on_status or (lambda row: None)
        rows = preview.sendable
        for r in preview.action_rows:
            if r.blocked:
                r.status = SKIPPED
                notify(r)
        now = self.clock.now_ms()
        entries = [
            JournalEntry(
                client_id=r.client_id,
                batch_id=preview.batch_id,
                account=r.account,
                request=r.order.request,
                created_at=now,
                updated_at=now,
            )
            for r in rows
            if r.kind == "order"
        ]
        await self.store.journal_add(entries)  # durable BEFORE anything is sent
        preview.submitted = True
        for r in rows:
            r.status = QUEUED
            notify(r)
        by_account: dict[str, list[PreviewRow]] = {}
        for r in rows:
            by_account.setdefault(r.account, []).append(r)
        results = await asyncio.gather(
            *(self._run_account(a, rs, notify) for a, rs in by_account.items()),
            return_exceptions=True,
        )
        for account, result in zip(by_account, results, strict=True):
            if isinstance(result, BaseException):
                log.error("sending to %s failed: %s", account, result, exc_info=result)
        return preview

    async def _run_account(self, account: str, rows: list[PreviewRow], notify) -> None:
        ex = self.exchanges.get(account)
        if ex is None:
            for r in rows:
                await self._finish(
                    r, SendOutcome(OrderStatus.REJECTED, None, "no exchange"), notify
                )
            return
        sem = asyncio.Semaphore(self.in_flight)
        pending: list[asyncio.Task] = []
        for r in rows:
            if r.kind == "cancel":  # runs after the rows before it, before the rows after it
                await asyncio.gather(*pending, return_exceptions=True)
                pending = []
                await self._cancel_row(ex, r, notify)
            else:
                pending.append(asyncio.create_task(self._send_row(ex, r, sem, notify)))
        await asyncio.gather(*pending, return_exceptions=True)

    async def _send_row(self, ex, row: PreviewRow, sem, notify) -> None:
        try:
            async with sem:
                await self._pacer(row.account).wait()
                row.status = SENDING
                notify(row)
                outcome = await send_order(ex, row.order.request, self._secrets(row.account))
            await self._finish(row, outcome, notify, attempts=1)
        except Exception as exc:  # a store failure must not take the other rows down
            log.exception("order %s: recording the result failed", row.key)
            row.status = OrderStatus.UNKNOWN.value
            row.message = f"recording the result failed: {describe_error(exc)}"
            notify(row)

    async def _finish(self, row: PreviewRow, outcome: SendOutcome, notify, attempts=0) -> None:
        order = outcome.order
        if order is not None and row.is_paper:
            await self._saver.sync()  # the venue on disk has the order before the journal says so
        await self.store.journal_update(
            row.client_id,
            status=outcome.status,
            order_id=order.id if order else None,
            message=outcome.message,
            attempts_inc=attempts,
            ts=self.clock.now_ms(),
        )
        if order is not None:
            self.store.put_orders([order])
            row.order_id = order.id
            row.filled = order.filled
        row.status = outcome.status.value
        row.message = outcome.message
        notify(row)

    async def _cancel_row(self, ex, row: PreviewRow, notify) -> None:
        c = row.cancel
        row.status = SENDING
        notify(row)
        try:
            if c.side is None:
                done = await ex.cancel_all_orders(c.symbol)
            else:
                done = []
                for o in await ex.fetch_open_orders(c.symbol):
                    if o.side is c.side:
                        done.append(await ex.cancel_order(o.id, o.symbol))
            self.store.put_orders(done)
            if row.is_paper:
                await self._saver.sync()
            row.status, row.message = DONE, f"canceled {len(done)} order(s)"
        except Exception as exc:
            row.status, row.message = FAILED, describe_error(exc, self._secrets(row.account))
        notify(row)

    # -- retry -----------------------------------------------------------------------------

    async def retry(
        self, preview: Preview, key: str, on_status: StatusCallback | None = None
    ) -> PreviewRow:
        """Send a rejected/unknown order again under its own client id, unless the exchange
        already has it (then its status is taken over and nothing is sent)."""
        notify = on_status or (lambda row: None)
        row = preview.row(key)
        if row.kind != "order" or row.status not in ("rejected", "unknown"):
            raise ValueError(
                f"only a rejected or unknown order can be retried; {key} is {row.status}"
            )
        ex = self.exchanges.get(row.account)
        if ex is None:
            raise ValueError(f"account {row.account} has no exchange connection")
        secrets = self._secrets(row.account)
        try:
            found = await lookup(ex, row.order.request)
        except Exception as exc:
            row.message = (
                f"could not check the exchange ({describe_error(exc, secrets)}): not resent"
            )
            notify(row)
            return row
        if found is not None:
            await self._finish(row, SendOutcome(found.status, found, found.message), notify)
            return row
        await self.store.journal_update(
            row.client_id,
            status=OrderStatus.UNKNOWN,
            message="retrying",
            ts=self.clock.now_ms(),
        )
        await self._send_row(ex, row, asyncio.Semaphore(1), notify)
        return row

    # -- reconcile -------------------------------------------------------------------------

    async def reconcile(self) -> list[Reconciled]:
        secrets = {a.name: self._secrets(a.name) for a in self.config.accounts}
        self.reconciled = await reconcile(self.store, self.exchanges, self.clock.now_ms, secrets)
        return self.reconciled

    # -- kill switch -----------------------------------------------------------------------

    async def cancel_all(self, accounts: list[str], *, flatten: bool = False) -> list[KillResult]:
        """Cancel every open order of ``accounts``; ``flatten``: then close every perpetual
        position with a reduce-only market order (journaled like any order). Spot holdings
        are never sold here."""
        unknown = [a for a in accounts if a not in self.exchanges]
        if unknown:
            raise ValueError(f"unknown account(s): {', '.join(unknown)}")
        results = await asyncio.gather(*(self._kill(a, flatten) for a in accounts))
        if any(self.exchanges[a].is_paper for a in accounts):
            await self._saver.sync()
        return list(results)

    async def _kill(self, account: str, flatten: bool) -> KillResult:
        return await kill_account(
            self.exchanges[account],
            account,
            flatten,
            store=self.store,
            now_ms=self.clock.now_ms,
            secrets=self._secrets(account),
            saver=self._saver,
        )

    # -- templates -------------------------------------------------------------------------

    async def save_template(self, name: str, text: str) -> Template:
        """Save ``text`` under ``name`` (replacing it); text that does not parse is refused
        with the ParseError, so a template always loads into a valid batch."""
        parse(text)
        return await self.templates.save(name, text, ts=self.clock.now_ms())

    async def list_templates(self) -> list[Template]:
        return await self.templates.list()

    async def load_template(self, name: str) -> Template:
        return await self.templates.load(name)

    async def delete_template(self, name: str) -> bool:
        return await self.templates.delete(name)


def summarize(preview: Preview) -> dict[str, int]:
    """Row status -> count over the rows that would act (orders and cancels)."""
    out: dict[str, int] = {}
    for r in preview.action_rows:
        out[r.status] = out.get(r.status, 0) + 1
    return out


def all_ok(preview: Preview) -> bool:
    return all(r.status in OK_STATUSES for r in preview.action_rows)
