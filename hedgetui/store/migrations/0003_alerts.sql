-- Alerts: the rules a trader typed (canonical text, see docs/alerts.md), the events they
-- fired, and the evaluator's state (JSON) so that a restart neither forgets a cross side
-- nor re-fires a rule. Ids are AUTOINCREMENT: a deleted rule's id is never reused, so old
-- events and a saved state never attach to a different rule.

CREATE TABLE alert_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uid        TEXT NOT NULL UNIQUE,           -- set by the writer of the row: finds its id
    text       TEXT NOT NULL,                  -- canonical rule text
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    acked_at   INTEGER,                        -- last acknowledgement (any process)
    rev        INTEGER NOT NULL
);
CREATE INDEX alert_rules_rev ON alert_rules (rev);

-- Append-only history (acknowledged is the only column that changes). `rule` keeps the
-- rule's text at firing time, so the history reads right after the rule is edited/deleted.
CREATE TABLE alert_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id      INTEGER NOT NULL,
    rule         TEXT NOT NULL,
    fired_at     INTEGER NOT NULL,
    kind         TEXT NOT NULL,                -- fired | reminder | expired
    value        TEXT,                         -- exact: Decimal or float repr
    message      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    acknowledged INTEGER NOT NULL DEFAULT 0,
    rev          INTEGER NOT NULL
);
CREATE INDEX alert_events_rule ON alert_events (rule_id, id);
CREATE INDEX alert_events_fired ON alert_events (fired_at);

CREATE TABLE alert_state (
    key        TEXT PRIMARY KEY,
    data       TEXT NOT NULL,                  -- AlertEvaluator.state_snapshot() as JSON
    updated_at INTEGER NOT NULL,
    rev        INTEGER NOT NULL
);
