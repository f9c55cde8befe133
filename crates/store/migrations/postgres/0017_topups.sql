-- Saldo top-ups paid through Trakteer (PostgreSQL). Keep in step with ../sqlite/0017_topups.sql.
--
-- A signed-in customer asks to add an amount to their saldo and gets a code (the order-code
-- format) to pay with on Trakteer; the payment webhook finds the code in the support message and
-- credits what was paid, once (the state moves from open to paid in the same transaction).
CREATE TABLE topups (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    whatsapp    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    state       TEXT NOT NULL DEFAULT 'open',
    payment_id  BIGINT,
    created_at  BIGINT NOT NULL,
    paid_at     BIGINT
);
