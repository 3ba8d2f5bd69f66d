"""The Chart pane: candle charts of any stored market, driven by the keyboard.

One chart, or two side by side (``w``) when the terminal is wide. Candles come from the
store (resampled when the timeframe isn't stored), refreshed when the store reports new
candles of the chart's series (in-process) or by polling once a second (``--attach``);
open orders and the position's entry come from the app's state; drawings from
:mod:`hedgetui.store.drawings`. Rendering happens in threads (see chart_widget).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import TabbedContent

from hedgetui.analytics.indicator_spec import IndicatorSpecError, parse_indicator_specs
from hedgetui.charts import HLine, LineKind
from hedgetui.store.series import candle_series
from hedgetui.ui.chart_box import TIMEFRAME_ORDER, ChartBox, base_symbol
from hedgetui.ui.chart_drawing_actions import DrawingActions
from hedgetui.ui.chart_modals import FormScreen, SymbolPicker
from hedgetui.ui.chart_widget import ChartWidget
from hedgetui.ui.panes import Pane
from hedgetui.ui.registry import PaneSpec

log = logging.getLogger(__name__)

DEFAULT_TIMEFRAME = "1h"
DEFAULT_INDICATORS = "ema:20,rsi:14"
WIDE = 160  # columns needed for two charts side by side
POLL_S = 1.0  # attached (read-only) sessions: how often to look for new candles
COALESCE_S = 0.25  # in-process: at most this often per burst of commits


def _spec_text(specs) -> str:
    return ",".join(s.label.lower().replace("(", ":").replace(",", ":").rstrip(")")
                    for s in specs)  # fmt: skip


class ChartPane(DrawingActions, Pane):
    DEFAULT_CSS = (Path(__file__).parent / "chart_pane.tcss").read_text()
    # the footer shows the first few at 80 columns: "?" (every key) and the daily ones first
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Keys", key_display="?"),
        Binding("c", "crosshair", "Crosshair"),
        Binding("right_square_bracket,t", "timeframe(1)", "Timeframe", key_display="[ ]"),
        Binding("left_square_bracket,T", "timeframe(-1)", "TF down", show=False),
        Binding("plus,equals_sign", "zoom(0.67)", "Zoom", key_display="+ -"),
        Binding("minus", "zoom(1.5)", "Zoom out", show=False),
        Binding("left,h", "left", "Pan", key_display="← →"),
        Binding("right,l", "right", "Pan/move →", show=False),
        Binding("shift+left", "left(10)", "Fast ←", show=False),
        Binding("shift+right", "right(10)", "Fast →", show=False),
        Binding("up,k", "price(1)", "Price", key_display="↑ ↓"),
        Binding("down,j", "price(-1)", "Price ↓", show=False),
        Binding("shift+up,K", "price(5)", "Price ↑ ×5", show=False),
        Binding("shift+down,J", "price(-5)", "Price ↓ ×5", show=False),
        Binding("p,ctrl+f", "pick_symbol", "Symbol", key_display="p"),
        Binding("i", "indicators", "Indicators"),
        Binding("H", "add_hline", "H-line", key_display="H"),
        Binding("r", "trend_point", "Trend line"),
        Binding("D", "edit_drawing", "Edit line", key_display="D"),
        Binding("L,end", "latest", "Latest", key_display="L"),
        Binding("w", "split", "Side by side"),
        Binding("tab", "next_chart", "Next chart", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
    ]
    # "?" lists every binding above; these explain related ones together (see ui/help.py)
    HELP_GROUPS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (("app.help",), "this list, then the keys of every pane"),
        (("timeframe(1)", "timeframe(-1)"), "timeframe up / down (1m 5m 15m 1h 4h 1d)"),
        (("zoom(0.67)", "zoom(1.5)"), "zoom in / out"),
        (("left", "right"), "pan back / forward; with the crosshair: move it a candle"),
        (("left(10)", "right(10)"), "the same, 10 at a time"),
        (("crosshair",), "crosshair on / off (OHLCV and indicators in the status line)"),
        (("price(1)", "price(-1)"), "move the crosshair's price (for lines)"),
        (("price(5)", "price(-5)"), "the same, 5 steps"),
        (("latest",), "jump to the latest candle"),
        (("pick_symbol",), "pick the symbol (fuzzy)"),
        (("indicators",), "indicators, e.g. ema:20,rsi:14,macd,bbands:20:2"),
        (("add_hline",), "horizontal line at the crosshair's price"),
        (("trend_point",), "trend line: r at the first point, r at the second"),
        (("edit_drawing",), "edit / move / delete the line nearest the crosshair"),
        (("split",), "two charts side by side (160+ columns)"),
        (("next_chart",), "next chart (side by side)"),
        (("cancel",), "cancel the trend line / hide the crosshair"),
    )

    def __init__(self, app, **kw) -> None:
        super().__init__(**kw)
        self.hedge = app
        self.default_market = _first_market(app.config)
        try:
            self.default_specs = tuple(parse_indicator_specs(DEFAULT_INDICATORS))
        except IndicatorSpecError:  # pragma: no cover - a constant
            self.default_specs = ()
        self._unsubscribe = None
        self._dirty_candles = False
        self._dirty_drawings = False
        self._active_index = 0

    def compose(self) -> ComposeResult:
        ex, sym = self.default_market
        with Horizontal(id="chart-row"):
            yield ChartBox(ex, sym, DEFAULT_TIMEFRAME, self.default_specs, classes="-active")

    def on_mount(self) -> None:
        self.set_interval(COALESCE_S, self._on_timer)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    # -- plumbing ------------------------------------------------------------------------

    @property
    def boxes(self) -> list[ChartBox]:
        return list(self.query(ChartBox))

    @property
    def box(self) -> ChartBox:
        boxes = self.boxes
        return boxes[min(self._active_index, len(boxes) - 1)]

    def focus_main(self) -> None:
        self.box.chart.focus()

    def _spawn(self, coro) -> None:
        # a worker, not a bare task: dialogs (push_screen_wait) need one
        self.run_worker(self._guard(coro), group="chart", exit_on_error=False)

    async def _guard(self, coro) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown, logged; the pane keeps working
            log.error("chart pane: %s", exc, exc_info=exc)
            if self.is_mounted:
                self.box.flash(f"error: {exc}", 8)

    def _visible(self) -> bool:
        try:
            return self.app.query_one(TabbedContent).active == "chart"
        except Exception:  # not inside the workstation's tabs (tests of the pane alone)
            return True

    def _on_store_change(self, changed) -> None:
        keys = changed.keys
        if "candles" in changed.tables:
            # any timeframe of a shown market: the chart may be built from another one
            wanted = {(b.exchange, b.symbol) for b in self.boxes}
            changed_keys = keys.get("candles")
            if changed_keys is None or any(k[:2] in wanted for k in changed_keys):
                self._dirty_candles = True
        if "drawings" in changed.tables:
            self._dirty_drawings = True

    def _on_timer(self) -> None:
        store = self.hedge.store
        if store is None or not self._visible():
            return
        if self._unsubscribe is None and not store.readonly:
            self._unsubscribe = store.subscribe(self._on_store_change)
        for box in self.boxes:
            if not box.loaded and not box._lock.locked():
                self._spawn(self._load(box))
        attached = store.readonly
        now = asyncio.get_running_loop().time()
        if attached and now - getattr(self, "_last_poll", 0.0) >= POLL_S:
            self._last_poll = now
            self._dirty_candles = self._dirty_drawings = True
        if self._dirty_candles:
            self._dirty_candles = False
            for box in self.boxes:
                if box.loaded:
                    self._spawn(box.refresh_latest())
        if self._dirty_drawings:
            self._dirty_drawings = False
            for box in self.boxes:
                if box.loaded:
                    self._spawn(box.reload_drawings())

    async def _load(self, box: ChartBox) -> None:
        await box.reload()
        box.restore_cursor()

    def show(self, state, now_ms: int) -> None:
        for box in self.boxes:
            box.set_order_lines(order_lines(state, box.exchange, box.symbol))

    # -- actions -------------------------------------------------------------------------

    def action_timeframe(self, step: int) -> None:
        box = self.box
        i = TIMEFRAME_ORDER.index(box.timeframe)
        j = max(0, min(len(TIMEFRAME_ORDER) - 1, i + step))
        if j != i:
            box.set_timeframe(TIMEFRAME_ORDER[j])
            box.apply_view()
            self._spawn(self._load(box))

    def action_zoom(self, factor: float) -> None:
        self._spawn(self.box.zoom(factor))

    def action_left(self, fast: int = 1) -> None:
        box = self.box
        if box.cursor is not None:
            self._spawn(box.move_cursor(-fast))
        else:
            self._spawn(box.pan(max(1, box.current_window() // 4) * fast))

    def action_right(self, fast: int = 1) -> None:
        box = self.box
        if box.cursor is not None:
            self._spawn(box.move_cursor(fast))
        else:
            self._spawn(box.pan(-max(1, box.current_window() // 4) * fast))

    def action_crosshair(self) -> None:
        self.box.toggle_cursor()

    def action_price(self, steps: int) -> None:
        self.box.move_price(steps)

    def action_latest(self) -> None:
        self.box.latest()

    def action_cancel(self) -> None:
        box = self.box
        if box.trend_anchor is not None:
            box.trend_anchor = None
            box.flash("trend line cancelled")
        elif box.cursor is not None:
            box.toggle_cursor()

    def action_next_chart(self) -> None:
        boxes = self.boxes
        self._set_active((self._active_index + 1) % len(boxes))

    def _set_active(self, index: int) -> None:
        boxes = self.boxes
        self._active_index = index
        for i, b in enumerate(boxes):
            b.set_class(i == index, "-active")
        boxes[index].chart.focus()

    def action_split(self) -> None:
        boxes = self.boxes
        if len(boxes) > 1:
            boxes[1].remove()
            self._set_active(0)
            return
        if self.size.width < WIDE:
            self.box.flash(f"side-by-side needs a terminal at least {WIDE} columns wide "
                           f"(this pane has {self.size.width})")  # fmt: skip
            return
        first = boxes[0]
        i = TIMEFRAME_ORDER.index(first.timeframe)
        tf = TIMEFRAME_ORDER[min(i + 1, len(TIMEFRAME_ORDER) - 1)]
        if tf == first.timeframe:
            tf = TIMEFRAME_ORDER[i - 1]
        second = ChartBox(first.exchange, first.symbol, tf, first.specs, classes="-second")
        self.query_one("#chart-row", Horizontal).mount(second)
        second.set_order_lines(order_lines(self.hedge.state, second.exchange, second.symbol))
        self.call_after_refresh(self._set_active, 1)

    def action_pick_symbol(self) -> None:
        self._spawn(self._pick_symbol())

    async def _pick_symbol(self) -> None:
        box = self.box
        markets = await self._markets()
        choice = await self.app.push_screen_wait(SymbolPicker(markets, (box.exchange, box.symbol)))
        if choice is None:
            return
        box.set_market(*choice)
        box.set_order_lines(order_lines(self.hedge.state, *choice))
        box.apply_view()
        await self._load(box)

    async def _markets(self) -> list[tuple[str, str, str]]:
        stored: dict[tuple[str, str], list[str]] = {}
        if self.hedge.store is not None:
            for ex, sym, tf in await candle_series(self.hedge.store):
                stored.setdefault((ex, sym), []).append(tf)
        watch = self.hedge.config.market.watchlist
        keys = [(ex, s) for ex, syms in watch.items() for s in syms]
        keys += [k for k in sorted(stored) if k not in keys]
        order = {tf: i for i, tf in enumerate(TIMEFRAME_ORDER)}
        out = []
        for key in keys:
            tfs = sorted(stored.get(key, []), key=lambda t: order.get(t, 99))
            note = f"stored {', '.join(tfs)}" if tfs else "no candles yet"
            out.append((key[0], key[1], note))
        return out

    def action_indicators(self) -> None:
        self._spawn(self._indicators())

    async def _indicators(self) -> None:
        box = self.box

        def check(values: dict) -> str | None:
            try:
                parse_indicator_specs(values["specs"])
            except IndicatorSpecError as exc:
                return str(exc)
            return None

        result = await self.app.push_screen_wait(
            FormScreen(
                f"Indicators on {box.symbol} (every timeframe)",
                [("specs", "comma-separated, e.g. ema:20,bbands:20:2,rsi:14,macd", _spec_text(box.specs))],
                check,
                "overlays: sma ema wma bbands vwap · panels: rsi macd atr stoch · empty: none",
            )
        )  # fmt: skip
        if result is None:
            return
        box.specs = tuple(parse_indicator_specs(result["specs"]))
        box.apply_view()


def order_lines(state, exchange: str, symbol: str) -> tuple[HLine, ...]:
    """Open orders and position entries of ``symbol`` on ``exchange`` as chart lines (a
    perp's show on its spot chart too: same base/quote)."""
    want = base_symbol(symbol)
    lines = []
    for o in sorted(state.open_orders(), key=lambda o: (o.account, o.created_at)):
        info = state.accounts.get(o.account)
        if info is None or info.exchange != exchange or base_symbol(o.symbol) != want:
            continue
        level = o.price if o.price is not None else o.stop_price
        if level is None:
            continue
        kind = LineKind.BUY if o.side.value == "buy" else LineKind.SELL
        lines.append(HLine(float(level), kind, f"{o.side.value} {_qty(o.remaining)} {o.account}"))
    for (account, _), p in sorted(state.positions.items()):
        info = state.accounts.get(account)
        if info is None or info.exchange != exchange or base_symbol(p.symbol) != want:
            continue
        if p.contracts and p.entry_price:
            lines.append(HLine(float(p.entry_price), LineKind.ENTRY,
                               f"entry {p.side} {_qty(p.contracts)} {account}"))  # fmt: skip
    return tuple(lines)


def _qty(value) -> str:
    """A Decimal quantity without trailing zeros: 0.10000 -> 0.1, 2E+1 -> 20."""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else f"{value}"
    return text


def _first_market(config) -> tuple[str, str]:
    for ex, symbols in config.market.watchlist.items():
        if symbols:
            return ex, symbols[0]
    return "paper", "BTC/USDT"


PANE = PaneSpec("chart", "Chart", lambda app: ChartPane(app, id="chart-pane"))

__all__ = ["PANE", "ChartPane", "ChartWidget", "order_lines"]
