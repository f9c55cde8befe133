-- Game art the seller uploaded (SQLite). Keep in step with ../postgres/0013_game_art.sql.
--
-- One image per game (by the game's slug, as the storefront names it), kept in the database so
-- every store process serves it and a backup holds it. PNG, JPEG or WebP only (never SVG: it can
-- carry script), at most 256 KB (checked by the store before it is written).
CREATE TABLE game_art (
    slug          TEXT PRIMARY KEY,
    content_type  TEXT NOT NULL,
    bytes         BLOB NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TRIGGER catalogue_game_art_inserted AFTER INSERT ON game_art
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_game_art_updated AFTER UPDATE ON game_art
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_game_art_deleted AFTER DELETE ON game_art
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
