-- Saldo top-ups paid through Trakteer (SQLite). Keep in step with ../postgres/0017_topups.sql.
--
-- A signed-in customer asks to add an amount to their saldo and gets a code (the order-code
-- format) to pay with on Trakteer; the payment webhook finds the code in the support message and
-- credits what was paid, once (the state moves from open to paid in the same transaction).
CREATE TABLE topups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    whatsapp    TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    state       TEXT NOT NULL DEFAULT 'open',
    payment_id  INTEGER,
    created_at  INTEGER NOT NULL,
    paid_at     INTEGER
);
