-- Payments per order at the QRIS gateways (Midtrans, Tripay): each try to collect an order's
-- amount at one rail, with the rail's reference, its QR text and expiry. The merchant reference
-- (order code + attempt number) is never reused, so a late report for attempt 1 can never be
-- taken for attempt 2. `state` follows madd_domain::rail (creating, open, paid, expired, failed,
-- superseded); a payment on any attempt is recorded, never lost.
CREATE TABLE payment_attempts (
    id            BIGSERIAL PRIMARY KEY,
    order_id      BIGINT NOT NULL,
    number        BIGINT NOT NULL,
    rail          TEXT NOT NULL,
    merchant_ref  TEXT NOT NULL,
    reference     TEXT,
    amount        BIGINT NOT NULL,
    qr_string     TEXT,
    qr_url        TEXT,
    checkout_url  TEXT,
    expires_at    BIGINT NOT NULL,
    state         TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    fee           BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    check_at      BIGINT,
    checks        BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX payment_attempts_number ON payment_attempts (order_id, number);
CREATE UNIQUE INDEX payment_attempts_merchant_ref ON payment_attempts (merchant_ref);
CREATE INDEX payment_attempts_reference ON payment_attempts (rail, reference);
CREATE INDEX payment_attempts_due ON payment_attempts (check_at) WHERE check_at IS NOT NULL;

-- A rail that refused, erred or timed out is passed over until `unhealthy_until`; one the
-- seller paused gets no new payments (those already shown stay payable).
CREATE TABLE payment_rails (
    rail            TEXT PRIMARY KEY,
    paused_at       BIGINT,
    unhealthy_until BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT ''
);
