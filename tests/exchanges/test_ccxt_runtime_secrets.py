"""A planted API key and secret never reach the log, the database or the terminal, even when
`hedgetui collect` (a real subprocess, debug logging) hits errors on a binance account."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from live_runtime_helpers import config_toml, venue_with

from hedgetui.domain.clock import SystemClock
from hedgetui.exchanges.binance_server.thread import ServerThread

PLANTED_KEY = "plantedKEYzq7Vx3Rw9Lm2Tn5Yb8"
PLANTED_SECRET = "plantedSECRETk4Hs8Qd1Jf6Wc0Ug"


def fired(server, path: str) -> int:
    return sum(f.fired for f in server.faults._by_path.get(path, ()))


def wait(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_planted_secret_is_absent_from_logs_db_and_output(tmp_path):
    db = tmp_path / "secrets.db"
    with ServerThread(
        venue_with(SystemClock(), ["planted", "other"]),
        {
            PLANTED_KEY: (PLANTED_SECRET, "planted"),
            "otherKEY123456": ("otherSECRET123456", "other"),
        },
    ) as srv:
        # retryable failures first (a 502 page, a rejected order query), then a bad
        # signature, which stops the planted account's pollers with an AuthenticationError
        srv.call(lambda s: s.inject("/api/v3/openOrders", "5xx", times=2))
        srv.call(lambda s: s.inject("/api/v3/myTrades", "-2010", times=1))
        text = config_toml(srv.url, ["planted"], db=db, interval=0.1)
        text = text.replace('KEY_PLANTED"', 'PLANTED_API_KEY"').replace(
            'SECRET_PLANTED"', 'PLANTED_API_SECRET"'
        )
        (tmp_path / "config.toml").write_text(text)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
        env.update(
            XDG_CONFIG_HOME=str(tmp_path / "cfg"),
            XDG_DATA_HOME=str(tmp_path / "data"),
            PLANTED_API_KEY=PLANTED_KEY,
            PLANTED_API_SECRET=PLANTED_SECRET,
        )
        args = ["collect", "--config", str(tmp_path / "config.toml"), "--log-level", "debug"]
        out_file, err_file = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        with out_file.open("w") as out, err_file.open("w") as err:  # pipes could fill up
            proc = subprocess.Popen(
                [sys.executable, "-m", "hedgetui.cli", *args, "--seconds", "30"],
                env=env,
                stdout=out,
                stderr=err,
                text=True,
            )
        try:
            wait(lambda: srv.call(lambda s: fired(s, "/api/v3/openOrders") == 2))
            wait(lambda: srv.call(lambda s: fired(s, "/api/v3/myTrades") == 1))
            srv.call(lambda s: s.inject("/api/v3/account", "-1022", times=1))
            wait(lambda: srv.call(lambda s: fired(s, "/api/v3/account") == 1))
            time.sleep(0.5)  # let the stop be logged and stored
            proc.send_signal(signal.SIGINT)  # collect stops cleanly, flushing the store
            proc.wait(timeout=60)
        finally:
            proc.kill()
        seen = srv.call(lambda s: list(s.requests))
    run = subprocess.CompletedProcess(
        args, proc.returncode, out_file.read_text(), err_file.read_text()
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # the errors really happened and were logged
    assert "ExchangeNotAvailable" in run.stderr  # the 502s
    assert "InsufficientFunds" in run.stderr  # the -2010s
    assert "AuthenticationError" in run.stderr and "planted:balances stopped" in run.stderr
    assert any(r.api_key == PLANTED_KEY for r in seen)
    assert sum(r.api_key == PLANTED_KEY for r in seen) > 10  # many signed requests went out

    outputs = {"stdout": run.stdout.encode(), "stderr": run.stderr.encode()}
    for path in Path(tmp_path).glob("secrets.db*"):  # the db and any -wal/-shm file
        outputs[path.name] = path.read_bytes()
    stored = b"".join(blob for name, blob in outputs.items() if name.startswith("secrets.db"))
    assert b"AuthenticationError" in stored  # the error text was stored (redacted)
    for name, blob in outputs.items():
        for planted in (PLANTED_KEY, PLANTED_SECRET):
            assert planted.encode() not in blob, f"{planted[:7]}... leaked into {name}"
        assert not re.search(rb"signature=[0-9a-f]{64}", blob), f"a signature leaked into {name}"
