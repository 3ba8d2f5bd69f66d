from __future__ import annotations

import pytest

from hedgetui.store import Store


@pytest.fixture
async def store(tmp_path):
    s = await Store.open(tmp_path / "hedgetui.db")
    yield s
    await s.close()
