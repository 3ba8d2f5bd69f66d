"""Candle import: OHLCV history files (CSV or Parquet, from exchanges, MetaTrader, HistData,
Dukascopy, pandas, TradingView ...) into clean candles plus a report of what was rejected
and why. Nothing is written here; the caller stores ``ImportResult.candles``.

The pieces: importer_read (file, encoding, separator, header), importer_columns (which
column is what), importer_time (times to UTC ms), importer_report (the report); this module
validates the rows and puts the result together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hedgetui.analytics.importer_columns import Layout, map_columns
from hedgetui.analytics.importer_read import CandleImportError, RawTable, read_raw
from hedgetui.analytics.importer_report import (
    EXAMPLES_PER_REASON,
    ImportReport,
    RejectedRow,
    format_step,
)
from hedgetui.analytics.importer_time import ParsedTime, check_tz, parse_time
from hedgetui.analytics.resample import find_gaps
from hedgetui.domain.models import TIMEFRAMES, Candle, timeframe_ms

__all__ = [
    "CandleImportError",
    "ImportReport",
    "ImportResult",
    "RejectedRow",
    "CANDLE_SCHEMA",
    "load_candle_file",
    "classify_against_existing",
    "candles_to_frame",
    "frame_to_candles",
    "is_forex_symbol",
]

CANDLE_SCHEMA = {"ts": pl.Int64, "open": pl.Float64, "high": pl.Float64, "low": pl.Float64,
                 "close": pl.Float64, "volume": pl.Float64}  # fmt: skip
PRICES = ("open", "high", "low", "close")
FIELDS = (*PRICES, "volume")
MAX_TS = 4_102_444_800_000  # 2100-01-01: later (or pre-1970) times are misread units

R_RANGE = "time out of range (before 1970 or after 2099)"
R_MISSING = "missing price"
R_NUMBER = "unparseable number"
R_NONFINITE = "not a finite number (NaN or inf)"
R_NONPOSITIVE = "price not above zero"
R_HIGH_LOW = "high below low"
R_HIGH = "high below open or close"
R_LOW = "low above open or close"
R_VOLUME = "negative volume"
R_DUP_SAME = "duplicate time, same values as an earlier row"
R_DUP_DIFF = "duplicate time, values differ from the earlier row (the first was kept)"


@dataclass(frozen=True)
class ImportResult:
    frame: pl.DataFrame  # CANDLE_SCHEMA, sorted by ts, unique ts
    report: ImportReport

    @property
    def candles(self) -> list[Candle]:
        return frame_to_candles(self.frame)


def frame_to_candles(frame: pl.DataFrame) -> list[Candle]:
    return [Candle(*row) for row in frame.select(list(CANDLE_SCHEMA)).iter_rows()]


def candles_to_frame(candles: Sequence[Candle]) -> pl.DataFrame:
    return pl.DataFrame(
        [(c.ts, c.open, c.high, c.low, c.close, c.volume) for c in candles],
        schema=CANDLE_SCHEMA,
        orient="row",
    )


def load_candle_file(
    path: str | Path, *, timeframe: str, tz: str | None = None, symbol: str | None = None
) -> ImportResult:
    """Read, validate and normalise one candle file. ``symbol`` (optional) tells which of
    several 'Volume <ASSET>' columns is the base volume. Raises CandleImportError when the
    file cannot be imported at all; bad rows are rejected and reported instead."""
    path = Path(path)
    if timeframe not in TIMEFRAMES:
        raise CandleImportError(
            f"unknown timeframe {timeframe!r}; use one of {', '.join(TIMEFRAMES)}"
        )
    check_tz(tz)
    raw = read_raw(path)
    layout = map_columns(raw, path, symbol)
    frame = raw.frame
    line = pl.int_range(raw.first_line, raw.first_line + frame.height, eager=True).alias("line")
    if raw.file_format == "csv":  # blank lines come through as empty rows
        blank = pl.all_horizontal(
            pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in frame.columns
        )
        keep = ~frame.select(blank.alias("b")).to_series()
        blanks = frame.height - int(keep.sum())
        if blanks:
            frame, line = frame.filter(keep), line.filter(keep)
            raw.notes.append(f"skipped {blanks} blank line(s)")
    if frame.height == 0:
        raise CandleImportError(f"{path}: no data rows; nothing to import")
    time = parse_time(frame, layout.time, layout.shown["time"], tz=tz, path=path)
    result = _validate(path, raw, layout, frame, line, time, timeframe, tz)
    if symbol and is_forex_symbol(symbol) and result.report.missing_periods:
        # the FX weekend close is not missing data: count only the other holes
        step = timeframe_ms(timeframe)
        gaps = find_gaps(result.frame.get_column("ts"), timeframe, forex=True)
        result.report.missing_periods = sum((end - start) // step for start, end in gaps)
    return result


def _numbers(series: pl.Series, decimal_comma: bool) -> tuple[pl.Series, pl.Series]:
    """(values as Float64, True where the cell is empty)."""
    if series.dtype.is_numeric():
        return series.cast(pl.Float64), series.is_null()
    s = series.cast(pl.String).str.strip_chars()
    missing = s.is_null() | (s == "")
    if s.str.contains(",", literal=True).any():
        if decimal_comma:  # '1.234,5' -> '1234.5'
            fixed = s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
            s = pl.select(
                pl.when(s.str.contains(",", literal=True)).then(fixed).otherwise(s)
            ).to_series()
        else:  # '1,234.5' -> '1234.5'; a lone ',' stays unparseable
            fixed = s.str.replace_all(",", "", literal=True)
            has_point = s.str.contains(".", literal=True)
            s = pl.select(pl.when(has_point).then(fixed).otherwise(s)).to_series()
    return s.cast(pl.Float64, strict=False), missing


def _validate(path: Path, raw: RawTable, layout: Layout, frame: pl.DataFrame, line: pl.Series,
              time: ParsedTime, timeframe: str, tz: str | None) -> ImportResult:  # fmt: skip
    step = TIMEFRAMES[timeframe]
    notes = [*raw.notes, *layout.notes, *time.notes]
    cols = {"line": line, "ts": time.ts, "wall": time.wall, "tproblem": time.problem}
    for key in PRICES:
        cols[key], cols[f"{key}_missing"] = _numbers(frame.get_column(getattr(layout, key)),
                                                     raw.decimal_comma)  # fmt: skip
    if layout.volume is None:
        cols["volume"] = pl.repeat(0.0, frame.height, dtype=pl.Float64, eager=True)
        cols["volume_missing"] = pl.repeat(False, frame.height, eager=True)
        notes.append("no volume column: volume set to 0 (normal for forex quote data)")
    else:
        cols["volume"], cols["volume_missing"] = _numbers(frame.get_column(layout.volume),
                                                          raw.decimal_comma)  # fmt: skip
    work = pl.DataFrame({k: v.alias(k) for k, v in cols.items()})

    c = pl.col

    def named(flag: str) -> pl.Expr:  # which fields have a problem, e.g. 'open, close'
        return pl.concat_str([pl.when(c(f"{k}_{flag}")).then(pl.lit(k)) for k in FIELDS],
                             separator=", ", ignore_nulls=True)  # fmt: skip

    work = work.with_columns(
        [(c(k).is_null() & ~c(f"{k}_missing")).alias(f"{k}_bad") for k in FIELDS]
        + [(~c(k).is_finite()).fill_null(False).alias(f"{k}_inf") for k in FIELDS]
        + [(c("volume_missing") & c("volume").is_null()).alias("volume_filled")]
    )
    work = work.with_columns(
        pl.when(c("volume_filled")).then(0.0).otherwise(c("volume")).alias("volume")
    )
    top = pl.max_horizontal("open", "close")
    bottom = pl.min_horizontal("open", "close")
    reason = (
        pl.when(c("tproblem").is_not_null()).then(c("tproblem"))
        .when((c("ts") < 0) | (c("ts") >= MAX_TS)).then(pl.lit(R_RANGE))
        .when(pl.any_horizontal([c(f"{k}_missing") for k in PRICES])).then(pl.lit(R_MISSING))
        .when(pl.any_horizontal([c(f"{k}_bad") for k in FIELDS])).then(pl.lit(R_NUMBER))
        .when(pl.any_horizontal([c(f"{k}_inf") for k in FIELDS])).then(pl.lit(R_NONFINITE))
        .when(pl.any_horizontal([c(k) <= 0 for k in PRICES])).then(pl.lit(R_NONPOSITIVE))
        .when(c("high") < c("low")).then(pl.lit(R_HIGH_LOW))
        .when(c("high") < top).then(pl.lit(R_HIGH))
        .when(c("low") > bottom).then(pl.lit(R_LOW))
        .when(c("volume") < 0).then(pl.lit(R_VOLUME))
        .when(c("wall") % step != 0).then(pl.lit(f"time not on a {timeframe} boundary"))
    )  # fmt: skip
    detail = (
        pl.when(reason == R_MISSING).then(
            pl.concat_str([pl.when(c(f"{k}_missing")).then(pl.lit(k)) for k in PRICES],
                          separator=", ", ignore_nulls=True))
        .when(reason == R_NUMBER).then(named("bad"))
        .when(reason == R_NONFINITE).then(named("inf"))
        .otherwise(pl.lit(""))
    )  # fmt: skip
    work = work.with_columns(reason=reason, detail=detail)
    valid = work.filter(c("reason").is_null())
    rejected = [work.filter(c("reason").is_not_null()).select("line", "reason", "detail")]

    if valid.get_column("ts").n_unique() < valid.height:
        first = {k: c(k).first().over("ts") for k in ("line", *FIELDS)}
        dup = valid.with_columns(
            is_dup=~c("ts").is_first_distinct(),
            same=pl.all_horizontal([c(k) == first[k] for k in FIELDS]),
            first_line=first["line"],
        )  # fmt: skip
        dups = dup.filter("is_dup").select(
            "line",
            reason=pl.when("same").then(pl.lit(R_DUP_SAME)).otherwise(pl.lit(R_DUP_DIFF)),
            detail=pl.format(f"first at {raw.unit} {{}}", "first_line"),
        )
        rejected.append(dups)
        valid = dup.filter(~c("is_dup"))
    rejects = pl.concat(rejected).sort("line")

    notes += _order_notes(valid)
    valid = valid.sort("ts")
    filled = int(valid.get_column("volume_filled").sum())
    if filled:
        notes.append(f"{filled} row(s) had no volume: set to 0")
    notes += _spacing_notes(work, valid, step, timeframe, tz)
    out = valid.select(list(CANDLE_SCHEMA))

    counts = rejects.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    report = ImportReport(
        path=str(path),
        timeframe=timeframe,
        file_format=raw.file_format,
        columns=layout.shown,
        time_format=time.format,
        time_zone=time.zone,
        rows_read=work.height,
        rows_valid=out.height,
        rejected=dict(zip(counts.get_column("reason"), counts.get_column("len"), strict=True)),
        examples=_examples(rejects, raw),
        separator=raw.separator,
        decimal_comma=raw.decimal_comma,
        encoding=raw.encoding,
        header_line=raw.first_line - 1 if raw.headers is not None and raw.file_format == "csv"
        else None,
        container=raw.container,
        unit=raw.unit,
        notes=notes,
    )  # fmt: skip
    if out.height:
        first_ts, last_ts = int(out.item(0, "ts")), int(out.item(-1, "ts"))
        report.first_ts, report.last_ts = first_ts, last_ts
        if (out.get_column("ts") % step == 0).all():
            report.missing_periods = (last_ts - first_ts) // step + 1 - out.height
    return ImportResult(out, report)


def _order_notes(valid: pl.DataFrame) -> list[str]:
    steps = valid.get_column("ts").diff().drop_nulls()
    if steps.len() == 0 or bool((steps > 0).all()):
        return []
    if bool((steps < 0).all()):
        return ["the file lists the newest candle first; put in time order"]
    return [f"the rows were not in time order ({int((steps < 0).sum())} step(s) back); sorted"]


def _spacing_notes(work: pl.DataFrame, valid: pl.DataFrame, step: int, timeframe: str,
                   tz: str | None) -> list[str]:  # fmt: skip
    notes = []
    times = work.filter(pl.col("tproblem").is_null()).get_column("ts").unique().sort()
    median = times.diff().drop_nulls().median()
    if median is not None and median != step:
        notes.append(
            f"consecutive rows are mostly {format_step(float(median))} apart "  # type: ignore[arg-type]
            f"but the timeframe is {timeframe}; check --timeframe"
        )
    off_grid = int((valid.get_column("ts") % step != 0).sum())
    if tz is not None and off_grid:
        notes.append(
            f"{off_grid} candle(s) start off the UTC {timeframe} grid: they are aligned to "
            f"{tz} local time, as bars cut by that session are"
        )
    return notes


def _examples(rejects: pl.DataFrame, raw: RawTable) -> dict[str, list[RejectedRow]]:
    picked = rejects.group_by("reason", maintain_order=True).head(EXAMPLES_PER_REASON)
    out: dict[str, list[RejectedRow]] = {}
    for ln, why, detail in picked.sort("line").select("line", "reason", "detail").iter_rows():
        out.setdefault(why, []).append(RejectedRow(ln, why, detail, _row_text(raw, ln)))
    return out


def _row_text(raw: RawTable, line: int) -> str:
    values = raw.frame.row(line - raw.first_line)
    if raw.file_format == "csv":
        text = (raw.separator or ",").join("" if v is None else str(v) for v in values)
    else:
        text = ", ".join(f"{k}={v}" for k, v in zip(raw.frame.columns, values, strict=True))
    return text if len(text) <= 160 else text[:157] + "..."


def classify_against_existing(
    new: pl.DataFrame | Sequence[Candle], existing: pl.DataFrame | Sequence[Candle] | None
) -> tuple[int, int, int]:
    """(inserted, updated, unchanged): how storing ``new`` over ``existing`` (the candles
    already stored for the same exchange, symbol and timeframe) would change them. Values
    are compared exactly: stored floats round-trip, so re-importing a file is all unchanged."""
    new_df = new if isinstance(new, pl.DataFrame) else candles_to_frame(new)
    if existing is None:
        return new_df.height, 0, 0
    old = existing if isinstance(existing, pl.DataFrame) else candles_to_frame(existing)
    new_df = new_df.select(list(CANDLE_SCHEMA)).unique("ts", keep="last")
    old = old.select(list(CANDLE_SCHEMA)).unique("ts", keep="last")
    joined = new_df.join(old.with_columns(pl.lit(True).alias("_old")), on="ts", how="left",
                         suffix="_old")  # fmt: skip
    present = joined.get_column("_old").fill_null(False)
    same = joined.select(
        pl.all_horizontal([pl.col(k) == pl.col(f"{k}_old") for k in FIELDS]).fill_null(False)
    ).to_series()
    inserted = int((~present).sum())
    unchanged = int((present & same).sum())
    return inserted, int(present.sum()) - unchanged, unchanged


FIAT = frozenset(
    "USD EUR JPY GBP CHF AUD NZD CAD SEK NOK DKK PLN HUF CZK TRY ZAR MXN SGD HKD CNH CNY ILS "
    "RUB THB INR KRW BRL RON BGN ISK HRK TWD IDR MYR PHP SAR AED KWD QAR CLP COP PEN ARS "
    "EGP KES NGN".split()
)
METALS = frozenset({"XAU", "XAG", "XPT", "XPD"})
_PAIR = re.compile(r"^([A-Z]{3})[/\-_ ]?([A-Z]{3})$")


def is_forex_symbol(symbol: str) -> bool:
    """True for currency pairs (EUR/USD, GBPJPY, usd_chf) and metals against a currency
    (XAU/USD): markets closed at weekends, so their weekend gaps are not missing data.
    Broker suffixes (EURUSD.m, EURUSD.pro) are ignored; crypto (BTC/USD, EUR/USDT) is not."""
    text = symbol.strip().upper().split(":")[0].split(".")[0]
    match = _PAIR.match(text)
    if not match:
        return False
    base, quote = match.groups()
    known = FIAT | METALS
    return base != quote and base in known and quote in known
