"""What a preview looks at, gathered once per preview: markets of each exchange, free
balances, positions, last prices, open orders and today's sent notional.

Account data comes from the store (the pollers keep it fresh) unless ``fetch`` is set or
the store has nothing for the account (the headless CLI runs no pollers): then it is
fetched from the exchange. Last prices older than ``max_age_ms`` are fetched again: the
price band and market-order notionals must not use a stale price. A fetch that fails
becomes a note on the preview, never an exception.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from hedgetui.domain import AccountInfo, JournalEntry, Market, OrderStatus, to_decimal
from hedgetui.domain.orderlang import (
    Batch,
    CloseStmt,
    ExpandContext,
    OrderStmt,
    find_market,
    resolve_accounts,
)
from hedgetui.domain.risk import day_start
from hedgetui.runtime.redact import describe_error

log = logging.getLogger(__name__)


@dataclass
class OrderInputs:
    ctx: ExpandContext
    leverage: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    open_orders: dict[str, int] = field(default_factory=dict)
    day_notional: dict[str, Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


async def gather_inputs(
    *,
    batch: Batch,
    accounts: dict[str, AccountInfo],
    exchanges: dict,
    store,
    now_ms: int,
    fetch: bool,
    max_age_ms: int,
    config_leverage: dict[str, Decimal],
) -> OrderInputs:
    notes: list[str] = []
    usable = {n: a for n, a in accounts.items() if n in exchanges}
    markets = await _markets(usable, exchanges, notes)
    names: list[str] = []
    for stmt in batch.statements:
        picked, _ = resolve_accounts(stmt.accounts, usable)
        names.extend(n for n in picked if n not in names)
    free: dict[str, dict[str, Decimal]] = {}
    positions: dict[str, dict[str, tuple[str, Decimal]]] = {}
    leverage: dict[tuple[str, str], Decimal] = {}
    open_orders: dict[str, int] = {}
    stored_balances = await store.balances()
    stored_positions = await store.positions()
    stored_open = await store.orders(open_only=True)

    async def account_data(name: str) -> None:
        ex = exchanges[name]
        balances = [b for b in stored_balances if b.account == name]
        pos = [p for p in stored_positions if p.account == name]
        opened = [o for o in stored_open if o.account == name]
        if fetch or not balances:
            try:
                balances, pos, opened = await asyncio.gather(
                    ex.fetch_balance(), ex.fetch_positions(), ex.fetch_open_orders()
                )
            except Exception as exc:
                notes.append(f"{name}: could not fetch balances/positions: {describe_error(exc)}")
        free[name] = {b.asset: b.free for b in balances}
        positions[name] = {p.symbol: (p.side, p.contracts) for p in pos if p.contracts > 0}
        for p in pos:
            if p.leverage:
                leverage[(name, p.symbol)] = p.leverage
        open_orders[name] = len(opened)

    await asyncio.gather(*(account_data(n) for n in names))
    for name in names:  # perps without a position: the configured leverage, else 1x
        lev = config_leverage.get(name)
        if lev:
            for sym, m in markets.get(usable[name].exchange, {}).items():
                if m.is_perp:
                    leverage.setdefault((name, sym), lev)
    last = await _last_prices(
        batch, usable, names, exchanges, markets, positions, store, now_ms, max_age_ms, fetch, notes
    )
    ctx = ExpandContext(
        accounts=usable, markets=markets, free=free, positions=positions, last_prices=last
    )
    day = day_notional(await store.journal(), markets, usable, last, now_ms)
    return OrderInputs(ctx, leverage, open_orders, day, notes)


async def _markets(accounts: dict[str, AccountInfo], exchanges: dict, notes: list[str]):
    by_exchange: dict[str, object] = {}
    for name, info in accounts.items():
        by_exchange.setdefault(info.exchange, exchanges[name])
    out: dict[str, dict[str, Market]] = {}

    async def load(exchange_id: str, ex) -> None:
        try:
            out[exchange_id] = await ex.load_markets()
        except Exception as exc:
            notes.append(f"{exchange_id}: could not load markets: {describe_error(exc)}")
            out[exchange_id] = {}

    await asyncio.gather(*(load(k, v) for k, v in by_exchange.items()))
    return out


async def _last_prices(
    batch, accounts, names, exchanges, markets, positions, store, now_ms, max_age_ms, fetch, notes
) -> dict[tuple[str, str], Decimal]:
    wanted: dict[str, set[str]] = {}  # exchange -> symbols
    for stmt in batch.statements:
        if not isinstance(stmt, OrderStmt | CloseStmt):
            continue
        picked, _ = resolve_accounts(stmt.accounts, accounts)
        for name in picked:
            exid = accounts[name].exchange
            if stmt.symbol is None:  # close all: every open position
                wanted.setdefault(exid, set()).update(positions.get(name, {}))
                continue
            m, _ = find_market(markets, exid, stmt.symbol)
            if m is not None:
                wanted.setdefault(exid, set()).add(m.symbol)
    last: dict[tuple[str, str], Decimal] = {}
    stored = {(t.exchange, t.symbol): t for t in await store.tickers()}
    for exid, symbols in wanted.items():
        missing = []
        for sym in sorted(symbols):
            t = stored.get((exid, sym))
            if t is not None and not fetch and now_ms - t.timestamp <= max_age_ms and t.last > 0:
                last[(exid, sym)] = to_decimal(t.last)
            else:
                missing.append(sym)
        if not missing:
            continue
        ex = next(exchanges[n] for n in names if accounts[n].exchange == exid)
        try:
            tickers = await ex.fetch_tickers(missing)
        except Exception as exc:
            notes.append(f"{exid}: could not fetch last prices: {describe_error(exc)}")
            continue
        for sym, t in tickers.items():
            if t.last:
                last[(exid, sym)] = to_decimal(t.last)
    return last


def day_notional(
    journal: list[JournalEntry],
    markets: dict[str, dict[str, Market]],
    accounts: dict[str, AccountInfo],
    last: dict[tuple[str, str], Decimal],
    now_ms: int,
) -> dict[str, Decimal]:
    """Notional each account sent today (UTC): every journaled order of the day that was
    not rejected, valued at its price (stop price, else the last price)."""
    start = day_start(now_ms)
    out: dict[str, Decimal] = {}
    for e in journal:
        if e.created_at < start or e.status is OrderStatus.REJECTED or e.request.reduce_only:
            continue
        info = accounts.get(e.account)
        exid = info.exchange if info else ""
        m = markets.get(exid, {}).get(e.request.symbol)
        price = e.request.price or e.request.stop_price or last.get((exid, e.request.symbol))
        if price is None:
            continue
        size = m.contract_size if m is not None and m.is_perp else Decimal(1)
        out[e.account] = out.get(e.account, Decimal(0)) + e.request.amount * price * size
    return out
