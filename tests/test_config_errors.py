"""Every bad configuration gets one clear line: where, which key, what to do; never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

import hedgetui.config.load as load_mod
from hedgetui.config import ConfigError, load_config

SECRET = "S3cr3tPlanted9xQvalue"
BASE_ENV = {"BN_KEY": "bn-key", "BN_SECRET": SECRET}
LIVE = '[[accounts]]\nname = "bn"\nexchange = "binance"\napi_key_env = "BN_KEY"\nsecret_env = "BN_SECRET"\n'
PAPER = '[[accounts]]\nname = "main"\nexchange = "paper"\n'


@pytest.fixture(autouse=True)
def no_platform_file(tmp_path, monkeypatch):
    monkeypatch.setattr(load_mod, "default_config_path", lambda: tmp_path / "none" / "c.toml")


def fail(tmp_path: Path, text: str, env: dict | None = None, **kw) -> ConfigError:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={**BASE_ENV, **(env or {})}, **kw)
    err = info.value
    line = str(err)
    assert "\n" not in line and "Traceback" not in line
    assert err.__suppress_context__ or err.__cause__ is None
    assert SECRET not in line and SECRET not in repr(err)
    return err


def in_file(err: ConfigError, tmp_path: Path, key: str, *words: str) -> None:
    assert err.file == str(tmp_path / "config.toml")
    assert err.key == key
    assert err.env_var is None
    assert str(err).startswith(f"config error in {err.file}: {key}: ")
    for word in words:
        assert word in err.message, (word, err.message)


def in_env(err: ConfigError, var: str, *words: str) -> None:
    assert err.env_var == var and err.key == var
    assert str(err).startswith(f"config error in environment: {var}: ")
    for word in words:
        assert word in err.message, (word, err.message)


# -- the file ------------------------------------------------------------------------------


def test_toml_syntax_error_names_line_and_column(tmp_path):
    err = fail(tmp_path, PAPER + "tags = [spot]\n")
    in_file(err, tmp_path, "line 4, column 9", "invalid TOML")


def test_toml_syntax_error_does_not_echo_the_line(tmp_path):
    err = fail(tmp_path, PAPER + f"api_key = {SECRET}\n")
    assert err.key.startswith("line 4")


def test_missing_explicit_config_path(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml", env={})
    assert info.value.file == str(tmp_path / "nope.toml")
    assert str(info.value) == (
        f"config error in {tmp_path / 'nope.toml'}: file not found — check the path given to "
        "--config"
    )


def test_missing_hedgetui_config_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found — check HEDGETUI_CONFIG"):
        load_config(env={"HEDGETUI_CONFIG": str(tmp_path / "gone.toml")})


def test_config_path_is_a_directory(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path, env={})


def test_not_utf8(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"[ui]\ntheme = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path, env={})


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[polers]\ntickers = 1\n", "polers", ["unknown key 'polers'", "did you mean 'pollers'"]),
        ("[pollers]\ntickrs = 1\n", "pollers.tickrs", ["did you mean 'tickers'"]),
        (PAPER + "tagz = ['a']\n", "accounts[0].tagz", ["did you mean 'tags'"]),
        (PAPER + "zzz = 1\n", "accounts[0].zzz", ["unknown key 'zzz'", "valid keys here: name"]),
        (PAPER + "api_key = 'x'\n", "accounts[0].api_key", ["did you mean 'api_key_env'"]),
    ],
)
def test_unknown_keys_with_suggestions(tmp_path, text, key, words):
    in_file(fail(tmp_path, text), tmp_path, key, *words)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[pollers]\ntickers = 'fast'\n", "pollers.tickers", ["expected a number", "'fast'"]),
        (PAPER + "sandbox = 'maybe'\n", "accounts[0].sandbox", ["expected true or false"]),
        (PAPER.replace('"main"', "7"), "accounts[0].name", ["expected a string"]),
        (PAPER + "tags = 'x'\n[store]\npath = 5\n", "store.path", ["expected a string", "5"]),
        ("[market]\nhistory_days = 1.5\n", "market.history_days", ["whole number"]),
        ("[market]\nwatchlist = ['BTC/USDT']\n", "market.watchlist", ["expected a table"]),
        ("[accounts]\nname = 'x'\n", "accounts", ["[[accounts]]"]),
        ("pollers = 3\n", "pollers", ["expected a table"]),
        (PAPER + "balances = { USDT = 'lots' }\n", "accounts[0].balances.USDT", ["number"]),
        ("[paper]\nstart = 'yesterday'\n", "paper.start", ["date-time"]),
    ],
)
def test_wrong_types(tmp_path, text, key, words):
    in_file(fail(tmp_path, text), tmp_path, key, *words)


def test_missing_required_key(tmp_path):
    err = fail(tmp_path, '[[accounts]]\nname = "x"\n')
    in_file(err, tmp_path, "accounts[0].exchange", "required key 'exchange' is missing")


def test_duplicate_account_name(tmp_path):
    err = fail(tmp_path, PAPER + PAPER)
    assert str(err) == (
        f"config error in {tmp_path / 'config.toml'}: accounts[1].name: duplicate account name "
        "'main' — account names must be unique; rename one of them"
    )


def test_account_names_clashing_ignoring_case_and_separators(tmp_path):
    err = fail(tmp_path, PAPER.replace("main", "bn-1") + PAPER.replace("main", "BN_1"))
    in_file(err, tmp_path, "accounts[1].name", "clashes with 'bn-1'")


@pytest.mark.parametrize("name", ["bad name", "a__b", "-x", "x" * 33, ""])
def test_invalid_account_names(tmp_path, name):
    err = fail(tmp_path, PAPER.replace('"main"', f'"{name}"'))
    in_file(err, tmp_path, "accounts[0].name", "invalid account name")


def test_unknown_exchange_suggests(tmp_path):
    err = fail(tmp_path, LIVE.replace('"binance"', '"binanse"'))
    in_file(err, tmp_path, "accounts[0].exchange", "unknown exchange 'binanse'", "'binance'")
    err = fail(tmp_path, LIVE.replace('"binance"', '"Kraken"'))
    assert "did you mean 'kraken'" in err.message


def test_unknown_exchange_in_watchlist(tmp_path):
    err = fail(tmp_path, "[market]\nwatchlist.bybitt = ['BTC/USDT']\n")
    in_file(err, tmp_path, "market.watchlist.bybitt", "did you mean 'bybit'")


def test_timeframe_not_allowed(tmp_path):
    err = fail(tmp_path, "[market]\ntimeframes = ['1m', '2h']\n")
    in_file(err, tmp_path, "market.timeframes[1]", "'2h'", "1m, 5m, 15m, 1h, 4h, 1d")
    err = fail(tmp_path, "[market]\ntimeframes = []\n")
    in_file(err, tmp_path, "market.timeframes", "empty")


@pytest.mark.parametrize(
    ("symbol", "hint"),
    [
        ("BTCUSDT", "did you mean 'BTC/USDT'"),
        ("eth-usdt", "did you mean 'ETH/USDT'"),
        ("BTC/USDT/X", "write e.g. 'BTC/USDT'"),
        ("BTC / USDT", "write e.g."),
    ],
)
def test_watchlist_symbol_not_unified(tmp_path, symbol, hint):
    err = fail(tmp_path, f"[market]\nwatchlist.paper = ['ETH/USDT', '{symbol}']\n")
    in_file(err, tmp_path, "market.watchlist.paper[1]", "not a ccxt unified symbol", hint)


def test_unified_symbols_accepted(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(
        "[market]\nwatchlist.paper = ['BTC/USDT', 'BTC/USDT:USDT', 'BTC/USD:BTC-250627', "
        "'1000PEPE/USDT:USDT', 'BTC/USD:BTC-250627-60000-C']\n"
    )
    assert len(load_config(path, env={}).market.watchlist["paper"]) == 5


@pytest.mark.parametrize("feed", ["balances", "tickers", "stale_after", "max_backoff"])
@pytest.mark.parametrize("value", ["-1", "0"])
def test_non_positive_intervals(tmp_path, feed, value):
    err = fail(tmp_path, f"[pollers]\n{feed} = {value}\n")
    in_file(err, tmp_path, f"pollers.{feed}", "must be greater than 0")


def test_stale_after_must_exceed_intervals(tmp_path):
    err = fail(tmp_path, "[pollers]\ncandles = 120\nstale_after = 60\n")
    in_file(err, tmp_path, "pollers.stale_after", "candles = 120s")


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[risk]\nconfirm_live_above = [5000, 100]\n", "risk.confirm_live_above", ["rise"]),
        ("[risk]\nmax_notional_per_order = -5\n", "risk.max_notional_per_order", ["greater"]),
        ("[risk]\nprice_band_pct = 150\n", "risk.price_band_pct", ["at most 100"]),
        ("[risk]\nmax_open_orders = 0\n", "risk.max_open_orders", ["greater than 0"]),
        (PAPER + "leverage = 0\n", "accounts[0].leverage", ["at least 1"]),
        (PAPER + "balances = { USDT = -3 }\n", "accounts[0].balances.USDT", ["at least 0"]),
        (PAPER + "balances = { 'US DT' = 3 }\n", 'accounts[0].balances."US DT"', ["asset code"]),
        (PAPER + "api_url = 'ftp://x'\n", "accounts[0].api_url", ["http(s) URL"]),
        (PAPER + "tags = ['ok', 'not ok']\n", "accounts[0].tags", ["invalid tag"]),
        (PAPER + "ccxt_options = { secret = 'x' }\n", "accounts[0].ccxt_options", ["credentials"]),
    ],
)
def test_bad_values(tmp_path, text, key, words):
    in_file(fail(tmp_path, text), tmp_path, key, *words)


def test_paper_only_keys_on_live_account(tmp_path):
    err = fail(tmp_path, LIVE + "balances = { USDT = 1 }\n")
    in_file(err, tmp_path, "accounts[0].balances", "paper accounts only", "remove it")


# -- secrets ---------------------------------------------------------------------------------


def test_live_account_without_key_names(tmp_path):
    err = fail(tmp_path, '[[accounts]]\nname = "bn"\nexchange = "binance"\nread_only = true\n')
    in_file(err, tmp_path, "accounts[0].api_key_env", "needs an API key", "read-only")
    err = fail(tmp_path, LIVE.replace('secret_env = "BN_SECRET"\n', ""))
    in_file(err, tmp_path, "accounts[0].secret_env", "needs an API secret")


def test_missing_secret_env_var_names_var_and_account(tmp_path):
    err = fail(tmp_path, LIVE, env={"BN_KEY": ""})
    in_file(err, tmp_path, "accounts[0].api_key_env", "BN_KEY is not set", "account 'bn'")
    err = fail(tmp_path, LIVE + 'password_env = "BN_PASS"\n')
    in_file(err, tmp_path, "accounts[0].password_env", "BN_PASS", "API password")


def test_secret_pasted_as_env_name_is_not_echoed(tmp_path):
    err = fail(tmp_path, LIVE.replace('"BN_KEY"', f'"{SECRET}"'))
    in_file(err, tmp_path, "accounts[0].api_key_env", "looks like a secret")
    err = fail(tmp_path, LIVE.replace('"BN_KEY"', '"abc-def+ghi/jk=="'))
    in_file(err, tmp_path, "accounts[0].api_key_env", "not a valid environment variable name")
    assert "abc-def" not in str(err)


def test_secret_under_unknown_key_is_not_echoed(tmp_path):
    err = fail(tmp_path, LIVE + f'api_secret = "{SECRET}"\n')
    assert err.key == "accounts[0].api_secret"


def test_secret_never_in_errors_from_other_accounts(tmp_path):
    err = fail(tmp_path, LIVE + LIVE.replace('"bn"', '"bn2"').replace("BN_KEY", "BN2_KEY"))
    assert "BN2_KEY" in err.message


def test_secret_in_env_override_is_not_echoed(tmp_path):
    err = fail(tmp_path, LIVE, env={"HEDGETUI_ACCOUNTS__BN__API_KEY_ENV": SECRET})
    in_env(err, "HEDGETUI_ACCOUNTS__BN__API_KEY_ENV", "looks like a secret")
    err = fail(tmp_path, LIVE, env={"HEDGETUI_ACCOUNTS__BN__API_KEY": SECRET})
    in_env(err, "HEDGETUI_ACCOUNTS__BN__API_KEY", "unknown key 'api_key'")


# -- environment overrides --------------------------------------------------------------------


def test_env_wrong_type_names_the_env_var(tmp_path):
    err = fail(tmp_path, PAPER + "[pollers]\ntickers = 1\n", {"HEDGETUI_POLLERS__TICKERS": "fast"})
    in_env(err, "HEDGETUI_POLLERS__TICKERS", "expected a number", "'fast'")
    assert err.file == str(tmp_path / "config.toml")


def test_env_negative_interval(tmp_path):
    err = fail(tmp_path, PAPER, {"HEDGETUI_POLLERS__CANDLES": "-2"})
    in_env(err, "HEDGETUI_POLLERS__CANDLES", "greater than 0")


def test_env_unknown_key_suggests_env_var(tmp_path):
    err = fail(tmp_path, PAPER, {"HEDGETUI_POLLERS__TICKRS": "1"})
    in_env(err, "HEDGETUI_POLLERS__TICKRS", "did you mean 'HEDGETUI_POLLERS__TICKERS'")


def test_env_unknown_section_and_single_underscore(tmp_path):
    err = fail(tmp_path, PAPER, {"HEDGETUI_POLERS__TICKERS": "1"})
    in_env(err, "HEDGETUI_POLERS__TICKERS", "did you mean HEDGETUI_POLLERS__")
    err = fail(tmp_path, PAPER, {"HEDGETUI_STORE_PATH": "/x.db"})
    in_env(err, "HEDGETUI_STORE_PATH", "HEDGETUI_STORE__PATH")


def test_env_secret_names_with_the_prefix_are_not_settings(tmp_path):
    text = LIVE.replace("BN_KEY", "HEDGETUI_STORE_KEY")
    path = tmp_path / "ok.toml"
    path.write_text(text)
    cfg = load_config(path, env={**BASE_ENV, "HEDGETUI_STORE_KEY": "k"})
    assert cfg.account("bn").credentials()["apiKey"] == "k"


def test_env_bad_timeframe_and_bad_json(tmp_path):
    err = fail(tmp_path, PAPER, {"HEDGETUI_MARKET__TIMEFRAMES": "1m,2h"})
    in_env(err, "HEDGETUI_MARKET__TIMEFRAMES", "[1]: unsupported timeframe '2h'")
    err = fail(tmp_path, PAPER, {"HEDGETUI_MARKET__TIMEFRAMES": '["1m",'})
    in_env(err, "HEDGETUI_MARKET__TIMEFRAMES", "not valid JSON")
    err = fail(tmp_path, PAPER, {"HEDGETUI_ACCOUNTS__MAIN__TAGS": "[oops"})
    in_env(err, "HEDGETUI_ACCOUNTS__MAIN__TAGS", "not valid JSON")


def test_env_account_overrides(tmp_path):
    err = fail(tmp_path, PAPER, {"HEDGETUI_ACCOUNTS__MAIN__SANDBOX": "maybe"})
    in_env(err, "HEDGETUI_ACCOUNTS__MAIN__SANDBOX", "expected true or false")
    err = fail(tmp_path, PAPER, {"HEDGETUI_ACCOUNTS__MAIN__BALANCES__USDT": "-1"})
    in_env(err, "HEDGETUI_ACCOUNTS__MAIN__BALANCES__USDT", "at least 0")
    err = fail(tmp_path, PAPER, {"HEDGETUI_ACCOUNTS__MAINN__READ_ONLY": "1"})
    in_env(err, "HEDGETUI_ACCOUNTS__MAINN__READ_ONLY", "no account named 'mainn'", "main")
    err = fail(tmp_path, PAPER, {"HEDGETUI_ACCOUNTS__MAIN": "1"})
    in_env(err, "HEDGETUI_ACCOUNTS__MAIN", "HEDGETUI_ACCOUNTS__<NAME>__<KEY>")


def test_env_duplicate_name_names_the_var(tmp_path):
    err = fail(
        tmp_path, PAPER + PAPER.replace("main", "alt"), {"HEDGETUI_ACCOUNTS__ALT__NAME": "main"}
    )
    in_env(err, "HEDGETUI_ACCOUNTS__ALT__NAME", "duplicate account name 'main'")


def test_env_accounts_json_errors_point_inside(tmp_path):
    err = fail(tmp_path, PAPER, {"HEDGETUI_ACCOUNTS": '[{"name": "x"}]'})
    in_env(err, "HEDGETUI_ACCOUNTS", "[0].exchange: required key 'exchange' is missing")


def test_override_errors_name_the_options(tmp_path):
    err = fail(tmp_path, PAPER, overrides={"store": {"path": 3}})
    assert str(err).startswith("config error in command-line options: store.path: ")
