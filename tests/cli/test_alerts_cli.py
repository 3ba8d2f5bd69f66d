"""`hedgetui alerts ...` (no config: the demo): in-process through ``cli.main`` for speed,
and end to end in subprocesses with the headless collector firing a rule the CLI added."""

import json
import subprocess

import pytest

from hedgetui import cli


@pytest.fixture
def alerts(isolated_env, monkeypatch, capsys):
    """Run ``hedgetui ARGS`` in-process; returns CompletedProcess-like results."""
    for key in [k for k in __import__("os").environ if k.startswith("HEDGETUI_")]:
        monkeypatch.delenv(key)
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(key, isolated_env[key])

    def run(*args):
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse errors
            code = exc.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def test_add_list_disable_enable_ack_rm(alerts, tmp_path):
    db = str(tmp_path / "a.db")
    out = alerts("alerts", "add", "btc/usdt  >  65,000 note 'x'".replace("'", '"'), "--db", db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'added alert #1: BTC/USDT > 65000 note "x"'
    out = alerts("alerts", "add", "pnl", "perps", "<", "-500", "until-ack", "2m", "--db", db)
    assert out.stdout.strip() == "added alert #2: pnl perps < -500 until-ack 2m"

    out = alerts("alerts", "list", "--db", db)
    assert out.returncode == 0
    assert "BTC/USDT > 65000" in out.stdout and "pnl perps < -500 until-ack 2m" in out.stdout
    assert "armed" in out.stdout

    assert alerts("alerts", "disable", "2", "--db", db).stdout.strip() == "alert #2 disabled"
    out = alerts("alerts", "disable", "2", "--db", db)
    assert out.stdout.strip() == "alert #2 was already disabled"
    assert "disabled" in alerts("alerts", "ls", "--db", db).stdout
    assert alerts("alerts", "enable", "#2", "--db", db).stdout.strip() == "alert #2 enabled"
    out = alerts("alerts", "ack", "1", "--db", db)
    assert out.returncode == 0 and "acknowledged" in out.stdout
    out = alerts("alerts", "edit", "1", "BTC/USDT", "<", "60000", "--db", db)
    assert out.stdout.strip() == "alert #1 is now: BTC/USDT < 60000"
    out = alerts("alerts", "rm", "1", "--db", db)
    assert out.returncode == 0 and "deleted alert #1" in out.stdout
    listing = alerts("alerts", "list", "--db", db).stdout
    assert "60000" not in listing and "pnl perps" in listing


def test_bad_input_is_one_clear_message_and_exit_2(alerts, tmp_path):
    db = str(tmp_path / "a.db")
    out = alerts("alerts", "add", "BTC/USDT abov 65000", "--db", db)
    assert out.returncode == 2 and out.stdout == ""
    assert "column 10: expected a comparison" in out.stderr
    assert "  BTC/USDT abov 65000\n           ^^^^" in out.stderr
    assert "Traceback" not in out.stderr
    out = alerts("alerts", "rm", "7", "--db", db)
    assert out.returncode == 2 and "no database" in out.stderr
    alerts("alerts", "add", "BTC/USDT > 1", "--db", db)
    out = alerts("alerts", "rm", "7", "--db", db)
    assert out.returncode == 2 and "no alert rule #7" in out.stderr
    out = alerts("alerts", "ack", "seven", "--db", db)
    assert out.returncode == 2 and "not a rule id" in out.stderr
    out = alerts("alerts", "add", "equity nobody > 5", "--db", db)
    assert out.returncode == 0 and "warning: no account named 'nobody'" in out.stderr


def test_collect_fires_price_and_pnl_rules_added_by_the_cli_history_after(
    alerts, run_cli, tmp_path
):
    """The Done-when, headless: a price and a PnL alert set from the CLI fire on the paper
    market while ``collect`` runs, and ``alerts history`` (a new process) shows both."""
    db = tmp_path / "c.db"
    assert alerts("alerts", "history", "--db", str(db)).stdout.strip() == "no alerts have fired yet"
    out = alerts("alerts", "add", 'BTC/USDT > 1 note "always"', "--db", str(db))
    assert out.stdout.strip() == 'added alert #1: BTC/USDT > 1 note "always"'
    # the demo perp's PnL is a few USDT either way of 0: this is true once perps reports
    out = alerts("alerts", "add", "pnl perps > -1000000", "--db", str(db))
    assert out.stdout.strip() == "added alert #2: pnl perps > -1000000"
    out = run_cli("collect", "--seconds", "4", "--db", str(db), "--log-level", "warning")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    history = alerts("alerts", "history", "--limit", "5", "--db", str(db))
    assert history.returncode == 0
    assert "BTC/USDT last" in history.stdout and "always" in history.stdout
    assert "pnl of perps" in history.stdout and "is above -1,000,000" in history.stdout
    listing = alerts("alerts", "list", "--db", str(db)).stdout
    assert listing.count("done (fired)") == 2  # once: fired, then disabled
    log = [json.loads(line) for line in (tmp_path / "hedgetui-alerts.log").read_text().splitlines()]
    assert sorted(e["rule_id"] for e in log) == [1, 2]
    assert next(e for e in log if e["rule_id"] == 1)["note"] == "always"


def test_shell_stripped_quotes_of_a_note_or_batch_name_are_put_back(alerts, tmp_path):
    db = str(tmp_path / "a.db")
    # what `hedgetui alerts add "pnl perps > -1000" note "check hedge"` passes after the shell
    out = alerts("alerts", "add", "pnl perps > -1000", "note", "check hedge", "--db", db)
    assert out.stdout.strip() == 'added alert #1: pnl perps > -1000 note "check hedge"', out.stderr
    out = alerts("alerts", "add", "BTC/USDT < 90000 note", "dip", "arm", "dip ladder", "--db", db)
    assert out.returncode == 0, out.stderr
    assert 'note "dip"' in out.stdout and 'arm "dip ladder"' in out.stdout
    out = alerts("alerts", "add", 'BTC/USDT > 1 note "already quoted"', "--db", db)
    assert out.stdout.strip().endswith('note "already quoted"')
