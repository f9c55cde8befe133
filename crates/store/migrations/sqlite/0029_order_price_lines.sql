-- An order's price lines (SQLite). Keep in step with ../postgres/0029_order_price_lines.sql.
--
-- What the confirmation card showed beside price, discount, voucher, tier and flash sale, so the
-- invoice and its WhatsApp message read the same lines (madd_domain::receipt). Orders made before
-- this keep NULL: their list price reads as price + discount, with no note on the voucher.
ALTER TABLE orders ADD COLUMN list_price INTEGER;
ALTER TABLE orders ADD COLUMN voucher_worth INTEGER;
ALTER TABLE orders ADD COLUMN price_floor INTEGER;
