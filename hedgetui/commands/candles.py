"""``hedgetui candles show|import``: candles with indicators out of the store, files into it.

``show`` computes indicators over the whole stored history of the series and only then cuts
``--since``/``--until``, so the requested range is not blanked by the indicators' warm-up
when older candles exist; values are exactly the charts' (TA-Lib-exact, see
hedgetui.analytics.indicators). ``import`` stores only new or changed candles, so importing
the same file twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from hedgetui.commands.common import CommandError, db_path, open_store
from hedgetui.domain.clock import SystemClock
from hedgetui.domain.models import TIMEFRAMES

FORMATS = ("table", "csv", "parquet")
TABLE_ROWS = 50  # default --limit for the table format; csv/parquet print everything

SHOW_EPILOG = """\
time format for --since/--until: ISO 8601 (2024-01-05, 2024-01-05T12:00, 2024-01-05 12:00+02:00;
UTC unless an offset is given), epoch milliseconds (1704456000000), or an age such as 90m, 12h,
7d, 2w (that long before now). Both ends are inclusive and refer to candle open times.

indicators are computed over all stored candles of the series before --since/--until cut the
range, so the first rows of the range already have values when older history is stored; they
are empty only during the warm-up at the very start of the stored history.

CSV columns: time (ISO 8601, UTC), open, high, low, close, volume, then one column per
indicator output: <name>_<params joined by _>, e.g. ema_20, rsi_14, macd_12_26_9,
macdsignal_12_26_9, macdhist_12_26_9, bbupper_20_2, bbmiddle_20_2, bblower_20_2, atr_14.
Timeframes that are not stored are resampled from a stored finer one (e.g. 4h from 1h).

examples:
  hedgetui candles show --exchange paper --symbol BTC/USDT --timeframe 1h --indicators ema:20,rsi:14
  hedgetui candles show --exchange paper --symbol BTC/USDT --timeframe 4h --since 7d --format csv
  hedgetui candles show ... --format parquet --output btc_4h.parquet
"""

IMPORT_EPILOG = """\
Reads CSV or Parquet candle files (exchange klines, MetaTrader, HistData, Dukascopy,
TradingView, pandas exports, ...): columns, separators, decimal commas and time formats are
detected. Naive times are UTC unless --tz names the zone they were written in. Rows that
can't be used are rejected and listed with the reason; the rest are stored. Candles already
stored with the same values are left alone, so importing a file twice changes nothing.

example:
  hedgetui candles import EURUSD_H1.csv --exchange dukascopy --symbol EUR/USD --timeframe 1h
"""


def register(sub, common) -> None:
    p = sub.add_parser(
        "candles",
        help="show candles with indicators, or import candle files",
        description="Candles in the local store: print them with indicators, or import files.",
    )
    csub = p.add_subparsers(dest="candles_command", metavar="ACTION", required=True)

    show = csub.add_parser(
        "show",
        help="print candles with indicators (table, CSV or Parquet)",
        description="Print stored candles of one series with indicators.",
        epilog=SHOW_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _market_args(show)
    show.add_argument("--since", metavar="TIME", help="first candle time (inclusive)")
    show.add_argument("--until", metavar="TIME", help="last candle time (inclusive)")
    show.add_argument(
        "--indicators",
        metavar="SPECS",
        default="",
        help="e.g. ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14",
    )
    show.add_argument("--format", choices=FORMATS, default="table", help="output format")
    show.add_argument("--output", metavar="PATH", help="write to this file (required for parquet)")
    show.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help=f"only the last N candles of the range (table default {TABLE_ROWS}; 0 = all)",
    )
    common(show)
    show.set_defaults(handler=show_command)

    imp = csub.add_parser(
        "import",
        help="import a CSV/Parquet candle file into the store",
        description="Import a candle file into the store and report what was stored.",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("path", metavar="PATH", help="CSV or Parquet file")
    _market_args(imp)
    imp.add_argument(
        "--tz", metavar="ZONE", help="zone of naive times in the file, e.g. Europe/Berlin"
    )
    common(imp)
    imp.set_defaults(handler=import_command)


def _market_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--exchange", required=True, metavar="NAME", help="e.g. paper, binance")
    p.add_argument("--symbol", required=True, metavar="S", help="e.g. BTC/USDT, EUR/USD")
    p.add_argument(
        "--timeframe", required=True, metavar="TF", help=f"one of {', '.join(TIMEFRAMES)}"
    )


# --- argument checks ------------------------------------------------------------------------

_AGE = re.compile(r"^(\d+)\s*(m|h|d|w)$")
_AGE_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}


def parse_time(text: str, option: str, now_ms: int) -> int:
    """``--since``/``--until`` value -> ms UTC; CommandError naming the option otherwise."""
    value = text.strip()
    if m := _AGE.match(value.lower()):
        return now_ms - int(m.group(1)) * _AGE_MS[m.group(2)]
    if value.isdigit():
        ms = int(value)
        if len(value) < 12:
            raise CommandError(
                f"{option} {text!r}: epoch times must be milliseconds (13 digits, e.g. "
                "1704456000000); for an age write e.g. 7d"
            )
        return ms
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a time: use ISO 8601 (2024-01-05 or "
            "2024-01-05T12:00, UTC unless an offset is given), epoch ms, or an age like 7d"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def _check_timeframe(tf: str) -> str:
    if tf not in TIMEFRAMES:
        raise CommandError(f"--timeframe {tf!r} is not known; use one of {', '.join(TIMEFRAMES)}")
    return tf


def _check_market(exchange: str, symbol: str) -> None:
    if not exchange.strip():
        raise CommandError("--exchange is empty; name the exchange, e.g. --exchange paper")
    if not symbol.strip():
        raise CommandError("--symbol is empty; name the market, e.g. --symbol BTC/USDT")


# --- show -----------------------------------------------------------------------------------


def show_command(args: argparse.Namespace) -> int:
    from hedgetui.analytics.indicator_spec import IndicatorSpecError, parse_indicator_specs

    _check_market(args.exchange, args.symbol)
    tf = _check_timeframe(args.timeframe)
    try:
        specs = parse_indicator_specs(args.indicators or "")
    except IndicatorSpecError as exc:
        raise CommandError(f"--indicators: {exc}") from None
    now = SystemClock().now_ms()
    since = parse_time(args.since, "--since", now) if args.since else None
    until = parse_time(args.until, "--until", now) if args.until else None
    if since is not None and until is not None and since > until:
        raise CommandError("--since is after --until; swap them")
    if args.format == "parquet" and not args.output:
        raise CommandError("--format parquet writes a file: add --output PATH")
    if args.limit is not None and args.limit < 0:
        raise CommandError(f"--limit must be 0 (all) or more, got {args.limit}")
    frame, source = asyncio.run(_load(args, tf))
    if frame.height == 0:
        raise CommandError(
            f"no {tf} candles for {args.symbol} on {args.exchange} in {db_path(args)} "
            "(nor a finer timeframe to build them from); fetch them with `hedgetui collect` "
            "or add them with `hedgetui candles import`"
        )
    from hedgetui.analytics.indicator_spec import apply_indicators

    data = apply_indicators(frame, specs) if specs else frame
    if since is not None:
        data = data.filter(pl.col("ts") >= since)
    if until is not None:
        data = data.filter(pl.col("ts") <= until)
    total = data.height
    limit = args.limit if args.limit is not None else (TABLE_ROWS if args.format == "table" else 0)
    if limit and data.height > limit:
        data = data.tail(limit)
    if args.format == "parquet":
        _write_parquet(data, Path(args.output))
        print(f"wrote {data.height} candles to {args.output}", file=sys.stderr)
    elif args.format == "csv":
        text = to_csv(data)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
            print(f"wrote {data.height} candles to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
    else:
        _print_table(data, args, source, total)
    return 0


async def _load(args: argparse.Namespace, tf: str):
    from hedgetui.analytics.candles_frame import load_candles

    store = await open_store(db_path(args), readonly=True)
    try:
        # the whole stored history: indicators warm up on it before the range is cut
        loaded = await load_candles(store, args.exchange, args.symbol, tf)
    except ValueError as exc:  # a stored series too irregular to resample
        raise CommandError(str(exc)) from None
    finally:
        await store.close()
    return loaded.frame, loaded.describe_source()


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(v) -> str:
    if v is None or v != v:
        return ""
    return repr(float(v))  # shortest text that reads back as the same float


def to_csv(data: pl.DataFrame) -> str:
    """CSV text: time (ISO 8601 UTC), OHLCV, indicator columns; empty cells in warm-up."""
    columns = [c for c in data.columns if c != "ts"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["time", *columns])
    for row in data.select(["ts", *columns]).iter_rows():
        w.writerow([_iso(row[0]), *(_cell(v) for v in row[1:])])
    return out.getvalue()


def _write_parquet(data: pl.DataFrame, path: Path) -> None:
    out = data.select(
        pl.col("ts").cast(pl.Datetime("ms", "UTC")).alias("time"),
        pl.exclude("ts").cast(pl.Float64).fill_nan(None),
    )
    try:
        out.write_parquet(path)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def _print_table(data: pl.DataFrame, args, source: str, total: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from hedgetui.charts.scale import fmt_price, fmt_volume, price_decimals

    d = price_decimals(float(data["close"][-1]))
    percent = ("rsi_", "stochk_", "stochd_")
    table = Table(
        title=f"{args.symbol} {args.timeframe} {args.exchange} ({source})", title_justify="left"
    )
    columns = [c for c in data.columns if c != "ts"]
    table.add_column("time (UTC)")
    for c in columns:
        table.add_column(c, justify="right")
    for row in data.select(["ts", *columns]).iter_rows():
        cells = [datetime.fromtimestamp(row[0] / 1000, UTC).strftime("%Y-%m-%d %H:%M")]
        for name, v in zip(columns, row[1:], strict=True):
            if v is None or v != v:
                cells.append("")
            elif name == "volume":
                cells.append(fmt_volume(v))
            elif name.startswith(percent):
                cells.append(f"{v:.2f}")
            elif name.startswith(("macd", "atr_")):
                cells.append(f"{v:.{d + 1}f}")
            else:
                cells.append(fmt_price(v, d))
        table.add_row(*cells)
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(160, 14 * (len(columns) + 1)))
    console.print(table)
    if total > data.height:
        console.print(
            f"[dim]the last {data.height} of {total} candles; --limit 0 shows all, "
            "--format csv for every value at full precision[/]"
        )


# --- import ---------------------------------------------------------------------------------


def import_command(args: argparse.Namespace) -> int:
    from hedgetui.analytics.importer import CandleImportError, load_candle_file

    _check_market(args.exchange, args.symbol)
    tf = _check_timeframe(args.timeframe)
    path = Path(args.path).expanduser()
    try:
        result = load_candle_file(path, timeframe=tf, tz=args.tz, symbol=args.symbol)
    except CandleImportError as exc:
        raise CommandError(str(exc)) from None
    print(result.report.render())
    if result.frame.height == 0:
        print("nothing stored: no valid candles in the file", file=sys.stderr)
        return 1
    inserted, updated, unchanged = asyncio.run(_store_import(args, tf, result.frame))
    print(
        f"stored in {db_path(args)} as {args.exchange} {args.symbol} {tf}: "
        f"{inserted} inserted, {updated} updated, {unchanged} unchanged, "
        f"{result.report.rows_rejected} rejected"
    )
    return 0


async def _store_import(args: argparse.Namespace, tf: str, frame: pl.DataFrame):
    from hedgetui.analytics.candles_frame import rows_to_frame
    from hedgetui.analytics.importer import classify_against_existing, frame_to_candles

    store = await open_store(db_path(args))
    try:
        first, last = int(frame["ts"].min()), int(frame["ts"].max())
        rows = await store.candle_rows(args.exchange, args.symbol, tf, since=first, until=last)
        existing = rows_to_frame(rows)
        counts = classify_against_existing(frame, existing)
        changed = frame.join(existing, on=frame.columns, how="anti")  # new or different
        if changed.height:
            store.put_candles(args.exchange, args.symbol, tf, frame_to_candles(changed))
            await store.flush()
    finally:
        await store.close()
    return counts
