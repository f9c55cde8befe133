-- Flash sales (PostgreSQL). Keep in step with ../sqlite/0020_flash_sales.sql.
--
-- A price, a window and a stock for one product. `taken` counts the units held by unpaid orders
-- and sold to paid ones; it moves with a conditional UPDATE (`taken < stock`) in the order's own
-- transaction, so the sale never sells more than its stock however many buyers race for the last
-- unit, and an order that expires unpaid gives its unit back in the expiry's transaction.
CREATE TABLE flash_sales (
    id          BIGSERIAL PRIMARY KEY,
    product_code TEXT NOT NULL,
    price       BIGINT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    stock       BIGINT NOT NULL,
    taken       BIGINT NOT NULL DEFAULT 0,
    active      BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX flash_sales_product ON flash_sales (product_code, ends_at);

CREATE TABLE flash_sale_holds (
    order_id    BIGINT PRIMARY KEY,
    sale_id     BIGINT NOT NULL,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    settled_at  BIGINT
);

ALTER TABLE orders ADD COLUMN flash_sale_id BIGINT;

-- The storefront shows a sale's price and what is left: every change moves the catalogue's
-- version, so each process rebuilds its pages.
CREATE TRIGGER catalogue_flash_changed AFTER INSERT OR UPDATE OR DELETE ON flash_sales
FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
