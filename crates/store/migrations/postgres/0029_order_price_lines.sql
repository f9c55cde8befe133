-- An order's price lines (PostgreSQL). Keep in step with ../sqlite/0029_order_price_lines.sql.
--
-- What the confirmation card showed beside price, discount, voucher, tier and flash sale, so the
-- invoice and its WhatsApp message read the same lines (madd_domain::receipt). Orders made before
-- this keep NULL: their list price reads as price + discount, with no note on the voucher.
ALTER TABLE orders ADD COLUMN list_price BIGINT;
ALTER TABLE orders ADD COLUMN voucher_worth BIGINT;
ALTER TABLE orders ADD COLUMN price_floor BIGINT;
