-- Chart drawings: horizontal lines and trend lines a trader places on a chart. They belong to
-- a market (exchange, symbol), not to a timeframe, so every timeframe shows them; the alert
-- engine reads them as price levels. A deleted drawing keeps its row (deleted = 1, rev
-- bumped) so readers following `rev` learn about the deletion; ids are never reused.

CREATE TABLE drawings (
    id         INTEGER PRIMARY KEY,
    exchange   TEXT NOT NULL,
    symbol     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('hline', 'trend')),
    price      REAL,                       -- hline
    t1         INTEGER,                    -- trend: from (t1, p1) to (t2, p2), ms UTC
    p1         REAL,
    t2         INTEGER,
    p2         REAL,
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    rev        INTEGER NOT NULL,
    CHECK ((kind = 'hline' AND price IS NOT NULL)
        OR (kind = 'trend' AND t1 IS NOT NULL AND p1 IS NOT NULL
            AND t2 IS NOT NULL AND p2 IS NOT NULL))
);
CREATE INDEX drawings_market ON drawings (exchange, symbol);
CREATE INDEX drawings_rev ON drawings (rev);
