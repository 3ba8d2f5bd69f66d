"""Re-import classification against stored candles, and forex symbol recognition."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hedgetui.analytics.importer import (
    CANDLE_SCHEMA,
    candles_to_frame,
    classify_against_existing,
    frame_to_candles,
    is_forex_symbol,
    load_candle_file,
)
from hedgetui.domain.models import Candle

FIXTURES = Path(__file__).parent / "fixtures"


def test_same_file_twice_changes_nothing():
    first = load_candle_file(FIXTURES / "eurusd_h1_weekend.csv", timeframe="1h")
    stored = candles_to_frame(first.candles)  # what the store hands back
    again = load_candle_file(FIXTURES / "eurusd_h1_weekend.csv", timeframe="1h")
    assert classify_against_existing(again.frame, stored) == (0, 0, 16)
    assert classify_against_existing(first.frame, None) == (16, 0, 0)
    assert classify_against_existing(first.frame, pl.DataFrame(schema=CANDLE_SCHEMA)) == (16, 0, 0)


def test_overlap_with_changed_and_new_candles():
    stored = [Candle(0, 1.0, 2.0, 0.5, 1.5, 10.0), Candle(60_000, 1.5, 2.0, 1.0, 1.8, 5.0)]
    new = [
        Candle(0, 1.0, 2.0, 0.5, 1.5, 10.0),  # unchanged
        Candle(60_000, 1.5, 2.0, 1.0, 1.8, 6.0),  # volume corrected
        Candle(120_000, 1.8, 1.9, 1.7, 1.75, 2.0),  # new
    ]
    assert classify_against_existing(new, stored) == (1, 1, 1)
    assert classify_against_existing(candles_to_frame(new), candles_to_frame(stored)) == (1, 1, 1)


def test_frame_and_candle_conversions_round_trip():
    result = load_candle_file(FIXTURES / "dukascopy_eurusd_h1.csv", timeframe="1h")
    assert result.frame.schema == pl.Schema(CANDLE_SCHEMA)
    assert frame_to_candles(result.frame) == result.candles
    assert candles_to_frame(result.candles).equals(result.frame)


@pytest.mark.parametrize(
    "symbol",
    ["EUR/USD", "GBP/JPY", "USD/CHF", "EURUSD", "eurusd", "EUR_USD", "AUD-NZD", "XAU/USD",
     "XAGUSD", "EURUSD.m", "USD/TRY"],
)  # fmt: skip
def test_forex_symbols(symbol):
    assert is_forex_symbol(symbol)


@pytest.mark.parametrize(
    "symbol",
    ["BTC/USDT", "BTC/USD", "ETH/EUR", "EUR/USDT", "BTC/USDT:USDT", "USD/USD", "SPX500",
     "EURUSDT", "", "EUR"],
)  # fmt: skip
def test_not_forex_symbols(symbol):
    assert not is_forex_symbol(symbol)
