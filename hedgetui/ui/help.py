"""``?``: every key the workstation answers to — the active pane's first, then the app's.

A pane's keys come from its ``BINDINGS`` (hidden ones too), so a key bound on a pane is
always listed. A pane may add ``HELP_GROUPS``: rows that explain several related bindings
at once with a longer text (e.g. the chart's "↑ ↓ / k j"); bindings in no group get a row
of their own with their ``description``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

HelpRow = tuple[str, str, str]  # keys as shown, what they do, where they work
# a pane's HELP_GROUPS: (the actions of the bindings explained together, the explanation)
HelpGroup = tuple[tuple[str, ...], str]

TEXT_WIDTH = 70  # inside the help box (76 wide in app.tcss: border, padding, scrollbar)
_NAMES = {"enter": "Enter", "pageup": "PgUp", "pagedown": "PgDn", "escape": "Esc"}


def key_label(key: str) -> str:
    """``ctrl+s`` → ``Ctrl+S``, ``question_mark`` → ``?``, ``shift+left`` → ``Shift+←``."""
    *modifiers, name = key.split("+")
    shown = _NAMES.get(name) or format_key(name)
    if len(shown) > 1 and shown.isascii():
        shown = shown.capitalize()  # esc → Esc, space → Space, end → End
    elif modifiers and len(name) == 1:
        shown = name.upper()  # Ctrl+S reads better than Ctrl+s
    return "+".join([*(m.capitalize() for m in modifiers), shown])


def binding_keys(bindings: Sequence[Binding]) -> str:
    """The keys of one or more bindings explained together: the first key of each, then
    their alternatives (``up,k`` + ``down,j`` → ``↑ ↓ / k j``)."""
    per_binding = [[key_label(k.strip()) for k in b.key.split(",")] for b in bindings]
    depth = max(len(keys) for keys in per_binding)
    columns = [[keys[i] for keys in per_binding if i < len(keys)] for i in range(depth)]
    return " / ".join(_shared_modifier(column) for column in columns)


def _shared_modifier(labels: list[str]) -> str:
    """``Shift+↑``, ``Shift+↓`` → ``Shift+↑ ↓``."""
    prefix = labels[0].rpartition("+")[0]
    if prefix and len(labels) > 1 and all(lb.rpartition("+")[0] == prefix for lb in labels):
        return " ".join([labels[0], *(lb.rpartition("+")[2] for lb in labels[1:])])
    return " ".join(labels)


def own_bindings(widget_class: type, stop: type) -> list[Binding]:
    """The bindings a widget class declares itself or inherits from classes below ``stop``
    (a subclass overriding a key wins, as in Textual)."""
    seen: set[str] = set()
    out: list[Binding] = []
    for cls in widget_class.__mro__:
        if cls is stop or not issubclass(cls, stop):
            continue  # mixins carry actions, not bindings; Textual's own classes stop here
        declared: Iterable[BindingType] = cls.__dict__.get("BINDINGS", ())
        for binding in declared:
            if not isinstance(binding, Binding):
                binding = Binding(*binding)
            if binding.key in seen or not binding.description:
                continue
            seen.add(binding.key)
            out.append(binding)
    return out


def binding_rows(
    bindings: Sequence[Binding], scope: str, groups: Sequence[HelpGroup] = ()
) -> list[HelpRow]:
    """One row per group and per binding in no group, in the order of the bindings."""
    by_action = {b.action: b for b in bindings}
    group_of = {action: g for g in groups for action in g[0] if action in by_action}
    rows: list[HelpRow] = []
    done: set[int] = set()
    for b in bindings:
        group = group_of.get(b.action)
        if group is None:
            rows.append((binding_keys([b]), b.description, scope))
        elif id(group) not in done:
            done.add(id(group))
            members = [by_action[a] for a in group[0] if a in by_action]
            rows.append((binding_keys(members), group[1], scope))
    return rows


def pane_rows(pane: object, pane_class: type, scope: str) -> list[HelpRow]:
    """The help rows of a pane: its bindings, grouped as its ``HELP_GROUPS`` says."""
    groups = getattr(pane, "HELP_GROUPS", ())
    return binding_rows(own_bindings(type(pane), pane_class), scope, groups)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, rows: list[HelpRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self.text(), id="help-text")

    def text(self) -> Content:
        """The rows under a heading per scope (in the order the scopes first appear); long
        descriptions wrap under themselves, not under the keys."""
        scopes = list(dict.fromkeys(scope for _, _, scope in self.rows))
        parts: list[Content | tuple[str, str] | str] = [("Keys", "bold"), "   (Esc closes)\n"]
        for scope in scopes:
            rows = [(k, d) for k, d, s in self.rows if s == scope]
            width = max(len(k) for k, _ in rows)
            parts += ["\n", (scope, "bold underline"), "\n"]
            for keys, desc in rows:
                lines = textwrap.wrap(desc, max(20, TEXT_WIDTH - width - 2)) or [""]
                parts += [(f"{keys:<{width}}", "bold"), f"  {lines[0]}\n"]
                parts += [" " * (width + 2) + line + "\n" for line in lines[1:]]
        return Content.assemble(*parts).rstrip()

    def action_dismiss(self) -> None:
        self.dismiss(None)
