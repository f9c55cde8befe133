-- The reseller API, H2H (PostgreSQL). Keep in step with ../sqlite/0030_h2h.sql.
--
-- A reseller the seller turned H2H on for: their username, the generation of their key and
-- webhook secret (both derived from the store's h2h_secret and the generation, so neither is
-- stored: a new generation is a new key), the addresses they may call from (empty: none) and
-- their default callback URL.
CREATE TABLE h2h_accounts (
    username        TEXT PRIMARY KEY,
    whatsapp        TEXT NOT NULL UNIQUE,
    generation      BIGINT NOT NULL DEFAULT 1,
    allowlist       TEXT NOT NULL DEFAULT '',
    callback_url    TEXT NOT NULL DEFAULT '',
    enabled         BIGINT NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- One transaction a reseller asked for, by its ref_id (their idempotency key): the order it made
-- (NULL for a test transaction, which moves no money), what the reseller was last told, and
-- where its callbacks go.
CREATE TABLE h2h_transactions (
    id              BIGSERIAL PRIMARY KEY,
    username        TEXT NOT NULL,
    ref_id          TEXT NOT NULL,
    sku             TEXT NOT NULL,
    customer_no     TEXT NOT NULL,
    order_id        BIGINT,
    testing         BIGINT NOT NULL DEFAULT 0,
    test_later      TEXT,
    price           BIGINT NOT NULL,
    told            TEXT NOT NULL,
    cb_url          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (username, ref_id)
);
CREATE INDEX h2h_transactions_order ON h2h_transactions (order_id);

-- Each callback and each try at delivering it: the reseller's delivery log.
CREATE TABLE h2h_callbacks (
    id              BIGSERIAL PRIMARY KEY,
    transaction_id  BIGINT NOT NULL,
    username        TEXT NOT NULL,
    event           TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX h2h_callbacks_user ON h2h_callbacks (username, id);

CREATE TABLE h2h_callback_tries (
    id              BIGSERIAL PRIMARY KEY,
    callback_id     BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    status          BIGINT,
    answer          TEXT NOT NULL
);
CREATE INDEX h2h_callback_tries_callback ON h2h_callback_tries (callback_id, id);
