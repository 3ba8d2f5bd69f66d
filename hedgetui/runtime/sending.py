"""Sending helpers: the per-account pace, the paper snapshot saver, and one order's send
with its journal updates.

Order of durable writes for one order (why: a crash at any point must leave the journal
able to say what happened):

1. the journal entry (PENDING) is committed before the batch is sent (the executor);
2. the order is sent;
3. for paper accounts, a venue snapshot taken after the send is committed, so a restart
   restores the order the journal is about to call open;
4. the journal entry gets the exchange's answer (status, order id, message).

A crash between 1 and 4 leaves PENDING: reconciliation asks the exchange by client id.
"""

from __future__ import annotations

import asyncio
import secrets as _random
import time
from collections import deque
from collections.abc import Awaitable, Callable

from hedgetui.domain import Order, OrderRequest, OrderStatus
from hedgetui.exchanges.errors import RETRYABLE, ExchangeError, OrderNotFound
from hedgetui.runtime.redact import describe_error

__all__ = ["Pacer", "SnapshotSaver", "SendOutcome", "send_order", "lookup", "new_batch_id"]


def new_batch_id(now_ms: int) -> str:
    """Unique and short: base-36 milliseconds + 4 random hex digits (<= 13 characters)."""
    digits, n = "", now_ms
    while n:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
    return f"{digits or '0'}{_random.token_hex(2)}"


class Pacer:
    """At most ``rate`` sends started in any one second (risk.max_orders_per_second)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = max(rate, 1e-9)
        self.clock = clock
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._burst = max(1, int(self.rate))  # whole sends allowed per second
        self._window = 1.0 / self.rate if self.rate < 1 else 1.0

    async def wait(self) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                while self._starts and now - self._starts[0] >= self._window:
                    self._starts.popleft()
                if len(self._starts) < self._burst:
                    self._starts.append(now)
                    return
                await asyncio.sleep(self._window - (now - self._starts[0]))


class SnapshotSaver:
    """Group commit of the paper venue snapshot: ``sync()`` returns once a snapshot taken
    after the call is saved; concurrent callers share one save."""

    def __init__(self, save: Callable[[], Awaitable[None]]) -> None:
        self._save = save
        self._lock = asyncio.Lock()
        self._requested = 0
        self._saved = 0
        self.saves = 0

    async def sync(self) -> None:
        self._requested += 1
        ticket = self._requested
        async with self._lock:
            if self._saved >= ticket:
                return
            target = self._requested
            await self._save()
            self.saves += 1
            self._saved = target


class SendOutcome:
    __slots__ = ("status", "order", "message")

    def __init__(self, status: OrderStatus, order: Order | None, message: str) -> None:
        self.status = status
        self.order = order
        self.message = message


async def lookup(exchange, request: OrderRequest) -> Order | None:
    """The order with this client id on the exchange, None if it has none. Raises what
    the exchange raises otherwise (the caller decides)."""
    try:
        return await exchange.fetch_order(request.symbol, client_id=request.client_id)
    except OrderNotFound:
        return None


async def send_order(exchange, request: OrderRequest, secrets: tuple[str, ...] = ()) -> SendOutcome:
    """Send once; map every failure to a status. Network trouble -> look the client id up
    (the order may have arrived): found -> its status, else UNKNOWN. An exchange refusal ->
    REJECTED with the exchange's message."""
    try:
        order = await exchange.create_order(request)
        return SendOutcome(order.status, order, order.message)
    except RETRYABLE as exc:
        first = describe_error(exc, secrets)
    except ExchangeError as exc:  # the exchange answered: refused
        return SendOutcome(OrderStatus.REJECTED, None, describe_error(exc, secrets))
    except Exception as exc:  # not an exchange answer: whether it was sent is unknown
        first = describe_error(exc, secrets)
    try:
        found = await lookup(exchange, request)
    except Exception as exc:
        return SendOutcome(
            OrderStatus.UNKNOWN,
            None,
            f"{first}; the lookup by client id failed too ({describe_error(exc, secrets)}): "
            "retry checks again before resending",
        )
    if found is not None:
        return SendOutcome(found.status, found, found.message)
    return SendOutcome(
        OrderStatus.UNKNOWN,
        None,
        f"{first}; not found on the exchange by client id: retry checks again before resending",
    )
