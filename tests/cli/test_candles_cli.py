"""`hedgetui candles import` and `candles show`: reports, idempotence, CSV/Parquet values."""

import csv
import io
import math
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from hedgetui.analytics.indicator_spec import apply_indicators

FIXTURES = Path(__file__).parents[1] / "analytics" / "fixtures"
START = 1_704_067_200_000  # 2024-01-01 00:00 UTC
HOUR = 3_600_000
SPECS = "ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14"
COLUMNS = [
    "time", "open", "high", "low", "close", "volume", "ema_20", "rsi_14",
    "macd_12_26_9", "macdsignal_12_26_9", "macdhist_12_26_9",
    "bbupper_20_2", "bbmiddle_20_2", "bblower_20_2", "atr_14",
]  # fmt: skip


def write_hourly(path: Path, n: int = 300) -> None:
    rnd = random.Random(7)
    close = 42_000.0
    lines = ["timestamp,open,high,low,close,volume"]
    for i in range(n):
        o = close
        close = round(o * math.exp(rnd.gauss(0, 0.004)), 2)
        hi = round(max(o, close) * (1 + rnd.uniform(0, 0.002)), 2)
        lo = round(min(o, close) * (1 - rnd.uniform(0, 0.002)), 2)
        lines.append(f"{START + i * HOUR},{o},{hi},{lo},{close},{rnd.uniform(1, 90):.4f}")
    path.write_text("\n".join(lines) + "\n")


def stored(db: Path, exchange: str, symbol: str, tf: str) -> pl.DataFrame:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT ts, open, high, low, close, volume FROM candles WHERE exchange=? AND "
            "symbol=? AND timeframe=? ORDER BY ts",
            (exchange, symbol, tf),
        ).fetchall()
    return pl.DataFrame(rows, schema=["ts", "open", "high", "low", "close", "volume"],
                        orient="row")  # fmt: skip


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def btc_db(run_cli, tmp_path):
    src, db = tmp_path / "btc.csv", tmp_path / "x.db"
    write_hourly(src)
    r = run_cli("candles", "import", str(src), "--exchange", "paper", "--symbol", "BTC/USDT",
                "--timeframe", "1h", "--db", str(db))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "300 inserted, 0 updated, 0 unchanged, 0 rejected" in r.stdout
    return db


def show(run_cli, db, *extra, tf="1h"):
    return run_cli("candles", "show", "--exchange", "paper", "--symbol", "BTC/USDT",
                   "--timeframe", tf, "--db", str(db), *extra)  # fmt: skip


def test_show_csv_equals_indicators_on_the_stored_candles(run_cli, btc_db):
    since = START + 100 * HOUR
    r = show(run_cli, btc_db, "--indicators", SPECS, "--format", "csv", "--since", iso(since))
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == COLUMNS
    expected = apply_indicators(stored(btc_db, "paper", "BTC/USDT", "1h"), SPECS)
    expected = expected.filter(pl.col("ts") >= since)
    assert len(rows) - 1 == expected.height == 200
    for line, want in zip(rows[1:], expected.iter_rows(named=True), strict=True):
        assert line[0] == iso(want["ts"])
        for name, cell in zip(COLUMNS[1:], line[1:], strict=True):
            assert float(cell) == want[name], (line[0], name)  # exact, not approximately
    # warm-up came from the history before --since: the first row has every value
    assert all(rows[1])


def test_show_csv_warmup_is_empty_and_resampled_timeframe(run_cli, btc_db):
    r = show(run_cli, btc_db, "--indicators", "rsi:14", "--format", "csv", tf="4h")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["time", "open", "high", "low", "close", "volume", "rsi_14"]
    assert len(rows) - 1 == 75  # 300 hours
    assert [row[6] for row in rows[1:15]] == [""] * 14 and rows[15][6] != ""
    one_h = stored(btc_db, "paper", "BTC/USDT", "1h").head(4)
    assert float(rows[1][2]) == one_h["high"].max() and float(rows[1][4]) == one_h["close"][-1]


def test_show_parquet_and_table(run_cli, btc_db, tmp_path):
    out = tmp_path / "out.parquet"
    r = show(run_cli, btc_db, "--indicators", "ema:20", "--format", "parquet",
             "--output", str(out), "--until", iso(START + 49 * HOUR))  # fmt: skip
    assert r.returncode == 0, r.stderr
    df = pl.read_parquet(out)
    assert df.columns == ["time", "open", "high", "low", "close", "volume", "ema_20"]
    assert df.height == 50 and df["time"].dtype == pl.Datetime("ms", "UTC")
    want = apply_indicators(stored(btc_db, "paper", "BTC/USDT", "1h").head(50), "ema:20")
    assert df["ema_20"].to_list() == want["ema_20"].to_list()
    table = show(run_cli, btc_db, "--indicators", "rsi", "--limit", "5")
    assert table.returncode == 0, table.stderr
    assert "rsi_14" in table.stdout and "the last 5 of 300 candles" in table.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--indicators", "emma:20"), "did you mean 'ema'"),
        (("--since", "yesterday"), "--since 'yesterday' is not a time"),
        (("--format", "parquet"), "add --output PATH"),
        (("--timeframe", "2h"), "--timeframe '2h' is not known"),
    ],
)
def test_show_bad_input_is_one_clear_line(run_cli, btc_db, extra, message):
    r = show(run_cli, btc_db, *extra)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_show_unknown_series_says_how_to_get_it(run_cli, btc_db):
    r = run_cli("candles", "show", "--exchange", "paper", "--symbol", "DOGE/USDT",
                "--timeframe", "1h", "--db", str(btc_db))  # fmt: skip
    assert r.returncode == 2 and "candles import" in r.stderr


def test_import_twice_changes_nothing_and_reports_rejections(run_cli, tmp_path):
    db = tmp_path / "fx.db"
    args = ("candles", "import", str(FIXTURES / "bad_rows_eurusd_1h.csv"), "--exchange",
            "dukascopy", "--symbol", "EUR/USD", "--timeframe", "1h", "--db", str(db))  # fmt: skip
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "rejected:" in first.stdout and "high below low" in first.stdout
    before = stored(db, "dukascopy", "EUR/USD", "1h")
    assert before.height > 0
    assert f"{before.height} inserted, 0 updated, 0 unchanged" in first.stdout
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr
    assert f"0 inserted, 0 updated, {before.height} unchanged" in second.stdout
    assert stored(db, "dukascopy", "EUR/USD", "1h").equals(before)


def test_forex_hourly_file_imports_and_shows(run_cli, tmp_path):
    db = tmp_path / "fx.db"
    r = run_cli("candles", "import", str(FIXTURES / "eurusd_h1_weekend.csv"), "--exchange",
                "dukascopy", "--symbol", "EUR/USD", "--timeframe", "1h", "--db", str(db))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "16 inserted" in r.stdout
    shown = run_cli("candles", "show", "--exchange", "dukascopy", "--symbol", "EUR/USD",
                    "--timeframe", "1h", "--indicators", "ema:3", "--format", "csv",
                    "--db", str(db))  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    rows = list(csv.reader(io.StringIO(shown.stdout)))
    assert rows[0][-1] == "ema_3" and len(rows) == 17
    # the weekend: Friday 21:00 is followed by Sunday 22:00
    times = [row[0] for row in rows[1:]]
    assert "2024-01-05T21:00:00Z" in times and "2024-01-07T22:00:00Z" in times
    want = apply_indicators(stored(db, "dukascopy", "EUR/USD", "1h"), "ema:3")
    assert [float(r[-1]) if r[-1] else None for r in rows[1:]] == want["ema_3"].to_list()


def test_import_of_a_missing_file_is_one_line(run_cli, tmp_path):
    r = run_cli("candles", "import", str(tmp_path / "nope.csv"), "--exchange", "x",
                "--symbol", "EUR/USD", "--timeframe", "1h", "--db", str(tmp_path / "y.db"))  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr and "nope.csv" in r.stderr
