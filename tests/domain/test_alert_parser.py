"""The alert rule language: every rule type parses to the expected model, formats to a
canonical text that re-parses to the same rule, and bad input is a RuleParseError with a
column and a caret — never any other exception."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgetui.domain.alerts import (
    AlertRule,
    Direction,
    Mode,
    Operand,
    RuleKind,
    RuleParseError,
    format_rule,
    parse_rule,
)
from hedgetui.domain.alerts.rules import (
    AccountParams,
    ChangeParams,
    CrossParams,
    HealthParams,
    IndicatorCrossParams,
    IndicatorParams,
    LineCrossParams,
    PriceParams,
    VolumeParams,
)

NOW = 1_767_225_600_000  # 2026-01-01T00:00Z


def p(text: str) -> AlertRule:
    return parse_rule(text, now_ms=NOW)


@pytest.mark.parametrize(
    "text, kind, params",
    [
        (
            "BTC/USDT > 65000",
            RuleKind.PRICE,
            PriceParams(None, "BTC/USDT", "last", ">", Decimal(65000)),
        ),
        (
            "btc/usdt >= 65,000.5",
            RuleKind.PRICE,
            PriceParams(None, "BTC/USDT", "last", ">=", Decimal("65000.5")),
        ),
        (
            "binance:BTC/USDT:USDT bid < 60_000",
            RuleKind.PRICE,
            PriceParams("binance", "BTC/USDT:USDT", "bid", "<", Decimal(60000)),
        ),
        (
            "binance:BTC/USDT crosses 64000",
            RuleKind.CROSS,
            CrossParams("binance", "BTC/USDT", "last", Direction.ANY, Decimal(64000)),
        ),
        (
            "BTC/USDT crosses up 64000",
            RuleKind.CROSS,
            CrossParams(None, "BTC/USDT", "last", Direction.ABOVE, Decimal(64000)),
        ),
        (
            "BTC/USDT mid crosses down 64000",
            RuleKind.CROSS,
            CrossParams(None, "BTC/USDT", "mid", Direction.BELOW, Decimal(64000)),
        ),
        (
            "BTC/USDT crosses line 17",
            RuleKind.LINE_CROSS,
            LineCrossParams(None, "BTC/USDT", "last", Direction.ANY, "17"),
        ),
        (
            "BTC/USDT change 5m > 2%",
            RuleKind.CHANGE,
            ChangeParams(None, "BTC/USDT", 300_000, ">", Decimal(2)),
        ),
        (
            "BTC/USDT change 1h < -3 %",
            RuleKind.CHANGE,
            ChangeParams(None, "BTC/USDT", 3_600_000, "<", Decimal(-3)),
        ),
        (
            "BTC/USDT abs change 1h30m > 1.5%",
            RuleKind.CHANGE,
            ChangeParams(None, "BTC/USDT", 5_400_000, ">", Decimal("1.5"), True),
        ),
        (
            "ETH/USDT volume 1m > 3x avg 20",
            RuleKind.VOLUME,
            VolumeParams(None, "ETH/USDT", "1m", ">", Decimal(3), 20),
        ),
        (
            "BTC/USDT rsi 14 1h > 70",
            RuleKind.INDICATOR,
            IndicatorParams(None, "BTC/USDT", "1h", Operand("rsi", 14), ">", Decimal(70)),
        ),
        (
            "BTC/USDT rsi 14 < 30 1h",
            RuleKind.INDICATOR,
            IndicatorParams(None, "BTC/USDT", "1h", Operand("rsi", 14), "<", Decimal(30)),
        ),
        (
            "BTC/USDT close 4h > ema 200",
            RuleKind.INDICATOR,
            IndicatorParams(None, "BTC/USDT", "4h", Operand("close"), ">", Operand("ema", 200)),
        ),
        (
            "BTC/USDT ema 20 crosses above ema 50 5m",
            RuleKind.INDICATOR_CROSS,
            IndicatorCrossParams(
                None, "BTC/USDT", "5m", Operand("ema", 20), Direction.ABOVE, Operand("ema", 50)
            ),
        ),
        (
            "BTC/USDT rsi 14 1h crosses 50",
            RuleKind.INDICATOR_CROSS,
            IndicatorCrossParams(
                None, "BTC/USDT", "1h", Operand("rsi", 14), Direction.ANY, Decimal(50)
            ),
        ),
        ("equity main < 90000", RuleKind.EQUITY, AccountParams("main", "<", Decimal(90000))),
        ("equity TOTAL > 200000", RuleKind.EQUITY, AccountParams("total", ">", Decimal(200000))),
        ("pnl main < -500", RuleKind.PNL, AccountParams("main", "<", Decimal(-500))),
        ("pnl total > 1000", RuleKind.PNL, AccountParams("total", ">", Decimal(1000))),
        (
            "balance main usdt < 1000",
            RuleKind.BALANCE,
            AccountParams("main", "<", Decimal(1000), "USDT"),
        ),
        ("stale account main 60s", RuleKind.STALE, HealthParams("account", "main", 60_000)),
        (
            "stale poller market:paper:tickers 30s",
            RuleKind.STALE,
            HealthParams("poller", "market:paper:tickers", 30_000),
        ),
        ("error account main", RuleKind.ERROR, HealthParams("account", "main")),
    ],
)
def test_each_rule_type_parses(text, kind, params):
    rule = p(text)
    assert (rule.kind, rule.params) == (kind, params)
    assert rule.options.mode is Mode.ONCE and rule.id is None and rule.enabled


def test_canonical_text():
    cases = {
        "binance:btc/usdt CROSSES UP 64,000.50 repeat 300s": "binance:BTC/USDT crosses above 64000.5 repeat 5m",
        "BTC/USDT last > 65000 once": "BTC/USDT > 65000",
        "BTC/USDT > 65000 until-ack": "BTC/USDT > 65000 until-ack 1m",
        "BTC/USDT > 65000 repeat": "BTC/USDT > 65000 repeat 1m",
        'BTC/USDT > 65000 note "take \\"profit\\"" auto arm tp-1': 'BTC/USDT > 65000 arm tp-1 auto note "take \\"profit\\""',
        'BTC/USDT > 65000 arm "my batch"': 'BTC/USDT > 65000 arm "my batch"',
        "BTC/USDT > 65000 expires 4h": "BTC/USDT > 65000 expires 2026-01-01T04:00Z",
        "BTC/USDT > 65000 expires 2026-12-31": "BTC/USDT > 65000 expires 2026-12-31",
        "BTC/USDT > 65000 expires 2026-12-31T18:30:15": "BTC/USDT > 65000 expires 2026-12-31T18:30:15Z",
        "stale account main 90s": "stale account main 1m30s",
        "BTC/USDT rsi 14 > 70 1h": "BTC/USDT rsi 14 1h > 70",
        "BTC/USDT ema 20 5m crosses ema 50": "BTC/USDT ema 20 crosses ema 50 5m",
        "ETH/USDT volume 1m >= 2.50 x avg 10": "ETH/USDT volume 1m >= 2.5x avg 10",
    }
    for text, canonical in cases.items():
        rule = p(text)
        assert rule.text == canonical == format_rule(rule)
        assert parse_rule(rule.text, now_ms=NOW + 123_456_789) == rule


def test_options():
    rule = p('BTC/USDT crosses 64000 repeat 5m expires 2026-12-31 arm scalp auto note "hi"')
    o = rule.options
    assert (o.mode, o.cooldown_ms, o.arm_template, o.auto, o.note) == (
        Mode.REPEAT,
        300_000,
        "scalp",
        True,
        "hi",
    )
    assert o.expires_at == 1_798_761_600_000  # 2027-01-01T00:00Z: valid through Dec 31
    assert not rule.is_expired(o.expires_at - 1) and rule.is_expired(o.expires_at)
    assert p("BTC/USDT > 1 until-ack 30s").options.cooldown_ms == 30_000
    assert p("BTC/USDT > 1 expires 90m").options.expires_at == NOW + 5_400_000
    # relative expiries land on whole seconds, so the canonical text is exact
    assert parse_rule("BTC/USDT > 1 expires 1s", now_ms=NOW + 1).options.expires_at == NOW + 2000


@pytest.mark.parametrize(
    "text, column, expected",
    [
        ("", 1, "a rule like"),
        ("BTC/USDT abov 65000", 10, "a comparison"),
        ("BTC/USDT > ", 12, "a price"),
        ("BTC/USDT > 1,5", 12, "',' only groups thousands"),
        ("BTC/USDT > 0", 12, "greater than 0"),
        ("BTC/USDT > 65000 sometimes", 18, "an option"),
        ("BTC/USDT > 65000 once repeat 5m", 23, "at most one of once"),
        ("BTC/USDT > 65000 auto", 18, "'arm TEMPLATE' with 'auto'"),
        ('BTC/USDT > 65000 note "unterminated', 23, 'a closing "'),
        ("BTC/USDT > 65000 note plain", 23, "a quoted note"),
        ("BTC/USDT > 65000 expires 2026-13-01", 26, "a valid date"),
        ("BTC/USDT > 65000 expires soon", 26, "a date"),
        ("BTC/USDT change 5 > 2%", 17, "a window like 30s"),
        ("BTC/USDT change 8d > 2%", 17, "a window from 1s to 1w"),
        ("BTC/USDT abs change 5m > -2%", 26, ">= 0 with 'abs'"),
        ("BTC/USDT rsi 14 3m > 70", 17, "a comparison"),
        ("BTC/USDT rsi 14 > 70", 21, "a timeframe"),
        ("BTC/USDT rsi 1 1h > 70", 14, "the rsi period"),
        ("BTC/USDT rsi 14 1h > 170", 22, "an RSI level from 0 to 100"),
        ("ETH/USDT volume 1m > 3x 20", 25, "'avg'"),
        ("ETH/USDT volume 1m > 0x avg 20", 22, "greater than 0"),
        ("equity", 7, "an account name"),
        ("balance main < 10", 14, "an asset"),
        ("stale account main", 19, "a maximum age"),
        ("error thing main", 7, "'account' or 'poller'"),
        ("hello world", 1, "a market like BTC/USDT"),
        ("BTC/USDT crosses line", 22, "a chart line id"),
        ("BTC/USDT > ١٢٣", 12, "a price"),  # Unicode digits are not numbers here
    ],
)
def test_errors_point_at_the_problem(text, column, expected):
    with pytest.raises(RuleParseError) as info:
        p(text)
    err = info.value
    assert err.column == column, str(err)
    assert expected in err.expected, str(err)
    lines = str(err).splitlines()
    assert lines[0].startswith(f"column {column}: expected ")
    assert lines[1] == "  " + text
    assert lines[2] == "  " + " " * (column - 1) + "^" * err.length


def test_error_is_a_value_error_naming_what_was_found():
    with pytest.raises(ValueError, match="found 'abov'"):
        p("BTC/USDT abov 65000")


_WORDS = st.sampled_from(
    [
        "BTC/USDT",
        "binance:ETH/USDT",
        ">",
        ">=",
        "<",
        "<=",
        "65000",
        "-3",
        "2%",
        "3x",
        "1m",
        "5m",
        "1h",
        "crosses",
        "above",
        "below",
        "line",
        "17",
        "change",
        "abs",
        "volume",
        "avg",
        "20",
        "rsi",
        "ema",
        "sma",
        "close",
        "14",
        "equity",
        "pnl",
        "balance",
        "main",
        "total",
        "USDT",
        "stale",
        "error",
        "account",
        "poller",
        "60s",
        "once",
        "repeat",
        "until-ack",
        "expires",
        "2026-12-31",
        "4h",
        "note",
        '"x"',
        "arm",
        "tp",
        "auto",
        '"',
        "9999-12-31",
        "0001-01-01",
        "99999999999999999999d",
        "1e9",
        ",",
        "%",
        "x",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_WORDS, max_size=12).map(" ".join)))
def test_any_input_parses_or_raises_rule_parse_error(text):
    try:
        rule = parse_rule(text, now_ms=NOW)
    except RuleParseError as err:
        assert 1 <= err.column <= len(text) + 1
        return
    assert parse_rule(format_rule(rule), now_ms=NOW + 86_400_000) == rule


_RULES = st.sampled_from(
    [
        "BTC/USDT > 65000",
        "binance:BTC/USDT crosses below 64000",
        "BTC/USDT ask crosses line a-1",
        "BTC/USDT abs change 15m >= 0.5%",
        "ETH/USDT volume 5m > 2.5x avg 50",
        "BTC/USDT sma 10 15m crosses below close",
        "pnl total <= -1,000.25",
        "balance sub-1 BTC < 0.001",
        "stale poller account:main:balances 2m",
        "error poller x",
    ]
)
_OPTIONS = st.tuples(
    st.sampled_from(["", "once", "repeat 5m", "repeat 0s", "until-ack 2m"]),
    st.sampled_from(["", "expires 2026-06-30T12:00", "expires 3d"]),
    st.sampled_from(["", 'note "n \\\\ q"', 'note "a \\"b\\""']),
    st.sampled_from(["", "arm tp", "arm tp auto", 'arm "my batch" auto']),
).map(lambda t: [o for o in t if o])


@settings(max_examples=200, deadline=None)
@given(_RULES, _OPTIONS, st.integers(0, 10**13))
def test_format_round_trips(body, options, now):
    rule = parse_rule(" ".join([body, *options]), now_ms=now)
    assert parse_rule(rule.text, now_ms=now + 999_999) == rule
    assert format_rule(parse_rule(rule.text, now_ms=0)) == rule.text
