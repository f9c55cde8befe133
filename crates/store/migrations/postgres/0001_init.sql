-- Madd Store schema (PostgreSQL). Money: BIGINT rupiah. Times: BIGINT unix milliseconds (UTC).
-- Keep in step with ../sqlite/0001_init.sql: the same tables, columns and constraints.

CREATE TABLE products (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    brand         TEXT NOT NULL,
    category      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    prepaid_type  TEXT,
    cost          BIGINT NOT NULL,
    price         BIGINT NOT NULL,
    available     BIGINT NOT NULL,
    enabled       BIGINT NOT NULL DEFAULT 1,
    note          TEXT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX products_category ON products (category, brand);

CREATE TABLE orders (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    cost                  BIGINT NOT NULL,
    price                 BIGINT NOT NULL,
    fee                   BIGINT NOT NULL,
    amount_due            BIGINT NOT NULL,
    amount_paid           BIGINT NOT NULL DEFAULT 0,
    idempotency_key       TEXT UNIQUE,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    paid_at               BIGINT,
    placement_started_at  BIGINT,
    placement_attempts    BIGINT NOT NULL DEFAULT 0,
    supplier_trxid        TEXT UNIQUE,
    supplier_status       TEXT,
    supplier_note         TEXT,
    supplier_price        BIGINT,
    serial_number         TEXT,
    delivered_at          BIGINT,
    failure_reason        TEXT,
    failure_retryable     BIGINT NOT NULL DEFAULT 0,
    refund_method         TEXT,
    refund_note           TEXT,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX orders_status ON orders (status, created_at);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_whatsapp ON orders (whatsapp);

CREATE TABLE order_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id  BIGINT NOT NULL REFERENCES orders (id),
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE payments (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider        TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    order_id        BIGINT REFERENCES orders (id),
    state           TEXT NOT NULL,
    source          TEXT NOT NULL,
    supporter_name  TEXT NOT NULL,
    message         TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    gross           BIGINT NOT NULL,
    net             BIGINT,
    price_reading   TEXT,
    note            TEXT,
    raw             TEXT NOT NULL,
    paid_at         BIGINT,
    received_at     BIGINT NOT NULL,
    UNIQUE (provider, transaction_id)
);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_state ON payments (state, received_at);

CREATE TABLE messages (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id      BIGINT REFERENCES orders (id),
    recipient     TEXT NOT NULL,
    audience      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    params        TEXT NOT NULL,
    state         TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    provider_id   TEXT,
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX messages_order ON messages (order_id);
CREATE INDEX messages_state ON messages (state, created_at);
CREATE INDEX messages_provider ON messages (provider_id);

CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL,
    ref_id        BIGINT,
    payload       TEXT NOT NULL,
    state         TEXT NOT NULL,
    run_at        BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    locked_until  BIGINT,
    locked_by     TEXT,
    last_error    TEXT,
    dedupe_key    TEXT UNIQUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE supplier_requests (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id  BIGINT REFERENCES orders (id),
    at        BIGINT NOT NULL,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX supplier_requests_order ON supplier_requests (order_id);

CREATE TABLE nickname_lookups (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lookup_key  TEXT NOT NULL UNIQUE,
    game_code   TEXT NOT NULL,
    target      TEXT NOT NULL,
    zone        TEXT,
    state       TEXT NOT NULL,
    nickname    TEXT,
    message     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE admins (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    admin_id    BIGINT NOT NULL REFERENCES admins (id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE login_attempts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username   TEXT NOT NULL,
    at         BIGINT NOT NULL,
    succeeded  BIGINT NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);

CREATE TABLE whatsapp_windows (
    phone             TEXT PRIMARY KEY,
    last_inbound_at   BIGINT NOT NULL
);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
