-- The addresses a game page had before the seller renamed or merged it in the Etalase: an old
-- link (shared in chats, indexed by search engines) leads to where the brand's products are now.
CREATE TABLE game_slugs (
    slug        TEXT PRIMARY KEY,
    brand       TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

-- A game page's reviews are its products' reviews (they follow a product through renames).
CREATE INDEX reviews_product ON reviews (product_code, created_at);
