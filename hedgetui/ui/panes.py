"""The workstation's data panes: Accounts, Orders, Market, Health.

Each pane gets the shared :class:`PortfolioState` pushed down (``show``) and turns it into
rows; :func:`sync_rows` hands the table only what differs, and the table redraws only the
rows that changed on its next frame.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from hedgetui.domain import Order
from hedgetui.runtime.limits_health import LimitView, is_limit, limit_view
from hedgetui.ui import columns
from hedgetui.ui.portfolio import GROUP_ACCOUNT, PortfolioState, View, portfolio_rows
from hedgetui.ui.widgets.live_table import LiveTable
from hedgetui.ui.widgets.live_table_columns import Column, format_number

Row = tuple[Hashable, Mapping[str, Any], str | None]


def sync_rows(table: LiveTable, rows: Iterable[Row]) -> None:
    """Make ``table`` show exactly ``rows`` in this order, touching only what differs."""
    rows = list(rows)
    model_rows = table.model.rows
    keys = [key for key, _, _ in rows]
    wanted = set(keys)
    for key in [k for k in model_rows if k not in wanted]:
        table.remove_row(key)
    for key, values, style in rows:
        existing = model_rows.get(key)
        if existing is None:
            table.upsert_row(key, values, style=style)
            continue
        table.update_cells(key, values)
        if existing.style != style:
            table.set_row_style(key, style)
    if list(table.row_order) != keys:
        table.set_row_order(keys)


class Pane(Vertical):
    """A pane of the workstation: ``show`` pushes the latest state down."""

    def show(self, state: PortfolioState, now_ms: int) -> None:  # pragma: no cover
        raise NotImplementedError

    @property
    def table(self) -> LiveTable:
        return self.query(LiveTable).first()

    def focus_main(self) -> None:
        """Focus what the keyboard should reach first when the pane is shown."""
        self.table.focus()


class AccountsPane(Pane):
    def __init__(self, stale_after_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stale_after_s = stale_after_s
        self.view = View()

    def compose(self) -> ComposeResult:
        yield LiveTable(
            columns.accounts_columns(self.stale_after_s),
            id="accounts-table",
            sort_on_header_click=False,
        )
        yield Static("", id="accounts-status", classes="pane-status")

    def show(self, state: PortfolioState, now_ms: int) -> None:
        rows = portfolio_rows(state, self.view, now_ms, int(self.stale_after_s * 1000))
        sync_rows(self.table, rows)
        detail = sum(1 for key, _, _ in rows if key.startswith(("bal|", "pos|")))
        group = "account" if self.view.group == GROUP_ACCOUNT else "asset"
        sort = (
            f"{self.view.sort} {'▼' if self.view.reverse else '▲'}"
            if self.view.sort
            else "by group"
        )
        filt = f"  filter: {self.view.filter}" if self.view.filter else ""
        self.query_one("#accounts-status", Static).update(
            f"{detail} rows · grouped by {group} · sorted {sort}{filt}"
        )

    def set_view(self, view: View, state: PortfolioState, now_ms: int) -> None:
        self.view = view
        self.table.sort_by(view.sort, view.reverse, apply=False)
        self.show(state, now_ms)


def _order_row(o: Order, now_ms: int) -> Row:
    return (
        f"{o.account}|{o.client_id or o.id}",
        {
            "account": o.account,
            "symbol": o.symbol,
            "side": o.side.value,
            "type": o.type.value.replace("_", " "),
            "price": o.price,
            "stop": o.stop_price,
            "amount": o.amount,
            "filled": o.filled,
            "status": o.status.value,
            "client_id": o.client_id,
            "age": (now_ms - o.created_at) / 1000 if o.created_at else None,
        },
        None,
    )


class OrdersPane(Pane):
    """Open orders across accounts above, the latest fills below."""

    def compose(self) -> ComposeResult:
        yield Static("Open orders", classes="pane-title")
        yield LiveTable(columns.ORDERS, id="orders-table")
        yield Static("Recent fills", classes="pane-title")
        yield LiveTable(columns.FILLS, id="fills-table")

    def show(self, state: PortfolioState, now_ms: int) -> None:
        open_orders = sorted(state.open_orders(), key=lambda o: (o.account, o.symbol, o.created_at))
        sync_rows(
            self.query_one("#orders-table", LiveTable), [_order_row(o, now_ms) for o in open_orders]
        )
        fills = [
            (
                f"{f.account}|{f.id}",
                {
                    "time": datetime.fromtimestamp(f.timestamp / 1000, UTC).strftime("%H:%M:%S"),
                    "account": f.account,
                    "symbol": f.symbol,
                    "side": f.side.value,
                    "price": f.price,
                    "amount": f.amount,
                    "fee": f.fee,
                    "liquidity": "taker" if f.taker else "maker",
                    "rpnl": f.realized_pnl or None,
                },
                None,
            )
            for f in reversed(state.fills)
        ]
        sync_rows(self.query_one("#fills-table", LiveTable), fills)


class MarketPane(Pane):
    def compose(self) -> ComposeResult:
        yield LiveTable(columns.MARKET, id="market-table")

    def show(self, state: PortfolioState, now_ms: int) -> None:
        rows = [
            (
                f"{t.exchange}|{t.symbol}",
                {
                    "exchange": t.exchange,
                    "symbol": t.symbol,
                    "last": t.last,
                    "bid": t.bid,
                    "ask": t.ask,
                    "chg24": t.change_pct,
                    "high": t.high,
                    "low": t.low,
                    "qvol": t.quote_volume,
                    "age": (now_ms - t.timestamp) / 1000,
                },
                None,
            )
            for t in sorted(state.tickers.values(), key=lambda t: (t.exchange, t.symbol))
        ]
        sync_rows(self.table, rows)


class HealthPane(Pane):
    """Per poller: last success, latency, errors, last error, backoff. Below, when live
    exchanges are configured, each shared rate-limit budget: used/limit and share, pause,
    waiting requests (from the ``limit:<exchange>`` health records, which are not pollers)."""

    DEFAULT_CSS = """
    HealthPane #limits-title { display: none; }
    HealthPane #limits-table { display: none; height: auto; max-height: 6; }
    HealthPane.-limits #limits-title, HealthPane.-limits #limits-table { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield LiveTable(columns.HEALTH, id="health-table")
        yield Static("Rate limits", id="limits-title", classes="pane-title")
        yield LiveTable(LIMIT_COLUMNS, id="limits-table")
        yield Static("", id="health-status", classes="pane-status")

    def show(self, state: PortfolioState, now_ms: int) -> None:
        records = sorted(state.health.values(), key=lambda h: h.key)
        pollers = [h for h in records if not is_limit(h)]
        limits = [limit_view(h) for h in records if is_limit(h)]
        sync_rows(self.table, (_poller_row(h, now_ms) for h in pollers))
        sync_rows(self.query_one("#limits-table", LiveTable), map(_limit_row, limits))
        self.set_class(bool(limits), "-limits")
        failing = sum(h.state.value in ("backoff", "stopped") for h in pollers)
        if pollers:
            text = f"{_count(len(pollers), 'poller')} · {failing} failing"
        else:
            text = "no pollers have run yet"
        if limits:
            paused = sum(v.paused_s > 0 for v in limits)
            text += f" · {_count(len(limits), 'rate limit')}" + (
                f", {paused} paused" if paused else ""
            )
        self.query_one("#health-status", Static).update(text)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _poller_row(h, now_ms: int) -> Row:
    return (
        h.key,
        {
            "poller": h.key,
            "state": h.state.value,
            "last_ok": (now_ms - h.last_success) / 1000 if h.last_success else None,
            "latency": h.latency_ms,
            "errors": h.error_count,
            "streak": h.consecutive_errors,
            "backoff": h.backoff_s or None,
            "last_error": h.last_error,
        },
        {"stopped": "stale", "backoff": None}.get(h.state.value),
    )


def _share(fraction: float) -> tuple[str, str | None]:
    """Budget use: amber from 75%, red from 90% (the limiter queues requests near 95%)."""
    style = "negative" if fraction >= 0.9 else "warning" if fraction >= 0.75 else None
    return f"{fraction:.0%}", style


def _paused(seconds: float) -> tuple[str, str | None]:
    return f"{seconds:.0f}s", "negative"


LIMIT_COLUMNS = (
    Column("exchange", "Exchange", min_width=8, max_width=28),
    Column("used", "Used / limit", min_width=12, max_width=28, align="right"),
    Column("share", "Use", width=5, numeric=True, formatter=_share, flash=False),
    Column("paused", "Paused", width=7, numeric=True, formatter=_paused, flash=False),
    Column("waiting", "Waiting", min_width=7, max_width=16, align="right", priority=1),
    Column("note", "Why paused", min_width=10, max_width=60, priority=2),
)


def _limit_row(v: LimitView) -> Row:
    used = (
        f"{format_number(v.used, 0)}/{format_number(v.limit, 0)} {v.unit}"
        if v.used is not None and v.limit is not None
        else "no IP budget"
    )
    orders = f" ({v.waiting_orders} orders)" if v.waiting_orders else ""
    values = {
        "exchange": v.exchange,
        "used": used,
        "share": v.fraction,
        "paused": v.paused_s or None,
        "waiting": f"{v.waiting}{orders}",
        "note": v.note,
    }
    return v.key, values, None
