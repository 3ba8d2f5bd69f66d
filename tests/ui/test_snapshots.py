"""Snapshots of the main screen with a seeded paper demo and a frozen clock."""

import pytest
from ui_helpers import demo_loaded, wait_until

from hedgetui.domain import HealthState


def settled(app):
    health = app.state.health.values()
    return demo_loaded(app) and len(health) >= 13 and all(h.state is HealthState.OK for h in health)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_main_screen(snap_compare, demo_app, size):
    async def run_before(pilot):
        await wait_until(pilot, lambda: settled(pilot.app), timeout=20)
        await pilot.pause(1.0)  # past any flash

    assert snap_compare(demo_app(), terminal_size=size, run_before=run_before)
