"""An --attach'ed TUI follows a database another process writes."""

import os
import subprocess
import sys

from ui_helpers import fast_demo_config, wait_until

from hedgetui.ui.app import HedgeApp
from hedgetui.ui.registry import core_panes


def start_collect(db, tmp_path, seconds):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        HEDGETUI_POLLERS__TICKERS="0.2",
        HEDGETUI_POLLERS__BALANCES="0.3",
        HEDGETUI_MARKET__TIMEFRAMES="1h",
        HEDGETUI_MARKET__HISTORY_DAYS="1",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hedgetui.cli",
            "collect",
            "--db",
            str(db),
            "--seconds",
            str(seconds),
            "--log-level",
            "error",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_attached_app_sees_another_process_write(tmp_path):
    db = tmp_path / "shared.db"
    first = start_collect(db, tmp_path, 1.5)  # creates and fills the database
    assert first.wait(timeout=60) == 0, first.stderr.read()

    config = fast_demo_config(tmp_path)
    app = HedgeApp(config, db_path=db, attach=True, panes=core_panes())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.state.tickers) == 7)
        assert app.runtime is None  # attached: no pollers in this process
        rev_before = app.state.rev
        last_before = {k: t.timestamp for k, t in app.state.tickers.items()}
        reads_before = app.feed.reads
        writer = start_collect(db, tmp_path, 4)
        try:
            await wait_until(
                pilot,
                lambda: (
                    app.state.rev > rev_before
                    and any(t.timestamp > last_before[k] for k, t in app.state.tickers.items())
                ),
                timeout=30,
            )
        finally:
            assert writer.wait(timeout=60) == 0, writer.stderr.read()
        table = app.query_one("#accounts-table")
        assert "bal|main|BTC" in table.row_order
        assert "[attached]" in str(app.query_one("#accounts-bar").render())
        # only changes were read: one read per noticed commit batch, not one per tick
        # of every table (the feed polls PRAGMA data_version, which is nearly free)
        assert app.feed.reads - reads_before < 100
        app.action_quit()
        await app._quit_task
