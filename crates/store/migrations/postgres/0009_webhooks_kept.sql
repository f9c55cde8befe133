-- Authentic webhooks the store could not record (PostgreSQL). Keep in step with
-- ../sqlite/0009_webhooks_kept.sql.
--
-- A provider switches off a webhook that keeps failing (Trakteer after three), so an authentic
-- delivery is always acknowledged; when its content still cannot be stored where it belongs, its
-- raw body (control characters written as escapes) waits here for the seller.
CREATE TABLE webhooks_kept (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider     TEXT NOT NULL,
    error        TEXT NOT NULL,
    raw          TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    reviewed_at  BIGINT
);
CREATE INDEX webhooks_kept_open ON webhooks_kept (reviewed_at, received_at);

-- Job leases carry the identity of the process that holds them, so a restarted process can
-- release what its previous life held at once instead of waiting for the leases to run out.
CREATE INDEX jobs_locked_by ON jobs (locked_by);
