"""Alert rules, events and evaluator state in the store (migration 0003)."""

import pytest

from hedgetui.domain.alerts import AlertEvaluator, AlertEvent, EventKind, parse_rule
from hedgetui.domain.models import Ticker
from hedgetui.store import Store
from hedgetui.store import alerts as sa

NOW = 1_767_268_800_000


def event(rule_id, kind=EventKind.FIRED, value=65_001.5, message="BTC/USDT crossed", ts=NOW):
    return AlertEvent(rule_id, "BTC/USDT > 65000", kind, ts, value, message, note="n")


async def test_rules_round_trip_with_ids_never_reused(store):
    seen = []
    store.subscribe(seen.append)
    a = await sa.add_rule(store, "BTC/USDT > 65000", now_ms=NOW)
    b = await sa.add_rule(store, "pnl perps < -500", now_ms=NOW + 1, enabled=False)
    assert (a, b) == (1, 2)
    assert "alert_rules" in seen[-1].tables
    rules = await sa.rules(store)
    assert [(r.id, r.text, r.enabled, r.created_at) for r in rules] == [
        (1, "BTC/USDT > 65000", True, NOW),
        (2, "pnl perps < -500", False, NOW + 1),
    ]
    await sa.delete_rule(store, b)
    c = await sa.add_rule(store, "ETH/USDT < 10", now_ms=NOW)
    assert c == 3  # AUTOINCREMENT: a deleted id never comes back for another rule


async def test_edit_enable_and_unknown_ids(store):
    rid = await sa.add_rule(store, "BTC/USDT > 1", now_ms=NOW)
    before = await sa.rules_fingerprint(store)
    await sa.update_rule(store, rid, "BTC/USDT > 2", now_ms=NOW + 5)
    assert (await sa.rule(store, rid)).text == "BTC/USDT > 2"
    assert await sa.set_enabled(store, rid, False, now_ms=NOW + 6) is True
    assert await sa.set_enabled(store, rid, False, now_ms=NOW + 7) is False
    assert (await sa.rule(store, rid)).updated_at == NOW + 6
    assert await sa.rules_fingerprint(store) != before
    for call in (
        sa.update_rule(store, 99, "x", now_ms=NOW),
        sa.set_enabled(store, 99, True, now_ms=NOW),
        sa.delete_rule(store, 99),
        sa.acknowledge(store, 99, now_ms=NOW),
    ):
        with pytest.raises(KeyError, match="no alert rule #99"):
            await call


async def test_events_history_ack_and_summaries(store):
    rid = await sa.add_rule(store, "BTC/USDT > 65000", now_ms=NOW)
    seen = []
    store.subscribe(seen.append)
    from decimal import Decimal

    sa.record_events(
        store, [event(rid), event(rid, EventKind.REMINDER, Decimal("-12.50"), ts=NOW + 60_000)]
    )
    await store.flush()
    assert any("alert_events" in c.tables for c in seen)
    history = await sa.events(store)
    assert [(e.kind, e.value, e.acknowledged) for e in history] == [
        ("reminder", "-12.50", False),  # exact text, newest first
        ("fired", "65001.5", False),
    ]
    assert [e.id for e in await sa.events(store, after_id=history[1].id)] == [history[0].id]
    assert await sa.last_event_id(store) == history[0].id
    assert (await sa.rule_summaries(store))[rid] == (NOW + 60_000, 2, "reminder")
    assert await sa.acknowledge(store, rid, now_ms=NOW + 61_000) == 2
    assert all(e.acknowledged for e in await sa.events(store))
    assert (await sa.rule(store, rid)).acked_at == NOW + 61_000
    assert sa.describe_state(True, 0, "reminder") == "armed"
    assert sa.describe_state(False, 1, "fired") == "done (fired), 1 unacked"
    assert sa.describe_state(False, 0, "expired") == "expired"


async def test_everything_survives_a_reopen_with_the_evaluator_state(tmp_path):
    path = tmp_path / "a.db"
    store = await Store.open(path)
    text = parse_rule("BTC/USDT crosses 100 repeat 0s", now_ms=NOW).text
    rid = await sa.add_rule(store, text, now_ms=NOW)
    ev = AlertEvaluator("paper")
    ev.set_rules([parse_rule(text, now_ms=NOW).with_id(rid)])
    ev.on_tickers([Ticker("paper", "BTC/USDT", NOW, 99.0)], now_ms=NOW)
    sa.save_state(store, ev.state_snapshot(), now_ms=NOW)
    sa.record_events(store, [event(rid)])
    await store.close()

    store = await Store.open(path)
    try:
        assert [r.id for r in await sa.rules(store)] == [rid]
        assert len(await sa.events(store)) == 1
        again = AlertEvaluator("paper")
        again.set_rules([parse_rule(text, now_ms=NOW).with_id(rid)])
        assert again.load_state(await sa.load_state(store)) == 1
        # the side seen before the restart: the same side is no cross, the other one is
        assert again.on_tickers([Ticker("paper", "BTC/USDT", NOW + 1, 99.5)], now_ms=NOW + 1) == []
        fired = again.on_tickers([Ticker("paper", "BTC/USDT", NOW + 2, 101.0)], now_ms=NOW + 2)
        assert [e.kind for e in fired] == [EventKind.FIRED]
    finally:
        await store.close()


async def test_attached_store_reads_but_refuses_writes(tmp_path):
    path = tmp_path / "a.db"
    writer = await Store.open(path)
    await sa.add_rule(writer, "BTC/USDT > 1", now_ms=NOW)
    reader = await Store.open(path, readonly=True)
    try:
        assert len(await sa.rules(reader)) == 1
        assert await sa.load_state(reader) == {}
        from hedgetui.store import StoreError

        with pytest.raises(StoreError, match="read-only"):
            await sa.add_rule(reader, "BTC/USDT > 2", now_ms=NOW)
    finally:
        await reader.close()
        await writer.close()
