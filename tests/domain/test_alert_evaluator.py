"""AlertEvaluator on scripted price paths: when each rule type fires, and how the options
(once, repeat + cooldown, until-ack, expiry) shape the firing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgetui.domain.alerts import (
    AccountMetrics,
    AlertEvaluator,
    Drawing,
    EventKind,
    parse_rule,
)
from hedgetui.domain.clock import ManualClock
from hedgetui.domain.models import HealthState, PollerHealth, Ticker

T0 = 1_767_225_600_000
S = 1000
M = 60_000


class Harness:
    def __init__(self, *texts: str, exchange: str = "paper") -> None:
        self.clock = ManualClock(T0)
        self.ev = AlertEvaluator(exchange, clock=self.clock)
        self.rules = [parse_rule(t, now_ms=T0).with_id(i + 1) for i, t in enumerate(texts)]
        self.ev.set_rules(self.rules)

    def prices(
        self, *path: float, step: int = S, symbol="BTC/USDT", exchange="paper", field="last"
    ):
        """Feed one ticker per price, ``step`` ms apart; returns the events per price."""
        out = []
        for price in path:
            self.clock.advance(step)
            kw = {"last": price} if field == "last" else {"last": price, field: price}
            t = Ticker(exchange, symbol, self.clock.now_ms(), **kw)
            out.append(self.ev.on_tickers([t]))
        return out

    def fired_at(self, *path: float, **kw) -> list[int]:
        """Indexes into ``path`` where a FIRED event came out."""
        res = self.prices(*path, **kw)
        return [i for i, evs in enumerate(res) for e in evs if e.kind is EventKind.FIRED]


# -- price level and cross -----------------------------------------------------------------------
def test_greater_than_is_strict_and_edge_triggered():
    h = Harness("BTC/USDT > 65000 repeat 0s")
    assert h.fired_at(64000, 65000, 65000.01, 65500, 66000, 65000, 65001) == [2, 6]


def test_greater_or_equal_fires_at_the_threshold():
    h = Harness("BTC/USDT >= 65000 repeat 0s")
    assert h.fired_at(64000, 65000, 65100, 64999, 65000) == [1, 4]


def test_already_true_at_the_first_observation_fires():
    h = Harness("BTC/USDT < 60000")
    assert h.fired_at(59000) == [0]


def test_message_and_event_fields():
    h = Harness('BTC/USDT crosses 65000 note "tp hit" arm takeprofit')
    h.prices(64000)
    [ev] = h.prices(65012.5)[0]
    assert ev.message == "BTC/USDT last 65,012.5 crossed above 65,000 (paper)"
    assert (ev.rule_id, ev.rule, ev.value, ev.note) == (
        1,
        'BTC/USDT crosses 65000 arm takeprofit note "tp hit"',
        65012.5,
        "tp hit",
    )
    assert ev.arm_template == "takeprofit" and not ev.auto and ev.final
    assert ev.fired_at == h.clock.now_ms()


def test_cross_either_way_needs_a_previous_side():
    h = Harness("BTC/USDT crosses 64000 repeat 0s")
    # first observation (above) only records the side; touching the level is no cross
    assert h.fired_at(64500, 64000, 64200, 63900, 64000, 63000, 64000.5) == [3, 6]


def test_cross_up_and_down_only():
    up = Harness("BTC/USDT crosses up 64000 repeat 0s")
    assert up.fired_at(63000, 65000, 63000, 65000) == [1, 3]
    down = Harness("BTC/USDT crosses down 64000 repeat 0s")
    assert down.fired_at(63000, 65000, 63000, 65000) == [2]


def test_bid_and_mid_fields():
    h = Harness("BTC/USDT bid > 100")
    assert h.fired_at(99, 101, field="bid") == [1]
    m = Harness("BTC/USDT mid > 100")
    t = Ticker("paper", "BTC/USDT", T0 + 1, last=90.0, bid=99.0, ask=102.0)
    [ev] = m.ev.on_tickers([t])
    assert ev.value == 100.5


def test_updates_touch_only_their_market_and_default_exchange():
    h = Harness("BTC/USDT > 100", "binance:BTC/USDT > 100")
    assert h.prices(200, symbol="ETH/USDT") == [[]]
    [[ev]] = h.prices(200, exchange="binance")
    assert ev.rule_id == 2 and ev.message.endswith("(binance)")
    [[ev]] = h.prices(200)  # unqualified rules use the evaluator's default exchange
    assert ev.rule_id == 1


# -- options ---------------------------------------------------------------------------------------
def test_once_disables_the_rule():
    h = Harness("BTC/USDT crosses 100")
    assert h.fired_at(90, 110, 90, 110, 90) == [1]
    assert h.ev.rule_state(1).done


def test_no_second_fire_inside_the_cooldown_and_again_after():
    h = Harness("BTC/USDT crosses 100 repeat 5m")
    # crosses every 10 s: fires at 0:10 -> dropped until 5:10 has passed
    path = [90, 110] + [90, 110] * 14 + [90] * 20 + [110]
    fired = h.fired_at(*path, step=10 * S)
    assert fired[0] == 1
    assert all((b - a) * 10 * S >= 5 * M for a, b in zip(fired, fired[1:], strict=False))
    assert len(fired) >= 2  # fires again once the cooldown has passed


def test_level_that_becomes_true_inside_the_cooldown_fires_when_it_ends():
    h = Harness("BTC/USDT > 100 repeat 1m")
    fired = h.fired_at(110, 90, 110, 110, 110, 110, 110, 110, 110, step=10 * S)
    assert fired == [0, 6]  # 2nd occurrence at 0:30 waits for 1:10 (cooldown from 0:10)
    h2 = Harness("BTC/USDT > 100 repeat 1m")
    assert h2.fired_at(110, 90, 110, 90, 90, 90, 90, 90, step=10 * S) == [0]  # gone by then


def test_until_ack_reminds_until_acknowledged_then_rearms():
    h = Harness("BTC/USDT > 100 until-ack 1m")
    [[fired]] = h.prices(110)
    assert fired.kind is EventKind.FIRED and not fired.final
    assert h.fired_at(90, 110) == []  # not re-announced while unacknowledged
    h.clock.advance(30 * S)
    assert h.ev.tick() == []
    h.clock.advance(30 * S)
    [reminder] = h.ev.tick()
    assert reminder.kind is EventKind.REMINDER
    assert reminder.message == "not acknowledged: " + fired.message
    assert h.ev.tick() == []
    h.clock.advance(M)
    assert [e.kind for e in h.ev.tick()] == [EventKind.REMINDER]
    assert h.ev.acknowledge(1) and not h.ev.acknowledge(1)
    h.clock.advance(5 * M)
    assert h.ev.tick() == []
    assert h.fired_at(110, 90, 120) == [2]  # re-armed: next occurrence fires


def test_expired_rules_never_fire_and_are_reported_once():
    h = Harness("BTC/USDT > 100 expires 1m", "BTC/USDT < 50 repeat 0s expires 2m")
    h.prices(90)
    h.clock.advance(M)
    [[expired]] = h.prices(110)  # rule 1 would fire, but it expired at T0+1m
    assert (expired.kind, expired.rule_id, expired.final) == (EventKind.EXPIRED, 1, True)
    assert (
        expired.message == "alert expired without firing: BTC/USDT > 100 expires 2026-01-01T00:01Z"
    )
    [[fired]] = h.prices(40)
    assert (fired.kind, fired.rule_id) == (EventKind.FIRED, 2)
    h.clock.advance(2 * M)
    # tick reports rule 2's expiry without any market update
    [e] = h.ev.tick()
    assert (e.kind, e.rule_id) == (EventKind.EXPIRED, 2) and "after firing 1x" in e.message
    assert h.ev.tick() == []
    assert h.prices(90, 110, 40, 110) == [[], [], [], []]
    assert h.ev.rule_state(1).expired and h.ev.rule_state(2).expired


def test_expiry_reported_by_tick_without_updates():
    h = Harness("BTC/USDT > 100 repeat 1m expires 10m")
    h.clock.advance(10 * M)
    [e] = h.ev.tick()
    assert e.kind is EventKind.EXPIRED and e.rule_id == 1
    assert h.fired_at(200) == []


# -- % change -------------------------------------------------------------------------------------
def test_change_over_window():
    h = Harness("BTC/USDT change 5m > 2%")
    # one tick a minute: 100 ... the 5-minute change reaches 2.5 % at 105 (ref 102.44)
    # one tick a minute; 101.9 is +1.9 % over 5 minutes, 105 is +4.5 % (vs 100.5)
    res = h.prices(100, 100.5, 101, 101.5, 102, 101.9, 105, step=M)
    assert [i for i, evs in enumerate(res) if evs] == [6]
    assert res[6][0].value == (105 / 100.5 - 1) * 100


def test_change_needs_a_whole_window_of_history():
    h = Harness("BTC/USDT change 5m > 2%")
    assert h.fired_at(100, 110, 120, step=M) == []  # only 2 minutes of history
    h2 = Harness("BTC/USDT change 5m < -3%")
    fired = h2.prices(100, 100, 100, 100, 100, 96.9, step=M)
    [ev] = fired[-1]
    assert ev.value == (96.9 / 100 - 1) * 100
    assert ev.message == "BTC/USDT moved -3.10% in 5m (100 -> 96.9), below -3% (paper)"


def test_abs_change_fires_both_ways():
    h = Harness("BTC/USDT abs change 1m > 1% repeat 0s")
    assert h.fired_at(100, 100, 98.5, 98.5, 98.5, 100, step=30 * S) == [2, 5]


# -- volume spike ----------------------------------------------------------------------------------
def _candles(closes, volumes, start=T0, tf=M):
    from hedgetui.domain.models import Candle

    return [
        Candle(start + i * tf, c, c, c, c, v)
        for i, (c, v) in enumerate(zip(closes, volumes, strict=True))
    ]


def test_volume_spike_against_its_average():
    h = Harness("ETH/USDT volume 1m > 3x avg 5 repeat 0s")
    vols = [10, 10, 10, 10, 10, 31, 10, 10, 10, 10, 10, 30]
    candles = _candles([1.0] * len(vols), vols)
    fired = []
    for i in range(5, len(candles)):
        now = candles[i].ts + M  # candle i just closed; i+1 is forming
        evs = h.ev.on_candles("paper", "ETH/USDT", "1m", candles[: i + 2], now_ms=now)
        fired += [(i, e) for e in evs]
    assert [i for i, _ in fired] == [5]  # 31 > 3 x 10; 30 is not > 3 x 14.2 (avg incl. 31)
    assert fired[0][1].message == (
        "ETH/USDT 1m volume 31 is 3.1x its 5-candle average 10 (above 3x) (paper)"
    )


def test_forming_candle_is_ignored():
    h = Harness("ETH/USDT volume 1m > 3x avg 2")
    candles = _candles([1.0] * 4, [1, 1, 1, 50])
    # the 50 candle opened at T0+3m and is still forming at T0+3m30s
    assert h.ev.on_candles("paper", "ETH/USDT", "1m", candles, now_ms=T0 + 3 * M + 30 * S) == []
    [ev] = h.ev.on_candles("paper", "ETH/USDT", "1m", candles, now_ms=T0 + 4 * M)
    assert ev.value == 50.0


# -- accounts --------------------------------------------------------------------------------------
def _m(equity, pnl="0", **balances):
    return AccountMetrics(
        Decimal(equity), Decimal(pnl), {k: Decimal(v) for k, v in balances.items()}
    )


def test_equity_pnl_balance_per_account_and_total():
    h = Harness(
        "equity main < 90000",
        "equity total > 200000",
        "pnl main < -500",
        "pnl total > 1000",
        "balance main USDT < 1000",
        "balance total BTC >= 2",
    )
    ev = h.ev
    assert ev.on_account_metrics({"main": _m("95000", "-100", USDT="5000", BTC="1")}) == []
    evs = ev.on_account_metrics({"sub": _m("110000", "1200.5", BTC="1")})
    assert sorted(e.rule_id for e in evs) == [2, 4, 6]
    by_id = {e.rule_id: e for e in evs}
    assert by_id[2].value == Decimal("205000")
    assert by_id[4].message == "pnl of all accounts 1,100.5 is above 1,000"
    evs = ev.on_account_metrics({"main": _m("89999.99", "-500.01")})  # USDT missing -> 0
    assert sorted(e.rule_id for e in evs) == [1, 3, 5]
    assert {e.rule_id: e.message for e in evs}[5] == "USDT balance of main 0 is below 1,000"


def test_pnl_exactly_at_threshold_does_not_fire():
    h = Harness("pnl main < -500")
    assert h.ev.on_account_metrics({"main": _m("1", "-500")}) == []
    assert len(h.ev.on_account_metrics({"main": _m("1", "-500.01")})) == 1


# -- indicators vs TA-Lib --------------------------------------------------------------------------
def test_rsi_rule_fires_where_talib_rsi_first_exceeds_70():
    import math
    import random

    import numpy as np
    import talib

    rng = random.Random(11)
    closes, price = [], 100.0
    for i in range(300):
        drift = 0.004 if 150 <= i < 180 else 0.0
        price *= math.exp(rng.gauss(drift, 0.006))
        closes.append(price)
    rsi = talib.RSI(np.array(closes), timeperiod=14)
    h = Harness("BTC/USDT rsi 14 1h > 70")
    candles = _candles(closes, [1.0] * len(closes), tf=3_600_000)
    # the first call is history: indicators warm up on it (pick a start where RSI <= 70)
    warm = next(i for i in range(100, 150) if rsi[i - 1] <= 70)
    h.ev.on_candles(
        "paper", "BTC/USDT", "1h", candles[:warm], now_ms=candles[warm - 1].ts + 3_600_000
    )
    assert not rsi[warm - 1] > 70
    fired = []
    for i in range(warm, len(candles)):
        evs = h.ev.on_candles(
            "paper", "BTC/USDT", "1h", candles[: i + 1], now_ms=candles[i].ts + 3_600_000
        )
        fired += [(i, e.value) for e in evs]
    expected = next(i for i in range(warm, len(closes)) if rsi[i] > 70)
    assert [i for i, _ in fired] == [expected]
    assert abs(fired[0][1] - rsi[expected]) <= 1e-9 * rsi[expected]


def test_ema_cross_rule_fires_where_talib_emas_cross():
    import numpy as np
    import talib

    closes = [100.0 + 10 * __import__("math").sin(i / 15) for i in range(400)]
    fast = talib.EMA(np.array(closes), timeperiod=20)
    slow = talib.EMA(np.array(closes), timeperiod=50)
    h = Harness("BTC/USDT ema 20 crosses above ema 50 5m repeat 0s")
    tf = 300_000
    candles = _candles(closes, [1.0] * len(closes), tf=tf)
    fired = []
    for i in range(len(candles)):  # one candle at a time, as a live poller would
        evs = h.ev.on_candles(
            "paper", "BTC/USDT", "5m", candles[max(0, i - 5) : i + 1], now_ms=candles[i].ts + tf
        )
        fired += [i for _ in evs]
    diff = fast - slow
    expected = []
    side = 0
    for i in range(len(closes)):
        if np.isnan(diff[i]) or diff[i] == 0:
            continue
        new = 1 if diff[i] > 0 else -1
        if side == -1 and new == 1:
            expected.append(i)
        side = new
    assert expected and fired == expected


# -- chart lines -----------------------------------------------------------------------------------
def test_horizontal_line_cross():
    h = Harness("BTC/USDT crosses line 17 repeat 0s")
    assert h.fired_at(90, 110) == []  # no such drawing yet
    h.ev.on_drawings([Drawing.horizontal(17, 100.0)])
    [[], [ev]] = h.prices(90, 110)
    assert ev.message == "BTC/USDT last 110 crossed above line 17 at 100 (paper)"


def test_trend_line_is_interpolated_at_the_ticker_time():
    h = Harness("BTC/USDT crosses below line tl")
    # rising line: 100 at T0, 110 at T0+10s; extends to the right
    h.ev.on_drawings([Drawing.trend("tl", T0, 100.0, T0 + 10 * S, 110.0)])
    # at +1s the line is 101: 102 is above; at +2s it is 102: 102 is on it;
    # at +3s it is 103: 102.5 is below -> cross; the price never fell
    assert h.fired_at(102, 102, 102.5) == [2]
    assert Drawing.trend("x", 0, 1.0, 10, 2.0).value_at(20) == 3.0
    assert Drawing.trend("x", 0, 1.0, 10, 2.0).value_at(-1) is None


# -- operational -----------------------------------------------------------------------------------
def _poller(key, account="main", success=0, state=HealthState.OK, error=""):
    return PollerHealth(
        key=key,
        exchange="paper",
        feed=key.split(":")[-1],
        account=account,
        state=state,
        last_success=success,
        last_error=error,
    )


def test_stale_account_and_poller():
    h = Harness("stale account main 60s", "stale poller market:paper:tickers 30s")
    ev, now = h.ev, T0
    ps = [
        _poller("account:main:balances", success=now),
        _poller("market:paper:tickers", None, success=now),
    ]
    assert ev.on_health(ps, now_ms=now) == []
    assert ev.tick(now + 30 * S) == []  # exactly 30 s is not older than 30 s
    [e] = ev.tick(now + 31 * S)
    assert e.rule_id == 2 and e.message.startswith("poller market:paper:tickers data is 31s old")
    [e] = ev.tick(now + 61 * S)
    assert e.rule_id == 1 and "oldest feed account:main:balances" in e.message


def test_never_succeeded_poller_ages_from_first_sight():
    h = Harness("stale account main 60s")
    assert h.ev.on_health([_poller("account:main:balances")], now_ms=T0) == []
    assert h.ev.tick(T0 + 60 * S) == []
    assert len(h.ev.tick(T0 + 61 * S)) == 1


def test_error_account():
    h = Harness("error account main repeat 0s")
    ok = [_poller("account:main:balances", success=T0), _poller("account:main:orders", success=T0)]
    assert h.ev.on_health(ok, now_ms=T0) == []
    bad = [ok[0], _poller("account:main:orders", state=HealthState.BACKOFF, error="timeout")]
    [e] = h.ev.on_health(bad, now_ms=T0 + S)
    assert e.message == "account main is in error (backoff: timeout)"
    assert h.ev.on_health(bad, now_ms=T0 + 2 * S) == []
    assert h.ev.on_health(ok, now_ms=T0 + 3 * S) == []
    assert len(h.ev.on_health(bad, now_ms=T0 + 4 * S)) == 1


def test_change_window_is_backfilled_from_candle_closes():
    h = Harness("BTC/USDT change 5m > 2%")
    assert h.prices(100.0) == [[]]  # no history yet
    # ten closed 1m candles ending now, closing at 100 -> the window is covered at once
    now = h.clock.now_ms()
    candles = _candles([100.0] * 10, [1.0] * 10, start=now - 10 * M)
    assert h.ev.on_candles("paper", "BTC/USDT", "1m", candles, now_ms=now) == []
    [[ev]] = h.prices(102.5)
    assert ev.value == pytest.approx(2.5)


def test_close_against_an_indicator():
    h = Harness("BTC/USDT close 5m > sma 3 repeat 0s")
    tf = 300_000
    closes = [10.0, 10.0, 10.0, 9.0, 12.0, 11.0, 8.0, 13.0]
    candles = _candles(closes, [1.0] * len(closes), tf=tf)
    fired = []
    for i in range(2, len(candles)):
        evs = h.ev.on_candles(
            "paper", "BTC/USDT", "5m", candles[: i + 1], now_ms=candles[i].ts + tf
        )
        fired += [(i, e.message) for e in evs]
    # sma3 at 4: (10+9+12)/3=10.33 -> 12 above; at 7: (11+8+13)/3=10.67 -> 13 above
    assert [i for i, _ in fired] == [4, 7]
    assert fired[0][1] == "BTC/USDT close (5m) 12 is above SMA 3 10.33333333 (paper)"
