-- hedgetui schema v1.
-- Decimals (account/order quantities) are TEXT so they round-trip exactly; market data is REAL.
-- Timestamps are INTEGER ms UTC. Rows of mutable tables carry `rev`: the store revision of the
-- transaction that last changed them, so readers can fetch "what changed since rev N".
-- No foreign keys between data tables on purpose: pollers write in any order, and history must
-- survive an account being removed from the config.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('rev', 0);

CREATE TABLE accounts (
    name      TEXT PRIMARY KEY,
    exchange  TEXT NOT NULL,
    is_paper  INTEGER NOT NULL,
    tags      TEXT NOT NULL DEFAULT '[]',   -- JSON array
    read_only INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1,   -- 0: no longer configured (history kept)
    rev       INTEGER NOT NULL
);
CREATE INDEX accounts_rev ON accounts (rev);

-- Latest balance per (account, asset). An asset missing from a newer snapshot of the
-- account is marked active = 0 (and its rev bumped) rather than deleted.
CREATE TABLE balances (
    account   TEXT NOT NULL,
    asset     TEXT NOT NULL,
    free      TEXT NOT NULL,
    used      TEXT NOT NULL,
    total     TEXT NOT NULL,
    timestamp INTEGER NOT NULL,             -- Balance.timestamp as given
    ts        INTEGER NOT NULL,             -- poll time of the snapshot
    active    INTEGER NOT NULL DEFAULT 1,
    rev       INTEGER NOT NULL,
    PRIMARY KEY (account, asset)
);
CREATE INDEX balances_rev ON balances (rev);

-- Append-only: one row per (account, asset) whenever a snapshot changed its value (an
-- unchanged poll adds nothing; a vanished asset adds a zero row).
CREATE TABLE balance_history (
    account TEXT NOT NULL,
    asset   TEXT NOT NULL,
    ts      INTEGER NOT NULL,
    free    TEXT NOT NULL,
    used    TEXT NOT NULL,
    total   TEXT NOT NULL
);
CREATE INDEX balance_history_account_ts ON balance_history (account, ts);

-- Latest perpetual positions. Keyed by side too, so hedge-mode long + short coexist.
CREATE TABLE positions (
    account           TEXT NOT NULL,
    symbol            TEXT NOT NULL,
    side              TEXT NOT NULL,
    contracts         TEXT NOT NULL,
    entry_price       TEXT NOT NULL,
    mark_price        TEXT,
    unrealized_pnl    TEXT NOT NULL,
    realized_pnl      TEXT NOT NULL,
    leverage          TEXT,
    liquidation_price TEXT,
    margin            TEXT,
    timestamp         INTEGER NOT NULL,
    ts                INTEGER NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1,
    rev               INTEGER NOT NULL,
    PRIMARY KEY (account, symbol, side)
);
CREATE INDEX positions_rev ON positions (rev);

-- Orders, open and closed. `key` is the client id, or the exchange id when there is none.
CREATE TABLE orders (
    account       TEXT NOT NULL,
    key           TEXT NOT NULL,
    id            TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    symbol        TEXT NOT NULL,
    side          TEXT NOT NULL,
    type          TEXT NOT NULL,
    amount        TEXT NOT NULL,
    status        TEXT NOT NULL,
    price         TEXT,
    stop_price    TEXT,
    filled        TEXT NOT NULL,
    average       TEXT,
    fee           TEXT NOT NULL,
    fee_currency  TEXT,
    time_in_force TEXT NOT NULL,
    reduce_only   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    message       TEXT NOT NULL,
    rev           INTEGER NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE INDEX orders_rev ON orders (rev);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_live ON orders (account) WHERE status IN ('pending', 'open', 'unknown');

CREATE TABLE fills (
    account      TEXT NOT NULL,
    id           TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    symbol       TEXT NOT NULL,
    side         TEXT NOT NULL,
    price        TEXT NOT NULL,
    amount       TEXT NOT NULL,
    fee          TEXT NOT NULL,
    fee_currency TEXT NOT NULL,
    timestamp    INTEGER NOT NULL,
    taker        INTEGER NOT NULL,
    client_id    TEXT NOT NULL,
    realized_pnl TEXT NOT NULL,
    rev          INTEGER NOT NULL,
    PRIMARY KEY (account, id)
);
CREATE INDEX fills_rev ON fills (rev);
CREATE INDEX fills_time ON fills (timestamp);
CREATE INDEX fills_account_time ON fills (account, timestamp);

CREATE TABLE tickers (
    exchange     TEXT NOT NULL,
    symbol       TEXT NOT NULL,
    timestamp    INTEGER NOT NULL,
    last         REAL NOT NULL,
    bid          REAL,
    ask          REAL,
    high         REAL,
    low          REAL,
    open         REAL,
    base_volume  REAL,
    quote_volume REAL,
    rev          INTEGER NOT NULL,
    PRIMARY KEY (exchange, symbol)
);
CREATE INDEX tickers_rev ON tickers (rev);

-- High volume, append-mostly: no rev (Changed carries the (exchange, symbol, timeframe) keys).
CREATE TABLE candles (
    exchange  TEXT NOT NULL,
    symbol    TEXT NOT NULL,
    timeframe TEXT NOT NULL,
    ts        INTEGER NOT NULL,
    open      REAL NOT NULL,
    high      REAL NOT NULL,
    low       REAL NOT NULL,
    close     REAL NOT NULL,
    volume    REAL NOT NULL,
    PRIMARY KEY (exchange, symbol, timeframe, ts)
) WITHOUT ROWID;

CREATE TABLE poller_health (
    key                TEXT PRIMARY KEY,
    exchange           TEXT NOT NULL,
    feed               TEXT NOT NULL,
    account            TEXT,
    state              TEXT NOT NULL,
    last_attempt       INTEGER NOT NULL,
    last_success       INTEGER NOT NULL,
    latency_ms         REAL NOT NULL,
    consecutive_errors INTEGER NOT NULL,
    error_count        INTEGER NOT NULL,
    last_error         TEXT NOT NULL,
    backoff_s          REAL NOT NULL,
    rev                INTEGER NOT NULL
);
CREATE INDEX poller_health_rev ON poller_health (rev);

-- Written durably BEFORE an order is sent; reconciled by client_id after a crash/timeout.
CREATE TABLE order_journal (
    client_id         TEXT PRIMARY KEY,
    batch_id          TEXT NOT NULL,
    account           TEXT NOT NULL,
    symbol            TEXT NOT NULL,
    side              TEXT NOT NULL,
    type              TEXT NOT NULL,
    amount            TEXT NOT NULL,
    price             TEXT,
    stop_price        TEXT,
    time_in_force     TEXT NOT NULL,
    reduce_only       INTEGER NOT NULL,
    request_client_id TEXT NOT NULL,
    status            TEXT NOT NULL,
    order_id          TEXT NOT NULL,
    message           TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    attempts          INTEGER NOT NULL,
    rev               INTEGER NOT NULL
);
CREATE INDEX order_journal_batch ON order_journal (batch_id);
CREATE INDEX order_journal_unfinished ON order_journal (created_at)
    WHERE status IN ('pending', 'open', 'unknown');

-- Opaque JSON state, e.g. the paper venue's books and balances.
CREATE TABLE snapshots (
    key        TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    rev        INTEGER NOT NULL
);
