"""Indicator specs (parsing, errors, column naming, apply) and VWAP against a plain reference."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from hedgetui.analytics import indicators as ind
from hedgetui.analytics.indicator_spec import (
    IndicatorSpec,
    IndicatorSpecError,
    apply_indicators,
    parse_indicator_specs,
)

DAY = 86_400_000


def frame(n: int = 300, step: int = 3_600_000, seed: int = 0, start: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(scale=0.01, size=n)))
    return pl.DataFrame(
        {
            "ts": start + np.arange(n, dtype=np.int64) * step,
            "open": close * (1 + rng.normal(scale=0.001, size=n)),
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": rng.uniform(0, 5, n),
        }
    )


# --- parsing -------------------------------------------------------------------------------


def test_parse_example_from_the_cli():
    specs = parse_indicator_specs("ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14")
    assert specs == [
        IndicatorSpec("ema", (20,)),
        IndicatorSpec("rsi", (14,)),
        IndicatorSpec("macd", (12, 26, 9)),
        IndicatorSpec("bbands", (20, 2.0, 2.0)),
        IndicatorSpec("atr", (14,)),
    ]


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("ema", ("ema_20",)),
        ("sma", ("sma_20",)),
        ("sma:50", ("sma_50",)),
        ("wma:10", ("wma_10",)),
        ("rsi", ("rsi_14",)),
        ("atr", ("atr_14",)),
        ("macd", ("macd_12_26_9", "macdsignal_12_26_9", "macdhist_12_26_9")),
        ("macd:5", ("macd_5_26_9", "macdsignal_5_26_9", "macdhist_5_26_9")),
        ("bbands", ("bbupper_20_2", "bbmiddle_20_2", "bblower_20_2")),
        ("bbands:20:2", ("bbupper_20_2", "bbmiddle_20_2", "bblower_20_2")),
        ("bbands:20:2:2", ("bbupper_20_2", "bbmiddle_20_2", "bblower_20_2")),
        ("bbands:20:2.5:1", ("bbupper_20_2.5_1", "bbmiddle_20_2.5_1", "bblower_20_2.5_1")),
        ("bbands:10:1.5", ("bbupper_10_1.5", "bbmiddle_10_1.5", "bblower_10_1.5")),
        ("stoch", ("stochk_5_3_3", "stochd_5_3_3")),
        ("stoch:14:3:3", ("stochk_14_3_3", "stochd_14_3_3")),
        ("vwap", ("vwap",)),
    ],
)
def test_defaults_and_column_names(text, columns):
    (spec,) = parse_indicator_specs(text)
    assert spec.columns == columns


def test_overlay_or_oscillator():
    specs = parse_indicator_specs("sma,ema,wma,bbands,vwap,rsi,macd,atr,stoch")
    assert [s.name for s in specs if s.is_overlay] == ["sma", "ema", "wma", "bbands", "vwap"]
    assert [s.kind for s in specs if not s.is_overlay] == ["oscillator"] * 4


def test_labels():
    labels = [s.label for s in parse_indicator_specs("macd,bbands:20:2:2,bbands:20:2:1,vwap")]
    assert labels == ["MACD(12,26,9)", "BBANDS(20,2)", "BBANDS(20,2,1)", "VWAP"]


def test_lenient_about_case_spaces_aliases_and_duplicates():
    specs = parse_indicator_specs(" EMA : 20 , bb:20:2,, ema:20, bbands ")
    assert specs == [IndicatorSpec("ema", (20,)), IndicatorSpec("bbands", (20, 2.0, 2.0))]
    assert parse_indicator_specs("") == []
    assert parse_indicator_specs(["rsi:7", "atr"]) == [
        IndicatorSpec("rsi", (7,)),
        IndicatorSpec("atr", (14,)),
    ]


@pytest.mark.parametrize(
    ("text", "item", "fragment"),
    [
        ("ema:20,emma:20", "emma:20", "unknown indicator 'emma'; did you mean 'ema'"),
        ("rsii", "rsii", "did you mean 'rsi'"),
        ("zzz", "zzz", "unknown indicator 'zzz'"),
        ("ema:0", "ema:0", "period must be positive, got 0"),
        ("sma:-5", "sma:-5", "period must be positive, got -5"),
        ("ema:2.5", "ema:2.5", "period must be a whole number, got '2.5'"),
        ("ema:abc", "ema:abc", "period must be a whole number"),
        ("ema:20:3", "ema:20:3", "ema takes at most 1 parameter(s) (ema[:period]), got 2"),
        ("macd:12:26:9:4", "macd:12:26:9:4", "at most 3 parameter(s)"),
        ("vwap:1", "vwap:1", "vwap takes no parameters"),
        ("rsi:1", "rsi:1", "period must be at least 2, got 1"),
        ("bbands:1", "bbands:1", "period must be at least 2"),
        ("bbands:20:0", "bbands:20:0", "nbdev must be positive"),
        ("bbands:20:x", "bbands:20:x", "nbdev must be a number, got 'x'"),
        ("bbands:20:nan", "bbands:20:nan", "nbdev must be a finite number"),
        ("macd:1:26:9", "macd:1:26:9", "fast must be at least 2"),
        ("macd:26:12", "macd:26:12", "fast period (26) must be shorter than the slow (12)"),
        ("macd:12::9", "macd:12::9", "slow is empty"),
        ("atr:1000001", "atr:1000001", "at most 100000"),
    ],
)
def test_bad_specs_name_the_bad_part_and_show_the_syntax(text, item, fragment):
    with pytest.raises(IndicatorSpecError) as info:
        parse_indicator_specs(text)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert info.value.item == item
    assert f"bad indicator {item!r}" in message
    assert fragment in message
    assert "e.g. 'ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14'" in message
    assert "macd[:fast][:slow][:signal]" in message


# --- apply ---------------------------------------------------------------------------------


def test_apply_adds_every_column_with_the_functions_values():
    df = frame()
    specs = parse_indicator_specs("ema:20,sma:50,wma:10,rsi,atr,macd,bbands:20:2,stoch,vwap")
    out = apply_indicators(df, specs)
    expected_cols = [c for s in specs for c in s.columns]
    assert out.columns == df.columns + expected_cols
    assert out.height == df.height
    assert out["ema_20"].equals(ind.ema(df["close"], 20))
    assert out["atr_14"].equals(ind.atr(df["high"], df["low"], df["close"], 14))
    assert out["macdhist_12_26_9"].equals(ind.macd(df["close"])[2])
    assert out["bblower_20_2"].equals(ind.bbands(df["close"])[2])
    assert out["stochd_5_3_3"].equals(ind.stoch(df["high"], df["low"], df["close"])[1])
    assert out["vwap"].equals(ind.vwap(df))
    # null during warm-up, values after
    assert out["ema_20"].head(19).null_count() == 19 and out["ema_20"][19] is not None
    assert out["macd_12_26_9"].head(33).null_count() == 33
    assert out["macd_12_26_9"].slice(33).null_count() == 0


def test_apply_accepts_a_spec_string_and_replaces_same_named_columns():
    df = frame(n=50)
    once = apply_indicators(df, "rsi")
    twice = apply_indicators(once, "rsi:14")
    assert twice.columns == once.columns
    assert twice["rsi_14"].equals(once["rsi_14"])
    assert apply_indicators(df, []).equals(df)


def test_apply_on_short_data_gives_null_columns():
    out = apply_indicators(frame(n=10), "ema:20,macd,rsi")
    for col in ("ema_20", "macd_12_26_9", "rsi_14"):
        assert out[col].null_count() == 10


def test_apply_missing_columns_and_unsorted_data_are_clear_errors():
    df = frame(n=30)
    with pytest.raises(ValueError, match="ATR\\(14\\) needs columns high, low, close; .*high"):
        apply_indicators(df.drop("high"), "atr")
    with pytest.raises(ValueError, match="ascending ts"):
        apply_indicators(df.reverse(), "ema")
    with pytest.raises(IndicatorSpecError):
        apply_indicators(df, "emaa")


# --- VWAP against a plain Python reference -------------------------------------------------


def vwap_reference(df: pl.DataFrame, reset_daily: bool) -> list[float | None]:
    out: list[float | None] = []
    pv = vol = 0.0
    day = None
    for ts, h, lo, c, v in df.select("ts", "high", "low", "close", "volume").iter_rows():
        if reset_daily and ts // DAY != day:
            day, pv, vol = ts // DAY, 0.0, 0.0
        pv += (h + lo + c) / 3.0 * v
        vol += v
        out.append(pv / vol if vol else None)
    return out


@pytest.mark.parametrize("reset_daily", [True, False])
@pytest.mark.parametrize("step", [60_000, 3_600_000, 4 * 3_600_000])
def test_vwap_matches_reference(reset_daily, step):
    df = frame(n=500, step=step, seed=step % 97, start=1_700_000_000_000)
    ours = ind.vwap(df, reset_daily=reset_daily).to_list()
    ref = vwap_reference(df, reset_daily)
    assert len(ours) == len(ref)
    for o, r in zip(ours, ref, strict=True):
        assert (o is None and r is None) or math.isclose(o, r, rel_tol=1e-9)


def test_vwap_resets_at_utc_midnight_and_is_null_without_volume():
    df = pl.DataFrame(
        {
            "ts": [DAY - 120_000, DAY - 60_000, DAY, DAY + 60_000],
            "high": [12.0, 22.0, 30.0, 40.0],
            "low": [8.0, 18.0, 30.0, 20.0],
            "close": [10.0, 20.0, 30.0, 30.0],
            "volume": [1.0, 3.0, 0.0, 2.0],
        }
    )
    # day 0: tp 10 (vol 1), 20 (vol 3) -> 10, 17.5; day 1 starts with no volume -> null
    assert ind.vwap(df).to_list() == [10.0, 17.5, None, 30.0]
    # no reset: (10*1 + 20*3 + 30*0 + 30*2) / 6
    assert ind.vwap(df, reset_daily=False).to_list() == [10.0, 17.5, 17.5, 130.0 / 6]


def test_vwap_needs_its_columns():
    with pytest.raises(ValueError, match="missing \\['volume'\\]"):
        ind.vwap(frame(n=5).drop("volume"))
