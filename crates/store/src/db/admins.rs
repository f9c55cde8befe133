//! Admin accounts, sessions and login attempts. Session tokens are stored only as SHA-256
//! hashes, so a copy of the database does not hand out logged-in sessions.

use sqlx::Row;

use super::{Conn, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admin {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

pub async fn create(
    conn: &mut Conn,
    username: &str,
    password_hash: &str,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO admins (username, password_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
    )
    .bind(username)
    .bind(password_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_username(conn: &mut Conn, username: &str) -> DbResult<Option<Admin>> {
    let row = sqlx::query("SELECT id, username, password_hash FROM admins WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(Admin {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

pub async fn create_session(
    conn: &mut Conn,
    token_hash: &str,
    admin_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, admin_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(admin_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The admin and CSRF token of a live session.
pub async fn session(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> DbResult<Option<(Admin, String)>> {
    let row = sqlx::query(
        "SELECT a.id, a.username, a.password_hash, s.csrf_token FROM sessions s \
         JOIN admins a ON a.id = s.admin_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            Admin {
                id: r.try_get("id")?,
                username: r.try_get("username")?,
                password_hash: r.try_get("password_hash")?,
            },
            r.try_get("csrf_token")?,
        ))
    })
    .transpose()
}

pub async fn delete_session(conn: &mut Conn, token_hash: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces an admin's password hash, if it is still `old` (a password set meanwhile wins).
pub async fn replace_hash(conn: &mut Conn, id: i64, old: &str, new: &str) -> DbResult<bool> {
    let done =
        sqlx::query("UPDATE admins SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(new)
            .bind(id)
            .bind(old)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a login attempt for `username` from the client `address`.
pub async fn record_login(
    conn: &mut Conn,
    username: &str,
    address: &str,
    succeeded: bool,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO login_attempts (username, address, at, succeeded) VALUES ($1, $2, $3, $4)",
    )
    .bind(username)
    .bind(address)
    .bind(now)
    .bind(i64::from(succeeded))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Failed attempts for `username` from `address` since that address's last success for it,
/// within `[since, now]`. Failures from other addresses do not count.
pub async fn recent_failures(
    conn: &mut Conn,
    username: &str,
    address: &str,
    since: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM login_attempts WHERE username = $1 \
         AND address = $2 AND succeeded = 0 AND at >= $3 \
         AND at > COALESCE((SELECT MAX(at) FROM login_attempts \
         WHERE username = $1 AND address = $2 AND succeeded = 1), 0)",
    )
    .bind(username)
    .bind(address)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

/// Forgets failed attempts older than `before` (they no longer count towards a lock-out);
/// successful logins are kept.
pub async fn prune_failures(conn: &mut Conn, before: i64) -> DbResult<u64> {
    let done = sqlx::query("DELETE FROM login_attempts WHERE succeeded = 0 AND at < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
