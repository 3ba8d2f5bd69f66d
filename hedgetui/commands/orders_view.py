"""How ``hedgetui orders`` prints previews, statuses and reconciliation results (rich)."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hedgetui.runtime.preview import Preview, PreviewRow

STATUS_STYLE = {
    "ready": "green",
    "blocked": "bold red",
    "skipped": "red",
    "open": "green",
    "filled": "bold green",
    "done": "green",
    "rejected": "bold red",
    "unknown": "bold yellow",
    "failed": "bold red",
    "warning": "yellow",
    "info": "dim",
}


def console() -> Console:
    c = Console(highlight=False)
    if not c.is_terminal:  # piped or redirected: don't squeeze into 80 columns
        c = Console(width=160, highlight=False)
    return c


def num(value: Decimal | None, places: int | None = None) -> str:
    if value is None:
        return "-"
    if places is not None:
        return f"{value.quantize(Decimal(1).scaleb(-places)):,}"
    text = f"{value.normalize():,f}"
    return text


def order_cells(r: PreviewRow) -> list[str]:
    o = r.order
    req = o.request
    price = req.price if req.price is not None else req.stop_price
    kind = req.type.value.replace("_", " ")
    if req.type.is_stop and req.stop_price is not None:
        kind += f" {num(req.stop_price)}"
    flags = [f for f, on in (("post", req.post_only), ("reduce", req.reduce_only)) if on]
    if r.is_close:
        flags.append("close")
    return [
        r.account or "",
        ("" if r.is_paper else "LIVE ") + req.symbol,
        req.side.value,
        kind + (f" ({','.join(flags)})" if flags else ""),
        num(req.amount),
        num(price) if price is not None else "mkt",
        num(o.notional, 2),
        num(r.fee, 4) if r.fee is not None else "-",
        f"{num(r.balance_after, 2)} {r.balance_asset}" if r.balance_after is not None else "-",
    ]


def preview_table(preview: Preview, title: str = "Preview") -> Table:
    table = Table(title=title, title_justify="left")
    for col, just in (
        ("ln", "right"),
        ("account", "left"),
        ("symbol", "left"),
        ("side", "left"),
        ("type", "left"),
        ("amount", "right"),
        ("price", "right"),
        ("notional", "right"),
        ("fee", "right"),
        ("bal after", "right"),
        ("status", "left"),
    ):
        table.add_column(col, justify=just)
    for r in preview.rows:
        status = Text(r.status, style=STATUS_STYLE.get(r.status, ""))
        if r.message:
            status.append(f" {r.message}", style="dim" if not r.blocked else "red")
        if r.kind == "order":
            table.add_row(str(r.line), *order_cells(r), status)
        elif r.kind == "cancel":
            c = r.cancel
            what = f"cancel {c.side.value + ' ' if c.side else ''}{c.symbol or 'all'}"
            table.add_row(str(r.line), r.account, "", "", what, "", "", "", "", "", status)
        else:
            table.add_row(str(r.line), r.account or "", "", "", "", "", "", "", "", "", status)
    return table


def summary_line(preview: Preview) -> str:
    orders = preview.order_rows
    blocked = sum(r.blocked for r in preview.action_rows)
    parts = [
        f"{len(orders)} order(s)",
        f"{len(preview.action_rows) - len(orders)} cancel(s)",
        f"notional {num(preview.total_notional, 2)}",
    ]
    if preview.live_accounts:
        parts.append(f"LIVE {num(preview.live_notional, 2)} on {', '.join(preview.live_accounts)}")
    else:
        parts.append("paper only")
    if blocked:
        parts.append(f"{blocked} blocked")
    return " · ".join(parts)


def status_line(r: PreviewRow) -> str:
    if r.kind == "cancel":
        return f"  {r.account:<10} {r.key:<24} {r.status} {r.message}"
    req = r.order.request
    price = f" @ {num(req.price)}" if req.price is not None else ""
    oid = f" #{r.order_id}" if r.order_id else ""
    msg = f" — {r.message}" if r.message else ""
    return (
        f"  {r.account:<10} {req.side.value} {num(req.amount)} {req.symbol}{price}: "
        f"{r.status}{oid} ({r.key}){msg}"
    )


def reconcile_table(results, title: str = "Reconciled order journal") -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("client id", "account", "order", "was", "now", "outcome"):
        table.add_column(col)
    for r in results:
        req = r.entry.request
        price = f" @ {num(req.price)}" if req.price is not None else ""
        style = STATUS_STYLE.get(r.status.value, "")
        table.add_row(
            r.entry.client_id,
            r.entry.account,
            f"{req.side.value} {num(req.amount)} {req.symbol}{price}",
            r.entry.status.value,
            Text(r.status.value, style=style),
            r.message,
        )
    return table
