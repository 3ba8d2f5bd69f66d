"""Turning a file's time column(s) into UTC milliseconds, vectorised.

Detection runs on a sample (the first and last few hundred values); the chosen format is then
applied to the whole column at once, and whatever does not fit it is rejected row by row.

Time zones: epoch numbers and strings carrying an offset (``+01:00``, ``Z``, ``GMT+0100``) are
absolute. Naive times are UTC unless ``tz`` names the zone they were written in; then they are
localised DST-aware. A local time that does not exist (the hour skipped when clocks go forward)
is rejected. A local time that occurs twice (the hour repeated when clocks go back) is read as
the first, summer-time instant the first time it appears in the file and as the second,
standard-time instant when it appears again: that is how an hourly local-time file lists it.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from hedgetui.analytics.importer_read import CandleImportError

__all__ = ["ParsedTime", "parse_time", "check_tz", "MISSING", "UNPARSEABLE", "NONEXISTENT"]

MISSING = "missing time"
UNPARSEABLE = "unparseable time"
NONEXISTENT = "local time that does not exist (clocks went forward)"

SAMPLE = 400
_DATES = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y",
          "%Y%m%d")  # fmt: skip
_CLOCKS = (" %H:%M:%S%.f", " %H:%M", " %H%M%S", " %H%M")
_DIGIT_DATES = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
# (pattern, replacement) rewriting common spellings into what the formats above read
_REWRITES = (
    (r"^(\d{4}-\d{1,2}-\d{1,2})T", "$1 "),  # ISO 'T'
    (r"(\d:\d{2}:\d{2}),(\d+)", "$1.$2"),  # fraction after a comma
    (r"\s*(?:GMT|UTC)\s*([+-]\d{1,2}:?\d{2})$", "$1"),  # Dukascopy 'GMT+0100'
    (r"\s*(?:Z|UTC|GMT)$", "+0000"),
    (r"\s+([+-]\d{2}:?\d{2})$", "$1"),
)
ACCEPTED_TIMES = (
    "epoch seconds/milliseconds/microseconds/nanoseconds; ISO 8601 such as "
    "2024-01-02 00:00:00, 2024-01-02T00:00:00Z or 2024-01-02T00:00:00+01:00; "
    "2024.01.02 00:00; 02.01.2024 00:00:00.000; 01/02/2024 00:00; 20240102 000000; "
    "or separate date and time columns"
)


@dataclass
class ParsedTime:
    ts: pl.Series  # Int64 ms UTC, null where the row has no usable time
    wall: pl.Series  # Int64 ms on the clock the file is written in (checked for alignment)
    problem: pl.Series  # String: MISSING / UNPARSEABLE / NONEXISTENT, null when fine
    format: str
    zone: str
    notes: list[str] = field(default_factory=list)


def check_tz(tz: str | None) -> None:
    if tz is None:
        return
    try:
        zoneinfo.ZoneInfo(tz)
        pl.Series([0], dtype=pl.Datetime("ms")).dt.replace_time_zone(tz)
    except Exception:
        raise CandleImportError(
            f"unknown time zone {tz!r}; use an IANA name such as UTC, Europe/Berlin, "
            "Europe/London or America/New_York"
        ) from None


def parse_time(
    frame: pl.DataFrame, columns: tuple[str, ...], shown: str, *, tz: str | None, path: Path
) -> ParsedTime:
    if len(columns) == 2:
        parts = [frame.get_column(c).cast(pl.String).str.strip_chars() for c in columns]
        source = pl.select(pl.concat_str(parts, separator=" ")).to_series()
    else:
        source = frame.get_column(columns[0])
    dtype = source.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            ts = source.dt.convert_time_zone("UTC").dt.epoch("ms")
            return _absolute(ts, source.is_null(), f"datetime ({dtype.time_zone})", tz)
        return _naive(source.cast(pl.Datetime("ms")), source.is_null(), "datetime (no zone)", tz)
    if dtype == pl.Date:
        return _naive(source.cast(pl.Datetime("ms")), source.is_null(), "date", tz)
    if dtype.is_numeric():
        return _epoch(source, source.is_null(), tz)
    text = source.cast(pl.String).str.strip_chars()
    missing = text.is_null() | (text == "")
    text = pl.when(~missing).then(text).otherwise(None)
    text = pl.select(text).to_series()
    sample = _sample(text)
    if sample.len() == 0:
        raise CandleImportError(f"{path}: the time column {shown} is empty in every row")
    numeric = sample.filter(sample.str.contains(r"^[+-]?\d+(\.\d+)?$"))
    if numeric.len() * 2 > sample.len():  # epoch numbers, or 20240102-style dates
        fmt = _DIGIT_DATES.get(int(numeric.str.len_chars().median()))  # type: ignore[arg-type]
        digits = numeric.str.strptime(pl.Datetime("ms"), fmt, strict=False) if fmt else None
        if digits is not None and digits.null_count() * 2 < numeric.len():
            return _naive(text.str.strptime(pl.Datetime("ms"), fmt, strict=False), missing,
                          fmt, tz)  # fmt: skip
        fractional = numeric.str.contains(".", literal=True).any()
        number = text.cast(pl.Float64 if fractional else pl.Int64, strict=False)
        return _epoch(number, missing, tz)
    for pattern, repl in _REWRITES:
        if sample.str.contains(pattern).any():
            text = text.str.replace(pattern, repl)
            sample = sample.str.replace(pattern, repl)
    fmt, notes = _choose_format(sample, shown, path)
    parsed = text.str.strptime(pl.Datetime("ms"), fmt, strict=False)
    if fmt.endswith("%z"):
        result = _absolute(parsed.dt.epoch("ms"), missing, fmt, tz)
    else:
        result = _naive(parsed, missing, fmt, tz)
    result.notes[:0] = notes
    return result


def _sample(text: pl.Series) -> pl.Series:
    values = text.drop_nulls()
    if values.len() > 2 * SAMPLE:
        values = pl.concat([values.head(SAMPLE), values.tail(SAMPLE)])
    return values.unique(maintain_order=True)


def _candidates() -> list[str]:
    out = []
    for date in _DATES:
        out.append(date)
        for clock in _CLOCKS:
            out += [date + clock, date + clock + "%z"]
    return out


def _choose_format(sample: pl.Series, shown: str, path: Path) -> tuple[str, list[str]]:
    scored = []
    for fmt in _candidates():
        parsed = sample.str.strptime(pl.Datetime("ms"), fmt, strict=False)
        scored.append((sample.len() - parsed.null_count(), fmt, parsed))
    best = max(s[0] for s in scored)
    if best < max(1, sample.len() // 2):
        examples = ", ".join(repr(v) for v in sample.head(3).to_list())
        raise CandleImportError(
            f"{path}: no recognisable time in column {shown}: values like {examples} are not "
            f"a date/time format I know. Accepted: {ACCEPTED_TIMES}."
        )
    top = [s for s in scored if s[0] == best]
    distinct = {tuple(s[2].dt.epoch("ms").to_list()): s for s in top}
    if len(distinct) == 1:
        return top[0][1], []

    # day/month order is ambiguous (01/02/2024): the wrong reading scatters the rows, so take
    # the reading whose consecutive times are closest together
    def spacing(parsed: pl.Series) -> float:
        steps = parsed.drop_nulls().unique().sort().dt.epoch("ms").diff().drop_nulls()
        return float(steps.median()) if steps.len() else float("inf")  # type: ignore[arg-type]

    chosen = min(distinct.values(), key=lambda s: spacing(s[2]))
    others = " or ".join(s[1] for s in distinct.values() if s is not chosen)
    return chosen[1], [
        f"day/month order is ambiguous in these dates; read them as {chosen[1]} rather than "
        f"{others} because that puts consecutive rows closest together"
    ]


def _finish(ts: pl.Series, wall: pl.Series, missing: pl.Series, extra: pl.Series | None,
            fmt: str, zone: str, notes: list[str]) -> ParsedTime:  # fmt: skip
    problem = pl.select(
        pl.when(missing).then(pl.lit(MISSING))
        .when(extra if extra is not None else pl.lit(False)).then(pl.lit(NONEXISTENT))
        .when(ts.is_null()).then(pl.lit(UNPARSEABLE))
        .otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()  # fmt: skip
    return ParsedTime(ts.cast(pl.Int64), wall.cast(pl.Int64), problem, fmt, zone, notes)


def _absolute(ts: pl.Series, missing: pl.Series, fmt: str, tz: str | None) -> ParsedTime:
    notes = []
    if tz is not None:
        notes.append(f"--tz {tz} ignored: the times in the file carry their own UTC offset")
    return _finish(ts, ts, missing, None, fmt, "offsets in the file, converted to UTC", notes)


def _epoch(number: pl.Series, missing: pl.Series, tz: str | None) -> ParsedTime:
    magnitude = number.drop_nulls().abs().median()
    magnitude = float(magnitude) if magnitude is not None else 0.0  # type: ignore[arg-type]
    unit, per_ms = next(
        (u, d) for limit, u, d in ((1e11, "seconds", 1e-3), (1e14, "milliseconds", 1),
                                   (1e17, "microseconds", 1e3), (float("inf"), "nanoseconds", 1e6))
        if magnitude < limit
    )  # fmt: skip
    if number.dtype.is_integer():
        if per_ms < 1:
            ts = number.cast(pl.Int64) * 1000
        else:
            ts = number.cast(pl.Int64) // int(per_ms)
    else:
        ts = (number.cast(pl.Float64) / per_ms).round(0)
        ts = pl.select(pl.when(ts.is_finite()).then(ts).otherwise(None)).to_series()
        ts = ts.cast(pl.Int64, strict=False)
    notes = []
    if tz is not None:
        notes.append(f"--tz {tz} ignored: epoch timestamps are UTC by definition")
    return _finish(ts, ts, missing, None, f"epoch {unit}", "UTC (epoch)", notes)


def _naive(parsed: pl.Series, missing: pl.Series, fmt: str, tz: str | None) -> ParsedTime:
    wall = parsed.dt.epoch("ms")
    if tz is None:
        zone = "UTC (the times have no zone; pass --tz if they are local times)"
        return _finish(wall, wall, missing, None, fmt, zone, [])
    frame = pl.DataFrame({"t": parsed})
    t = pl.col("t")
    order = pl.when(t.is_first_distinct()).then(pl.lit("earliest")).otherwise(pl.lit("latest"))
    out = frame.select(
        ts=t.dt.replace_time_zone(tz, ambiguous=order, non_existent="null")
        .dt.convert_time_zone("UTC").dt.epoch("ms"),
        repeated=t.dt.replace_time_zone(tz, ambiguous="null", non_existent="null").is_null(),
    )  # fmt: skip
    ts = out.get_column("ts")
    gap = parsed.is_not_null() & ts.is_null()
    repeated = int((out.get_column("repeated") & parsed.is_not_null() & ~gap).sum())
    notes = []
    if repeated:
        notes.append(
            f"{repeated} row(s) fall in the hour repeated when clocks went back in {tz}: the "
            "first occurrence was read as summer time, a second one as standard time"
        )
    return _finish(ts, wall, missing, gap, fmt, f"{tz} (from --tz, DST-aware), converted to UTC",
                   notes)  # fmt: skip
