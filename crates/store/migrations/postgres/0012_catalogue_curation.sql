-- The seller's curation of the supplier's catalogue (PostgreSQL). Keep in step with
-- ../sqlite/0012_catalogue_curation.sql.
--
-- The supplier's names stay as they are on `products` (rules, orders and the supplier's order
-- list depend on them); these tables say how customers see them: which game a supplier brand
-- belongs to (several brands may be merged into one game, their products listed side by side),
-- the game's order on the home page and the words people search it by, and each product's name
-- and order on its game's page.
CREATE TABLE game_names (
    brand       TEXT PRIMARY KEY,
    game        TEXT NOT NULL,
    position    BIGINT NOT NULL DEFAULT 0,
    aliases     TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL
);

CREATE TABLE product_names (
    code        TEXT PRIMARY KEY,
    label       TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);

CREATE TRIGGER catalogue_game_names_changed AFTER INSERT OR UPDATE OR DELETE ON game_names
FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER catalogue_product_names_changed AFTER INSERT OR UPDATE OR DELETE ON product_names
FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
