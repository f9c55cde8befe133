-- The catalogue's version (PostgreSQL). Keep in step with ../sqlite/0010_catalogue_version.sql.
--
-- Each store process keeps the catalogue (products and prices, the closed flag) in memory and
-- rebuilds it when this number moves. Triggers move it on every change to products or settings,
-- so no code path can change what the storefront shows without the processes noticing.
CREATE TABLE catalogue_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 1);

CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER catalogue_products_changed AFTER INSERT OR UPDATE OR DELETE ON products
FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER catalogue_settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
