-- Madd Store schema (SQLite). Money: INTEGER rupiah. Times: INTEGER unix milliseconds (UTC).
-- Keep in step with ../postgres/0001_init.sql: the same tables, columns and constraints.

CREATE TABLE products (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    brand         TEXT NOT NULL,
    category      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    prepaid_type  TEXT,
    cost          INTEGER NOT NULL,
    price         INTEGER NOT NULL,
    available     INTEGER NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    note          TEXT,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX products_category ON products (category, brand);

CREATE TABLE orders (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    code                  TEXT NOT NULL UNIQUE,
    status                TEXT NOT NULL,
    product_code          TEXT NOT NULL,
    product_name          TEXT NOT NULL,
    brand                 TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    target                TEXT NOT NULL,
    zone                  TEXT,
    nickname              TEXT,
    whatsapp              TEXT NOT NULL,
    cost                  INTEGER NOT NULL,
    price                 INTEGER NOT NULL,
    fee                   INTEGER NOT NULL,
    amount_due            INTEGER NOT NULL,
    amount_paid           INTEGER NOT NULL DEFAULT 0,
    idempotency_key       TEXT UNIQUE,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    paid_at               INTEGER,
    placement_started_at  INTEGER,
    placement_attempts    INTEGER NOT NULL DEFAULT 0,
    supplier_trxid        TEXT UNIQUE,
    supplier_status       TEXT,
    supplier_note         TEXT,
    supplier_price        INTEGER,
    serial_number         TEXT,
    delivered_at          INTEGER,
    failure_reason        TEXT,
    failure_retryable     INTEGER NOT NULL DEFAULT 0,
    refund_method         TEXT,
    refund_note           TEXT,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX orders_status ON orders (status, created_at);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_whatsapp ON orders (whatsapp);

CREATE TABLE order_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id  INTEGER NOT NULL REFERENCES orders (id),
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    provider        TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    order_id        INTEGER REFERENCES orders (id),
    state           TEXT NOT NULL,
    source          TEXT NOT NULL,
    supporter_name  TEXT NOT NULL,
    message         TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    gross           INTEGER NOT NULL,
    net             INTEGER,
    price_reading   TEXT,
    note            TEXT,
    raw             TEXT NOT NULL,
    paid_at         INTEGER,
    received_at     INTEGER NOT NULL,
    UNIQUE (provider, transaction_id)
);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_state ON payments (state, received_at);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      INTEGER REFERENCES orders (id),
    recipient     TEXT NOT NULL,
    audience      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    params        TEXT NOT NULL,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    provider_id   TEXT,
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX messages_order ON messages (order_id);
CREATE INDEX messages_state ON messages (state, created_at);
CREATE INDEX messages_provider ON messages (provider_id);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    ref_id        INTEGER,
    payload       TEXT NOT NULL,
    state         TEXT NOT NULL,
    run_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    locked_until  INTEGER,
    locked_by     TEXT,
    last_error    TEXT,
    dedupe_key    TEXT UNIQUE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE supplier_requests (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id  INTEGER REFERENCES orders (id),
    at        INTEGER NOT NULL,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX supplier_requests_order ON supplier_requests (order_id);

CREATE TABLE nickname_lookups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lookup_key  TEXT NOT NULL UNIQUE,
    game_code   TEXT NOT NULL,
    target      TEXT NOT NULL,
    zone        TEXT,
    state       TEXT NOT NULL,
    nickname    TEXT,
    message     TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE admins (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    admin_id    INTEGER NOT NULL REFERENCES admins (id),
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    username   TEXT NOT NULL,
    at         INTEGER NOT NULL,
    succeeded  INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);

CREATE TABLE whatsapp_windows (
    phone             TEXT PRIMARY KEY,
    last_inbound_at   INTEGER NOT NULL
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
