"""Small keyboard dialogs of the chart pane: a fuzzy symbol picker, a form (indicators,
a line's price and label) that shows input errors inline, and a menu of actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

CSS = (Path(__file__).parent / "chart_pane.tcss").read_text()
MAX_SHOWN = 200


class SymbolPicker(ModalScreen[tuple[str, str] | None]):
    """Type to filter (fuzzy), up/down to choose, Enter to open, Esc to cancel."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
    ]

    def __init__(self, markets: Sequence[tuple[str, str, str]], current: tuple[str, str]) -> None:
        """``markets``: (exchange, symbol, note) -- note e.g. 'stored 1h, 1m'."""
        super().__init__()
        self.markets = list(markets)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="chart-dialog", id="picker-box"):
            yield Static("Open chart: type part of a symbol or exchange", classes="dialog-title")
            yield Input(placeholder="e.g. btc, eur usd, binance eth", id="picker-input")
            yield OptionList(id="picker-list")
            yield Static("↑↓ choose · Enter open · Esc cancel", classes="dialog-help")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-input", Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        if query.strip():
            matcher = Matcher(query.strip())
            scored = []
            for ex, sym, note in self.markets:
                score = matcher.match(f"{sym} {ex}")
                if score > 0:
                    scored.append((-score, sym, ex, note, matcher))
            scored.sort(key=lambda s: s[:3])
            rows = [(ex, sym, note, m) for _, sym, ex, note, m in scored[:MAX_SHOWN]]
        else:
            rows = [(ex, sym, note, None) for ex, sym, note in self.markets[:MAX_SHOWN]]
        for ex, sym, note, m in rows:
            label = m.highlight(f"{sym} {ex}") if m else f"{sym} {ex}"
            options.add_option(Option(_with_note(label, note), id=f"{ex}\x1f{sym}"))
        if rows:
            keys = [(ex, sym) for ex, sym, _, _ in rows]
            options.highlighted = keys.index(self.current) if self.current in keys else 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None and options.option_count:
            self._pick(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id:
            ex, sym = option_id.split("\x1f", 1)
            self.dismiss((ex, sym))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _with_note(label, note: str) -> Content:
    base = label if isinstance(label, Content) else Content(label)
    return base + Content.styled(f"  {note}", "dim") if note else base


class FormScreen(ModalScreen[dict | None]):
    """One or more text fields. Enter moves to the next field, and on the last one checks
    the values with ``validate`` (returns an error message or None): an error stays on
    screen under the fields; a good form closes with the values. Esc cancels."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        fields: Sequence[tuple[str, str, str]],
        validate: Callable[[dict], str | None] | None = None,
        help_text: str = "",
    ) -> None:
        """``fields``: (name, label, initial value)."""
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.validate = validate
        self.help_text = help_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="chart-dialog", id="form-box"):
            yield Static(self.title_text, classes="dialog-title")
            for name, label, value in self.fields:
                yield Static(label, classes="field-label")
                yield Input(value=value, id=f"field-{name}")
            yield Static("", id="form-error")
            yield Static(
                (self.help_text + "\n" if self.help_text else "") + "Enter accept · Esc cancel",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0][0]}", Input).focus()

    def values(self) -> dict:
        return {n: self.query_one(f"#field-{n}", Input).value for n, _, _ in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = [n for n, _, _ in self.fields]
        i = names.index(event.input.id.removeprefix("field-"))
        if i < len(names) - 1:
            self.query_one(f"#field-{names[i + 1]}", Input).focus()
            return
        values = self.values()
        error = self.validate(values) if self.validate else None
        if error:
            self.query_one("#form-error", Static).update(error)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MenuScreen(ModalScreen[str | None]):
    """Pick one action: ``choices`` are (id, text). Enter picks, Esc cancels."""

    DEFAULT_CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="chart-dialog", id="menu-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(
                *(Option(Content(text), id=cid) for cid, text in self.choices), id="menu"
            )
            yield Static("↑↓ choose · Enter do it · Esc cancel", classes="dialog-help")

    def on_mount(self) -> None:
        menu = self.query_one("#menu", OptionList)
        menu.highlighted = 0
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
