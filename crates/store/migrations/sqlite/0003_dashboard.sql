-- The seller's dashboard and the money (SQLite). Keep in step with ../postgres/0003_dashboard.sql.

-- Every change of a dashboard setting: who, when, old → new. The values live in `settings`.
CREATE TABLE settings_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX settings_audit_at ON settings_audit (at);

-- Top-ups of the supplier balance. `fee` is fixed when recorded (the method's rule then), so a
-- later settings change never rewrites an old month's report.
CREATE TABLE deposits (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    method      TEXT NOT NULL,
    fee         INTEGER NOT NULL,
    note        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX deposits_at ON deposits (at);

-- The supplier balance as VIP's profile reported it (one row per poll).
CREATE TABLE balance_checks (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    balance   INTEGER,
    error     TEXT
);
CREATE INDEX balance_checks_at ON balance_checks (at);

-- Markup rules: the most specific rule wins (product, then brand, then category, then default).
CREATE TABLE markup_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scope       TEXT NOT NULL,
    target      TEXT NOT NULL,
    rate_bps    INTEGER NOT NULL,
    min_markup  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (scope, target)
);

-- Every change of a product's cost or price.
CREATE TABLE price_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_code  TEXT NOT NULL,
    at            INTEGER NOT NULL,
    old_cost      INTEGER,
    new_cost      INTEGER NOT NULL,
    old_price     INTEGER,
    new_price     INTEGER NOT NULL,
    reason        TEXT NOT NULL
);
CREATE INDEX price_history_product ON price_history (product_code, at);

-- Payment reconciliation against Trakteer's public API: the API's id of each payment once known.
ALTER TABLE payments ADD COLUMN api_id TEXT;
CREATE UNIQUE INDEX payments_api_id ON payments (provider, api_id);

-- One row that payment intake locks, so a webhook and a reconciliation run never record the
-- same payment twice (on SQLite the single connection already serialises them).
CREATE TABLE payment_intake (
    id  INTEGER PRIMARY KEY,
    n   INTEGER NOT NULL
);
INSERT INTO payment_intake (id, n) VALUES (1, 0);

-- Refunds: how much went back and when (the report's month).
ALTER TABLE orders ADD COLUMN refund_amount INTEGER;
ALTER TABLE orders ADD COLUMN refunded_at INTEGER;
CREATE INDEX orders_delivered ON orders (delivered_at);
