-- Flash sales (SQLite). Keep in step with ../postgres/0020_flash_sales.sql.
--
-- A price, a window and a stock for one product. `taken` counts the units held by unpaid orders
-- and sold to paid ones; it moves with a conditional UPDATE (`taken < stock`) in the order's own
-- transaction, so the sale never sells more than its stock however many buyers race for the last
-- unit, and an order that expires unpaid gives its unit back in the expiry's transaction.
CREATE TABLE flash_sales (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_code TEXT NOT NULL,
    price       INTEGER NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    stock       INTEGER NOT NULL,
    taken       INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX flash_sales_product ON flash_sales (product_code, ends_at);

CREATE TABLE flash_sale_holds (
    order_id    INTEGER PRIMARY KEY,
    sale_id     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    settled_at  INTEGER
);

ALTER TABLE orders ADD COLUMN flash_sale_id INTEGER;

-- The storefront shows a sale's price and what is left: every change moves the catalogue's
-- version, so each process rebuilds its pages.
CREATE TRIGGER catalogue_flash_inserted AFTER INSERT ON flash_sales
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER catalogue_flash_updated AFTER UPDATE ON flash_sales
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
