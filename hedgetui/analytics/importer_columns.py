"""Which file column holds the time, open, high, low, close and volume."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from hedgetui.analytics.importer_read import CandleImportError, RawTable, looks_like_time_of_day

__all__ = ["Layout", "map_columns", "normalise", "is_known_name", "ACCEPTED_NAMES"]

_PUNCT = re.compile(r"[<>\"'`_\-.()\[\]{}/:#]+")


def normalise(name: str) -> str:
    """'Open_Time' -> 'open time', '<TICKVOL>' -> 'tickvol', 'Volume(BTC)' -> 'volume btc'."""
    return " ".join(_PUNCT.sub(" ", name.lower()).split())


TIME_NAMES = (
    "open time", "opentime", "timestamp", "time stamp", "datetime", "date time", "gmt time",
    "local time", "utc time", "time utc", "timestamp utc", "datetime utc", "date utc",
    "unix", "unix time", "unix timestamp", "unix ms", "epoch", "ts", "time open",
    "open timestamp", "open date", "start time", "start", "period start", "time period start",
    "candle begin time", "begin time", "bar time", "t",
)  # fmt: skip
DATE_NAMES = ("date", "day", "trade date")
CLOCK_NAMES = ("time", "hour", "time of day")
INDEX_NAMES = ("", "index", "index level 0", "level 0")
_UNNAMED = re.compile(r"^unnamed( \d+)?$")


def _price(base: str, short: str, *extra: str) -> tuple[str, ...]:
    names = [base, short, f"{base} price", *extra]
    for side in ("bid", "mid", "ask"):  # bid first: forex charts are drawn from bid prices
        names += [f"{base} {side}", f"{side} {base}", f"{base}{side}", f"{side}{base}"]
    return tuple(names)


PRICE_NAMES = {
    "open": _price("open", "o", "opening price", "first"),
    "high": _price("high", "h", "max", "highest"),
    "low": _price("low", "l", "min", "lowest"),
    "close": _price("close", "c", "closing price", "last", "price"),
}
VOLUME_NAMES = (
    "volume", "vol", "v", "base volume", "volume base", "base asset volume", "volume from",
    "volumefrom", "tickvol", "tick volume", "tickvolume", "tick vol", "real volume",
)  # fmt: skip
# columns that are volume, but not the base-asset volume we store
_NOT_BASE = ("quote", "taker", "buy", "sell", "trade", "count", "number", "notional", "turnover")
# how likely an asset is to be the quote side of a pair: 'Volume BTC' next to 'Volume USDT'
# is the base volume, next to 'Volume ETH' it is the quote volume
QUOTE_RANK = {q: 3 for q in "usdt usd usdc busd fdusd tusd dai eur gbp jpy try brl aud".split()}
QUOTE_RANK |= {"btc": 2, "eth": 1, "bnb": 1}
_KNOWN = frozenset(
    TIME_NAMES + DATE_NAMES + CLOCK_NAMES + VOLUME_NAMES
    + tuple(n for names in PRICE_NAMES.values() for n in names)
)  # fmt: skip

ACCEPTED_NAMES = (
    "time: Date, Time (date and time columns are combined), Timestamp, Datetime, Open time, "
    "Gmt time, Local time, Unix, ts, or an unnamed first column (pandas index); "
    "open: Open or O; high: High or H; low: Low or L; close: Close or C; "
    "volume (optional): Volume, Vol, V, Volume <BASE>, Tickvol"
)


def is_known_name(name: str) -> bool:
    n = normalise(name)
    return n in _KNOWN and len(n) > 1  # a lone 'c' or 'h' in a data line is not a header


@dataclass
class Layout:
    time: tuple[str, ...]  # frame columns: the time, or (date, time of day)
    open: str
    high: str
    low: str
    close: str
    volume: str | None
    shown: dict[str, str]  # field -> the source column as the user knows it
    notes: list[str] = field(default_factory=list)


def map_columns(raw: RawTable, path: Path, symbol: str | None = None) -> Layout:
    if raw.headers is None:
        return _positional(raw, path)
    frame = raw.frame
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        by_norm.setdefault(normalise(col), col)
    prices = {}
    for key, names in PRICE_NAMES.items():
        col = next((by_norm[n] for n in names if n in by_norm), None)
        if col is None:
            raise CandleImportError(_missing_message(path, raw.headers, key))
        prices[key] = col
    notes = []
    if "bid" in normalise(prices["close"]) and any("ask" in n for n in by_norm):
        notes.append("the file has bid and ask prices; imported the bid prices")
    time = _time_columns(frame, by_norm, path, raw.headers)
    volume, vol_notes = _volume_column(frame, by_norm, symbol)
    notes += vol_notes
    shown = {"time": " + ".join(repr(c) for c in time)}
    shown |= {k: repr(v) for k, v in prices.items()}
    shown["volume"] = repr(volume) if volume else "(none)"
    return Layout(time, prices["open"], prices["high"], prices["low"], prices["close"], volume,
                  shown, notes)  # fmt: skip


def _missing_message(path: Path, headers: list[str], what: str) -> str:
    seen = ", ".join(repr(h) for h in headers)
    return (
        f"{path}: no {what} column found. Headers seen: {seen}. Accepted names (any case, "
        f"with spaces or underscores): {ACCEPTED_NAMES}. Rename the columns, or remove the "
        "header line so the columns are read by position (time, open, high, low, close, volume)."
    )


def _sample(frame: pl.DataFrame, col: str, n: int = 50) -> list[str]:
    s = frame.get_column(col).drop_nulls().head(n)
    return [str(v) for v in s.to_list()]


def _time_columns(
    frame: pl.DataFrame, by_norm: dict[str, str], path: Path, headers: list[str]
) -> tuple[str, ...]:
    full = next((by_norm[n] for n in TIME_NAMES if n in by_norm), None)
    date = next((by_norm[n] for n in DATE_NAMES if n in by_norm), None)
    clock = next((by_norm[n] for n in CLOCK_NAMES if n in by_norm), None)
    if full is not None:
        return (full,)
    if date is not None and clock is not None:
        values = _sample(frame, clock)
        if values and all(looks_like_time_of_day(v, digits=True) for v in values):
            return (date, clock)
        return (clock,) if all(v.strip().isdigit() for v in values) else (date,)
    if date is not None or clock is not None:
        return (date or clock,)  # type: ignore[return-value]
    for col in frame.columns:  # pandas writes its index as an unnamed first column
        n = normalise(col)
        if n in INDEX_NAMES or _UNNAMED.match(n):
            return (col,)
    temporal = [c for c, t in frame.schema.items() if t.is_temporal()]
    if temporal:  # Parquet: the one datetime column, whatever its name
        return (temporal[0],)
    raise CandleImportError(_missing_message(path, headers, "time"))


def _volume_column(
    frame: pl.DataFrame, by_norm: dict[str, str], symbol: str | None
) -> tuple[str | None, list[str]]:
    exact = [by_norm[n] for n in VOLUME_NAMES if n in by_norm]
    base, quote = _sides(symbol)
    labelled: list[tuple[int, str]] = []  # (preference, column) for 'Volume BTC' and the like
    ignored: list[str] = []
    for n, col in by_norm.items():
        if col in exact or not re.search(r"\bvol(ume)?\b", n):
            continue
        unit = " ".join(w for w in n.split() if w not in ("vol", "volume", "asset"))
        if any(word in n for word in _NOT_BASE) or (quote and unit == quote):
            ignored.append(col)
        elif base and unit == base:
            labelled.append((0, col))
        else:
            labelled.append((1 + QUOTE_RANK.get(unit, 0), col))
    labelled.sort(key=lambda p: p[0])  # stable: file order within a preference
    candidates = exact + [c for _, c in labelled]
    if not candidates:
        note = [f"ignored volume column(s) {', '.join(map(repr, ignored))}: not base-asset "
                "volume; volume set to 0"] if ignored else []  # fmt: skip
        return None, note
    chosen = candidates[0]
    if len(exact) > 1 and _all_zero(frame, chosen):  # MetaTrader: VOL is 0, TICKVOL is real
        chosen = next((c for c in exact[1:] if not _all_zero(frame, c)), chosen)
    others = [c for c in candidates if c != chosen] + ignored
    notes = []
    if chosen not in exact and base is None:
        notes.append(f"volume taken from {chosen!r}, assumed to be in the base asset "
                     "(give the symbol to pick the base volume column for sure)")  # fmt: skip
    if others:
        notes.append(
            f"several volume columns: used {chosen!r}, ignored {', '.join(map(repr, others))}"
        )
    return chosen, notes


def _all_zero(frame: pl.DataFrame, col: str) -> bool:
    s = frame.get_column(col)
    if s.dtype == pl.String:
        s = s.str.strip_chars().str.replace(",", ".", literal=True)
    values = s.cast(pl.Float64, strict=False)
    return not bool((values.fill_null(0.0) != 0.0).any())


def _sides(symbol: str | None) -> tuple[str | None, str | None]:
    if not symbol:
        return None, None
    parts = re.split(r"[/:\-_]", symbol.lower())
    return (parts[0] or None, parts[1] if len(parts) > 1 and parts[1] else None)


def _positional(raw: RawTable, path: Path) -> Layout:
    cols = raw.frame.columns
    values = _sample(raw.frame, cols[1]) if len(cols) > 1 else []
    split_clock = bool(values) and all(looks_like_time_of_day(v) for v in values)
    first = 2 if split_clock else 1
    if len(cols) < first + 4:
        raise CandleImportError(
            f"{path}: the file has no header and only {len(cols)} columns; expected time, "
            "open, high, low, close[, volume] in that order"
        )
    time = tuple(cols[:first])
    o, h, lo, c = cols[first : first + 4]
    volume = cols[first + 4] if len(cols) > first + 4 else None
    used = first + 4 + (volume is not None)

    def label(col: str) -> str:
        return f"column {cols.index(col) + 1}"

    shown = {"time": " + ".join(label(t) for t in time), "open": label(o), "high": label(h),
             "low": label(lo), "close": label(c),
             "volume": label(volume) if volume else "(none)"}  # fmt: skip
    layout = "date, time, " if split_clock else "time, "
    notes = [f"no header: columns read by position as {layout}open, high, low, close, volume"]
    if len(cols) == 12 and not split_clock:
        notes.append("12 columns: Binance kline layout; close time, quote volume, trades and "
                     "taker volumes (columns 7-12) ignored")  # fmt: skip
    elif len(cols) > used:
        notes.append(f"columns {used + 1}-{len(cols)} ignored")
    return Layout(time, o, h, lo, c, volume, shown, notes)
