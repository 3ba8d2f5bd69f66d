"""The preview of a batch: one row per concrete order (or cancel, or issue) with what the
trader must see before anything is sent: amounts and prices after precision, notional,
estimated fee, balance after, and every reason a row is blocked.

Pure given its inputs (:func:`build_preview`); gathering the inputs (store, exchanges) is
the executor's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from hedgetui.domain import ZERO, OrderType, Side, TimeInForce
from hedgetui.domain.orderlang import (
    CancelAction,
    CloseAction,
    ConcreteOrder,
    Expanded,
    ExpansionIssue,
)
from hedgetui.domain.risk import Confirmation, check_orders, confirmation

__all__ = [
    "READY",
    "BLOCKED",
    "SKIPPED",
    "QUEUED",
    "SENDING",
    "DONE",
    "FAILED",
    "PreviewRow",
    "Preview",
    "build_preview",
    "estimate_fee",
]

# Row statuses besides the order statuses (open, filled, canceled, expired, rejected,
# unknown) an order row takes once sent.
READY, BLOCKED, SKIPPED, QUEUED, SENDING = "ready", "blocked", "skipped", "queued", "sending"
DONE, FAILED = "done", "failed"  # cancel rows
FINAL_ORDER = ("open", "filled", "canceled", "expired")  # a send that reached the exchange


@dataclass
class PreviewRow:
    """One line of the preview grid. Order rows are keyed by their client id."""

    key: str
    kind: str  # "order" | "cancel" | "issue"
    line: int
    source: str
    account: str | None = None
    exchange: str | None = None
    is_paper: bool = True
    order: ConcreteOrder | None = None
    cancel: CancelAction | None = None
    issue: ExpansionIssue | None = None
    is_close: bool = False
    fee: Decimal | None = None
    balance_after: Decimal | None = None
    balance_asset: str = ""
    risk_blocks: tuple[str, ...] = ()
    extra_blocks: tuple[str, ...] = ()
    status: str = READY
    message: str = ""
    order_id: str = ""
    filled: Decimal = ZERO

    @property
    def client_id(self) -> str | None:
        return self.order.request.client_id if self.order is not None else None

    @property
    def blocks(self) -> tuple[str, ...]:
        if self.issue is not None:
            return (self.issue.message,) if self.issue.blocking else ()
        own = self.order.blocks if self.order is not None else ()
        return (*own, *self.extra_blocks, *self.risk_blocks)

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def warnings(self) -> tuple[str, ...]:
        if self.issue is not None:
            return () if self.issue.blocking else (self.issue.message,)
        return self.order.warnings if self.order is not None else ()

    @property
    def failed(self) -> bool:
        return self.status in ("rejected", "unknown", FAILED)


@dataclass
class Preview:
    text: str
    batch_id: str
    rows: list[PreviewRow]
    total_notional: Decimal
    live_notional: Decimal
    live_accounts: tuple[str, ...]
    confirm: Confirmation
    notes: list[str] = field(default_factory=list)  # data that could not be fetched
    created_at: int = 0
    submitted: bool = False

    def row(self, key: str) -> PreviewRow:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(f"no preview row {key!r}")

    @property
    def order_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.kind == "order"]

    @property
    def action_rows(self) -> list[PreviewRow]:
        """Rows that would do something (orders and cancels), blocked or not."""
        return [r for r in self.rows if r.kind in ("order", "cancel")]

    def blocking_reasons(self) -> list[str]:
        out = []
        for r in self.rows:
            who = f" {r.account}" if r.account else ""
            out.extend(f"line {r.line}{who}: {b}" for b in r.blocks)
        return out

    @property
    def sendable(self) -> list[PreviewRow]:
        return [r for r in self.action_rows if not r.blocked]


def estimate_fee(o: ConcreteOrder) -> Decimal | None:
    """Taker fee for what executes at once (market, stop-market, IOC/FOK, a limit crossing
    the last price), maker fee otherwise; in the quote (settle) currency."""
    if o.notional is None:
        return None
    r = o.request
    taker = r.type in (OrderType.MARKET, OrderType.STOP_MARKET) or r.time_in_force in (
        TimeInForce.IOC,
        TimeInForce.FOK,
    )
    if r.type is OrderType.LIMIT and o.last_price is not None and r.price is not None:
        crosses = r.price >= o.last_price if r.side is Side.BUY else r.price <= o.last_price
        taker = taker or (crosses and not r.post_only)
    rate = o.market.taker_fee if taker else o.market.maker_fee
    return o.notional * rate


def build_preview(
    *,
    text: str,
    batch_id: str,
    items: Sequence[Expanded],
    risk,
    free: Mapping[str, Mapping[str, Decimal]],
    leverage: Mapping[tuple[str, str], Decimal],
    day_notional: Mapping[str, Decimal],
    open_orders: Mapping[str, int],
    notes: Sequence[str] = (),
    now_ms: int = 0,
) -> Preview:
    """Rows for the expanded items, with risk blocks, fees and running balances.

    ``leverage``: (account, symbol) -> leverage for perpetual margin (missing: 1x, the
    conservative guess). ``risk`` is a ``RiskConfig``.
    """
    rows: list[PreviewRow] = []
    n_issue = n_cancel = 0
    for item in items:
        if isinstance(item, ExpansionIssue):
            n_issue += 1
            rows.append(
                PreviewRow(
                    f"issue-{n_issue}",
                    "issue",
                    item.line,
                    item.source,
                    account=item.account,
                    issue=item,
                    status=BLOCKED if item.blocking else item.severity.value,
                    message=_issue_text(item),
                )
            )
        elif isinstance(item, CancelAction):
            n_cancel += 1
            rows.append(
                PreviewRow(
                    f"cancel-{n_cancel}",
                    "cancel",
                    item.line,
                    item.source,
                    account=item.account,
                    exchange=item.exchange,
                    is_paper=item.is_paper,
                    cancel=item,
                )
            )
        else:
            order = item.order if isinstance(item, CloseAction) else item
            rows.append(
                PreviewRow(
                    order.request.client_id,
                    "order",
                    order.line,
                    order.source,
                    account=order.account,
                    exchange=order.exchange,
                    is_paper=order.is_paper,
                    order=order,
                    is_close=isinstance(item, CloseAction),
                )
            )
    order_rows = [r for r in rows if r.order is not None]
    risk_blocks = check_orders(
        [r.order for r in order_rows], risk, day_notional=day_notional, open_orders=open_orders
    )
    for r, blocks in zip(order_rows, risk_blocks, strict=True):
        r.risk_blocks = blocks
    _balances(order_rows, free, leverage)
    total = live = ZERO
    live_accounts: list[str] = []
    for r in rows:
        if r.kind == "order" and not r.blocked and r.order.notional is not None:
            total += r.order.notional
            if not r.is_paper:
                live += r.order.notional
        if r.kind in ("order", "cancel") and not r.is_paper and r.account not in live_accounts:
            live_accounts.append(r.account)
        if r.kind != "issue" and r.blocked:
            r.status = BLOCKED
            r.message = "; ".join(r.blocks)
        elif r.kind != "issue" and r.warnings:
            r.message = "; ".join(r.warnings)
    level = risk.confirm_level(live) if live_accounts else 0
    return Preview(
        text=text,
        batch_id=batch_id,
        rows=rows,
        total_notional=total,
        live_notional=live,
        live_accounts=tuple(live_accounts),
        confirm=confirmation(level, live, live_accounts),
        notes=list(notes),
        created_at=now_ms,
    )


def _issue_text(issue: ExpansionIssue) -> str:
    if issue.suggestions:
        return f"{issue.message} (did you mean {', '.join(issue.suggestions)}?)"
    return issue.message


def _balances(
    rows: list[PreviewRow],
    free: Mapping[str, Mapping[str, Decimal]],
    leverage: Mapping[tuple[str, str], Decimal],
) -> None:
    """Running free balance after each order (fees included); an order that would take a
    spot balance below zero once its fee is counted is blocked."""
    left: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        o = r.order
        r.fee = estimate_fee(o)
        m = o.market
        fee = r.fee or ZERO
        if m.is_perp:
            asset = m.settle or m.quote
            lev = leverage.get((o.account, m.symbol)) or Decimal(1)
            need = fee if o.request.reduce_only else (o.notional or ZERO) / lev + fee
        elif o.request.side is Side.BUY:
            asset, need = m.quote, (o.notional or ZERO) + fee
        else:
            asset, need = m.base, o.request.amount
        key = (o.account, asset)
        if key not in left:
            left[key] = Decimal(free.get(o.account, {}).get(asset, ZERO))
        after = left[key] - need
        r.balance_asset = asset
        r.balance_after = after
        if r.blocked:
            r.balance_after = left[key]  # a blocked order takes nothing
            continue
        if after < 0 and not m.is_perp and o.request.side is Side.BUY:
            r.extra_blocks = (
                f"insufficient {asset} including the estimated fee: needs "
                f"{_fmt(need)}, {_fmt(max(left[key], ZERO))} free",
            )
            r.balance_after = left[key]
            continue
        left[key] = after


def _fmt(x: Decimal) -> str:
    return f"{x.quantize(Decimal('0.01')):,}"
