-- Chat ordering over WhatsApp (PostgreSQL). Keep in step with ../sqlite/0004_chat.sql.

-- Every message a customer or the seller sent to the store, recorded once per gateway id.
CREATE TABLE inbound_messages (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gateway      TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    sender       TEXT NOT NULL,
    name         TEXT,
    body         TEXT NOT NULL,
    -- received (reply job queued) | answered | throttled (not answered: flooding)
    state        TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    answered_at  BIGINT,
    UNIQUE (gateway, provider_id)
);
CREATE INDEX inbound_messages_sender ON inbound_messages (sender, received_at);

-- The guided order flow's step per number (JSON of madd_domain::chat::Pending), with expiry.
CREATE TABLE chat_sessions (
    phone       TEXT PRIMARY KEY,
    pending     TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Costly chat actions per number (nickname checks, orders), for rate limits.
CREATE TABLE chat_actions (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone   TEXT NOT NULL,
    action  TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX chat_actions_phone ON chat_actions (phone, action, at);
