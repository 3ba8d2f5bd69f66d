"""Snapshots of the main screen with a seeded paper demo and a frozen clock.

The SVG screenshots are compared with the files in ``snapshots/``; set
``HEDGETUI_UPDATE_SNAPSHOTS=1`` to rewrite them after an intended change (and look at them).
"""

import os
from pathlib import Path

import pytest
from ui_helpers import demo_loaded, wait_until

from hedgetui.domain import HealthState

SNAPSHOTS = Path(__file__).parent / "snapshots"


def settled(app):
    health = app.state.health.values()
    return demo_loaded(app) and len(health) >= 13 and all(h.state is HealthState.OK for h in health)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_main_screen(demo_app, size):
    app = demo_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: settled(app), timeout=20)
        await pilot.pause(1.0)  # past any flash
        svg = app.export_screenshot(title="hedgetui")
        app.action_quit()
        await app._quit_task
    path = SNAPSHOTS / f"main_{size[0]}x{size[1]}.svg"
    if os.environ.get("HEDGETUI_UPDATE_SNAPSHOTS") or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(svg)
        if not os.environ.get("HEDGETUI_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; run again")
    assert svg == path.read_text(), f"screen differs from {path} (see the SVG)"
