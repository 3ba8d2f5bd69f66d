"""One simulated market: price process, synthetic order book, candles and ticker.

Price: geometric Brownian motion (zero drift in log price) on a fixed 1-second grid. The
shock of second ``k`` is a hash of (seed, path, k) (see :mod:`rng`), so the price at any
second depends only on the seed, the origin and the clock - never on how often somebody
polled. Each second yields one synthetic trade at that price, rounded to the tick.

Catch-up after downtime: stepping every second through hours would stall the event loop,
so time older than ``FINE_WINDOW_S`` before "now" is walked in coarse bars (1 minute bars up
to ``MINUTE_DAYS`` back, 1 hour bars up to a year back, 1 day bars beyond). A coarse bar has a
synthetic high/low and is matched against resting orders like a trade range. Determinism
across poll frequencies therefore holds for gaps up to ``FINE_WINDOW_S``; a longer gap is
deterministic for the same gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

from hedgetui.domain import OrderBook, Ticker, round_step
from hedgetui.exchanges.paper import history, rng
from hedgetui.exchanges.paper.candles import HOUR_MS, MINUTE_MS, CandleSeries
from hedgetui.exchanges.paper.catalog import MarketSpec

FINE_WINDOW_S = 900
#: (bar seconds, used for time older than this many seconds before the target)
COARSE_UNITS = ((86_400, 365 * 86_400), (3_600, history.MINUTE_DAYS * 86_400), (60, FINE_WINDOW_S))
NO_WATCH_HIGH = 1 << 62  # "no order above/below": thresholds nobody crosses
NO_WATCH_LOW = -(1 << 62)
BOOK_LEVELS = 20
MAX_WALK_LEVELS = 2_000

#: called as on_bar(market, ts_ms, high_ticks, low_ticks) when a bar crosses a watch level
BarHook = Callable[["SymbolMarket", int, int, int], None]


class SymbolMarket:
    def __init__(
        self,
        spec: MarketSpec,
        seed: int,
        origin_ms: int,
        origin_price: float | None = None,
        step: int | None = None,
        path_price: float | None = None,
    ) -> None:
        self.spec = spec
        self.market = spec.market
        self.symbol = spec.market.symbol
        self.seed = seed
        self.tick = spec.market.price_step
        self.tick_f = float(self.tick)
        self.digits = max(0, -self.tick.as_tuple().exponent)
        self.sigma = history.sigma_per_second(spec.annual_vol)
        self._k_sec = rng.stream_key(seed, "path", spec.path_key, "1s")
        self._k_coarse = rng.stream_key(seed, "path", spec.path_key, "coarse")
        self._k_trade = rng.stream_key(seed, "trade", self.symbol)
        self._k_book = rng.stream_key(seed, "book", self.symbol)
        self.origin_ms = origin_ms
        self.origin_price = spec.start_price if origin_price is None else origin_price
        self.step = origin_ms // 1000 if step is None else step  # last second simulated
        self.path_price = self.origin_price if path_price is None else path_price
        self.last_ticks = self._to_ticks(self._trade_price(self.path_price, self.step))
        self.m1 = CandleSeries(MINUTE_MS, cap=history.MINUTE_DAYS * 1440, align=60)
        self.h1 = CandleSeries(HOUR_MS, cap=365 * 24, align=24)
        self.history_loaded = False
        self._block_key: tuple[int, int] | None = None
        self._block: tuple[list[float], list[float]] = ([], [])
        self._restored = False  # live rows came from a snapshot (boundary already merged)
        # resting-order thresholds, maintained by the engine
        self.buy_limit_max = NO_WATCH_LOW  # fill when a trade is strictly below
        self.sell_limit_min = NO_WATCH_HIGH  # fill when a trade is strictly above
        self.buy_stop_min = NO_WATCH_HIGH  # trigger when a trade is at or above
        self.sell_stop_max = NO_WATCH_LOW  # trigger when a trade is at or below

    # ---- prices -------------------------------------------------------------------------

    def _trade_price(self, path_price: float, k: int) -> float:
        if not self.spec.basis:
            return path_price
        noise = (rng.uniform(self._k_trade, k) - 0.5) * 0.0002  # +-1 bp around the basis
        return path_price * (1.0 + self.spec.basis + noise)

    def _to_ticks(self, price: float) -> int:
        return max(1, round(price / self.tick_f))

    def ticks_to_float(self, ticks: int) -> float:
        return round(ticks * self.tick_f, self.digits)

    def ticks_to_decimal(self, ticks: int) -> Decimal:
        return (self.tick * ticks).quantize(self.tick)

    def decimal_to_ticks(self, price: Decimal) -> int:
        return int(price / self.tick)

    @property
    def last(self) -> float:
        return self.ticks_to_float(self.last_ticks)

    @property
    def last_decimal(self) -> Decimal:
        return self.ticks_to_decimal(self.last_ticks)

    # ---- time ---------------------------------------------------------------------------

    def advance(self, to_step: int, on_bar: BarHook) -> None:
        """Simulate up to second ``to_step`` (inclusive)."""
        self.coarse_to(to_step, on_bar)
        self.fine_to(to_step, on_bar)

    def coarse_to(self, to_step: int, on_bar: BarHook) -> None:
        """Walk the part of the gap older than ``FINE_WINDOW_S`` in coarse bars."""
        for unit, older_than in COARSE_UNITS:
            limit = to_step - older_than
            while (self.step // unit + 1) * unit <= limit:
                self._coarse_bar((self.step // unit + 1) * unit, unit, on_bar)

    def fine_to(self, to_step: int, on_bar: BarHook) -> None:
        """One synthetic trade per second up to ``to_step``."""
        if to_step <= self.step:
            return
        sigma = self.sigma
        exp, log, normal, uniform = math.exp, math.log, rng.normal, rng.uniform
        k_sec, k_trade = self._k_sec, self._k_trade
        per_second = self.spec.minute_quote_volume / 60.0 / max(self.path_price, 1e-12)
        m1_add, h1_add = self.m1.add, self.h1.add
        x = self.path_price
        for k in range(self.step + 1, to_step + 1):
            x *= exp(sigma * normal(k_sec, k))
            t = self._to_ticks(self._trade_price(x, k))
            p = self.ticks_to_float(t)
            v = per_second * -log(uniform(k_trade, -k))
            ts = k * 1000
            m1_add(ts, p, p, p, p, v)
            h1_add(ts, p, p, p, p, v)
            self.step, self.path_price, self.last_ticks = k, x, t
            if (
                t < self.buy_limit_max
                or t > self.sell_limit_min
                or t >= self.buy_stop_min
                or t <= self.sell_stop_max
            ):
                on_bar(self, ts, t, t)

    def _coarse_draws(self, unit: int, end: int) -> tuple[float, float, float, float]:
        """(normal, uniform, uniform, uniform) for the coarse bar ending at ``end``; drawn in
        blocks of 64 bars so a long catch-up does not pay a hash per number."""
        n = end // unit
        block = (unit, n >> 6)
        if self._block_key != block:
            self._block_key = block
            self._block = history.draws(self._k_coarse ^ unit, n >> 6, 64, 192)
        z, u = self._block
        i = n & 63
        return z[i], u[3 * i], u[3 * i + 1], u[3 * i + 2]

    def _coarse_bar(self, end: int, unit: int, on_bar: BarHook) -> None:
        dt = end - self.step
        s = self.sigma * math.sqrt(dt)
        z, u_up, u_down, u_vol = self._coarse_draws(unit, end)
        x1 = self.path_price * math.exp(s * z)
        o = self.last_ticks
        c = self._to_ticks(self._trade_price(x1, end))
        wick = s * 0.35
        hi = max(self._to_ticks(max(o, c) * self.tick_f * math.exp(-wick * math.log(u_up))), o, c)
        lo = min(self._to_ticks(min(o, c) * self.tick_f * math.exp(wick * math.log(u_down))), o, c)
        volume = self.spec.minute_quote_volume / 60.0 * dt / max(x1, 1e-12) * (0.5 + u_vol)
        ts = (end - 1) * 1000
        fo, fh, fl, fc = (self.ticks_to_float(t) for t in (o, hi, lo, c))
        if unit <= 60:
            self.m1.add(ts, fo, fh, fl, fc, volume)
        if unit <= 3600:
            self.h1.add(ts, fo, fh, fl, fc, volume)
        self.step, self.path_price, self.last_ticks = end, x1, c
        if (
            lo < self.buy_limit_max
            or hi > self.sell_limit_min
            or hi >= self.buy_stop_min
            or lo <= self.sell_stop_max
        ):
            on_bar(self, end * 1000, hi, lo)

    # ---- history ------------------------------------------------------------------------

    def ensure_history(self) -> None:
        if self.history_loaded:
            return
        first_min, minutes, first_hour, hours = history.generate(
            seed=self.seed,
            path_key=self.spec.path_key,
            symbol=self.symbol,
            annual_vol=self.spec.annual_vol,
            origin_ms=self.origin_ms,
            origin_path_price=self.origin_price,
            basis=self.spec.basis,
            price_digits=self.digits,
            minute_quote_volume=self.spec.minute_quote_volume,
        )
        merge = not self._restored
        self.m1.prepend(first_min, minutes, merge=merge)
        self.h1.prepend(first_hour, hours, merge=merge)
        self.history_loaded = True

    # ---- book ---------------------------------------------------------------------------

    def top(self) -> tuple[int, int]:
        """Best bid and ask, in ticks."""
        bid = self.last_ticks - self.spec.spread_ticks // 2
        return max(1, bid), max(1, bid) + self.spec.spread_ticks

    def level_gap(self) -> int:
        return max(1, round(self.last_ticks * self.spec.level_gap_bps / 10_000))

    def level_size(self, side: int, level: int) -> Decimal:
        """Size of book level ``level`` (0 = best) on side +1 (asks) or -1 (bids)."""
        jitter = 0.7 + 0.6 * rng.uniform(self._k_book, (self.step * 4096 + level) * 2 + (side > 0))
        top = self.spec.top_depth_quote / (self.last_ticks * self.tick_f)
        size = Decimal(repr(top * (1.0 + 0.5 * level) * jitter))
        return max(round_step(size, self.market.amount_step), self.market.amount_step)

    def level_price(self, side: int, level: int) -> int:
        bid, ask = self.top()
        gap = self.level_gap()
        return ask + level * gap if side > 0 else bid - level * gap

    def book(self, ts: int, limit: int | None = None) -> OrderBook:
        n = BOOK_LEVELS if limit is None else max(1, min(int(limit), 1000))
        bids, asks = [], []
        for i in range(n):
            bp = self.level_price(-1, i)
            if bp >= 1:
                bids.append((self.ticks_to_float(bp), float(self.level_size(-1, i))))
            asks.append((self.ticks_to_float(self.level_price(1, i)), float(self.level_size(1, i))))
        return OrderBook(self.symbol, ts, tuple(bids), tuple(asks))

    def walk(
        self, buy: bool, amount: Decimal, limit_ticks: int | None
    ) -> list[tuple[int, Decimal]]:
        """Take liquidity: (price ticks, amount) per level until ``amount`` is filled, the
        limit price is passed or the book runs out."""
        side = 1 if buy else -1
        fills: list[tuple[int, Decimal]] = []
        left = amount
        for i in range(MAX_WALK_LEVELS):
            price = self.level_price(side, i)
            if price < 1 or left <= 0:
                break
            if limit_ticks is not None and (price > limit_ticks if buy else price < limit_ticks):
                break
            take = min(left, self.level_size(side, i))
            fills.append((price, take))
            left -= take
        return fills

    # ---- ticker -------------------------------------------------------------------------

    def ticker(self, exchange: str, now_ms: int) -> Ticker:
        self.ensure_history()
        start = now_ms - 86_400_000
        first_min = start // MINUTE_MS
        hour_after = first_min // 60 + 1
        rows = self.m1.window(first_min, hour_after * 60 - 1)
        rows += self.h1.window(hour_after, now_ms // HOUR_MS)
        bid, ask = self.top()
        last = self.last
        if rows:
            open_ = rows[0][0]
            high = max(max(r[1] for r in rows), last)
            low = min(min(r[2] for r in rows), last)
            base_volume = sum(r[4] for r in rows)
        else:
            open_ = high = low = last
            base_volume = 0.0
        return Ticker(
            exchange=exchange,
            symbol=self.symbol,
            timestamp=self.step * 1000,
            last=last,
            bid=self.ticks_to_float(bid),
            ask=self.ticks_to_float(ask),
            high=high,
            low=low,
            open=open_,
            base_volume=round(base_volume, 8),
            quote_volume=round(base_volume * (high + low) / 2.0, 2),
        )

    # ---- snapshot -----------------------------------------------------------------------

    def snapshot(self, candles: bool = True) -> dict:
        state = {
            "origin_ms": self.origin_ms,
            "origin_price": self.origin_price,
            "step": self.step,
            "path_price": self.path_price,
        }
        if candles:
            self.ensure_history()  # so the saved boundary rows already contain history
            state["m1"] = _series_state(self.m1, self.origin_ms // MINUTE_MS)
            state["h1"] = _series_state(self.h1, self.origin_ms // HOUR_MS)
        return state

    @classmethod
    def from_snapshot(cls, spec: MarketSpec, seed: int, state: dict) -> SymbolMarket:
        step = int(state["step"])
        path_price = float(state["path_price"])
        if "m1" not in state:
            # saved without candles: history is regenerated to end at the saved price, so
            # charts stay continuous (the pre-snapshot past is plausible, not the same)
            return cls(spec, seed, step * 1000, origin_price=path_price)
        m = cls(
            spec,
            seed,
            int(state["origin_ms"]),
            origin_price=float(state["origin_price"]),
            step=step,
            path_price=path_price,
        )
        for series, key in ((m.m1, "m1"), (m.h1, "h1")):
            s = state.get(key) or {}
            series.start = int(s.get("start", 0))
            series.rows = [[float(x) for x in r] for r in s.get("rows", [])]
        m._restored = True
        return m


def _series_state(series: CandleSeries, first_bucket: int) -> dict:
    rows = series.since_bucket(first_bucket)
    return {"start": series.end - len(rows) + 1, "rows": [list(r) for r in rows]}
