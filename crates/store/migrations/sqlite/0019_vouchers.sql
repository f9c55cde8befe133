-- Vouchers (SQLite). Keep in step with ../postgres/0019_vouchers.sql.
--
-- `used` counts the uses taken: reserved by an unpaid order, or spent by a paid one. It moves
-- with a conditional UPDATE (`used < total_uses`) in the order's own transaction, so a voucher
-- is never used more often than allowed however many checkouts race; an order that expires
-- unpaid gives its use back in the expiry's transaction.
CREATE TABLE vouchers (
    code              TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    value             INTEGER NOT NULL,
    cap               INTEGER,
    min_purchase      INTEGER NOT NULL DEFAULT 0,
    scope             TEXT NOT NULL DEFAULT 'all',
    scope_value       TEXT NOT NULL DEFAULT '',
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL,
    total_uses        INTEGER,
    per_number        INTEGER,
    first_order_only  INTEGER NOT NULL DEFAULT 0,
    below_cost        INTEGER NOT NULL DEFAULT 0,
    active            INTEGER NOT NULL DEFAULT 1,
    used              INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    created_by        TEXT NOT NULL
);

-- One use per order: reserved (unpaid), spent (paid), released (expired unpaid).
CREATE TABLE voucher_uses (
    order_id    INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    whatsapp    TEXT NOT NULL,
    discount    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    settled_at  INTEGER
);
CREATE INDEX voucher_uses_number ON voucher_uses (code, whatsapp, state);

-- What an order's voucher took off its list price (`price` is what it sold for).
ALTER TABLE orders ADD COLUMN discount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN voucher TEXT;
