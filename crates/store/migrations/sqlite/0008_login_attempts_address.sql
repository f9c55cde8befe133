-- Login attempts remember the client address they came from (SQLite).
-- Keep in step with ../postgres/0008_login_attempts_address.sql.

-- The lock-out after ten wrong passwords holds for one (address, username) pair, so a stranger
-- failing on purpose locks out only their own address, never the seller's. Attempts recorded
-- before this column existed have the empty address and lock nobody out.
ALTER TABLE login_attempts ADD COLUMN address TEXT NOT NULL DEFAULT '';
DROP INDEX login_attempts_user;
CREATE INDEX login_attempts_user_address ON login_attempts (username, address, at);
-- Failed attempts older than the lock-out window are deleted by time.
CREATE INDEX login_attempts_at ON login_attempts (at);
