"""The alert engine as a runtime service on the paper venue, driven by a ManualClock: pollers
run once at start (long intervals), then the test moves the clock and polls by hand."""

import asyncio
import json
from decimal import Decimal

import pytest

from hedgetui.config import PollersConfig, demo_config
from hedgetui.domain import Changed
from hedgetui.domain.alerts import EventKind, parse_rule
from hedgetui.domain.clock import ManualClock
from hedgetui.runtime import engine as engine_mod
from hedgetui.runtime.alerts import ALERT_LOG_NAME, AlertEngine
from hedgetui.runtime.engine import Runtime
from hedgetui.store import Store
from hedgetui.store import alerts as store_alerts

START = 1_767_268_800_000  # 2026-01-01T12:00:00Z
SLOW = 3600.0


@pytest.fixture(autouse=True)
def _alerts_service(monkeypatch):
    if "hedgetui.runtime.alerts" not in engine_mod.SERVICES:
        monkeypatch.setattr(
            engine_mod, "SERVICES", (*engine_mod.SERVICES, "hedgetui.runtime.alerts")
        )


def slow_config(tmp_path):
    cfg = demo_config()
    pollers = PollersConfig(
        balances=SLOW, positions=SLOW, orders=SLOW, fills=SLOW, tickers=SLOW, candles=SLOW
    )
    market = cfg.market.model_copy(update={"timeframes": ("1h",), "history_days": 1})
    store = cfg.store.model_copy(update={"path": str(tmp_path / "alerts.db")})
    return cfg.model_copy(update={"pollers": pollers, "market": market, "store": store})


async def wait_for(predicate, timeout=5.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


class Session:
    """A Runtime (with the alert engine) on a database; reopenable to test restarts."""

    def __init__(self, tmp_path, clock):
        self.tmp_path, self.clock = tmp_path, clock
        self.config = slow_config(tmp_path)

    async def __aenter__(self):
        self.store = await Store.open(self.tmp_path / "alerts.db", clock=self.clock)
        self.runtime = Runtime(self.config, self.store, clock=self.clock)
        await self.runtime.start()
        self.engine: AlertEngine = self.runtime.services["alerts"]
        self.events = []
        self.engine.add_listener(self.events.append)
        # the supervisor's first polls run concurrently; poll once more, deterministically
        await self.poll_market()
        for name in ("main", "alt", "perps"):
            await self.poll_account(name)
        await self.engine.process()
        return self

    async def __aexit__(self, *exc):
        await self.runtime.stop()
        await self.store.close()

    @property
    def venue(self):
        return self.runtime.exchanges.venue

    async def add(self, text):
        rule = parse_rule(text, now_ms=self.clock.now_ms())
        rid = await store_alerts.add_rule(self.store, rule.text, now_ms=self.clock.now_ms())
        await self.engine.reload()
        return rid

    async def poll_market(self):
        await self.runtime.market_pollers["paper"].tickers()
        await self.store.flush()

    async def poll_account(self, name):
        poller = self.runtime.account_pollers[name]
        await poller.balances()
        await poller.positions()
        await self.store.flush()

    def price(self, symbol="BTC/USDT"):
        return self.venue.tickers([symbol])[symbol].last


def moved_price(session, symbol="BTC/USDT"):
    """Advance the clock until the paper price differs; (old, new)."""
    before = session.price(symbol)
    for _ in range(100):
        session.clock.advance(60_000)
        after = session.price(symbol)
        if after != before:
            return before, after
    raise AssertionError("the paper price never moved")


async def test_price_cross_fires_on_the_paper_market_and_persists(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        tickers = await s.store.tickers()
        p0 = next(t.last for t in tickers if t.symbol == "BTC/USDT")
        # the level sits between the price the engine has seen and the next paper price
        old, new = moved_price(s)
        assert old == p0
        level = (old + new) / 2
        rid = await s.add(f"BTC/USDT crosses {level:.6f} repeat 0s")
        assert s.events == []  # a new cross rule only records the side
        await s.poll_market()
        await wait_for(lambda: s.events)
        (event,) = s.events
        assert event.rule_id == rid and event.kind is EventKind.FIRED
        assert event.value == new
        assert "crossed" in event.message and "BTC/USDT" in event.message
        # the history has it once the writer committed
        await wait_for(lambda: s.store.pending == 0)
        await s.store.flush()
        history = await store_alerts.events(s.store)
        assert [(e.rule_id, e.kind) for e in history] == [(rid, "fired")]
        assert history[0].value == repr(new)
        # the log file (next to the database) got the same event as JSON
        line = (tmp_path / ALERT_LOG_NAME).read_text().splitlines()[-1]
        assert json.loads(line)["rule_id"] == rid

    # restart on the same database: rule, history and cross side survive, and the same
    # price again is no new cross
    async with Session(tmp_path, clock) as s2:
        rules = await store_alerts.rules(s2.store)
        assert [(r.id, r.enabled) for r in rules] == [(rid, True)]
        assert s2.engine.rule_state(rid).side == (1 if new > old else -1)
        await s2.poll_market()
        await asyncio.sleep(0.05)
        assert s2.events == []
        assert len(await store_alerts.events(s2.store)) == 1


async def test_pnl_alert_on_the_perps_account(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        positions = await s.store.positions("perps")
        assert positions, "the demo perps account holds a position"
        pnl0 = sum(p.unrealized_pnl + p.realized_pnl for p in positions)
        old, new = moved_price(s, "BTC/USDT:USDT")
        # the perps position is long: its PnL moves with the price; aim between the two
        up = new > old
        rid = await s.add(f"pnl perps {'>' if up else '<'} {pnl0:f}")
        assert s.events == []  # not true yet at the current PnL
        await s.poll_market()
        await s.poll_account("perps")
        await wait_for(lambda: s.events)
        (event,) = s.events
        assert event.rule_id == rid and event.final  # "once": fired, then done
        assert isinstance(event.value, Decimal) and (event.value > pnl0) == up
        await s.store.flush()
        await wait_for(lambda: not s.engine.rules[rid].enabled, timeout=5)
        assert (await store_alerts.rule(s.store, rid)).enabled is False

    async with Session(tmp_path, clock) as s2:
        history = await store_alerts.events(s2.store)
        assert [(e.rule_id, e.kind) for e in history] == [(rid, "fired")]
        await s2.poll_account("perps")
        await asyncio.sleep(0.05)
        assert s2.events == []  # a once-rule that fired stays done


async def test_level_rule_true_at_creation_fires_at_once_and_equity_total(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        price = s.price()
        rid = await s.add(f'BTC/USDT > {price * 0.99:.2f} note "breakout"')
        await wait_for(lambda: s.events)
        assert s.events[0].rule_id == rid and s.events[0].note == "breakout"
        # equity total: every account reported (the demo holds ~ six figures in total)
        total = await s.add("equity total > 1")
        await wait_for(lambda: any(e.rule_id == total for e in s.events))
        # a balance rule on an asset the account lacks counts it as 0
        bal = await s.add("balance alt DOGE < 1")
        await wait_for(lambda: any(e.rule_id == bal for e in s.events))


async def test_until_ack_reminds_until_acknowledged_from_another_process(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        engine = s.engine
        price = s.price()
        rid = await s.add(f"BTC/USDT > {price / 2:.2f} until-ack 1m")
        await wait_for(lambda: s.events)
        clock.advance(61_000)
        engine._handle(engine.evaluator.tick())  # (or the engine's own 1 s tick: same result)
        await wait_for(lambda: len(s.events) == 2)
        assert [e.kind for e in s.events] == [EventKind.FIRED, EventKind.REMINDER]
        # `hedgetui alerts ack` writes the store only; the engine picks it up on reload
        await store_alerts.acknowledge(s.store, rid, now_ms=clock.now_ms())
        await engine.reload()
        assert engine.rule_state(rid).unacked_since is None
        clock.advance(61_000)
        engine._handle(engine.evaluator.tick())
        await engine.deliverer.drain()
        assert len(s.events) == 2
        await s.store.flush()
        assert all(e.acknowledged for e in await store_alerts.events(s.store))


async def test_commits_touching_nothing_watched_read_nothing(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        engine = s.engine
        reads = []
        real = s.store.tickers

        async def counting(*a, **k):
            reads.append(1)
            return await real(*a, **k)

        s.store.tickers = counting
        engine._on_changed(Changed(1, frozenset({"tickers"}), {"tickers": frozenset()}))
        await engine.process()
        assert reads == []  # no rules: a ticker commit costs nothing
        await s.add("ETH/USDT > 1")
        assert reads  # the new rule is fed the latest price


async def test_rules_added_by_another_process_are_picked_up(tmp_path):
    """`hedgetui alerts add` while `collect` runs: no in-process Changed reaches the engine,
    the periodic fingerprint poll does."""
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        s.engine.reload_s = 0.05
        other = await Store.open(tmp_path / "alerts.db")
        try:
            text = parse_rule(f"BTC/USDT > {s.price() / 2:.2f}", now_ms=clock.now_ms()).text
            rid = await store_alerts.add_rule(other, text, now_ms=clock.now_ms())
        finally:
            await other.close()
        await wait_for(lambda: any(e.rule_id == rid for e in s.events))
