"""Reading a candle history file into a raw table: format, encoding, separator, header.

Everything CSV is read as text (no type inference) so that the importer decides how each
column is parsed and can report exactly which rows it could not read. Parquet keeps its own
column types.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

__all__ = ["CandleImportError", "RawTable", "read_raw", "looks_like_time_of_day", "to_number"]

SNIFF_BYTES = 256 * 1024
SNIFF_LINES = 64
# tab and ';' before ',' on a tie: ',' doubles as a decimal mark in ';' files
SEPARATORS = ("\t", ";", "|", ",")
MIN_FIELDS = 5  # time + open, high, low, close

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d([.,]\d+)?)?$")
_CLOCK_DIGITS = re.compile(r"^([01]\d|2[0-3])[0-5]\d([0-5]\d)?$")


class CandleImportError(ValueError):
    """A file that cannot be imported at all; the message says what to do about it."""


@dataclass
class RawTable:
    frame: pl.DataFrame  # source columns: all String for CSV, native types for Parquet
    file_format: str  # "csv" | "parquet"
    first_line: int  # file line (CSV) or row (Parquet) number of frame row 0, 1-based
    headers: list[str] | None  # column names as in the file; None when the file has none
    separator: str | None = None
    decimal_comma: bool = False
    encoding: str = "utf-8"
    container: str = ""  # "zip member x.csv", "gzip" or ""
    notes: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return "line" if self.file_format == "csv" else "row"


def looks_like_time_of_day(value: str, *, digits: bool = False) -> bool:
    """'00:00', '23:59:59.000'; with ``digits`` also '0000' and '000000' (only trusted in a
    column named Time: a price column of 4-digit numbers would pass too)."""
    text = value.strip()
    return bool(_CLOCK.match(text) or (digits and _CLOCK_DIGITS.match(text)))


def read_raw(path: Path) -> RawTable:
    if not path.exists():
        raise CandleImportError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise CandleImportError(f"{path}: is a directory; give the path of one CSV or Parquet file")
    data = path.read_bytes()
    if not data.strip():
        raise CandleImportError(f"{path}: the file is empty; nothing to import")
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".ods", ".numbers"):
        raise CandleImportError(
            f"{path}: spreadsheets are not read directly; save the sheet as CSV and import that"
        )
    data, name, container = _unwrap(path, data)
    suffix = "".join(Path(name).suffixes[-1:]).lower()
    if suffix in (".parquet", ".pq") or data[:4] == b"PAR1":
        table = _read_parquet(path, data)
    elif suffix in (".csv", ".txt", ".tsv", ".prn", ".dat") or _is_text(data):
        table = _read_csv(path, data)
    else:
        raise CandleImportError(
            f"{path}: not a CSV or Parquet file (extension {suffix or 'none'!r}, content is "
            "binary); export the candles as CSV or Parquet and import that"
        )
    table.container = container
    return table


def _unwrap(path: Path, data: bytes) -> tuple[bytes, str, str]:
    """Binance and others ship history as .zip or .gz holding one CSV: read through them."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members[:10]) or "none"
                raise CandleImportError(
                    f"{path}: a zip archive must hold exactly one file, this one holds "
                    f"{len(members)} ({names}); unpack it and import the files one by one"
                )
            member = members[0]
            inner = archive.read(member)
            if not inner.strip():
                raise CandleImportError(f"{path}: {member.filename} in the archive is empty")
            return inner, member.filename, f"zip member {member.filename}"
    if data[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CandleImportError(f"{path}: damaged gzip file ({exc})") from None
        if not inner.strip():
            raise CandleImportError(f"{path}: the compressed file is empty")
        return inner, path.name.removesuffix(".gz"), "gzip"
    return data, path.name, ""


def _is_text(data: bytes) -> bool:
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return b"\x00" not in head and sum(b < 9 or 13 < b < 32 for b in head) == 0


def _read_parquet(path: Path, data: bytes) -> RawTable:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars raises several types for damaged files
        raise CandleImportError(f"{path}: cannot read it as Parquet ({exc})") from None
    if frame.height == 0:
        raise CandleImportError(f"{path}: the Parquet file has no rows; nothing to import")
    return RawTable(frame=frame, file_format="parquet", first_line=1, headers=frame.columns)


def _encoding(data: bytes) -> str:
    if data[:3] == b"\xef\xbb\xbf":
        return "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # MetaTrader 5 exports UTF-16
        return "utf-16"
    try:
        data[:SNIFF_BYTES].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < min(len(data), SNIFF_BYTES) - 4:  # not just a character cut in two
            return "cp1252"
    return "utf-8"


def _decode_head(data: bytes, encoding: str) -> str:
    head = data[:SNIFF_BYTES]
    if encoding == "utf-16":
        head = head[: len(head) // 2 * 2]
    return head.decode(encoding, errors="ignore")


def _split(line: str, sep: str) -> list[str]:
    return line.split(sep)


def _sniff_separator(path: Path, lines: list[str]) -> tuple[str, int, int]:
    """Return (separator, field count, index of the first line with that many fields)."""
    best: tuple[str, int, int] | None = None
    for sep in SEPARATORS:
        counts = [len(_split(ln, sep)) if ln.strip() else 0 for ln in lines]
        content = [c for c in counts if c]
        if not content:
            break
        mode = max(set(content), key=content.count)
        if mode < MIN_FIELDS:
            continue
        start = counts.index(mode)  # lines above the table (a title, a URL) are allowed
        table = [c for c in counts[start:] if c]
        if sum(c == mode for c in table) >= 0.8 * len(table):
            best = (sep, mode, start)
            break
    if best is None:
        sample = "\n".join(lines[:3])
        raise CandleImportError(
            f"{path}: could not find the columns; a candle file needs at least {MIN_FIELDS} "
            "fields per line (time, open, high, low, close) separated by ',', ';' or tab. "
            f"The file starts with:\n{sample}"
        )
    return best


def to_number(value: str, decimal_comma: bool) -> float | None:
    text = value.strip().strip('"')
    if not _NUMBER.match(text):
        return None
    if decimal_comma or "." not in text:
        text = text.replace(",", ".")
    return float(text) if text.count(".") <= 1 else None


def _has_header(first: list[str], second: list[str] | None, decimal_comma: bool) -> bool:
    from hedgetui.analytics.importer_columns import is_known_name

    if any(is_known_name(f) for f in first):
        return True
    if second is None:  # a single line: data if its fields are mostly numbers
        return sum(to_number(f, decimal_comma) is not None for f in first) < len(first) - 2
    numeric = [to_number(f, decimal_comma) is not None for f in first]
    numeric2 = [to_number(f, decimal_comma) is not None for f in second]
    return sum(numeric) < sum(numeric2)


def _read_csv(path: Path, data: bytes) -> RawTable:
    encoding = _encoding(data)
    text = _decode_head(data, encoding)
    lines = text.splitlines()
    if len(data) > SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut short
    lines = lines[:SNIFF_LINES]
    sep, width, start = _sniff_separator(path, lines)
    rows = [[f.strip().strip('"') for f in _split(ln, sep)] for ln in lines[start:] if ln.strip()]
    data_fields = [f for row in rows[1:] for f in row]
    decimal_comma = sep != "," and any(_DECIMAL_COMMA.match(f) for f in data_fields)
    header = _has_header(rows[0], rows[1] if len(rows) > 1 else None, decimal_comma)

    if encoding == "utf-8":
        payload = data
    else:  # polars reads UTF-8 only: re-encode once
        payload = data.decode(encoding, errors="replace").encode("utf-8")
    skip = start + (1 if header else 0)
    try:
        frame = pl.read_csv(
            io.BytesIO(payload),
            has_header=False,
            separator=sep,
            skip_lines=skip,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            new_columns=[f"column_{i + 1}" for i in range(width)],
        )
    except Exception as exc:  # malformed quoting and the like
        raise CandleImportError(f"{path}: cannot read it as CSV ({exc})") from None
    if frame.width > width:
        frame = frame.select(frame.columns[:width])
    if frame.height == 0:
        raise CandleImportError(
            f"{path}: no data rows after the header; nothing to import"
            if header
            else f"{path}: no data rows; nothing to import"
        )
    notes = []
    if start:
        shown = next((ln.strip()[:60] for ln in lines[:start] if ln.strip()), "")
        example = f" (e.g. {shown!r})" if shown else ""
        notes.append(f"skipped {start} line(s) before the table{example}")
    headers = rows[0] if header else None
    if headers is not None:
        frame.columns = _unique_names(headers, width)
    return RawTable(
        frame=frame,
        file_format="csv",
        first_line=skip + 1,
        headers=headers,
        separator=sep,
        decimal_comma=decimal_comma,
        encoding=encoding,
        notes=notes,
    )


def _unique_names(headers: list[str], width: int) -> list[str]:
    names: list[str] = []
    for i in range(width):
        base = headers[i] if i < len(headers) else ""
        name = base
        n = 2
        while name in names:
            name = f"{base}#{n}"
            n += 1
        names.append(name)
    return names
