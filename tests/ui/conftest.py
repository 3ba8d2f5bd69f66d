import pytest
from ui_helpers import FROZEN_MS, fast_demo_config

from hedgetui.domain.clock import ManualClock


@pytest.fixture
async def demo_app(tmp_path):
    from hedgetui.ui.app import HedgeApp
    from hedgetui.ui.registry import core_panes

    apps = []

    def make(clock=None, **ui):
        # the built-in panes only: feature panes have their own tests
        app = HedgeApp(
            fast_demo_config(tmp_path, **ui),
            clock=clock or ManualClock(FROZEN_MS),
            panes=core_panes(),
        )
        apps.append(app)
        return app

    yield make
    # run_test's teardown may cancel the app's unmount handler mid-flush: close what's left
    for app in apps:
        await app.shutdown()
