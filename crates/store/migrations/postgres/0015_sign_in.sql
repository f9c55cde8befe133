-- Customers sign in with a code sent to their WhatsApp (PostgreSQL). Keep in step with the other
-- backend's 0015_sign_in.sql.
--
-- One live code per number (a new one replaces it), kept only as a salted SHA-256; wrong codes
-- are counted and lock the number's sign-in for a while; sends are counted per window. A session
-- is kept as the SHA-256 of its token (the token itself lives only in the customer's cookie or
-- app), so a copy of the database signs nobody in.
CREATE TABLE sign_in_codes (
    whatsapp      TEXT PRIMARY KEY,
    code_hash     TEXT NOT NULL,
    salt          TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    failures      BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    sends         BIGINT NOT NULL DEFAULT 0,
    window_start  BIGINT NOT NULL
);

CREATE TABLE customer_sessions (
    token_hash  TEXT PRIMARY KEY,
    whatsapp    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX customer_sessions_expiry ON customer_sessions (expires_at);
