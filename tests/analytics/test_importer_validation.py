"""Row validation, the rejection report, time zones and whole-file errors."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hedgetui.analytics.importer import CandleImportError, load_candle_file
from hedgetui.domain.models import Candle

FIXTURES = Path(__file__).parent / "fixtures"


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def write(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bad_rows_are_rejected_with_reasons_and_file_line_numbers():
    result = load_candle_file(FIXTURES / "bad_rows_eurusd_1h.csv", timeframe="1h")
    report = result.report
    assert (report.rows_read, report.rows_valid, report.rows_rejected) == (16, 4, 12)
    assert result.frame.get_column("ts").to_list() == [
        ms(2024, 1, 2, 0), ms(2024, 1, 2, 3), ms(2024, 1, 2, 10), ms(2024, 1, 2, 11)
    ]  # fmt: skip
    lines = {reason: [(e.line, e.detail) for e in ex] for reason, ex in report.examples.items()}
    assert lines == {
        "high below low": [(3, "")],
        "negative volume": [(4, "")],
        "duplicate time, same values as an earlier row": [(6, "first at line 5")],
        "duplicate time, values differ from the earlier row (the first was kept)":
            [(7, "first at line 5")],
        "unparseable number": [(8, "high")],
        "not a finite number (NaN or inf)": [(9, "close")],
        "time not on a 1h boundary": [(10, "")],
        "high below open or close": [(11, "")],
        "low above open or close": [(12, "")],
        "missing price": [(13, "open")],
        "unparseable time": [(14, "")],
        "price not above zero": [(18, "")],
    }  # fmt: skip
    assert set(report.rejected.values()) == {1}
    # the kept duplicate is the first one; the empty volume became 0
    assert result.candles[1] == Candle(ms(2024, 1, 2, 3), 1.105, 1.10528, 1.10482, 1.10527, 90.0)
    assert result.candles[2].volume == 0.0
    assert "skipped 1 blank line(s)" in report.notes
    assert "1 row(s) had no volume: set to 0" in report.notes
    text = report.render()
    assert "16 read, 4 valid, 12 rejected" in text
    assert "line 8 (high): 2024-01-02 04:00:00,1.10527,1.1o532,1.10472,1.10474,80" in text


def test_counts_and_examples_are_capped_per_reason(tmp_path):
    rows = [f"2024-01-02 {h:02d}:00,1,0.5,2,1,1" for h in range(10)]  # high < low everywhere
    result = load_candle_file(write(tmp_path, "Date,O,H,L,C,V\n" + "\n".join(rows)),
                              timeframe="1h")  # fmt: skip
    assert result.report.rejected == {"high below low": 10}
    assert [e.line for e in result.report.examples["high below low"]] == [2, 3, 4]
    assert result.frame.height == 0
    assert "no valid candles" in result.report.render()


def test_unsorted_input_is_sorted_and_noted(tmp_path):
    path = write(tmp_path, "time,open,high,low,close,volume\n"
                 "1704157200,1,2,0.5,1.5,1\n1704153600,1,2,0.5,1.5,2\n1704160800,1,2,0.5,1.5,3\n")  # fmt: skip
    result = load_candle_file(path, timeframe="1h")
    assert result.frame.get_column("volume").to_list() == [2.0, 1.0, 3.0]
    assert any("not in time order" in n for n in result.report.notes)


def test_timeframe_that_does_not_match_the_data_is_pointed_out(tmp_path):
    rows = [f"2024-01-02 {h // 2:02d}:{h % 2 * 30:02d},1,2,0.5,1.5,1" for h in range(8)]
    result = load_candle_file(write(tmp_path, "Date,Open,High,Low,Close,Volume\n" + "\n".join(rows)),
                              timeframe="1h")  # fmt: skip
    assert result.report.rejected == {"time not on a 1h boundary": 4}
    assert any("mostly 30m apart but the timeframe is 1h" in n for n in result.report.notes)


def test_no_volume_column_means_zero_volume_reported(tmp_path):
    path = write(
        tmp_path, "Gmt time,Open,High,Low,Close\n02.01.2024 00:00:00.000,1.1,1.2,1.0,1.15\n"
    )
    result = load_candle_file(path, timeframe="1h")
    assert result.candles == [Candle(ms(2024, 1, 2), 1.1, 1.2, 1.0, 1.15, 0.0)]
    assert result.report.columns["volume"] == "(none)"
    assert any("no volume column" in n for n in result.report.notes)


# --- time zones ---------------------------------------------------------------------------


def test_berlin_clocks_going_back_repeated_hour_read_in_file_order():
    result = load_candle_file(FIXTURES / "local_berlin_dst_end_1h.csv", timeframe="1h",
                              tz="Europe/Berlin")  # fmt: skip
    # 00:00, 01:00 CEST (UTC+2); 02:00 twice: CEST then CET; 03:00, 04:00 CET (UTC+1)
    assert result.frame.get_column("ts").to_list() == [
        ms(2024, 10, 26, 22), ms(2024, 10, 26, 23), ms(2024, 10, 27, 0), ms(2024, 10, 27, 1),
        ms(2024, 10, 27, 2), ms(2024, 10, 27, 3),
    ]  # fmt: skip
    assert result.candles[3].open == 67012.5  # the second 02:00 row
    assert result.report.rows_rejected == 0
    assert any("repeated when clocks went back" in n for n in result.report.notes)
    assert "Europe/Berlin" in result.report.time_zone


def test_berlin_clocks_going_forward_nonexistent_time_rejected():
    result = load_candle_file(FIXTURES / "local_berlin_dst_start_1h.csv", timeframe="1h",
                              tz="Europe/Berlin")  # fmt: skip
    assert result.frame.get_column("ts").to_list() == [
        ms(2024, 3, 30, 23), ms(2024, 3, 31, 0), ms(2024, 3, 31, 1), ms(2024, 3, 31, 2)
    ]  # fmt: skip
    reason = "local time that does not exist (clocks went forward)"
    assert result.report.rejected == {reason: 1}
    assert result.report.examples[reason][0].line == 4


def test_new_york_daily_bars_aligned_to_local_midnight(tmp_path):
    rows = ["2024-03-09,1,2,0.5,1.5,10", "2024-03-10,1,2,0.5,1.5,11", "2024-03-11,1,2,0.5,1.5,12"]
    path = write(tmp_path, "Date,Open,High,Low,Close,Volume\n" + "\n".join(rows) + "\n")
    result = load_candle_file(path, timeframe="1d", tz="America/New_York")
    # EST (UTC-5) until 2024-03-10 02:00, then EDT (UTC-4)
    assert result.frame.get_column("ts").to_list() == [
        ms(2024, 3, 9, 5), ms(2024, 3, 10, 5), ms(2024, 3, 11, 4)
    ]  # fmt: skip
    assert result.report.rows_rejected == 0
    assert result.report.missing_periods is None  # not on the UTC grid: cannot count slots
    assert any("off the UTC 1d grid" in n for n in result.report.notes)


def test_naive_times_are_utc_without_tz_and_tz_is_ignored_for_absolute_times(tmp_path):
    local = FIXTURES / "local_berlin_dst_end_1h.csv"
    assert load_candle_file(local, timeframe="1h").report.rejected == {
        "duplicate time, values differ from the earlier row (the first was kept)": 1
    }
    result = load_candle_file(FIXTURES / "tradingview_solusdt_15m_epoch_seconds.csv",
                              timeframe="15m", tz="Europe/Berlin")  # fmt: skip
    assert result.frame.item(0, "ts") == ms(2024, 1, 2)
    assert any("epoch timestamps are UTC" in n for n in result.report.notes)
    result = load_candle_file(FIXTURES / "pandas_index_iso_ethusdt_4h.csv", timeframe="4h",
                              tz="Asia/Tokyo")  # fmt: skip
    assert result.frame.item(0, "ts") == ms(2024, 1, 2)
    assert any("carry their own UTC offset" in n for n in result.report.notes)


# --- whole-file errors --------------------------------------------------------------------


def test_missing_file_directory_and_empty_file(tmp_path):
    with pytest.raises(CandleImportError, match="no such file"):
        load_candle_file(tmp_path / "nope.csv", timeframe="1h")
    with pytest.raises(CandleImportError, match="is a directory"):
        load_candle_file(tmp_path, timeframe="1h")
    with pytest.raises(CandleImportError, match="empty.csv: the file is empty"):
        load_candle_file(write(tmp_path, "\n\n", "empty.csv"), timeframe="1h")
    with pytest.raises(CandleImportError, match="no data rows after the header"):
        load_candle_file(write(tmp_path, "Date,Open,High,Low,Close,Volume\n"), timeframe="1h")


def test_unknown_timeframe_and_time_zone(tmp_path):
    path = FIXTURES / "dukascopy_eurusd_h1.csv"
    with pytest.raises(CandleImportError, match=r"unknown timeframe '2h'; use one of 1m, 5m"):
        load_candle_file(path, timeframe="2h")
    with pytest.raises(CandleImportError, match=r"unknown time zone 'Europe/Berln'.*IANA"):
        load_candle_file(path, timeframe="1h", tz="Europe/Berln")


def test_no_time_column_lists_headers_seen_and_accepted(tmp_path):
    path = write(tmp_path, "when,Open,High,Low,Close\nx,1,2,0.5,1.5\n")
    with pytest.raises(CandleImportError) as err:
        load_candle_file(path, timeframe="1h")
    message = str(err.value)
    assert str(path) in message and "no time column found" in message
    assert "Headers seen: 'when', 'Open', 'High', 'Low', 'Close'" in message
    assert "Timestamp" in message and "Gmt time" in message


def test_no_ohlc_columns_lists_headers_seen(tmp_path):
    path = write(tmp_path, "Date,Price,Amount,Side,Fee\n2024-01-02,1,2,buy,0.1\n")
    with pytest.raises(CandleImportError, match=r"no open column found\. Headers seen: 'Date', "
                                                r"'Price', 'Amount', 'Side', 'Fee'"):  # fmt: skip
        load_candle_file(path, timeframe="1h")


def test_time_column_with_no_recognisable_format(tmp_path):
    path = write(tmp_path, "Date,Open,High,Low,Close\nmonday,1,2,0.5,1.5\ntuesday,1,2,0.5,1.5\n")
    with pytest.raises(CandleImportError, match=r"no recognisable time in column 'Date': values "
                                                r"like 'monday', 'tuesday'"):  # fmt: skip
        load_candle_file(path, timeframe="1h")


def test_files_that_are_not_candle_tables(tmp_path):
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(CandleImportError, match="not a CSV or Parquet file"):
        load_candle_file(binary, timeframe="1h")
    with pytest.raises(CandleImportError, match="at least 5 fields"):
        load_candle_file(write(tmp_path, "2024-01-02,1.5\n2024-01-03,1.6\n"), timeframe="1d")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(CandleImportError, match="cannot read it as Parquet"):
        load_candle_file(broken, timeframe="1h")
    two = tmp_path / "two.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("a.csv", "x")
        archive.writestr("b.csv", "y")
    two.write_bytes(buf.getvalue())
    with pytest.raises(CandleImportError, match=r"holds 2 \(a.csv, b.csv\)"):
        load_candle_file(two, timeframe="1h")


def test_dukascopy_local_time_with_gmt_offsets(tmp_path):
    path = write(tmp_path, "Local time,Open,High,Low,Close,Volume\n"
                 "27.10.2024 01:00:00.000 GMT+0200,1.08,1.09,1.07,1.085,10\n"
                 "27.10.2024 02:00:00.000 GMT+0200,1.085,1.09,1.08,1.086,11\n"
                 "27.10.2024 02:00:00.000 GMT+0100,1.086,1.09,1.08,1.087,12\n")  # fmt: skip
    result = load_candle_file(path, timeframe="1h")
    assert result.frame.get_column("ts").to_list() == [
        ms(2024, 10, 26, 23), ms(2024, 10, 27, 0), ms(2024, 10, 27, 1)
    ]  # fmt: skip
    assert result.report.time_format == "%d.%m.%Y %H:%M:%S%.f%z"


def test_line_numbers_count_blank_and_preamble_lines(tmp_path):
    path = write(tmp_path, "\n# exported by some tool\nDate;Open;High;Low;Close;Volume\n"
                 "2024-01-02 00:00;1;2;0,5;1,5;1\n\n2024-01-02 01:00;1;0,5;2;1,5;1\n")  # fmt: skip
    result = load_candle_file(path, timeframe="1h")
    assert result.report.header_line == 3
    assert result.report.examples["high below low"][0].line == 6
    assert result.report.examples["high below low"][0].text == "2024-01-02 01:00;1;0,5;2;1,5;1"
    assert (
        "skipped 2 line(s) before the table (e.g. '# exported by some tool')" in result.report.notes
    )


def test_render_shows_the_detected_format_for_the_user_to_check():
    result = load_candle_file(FIXTURES / "semicolon_decimal_comma_eurusd_1h.csv", timeframe="1h")
    assert result.report.render().splitlines() == [
        f"Import of {FIXTURES / 'semicolon_decimal_comma_eurusd_1h.csv'} (1h)",
        "  format    CSV, separator ';', decimal comma, utf-8, header on line 1",
        "  columns   time <- 'Timestamp', open <- 'Open', high <- 'High', low <- 'Low', "
        "close <- 'Close', volume <- 'Volume'",
        "  time      %Y-%m-%d %H:%M:%S%.f; zone: UTC (the times have no zone; pass --tz if "
        "they are local times)",
        "  rows      6 read, 6 valid, 0 rejected",
        "  range     2024-01-02 00:00 UTC .. 2024-01-02 05:00 UTC",
    ]


def test_garbage_inside_an_epoch_column_is_rejected_not_misread(tmp_path):
    path = write(tmp_path, "time,open,high,low,close\n1704153600,1,2,0.5,1.5\n17041536O0,1,2,0.5,1.5\n"
                 "99999999999999999,1,2,0.5,1.5\n1704157200,1,2,0.5,1.5\n")  # fmt: skip
    result = load_candle_file(path, timeframe="1h")
    assert result.frame.get_column("ts").to_list() == [ms(2024, 1, 2), ms(2024, 1, 2, 1)]
    assert result.report.rejected == {
        "unparseable time": 1, "time out of range (before 1970 or after 2099)": 1
    }  # fmt: skip
