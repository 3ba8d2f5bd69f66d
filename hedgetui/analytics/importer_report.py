"""What a candle import found: counts, reasons with examples, and the detected format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["ImportReport", "RejectedRow", "format_ts", "format_step"]

EXAMPLES_PER_REASON = 3


def format_ts(ts: int) -> str:
    dt = datetime.fromtimestamp(ts / 1000, tz=UTC)
    text = dt.strftime("%Y-%m-%d %H:%M")
    if dt.second or dt.microsecond:
        text = dt.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return text + " UTC"


def format_step(ms: float) -> str:
    for size, unit in ((86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")):
        if ms >= size and ms % size == 0:
            return f"{int(ms // size)}{unit}"
    return f"{ms:g}ms"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int  # as in the file: 1-based, counting the header and any lines above it
    reason: str
    detail: str  # which column / which earlier row, when that helps
    text: str  # the row as read


@dataclass
class ImportReport:
    path: str
    timeframe: str
    file_format: str  # "csv" | "parquet"
    columns: dict[str, str]  # field -> source column (e.g. {"time": "'Gmt time'", ...})
    time_format: str  # strptime-style format, or "epoch milliseconds" etc.
    time_zone: str  # how the times were placed in UTC
    rows_read: int  # data rows, without header, preamble and blank lines
    rows_valid: int
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> rows, most first
    examples: dict[str, list[RejectedRow]] = field(default_factory=dict)
    first_ts: int | None = None
    last_ts: int | None = None
    missing_periods: int | None = None  # timeframe slots in [first, last] with no candle
    separator: str | None = None
    decimal_comma: bool = False
    encoding: str = ""
    header_line: int | None = None
    container: str = ""
    unit: str = "line"  # rows are numbered by file line (CSV) or by row (Parquet)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    def describe_format(self) -> str:
        if self.file_format == "parquet":
            parts = ["Parquet"]
        else:
            sep = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(self.separator or "", "")
            parts = ["CSV", f"separator {sep}", "decimal comma" if self.decimal_comma
                     else "decimal point", self.encoding]  # fmt: skip
            parts.append(f"header on line {self.header_line}" if self.header_line else "no header")
        if self.container:
            parts.append(f"read from {self.container}")
        return ", ".join(p for p in parts if p)

    def render(self) -> str:
        lines = [f"Import of {self.path} ({self.timeframe})"]

        def row(label: str, text: str) -> None:
            lines.append(f"  {label:<9} {text}")

        row("format", self.describe_format())
        row("columns", ", ".join(f"{k} <- {v}" for k, v in self.columns.items()))
        row("time", f"{self.time_format}; zone: {self.time_zone}")
        row("rows", f"{self.rows_read} read, {self.rows_valid} valid, "
                    f"{self.rows_rejected} rejected")  # fmt: skip
        if self.first_ts is not None and self.last_ts is not None:
            span = f"{format_ts(self.first_ts)} .. {format_ts(self.last_ts)}"
            if self.missing_periods:
                span += f" ({self.missing_periods} {self.timeframe} periods without a candle)"
            row("range", span)
        else:
            row("range", "no valid candles")
        if self.rejected:
            lines.append("  rejected:")
            for reason, count in self.rejected.items():
                lines.append(f"    {count:>7}  {reason}")
                for ex in self.examples.get(reason, []):
                    detail = f" ({ex.detail})" if ex.detail else ""
                    lines.append(f"             {self.unit} {ex.line}{detail}: {ex.text}")
        if self.notes:
            lines.append("  notes:")
            lines += [f"    - {note}" for note in self.notes]
        return "\n".join(lines)
