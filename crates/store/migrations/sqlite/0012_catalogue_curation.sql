-- The seller's curation of the supplier's catalogue (SQLite). Keep in step with
-- ../postgres/0012_catalogue_curation.sql.
--
-- The supplier's names stay as they are on `products` (rules, orders and the supplier's order
-- list depend on them); these tables say how customers see them: which game a supplier brand
-- belongs to (several brands may be merged into one game, their products listed side by side),
-- the game's order on the home page and the words people search it by, and each product's name
-- and order on its game's page.
CREATE TABLE game_names (
    brand       TEXT PRIMARY KEY,
    game        TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    aliases     TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
);

CREATE TABLE product_names (
    code        TEXT PRIMARY KEY,
    label       TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);

CREATE TRIGGER catalogue_game_names_inserted AFTER INSERT ON game_names
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_game_names_updated AFTER UPDATE ON game_names
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_game_names_deleted AFTER DELETE ON game_names
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_product_names_inserted AFTER INSERT ON product_names
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_product_names_updated AFTER UPDATE ON product_names
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_product_names_deleted AFTER DELETE ON product_names
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
