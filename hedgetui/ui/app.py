"""The workstation app: panes switched by number keys, fed from the store.

The app owns no trading logic. In normal mode it opens the store and starts the
:class:`~hedgetui.runtime.engine.Runtime` (the pollers) inside its own event loop; with
``attach`` it opens the store read-only and only watches it. Quitting stops the pollers and
flushes the writer before the app exits.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, TabbedContent, TabPane

from hedgetui.config import Config
from hedgetui.domain.clock import Clock, SystemClock
from hedgetui.store import Store
from hedgetui.ui import columns
from hedgetui.ui.feed import StoreFeed
from hedgetui.ui.header import AccountsBar
from hedgetui.ui.help import HelpScreen, binding_rows, pane_rows
from hedgetui.ui.panes import AccountsPane, Pane
from hedgetui.ui.portfolio import GROUP_ACCOUNT, GROUP_ASSET, PortfolioState
from hedgetui.ui.registry import PaneSpec, all_panes

log = logging.getLogger(__name__)


class HedgeApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "hedgetui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pane_number(1)", "Accounts"),
        Binding("2", "pane_number(2)", "Orders"),
        Binding("3", "pane_number(3)", "Market"),
        Binding("4", "pane_number(4)", "Health"),
        *(Binding(str(n), f"pane_number({n})", f"Pane {n}", show=False) for n in range(5, 10)),
        Binding("slash", "filter", "Filter"),
        Binding("b", "toggle_group", "Group"),
        Binding("s", "sort_next", "Sort"),
        Binding("S", "sort_reverse", "Reverse", key_display="S"),
        # F1 too: "?" is a character in the order line and the filter box
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    # what "?" says about the keys above (ui/help.py)
    HELP_GROUPS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (("filter",), "filter rows: text, @tag, account:NAME, asset:BTC"),
        (("toggle_group",), "accounts table: group by account / by asset"),
        (("sort_next",), "accounts table: sort by the next column"),
        (("sort_reverse",), "accounts table: reverse the sort"),
        (("help",), "this list"),
        (("quit",), "quit (stops the pollers, saves everything)"),
        (("clear_filter",), "clear the filter"),
    )

    def __init__(
        self,
        config: Config,
        *,
        db_path: Path | None = None,
        attach: bool = False,
        clock: Clock | None = None,
        runtime_factory=None,
        panes: list[PaneSpec] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.db_path = db_path or config.resolved_db_path()
        self.attach = attach
        self.clock = clock or SystemClock()
        self.runtime_factory = runtime_factory
        self.pane_specs = panes if panes is not None else all_panes()
        self.state = PortfolioState()
        self.store: Store | None = None
        self.runtime = None
        self.feed: StoreFeed | None = None
        self._feed_task: asyncio.Task | None = None
        self.stale_after_s = config.ui.stale_after
        self._shutting_down = False
        self._quit_task: asyncio.Task | None = None
        self._runtime_stopped = False
        self.theme = config.ui.theme if config.ui.theme in self.available_themes else self.theme

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # held, not queried: queries search the top screen, which may be a dialog
        self._bar = AccountsBar(id="accounts-bar")
        self._tabs = TabbedContent(id="panes", initial="accounts")
        yield self._bar
        with self._tabs:
            for number, spec in enumerate(self.pane_specs, 1):
                with TabPane(f"{number} {spec.title}", id=spec.id):
                    yield spec.factory(self)
        yield Input(
            placeholder="filter: text, @tag, account:NAME, asset:BTC — Enter applies, Esc clears",
            id="filter",
        )
        yield Footer()

    async def on_mount(self) -> None:
        self._bar.attach = self.attach
        self.accounts_pane.table.focus()
        self.start_engine()
        self.set_interval(1.0, self._tick)  # ages move even when no data arrives

    @work(exclusive=True, group="engine")
    async def start_engine(self) -> None:
        self.store = await Store.open(self.db_path, readonly=self.attach)
        if not self.attach:
            from hedgetui.runtime.engine import Runtime

            factory = self.runtime_factory or Runtime
            self.runtime = factory(config=self.config, store=self.store, clock=self.clock)
            await self.runtime.start()
        # Start-up objects live as long as the app: keep full collections from walking them
        # (bench/bench_table.py: ~50 ms GC pauses otherwise break the frame budget).
        gc.freeze()
        self.feed = StoreFeed(self.store, self._on_changes)
        # a plain task, not a worker: shutdown must be able to stop it and wait for it
        # before closing the store it reads
        self._feed_task = asyncio.create_task(self.feed.run(), name="store feed")

    def _screen_gone(self) -> bool:
        """Quitting, or Textual is tearing the screens down (``is_running`` turns False
        first): pushing data now would query widgets already pruned."""
        return self._shutting_down or not self.is_running

    def _on_changes(self, changes) -> None:
        kinds = self.state.apply(changes)
        if self._screen_gone():
            return  # the state is kept for whoever asks
        if "accounts" in kinds or "health" in kinds:
            self._bar.show(self.state)
        self._show_panes()

    def _tick(self) -> None:
        self._show_panes()

    def _show_panes(self) -> None:
        if self._screen_gone():
            return
        now = self.clock.now_ms()
        active = self._tabs.active
        for pane in self._tabs.query(Pane):
            if not pane.is_mounted:  # its children are not composed yet: first data races it
                continue
            # hidden panes catch up when they are shown; the accounts table always runs
            if pane.id == f"{active}-pane" or pane.id == "accounts-pane":
                pane.show(self.state, now)

    # -- actions -------------------------------------------------------------------------

    def action_pane_number(self, number: int) -> None:
        if number <= len(self.pane_specs):
            self.action_pane(self.pane_specs[number - 1].id)

    def action_pane(self, pane: str) -> None:
        self._tabs.active = pane
        self._show_panes()
        self._tabs.query_one(f"#{pane}-pane", Pane).focus_main()

    @property
    def accounts_pane(self) -> AccountsPane:
        return self._tabs.query_one(AccountsPane)

    def _set_view(self, **changes) -> None:
        from dataclasses import replace

        pane = self.accounts_pane
        pane.set_view(replace(pane.view, **changes), self.state, self.clock.now_ms())

    def action_toggle_group(self) -> None:
        group = GROUP_ASSET if self.accounts_pane.view.group == GROUP_ACCOUNT else GROUP_ACCOUNT
        self._set_view(group=group)

    def action_sort_next(self) -> None:
        keys = [c.key for c in columns.ACCOUNTS]
        current = self.accounts_pane.view.sort
        nxt = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self.action_sort_by(nxt)

    def action_sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = column in ("value", "upnl", "rpnl", "total", "chg24")
        self._set_view(sort=column, reverse=reverse)

    def action_sort_reverse(self) -> None:
        self._set_view(reverse=not self.accounts_pane.view.reverse)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.accounts_pane.view.filter
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.apply_filter(event.value.strip())
            event.input.display = False
            self.accounts_pane.table.focus()

    def apply_filter(self, text: str) -> None:
        self._set_view(filter=text)
        for pane in self._tabs.query(Pane):
            if pane.id != "accounts-pane":
                for table in pane.query("LiveTable"):
                    table.set_filter(text)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        if self.accounts_pane.view.filter:
            self.apply_filter("")
        self.accounts_pane.table.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """The active pane's keys first (what the trader is looking at), then the app's."""
        rows = []
        active = self._tabs.active
        for spec in self.pane_specs:
            if spec.id == active:
                pane = self._tabs.query_one(f"#{spec.id}-pane", Pane)
                rows += pane_rows(pane, Pane, f"{spec.title} pane")
        count = min(len(self.pane_specs), 9)
        rows.append((f"1-{count}", "show pane N (the number on its tab)", "Everywhere"))
        app_keys = [
            b
            for b in self.BINDINGS
            if isinstance(b, Binding) and not b.action.startswith("pane_number")
        ]
        rows += binding_rows(app_keys, "Everywhere", self.HELP_GROUPS)
        rows += [
            ("Ctrl+P", "command palette: every action by name", "Everywhere"),
            ("Tab / Shift+Tab", "move focus", "Everywhere"),
            ("Enter", "apply the filter", "Filter box"),
            ("j / ↓", "cursor down", "Tables"),
            ("k / ↑", "cursor up", "Tables"),
            ("g / Home", "first row", "Tables"),
            ("G / End", "last row", "Tables"),
            ("PgUp / PgDn", "page up / down", "Tables"),
        ]
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for number, spec in enumerate(self.pane_specs, 1):
            yield SystemCommand(
                f"Show {spec.title}",
                f"Switch to the {spec.title} pane (key {number})",
                lambda p=spec.id: self.action_pane(p),
            )
        yield SystemCommand(
            "Group by account / asset",
            "Toggle the accounts table grouping",
            self.action_toggle_group,
        )
        for col in columns.ACCOUNTS:
            yield SystemCommand(
                f"Sort by {col.label}",
                f"Sort the accounts table by {col.key}",
                lambda c=col.key: self.action_sort_by(c),
            )
        yield SystemCommand(
            "Sort: reverse direction", "Flip the sort order", self.action_sort_reverse
        )
        yield SystemCommand(
            "Filter rows", "Filter the tables by text, @tag or account:NAME", self.action_filter
        )
        yield SystemCommand("Clear filter", "Show every row again", self.action_clear_filter)
        yield SystemCommand("Help: keys", "List every key", self.action_help)

    async def shutdown(self) -> None:
        """Stop the feed and the pollers, flush the writer, close the store. Each step is
        idempotent, so a shutdown interrupted by Textual's teardown can be completed."""
        self._shutting_down = True
        if self.feed is not None and self._feed_task is not None and not self._feed_task.done():
            self.feed.stop()  # it must not read from a store being closed
            try:
                await asyncio.wait_for(self._feed_task, 5)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the store feed did not stop in time")
        if self.runtime is not None and not self._runtime_stopped:
            await self.runtime.stop()
            self._runtime_stopped = True
        if self.store is not None:
            await self.store.close()

    def action_quit(self) -> None:
        # Stop pollers, flush and close the store while the app still runs (Textual's
        # teardown may cancel unmount handlers before a slow flush completes); outside the
        # key handler, so the app keeps processing messages meanwhile.
        if self._quit_task is None:
            self._quit_task = asyncio.create_task(self._quit(), name="quit")

    async def _quit(self) -> None:
        try:
            await self.shutdown()
        finally:
            self.exit()

    async def on_unmount(self) -> None:
        # quitting (q, Ctrl+C, the palette) ends here: stop pollers, flush, close
        await self.shutdown()
