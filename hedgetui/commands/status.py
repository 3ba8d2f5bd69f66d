"""``hedgetui status``: accounts, balance totals and poller health, from the store."""

from __future__ import annotations

import argparse
import asyncio
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from hedgetui.commands.common import db_path, open_store
from hedgetui.commands.fmt import age, money
from hedgetui.domain import HealthState
from hedgetui.domain.clock import SystemClock
from hedgetui.domain.valuation import balance_value, price_map


def register(sub, common) -> None:
    p = sub.add_parser(
        "status",
        help="print accounts, balance totals and poller health",
        description="Print accounts, balances valued in their quote currency "
        "and poller health from the database.",
    )
    common(p)
    p.set_defaults(handler=status)


def status(args: argparse.Namespace) -> int:
    return asyncio.run(_status(args))


async def _status(args: argparse.Namespace) -> int:
    store = await open_store(db_path(args), readonly=True)
    try:
        accounts = await store.accounts()
        balances = await store.balances()
        positions = await store.positions()
        orders = await store.orders(open_only=True)
        tickers = await store.tickers()
        health = await store.health()
    finally:
        await store.close()
    now = SystemClock().now_ms()
    console = Console()
    if not console.is_terminal:  # piped or redirected: don't squeeze into 80 columns
        console = Console(width=160)
    prices = price_map(tickers)

    table = Table(title="Accounts", title_justify="left")
    for col, just in [
        ("account", "left"),
        ("exchange", "left"),
        ("mode", "left"),
        ("assets", "right"),
        ("value USD", "right"),
        ("unrealized", "right"),
        ("positions", "right"),
        ("open orders", "right"),
        ("updated", "right"),
        ("health", "left"),
    ]:
        table.add_column(col, justify=just)
    grand = Decimal(0)
    for acct in accounts:
        mine = [b for b in balances if b.account == acct.name and b.total]
        values = [balance_value(b, acct.exchange, prices) for b in mine]
        value = sum((v for v in values if v is not None), Decimal(0))
        unpriced = sum(v is None for v in values)
        grand += value
        upnl = sum((p.unrealized_pnl for p in positions if p.account == acct.name), Decimal(0))
        updated = max((b.timestamp for b in mine), default=0)
        states = {h.state for h in health if h.account == acct.name}
        state = next(
            (s for s in (HealthState.STOPPED, HealthState.BACKOFF) if s in states),
            HealthState.OK if states else None,
        )
        table.add_row(
            acct.name,
            acct.exchange,
            "PAPER" if acct.is_paper else "LIVE",
            str(len(mine)),
            money(value) + (f" (+{unpriced} unpriced)" if unpriced else ""),
            money(upnl),
            str(sum(p.account == acct.name for p in positions)),
            str(sum(o.account == acct.name for o in orders)),
            age(now, updated),
            state.value if state else "-",
        )
    table.add_section()
    table.add_row("total", "", "", "", money(grand), "", "", str(len(orders)), "", "")
    console.print(table)

    ht = Table(title="Pollers", title_justify="left")
    for col, just in [
        ("poller", "left"),
        ("state", "left"),
        ("last success", "right"),
        ("latency", "right"),
        ("errors", "right"),
        ("last error", "left"),
    ]:
        ht.add_column(col, justify=just)
    for h in sorted(health, key=lambda h: h.key):
        ht.add_row(
            h.key,
            h.state.value,
            age(now, h.last_success),
            f"{h.latency_ms:.0f} ms",
            str(h.error_count),
            h.last_error or "",
        )
    console.print(ht)
    if not accounts:
        console.print("[yellow]The database holds no accounts yet: run `hedgetui collect`.")
    return 0
