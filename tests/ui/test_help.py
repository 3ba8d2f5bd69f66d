"""``?`` lists the active pane's keys, for every pane in the registry: each binding a pane
declares (hidden ones too) has a row naming all its keys, under the pane's heading."""

from textual.binding import Binding
from textual.keys import format_key
from ui_helpers import FROZEN_MS, fast_demo_config, wait_until

from hedgetui.domain.clock import ManualClock
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.help import HelpScreen, binding_keys, key_label, own_bindings
from hedgetui.ui.panes import Pane
from hedgetui.ui.registry import all_panes


def test_key_labels():
    assert key_label("ctrl+s") == "Ctrl+S"
    assert key_label("question_mark") == "?"
    assert key_label("shift+left") == "Shift+←"
    assert key_label("escape") == "Esc"
    assert key_label("space") == "Space"
    assert key_label("S") == "S"
    pair = [Binding("up,k", "price(1)"), Binding("down,j", "price(-1)")]
    assert binding_keys(pair) == "↑ ↓ / k j"
    fast = [Binding("shift+up,K", "price(5)"), Binding("shift+down,J", "price(-5)")]
    assert binding_keys(fast) == "Shift+↑ ↓ / K J"


def test_own_bindings_skip_textual_and_keep_hidden_ones():
    from hedgetui.ui.alerts_pane import AlertsPane

    keys = {b.key for b in own_bindings(AlertsPane, Pane)}
    assert {"a", "x", "o", "z", "escape"} <= keys  # escape is show=False
    assert not any(k.startswith(("up", "down", "pageup")) for k in keys)  # no scroll keys


def listed(key: str, keys_shown: str) -> bool:
    """Whether ``key`` is in a row's keys, as Textual names it (independent of ui/help.py's
    formatter): "S" and "s" are different keys; "esc" and "Esc" are not."""
    *mods, name = key.split("+")
    label = format_key(name)
    if len(label) == 1 and not mods:
        return label in keys_shown.split() or label in keys_shown.replace(" ", "")
    return all(part.lower() in keys_shown.lower() for part in (*mods, label))


async def test_help_lists_the_active_panes_keys_for_every_pane(tmp_path):
    specs = all_panes()
    app = HedgeApp(fast_demo_config(tmp_path), clock=ManualClock(FROZEN_MS), panes=specs)
    async with app.run_test(size=(80, 24)) as pilot:
        for spec in specs:
            app.action_pane(spec.id)
            await pilot.pause()
            pane = app.query_one(f"#{spec.id}-pane", Pane)
            await pilot.press("f1")  # "?" would be typed where an input has the focus
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            rows = app.screen.rows
            scope = f"{spec.title} pane"
            assert rows[0][2] == scope or not own_bindings(type(pane), Pane), spec.id
            mine = [(k, d) for k, d, s in rows if s == scope]
            for binding in own_bindings(type(pane), Pane):
                for key in binding.key.split(","):
                    assert any(listed(key, k) for k, _ in mine), (spec.id, key)
            groups = getattr(pane, "HELP_GROUPS", ())
            actions = {b.action for b in own_bindings(type(pane), Pane)}
            for group_actions, _ in groups:  # a stale group would hide nothing, but lie
                assert set(group_actions) <= actions, (spec.id, group_actions)
            everywhere = [k for k, _, s in rows if s == "Everywhere"]
            for binding in app.BINDINGS:
                for key in binding.key.split(","):
                    digit = binding.action.startswith("pane_number")  # all in one row: 1-7
                    assert digit or any(listed(key, k) for k in everywhere), key
            assert f"1-{len(specs)}" in everywhere
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        app.action_quit()
        await app._quit_task
