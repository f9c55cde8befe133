-- Catalogue sync from the dashboard and overpayment returns (SQLite).
-- Keep in step with ../postgres/0006_admin_more.sql.

-- Every catalogue sync the job ran: when, and what it found (or why it failed).
CREATE TABLE catalogue_syncs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at          INTEGER NOT NULL,
    finished_at         INTEGER NOT NULL,
    total               INTEGER NOT NULL,
    available           INTEGER NOT NULL,
    marked_unavailable  INTEGER NOT NULL,
    error               TEXT
);
CREATE INDEX catalogue_syncs_finished ON catalogue_syncs (finished_at);

-- How much of an order's overpayment went back to the customer (Σ of its returns below). A
-- conditional UPDATE on this column keeps two returns from giving back more than was overpaid.
ALTER TABLE orders ADD COLUMN overpaid_returned INTEGER NOT NULL DEFAULT 0;

-- Each return of an overpayment: how much, how, who, when.
CREATE TABLE overpayment_returns (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id  INTEGER NOT NULL REFERENCES orders (id),
    at        INTEGER NOT NULL,
    amount    INTEGER NOT NULL,
    method    TEXT NOT NULL,
    note      TEXT NOT NULL,
    actor     TEXT NOT NULL
);
CREATE INDEX overpayment_returns_order ON overpayment_returns (order_id);
CREATE INDEX overpayment_returns_at ON overpayment_returns (at);
