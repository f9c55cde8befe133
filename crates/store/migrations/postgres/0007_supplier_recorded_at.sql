-- When the store recorded an order's supplier trxid (PostgreSQL). Keep in step with
-- ../sqlite/0007_supplier_recorded_at.sql.
--
-- VIP's status list has no timestamps. A trxid the store recorded before an attempt started is
-- an anchor: that supplier order, and everything VIP lists after it, is older than the attempt,
-- so a look back that reaches it has seen every order the attempt can have made
-- (service::fulfilment, domain::reconcile).
ALTER TABLE orders ADD COLUMN supplier_recorded_at BIGINT;

-- Orders recorded before this column existed: their last update is no earlier than the recording,
-- so it is a safe (late) stand-in — a later time only makes fewer anchors.
UPDATE orders SET supplier_recorded_at = updated_at WHERE supplier_trxid IS NOT NULL;

CREATE INDEX orders_supplier_recorded ON orders (kind, supplier_recorded_at);
