"""The kill switch for one account: cancel every open order, optionally flatten every
perpetual position with a reduce-only market order (journaled like any other order)."""

from __future__ import annotations

from hedgetui.domain import JournalEntry, OrderRequest, OrderType, Side
from hedgetui.domain.orderlang import ClientIdFactory
from hedgetui.runtime.redact import describe_error
from hedgetui.runtime.sending import new_batch_id, send_order

OK_STATUSES = frozenset({"open", "filled", "canceled", "expired", "done"})


class KillResult:
    __slots__ = ("account", "canceled", "flattened", "errors")

    def __init__(self, account: str) -> None:
        self.account = account
        self.canceled: list = []
        self.flattened: list[tuple[str, str, str]] = []  # (symbol, status, message)
        self.errors: list[str] = []

    @property
    def ok(self) -> bool:
        return not self.errors and all(s in OK_STATUSES for _, s, _ in self.flattened)


async def kill_account(ex, account, flatten, *, store, now_ms, secrets, saver) -> KillResult:
    """Cancel, then (``flatten``) close positions; errors are collected, never raised."""
    result = KillResult(account)
    try:
        result.canceled = await ex.cancel_all_orders()
        store.put_orders(result.canceled)
    except Exception as exc:
        result.errors.append(f"cancel: {describe_error(exc, secrets)}")
    if not flatten:
        return result
    try:
        positions = [p for p in await ex.fetch_positions() if p.contracts > 0]
    except Exception as exc:
        result.errors.append(f"positions: {describe_error(exc, secrets)}")
        return result
    now = now_ms()
    batch_id = new_batch_id(now)
    ids = ClientIdFactory(batch_id, prefix="kill")
    requests = [
        OrderRequest(
            symbol=p.symbol,
            side=Side.SELL if p.side == "long" else Side.BUY,
            type=OrderType.MARKET,
            amount=p.contracts,
            client_id=ids(),
            reduce_only=True,
        )
        for p in positions
    ]
    await store.journal_add(
        [
            JournalEntry(r.client_id, batch_id, account, r, created_at=now, updated_at=now)
            for r in requests
        ]
    )
    for r in requests:
        outcome = await send_order(ex, r, secrets)
        if outcome.order is not None:
            store.put_orders([outcome.order])
            if ex.is_paper:
                await saver.sync()
        await store.journal_update(
            r.client_id,
            status=outcome.status,
            order_id=outcome.order.id if outcome.order else None,
            message=outcome.message,
            attempts_inc=1,
            ts=now_ms(),
        )
        result.flattened.append((r.symbol, outcome.status.value, outcome.message))
    return result
