"""`hedgetui orders`: submit (dry-run, --yes, parse errors), crash safety, kill switch,
templates — against the paper demo in a subprocess."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

LADDER = "buy 1000usdt BTC/USDT @ 94000..92000 x5 on main,alt\n"


def journal(db):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT client_id, status, order_id FROM order_journal ORDER BY rowid"
        ).fetchall()


def venue_client_ids(db):
    with sqlite3.connect(db) as conn:
        (data,) = conn.execute("SELECT data FROM snapshots WHERE key='paper-venue'").fetchone()
    snap = json.loads(data)
    ids = []
    for acct in snap["accounts"].values():
        ids += [o["client_id"] for o in acct["open_orders"] + acct["closed_orders"]]
    return ids


def test_dry_run_prints_the_preview_and_sends_nothing(run_cli, tmp_path):
    batch = tmp_path / "b.txt"
    batch.write_text(LADDER)
    db = tmp_path / "x.db"
    r = run_cli("orders", "submit", str(batch), "--dry-run", "--db", str(db))
    assert r.returncode == 0, r.stderr
    for text in ("Preview", "main", "alt", "94,000", "92,000", "0.00213", "ready", "paper only"):
        assert text in r.stdout
    assert "10 order(s)" in r.stdout
    assert journal(db) == []


def test_submit_yes_sends_and_reports_each_order(run_cli, tmp_path):
    batch = tmp_path / "b.txt"
    batch.write_text(LADDER)
    db = tmp_path / "x.db"
    r = run_cli("orders", "submit", str(batch), "--yes", "--db", str(db))
    assert r.returncode == 0, r.stderr + r.stdout
    assert r.stdout.count(": open #") == 10 and "sent: 10 open" in r.stdout
    rows = journal(db)
    assert len(rows) == 10 and {s for _, s, _ in rows} == {"open"}
    assert sorted(venue_client_ids(db)).count(rows[0][0]) == 1


def test_unconfirmed_batch_is_not_sent(run_cli, tmp_path):
    batch = tmp_path / "b.txt"
    batch.write_text(LADDER)
    db = tmp_path / "x.db"
    r = run_cli("orders", "submit", str(batch), "--db", str(db), input="n\n")
    assert r.returncode == 1 and "nothing sent" in r.stdout
    assert journal(db) == []
    r = run_cli("orders", "submit", str(batch), "--db", str(db), input="y\n")
    assert r.returncode == 0 and len(journal(db)) == 10


def test_parse_error_exits_2_with_a_caret(run_cli, tmp_path):
    r = run_cli(
        "orders",
        "submit",
        "-",
        "--yes",
        "--db",
        str(tmp_path / "x.db"),
        input="buy 0.5 BTC/USDT @ abc on main\n",
    )
    assert r.returncode == 2
    assert "line 1, col 20: expected a price after '@'" in r.stderr
    assert "                     ^" in r.stderr and "Traceback" not in r.stderr


def test_blocked_rows_exit_1_unless_skipped(run_cli, tmp_path):
    db = tmp_path / "x.db"
    text = "buy 0.01 BTC/USDT @ 94000 on main\nbuy 0.01 BTC/USDT @ 50000 on main\n"
    r = run_cli("orders", "submit", "-", "--yes", "--db", str(db), input=text)
    assert r.returncode == 1 and "price band" in r.stdout and "nothing sent" in r.stdout
    r = run_cli("orders", "submit", "-", "--yes", "--skip-blocked", "--db", str(db), input=text)
    assert r.returncode == 1 and "1 open" in r.stdout and "1 skipped" in r.stdout


def test_missing_file_is_a_usage_error(run_cli, tmp_path):
    r = run_cli("orders", "submit", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "x.db"))
    assert r.returncode == 2 and "batch file not found" in r.stderr


def test_kill_switch_by_tag_and_templates(run_cli, tmp_path):
    db = str(tmp_path / "x.db")
    r = run_cli("orders", "cancel-all", "--tag", "perps", "--flatten", "--yes", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "perps: canceled 3 order(s)" in r.stdout and "flatten BTC/USDT:USDT: filled" in r.stdout
    assert "main" not in r.stdout
    r = run_cli("orders", "cancel-all", "--account", "nobody", "--yes", "--db", db)
    assert r.returncode == 2 and "unknown account 'nobody'" in r.stderr

    (tmp_path / "t.txt").write_text(LADDER)
    assert (
        run_cli(
            "orders", "templates", "save", "ladder", str(tmp_path / "t.txt"), "--db", db
        ).returncode
        == 0
    )
    listed = run_cli("orders", "templates", "list", "--db", db)
    assert "ladder" in listed.stdout and "x5" in listed.stdout
    shown = run_cli("orders", "templates", "show", "ladder", "--db", db)
    assert shown.stdout.strip() == LADDER.strip()
    bad = run_cli("orders", "templates", "save", "bad", "-", "--db", db, input="buy x\n")
    assert bad.returncode == 2 and "^" in bad.stderr
    assert run_cli("orders", "templates", "rm", "ladder", "--db", db).returncode == 0
    gone = run_cli("orders", "templates", "show", "ladder", "--db", db)
    assert gone.returncode == 2 and "no template named 'ladder'" in gone.stderr


def test_kill_9_mid_batch_then_reconcile_sends_nothing_twice(run_cli, isolated_env, tmp_path):
    db = tmp_path / "x.db"
    batch = tmp_path / "big.txt"
    batch.write_text("buy 1000usdt BTC/USDT @ 94000..91000 x60 on main\n")
    env = {
        **isolated_env,
        "HEDGETUI_RISK__MAX_ORDERS_PER_SECOND": "10",  # 60 orders take ~6 s: time to kill
        "HEDGETUI_RISK__MAX_OPEN_ORDERS": "1000",
    }
    with open(tmp_path / "out.txt", "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hedgetui.cli",
                "orders",
                "submit",
                str(batch),
                "--yes",
                "--db",
                str(db),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if db.exists():
                    try:
                        rows = journal(db)
                    except sqlite3.OperationalError:
                        rows = []
                    if sum(s == "open" for _, s, _ in rows) >= 5:
                        break
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    before = journal(db)
    assert len(before) == 60  # all journaled before the first send
    assert {s for _, s, _ in before} == {"open", "pending"}  # killed mid-batch

    r = run_cli("orders", "reconcile", "--db", str(db))
    assert r.returncode == 0, r.stderr
    after = dict((c, s) for c, s, _ in journal(db))
    assert set(after.values()) <= {"open", "rejected"} and "pending" not in after.values()
    assert all(c in r.stdout for c in after)  # every journaled order, with its outcome
    assert "never reached" in r.stdout.replace("\n", " ") or all(
        s == "open" for s in after.values()
    )
    sent = venue_client_ids(db)
    journaled = set(after)
    mine = [c for c in sent if c in journaled]
    assert len(mine) == len(set(mine))  # nothing twice
    assert set(mine) == {c for c, s in after.items() if s == "open"}

    # a second reconcile changes nothing and sends nothing
    again = run_cli("orders", "reconcile", "--db", str(db))
    assert again.returncode == 0
    assert dict((c, s) for c, s, _ in journal(db)) == after
    assert venue_client_ids(db) == sent
