"""Indicators against TA-Lib: same warm-up (null exactly where TA-Lib gives NaN) and values
within 1e-9 relative from TA-Lib's first value on."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgetui.analytics import indicators as ind

talib = pytest.importorskip("talib")

RTOL = 1e-9


def candles(seed: int, n: int = 3000, price: float = 60_000.0):
    """A geometric random walk with a realistic high/low around each close."""
    rng = np.random.default_rng(seed)
    close = price * np.exp(np.cumsum(rng.normal(scale=0.003, size=n)))
    high = close * (1 + rng.uniform(0, 0.004, n))
    low = close * (1 - rng.uniform(0, 0.004, n))
    return high, low, close


def check(ours: pl.Series, ref: np.ndarray, atol: float = 0.0) -> None:
    assert ours.dtype == pl.Float64
    assert ours.len() == len(ref)
    assert ours.is_nan().sum() == 0, "warm-up must be null, not NaN"
    got = ours.to_numpy()  # nulls become NaN
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref), err_msg="warm-up positions")
    assert np.isnan(ref).sum() < len(ref), "reference produced nothing; test data too short"
    mask = ~np.isnan(ref)
    np.testing.assert_allclose(got[mask], ref[mask], rtol=RTOL, atol=atol)


SCALES = [60_000.0, 1.0, 0.00001234]  # BTC-like, stablecoin-like, a micro-priced coin


@pytest.mark.parametrize("price", SCALES)
@pytest.mark.parametrize("period", [1, 2, 9, 20, 50, 200])
def test_moving_averages(price, period):
    _, _, close = candles(period, price=price)
    c = pl.Series(close)
    check(ind.sma(c, period), talib.SMA(close, period))
    check(ind.ema(c, period), talib.EMA(close, period))
    check(ind.wma(c, period), talib.WMA(close, period))


@pytest.mark.parametrize("price", SCALES)
@pytest.mark.parametrize(
    ("period", "up", "dn"), [(20, 2.0, 2.0), (2, 1.0, 1.0), (10, 2.5, 1.5), (50, 1.0, 3.0)]
)
def test_bbands(price, period, up, dn):
    _, _, close = candles(7, price=price)
    ours = ind.bbands(pl.Series(close), period, up, dn)
    ref = talib.BBANDS(close, period, up, dn, 0)
    for o, r in zip(ours, ref, strict=True):
        check(o, r)


@pytest.mark.parametrize("price", SCALES)
@pytest.mark.parametrize("period", [2, 6, 14, 30])
def test_rsi(price, period):
    _, _, close = candles(period + 100, price=price)
    check(ind.rsi(pl.Series(close), period), talib.RSI(close, period))


@pytest.mark.parametrize("price", SCALES)
@pytest.mark.parametrize(
    ("fast", "slow", "signal"), [(12, 26, 9), (2, 3, 1), (5, 35, 5), (26, 12, 9), (10, 10, 4)]
)
def test_macd(price, fast, slow, signal):
    _, _, close = candles(fast * slow, price=price)
    ours = ind.macd(pl.Series(close), fast, slow, signal)
    ref = talib.MACD(close, fast, slow, signal)
    # MACD lines are differences of two averages and cross zero: near a crossing a relative
    # bound is meaningless, so allow an absolute error of 1e-12 of the price level as well
    for o, r in zip(ours, ref, strict=True):
        check(o, r, atol=1e-12 * price)
    first = max(fast, slow) + signal - 2
    assert ours[0][first] is not None and ours[0][first - 1] is None


@pytest.mark.parametrize("price", SCALES)
@pytest.mark.parametrize("period", [1, 2, 14, 50])
def test_atr(price, period):
    high, low, close = candles(period + 3, price=price)
    h, lo, c = pl.Series(high), pl.Series(low), pl.Series(close)
    check(ind.atr(h, lo, c, period), talib.ATR(high, low, close, period))


@pytest.mark.parametrize("price", SCALES)
@pytest.mark.parametrize(("fk", "sk", "sd"), [(5, 3, 3), (14, 3, 3), (1, 1, 1), (9, 1, 5)])
def test_stoch(price, fk, sk, sd):
    high, low, close = candles(fk * 10 + sk, price=price)
    ours = ind.stoch(pl.Series(high), pl.Series(low), pl.Series(close), fk, sk, sd)
    ref = talib.STOCH(high, low, close, fk, sk, 0, sd, 0)
    for o, r in zip(ours, ref, strict=True):
        check(o, r, atol=1e-12)  # %K is exactly 0 when close is the window low


def test_long_series_stays_within_tolerance():
    """Running sums and recursions over 100,000 bars must not drift away from TA-Lib."""
    high, low, close = candles(1, n=100_000)
    h, lo, c = pl.Series(high), pl.Series(low), pl.Series(close)
    check(ind.sma(c, 20), talib.SMA(close, 20))
    check(ind.ema(c, 200), talib.EMA(close, 200))
    check(ind.wma(c, 30), talib.WMA(close, 30))
    for o, r in zip(ind.bbands(c), talib.BBANDS(close, 20, 2, 2, 0), strict=True):
        check(o, r)
    check(ind.rsi(c), talib.RSI(close, 14))
    check(ind.atr(h, lo, c), talib.ATR(high, low, close, 14))
    for o, r in zip(ind.macd(c), talib.MACD(close), strict=True):
        check(o, r, atol=1e-12 * 60_000)
    for o, r in zip(ind.stoch(h, lo, c), talib.STOCH(high, low, close), strict=True):
        check(o, r, atol=1e-12)


# --- edge cases, each compared with what TA-Lib itself does --------------------------------


def all_outputs(high: np.ndarray, low: np.ndarray, close: np.ndarray, pl_series=None):
    """(ours, talib's) for every indicator; ``pl_series`` builds the polars inputs."""
    make = pl_series or pl.Series
    h, lo, c = make(high), make(low), make(close)
    pairs = [
        (ind.sma(c, 5), talib.SMA(close, 5)),
        (ind.ema(c, 5), talib.EMA(close, 5)),
        (ind.wma(c, 5), talib.WMA(close, 5)),
        (ind.rsi(c, 5), talib.RSI(close, 5)),
        (ind.atr(h, lo, c, 5), talib.ATR(high, low, close, 5)),
    ]
    pairs += zip(ind.bbands(c, 5), talib.BBANDS(close, 5, 2, 2, 0), strict=True)
    pairs += zip(ind.macd(c, 3, 6, 2), talib.MACD(close, 3, 6, 2), strict=True)
    pairs += zip(ind.stoch(h, lo, c), talib.STOCH(high, low, close), strict=True)
    return pairs


def test_leading_nans_are_skipped_like_talib():
    high, low, close = candles(3, n=80)
    for arr in (high, low, close):
        arr[:4] = np.nan
    high[4] = np.nan  # the multi-input ones start where every input is present
    for ours, ref in all_outputs(high, low, close):
        check(ours, ref, atol=1e-7)  # MACD near zero (price ~60,000)


def test_leading_nulls_behave_like_leading_nans():
    high, low, close = candles(4, n=80)
    close[:6] = np.nan
    refs = [ref for _, ref in all_outputs(high, low, close)]

    def with_nulls(a):
        return pl.Series([None if np.isnan(v) else float(v) for v in a], dtype=pl.Float64)

    ours = [o for o, _ in all_outputs(high, low, close, pl_series=with_nulls)]
    for o, r in zip(ours, refs, strict=True):
        check(o, r, atol=1e-7)


def test_missing_value_inside_nulls_the_rest():
    """Documented difference from TA-Lib: after a hole the output is null to the end."""
    high, low, close = candles(5, n=100)
    hole = 60
    holed = close.copy()
    holed[hole] = np.nan
    clean_pairs = all_outputs(high[:hole], low[:hole], close[:hole])
    holed_outs = [o for o, _ in all_outputs(high, low, holed)]
    for out, (_, ref_before) in zip(holed_outs, clean_pairs, strict=True):
        assert out.slice(hole).null_count() == 100 - hole
        check(out.slice(0, hole), ref_before, atol=1e-7)


def test_flat_input_matches_talib():
    flat = np.full(60, 42.5)
    for ours, ref in all_outputs(flat, flat, flat):
        check(ours, ref)
    assert ind.rsi(pl.Series(flat), 14).drop_nulls().unique().to_list() == [0.0]
    upper, middle, lower = ind.bbands(pl.Series(flat))
    assert upper.drop_nulls().to_list() == middle.drop_nulls().to_list()
    assert lower.drop_nulls().to_list() == middle.drop_nulls().to_list()


@pytest.mark.parametrize("n", [1, 4, 5, 7])
def test_short_inputs_are_all_null(n):
    """Shorter than the lookback: all null, like TA-Lib's all-NaN."""
    high, low, close = candles(6, n=n)
    for ours, ref in all_outputs(high, low, close):
        assert ours.len() == n
        np.testing.assert_array_equal(np.isnan(ours.to_numpy()), np.isnan(ref))
    assert ind.rsi(pl.Series(close), 14).null_count() == n
    assert ind.macd(pl.Series(close))[2].null_count() == n


def test_empty_and_all_missing_inputs():
    empty = pl.Series([], dtype=pl.Float64)
    assert ind.ema(empty, 5).len() == 0
    assert ind.macd(empty)[0].len() == 0
    assert ind.stoch(empty, empty, empty)[1].len() == 0
    missing = pl.Series([None, float("nan"), None], dtype=pl.Float64)
    assert ind.sma(missing, 2).null_count() == 3
    assert ind.atr(missing, missing, missing, 1).null_count() == 3


def test_integer_input_is_accepted():
    close = pl.Series(list(range(1, 40)))
    check(ind.ema(close, 10), talib.EMA(np.arange(1, 40, dtype=float), 10))


@pytest.mark.parametrize(
    ("call", "talib_call"),
    [
        (lambda c: ind.rsi(c, 1), lambda a: talib.RSI(a, 1)),
        (lambda c: ind.bbands(c, 1), lambda a: talib.BBANDS(a, 1)),
        (lambda c: ind.macd(c, 1, 26, 9), lambda a: talib.MACD(a, 1, 26, 9)),
        (lambda c: ind.sma(c, 0), lambda a: talib.SMA(a, 0)),
        (lambda c: ind.stoch(c, c, c, 0), lambda a: talib.STOCH(a, a, a, 0)),
    ],
)
def test_periods_talib_rejects_are_rejected(call, talib_call):
    arr = np.arange(1.0, 60.0)
    with pytest.raises(Exception, match="Bad Parameter"):
        talib_call(arr)
    with pytest.raises(ValueError, match="period must be between"):
        call(pl.Series(arr))


def test_bad_arguments_have_clear_messages():
    c = pl.Series([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="whole number"):
        ind.ema(c, 2.5)
    with pytest.raises(ValueError, match="numeric"):
        ind.sma(pl.Series(["a", "b"]), 1)
    with pytest.raises(ValueError, match="differ in length"):
        ind.atr(c, c, c.head(2), 1)
    with pytest.raises(TypeError, match="polars Series"):
        ind.sma([1.0, 2.0], 1)


def test_outputs_are_named_like_their_columns():
    high, low, close = candles(8, n=50)
    h, lo, c = pl.Series(high), pl.Series(low), pl.Series(close)
    assert ind.ema(c, 20).name == "ema_20"
    assert [s.name for s in ind.macd(c)] == [
        "macd_12_26_9",
        "macdsignal_12_26_9",
        "macdhist_12_26_9",
    ]
    assert [s.name for s in ind.bbands(c, 20, 2, 2)] == [
        "bbupper_20_2",
        "bbmiddle_20_2",
        "bblower_20_2",
    ]
    assert ind.bbands(c, 20, 2.5, 1)[0].name == "bbupper_20_2.5_1"
    assert [s.name for s in ind.stoch(h, lo, c)] == ["stochk_5_3_3", "stochd_5_3_3"]
    assert ind.atr(h, lo, c).name == "atr_14"


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 120),
    lead=st.integers(0, 10),
    seed=st.integers(0, 2**32 - 1),
    period=st.integers(2, 40),
    fast=st.integers(2, 20),
    slow=st.integers(2, 40),
    signal=st.integers(1, 15),
    log_price=st.floats(-6, 6),
)
def test_any_length_and_params_match_talib(n, lead, seed, period, fast, slow, signal, log_price):
    price = 10.0**log_price
    high, low, close = candles(seed, n=n, price=price)
    k = min(lead, n)
    close[:k] = np.nan
    h, lo, c = pl.Series(high), pl.Series(low), pl.Series(close)

    def same(ours, ref, atol=0.0):
        got = ours.to_numpy()
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        mask = ~np.isnan(ref)
        np.testing.assert_allclose(got[mask], ref[mask], rtol=RTOL, atol=atol)

    same(ind.sma(c, period), talib.SMA(close, period))
    same(ind.ema(c, period), talib.EMA(close, period))
    same(ind.wma(c, period), talib.WMA(close, period))
    same(ind.rsi(c, period), talib.RSI(close, period))
    same(ind.atr(h, lo, c, period), talib.ATR(high, low, close, period))
    for o, r in zip(
        ind.bbands(c, period, 1.5, 2.5), talib.BBANDS(close, period, 1.5, 2.5, 0), strict=True
    ):
        same(o, r)
    for o, r in zip(
        ind.macd(c, fast, slow, signal), talib.MACD(close, fast, slow, signal), strict=True
    ):
        same(o, r, atol=1e-12 * price)
    for o, r in zip(
        ind.stoch(h, lo, c, period, 3, 3), talib.STOCH(high, low, close, period), strict=True
    ):
        same(o, r, atol=1e-12)
