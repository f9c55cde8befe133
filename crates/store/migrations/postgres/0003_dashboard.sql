-- The seller's dashboard and the money (PostgreSQL). Keep in step with ../sqlite/0003_dashboard.sql.

-- Every change of a dashboard setting: who, when, old → new. The values live in `settings`.
CREATE TABLE settings_audit (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX settings_audit_at ON settings_audit (at);

-- Top-ups of the supplier balance. `fee` is fixed when recorded (the method's rule then), so a
-- later settings change never rewrites an old month's report.
CREATE TABLE deposits (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    method      TEXT NOT NULL,
    fee         BIGINT NOT NULL,
    note        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX deposits_at ON deposits (at);

-- The supplier balance as VIP's profile reported it (one row per poll).
CREATE TABLE balance_checks (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    balance   BIGINT,
    error     TEXT
);
CREATE INDEX balance_checks_at ON balance_checks (at);

-- Markup rules: the most specific rule wins (product, then brand, then category, then default).
CREATE TABLE markup_rules (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope       TEXT NOT NULL,
    target      TEXT NOT NULL,
    rate_bps    BIGINT NOT NULL,
    min_markup  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (scope, target)
);

-- Every change of a product's cost or price.
CREATE TABLE price_history (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_code  TEXT NOT NULL,
    at            BIGINT NOT NULL,
    old_cost      BIGINT,
    new_cost      BIGINT NOT NULL,
    old_price     BIGINT,
    new_price     BIGINT NOT NULL,
    reason        TEXT NOT NULL
);
CREATE INDEX price_history_product ON price_history (product_code, at);

-- Payment reconciliation against Trakteer's public API: the API's id of each payment once known.
ALTER TABLE payments ADD COLUMN api_id TEXT;
CREATE UNIQUE INDEX payments_api_id ON payments (provider, api_id);

-- One row that payment intake locks, so a webhook and a reconciliation run never record the
-- same payment twice (on SQLite the single connection already serialises them).
CREATE TABLE payment_intake (
    id  BIGINT PRIMARY KEY,
    n   BIGINT NOT NULL
);
INSERT INTO payment_intake (id, n) VALUES (1, 0);

-- Refunds: how much went back and when (the report's month).
ALTER TABLE orders ADD COLUMN refund_amount BIGINT;
ALTER TABLE orders ADD COLUMN refunded_at BIGINT;
CREATE INDEX orders_delivered ON orders (delivered_at);
