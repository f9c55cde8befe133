-- Storefront (issue 3): PLN postpaid bill inquiries, asked by a job like nickname lookups.
-- Keep in step with ../postgres/0002_storefront.sql.

CREATE TABLE postpaid_inquiries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    lookup_key     TEXT NOT NULL UNIQUE,
    product_code   TEXT NOT NULL,
    customer_no    TEXT NOT NULL,
    state          TEXT NOT NULL,
    customer_name  TEXT,
    bill           INTEGER,
    admin          INTEGER,
    total          INTEGER,
    message        TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX orders_target_product ON orders (target, product_code, created_at);
