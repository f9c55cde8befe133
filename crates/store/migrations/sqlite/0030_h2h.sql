-- The reseller API, H2H (SQLite). Keep in step with ../postgres/0030_h2h.sql.
--
-- A reseller the seller turned H2H on for: their username, the generation of their key and
-- webhook secret (both derived from the store's h2h_secret and the generation, so neither is
-- stored: a new generation is a new key), the addresses they may call from (empty: none) and
-- their default callback URL.
CREATE TABLE h2h_accounts (
    username        TEXT PRIMARY KEY,
    whatsapp        TEXT NOT NULL UNIQUE,
    generation      INTEGER NOT NULL DEFAULT 1,
    allowlist       TEXT NOT NULL DEFAULT '',
    callback_url    TEXT NOT NULL DEFAULT '',
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- One transaction a reseller asked for, by its ref_id (their idempotency key): the order it made
-- (NULL for a test transaction, which moves no money), what the reseller was last told, and
-- where its callbacks go.
CREATE TABLE h2h_transactions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL,
    ref_id          TEXT NOT NULL,
    sku             TEXT NOT NULL,
    customer_no     TEXT NOT NULL,
    order_id        INTEGER,
    testing         INTEGER NOT NULL DEFAULT 0,
    test_later      TEXT,
    price           INTEGER NOT NULL,
    told            TEXT NOT NULL,
    cb_url          TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (username, ref_id)
);
CREATE INDEX h2h_transactions_order ON h2h_transactions (order_id);

-- Each callback and each try at delivering it: the reseller's delivery log.
CREATE TABLE h2h_callbacks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id  INTEGER NOT NULL,
    username        TEXT NOT NULL,
    event           TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX h2h_callbacks_user ON h2h_callbacks (username, id);

CREATE TABLE h2h_callback_tries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    callback_id     INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    status          INTEGER,
    answer          TEXT NOT NULL
);
CREATE INDEX h2h_callback_tries_callback ON h2h_callback_tries (callback_id, id);
