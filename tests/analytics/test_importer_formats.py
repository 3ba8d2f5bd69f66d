"""Each file layout a trader meets parses to exactly the candles it holds."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from hedgetui.analytics.importer import load_candle_file
from hedgetui.domain.models import Candle

FIXTURES = Path(__file__).parent / "fixtures"


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def load(name: str, timeframe: str, **kw):
    return load_candle_file(FIXTURES / name, timeframe=timeframe, **kw)


def test_binance_klines_no_header_ms_epoch_12_columns():
    result = load("binance_btcusdt_1m_klines.csv", "1m")
    candles = result.candles
    assert len(candles) == 8
    assert candles[0] == Candle(1704067200000, 42283.58, 42285.84, 42263.25, 42273.01, 17.21275)
    assert candles[-1] == Candle(1704067620000, 42200.35, 42213.23, 42168.80, 42173.14, 34.82072)
    report = result.report
    assert (report.rows_read, report.rows_valid, report.rows_rejected) == (8, 8, 0)
    assert report.time_format == "epoch milliseconds"
    assert report.header_line is None
    assert report.columns["volume"] == "column 6"
    assert any("Binance kline layout" in n for n in report.notes)
    assert report.missing_periods == 0


def test_zip_and_gzip_archives_are_read_through(tmp_path):
    plain = load("binance_btcusdt_1m_klines.csv", "1m").frame
    zipped = tmp_path / "BTCUSDT-1m-2024-01-01.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(FIXTURES / "binance_btcusdt_1m_klines.csv", "BTCUSDT-1m-2024-01-01.csv")
    gz = tmp_path / "klines.csv.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "binance_btcusdt_1m_klines.csv").read_bytes()))
    for path in (zipped, gz):
        result = load_candle_file(path, timeframe="1m")
        assert result.frame.equals(plain)
    assert (
        "zip member BTCUSDT-1m-2024-01-01.csv"
        in load_candle_file(zipped, timeframe="1m").report.render()
    )


def test_generic_daily_csv_uses_close_not_adj_close(tmp_path):
    result = load("yahoo_btcusd_daily.csv", "1d")
    assert len(result.candles) == 7
    assert result.candles[2] == Candle(
        ms(2024, 1, 3), 42065.628027, 42533.661438, 41807.137357, 42423.818008, 26576205455.0
    )
    assert result.report.time_format == "%Y-%m-%d"
    path = tmp_path / "adj.csv"
    path.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-01,10,12,9,11,5.5,100\n")
    assert load_candle_file(path, timeframe="1d").candles == [
        Candle(ms(2024, 1, 1), 10.0, 12.0, 9.0, 11.0, 100.0)
    ]


def test_semicolon_separator_with_decimal_comma():
    result = load("semicolon_decimal_comma_eurusd_1h.csv", "1h")
    assert result.candles[1] == Candle(
        ms(2024, 1, 2, 1), 1.10416, 1.10474, 1.10376, 1.10448, 1602.2
    )
    assert result.candles[0].volume == 2901.0
    report = result.report
    assert report.separator == ";" and report.decimal_comma
    assert "separator ';', decimal comma" in report.render()


def test_mt4_export_without_header_separate_date_and_time():
    result = load("mt4_eurusd_h1.csv", "1h")
    assert len(result.candles) == 6
    assert result.candles[2] == Candle(ms(2024, 1, 2, 2), 1.10448, 1.10511, 1.10433, 1.105, 307.0)
    assert result.report.columns["time"] == "column 1 + column 2"
    assert result.report.time_format == "%Y.%m.%d %H:%M"


def test_histdata_ascii_semicolon_compact_datetime():
    result = load("histdata_eurusd_m1.csv", "1m")
    assert result.candles[1] == Candle(
        ms(2024, 1, 2, 0, 1), 1.104248, 1.104345, 1.104218, 1.104314, 0.0
    )
    assert result.report.time_format == "%Y%m%d %H%M%S"
    assert result.report.separator == ";" and not result.report.decimal_comma


def test_headed_date_and_time_columns_are_combined():
    result = load("date_time_columns_eurusd_h1.csv", "1h")
    assert result.report.columns["time"] == "'Date' + 'Time'"
    assert result.candles[5] == Candle(
        ms(2024, 1, 2, 5), 1.10474, 1.10522, 1.10464, 1.10517, 2805.0
    )


def test_dukascopy_gmt_time_crlf():
    assert b"\r\n" in (FIXTURES / "dukascopy_eurusd_h1.csv").read_bytes()
    result = load("dukascopy_eurusd_h1.csv", "1h")
    assert result.candles[0] == Candle(ms(2024, 1, 2), 1.1042, 1.10447, 1.10414, 1.10416, 7612.08)
    assert result.candles[-1] == Candle(
        ms(2024, 1, 2, 5), 1.10474, 1.10522, 1.10464, 1.10517, 2047.87
    )
    assert result.report.columns["time"] == "'Gmt time'"
    assert result.report.time_format == "%d.%m.%Y %H:%M:%S%.f"
    assert result.report.time_zone.startswith("UTC")


def test_eurusd_weekend_fixture_spans_friday_close_to_sunday_open():
    result = load("eurusd_h1_weekend.csv", "1h")
    ts = result.frame.get_column("ts").to_list()
    assert len(ts) == 16
    friday_close = ts.index(ms(2024, 1, 5, 21))
    assert ts[friday_close + 1] == ms(2024, 1, 7, 22)  # Sunday 17:00 New York
    assert result.report.missing_periods == 48  # no symbol given: not known to be forex
    forex = load("eurusd_h1_weekend.csv", "1h", symbol="EUR/USD")
    assert forex.report.missing_periods == 0  # the weekend close is not missing data
    assert "without a candle" not in forex.report.render()


def test_pandas_export_with_unnamed_index_and_offsets():
    result = load("pandas_index_iso_ethusdt_4h.csv", "4h")
    assert result.report.columns["time"] == "''"
    assert result.report.time_zone.startswith("offsets in the file")
    assert result.candles[1] == Candle(
        ms(2024, 1, 2, 4), 2288.06, 2293.01, 2286.38, 2289.39, 478.7943
    )


def test_epoch_seconds_tradingview_export():
    result = load("tradingview_solusdt_15m_epoch_seconds.csv", "15m")
    assert result.report.time_format == "epoch seconds"
    assert result.candles[3] == Candle(ms(2024, 1, 2, 0, 45), 96.63, 96.83, 96.45, 96.68, 3796.872)


@pytest.mark.parametrize(
    ("value", "unit"),
    [(1704153600, "seconds"), (1704153600000, "milliseconds"),
     (1704153600000000, "microseconds"), (1704153600000000000, "nanoseconds")],
)  # fmt: skip
def test_epoch_unit_detected_by_magnitude(tmp_path, value, unit):
    step = value // 1704153600 * 3600
    path = tmp_path / "e.csv"
    path.write_text(f"ts,o,h,l,c\n{value},1,2,0.5,1.5\n{value + step},1.5,2,1,1.2\n")
    result = load_candle_file(path, timeframe="1h")
    assert result.report.time_format == f"epoch {unit}"
    assert result.frame.get_column("ts").to_list() == [ms(2024, 1, 2), ms(2024, 1, 2, 1)]
    assert result.candles[0].volume == 0.0


def test_cryptodatadownload_preamble_newest_first_and_base_volume():
    result = load("cryptodatadownload_binance_btcusdt_1h.csv", "1h", symbol="BTC/USDT")
    report = result.report
    assert report.header_line == 2
    assert report.columns["volume"] == "'Volume BTC'"
    assert result.candles[0] == Candle(
        ms(2024, 1, 1), 42283.58, 42285.96, 42180.58, 42227.32, 1438.34971
    )
    assert result.frame.get_column("ts").is_sorted()
    notes = " | ".join(report.notes)
    assert "newest candle first" in notes and "preamble" not in notes
    assert "skipped 1 line(s) before the table" in notes
    assert "ignored 'Volume USDT'" in notes and "assumed" not in notes


def test_symbol_picks_the_base_volume_column(tmp_path):
    path = tmp_path / "ethbtc.csv"
    path.write_text("date,open,high,low,close,Volume BTC,Volume ETH\n"
                    "2024-01-02,0.05,0.06,0.04,0.055,12.5,250\n")  # fmt: skip
    assert load_candle_file(path, timeframe="1d", symbol="ETH/BTC").candles[0].volume == 250.0
    # without a symbol, BTC is taken for the quote currency it usually is
    assert load_candle_file(path, timeframe="1d").candles[0].volume == 250.0
    path.write_text("date,open,high,low,close,Quote asset volume\n2024-01-02,1,2,0.5,1.5,99\n")
    result = load_candle_file(path, timeframe="1d")
    assert result.candles[0].volume == 0.0
    assert any("not base-asset volume" in n for n in result.report.notes)


def test_metatrader5_utf16_tab_export_prefers_real_tick_volume(tmp_path):
    text = (
        "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\r\n"
        "2024.01.02\t00:00:00\t1.10420\t1.10447\t1.10414\t1.10416\t1312\t0\t2\r\n"
        "2024.01.02\t01:00:00\t1.10416\t1.10474\t1.10376\t1.10448\t1544\t0\t1\r\n"
    )
    path = tmp_path / "EURUSD_H1.csv"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = load_candle_file(path, timeframe="1h")
    assert result.candles == [
        Candle(ms(2024, 1, 2), 1.1042, 1.10447, 1.10414, 1.10416, 1312.0),
        Candle(ms(2024, 1, 2, 1), 1.10416, 1.10474, 1.10376, 1.10448, 1544.0),
    ]
    assert result.report.columns["volume"] == "'<TICKVOL>'"
    assert result.report.encoding == "utf-16" and result.report.separator == "\t"


def test_iso_strings_with_z_and_offsets(tmp_path):
    path = tmp_path / "iso.csv"
    path.write_text(
        "datetime,open,high,low,close,volume\n"
        "2024-01-02T00:00:00Z,1,2,0.5,1.5,3\n"
        "2024-01-02T02:00:00+01:00,1.5,2,1,1.2,4\n"
        "2024-01-02T02:00:00.000Z,1.2,2,1,1.3,5\n"
    )
    result = load_candle_file(path, timeframe="1h")
    assert result.frame.get_column("ts").to_list() == [ms(2024, 1, 2), ms(2024, 1, 2, 1),
                                                        ms(2024, 1, 2, 2)]  # fmt: skip


def test_ambiguous_day_month_order_chooses_the_dense_reading(tmp_path):
    path = tmp_path / "us.csv"
    rows = [f"01/{d:02d}/2024,1,2,0.5,1.5,1" for d in range(1, 8)]  # January 1-7, US style
    path.write_text("Date,Open,High,Low,Close,Volume\n" + "\n".join(rows) + "\n")
    result = load_candle_file(path, timeframe="1d")
    assert result.frame.get_column("ts").to_list() == [ms(2024, 1, d) for d in range(1, 8)]
    assert result.report.time_format == "%m/%d/%Y"
    assert any("day/month order is ambiguous" in n for n in result.report.notes)


def test_parquet_with_datetime_column(tmp_path):
    frame = pl.DataFrame({
        "timestamp": [datetime(2024, 1, 2, 0), datetime(2024, 1, 2, 1)],
        "Open": [1.1, 1.2], "High": [1.3, 1.25], "Low": [1.0, 1.15], "Close": [1.2, 1.16],
        "Volume": [10, 20],
    })  # fmt: skip
    path = tmp_path / "naive.parquet"
    frame.write_parquet(path)
    result = load_candle_file(path, timeframe="1h")
    assert result.candles == [Candle(ms(2024, 1, 2), 1.1, 1.3, 1.0, 1.2, 10.0),
                              Candle(ms(2024, 1, 2, 1), 1.2, 1.25, 1.15, 1.16, 20.0)]  # fmt: skip
    assert result.report.file_format == "parquet" and result.report.unit == "row"
    aware = tmp_path / "aware.parquet"
    frame.with_columns(pl.col("timestamp").dt.replace_time_zone("Europe/Berlin")).write_parquet(
        aware
    )
    berlin = load_candle_file(aware, timeframe="1h")
    assert berlin.frame.get_column("ts").to_list() == [ms(2024, 1, 1, 23), ms(2024, 1, 2)]


def test_parquet_with_int_ms_and_bad_row_numbers(tmp_path):
    frame = pl.DataFrame({"open_time": [1704153600000, 1704157200000, 1704160800000],
                          "open": [1.0, 2.0, 3.0], "high": [2.0, 1.0, 3.5],
                          "low": [0.5, 1.5, 2.5], "close": [1.5, 1.8, 3.2]})  # fmt: skip
    path = tmp_path / "ms.pq"
    frame.write_parquet(path)
    result = load_candle_file(path, timeframe="1h")
    assert result.frame.get_column("ts").to_list() == [ms(2024, 1, 2), ms(2024, 1, 2, 2)]
    assert result.report.time_format == "epoch milliseconds"
    (example,) = result.report.examples["high below low"]
    assert example.line == 2 and "open_time=1704157200000" in example.text
    assert "row 2" in result.report.render()


def test_format_sniffed_from_content_when_the_extension_lies(tmp_path):
    odd = tmp_path / "export.data"
    shutil.copy(FIXTURES / "dukascopy_eurusd_h1.csv", odd)
    assert len(load_candle_file(odd, timeframe="1h").candles) == 6
    disguised = tmp_path / "really_parquet.csv"
    load("dukascopy_eurusd_h1.csv", "1h").frame.write_parquet(disguised)
    result = load_candle_file(disguised, timeframe="1h")
    assert result.report.file_format == "parquet" and len(result.candles) == 6
