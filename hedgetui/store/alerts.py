"""Alert rules, fired events and the evaluator's saved state (tables of migration 0003).

Rules are written durably (the call returns after the COMMIT) by whoever edits them — the
CLI, the TUI, the alert engine disabling a rule that fired ``once`` — and read back by the
engine, which may be another process. Events are appended through the batching writer.
Every write reports its table in ``Changed`` (``alert_rules``, ``alert_events``,
``alert_state``), so in-process readers learn of it without polling.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from hedgetui.domain.alerts import AlertEvent
from hedgetui.store.db import StoreError
from hedgetui.store.ops import REV, register_kind

__all__ = [
    "RULES",
    "EVENTS",
    "STATE",
    "StoredRule",
    "StoredEvent",
    "add_rule",
    "update_rule",
    "set_enabled",
    "delete_rule",
    "acknowledge",
    "record_events",
    "save_state",
    "rules",
    "rule",
    "events",
    "load_state",
    "rules_fingerprint",
    "rule_summaries",
]

RULES, EVENTS, STATE = "alert_rules", "alert_events", "alert_state"
_STATE_KEY = "evaluator"

_ADD_RULE = register_kind(
    "alert_rule_add",
    RULES,
    f"INSERT INTO alert_rules (uid, text, enabled, created_at, updated_at, rev) "
    f"VALUES (?, ?, ?, ?, ?, {REV})",
    row_wise=False,
)
_EDIT_RULE = register_kind(
    "alert_rule_edit",
    RULES,
    f"UPDATE alert_rules SET text = ?, updated_at = ?, rev = {REV} WHERE id = ?",
    row_wise=False,
)
_ENABLE_RULE = register_kind(
    "alert_rule_enable",
    RULES,
    f"UPDATE alert_rules SET enabled = ?, updated_at = ?, rev = {REV} "
    "WHERE id = ? AND enabled IS NOT ?",
    row_wise=False,
)
_DELETE_RULE = register_kind(
    "alert_rule_delete", RULES, "DELETE FROM alert_rules WHERE id = ?", row_wise=False
)
_ACK_RULE = register_kind(
    "alert_rule_ack",
    RULES,
    f"UPDATE alert_rules SET acked_at = ?, rev = {REV} WHERE id = ?",
    row_wise=False,
)
_ACK_EVENTS = register_kind(
    "alert_event_ack",
    EVENTS,
    f"UPDATE alert_events SET acknowledged = 1, rev = {REV} WHERE rule_id = ? AND acknowledged = 0",
    row_wise=False,
)
_ADD_EVENT = register_kind(
    "alert_event_add",
    EVENTS,
    f"INSERT INTO alert_events (rule_id, rule, fired_at, kind, value, message, note, rev) "
    f"VALUES (?, ?, ?, ?, ?, ?, ?, {REV})",
)
_SAVE_STATE = register_kind(
    "alert_state_save",
    STATE,
    f"INSERT INTO alert_state (key, data, updated_at, rev) VALUES (?, ?, ?, {REV}) "
    "ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, "
    "rev = excluded.rev",
    row_wise=False,
)

_RULE_COLS = "id, text, enabled, created_at, updated_at, acked_at"
_EVENT_COLS = "id, rule_id, rule, fired_at, kind, value, message, note, acknowledged"


@dataclass(frozen=True, slots=True)
class StoredRule:
    id: int
    text: str
    enabled: bool
    created_at: int
    updated_at: int
    acked_at: int | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    rule_id: int
    rule: str
    fired_at: int
    kind: str
    value: str | None  # exact text of the measured value
    message: str
    note: str
    acknowledged: bool


def _rule(row: tuple) -> StoredRule:
    return StoredRule(row[0], row[1], bool(row[2]), row[3], row[4], row[5])


def _event(row: tuple) -> StoredEvent:
    return StoredEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]))


def _value_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


# --- writes ---------------------------------------------------------------------------------


async def add_rule(store, text: str, *, now_ms: int, enabled: bool = True) -> int:
    """Store a rule (its canonical text: validate with ``parse_rule`` first); its new id."""
    uid = uuid.uuid4().hex
    await store._write_durable(_ADD_RULE, [(uid, text, int(enabled), now_ms, now_ms)])
    rows = await store._fetch("SELECT id FROM alert_rules WHERE uid = ?", (uid,))
    if not rows:  # cannot happen after a successful commit; say so rather than return junk
        raise StoreError(f"alert rule {text!r} was saved but its id could not be read back")
    return rows[0][0]


async def _existing(store, rule_id: int) -> StoredRule:
    found = await rule(store, rule_id)
    if found is None:
        raise KeyError(f"no alert rule #{rule_id}; `hedgetui alerts list` shows the ids")
    return found


async def update_rule(store, rule_id: int, text: str, *, now_ms: int) -> None:
    """Replace a rule's text (the evaluator then treats it as a new rule). KeyError if the
    id is unknown."""
    await _existing(store, rule_id)
    await store._write_durable(_EDIT_RULE, [(text, now_ms, rule_id)], frozenset({rule_id}))


async def set_enabled(store, rule_id: int, enabled: bool, *, now_ms: int) -> bool:
    """Enable or disable; False if it already was. KeyError if the id is unknown."""
    current = await _existing(store, rule_id)
    if current.enabled == enabled:
        return False
    row = (int(enabled), now_ms, rule_id, int(enabled))
    await store._write_durable(_ENABLE_RULE, [row], frozenset({rule_id}))
    return True


def disable_nowait(store, rule_ids: Iterable[int], *, now_ms: int) -> None:
    """Disable rules through the batching writer (the engine, when a rule is done)."""
    rows = [(0, now_ms, rid, 0) for rid in rule_ids]
    store._write(_ENABLE_RULE, rows, frozenset(r[2] for r in rows))


async def delete_rule(store, rule_id: int) -> None:
    """Delete a rule; its events stay in the history. KeyError if the id is unknown."""
    await _existing(store, rule_id)
    await store._write_durable(_DELETE_RULE, [(rule_id,)], frozenset({rule_id}))


async def acknowledge(store, rule_id: int, *, now_ms: int) -> int:
    """Mark the rule acknowledged at ``now_ms`` (a running engine stops its reminders) and
    its events seen; returns how many events were unacknowledged. KeyError if unknown."""
    await _existing(store, rule_id)
    rows = await store._fetch(
        "SELECT count(*) FROM alert_events WHERE rule_id = ? AND acknowledged = 0", (rule_id,)
    )
    store._write(_ACK_RULE, [(now_ms, rule_id)], frozenset({rule_id}))
    await store._write_durable(_ACK_EVENTS, [(rule_id,)], frozenset({rule_id}))
    return rows[0][0]


def record_events(store, events: Iterable[AlertEvent]) -> None:
    """Append fired events to the history (batched; ``store.flush()`` to wait)."""
    rows = [
        (
            e.rule_id,
            e.rule,
            e.fired_at,
            e.kind.value,
            _value_text(e.value),
            e.message,
            e.note,
        )
        for e in events
    ]
    store._write(_ADD_EVENT, rows, frozenset(r[0] for r in rows))


def save_state(store, snapshot: dict, *, now_ms: int) -> None:
    """Save ``AlertEvaluator.state_snapshot()`` (batched)."""
    data = json.dumps(snapshot, separators=(",", ":"), allow_nan=False)
    store._write(_SAVE_STATE, [(_STATE_KEY, data, now_ms)])


# --- reads ----------------------------------------------------------------------------------


async def rules(store) -> list[StoredRule]:
    """Every rule, oldest first."""
    rows = await store._fetch(f"SELECT {_RULE_COLS} FROM alert_rules ORDER BY id")
    return [_rule(r) for r in rows]


async def rule(store, rule_id: int) -> StoredRule | None:
    rows = await store._fetch(f"SELECT {_RULE_COLS} FROM alert_rules WHERE id = ?", (rule_id,))
    return _rule(rows[0]) if rows else None


async def rules_fingerprint(store) -> tuple:
    """Changes whenever any rule is added, edited, enabled, acknowledged or deleted: a cheap
    poll for a process that does not see the writer's commits (``hedgetui alerts`` runs)."""
    rows = await store._fetch("SELECT count(*), max(rev), max(id) FROM alert_rules")
    return tuple(rows[0])


async def events(
    store,
    *,
    limit: int | None = 100,
    rule_id: int | None = None,
    after_id: int | None = None,
) -> list[StoredEvent]:
    """Newest first. ``after_id``: only events newer than that id (what arrived since)."""
    where, params = [], []
    if rule_id is not None:
        where.append("rule_id = ?")
        params.append(rule_id)
    if after_id is not None:
        where.append("id > ?")
        params.append(after_id)
    sql = f"SELECT {_EVENT_COLS} FROM alert_events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [_event(r) for r in await store._fetch(sql, tuple(params))]


async def last_event_id(store) -> int:
    rows = await store._fetch("SELECT coalesce(max(id), 0) FROM alert_events")
    return rows[0][0]


async def rule_summaries(store) -> dict[int, tuple[int | None, int, str]]:
    """Per rule id: (last fired_at, unacknowledged events, kind of the last event)."""
    rows = await store._fetch(
        "SELECT rule_id, max(fired_at) FILTER (WHERE kind != 'expired'), "
        "sum(acknowledged = 0) FILTER (WHERE kind != 'expired'), "
        "(SELECT kind FROM alert_events AS last WHERE last.rule_id = e.rule_id "
        "ORDER BY id DESC LIMIT 1) "
        "FROM alert_events AS e GROUP BY rule_id"
    )
    return {r[0]: (r[1], r[2] or 0, r[3]) for r in rows}


def describe_state(enabled: bool, unacked: int, last_kind: str | None) -> str:
    """What the store alone tells about a rule (from :func:`rule_summaries`)."""
    if last_kind == "expired":
        state = "expired"
    elif not enabled:
        state = "done (fired)" if last_kind else "disabled"
    else:
        state = "armed"
    if unacked:
        state += f", {unacked} unacked"
    return state


async def load_state(store) -> dict:
    """The saved evaluator state ({} when none, or when it cannot be read as JSON)."""
    rows = await store._fetch("SELECT data FROM alert_state WHERE key = ?", (_STATE_KEY,))
    if not rows:
        return {}
    try:
        data = json.loads(rows[0][0])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
