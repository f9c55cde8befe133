-- The catalogue's version (SQLite). Keep in step with ../postgres/0010_catalogue_version.sql.
--
-- Each store process keeps the catalogue (products and prices, the closed flag) in memory and
-- rebuilds it when this number moves. Triggers move it on every change to products or settings,
-- so no code path can change what the storefront shows without the processes noticing.
CREATE TABLE catalogue_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 1);

CREATE TRIGGER catalogue_products_inserted AFTER INSERT ON products
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_products_updated AFTER UPDATE ON products
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_products_deleted AFTER DELETE ON products
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_settings_inserted AFTER INSERT ON settings
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_settings_updated AFTER UPDATE ON settings
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_settings_deleted AFTER DELETE ON settings
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
