"""Indicator specs as typed by a trader: ``"ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14"``.

One spec is ``name[:param[:param...]]``; omitted trailing params take the defaults below
(TradingView / TA-Lib conventions). The CLI and the charts parse specs here and add the
results to a candle frame with :func:`apply_indicators`; each spec knows its output columns and
whether it is drawn on the price scale (overlay) or in its own pane (oscillator).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from hedgetui.analytics import indicators as ind

__all__ = [
    "INDICATORS",
    "IndicatorSpec",
    "IndicatorSpecError",
    "apply_indicators",
    "parse_indicator_specs",
    "SPEC_SYNTAX",
]

Kind = Literal["overlay", "oscillator"]


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    type: type  # int (a period) or float (a multiplier)
    default: float | None  # None: same as the previous param (bbands nbdev_dn)
    minimum: float


@dataclass(frozen=True, slots=True)
class _Def:
    kind: Kind
    params: tuple[_Param, ...]
    outputs: tuple[str, ...]  # column prefixes, in the order the function returns them
    needs: tuple[str, ...]  # input columns
    compute: Callable[[pl.DataFrame, tuple], tuple[pl.Series, ...]]


def _period(name: str, default: int, minimum: int = 1) -> _Param:
    return _Param(name, int, default, minimum)


INDICATORS: dict[str, _Def] = {
    "sma": _Def("overlay", (_period("period", 20),), ("sma",), ("close",),
                lambda df, p: (ind.sma(df["close"], *p),)),
    "ema": _Def("overlay", (_period("period", 20),), ("ema",), ("close",),
                lambda df, p: (ind.ema(df["close"], *p),)),
    "wma": _Def("overlay", (_period("period", 20),), ("wma",), ("close",),
                lambda df, p: (ind.wma(df["close"], *p),)),
    "bbands": _Def(
        "overlay",
        (_period("period", 20, 2), _Param("nbdev", float, 2.0, 0.0),
         _Param("nbdev_dn", float, None, 0.0)),
        ("bbupper", "bbmiddle", "bblower"), ("close",),
        lambda df, p: ind.bbands(df["close"], *p),
    ),
    "vwap": _Def("overlay", (), ("vwap",), ("ts", "high", "low", "close", "volume"),
                 lambda df, p: (ind.vwap(df),)),
    "rsi": _Def("oscillator", (_period("period", 14, 2),), ("rsi",), ("close",),
                lambda df, p: (ind.rsi(df["close"], *p),)),
    "macd": _Def(
        "oscillator",
        (_period("fast", 12, 2), _period("slow", 26, 2), _period("signal", 9)),
        ("macd", "macdsignal", "macdhist"), ("close",),
        lambda df, p: ind.macd(df["close"], *p),
    ),
    "atr": _Def("oscillator", (_period("period", 14),), ("atr",), ("high", "low", "close"),
                lambda df, p: (ind.atr(df["high"], df["low"], df["close"], *p),)),
    "stoch": _Def(
        "oscillator",
        (_period("fastk", 5), _period("slowk", 3), _period("slowd", 3)),
        ("stochk", "stochd"), ("high", "low", "close"),
        lambda df, p: ind.stoch(df["high"], df["low"], df["close"], *p),
    ),
}  # fmt: skip

ALIASES = {"bb": "bbands", "boll": "bbands", "stochastic": "stoch"}


def _usage(name: str) -> str:
    params = INDICATORS[name].params
    return name + "".join(f"[:{p.name}]" for p in params)


SPEC_SYNTAX = (
    "indicators are comma-separated name[:param...] items, e.g. "
    "'ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14'; accepted: "
    + ", ".join(_usage(n) for n in INDICATORS)
)


class IndicatorSpecError(ValueError):
    """A spec the parser cannot accept; the message names the bad part and the syntax."""

    def __init__(self, item: str, problem: str) -> None:
        self.item = item
        self.problem = problem
        end = " " if problem.endswith("?") else ". "
        super().__init__(f"bad indicator {item!r}: {problem}{end}{SPEC_SYNTAX}")


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator with every parameter filled in (defaults applied)."""

    name: str
    params: tuple[float, ...] = ()

    @property
    def kind(self) -> Kind:
        return INDICATORS[self.name].kind

    @property
    def is_overlay(self) -> bool:
        """Drawn on the price scale (sma, ema, wma, bbands, vwap) rather than in a pane."""
        return self.kind == "overlay"

    @property
    def _shown(self) -> tuple[float, ...]:
        if self.name == "bbands" and self.params[1] == self.params[2]:
            return self.params[:2]  # bbands:20:2 and bbands:20:2:2 are the same thing
        return self.params

    @property
    def columns(self) -> tuple[str, ...]:
        """Output columns: ``<output>_<params joined by _>``, e.g. ``macdsignal_12_26_9``."""
        suffix = "".join(f"_{ind.fmt_param(p)}" for p in self._shown)
        return tuple(prefix + suffix for prefix in INDICATORS[self.name].outputs)

    @property
    def label(self) -> str:
        """Short legend text, e.g. ``MACD(12,26,9)``, ``BBANDS(20,2)``, ``VWAP``."""
        shown = ",".join(ind.fmt_param(p) for p in self._shown)
        return f"{self.name.upper()}({shown})" if shown else self.name.upper()

    def compute(self, df: pl.DataFrame) -> dict[str, pl.Series]:
        d = INDICATORS[self.name]
        missing = [c for c in d.needs if c not in df.columns]
        if missing:
            raise ValueError(
                f"{self.label} needs columns {', '.join(d.needs)}; the data lacks "
                f"{', '.join(missing)}"
            )
        outputs = d.compute(df, self.params)
        return {col: s.rename(col) for col, s in zip(self.columns, outputs, strict=True)}


def _parse_param(item: str, p: _Param, text: str) -> float:
    try:
        value = p.type(text)
    except ValueError:
        kind = "a whole number" if p.type is int else "a number"
        raise IndicatorSpecError(item, f"{p.name} must be {kind}, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise IndicatorSpecError(item, f"{p.name} must be a finite number, got {text!r}")
    if value <= 0 or value < p.minimum:
        need = f"at least {p.minimum:g}" if p.minimum > 1 else "positive"
        raise IndicatorSpecError(item, f"{p.name} must be {need}, got {text}")
    if p.type is int and value > ind.MAX_PERIOD:
        raise IndicatorSpecError(item, f"{p.name} must be at most {ind.MAX_PERIOD}, got {text}")
    return value


def _parse_one(item: str) -> IndicatorSpec:
    name, *texts = (part.strip() for part in item.split(":"))
    name = ALIASES.get(name.lower(), name.lower())
    if name not in INDICATORS:
        close = difflib.get_close_matches(name, [*INDICATORS, *ALIASES], n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise IndicatorSpecError(item, f"unknown indicator {name!r}{hint}")
    d = INDICATORS[name]
    if texts and not d.params:
        raise IndicatorSpecError(item, f"{name} takes no parameters")
    if len(texts) > len(d.params):
        raise IndicatorSpecError(
            item,
            f"{name} takes at most {len(d.params)} parameter(s) ({_usage(name)}), got {len(texts)}",
        )
    values: list[float] = []
    for i, p in enumerate(d.params):
        if i < len(texts):
            if not texts[i]:
                raise IndicatorSpecError(item, f"{p.name} is empty")
            values.append(_parse_param(item, p, texts[i]))
        else:
            values.append(values[-1] if p.default is None else p.type(p.default))
    if name == "macd" and values[0] >= values[1]:
        raise IndicatorSpecError(
            item, f"the fast period ({values[0]}) must be shorter than the slow ({values[1]})"
        )
    return IndicatorSpec(name, tuple(values))


def parse_indicator_specs(text: str | Iterable[str]) -> list[IndicatorSpec]:
    """Parse ``"ema:20,rsi"`` (or a list of items) into specs; duplicates are dropped.

    Raises :class:`IndicatorSpecError` (a ``ValueError``) naming the bad item."""
    items = text.split(",") if isinstance(text, str) else list(text)
    specs: list[IndicatorSpec] = []
    for raw in items:
        item = raw.strip()
        if not item:
            continue
        spec = _parse_one(item)
        if spec not in specs:
            specs.append(spec)
    return specs


def apply_indicators(df: pl.DataFrame, specs: Iterable[IndicatorSpec] | str) -> pl.DataFrame:
    """``df`` (ts, open, high, low, close, volume; ascending ts) with every spec's output
    columns added (null during warm-up). Existing columns of the same name are replaced."""
    if isinstance(specs, str):
        specs = parse_indicator_specs(specs)
    if "ts" in df.columns and not df["ts"].is_sorted():
        raise ValueError("candles must be in ascending ts order to compute indicators")
    columns: dict[str, pl.Series] = {}
    for spec in specs:
        columns.update(spec.compute(df))
    return df.with_columns(list(columns.values())) if columns else df
