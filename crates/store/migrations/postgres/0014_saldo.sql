-- Customer saldo: store credit per WhatsApp number (PostgreSQL). Keep in step with
-- ../sqlite/0014_saldo.sql.
--
-- `wallet_entries` is append-only: every credit (a refund, a seller's credit) and every debit (an
-- order paid from saldo) with its reason. `wallets.balance` is their sum, kept beside them in the
-- same transaction and never below zero (the CHECK, and the debit's guarded UPDATE). One refund and
-- one spend per order at most (the partial unique index), however often a failure is reported.
CREATE TABLE wallets (
    whatsapp    TEXT PRIMARY KEY,
    balance     BIGINT NOT NULL CHECK (balance >= 0),
    updated_at  BIGINT NOT NULL
);

CREATE TABLE wallet_entries (
    id          BIGSERIAL PRIMARY KEY,
    whatsapp    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount <> 0),
    kind        TEXT NOT NULL,
    order_id    BIGINT,
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX wallet_entries_owner ON wallet_entries (whatsapp, id);
CREATE UNIQUE INDEX wallet_entries_once_per_order ON wallet_entries (kind, order_id)
    WHERE order_id IS NOT NULL;
