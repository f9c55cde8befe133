-- Chat ordering over WhatsApp (SQLite). Keep in step with ../postgres/0004_chat.sql.

-- Every message a customer or the seller sent to the store, recorded once per gateway id.
CREATE TABLE inbound_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway      TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    sender       TEXT NOT NULL,
    name         TEXT,
    body         TEXT NOT NULL,
    -- received (reply job queued) | answered | throttled (not answered: flooding)
    state        TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    answered_at  INTEGER,
    UNIQUE (gateway, provider_id)
);
CREATE INDEX inbound_messages_sender ON inbound_messages (sender, received_at);

-- The guided order flow's step per number (JSON of madd_domain::chat::Pending), with expiry.
CREATE TABLE chat_sessions (
    phone       TEXT PRIMARY KEY,
    pending     TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Costly chat actions per number (nickname checks, orders), for rate limits.
CREATE TABLE chat_actions (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    phone   TEXT NOT NULL,
    action  TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX chat_actions_phone ON chat_actions (phone, action, at);
