import os
import subprocess
import sys

import pytest


@pytest.fixture
def isolated_env(tmp_path):
    """An environment with no config file anywhere (so: the demo) and private data dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    return env


@pytest.fixture
def run_cli(isolated_env):
    def run(*args, env=None, timeout=60, input=None):
        return subprocess.run(
            [sys.executable, "-m", "hedgetui.cli", *args],
            env={**isolated_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
        )

    return run
