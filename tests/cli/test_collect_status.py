"""`hedgetui collect` fills every table from the paper demo; `status` shows it."""

import socket
import sqlite3
import time
from pathlib import Path

FAST = {
    "HEDGETUI_POLLERS__BALANCES": "0.3",
    "HEDGETUI_POLLERS__POSITIONS": "0.3",
    "HEDGETUI_POLLERS__ORDERS": "0.3",
    "HEDGETUI_POLLERS__FILLS": "0.3",
    "HEDGETUI_POLLERS__TICKERS": "0.3",
    "HEDGETUI_POLLERS__CANDLES": "0.5",
    "HEDGETUI_MARKET__TIMEFRAMES": "1m,1h",
    "HEDGETUI_MARKET__HISTORY_DAYS": "1",
}


def count(db, table, where=""):
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]


def test_collect_fills_every_table_then_status_shows_it(run_cli, tmp_path):
    db = tmp_path / "x.db"
    result = run_cli("collect", "--seconds", "4", "--db", str(db), env=FAST)
    assert result.returncode == 0, result.stderr
    assert "stopped cleanly" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        accounts = {r[0] for r in conn.execute("SELECT name FROM accounts")}
    assert accounts == {"main", "alt", "perps"}
    for table in ("balances", "positions", "orders", "fills", "tickers", "poller_health"):
        assert count(db, table) > 0, table
    # every account has balances; the watchlist's seven symbols have tickers
    assert count(db, "balances", "WHERE account='perps'") > 0
    assert count(db, "tickers") == 7
    # candles: history backfilled for every symbol and configured timeframe
    with sqlite3.connect(db) as conn:
        series = conn.execute(
            "SELECT symbol, timeframe, count(*) FROM candles GROUP BY symbol, timeframe"
        ).fetchall()
    assert len(series) == 7 * 2
    assert all(n >= 20 for _, tf, n in series if tf == "1h")
    assert all(n >= 1000 for _, tf, n in series if tf == "1m")
    # no poller failed
    with sqlite3.connect(db) as conn:
        failing = conn.execute(
            "SELECT key, last_error FROM poller_health WHERE error_count > 0"
        ).fetchall()
    assert failing == []

    status = run_cli("status", "--db", str(db))
    assert status.returncode == 0, status.stderr
    out = status.stdout
    for name in ("main", "alt", "perps", "PAPER", "total", "account:main:balances"):
        assert name in out
    assert "unpriced" not in out  # every demo asset has a price


def test_collect_restart_continues_the_same_paper_accounts(run_cli, tmp_path):
    db = tmp_path / "x.db"
    assert run_cli("collect", "--seconds", "2", "--db", str(db), env=FAST).returncode == 0
    with sqlite3.connect(db) as conn:
        orders_before = {r[0] for r in conn.execute("SELECT client_id FROM orders")}
    assert run_cli("collect", "--seconds", "2", "--db", str(db), env=FAST).returncode == 0
    with sqlite3.connect(db) as conn:
        orders_after = {r[0] for r in conn.execute("SELECT client_id FROM orders")}
    # the demo was restored from the snapshot, not built again with new orders
    assert orders_before and orders_before == orders_after


def test_status_without_database_is_a_clear_error(run_cli, tmp_path):
    result = run_cli("status", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert "no database at" in result.stderr and "hedgetui collect" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_exits_2_with_one_line(run_cli, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[[accounts]]\nname = "a"\nexchange = "paper"\n[[accounts]]\nname = "a"\n'
        'exchange = "paper"\n'
    )
    result = run_cli("collect", "--config", str(cfg), "--seconds", "1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert str(cfg) in result.stderr and "duplicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_documents_every_command(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("collect", "status", "--attach", "--config", "--db", "HEDGETUI_"):
        assert word in result.stdout


def test_collect_stops_promptly_while_requests_hang_on_a_dead_exchange(run_cli, tmp_path):
    """A server that takes connections and never answers: every poller has a request in
    flight (10 s ccxt timeout) when --seconds ends; collect still stops at once."""
    with socket.socket() as dead:
        dead.bind(("127.0.0.1", 0))
        dead.listen(64)  # the kernel completes handshakes; nobody ever reads or answers
        cfg = tmp_path / "c.toml"
        cfg.write_text(
            '[[accounts]]\nname = "dead"\nexchange = "binance"\napi_key_env = "KEY_DEAD"\n'
            'secret_env = "SECRET_DEAD"\n'
            f'api_url = "http://127.0.0.1:{dead.getsockname()[1]}"\n'
            '[market]\nwatchlist = { binance = ["BTC/USDT"] }\ntimeframes = ["1h"]\n'
        )
        db = tmp_path / "x.db"
        env = {"KEY_DEAD": "hedgetuiKEYdead7Qw3", "SECRET_DEAD": "hedgetuiSECRETdead4b8"}
        started = time.monotonic()
        result = run_cli(
            "collect", "--config", str(cfg), "--seconds", "1", "--db", str(db), env=env
        )
        took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "stopped cleanly" in result.stderr and "Traceback" not in result.stderr
    assert "did not finish" not in result.stderr and "abandoned" not in result.stderr
    # well under the 10 s request timeout: the stop did not wait for the dead server
    assert took < 9, took
    with sqlite3.connect(db) as conn:
        keys = {r[0] for r in conn.execute("SELECT key FROM poller_health")}
    assert {"account:dead:balances", "market:binance:tickers"} <= keys


def test_first_run_on_a_new_machine_creates_the_data_directory(run_cli, isolated_env):
    """No --db and no data directory yet (a new machine): the default one is created."""
    data = Path(isolated_env["XDG_DATA_HOME"])
    assert not data.exists()
    result = run_cli("collect", "--seconds", "1", env=FAST)
    assert result.returncode == 0, result.stderr
    assert (data / "hedgetui" / "hedgetui-demo.db").is_file()
    status = run_cli("status")
    assert status.returncode == 0 and "main" in status.stdout, status.stderr
