"""Loading the configuration: discovery, layering, demo, the example file, secrets."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import hedgetui.config.checks as checks_mod
import hedgetui.config.load as load_mod
import hedgetui.config.model as model_mod
from hedgetui.config import (
    DEMO_WATCHLIST,
    AccountConfig,
    Config,
    ConfigError,
    RiskConfig,
    demo_config,
    load_config,
)
from hedgetui.domain.models import TIMEFRAMES, AccountInfo

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config.example.toml"
EXAMPLE_ENV = {
    "BINANCE_MAIN_KEY": "bn-key-1",
    "BINANCE_MAIN_SECRET": "bn-secret-1",
    "OKX_PERPS_KEY": "okx-key-2",
    "OKX_PERPS_SECRET": "okx-secret-2",
    "OKX_PERPS_PASSPHRASE": "okx-pass-2",
    "BYBIT_RO_KEY": "by-key-3",
    "BYBIT_RO_SECRET": "by-secret-3",
}


@pytest.fixture(autouse=True)
def no_platform_file(tmp_path, monkeypatch):
    """Point the platform config path at an empty temp dir (never the real user's file)."""
    default = tmp_path / "platform" / "config.toml"
    monkeypatch.setattr(load_mod, "default_config_path", lambda: default)
    return default


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


PAPER_ACCOUNT = '[[accounts]]\nname = "p1"\nexchange = "paper"\n'


# -- discovery and the demo --------------------------------------------------------------------


def test_no_file_anywhere_gives_the_demo(monkeypatch):
    def no_ccxt():
        raise AssertionError("the demo must not need ccxt")

    monkeypatch.setattr(checks_mod, "known_exchange_ids", no_ccxt)
    cfg = load_config(env={})
    assert cfg.is_demo
    assert cfg.source is None
    assert [(a.name, a.exchange, a.tags) for a in cfg.accounts] == [
        ("main", "paper", ("spot", "core")),
        ("alt", "paper", ("spot",)),
        ("perps", "paper", ("perps",)),
    ]
    assert all(a.is_paper and a.balances is None and a.leverage is None for a in cfg.accounts)
    assert cfg.market.watchlist == {"paper": DEMO_WATCHLIST}
    assert "BTC/USDT:USDT" in cfg.watchlist_for("paper")
    assert cfg.resolved_db_path().name == "hedgetui-demo.db"
    assert cfg.accounts_tagged("spot") == (cfg.account("main"), cfg.account("alt"))


def test_demo_config_matches_loaded_demo():
    assert demo_config() == load_config(env={})
    assert demo_config().is_demo


def test_demo_takes_env_overrides_but_stays_demo():
    cfg = load_config(env={"HEDGETUI_POLLERS__TICKERS": "0.5", "HEDGETUI_STORE__PATH": "/x/d.db"})
    assert cfg.is_demo
    assert cfg.pollers.tickers == 0.5
    assert cfg.resolved_db_path() == Path("/x/d.db")


def test_replacing_accounts_by_env_is_not_the_demo():
    cfg = load_config(env={"HEDGETUI_ACCOUNTS": '[{"name": "solo", "exchange": "paper"}]'})
    assert not cfg.is_demo
    assert cfg.account_names == ("solo",)


def test_platform_file_is_used_when_present(no_platform_file):
    no_platform_file.parent.mkdir(parents=True)
    no_platform_file.write_text(PAPER_ACCOUNT)
    cfg = load_config(env={})
    assert not cfg.is_demo
    assert cfg.source == no_platform_file
    assert cfg.account_names == ("p1",)
    assert cfg.resolved_db_path().name == "hedgetui.db"


def test_hedgetui_config_env_then_explicit_path_wins(tmp_path):
    from_env = write(tmp_path, PAPER_ACCOUNT, "env.toml")
    explicit = write(tmp_path, PAPER_ACCOUNT.replace("p1", "p2"), "explicit.toml")
    env = {"HEDGETUI_CONFIG": str(from_env)}
    assert load_config(env=env).account_names == ("p1",)
    assert load_config(explicit, env=env).account_names == ("p2",)
    assert load_config(str(explicit), env=env).source == explicit


def test_env_defaults_to_os_environ(tmp_path, monkeypatch):
    monkeypatch.setenv("HEDGETUI_POLLERS__ORDERS", "0.25")
    assert load_config(write(tmp_path, PAPER_ACCOUNT)).pollers.orders == 0.25


def test_bare_config_ignores_files_and_environment(monkeypatch):
    monkeypatch.setenv("HEDGETUI_POLLERS__TICKERS", "0.5")
    cfg = Config()
    assert cfg.pollers.tickers == 2.0
    assert cfg.accounts == () and not cfg.is_demo


# -- layering -------------------------------------------------------------------------------


def test_precedence_overrides_env_file_defaults(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + "[pollers]\ntickers = 3\nbalances = 7\n")
    env = {"HEDGETUI_POLLERS__TICKERS": "0.5", "HEDGETUI_POLLERS__BALANCES": "6"}
    cfg = load_config(path, env=env, overrides={"pollers": {"tickers": 0.25}})
    assert cfg.pollers.tickers == 0.25  # override
    assert cfg.pollers.balances == 6.0  # env over file
    assert cfg.pollers.orders == 2.0  # default
    assert load_config(path, env={}).pollers.tickers == 3.0  # file over default


def test_env_nested_tables_and_lists(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + '[market]\nwatchlist.paper = ["BTC/USDT"]\n')
    env = {
        "HEDGETUI_MARKET__WATCHLIST__BINANCE": '["ETH/USDT", "ETH/USDT:USDT"]',
        "HEDGETUI_MARKET__TIMEFRAMES": "1h,1m",
        "HEDGETUI_RISK__CONFIRM_LIVE_ABOVE": "[500, 5000]",
        "HEDGETUI_PAPER__SEED": "7",
        "HEDGETUI_UI__THEME": "nord",
    }
    cfg = load_config(path, env=env)
    assert cfg.market.watchlist == {
        "paper": ("BTC/USDT",),
        "binance": ("ETH/USDT", "ETH/USDT:USDT"),
    }
    assert cfg.market.timeframes == ("1m", "1h")
    assert cfg.risk.confirm_live_above == (Decimal(500), Decimal(5000))
    assert cfg.paper.seed == 7
    assert cfg.ui.theme == "nord"
    assert cfg.exchange_ids() == ("paper", "binance")


def test_env_overrides_one_account_by_name(tmp_path):
    path = write(
        tmp_path,
        '[[accounts]]\nname = "desk-1"\nexchange = "paper"\nbalances = { USDT = 10 }\n'
        '[[accounts]]\nname = "desk.2"\nexchange = "paper"\n',
    )
    env = {
        "HEDGETUI_ACCOUNTS__DESK_1__READ_ONLY": "true",
        "HEDGETUI_ACCOUNTS__DESK_1__BALANCES__BTC": "0.5",
        "HEDGETUI_ACCOUNTS__desk_2__TAGS": "spot,hedge",
        "HEDGETUI_ACCOUNTS__DESK_2__CCXT_OPTIONS__recvWindow": "5000",
    }
    cfg = load_config(path, env=env)
    one, two = cfg.accounts
    assert one.read_only and one.balances == {"USDT": Decimal(10), "BTC": Decimal("0.5")}
    assert two.tags == ("spot", "hedge")
    assert two.ccxt_options == {"recvWindow": 5000}
    # the file's data was not modified in place: a second load without env is clean
    assert not load_config(path, env={}).accounts[0].read_only


def test_relative_store_path_is_relative_to_the_file(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + '[store]\npath = "data/h.db"\n')
    assert load_config(path, env={}).resolved_db_path() == tmp_path / "data" / "h.db"
    env_cfg = load_config(path, env={"HEDGETUI_STORE__PATH": "rel.db"})
    assert env_cfg.resolved_db_path() == Path("rel.db")
    mem = load_config(path, env={"HEDGETUI_STORE__PATH": ":memory:"})
    assert mem.store.path == ":memory:"


def test_default_db_path_is_in_the_platform_data_dir(tmp_path, monkeypatch):
    seen = {}

    def fake_user_data_dir(app, appauthor=None):
        seen["app"] = app
        return str(tmp_path / "data" / app)

    monkeypatch.setattr(model_mod.platformdirs, "user_data_dir", fake_user_data_dir)
    cfg = load_config(write(tmp_path, PAPER_ACCOUNT), env={})
    assert cfg.store.path is None
    path = cfg.resolved_db_path()
    assert seen["app"] == "hedgetui"
    assert path.name == "hedgetui.db" and path.parent.name == "hedgetui"
    assert path == tmp_path / "data" / "hedgetui" / "hedgetui.db"
    assert path.parent.is_dir()  # ours: created, so a first run on a new machine just works
    # a configured path's directory is the user's: never created behind their back
    mine = load_config(write(tmp_path, PAPER_ACCOUNT), env={"HEDGETUI_STORE__PATH": "no/x.db"})
    assert mine.resolved_db_path() == Path("no/x.db") and not Path("no").exists()


# -- the example file ------------------------------------------------------------------------


def test_example_config_loads():
    cfg = load_config(EXAMPLE, env=EXAMPLE_ENV)
    assert not cfg.is_demo and cfg.source == EXAMPLE
    assert cfg.account_names == ("binance-main", "okx-perps", "bybit-watch", "paper-desk")
    okx = cfg.account("okx-perps")
    assert okx.credentials() == {
        "apiKey": "okx-key-2",
        "secret": "okx-secret-2",
        "password": "okx-pass-2",
    }
    assert okx.ccxt_options == {"defaultType": "swap"}
    bybit = cfg.account("bybit-watch")
    assert bybit.read_only and bybit.api_url == "http://127.0.0.1:8080"
    desk = cfg.account("paper-desk")
    assert desk.credentials() == {}
    assert desk.balances == {"USDT": Decimal(100000), "BTC": Decimal("1.5"), "ETH": Decimal(20)}
    assert desk.leverage == Decimal(5)
    assert cfg.market.timeframes == ("1m", "15m", "1h", "4h", "1d")
    assert cfg.market.history_days == 30
    assert cfg.pollers.tickers == 1.5 and cfg.pollers.max_backoff == 120
    assert cfg.risk.confirm_live_above == (Decimal(1000), Decimal(10000), Decimal(100000))
    assert cfg.paper.start_ms == 1_717_200_000_000
    assert cfg.resolved_db_path() == Path("~/trading/hedgetui.db").expanduser()


def test_example_config_names_every_key():
    text = EXAMPLE.read_text()
    models = [Config, AccountConfig] + [
        f.annotation for f in Config.model_fields.values() if isinstance(f.annotation, type)
    ]
    for model in models:
        for key in model.model_fields:
            assert key in text, f"config.example.toml does not mention {key!r}"


# -- accounts and secrets ------------------------------------------------------------------


def test_secrets_are_read_into_secretstr_and_never_shown():
    cfg = load_config(EXAMPLE, env=EXAMPLE_ENV)
    main = cfg.account("binance-main")
    assert main.api_key.get_secret_value() == "bn-key-1"
    assert main.secret.get_secret_value() == "bn-secret-1"
    assert main.password is None
    for text in (repr(cfg), str(cfg), repr(main), str(cfg.model_dump()), cfg.model_dump_json()):
        for secret in EXAMPLE_ENV.values():
            assert secret not in text


def test_with_credentials_and_info():
    account = AccountConfig(name="bn", exchange="binance", tags=["a"], read_only=True)
    assert account.credentials() == {}
    armed = account.with_credentials(api_key="k", secret="s")
    assert armed.credentials() == {"apiKey": "k", "secret": "s"}
    assert account.credentials() == {}  # the original is untouched
    assert armed.info() == AccountInfo(
        name="bn", exchange="binance", is_paper=False, tags=("a",), read_only=True
    )


def test_paper_accounts_ignore_credential_names(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + 'api_key_env = "UNSET_KEY"\nsandbox = true\n')
    account = load_config(path, env={}).account("p1")
    assert account.credentials() == {} and account.is_paper


def test_float_amounts_become_exact_decimals(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + "balances = { BTC = 0.1, ETH = '0.3' }\n")
    assert load_config(path, env={}).account("p1").balances == {
        "BTC": Decimal("0.1"),
        "ETH": Decimal("0.3"),
    }


def test_account_lookup_error_lists_names():
    with pytest.raises(KeyError, match="main, alt, perps"):
        demo_config().account("nope")


# -- sections ------------------------------------------------------------------------------


def test_timeframes_are_deduped_and_ordered(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + '[market]\ntimeframes = ["1d", "1m", "1d", "4h"]\n')
    assert load_config(path, env={}).market.timeframes == ("1m", "4h", "1d")
    assert Config().market.timeframes == tuple(TIMEFRAMES)


def test_confirm_level_counts_thresholds_exceeded():
    risk = RiskConfig()
    assert [risk.confirm_level(Decimal(n)) for n in (10, 1000, 1001, 20_000, 10**6)] == [
        0,
        0,
        1,
        2,
        3,
    ]


def test_pollers_intervals():
    assert Config().pollers.intervals() == {
        "balances": 5.0,
        "positions": 5.0,
        "orders": 2.0,
        "fills": 5.0,
        "tickers": 2.0,
        "candles": 15.0,
    }


def test_naive_paper_start_is_utc(tmp_path):
    path = write(tmp_path, PAPER_ACCOUNT + "[paper]\nstart = 2024-01-01T00:00:00\n")
    assert load_config(path, env={}).paper.start_ms == 1_704_067_200_000


def test_config_error_is_a_plain_exception():
    err = ConfigError("bad", file="/c.toml", key="a.b")
    assert str(err) == "config error in /c.toml: a.b: bad"
    assert err.exit_code == 2


def test_config_imports_no_heavy_or_upper_layers():
    code = (
        "import sys, hedgetui.config as c; c.load_config(env={}); "
        "bad = [m for m in ('textual', 'aiosqlite', 'ccxt', 'hedgetui.store', "
        "'hedgetui.runtime', 'hedgetui.ui') if m in sys.modules]; print(bad)"
    )
    env = {"XDG_CONFIG_HOME": "/nonexistent-hedgetui-test", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
