-- The payments reconciliation recorded from Trakteer's API, found by amount (PostgreSQL). Keep in step
-- with ../sqlite/0023_payment_pairing_index.sql.
--
-- Every webhook asks whether reconciliation already recorded its payment (same amount and
-- message, `source = 'reconcile'`): without this index that read scanned every payment, which
-- under a stream of webhooks was most of the database's time. Reconciliation's rows are few, so
-- the partial index stays small.
CREATE INDEX payments_from_reconcile ON payments (provider, gross) WHERE source = 'reconcile';
