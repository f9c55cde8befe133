-- Several suppliers (SQLite). Keep in step with ../postgres/0018_offers.sql.
--
-- A store product (`products`, what the customer sees and the seller prices) holds one offer per
-- supplier product that delivers it. The catalogue sync writes the offers and matches other
-- suppliers' products to the store's (`matched_by = 'auto'`); the seller's own match
-- (`'seller'`) is never overwritten. `product_code` NULL: not matched to any store product.
CREATE TABLE offers (
    supplier      TEXT NOT NULL,
    sku           TEXT NOT NULL,
    product_code  TEXT,
    brand         TEXT NOT NULL,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,
    cost          INTEGER NOT NULL,
    available     INTEGER NOT NULL,
    matched_by    TEXT NOT NULL,
    rank          INTEGER,
    note          TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (supplier, sku)
);
CREATE INDEX offers_product ON offers (product_code);

-- Every attempt to buy an order from a supplier, in order. An order tries its offers one after
-- another, never two at once: attempt n+1 is only written once attempt n definitely failed.
-- `ref` is the store's reference for the attempt (Digiflazz's `ref_id`); `trxid` the supplier's
-- once known. Outcomes: started, pending, delivered, failed.
CREATE TABLE supplier_attempts (
    order_id     INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    supplier     TEXT NOT NULL,
    sku          TEXT NOT NULL,
    ref          TEXT NOT NULL,
    trxid        TEXT,
    recorded_at  INTEGER,
    cost         INTEGER,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    checked_at   INTEGER,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, attempt)
);
CREATE UNIQUE INDEX supplier_attempts_ref ON supplier_attempts (supplier, ref);
CREATE INDEX supplier_attempts_trxid ON supplier_attempts (trxid);

-- The supplier of the order's current attempt (NULL on orders from before several suppliers:
-- VIP Reseller) and the SKU it is bought under there.
ALTER TABLE orders ADD COLUMN supplier TEXT;
ALTER TABLE orders ADD COLUMN supplier_sku TEXT;

-- Suppliers the seller paused: no new attempt goes there.
CREATE TABLE supplier_pauses (
    supplier   TEXT PRIMARY KEY,
    paused_at  INTEGER NOT NULL,
    actor      TEXT NOT NULL
);

-- Balances and deposits per supplier (rows from before: VIP Reseller).
ALTER TABLE balance_checks ADD COLUMN supplier TEXT NOT NULL DEFAULT 'vip-reseller';
ALTER TABLE deposits ADD COLUMN supplier TEXT NOT NULL DEFAULT 'vip-reseller';
CREATE INDEX balance_checks_supplier ON balance_checks (supplier, at);

