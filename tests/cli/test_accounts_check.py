"""`hedgetui accounts check` against the local Binance-compatible server (real ccxt)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgetui.domain.clock import SystemClock
from hedgetui.exchanges.binance_server.thread import ServerThread
from hedgetui.exchanges.paper import PaperVenue

KEYS = {
    "trader": ("traderKEYq7Vx3Rw9Lm2", "traderSECRETk4Hs8Qd1Jf6"),
    "withdrawer": ("withdrawKEYz8Tn5Yb8Pq", "withdrawSECRETw2Cz7Ue3"),
    "watcher": ("watcherKEYm3Lk9Fd4Rt", "watcherSECRETh6Gj1Ps8Xa"),
}


@pytest.fixture(scope="module")
def server():
    venue = PaperVenue(SystemClock(), seed=3)
    for name in KEYS:
        venue.add_account(name, {"USDT": Decimal(1000)})
    with ServerThread(venue, {k: (s, n) for n, (k, s) in KEYS.items()}) as srv:
        srv.call(lambda s: s.grant(KEYS["withdrawer"][0], can_withdraw=True))
        srv.call(lambda s: s.grant(KEYS["watcher"][0], can_trade=False))
        yield srv


def write_config(tmp_path, url: str, names, read_only=()) -> str:
    text = '[[accounts]]\nname = "desk"\nexchange = "paper"\n'
    for n in names:
        text += (
            f'\n[[accounts]]\nname = "{n}"\nexchange = "binance"\napi_url = "{url}"\n'
            f'api_key_env = "K_{n.upper()}"\nsecret_env = "S_{n.upper()}"\n'
            f"read_only = {'true' if n in read_only else 'false'}\n"
        )
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def env(overrides=None):
    out = {}
    for n, (k, s) in KEYS.items():
        out[f"K_{n.upper()}"] = k
        out[f"S_{n.upper()}"] = s
    out.update(overrides or {})
    return out


def test_all_accounts_ok_with_a_withdrawal_warning(run_cli, server, tmp_path):
    cfg = write_config(tmp_path, server.url, ["trader", "withdrawer", "watcher"], ("watcher",))
    r = run_cli("accounts", "check", "--config", cfg, env=env())
    assert r.returncode == 0, r.stderr
    rows = {line.split("│")[1].strip(): line for line in r.stdout.splitlines() if "│" in line}
    assert "PAPER" in rows["desk"] and "OK (paper)" in rows["desk"]
    trader = [c.strip() for c in rows["trader"].split("│")[1:-1]]
    assert trader[:7] == ["trader", "binance", "LIVE", "OK", "yes", "no", "no"]
    withdrawer = rows["withdrawer"]
    assert "WARNING: enabled" in withdrawer and "withdraw funds" in r.stdout
    watcher = [c.strip() for c in rows["watcher"].split("│")[1:-1]]
    assert watcher[3:7] == ["OK", "no", "no", "yes"]  # read-only account, non-trading key
    assert "4/4 accounts OK, 1 with warnings" in r.stdout
    for _key, secret in KEYS.values():
        assert secret not in r.stdout + r.stderr


def test_rejected_keys_fail_with_exit_1_and_a_redacted_reason(run_cli, server, tmp_path):
    wrong = "totallyWRONGsecret9Kq2Lp5"
    cfg = write_config(tmp_path, server.url, ["trader", "withdrawer"])
    r = run_cli("accounts", "check", "--config", cfg, env=env({"S_TRADER": wrong}))
    assert r.returncode == 1
    assert "FAILED" in r.stdout and "3/3" not in r.stdout and "2/3 accounts OK" in r.stdout
    assert "account trader: keys rejected: AuthenticationError" in r.stderr
    assert "Signature for this request is not valid" in r.stderr
    assert wrong not in r.stdout + r.stderr and KEYS["trader"][0] not in r.stdout + r.stderr


def test_unknown_key_and_unreachable_exchange_fail(run_cli, server, tmp_path):
    cfg = write_config(tmp_path, "http://127.0.0.1:9", ["trader"])  # nothing listens on :9
    r = run_cli("accounts", "check", "--config", cfg, "--timeout", "2", env=env())
    assert r.returncode == 1
    assert "account trader: unreachable: ExchangeNotAvailable" in r.stderr
    cfg = write_config(tmp_path, server.url, ["trader"])
    r = run_cli("accounts", "check", "--config", cfg, env=env({"K_TRADER": "unknownKEY12345"}))
    assert r.returncode == 1 and "keys rejected" in r.stderr


def test_config_errors_exit_2_with_one_line(run_cli, server, tmp_path):
    cfg = write_config(tmp_path, server.url, ["trader"])
    r = run_cli("accounts", "check", "--config", cfg)  # the key env vars are not set
    assert r.returncode == 2
    assert "K_TRADER" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("accounts")
    assert r.returncode == 2 and "check" in r.stderr
