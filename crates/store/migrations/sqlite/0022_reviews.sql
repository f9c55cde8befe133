-- Verified reviews (SQLite). Keep in step with ../postgres/0022_reviews.sql.
--
-- One review per delivered order (`order_id` is the key, so a second submission can never add a
-- row however it races the first). Only the customer of a delivered order can write one: the link
-- in the delivery message carries an HMAC of the order code under the store's review key (kept in
-- `settings` under `review_link_key`). `game` is the storefront game name at the time, so the game
-- page finds its reviews without joining the catalogue. The seller hides a review instead of
-- deleting it: `hidden_at`, `hidden_by` and `hidden_reason` keep who and why.
CREATE TABLE reviews (
    order_id      INTEGER PRIMARY KEY,
    product_code  TEXT NOT NULL,
    game          TEXT NOT NULL,
    whatsapp      TEXT NOT NULL,
    stars         INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    text          TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 280),
    created_at    INTEGER NOT NULL,
    hidden_at     INTEGER,
    hidden_by     TEXT,
    hidden_reason TEXT
);
CREATE INDEX reviews_game ON reviews (game, created_at);
CREATE INDEX reviews_created ON reviews (created_at);
