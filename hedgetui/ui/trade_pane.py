"""The Trade pane: type a batch in the order language, preview it, confirm, watch it go.

Keys: Enter (order line) previews · ctrl+s sends the preview (a confirmation modal; live
and large batches need more typing) · r retries the failed row under the cursor (same
client id, checked on the exchange first) · ctrl+k kill switch · ctrl+t / ctrl+o save /
open a template · Esc switches between the order line and the grid. Several statements: separate them with ';'.
Right arrow accepts the grey completion (symbols, accounts, @tags, keywords).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from hedgetui.domain.orderlang import ParseError
from hedgetui.ui.panes import Pane
from hedgetui.ui.registry import PaneSpec
from hedgetui.ui.trade_modals import ConfirmSend, KillSwitch, TemplateName, TemplatePicker
from hedgetui.ui.trade_suggest import KEYWORDS, OrderSuggester
from hedgetui.ui.widgets.live_table import LiveTable
from hedgetui.ui.widgets.live_table_columns import Column

STATUS_TOKEN = {
    "ready": "positive",
    "open": "positive",
    "filled": "positive",
    "done": "positive",
    "blocked": "negative",
    "rejected": "negative",
    "failed": "negative",
    "skipped": "muted",
    "unknown": "warning",
    "warning": "warning",
    "sending": "warning",
    "queued": "muted",
    "info": "muted",
}
COLUMNS = (
    Column("account", "Account", max_width=10),
    Column("symbol", "Symbol", max_width=14),
    Column("side", "Side", max_width=4),
    Column("amount", "Amount", align="right", max_width=12),
    Column("price", "Price", align="right", max_width=11, priority=1),
    Column("notional", "Notional", align="right", max_width=11, priority=2),
    Column("fee", "Fee", align="right", max_width=8, priority=4),
    Column("after", "Bal after", align="right", max_width=14, priority=3),
    Column(
        "status",
        "Status",
        min_width=8,
        formatter=lambda v: (v, STATUS_TOKEN.get(v.split(" ")[0].rstrip(":"))),
    ),
)


def _num(x, places: int | None = None) -> str:
    if x is None:
        return "-"
    if places is not None:
        return f"{x.quantize(type(x)(1).scaleb(-places)):,}"
    return f"{x.normalize():,f}"


def row_values(r) -> dict[str, Any]:
    status = r.status + (f": {r.message}" if r.message else "")
    if r.order_id:
        status = f"{r.status} #{r.order_id}" + (f": {r.message}" if r.message else "")
    if r.kind == "order":
        req = r.order.request
        price = req.price if req.price is not None else req.stop_price
        return {
            "account": r.account,
            "symbol": ("" if r.is_paper else "LIVE ") + req.symbol,
            "side": req.side.value,
            "amount": _num(req.amount),
            "price": _num(price) if price is not None else "mkt",
            "notional": _num(r.order.notional, 2),
            "fee": _num(r.fee, 2),
            "after": _num(r.balance_after, 2),
            "status": status,
        }
    if r.kind == "cancel":
        c = r.cancel
        what = f"cancel {c.side.value + ' ' if c.side else ''}{c.symbol or 'all'}"
        return {"account": r.account, "symbol": what, "status": status}
    return {"account": r.account or "", "symbol": f"line {r.line}", "status": status}


class TradePane(Pane):
    DEFAULT_CSS = Path(__file__).with_name("trade_pane.tcss").read_text(encoding="utf-8")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", show=True),
        Binding("r", "retry", "Retry row", show=True),
        # priority: also from the order line, whose Input binds ctrl+k to "delete to the end"
        Binding("ctrl+k", "kill", "Kill switch", show=True, priority=True),
        Binding("ctrl+t", "save_template", "Save tpl", show=True),
        Binding("ctrl+o", "open_template", "Open tpl", show=True),
        Binding("escape", "toggle_focus", "Line/grid", show=False),
    ]

    def __init__(self, app, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hedge = app
        self.preview = None
        self.busy = False
        self._shown_reconcile = False

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="buy 1000usdt BTC/USDT @ 94000..92000 x5 on main,alt  (Enter: preview)",
            suggester=OrderSuggester(self._words),
            id="trade-input",
        )
        yield LiveTable(COLUMNS, id="trade-grid", sort_on_header_click=False)
        yield Static(self._idle_text(), id="trade-status", classes="pane-status")

    # -- helpers -------------------------------------------------------------------------

    @property
    def executor(self):
        runtime = self.hedge.runtime
        return runtime.services.get("executor") if runtime is not None else None

    def _idle_text(self) -> str:
        if self.hedge.attach:
            return (
                "read-only (--attach): orders can only be sent by a session that owns the database"
            )
        return "Enter previews · ctrl+s sends · ; separates statements · → accepts completion"

    def _say(self, text: str) -> None:
        self.query_one("#trade-status", Static).update(text)

    def _words(self) -> list[str]:
        state = self.hedge.state
        words = list(KEYWORDS)
        words += [a.name for a in self.hedge.config.accounts]
        words += sorted({f"@{t}" for a in self.hedge.config.accounts for t in a.tags})
        words += sorted({s for _, s in state.tickers})
        return words

    def _ready(self) -> bool:
        if self.executor is None:
            self._say(
                "[red]orders are disabled here: "
                + (
                    "this session is attached read-only (--attach)"
                    if self.hedge.attach
                    else "the runtime is still starting"
                )
            )
            return False
        if self.busy:
            self._say("busy: wait for the current action to finish")
            return False
        return True

    def focus_main(self) -> None:
        self.query_one("#trade-input", Input).focus()

    def show(self, state, now_ms: int) -> None:
        ex = self.executor
        if ex is not None and not self._shown_reconcile and ex.reconcile_done.is_set():
            self._shown_reconcile = True
            changed = [r for r in ex.reconciled if r.changed]
            if changed and self.preview is None:
                self._say(
                    f"reconciled after restart: {len(changed)} journaled order(s) updated — "
                    + ", ".join(f"{r.entry.client_id} {r.status.value}" for r in changed[:4])
                )

    # -- preview -------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "trade-input":
            return
        event.stop()
        if event.value.strip() and self._ready():
            self.run_worker(self._preview(event.value), exclusive=True, group="trade")

    async def _preview(self, text: str) -> None:
        self.busy = True
        try:
            self.preview = await self.executor.preview(text)
        except ParseError as exc:
            self._say(f"[red]{exc}[/]\n{exc.source_line}\n{' ' * (exc.col - 1)}^")
            return
        finally:
            self.busy = False
        self._fill()
        grid = self.query_one("#trade-grid", LiveTable)
        grid.focus()
        p = self.preview
        blocked = sum(r.blocked for r in p.action_rows)
        live = f"LIVE {_num(p.live_notional, 2)}" if p.live_accounts else "paper"
        self._say(
            f"{len(p.order_rows)} orders · notional {_num(p.total_notional, 2)} · {live}"
            + (f" · [red]{blocked} blocked[/]" if blocked else "")
            + " — ctrl+s sends, Esc edits"
        )

    def _fill(self) -> None:
        grid = self.query_one("#trade-grid", LiveTable)
        grid.set_rows(
            (r.key, row_values(r), "dim" if r.status in ("info", "skipped") else None)
            for r in self.preview.rows
        )

    def _update_row(self, row) -> None:
        grid = self.query_one("#trade-grid", LiveTable)
        grid.update_cells(row.key, row_values(row))

    # -- actions -------------------------------------------------------------------------

    def action_toggle_focus(self) -> None:
        """Esc: from the order line to the grid (where q, 1-9, r work) and back."""
        box = self.query_one("#trade-input", Input)
        if box.has_focus:
            self.query_one("#trade-grid", LiveTable).focus()
        else:
            box.focus()

    def action_send(self) -> None:
        p = self.preview
        if p is None or not self._ready():
            self._say("nothing to send: type a batch and press Enter to preview it")
            return
        if p.submitted:
            self._say("already sent: press Enter on the order line to preview again")
            return
        reasons = p.blocking_reasons()
        if reasons:
            self._say(f"[red]{len(reasons)} blocked row(s): fix the batch first[/] ({reasons[0]})")
            return
        summary = f"{len(p.order_rows)} orders, notional {_num(p.total_notional, 2)}" + (
            f", LIVE on {', '.join(p.live_accounts)}" if p.live_accounts else " (paper)"
        )

        def done(ok) -> None:
            if ok:
                self.run_worker(self._submit(), exclusive=True, group="trade")
            else:
                self._say("not sent")

        self.app.push_screen(ConfirmSend(summary, p.confirm), done)

    async def _submit(self) -> None:
        self.busy = True
        try:
            await self.executor.submit(self.preview, self._update_row)
        finally:
            self.busy = False
        counts: dict[str, int] = {}
        for r in self.preview.action_rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        self._say(
            "sent: "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            + " — r retries a failed row"
        )

    def action_retry(self) -> None:
        grid = self.query_one("#trade-grid", LiveTable)
        key = grid.cursor_key
        if self.preview is None or key is None or not self._ready():
            return
        row = self.preview.row(key)
        if row.status not in ("rejected", "unknown"):
            self._say(f"only a rejected or unknown order can be retried ({row.status})")
            return
        self.run_worker(self._retry(key), exclusive=True, group="trade")

    async def _retry(self, key: str) -> None:
        self.busy = True
        try:
            row = await self.executor.retry(self.preview, key, self._update_row)
            self._say(f"retry {key}: {row.status}")
        finally:
            self.busy = False

    def _selected_account(self) -> str:
        try:
            key = self.hedge.accounts_pane.table.cursor_key
        except Exception:
            key = None
        if (
            isinstance(key, str)
            and key.count("|") >= 1
            and key.split("|")[0]
            in (
                "bal",
                "pos",
                "sub",
            )
        ):
            name = key.split("|")[1]
            if name in self.hedge.config.account_names:
                return name
        return "all"

    def action_kill(self) -> None:
        if not self._ready():
            return

        def done(result) -> None:
            if result:
                self.run_worker(self._kill(*result), exclusive=True, group="trade")

        self.app.push_screen(KillSwitch(self._selected_account()), done)

    async def _kill(self, scope: str, flatten: bool) -> None:
        from hedgetui.domain.orderlang import parse, resolve_accounts

        try:
            stmt = parse(f"cancel all on {scope}").statements[0]
        except ParseError as exc:
            self._say(f"[red]scope: {exc.message}")
            return
        infos = {a.name: a.info() for a in self.hedge.config.accounts}
        names, problems = resolve_accounts(stmt.accounts, infos)
        if problems:
            self._say(f"[red]{problems[0][0]}")
            return
        self.busy = True
        try:
            results = await self.executor.cancel_all(names, flatten=flatten)
        finally:
            self.busy = False
        parts = [
            f"{r.account}: {len(r.canceled)} canceled"
            + (f", {len(r.flattened)} flattened" if r.flattened else "")
            + (f" [red]{r.errors[0]}[/]" if r.errors else "")
            for r in results
        ]
        self._say("kill switch: " + "; ".join(parts))

    def action_save_template(self) -> None:
        text = self.query_one("#trade-input", Input).value.strip()
        if not text or not self._ready():
            self._say("type a batch first, then ctrl+t saves it")
            return

        def done(name) -> None:
            if name:
                self.run_worker(self._save_template(name, text), group="trade-tpl")

        self.app.push_screen(TemplateName(), done)

    async def _save_template(self, name: str, text: str) -> None:
        try:
            saved = await self.executor.save_template(name, text)
        except (ParseError, ValueError) as exc:
            self._say(f"[red]not saved: {exc}")
            return
        self._say(f"saved template {saved.name}")

    def action_open_template(self) -> None:
        if self._ready():
            self.run_worker(self._open_template(), group="trade-tpl")

    async def _open_template(self) -> None:
        templates = await self.executor.list_templates()
        if not templates:
            self._say("no templates yet: type a batch and press ctrl+t to save one")
            return

        def done(result) -> None:
            if not result:
                return
            what, template = result
            if what == "load":
                box = self.query_one("#trade-input", Input)
                box.value = one_line(template.text)
                box.focus()
                self._say(f"template {template.name} loaded: edit it, Enter previews")
            else:
                self.run_worker(self.executor.delete_template(template.name), group="trade-tpl")
                self._say(f"deleted template {template.name}")

        self.app.push_screen(TemplatePicker(templates), done)


def one_line(text: str) -> str:
    """A multi-line batch as one order line: comments dropped, statements joined by ';'."""
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    return "; ".join(ln for ln in lines if ln)


PANE = PaneSpec("trade", "Trade", lambda app: TradePane(app, id="trade-pane"))
