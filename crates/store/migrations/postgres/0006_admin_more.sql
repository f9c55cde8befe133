-- Catalogue sync from the dashboard and overpayment returns (PostgreSQL).
-- Keep in step with ../sqlite/0006_admin_more.sql.

-- Every catalogue sync the job ran: when, and what it found (or why it failed).
CREATE TABLE catalogue_syncs (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at          BIGINT NOT NULL,
    finished_at         BIGINT NOT NULL,
    total               BIGINT NOT NULL,
    available           BIGINT NOT NULL,
    marked_unavailable  BIGINT NOT NULL,
    error               TEXT
);
CREATE INDEX catalogue_syncs_finished ON catalogue_syncs (finished_at);

-- How much of an order's overpayment went back to the customer (Σ of its returns below). A
-- conditional UPDATE on this column keeps two returns from giving back more than was overpaid.
ALTER TABLE orders ADD COLUMN overpaid_returned BIGINT NOT NULL DEFAULT 0;

-- Each return of an overpayment: how much, how, who, when.
CREATE TABLE overpayment_returns (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id  BIGINT NOT NULL REFERENCES orders (id),
    at        BIGINT NOT NULL,
    amount    BIGINT NOT NULL,
    method    TEXT NOT NULL,
    note      TEXT NOT NULL,
    actor     TEXT NOT NULL
);
CREATE INDEX overpayment_returns_order ON overpayment_returns (order_id);
CREATE INDEX overpayment_returns_at ON overpayment_returns (at);
