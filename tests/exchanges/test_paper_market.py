"""The simulated market: determinism, candles, history, ticker and book."""

from __future__ import annotations

import pytest
from paper_helpers import SMALL, SPECS, START, D, req, venue

from hedgetui.domain import TIMEFRAMES
from hedgetui.exchanges.paper import DEFAULT_SPECS
from hedgetui.exchanges.paper.history import HOUR_DAYS, MINUTE_DAYS


def state(ven, symbol="BTC/USDT"):
    return (
        ven.tickers(),
        ven.ohlcv(symbol, "1m", limit=300),
        ven.ohlcv(symbol, "1h", limit=100),
        ven.order_book(symbol, 10),
    )


def test_same_seed_same_clock_path_is_identical():
    a, ca = venue(seed=9, specs=SMALL)
    b, cb = venue(seed=9, specs=SMALL)
    for step in (1_000, 17_000, 60_000, 3_000):
        ca.advance(step)
        cb.advance(step)
        assert state(a) == state(b)
    c, cc = venue(seed=10, specs=SMALL)
    cc.advance(81_000)
    assert c.tickers()["BTC/USDT"].last != a.tickers()["BTC/USDT"].last


def _with_orders(ven):
    ven.add_account("a", {"USDT": D(1_000_000), "TST": D(1_000)})
    sm = ven.market("TST/USDT")
    last = sm.last_ticks
    for i in range(1, 6):
        ven.place_order(
            "a",
            req(
                "TST/USDT",
                "buy",
                "limit",
                "1.00",
                price=str(sm.ticks_to_decimal(last - 3 * i)),
                cid=f"b{i}",
            ),
        )
        ven.place_order(
            "a",
            req(
                "TST/USDT",
                "sell",
                "limit",
                "1.00",
                price=str(sm.ticks_to_decimal(last + 3 * i)),
                cid=f"s{i}",
            ),
        )
    ven.place_order(
        "a",
        req(
            "TST/USDT",
            "sell",
            "stop_market",
            "2.00",
            stop=str(sm.ticks_to_decimal(last - 8)),
            cid="stop",
        ),
    )


def test_poll_frequency_does_not_change_results():
    often, c1 = venue(seed=4, specs=SMALL)
    rarely, c2 = venue(seed=4, specs=SMALL)
    _with_orders(often)
    _with_orders(rarely)
    for _ in range(600):  # polled every second
        c1.advance(1_000)
        often.tickers()
    c2.advance(600_000)  # polled once
    assert often.my_trades("a") == rarely.my_trades("a")
    assert len(often.my_trades("a")) >= 3
    assert often.open_orders("a") == rarely.open_orders("a")
    assert often.balances("a") == rarely.balances("a")
    for tf in ("1m", "5m", "1h"):
        assert often.ohlcv("TST/USDT", tf, limit=50) == rarely.ohlcv("TST/USDT", tf, limit=50)


def test_adding_a_symbol_does_not_change_the_others():
    base, c1 = venue(seed=2, specs=DEFAULT_SPECS)
    more, c2 = venue(seed=2, specs=SPECS)
    c1.advance(300_000)
    c2.advance(300_000)
    for s in ("BTC/USDT", "DOGE/USDT"):
        assert base.ohlcv(s, "1m", limit=500) == more.ohlcv(s, "1m", limit=500)


def test_perp_tracks_spot():
    ven, clock = venue(seed=3)
    for _ in range(5):
        clock.advance(3_600_000)
        t = ven.tickers(["BTC/USDT", "BTC/USDT:USDT"])
        basis = t["BTC/USDT:USDT"].last / t["BTC/USDT"].last - 1
        assert 0 < basis < 0.0005


@pytest.mark.parametrize("tf", list(TIMEFRAMES))
def test_candles_are_valid_and_continuous(tf):
    ven, clock = venue(seed=5)
    clock.advance(2 * 3_600_000 + 123_456)
    candles = ven.ohlcv("ETH/USDT", tf, limit=1000)
    step = TIMEFRAMES[tf]
    assert len(candles) > 100
    for prev, c in zip(candles, candles[1:], strict=False):
        assert c.ts - prev.ts == step
        assert abs(c.open / prev.close - 1) < 0.01  # no jumps, history into live included
    for c in candles:
        assert c.high >= max(c.open, c.close) and c.low <= min(c.open, c.close)
        assert c.volume > 0 and c.low > 0
    now = clock.now_ms()
    assert candles[-1].ts == now - now % step  # the forming candle
    assert candles[-1].close == ven.tickers(["ETH/USDT"])["ETH/USDT"].last


def test_history_depth_and_origin_join():
    ven, clock = venue(seed=6, start=START + 37_000)
    assert ven.ohlcv("SOL/USDT", "1m", limit=1)[-1].close == 190.0  # history ends at origin
    minutes = ven.ohlcv("SOL/USDT", "1m", since=0, limit=1)
    assert minutes[0].ts <= START - MINUTE_DAYS * 86_400_000
    days = ven.ohlcv("SOL/USDT", "1d", limit=1000)
    assert len(days) >= HOUR_DAYS + MINUTE_DAYS
    clock.advance(30_000)
    live = ven.ohlcv("SOL/USDT", "1m", limit=3)
    assert [c.ts for c in live] == [START - 60_000, START, START + 60_000]
    assert live[1].volume > live[0].volume / 2  # origin minute: history part + live trades


def test_timeframes_agree():
    ven, clock = venue(seed=7)
    clock.advance(90 * 60_000)
    minutes = ven.ohlcv("BTC/USDT", "1m", limit=1000)
    hours = ven.ohlcv("BTC/USDT", "1h", limit=30)
    for h in hours[-12:]:
        inside = [m for m in minutes if h.ts <= m.ts < h.ts + 3_600_000]
        if len(inside) < 60 and h is not hours[-1]:
            continue
        assert h.open == inside[0].open and h.close == inside[-1].close
        assert h.high == max(m.high for m in inside) and h.low == min(m.low for m in inside)
        assert h.volume == pytest.approx(sum(m.volume for m in inside), rel=1e-9)
    fives = ven.ohlcv("BTC/USDT", "5m", limit=10)
    inside = [m for m in minutes if fives[-2].ts <= m.ts < fives[-2].ts + 300_000]
    assert fives[-2].high == max(m.high for m in inside)
    day = ven.ohlcv("BTC/USDT", "1d", limit=2)[0]
    in_day = ven.ohlcv("BTC/USDT", "1h", since=day.ts, limit=24)
    assert day.low == min(h.low for h in in_day) and day.close == in_day[-1].close


def test_fetch_ohlcv_since_and_limit():
    ven, clock = venue()
    clock.advance(600_000)
    since = START - 3_600_000 + 1  # not on a boundary: first candle is the next one
    got = ven.ohlcv("BTC/USDT", "5m", since=since, limit=4)
    assert [c.ts for c in got] == [START - 3_600_000 + i * 300_000 for i in range(1, 5)]
    assert len(ven.ohlcv("BTC/USDT", "1m")) == 500
    assert len(ven.ohlcv("BTC/USDT", "1m", limit=5000)) == 1000
    with pytest.raises(ValueError, match="unknown timeframe"):
        ven.ohlcv("BTC/USDT", "7m")


def test_ticker_and_book():
    ven, clock = venue(seed=8)
    clock.advance(45_000)
    t = ven.tickers(["XRP/USDT"])["XRP/USDT"]
    assert t.bid < t.ask and t.low <= t.last <= t.high
    assert t.base_volume > 0 and t.quote_volume > 0 and t.open > 0
    assert abs(t.change_pct) < 30
    day_ago_minute = (clock.now_ms() - 86_400_000) // 60_000 * 60_000
    day_ago = ven.ohlcv("XRP/USDT", "1m", since=day_ago_minute, limit=1)[0]
    assert t.open == day_ago.open
    book = ven.order_book("XRP/USDT", 20)
    assert book.bids[0][0] == t.bid and book.asks[0][0] == t.ask
    assert [p for p, _ in book.bids] == sorted((p for p, _ in book.bids), reverse=True)
    assert [p for p, _ in book.asks] == sorted(p for p, _ in book.asks)
    assert sum(s for _, s in book.asks[10:]) > sum(s for _, s in book.asks[:10])
    assert ven.order_book("XRP/USDT", 20) == book  # same second, same book


def test_long_downtime_catches_up_in_coarse_bars():
    specs = (SPECS[3], SPECS[-1])  # BNB/USDT and the test market
    a, ca = venue(seed=12, specs=specs)
    b, cb = venue(seed=12, specs=specs)
    for ven, clock in ((a, ca), (b, cb)):
        clock.advance(40 * 86_400_000 + 5_000)  # forty days offline
        ven.sync()
    assert a.tickers() == b.tickers()
    hours = a.ohlcv("BNB/USDT", "1h", limit=1000)
    assert all(y.ts - x.ts == 3_600_000 for x, y in zip(hours, hours[1:], strict=False))
    assert all(c.high >= max(c.open, c.close) for c in hours)
    minutes = a.ohlcv("BNB/USDT", "1m", limit=1000)
    assert all(y.ts - x.ts == 60_000 for x, y in zip(minutes, minutes[1:], strict=False))


def test_history_at_an_origin_not_on_a_day_boundary():
    """Regression: an origin in the middle of a day (e.g. 11:48 UTC) used to run out of
    hourly draws and raise IndexError on the first ticker or candle fetch."""
    from hedgetui.domain.clock import ManualClock
    from hedgetui.exchanges.paper import PaperVenue

    for offset_ms in (1, 11 * 3_600_000 + 48 * 60_000 + 123, 23 * 3_600_000 + 59 * 60_000):
        clock = ManualClock(1_767_225_600_000 + offset_ms)
        venue = PaperVenue(clock, seed=7)
        assert venue.tickers(["BTC/USDT"])["BTC/USDT"].last > 0
        hours = venue.ohlcv("BTC/USDT", "1h", since=clock.now_ms() - 10 * 86_400_000, limit=1000)
        assert len(hours) > 200
        assert all(b.ts - a.ts == 3_600_000 for a, b in zip(hours, hours[1:], strict=False))
