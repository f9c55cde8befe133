-- Storefront (issue 3): PLN postpaid bill inquiries, asked by a job like nickname lookups.
-- Keep in step with ../sqlite/0002_storefront.sql.

CREATE TABLE postpaid_inquiries (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lookup_key     TEXT NOT NULL UNIQUE,
    product_code   TEXT NOT NULL,
    customer_no    TEXT NOT NULL,
    state          TEXT NOT NULL,
    customer_name  TEXT,
    bill           BIGINT,
    admin          BIGINT,
    total          BIGINT,
    message        TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX orders_target_product ON orders (target, product_code, created_at);
