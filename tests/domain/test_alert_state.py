"""Rule state survives restarts (snapshot -> JSON -> load_state) and rule edits."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hedgetui.domain.alerts import AlertEvaluator, EventKind, parse_rule
from hedgetui.domain.models import Ticker

T0 = 1_767_225_600_000


def _rules(*texts):
    return [parse_rule(t, now_ms=T0).with_id(i + 1) for i, t in enumerate(texts)]


def _tick(ev, price, at, symbol="BTC/USDT"):
    return ev.on_tickers([Ticker("paper", symbol, at, price)], now_ms=at)


def _restart(ev, rules):
    saved = json.loads(json.dumps(ev.state_snapshot()))  # what a store would keep
    fresh = AlertEvaluator("paper")
    fresh.set_rules(rules)
    return fresh, fresh.load_state(saved)


def test_a_cross_after_restart_still_needs_a_real_cross():
    rules = _rules("BTC/USDT crosses 100 repeat 0s")
    ev = AlertEvaluator("paper")
    ev.set_rules(rules)
    _tick(ev, 90, T0)
    ev2, restored = _restart(ev, rules)
    assert restored == 1
    assert _tick(ev2, 95, T0 + 1000) == []  # same side as before the restart
    [fired] = _tick(ev2, 110, T0 + 2000)
    assert fired.kind is EventKind.FIRED
    # without saved state the first price only records the side
    ev3 = AlertEvaluator("paper")
    ev3.set_rules(rules)
    assert _tick(ev3, 110, T0 + 2000) == []


def test_a_fired_once_rule_stays_done_and_a_true_level_does_not_refire():
    rules = _rules("BTC/USDT > 100", "BTC/USDT > 50 repeat 0s")
    ev = AlertEvaluator("paper")
    ev.set_rules(rules)
    assert len(_tick(ev, 110, T0)) == 2
    ev2, restored = _restart(ev, rules)
    assert restored == 2
    assert _tick(ev2, 120, T0 + 1000) == []
    assert ev2.rule_state(1).done and ev2.rule_state(2).fires == 1


def test_until_ack_reminders_survive_a_restart():
    rules = _rules("BTC/USDT > 100 until-ack 1m")
    ev = AlertEvaluator("paper")
    ev.set_rules(rules)
    _tick(ev, 110, T0)
    ev2, _ = _restart(ev, rules)
    [reminder] = ev2.tick(T0 + 60_000)
    assert reminder.kind is EventKind.REMINDER
    assert reminder.message == "not acknowledged: BTC/USDT > 100 until-ack 1m"
    assert ev2.acknowledge(1)
    assert ev2.tick(T0 + 180_000) == []


def test_edited_unknown_and_malformed_entries_are_skipped():
    rules = _rules("BTC/USDT crosses 100", "BTC/USDT crosses 200")
    ev = AlertEvaluator("paper")
    ev.set_rules(rules)
    _tick(ev, 150, T0)
    snap = ev.state_snapshot()
    snap["2"]["side"] = 7  # corrupted
    snap["99"] = snap["1"]  # unknown rule
    snap["x"] = {"text": "?"}
    snap["3"] = "not an object"
    fresh = AlertEvaluator("paper")
    fresh.set_rules(_rules('BTC/USDT crosses 100 note "e"', "BTC/USDT crosses 200"))
    assert fresh.load_state(snap) == 0  # rule 1 was edited, rule 2's entry is corrupt
    assert fresh.rule_state(2).side == 0


def test_set_rules_keeps_state_of_unchanged_rules_only():
    rules = _rules("BTC/USDT crosses 100 repeat 0s", "BTC/USDT crosses 200 repeat 0s")
    ev = AlertEvaluator("paper")
    ev.set_rules(rules)
    _tick(ev, 150, T0)
    changed = parse_rule("BTC/USDT crosses 200 repeat 1m", now_ms=T0).with_id(2)
    ev.set_rules([rules[0], changed])
    assert ev.rule_state(1).side == 1 and ev.rule_state(2).side == 0
    [e] = _tick(ev, 90, T0 + 1000)
    assert e.rule_id == 1
    ev.set_rules([dataclasses.replace(rules[0], enabled=False)])
    assert ev.rule_state(1) is None and ev.rules() == []


def test_rules_need_ids():
    ev = AlertEvaluator("paper")
    with pytest.raises(ValueError, match="has no id"):
        ev.set_rules([parse_rule("BTC/USDT > 1", now_ms=T0)])


def test_change_history_survives_rule_edits():
    ev = AlertEvaluator("paper")
    ev.set_rules(_rules("BTC/USDT change 5m > 2%"))
    for i in range(6):
        _tick(ev, 100.0, T0 + i * 60_000)
    ev.set_rules(_rules("BTC/USDT change 5m > 3%"))
    [e] = _tick(ev, 104.0, T0 + 6 * 60_000)
    assert e.value == pytest.approx(4.0)
