"""Rules on lines drawn on a chart (``MARKET crosses line ID``), through the running engine:
drawings are written with hedgetui.store.drawings and scripted tickers go through the store,
as the pollers write them; the engine must follow edits and deletions of the drawing."""

import asyncio

from test_alert_engine import START, Session, _alerts_service, wait_for  # noqa: F401

from hedgetui.domain import Ticker
from hedgetui.domain.clock import ManualClock
from hedgetui.store import drawings

SYM = "LINE/USDT"  # a market of its own: the demo pollers never write it
MIN = 60_000


async def push(s, price, ts=None):
    """One ticker of SYM at ``price`` (at the clock's time), committed; the engine's events
    for it (it evaluates on the commit)."""
    ts = s.clock.now_ms() if ts is None else ts
    seen = len(s.events)
    s.store.put_tickers([Ticker("paper", SYM, ts, last=price)])
    await s.store.flush()
    await s.engine.process()
    await s.engine.deliverer.drain()
    return s.events[seen:]


async def committed(s):
    """Let the engine read what a durable write (a drawing, a rule) changed."""
    await s.engine.process()


async def test_horizontal_line_cross_up_down_exactly_and_cooldown(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        line = await drawings.add_hline(s.store, "paper", SYM, 100.0, now_ms=clock.now_ms())
        await committed(s)
        rid = await s.add(f"{SYM} crosses line {line.id} repeat 5m")
        assert await push(s, 99.0) == []  # the first price only records the side
        assert await push(s, 99.5) == []
        clock.advance(1000)
        (up,) = await push(s, 100.5)  # cross up
        assert up.rule_id == rid and up.value == 100.5
        assert f"line {line.id} at 100" in up.message and "above" in up.message
        clock.advance(1000)
        assert await push(s, 99.0) == []  # cross down inside the 5 min cooldown: dropped
        clock.advance(5 * MIN)
        assert await push(s, 100.0) == []  # exactly at the line is no cross
        clock.advance(1000)
        assert await push(s, 99.0) == []  # back below without ever being above
        clock.advance(1000)
        (up2,) = await push(s, 101.0)  # past the cooldown: fires again
        assert "above" in up2.message
        clock.advance(5 * MIN)
        (down,) = await push(s, 98.0)  # cross down
        assert "below" in down.message and down.value == 98.0


async def test_trend_line_level_moves_with_time(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        # rising 1 per minute: 100 at START, 160 an hour later
        line = await drawings.add_trendline(
            s.store, "paper", SYM, START, 100.0, START + 60 * MIN, 160.0, now_ms=clock.now_ms()
        )
        await committed(s)
        rid = await s.add(f"{SYM} crosses line {line.id} repeat 0s")
        assert await push(s, 101.0) == []  # above the line (100) at START
        clock.advance(10 * MIN)  # the line is at 110 now: a flat price falls below it
        (down,) = await push(s, 101.0)
        assert down.rule_id == rid and "below" in down.message
        assert f"line {line.id} at 110" in down.message
        clock.advance(10 * MIN)  # line at 120: exactly on it is no cross
        assert await push(s, 120.0) == []
        clock.advance(MIN)  # line at 121
        (up,) = await push(s, 125.0)
        assert "above" in up.message and f"line {line.id} at 121" in up.message
        # the ticker's own time places the line: a late ticker stamped 30 min in (line 130)
        (late,) = await push(s, 125.0, ts=START + 30 * MIN)
        assert "below" in late.message and f"line {line.id} at 130" in late.message


async def test_edited_and_deleted_drawings_update_the_trigger(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        line = await drawings.add_hline(s.store, "paper", SYM, 100.0, now_ms=clock.now_ms())
        await committed(s)
        rid = await s.add(f"{SYM} crosses line {line.id} repeat 0s")
        assert await push(s, 105.0) == []
        # the trader drags the line above the price: the next ticker is a cross down
        await drawings.update_drawing(s.store, line.id, price=110.0, now_ms=clock.now_ms())
        await committed(s)
        clock.advance(1000)
        (down,) = await push(s, 105.0)
        assert down.rule_id == rid and f"line {line.id} at 110" in down.message
        # deleted: the rule has nothing to cross any more
        assert await drawings.delete_drawing(s.store, line.id, now_ms=clock.now_ms())
        await committed(s)
        clock.advance(1000)
        assert await push(s, 200.0) == []
        clock.advance(1000)
        assert await push(s, 50.0) == []
        await asyncio.sleep(0.05)
        assert [e.rule_id for e in s.events] == [rid]


async def test_a_line_drawn_while_the_engine_runs_is_picked_up_without_a_call(tmp_path):
    clock = ManualClock(START)
    async with Session(tmp_path, clock) as s:
        rid = await s.add(f"{SYM} crosses line 1 repeat 0s")  # the line does not exist yet
        s.store.put_tickers([Ticker("paper", SYM, clock.now_ms(), last=90.0)])
        await s.store.flush()
        line = await drawings.add_hline(s.store, "paper", SYM, 95.0, now_ms=clock.now_ms())
        assert line.id == 1
        await asyncio.sleep(0.1)  # the engine's own loop reads the drawing on the commit
        for price in (96.0, 94.0):  # the side against the new line, then a cross down
            clock.advance(1000)
            s.store.put_tickers([Ticker("paper", SYM, clock.now_ms(), last=price)])
            await s.store.flush()
            await asyncio.sleep(0.1)
        await wait_for(lambda: any(e.rule_id == rid for e in s.events))
        assert "below" in s.events[-1].message
