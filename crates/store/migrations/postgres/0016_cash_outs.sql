-- Saldo paid out on request (PostgreSQL). Keep in step with ../sqlite/0016_cash_outs.sql.
--
-- A customer asks (chat `tarik …`); the seller pays it to the e-wallet or bank account and marks
-- it paid with a reference — only then is the saldo debited — or refuses it with a reason
-- (nothing debited). One open request per number at a time (the partial unique index).
CREATE TABLE cash_outs (
    id          BIGSERIAL PRIMARY KEY,
    whatsapp    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    method      TEXT NOT NULL,
    account     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'requested',
    reference   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  TEXT
);
CREATE UNIQUE INDEX cash_outs_one_open ON cash_outs (whatsapp) WHERE state = 'requested';
CREATE INDEX cash_outs_state ON cash_outs (state, created_at);
