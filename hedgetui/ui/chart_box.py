"""One chart of the chart pane: what it shows (market, timeframe, indicators, zoom, pan,
crosshair) and where its data comes from (store candles, drawings, the app's orders and
positions). The status line under it lives in chart_box_status.py."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from hedgetui.analytics.candles_frame import load_candles, rows_to_frame
from hedgetui.analytics.importer import is_forex_symbol
from hedgetui.analytics.indicator_spec import IndicatorSpec
from hedgetui.analytics.resample import resample
from hedgetui.charts import ChartView, HLine, LineKind, TrendLine
from hedgetui.charts.scale import fmt_price, nice_step
from hedgetui.domain.models import TIMEFRAMES, Candle, timeframe_ms
from hedgetui.store.drawings import Drawing, list_drawings
from hedgetui.ui.chart_box_status import StatusMixin
from hedgetui.ui.chart_widget import ChartWidget

log = logging.getLogger(__name__)

TIMEFRAME_ORDER = tuple(TIMEFRAMES)  # 1m 5m 15m 1h 4h 1d
MIN_WINDOW, MAX_WINDOW = 10, 2000
HISTORY = 1500  # candles loaded at first; panning/zooming past them loads more
GUTTER = 12  # about the price scale's width: the rest of the width holds candles
PRICE_STEPS_PER_ROW = 3  # price cursor: 1-3 key presses per line of the price panel


def base_symbol(symbol: str) -> str:
    """'BTC/USDT:USDT' -> 'BTC/USDT': a perp's orders and entry show on the spot chart."""
    return symbol.split(":")[0]


class ChartBox(StatusMixin, Vertical):
    def __init__(
        self, exchange: str, symbol: str, timeframe: str, specs: tuple[IndicatorSpec, ...], **kw
    ) -> None:
        super().__init__(**kw)
        self.exchange, self.symbol, self.timeframe = exchange, symbol, timeframe
        self.specs = specs
        self.window: int | None = None  # None: as many candles as fit the width
        self.pan_offset = 0
        self.cursor: int | None = None  # absolute row of the candle frame
        self.cursor_level: float | None = None  # the crosshair's own price (None: the close)
        self.drawings: list[Drawing] = []
        self.order_lines: tuple[HLine, ...] = ()
        self.source: str | None = None
        self.source_note = ""
        self.limit = HISTORY
        self.more_history = True  # the last load filled the limit: older candles may exist
        self.trend_anchor: tuple[int, float] | None = None
        self.loaded = False
        self._lock = asyncio.Lock()
        self._message = ""
        self._message_timer = None
        self._status_shown = ""
        self._status_lines = 1

    def compose(self) -> ComposeResult:
        overlays = tuple(s for s in self.specs if s.is_overlay)
        oscillators = tuple(s for s in self.specs if not s.is_overlay)
        view = ChartView(self.exchange, self.symbol, self.timeframe, overlays=overlays,
                         oscillators=oscillators)  # fmt: skip
        yield ChartWidget(view)
        yield Static("", classes="chart-status")

    def on_mount(self) -> None:
        self.chart.on_rendered = lambda _w: self.update_status()

    @property
    def chart(self) -> ChartWidget:
        return self.query_one(ChartWidget)

    @property
    def n(self) -> int:
        return self.chart.frame.height

    @property
    def store(self):
        return self.app.store

    # -- the view ----------------------------------------------------------------------

    def fit_window(self) -> int:
        return max(MIN_WINDOW, self.chart.size.width - GUTTER)

    def current_window(self) -> int:
        return self.window or self.fit_window()

    def build_view(self) -> ChartView:
        hlines = [*self.order_lines]
        trends = []
        for d in self.drawings:
            if d.kind == "hline":
                hlines.append(HLine(d.price, LineKind.DRAWING, d.label or f"#{d.id}"))
            else:
                trends.append(TrendLine(d.t1, d.p1, d.t2, d.p2, d.label or f"#{d.id}"))
        return dataclasses.replace(
            self.chart.view,
            exchange=self.exchange,
            symbol=self.symbol,
            timeframe=self.timeframe,
            overlays=tuple(s for s in self.specs if s.is_overlay),
            oscillators=tuple(s for s in self.specs if not s.is_overlay),
            # few candles spread over the width rather than crowding the right edge
            window=min(self.current_window(), max(self.n, MIN_WINDOW)),
            offset=self.pan_offset,
            cursor=self.cursor,
            cursor_price=self.cursor_level if self.cursor is not None else None,
            hlines=tuple(hlines),
            trendlines=tuple(trends),
            forex=is_forex_symbol(self.symbol),
        )

    def apply_view(self) -> None:
        self.chart.set_view(self.build_view())
        self.update_status()

    def on_resize(self) -> None:
        if self.window is None and self.loaded:
            self.apply_view()

    # -- data --------------------------------------------------------------------------

    async def reload(self) -> None:
        """Candles and drawings of the current market and timeframe from the store."""
        store = self.store
        if store is None:
            return
        async with self._lock:
            try:
                loaded = await load_candles(
                    store, self.exchange, self.symbol, self.timeframe, limit=self.limit
                )
            except ValueError as exc:  # stored candles too irregular to resample
                self.flash(str(exc))
                return
            self.source = loaded.source
            self.source_note = loaded.describe_source()
            self.more_history = loaded.frame.height >= self.limit
            self.drawings = await list_drawings(store, self.exchange, self.symbol)
            self.loaded = True
            if self.cursor is not None and self.cursor >= loaded.frame.height:
                self.cursor = loaded.frame.height - 1 if loaded.frame.height else None
            self.chart.show_data(loaded.frame)
            self.apply_view()

    async def reload_drawings(self) -> None:
        if self.store is None:
            return
        self.drawings = await list_drawings(self.store, self.exchange, self.symbol)
        self.apply_view()

    async def refresh_latest(self) -> None:
        """New or changed candles at the end of the series: patch the forming candle (no
        full render) or append the new one; anything else reloads."""
        store = self.store
        if store is None or not self.loaded:
            return
        if self.source is None or self.n == 0:
            await self.reload()
            return
        async with self._lock:
            last_ts = int(self.chart.frame["ts"][-1])
            step = timeframe_ms(self.timeframe)
            since = last_ts - last_ts % step
            rows = await store.candle_rows(self.exchange, self.symbol, self.source, since=since)
            if not rows:
                return
            frame = rows_to_frame(rows)
            if self.source != self.timeframe:
                frame = resample(frame, self.timeframe)
            candles = [Candle(*r) for r in frame.iter_rows()]
        if len(candles) > 2:  # several candles behind (e.g. after sleep): reload
            await self.reload()
            return
        for candle in candles:
            if candle.ts >= last_ts:
                await self.chart.patch(candle)
        self.update_status()

    def set_order_lines(self, lines: tuple[HLine, ...]) -> None:
        if lines != self.order_lines:
            self.order_lines = lines
            if self.loaded:
                self.apply_view()

    # -- navigation --------------------------------------------------------------------

    def set_market(self, exchange: str, symbol: str) -> None:
        self.exchange, self.symbol = exchange, symbol
        self._reset_position()

    def set_timeframe(self, timeframe: str) -> None:
        # keep the crosshair's time across timeframes
        keep = self.cursor_ts()
        self.timeframe = timeframe
        self._reset_position()
        self._pending_cursor_ts = keep

    def _reset_position(self) -> None:
        self.pan_offset, self.cursor, self.trend_anchor = 0, None, None
        self.cursor_level = None
        self.limit, self.loaded = HISTORY, False
        self._pending_cursor_ts = None

    def restore_cursor(self) -> None:
        ts = getattr(self, "_pending_cursor_ts", None)
        self._pending_cursor_ts = None
        if ts is None or not self.n:
            return
        times = self.chart.frame["ts"]
        idx = int(times.search_sorted(ts - ts % timeframe_ms(self.timeframe), side="right")) - 1
        self.cursor = max(0, min(self.n - 1, idx))
        self.pan_offset = 0
        self._keep_cursor_visible()
        self.apply_view()

    def cursor_ts(self) -> int | None:
        if self.cursor is None or not 0 <= self.cursor < self.n:
            return None
        return int(self.chart.frame["ts"][self.cursor])

    def cursor_price(self) -> float | None:
        """The crosshair's price (moved with up/down, else the close under it), or the last
        close without a crosshair."""
        if not self.n:
            return None
        if self.cursor is not None and self.cursor_level is not None:
            return self.cursor_level
        row = self.cursor if self.cursor is not None and self.cursor < self.n else self.n - 1
        return float(self.chart.frame["close"][row])

    def price_step(self) -> float | None:
        """One up/down step of the price cursor: a round fraction of a price panel line."""
        r = self.chart.rendered
        if r is None or r.layout is None:
            return None
        p = r.layout.price
        return nice_step((p.hi - p.lo) / max(1, p.rows * PRICE_STEPS_PER_ROW))

    def move_price(self, steps: int) -> None:
        """Move the crosshair's price by ``steps`` steps (up > 0), on round multiples of the
        step, kept inside the price panel; shows the crosshair if it was hidden."""
        if not self.n:
            return
        if self.cursor is None:
            self.toggle_cursor()
        step = self.price_step()
        r = self.chart.rendered
        if step is None or r is None or r.layout is None:
            return
        start = self.cursor_price()
        k = math.floor(start / step + 1e-9) if steps > 0 else math.ceil(start / step - 1e-9)
        p = r.layout.price
        lo, hi = math.ceil(p.lo / step - 1e-9), math.floor(p.hi / step + 1e-9)
        level = max(lo, min(hi, k + steps)) * step
        self.cursor_level = round(level, max(0, r.layout.decimals) + 2)
        if not self.chart.set_cursor(self.cursor, self.cursor_level):
            self.apply_view()
        self.update_status()

    def visible_range(self) -> tuple[int, int]:
        last = max(0, self.n - 1 - self.pan_offset)
        return max(0, last - self.current_window() + 1), last

    def _keep_cursor_visible(self) -> None:
        if self.cursor is None:
            return
        first, last = self.visible_range()
        if self.cursor < first:
            self.pan_offset += first - self.cursor
        elif self.cursor > last:
            self.pan_offset = max(0, self.pan_offset - (self.cursor - last))

    async def _maybe_more_history(self) -> None:
        first, _ = self.visible_range()
        if self.more_history and first < self.current_window() // 2:
            before = self.n
            self.limit *= 2
            keep_cursor = self.cursor
            await self.reload()
            added = self.n - before  # rows were added at the start: absolute rows shift
            if keep_cursor is not None and added > 0:
                self.cursor = keep_cursor + added
                self.apply_view()

    async def pan(self, candles: int) -> None:
        """Positive: back in time (left)."""
        self.pan_offset = max(0, min(max(0, self.n - MIN_WINDOW), self.pan_offset + candles))
        self.apply_view()
        if candles > 0:
            await self._maybe_more_history()

    async def zoom(self, factor: float) -> None:
        window = self.current_window()
        new = int(round(window * factor)) if factor > 1 else int(window * factor)
        self.window = max(MIN_WINDOW, min(MAX_WINDOW, new if new != window else window + 1))
        self._keep_cursor_visible()
        self.apply_view()
        if factor > 1:
            await self._maybe_more_history()

    def latest(self) -> None:
        self.pan_offset = 0
        if self.cursor is not None:
            self.cursor = max(0, self.n - 1)
        self.apply_view()

    def toggle_cursor(self) -> None:
        if self.cursor is None:
            _, last = self.visible_range()
            self.cursor = last if self.n else None
        else:
            self.cursor, self.trend_anchor, self.cursor_level = None, None, None
        self.apply_view()

    async def move_cursor(self, step: int) -> None:
        if self.cursor is None or not self.n:
            return
        self.cursor = max(0, min(self.n - 1, self.cursor + step))
        first, last = self.visible_range()
        if first <= self.cursor <= last and self.chart.set_cursor(self.cursor, self.cursor_level):
            self.update_status()
            return
        self._keep_cursor_visible()
        self.apply_view()
        if step < 0:
            await self._maybe_more_history()

    # -- drawings near the crosshair ---------------------------------------------------

    def nearest_drawing(self) -> Drawing | None:
        price, ts = self.cursor_price(), self.cursor_ts()
        if price is None or not self.drawings:
            return None
        if ts is None:
            ts = int(self.chart.frame["ts"][-1])
        return min(self.drawings, key=lambda d: abs(d.price_at(ts) - price))

    def price_text(self, price: float) -> str:
        r = self.chart.rendered
        decimals = r.layout.decimals if r is not None and r.layout else 8
        return fmt_price(price, decimals).replace(",", "")
