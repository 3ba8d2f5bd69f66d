import pytest
from ui_helpers import FROZEN_MS, fast_demo_config

from hedgetui.domain.clock import ManualClock


@pytest.fixture
def demo_app(tmp_path):
    from hedgetui.ui.app import HedgeApp

    def make(clock=None, **ui):
        return HedgeApp(fast_demo_config(tmp_path, **ui), clock=clock or ManualClock(FROZEN_MS))

    return make
