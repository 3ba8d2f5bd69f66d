"""Resampling exactness (hand-made data and a plain Python reference) and gap detection."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from hedgetui.analytics.resample import find_gaps, resample
from hedgetui.domain.models import TIMEFRAMES

M = 60_000
H = 3_600_000
DAY = 86_400_000


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def candles(ts: list[int]) -> pl.DataFrame:
    """Candle i has open=i, high=i+0.5 (+100 on every 7th), low=i-0.5, close=i+0.25, volume=i+1."""
    idx = np.arange(len(ts), dtype=float)
    return pl.DataFrame(
        {
            "ts": pl.Series(ts, dtype=pl.Int64),
            "open": idx,
            "high": idx + 0.5 + np.where(np.arange(len(ts)) % 7 == 3, 100.0, 0.0),
            "low": idx - 0.5,
            "close": idx + 0.25,
            "volume": idx + 1,
        }
    )


def reference(df: pl.DataFrame, step: int) -> list[tuple]:
    buckets: dict[int, list[tuple]] = {}
    for row in df.sort("ts").iter_rows():
        buckets.setdefault(row[0] - row[0] % step, []).append(row)
    return [
        (
            start,
            rows[0][1],
            max(r[2] for r in rows),
            min(r[3] for r in rows),
            rows[-1][4],
            sum(r[5] for r in rows),
        )
        for start, rows in sorted(buckets.items())
    ]


def test_hand_made_five_minutes_with_gap_and_partial_last_bucket():
    # 00:00-00:04 complete; 00:05-00:09 has 00:05 and 00:07 only; 00:10-00:14 missing
    # entirely (a gap); 00:15 and 00:16 form the live, partial bucket
    ts = [0, M, 2 * M, 3 * M, 4 * M, 5 * M, 7 * M, 15 * M, 16 * M]
    out = resample(candles(ts), "5m")
    assert out.columns == ["ts", "open", "high", "low", "close", "volume"]
    assert out.rows() == [
        (0, 0.0, 103.5, -0.5, 4.25, 15.0),  # open of #0, high of #3 (+100), close of #4, 1+..+5
        (5 * M, 5.0, 6.5, 4.5, 6.25, 13.0),
        (15 * M, 7.0, 8.5, 6.5, 8.25, 17.0),  # no 00:10 row: gaps are not bridged
    ]


def test_daily_buckets_start_at_utc_midnight():
    start = utc(2024, 3, 9, 22, 0)
    ts = [start + i * H for i in range(6)]  # 22:00, 23:00, then 00:00 .. 03:00 next day
    out = resample(candles(ts), "1d")
    assert out["ts"].to_list() == [utc(2024, 3, 9), utc(2024, 3, 10)]
    assert out["open"].to_list() == [0.0, 2.0]
    assert out["close"].to_list() == [1.25, 5.25]
    assert out["volume"].to_list() == [3.0, 3.0 + 4 + 5 + 6]


def test_four_hour_buckets_align_to_epoch_multiples():
    ts = [utc(2024, 1, 1, 3, 0), utc(2024, 1, 1, 3, 59), utc(2024, 1, 1, 4, 0)]
    out = resample(candles(ts), "4h")
    assert out["ts"].to_list() == [utc(2024, 1, 1, 0), utc(2024, 1, 1, 4)]


@pytest.mark.parametrize("target", ["5m", "15m", "1h", "4h", "1d"])
def test_random_minutes_with_holes_match_reference(target):
    rng = np.random.default_rng(len(target))
    minutes = np.sort(rng.choice(3 * 24 * 60, size=2500, replace=False))
    df = candles([int(utc(2024, 5, 1, 7, 13) + m * M) for m in minutes])
    shuffled = df.sample(fraction=1.0, shuffle=True, seed=1)  # order must not matter
    out = resample(shuffled, target)
    assert out.rows() == reference(df, TIMEFRAMES[target])


def test_same_timeframe_and_duplicates():
    df = candles([0, M, M, 2 * M])  # a repeated candle (e.g. the live one re-fetched)
    out = resample(df, "1m")
    assert out["ts"].to_list() == [0, M, 2 * M]
    assert out["close"].to_list() == [0.25, 2.25, 3.25]  # the later copy wins


def test_empty_and_single_row():
    assert resample(candles([]), "1h").height == 0
    assert resample(candles([5 * M]), "1h").rows() == [(0, 0.0, 0.5, -0.5, 0.25, 1.0)]


def test_cannot_resample_to_a_finer_or_incompatible_timeframe():
    with pytest.raises(ValueError, match="cannot resample 1h candles to 5m"):
        resample(candles([0, H, 2 * H]), "5m")
    with pytest.raises(ValueError, match="cannot resample"):
        resample(candles([0, 7 * M]), "5m")
    with pytest.raises(ValueError, match="unknown timeframe '2m'"):
        resample(candles([0, M]), "2m")
    with pytest.raises(ValueError, match="missing \\['volume'\\]"):
        resample(candles([0, M]).drop("volume"), "5m")


# --- gaps ----------------------------------------------------------------------------------


def test_find_gaps_half_open_ranges():
    ts = pl.Series([0, M, 2 * M, 5 * M, 6 * M, 10 * M])
    assert find_gaps(ts, "1m") == [(3 * M, 5 * M), (7 * M, 10 * M)]
    assert find_gaps(ts, M) == [(3 * M, 5 * M), (7 * M, 10 * M)]
    assert find_gaps(pl.Series([0, M, 2 * M]), "1m") == []
    assert find_gaps(pl.Series([], dtype=pl.Int64), "1m") == []
    assert find_gaps(pl.Series([2 * M, 0, 0, None]), "1m") == [(M, 2 * M)]  # unsorted, dupes


def test_crypto_weekend_is_a_gap():
    ts = pl.Series([utc(2024, 1, 5, 20), utc(2024, 1, 7, 23)])
    assert find_gaps(ts, "1h") == [(utc(2024, 1, 5, 21), utc(2024, 1, 7, 23))]


def test_forex_weekend_close_is_not_a_gap():
    # winter: last candle Friday 21:00 (closes 22:00), first Sunday 22:00
    ts = pl.Series([utc(2024, 1, 5, 20), utc(2024, 1, 5, 21), utc(2024, 1, 7, 22)])
    assert find_gaps(ts, "1h", forex=True) == []
    # summer: last candle Friday 20:00 (closes 21:00), first Sunday 21:00
    ts = pl.Series([utc(2024, 7, 5, 20), utc(2024, 7, 7, 21), utc(2024, 7, 7, 22)])
    assert find_gaps(ts, "1h", forex=True) == []
    # daily candles: no Saturday candle expected, Sunday's may be absent too
    ts = pl.Series([utc(2024, 1, 4), utc(2024, 1, 5), utc(2024, 1, 8)])
    assert find_gaps(ts, "1d", forex=True) == []


def test_forex_hole_straddling_the_weekend_reports_the_trading_parts():
    ts = pl.Series([utc(2024, 1, 5, 17), utc(2024, 1, 8, 2)])
    assert find_gaps(ts, "1h", forex=True) == [
        (utc(2024, 1, 5, 18), utc(2024, 1, 5, 21)),  # Friday 18:00-20:00 missing
        (utc(2024, 1, 7, 22), utc(2024, 1, 8, 2)),  # Sunday 22:00-Monday 01:00 missing
    ]
    # 4h candles: one hole spanning two weekends; candles opening Friday 20:00 still trade
    # (for an hour) so they are missing, Sunday 20:00 opens inside the window so it is not
    ts = pl.Series([utc(2024, 1, 3, 8), utc(2024, 1, 3, 12), utc(2024, 1, 16, 0)])
    assert find_gaps(ts, "4h", forex=True) == [
        (utc(2024, 1, 3, 16), utc(2024, 1, 6, 0)),
        (utc(2024, 1, 8, 0), utc(2024, 1, 13, 0)),
        (utc(2024, 1, 15, 0), utc(2024, 1, 16, 0)),
    ]
    assert find_gaps(ts, "4h") == [(utc(2024, 1, 3, 16), utc(2024, 1, 16, 0))]


def test_summed_volume_has_no_binary_noise():
    volumes = [5612.08, 8512.11, 4490.57]
    df = candles([0, M, 2 * M]).with_columns(volume=pl.Series(volumes))
    assert sum(volumes) == 18614.760000000002  # a plain float sum leaves noise ...
    assert resample(df, "5m")["volume"].to_list() == [18614.76]  # ... the candle does not
