-- The watchdog: when the seller was alerted that a paid order was neither delivered nor refunded
-- in time (once per order). A paid order still open past the seller's time is on Perlu tindakan.
ALTER TABLE orders ADD COLUMN watchdog_alerted_at BIGINT;
CREATE INDEX orders_open_paid ON orders (status, paid_at) WHERE status IN ('paid', 'processing');
