-- Game art the seller uploaded (PostgreSQL). Keep in step with ../sqlite/0013_game_art.sql.
--
-- One image per game (by the game's slug, as the storefront names it), kept in the database so
-- every store process serves it and a backup holds it. PNG, JPEG or WebP only (never SVG: it can
-- carry script), at most 256 KB (checked by the store before it is written).
CREATE TABLE game_art (
    slug          TEXT PRIMARY KEY,
    content_type  TEXT NOT NULL,
    bytes         BYTEA NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TRIGGER catalogue_game_art_changed AFTER INSERT OR UPDATE OR DELETE ON game_art
FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
