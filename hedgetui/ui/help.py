"""``?``: every key the workstation answers to."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _, _ in self.rows)
        lines = [
            f"[b]{k:<{width}}[/b]  {desc}  [dim]({scope})[/dim]" for k, desc, scope in self.rows
        ]
        with VerticalScroll(id="help-box"):
            yield Static("[b]Keys[/b]   (Esc closes)\n\n" + "\n".join(lines), id="help-text")

    def action_dismiss(self) -> None:
        self.dismiss(None)
