-- A text the Cloud API accepted and later reported failed with 131047 (outside the 24-hour
-- window) is sent again, once, as its kind's approved template (PostgreSQL). Keep in step with
-- ../sqlite/0005_outbox_template.sql.

-- 1: send as the template whatever the store thinks of the window.
ALTER TABLE messages ADD COLUMN force_template BIGINT NOT NULL DEFAULT 0;
-- The failed message this one replaces (at most one replacement per message).
ALTER TABLE messages ADD COLUMN replaces_id BIGINT REFERENCES messages (id);
CREATE UNIQUE INDEX messages_replaces ON messages (replaces_id);
