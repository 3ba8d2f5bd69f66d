"""Batch -> concrete per-account orders, cancels and closes. Pure: reads a snapshot only.

Nothing is dropped silently: an account, tag or symbol that can't be resolved becomes an
:class:`ExpansionIssue` naming it (with suggestions), and an order that breaks an
exchange rule is still returned, marked with ``blocks``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from hedgetui.domain.models import AccountInfo, to_decimal
from hedgetui.domain.orderlang.checks import Book
from hedgetui.domain.orderlang.nodes import (
    Batch,
    CancelStmt,
    CloseStmt,
    OrderStmt,
    Statement,
)
from hedgetui.domain.orderlang.orders import OrderExpander
from hedgetui.domain.orderlang.resolve import find_market, resolve_accounts
from hedgetui.domain.orderlang.results import (
    CancelAction,
    ClientIdFactory,
    ExpandContext,
    Expanded,
    ExpansionIssue,
)

__all__ = ["expand", "batch_digest"]


def batch_digest(batch: Batch) -> str:
    """A short stable id for a batch's canonical text (the default client-id batch part)."""
    return hashlib.sha256(batch.to_text().encode()).hexdigest()[:10]


def expand(
    batch: Batch, ctx: ExpandContext, client_ids: Callable[[], str] | None = None
) -> list[Expanded]:
    """Expand every statement for every selected account, in order.

    ``client_ids`` is called once per order, in output order; executors pass one built on
    a unique batch id (``ClientIdFactory(batch_id)``). The default derives the batch part
    from the text, so the same batch previews with the same ids.
    """
    ids = client_ids or ClientIdFactory(batch_digest(batch))
    free = {
        (account, asset): amount
        for account, assets in ctx.free.items()
        for asset, amount in assets.items()
    }
    # a zero or missing last price means "unknown", never a divisor
    last = {k: d for k, v in ctx.last_prices.items() if (d := to_decimal(v)) is not None and d > 0}
    book = Book(free)
    orders = OrderExpander(ctx, ids, book, last)
    out: list[Expanded] = []
    for stmt in batch.statements:
        out.extend(_statement(stmt, ctx, orders))
    return out


def _statement(stmt: Statement, ctx: ExpandContext, orders: OrderExpander) -> list[Expanded]:
    out: list[Expanded] = []
    names, problems = resolve_accounts(stmt.accounts, ctx.accounts)
    for message, suggestions in problems:
        out.append(ExpansionIssue(stmt.line, stmt.source, message, suggestions=suggestions))
    for name in names:
        account = ctx.accounts[name]
        if account.read_only:
            out.append(_issue(stmt, f"account {name} is read-only: no orders", name))
            continue
        if isinstance(stmt, CancelStmt):
            out.extend(_cancel(stmt, account, ctx))
        elif isinstance(stmt, CloseStmt):
            out.extend(orders.close(stmt, account))
        elif isinstance(stmt, OrderStmt):
            out.extend(orders.order(stmt, account))
    return out


def _issue(stmt: Statement, message: str, account: str | None = None, **kw) -> ExpansionIssue:
    return ExpansionIssue(stmt.line, stmt.source, message, account=account, **kw)


def _cancel(stmt: CancelStmt, account: AccountInfo, ctx: ExpandContext) -> list[Expanded]:
    symbol = stmt.symbol
    if symbol is not None:
        market, suggestions = find_market(ctx.markets, account.exchange, symbol)
        if market is None:
            return [
                _issue(
                    stmt,
                    f"unknown symbol {symbol} on {account.exchange} ({account.name})",
                    account.name,
                    suggestions=suggestions,
                )
            ]
        symbol = market.symbol
    return [
        CancelAction(
            account.name,
            account.exchange,
            account.is_paper,
            symbol,
            stmt.side,
            stmt.line,
            stmt.source,
        )
    ]
