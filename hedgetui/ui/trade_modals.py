"""Modals of the trade pane: send confirmation, kill switch, template name, template list."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Static


class _Modal(ModalScreen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    _Modal, ConfirmSend, KillSwitch, TemplateName, TemplatePicker { align: center middle; }
    .trade-modal { width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1; }
    .trade-modal Static { width: 100%; }
    .trade-modal OptionList { height: auto; max-height: 12; }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmSend(_Modal):
    """Type what the confirmation expects (``y``, ``CONFIRM`` or the notional)."""

    def __init__(self, summary: str, confirm) -> None:
        super().__init__()
        self.summary = summary
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="trade-modal", id="confirm-box"):
            yield Static(self.summary, id="confirm-summary")
            yield Static(self.confirm.prompt + " — Enter sends, Esc cancels", id="confirm-prompt")
            yield Input(placeholder=self.confirm.expected, id="confirm-input")
            yield Static("", id="confirm-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.confirm.accepts(event.value):
            self.dismiss(True)
        else:
            self.query_one("#confirm-error", Static).update(
                f"[red]type {self.confirm.expected} to send (Esc cancels)"
            )


class KillSwitch(_Modal):
    """Scope (an account, @tag or all) and whether to flatten positions too."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def compose(self) -> ComposeResult:
        with Vertical(classes="trade-modal", id="kill-box"):
            yield Static("[b red]KILL SWITCH[/]: cancel every open order on")
            yield Input(value=self.scope, placeholder="account, @tag, a,b or all", id="kill-scope")
            yield Checkbox("also flatten perp positions at market", id="kill-flatten")
            yield Static("Enter in the scope box confirms · Esc cancels", id="kill-help")

    def on_mount(self) -> None:
        self.query_one("#kill-scope", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        flatten = self.query_one("#kill-flatten", Checkbox).value
        self.dismiss((event.value.strip(), flatten))


class TemplateName(_Modal):
    def compose(self) -> ComposeResult:
        with Vertical(classes="trade-modal"):
            yield Static("Save the batch as template (Enter saves, Esc cancels):")
            yield Input(placeholder="name, e.g. btc-ladder", id="template-name")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())


class TemplatePicker(_Modal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("d", "delete", "Delete"),
    ]

    def __init__(self, templates) -> None:
        super().__init__()
        self.templates = list(templates)

    def compose(self) -> ComposeResult:
        with Vertical(classes="trade-modal"):
            yield Static("Templates — Enter loads into the order line, d deletes, Esc closes")
            yield OptionList(
                *(f"{t.name}  {t.text.strip().splitlines()[0][:50]}" for t in self.templates),
                id="template-list",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(("load", self.templates[event.option_index]))

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(("delete", self.templates[index]))
