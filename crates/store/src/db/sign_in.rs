//! Sign-in codes and customer sessions (see migration 0015). Only hashes are stored.

use sqlx::Row;

use super::{Conn, DbResult};

/// A number's sign-in state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRow {
    pub code_hash: String,
    pub salt: String,
    pub expires_at: i64,
    pub failures: i64,
    pub locked_until: i64,
    pub sends: i64,
    pub window_start: i64,
}

pub async fn code_of(conn: &mut Conn, whatsapp: &str) -> DbResult<Option<CodeRow>> {
    let row = sqlx::query(
        "SELECT code_hash, salt, expires_at, failures, locked_until, sends, window_start \
         FROM sign_in_codes WHERE whatsapp = $1",
    )
    .bind(whatsapp)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(CodeRow {
            code_hash: r.try_get("code_hash")?,
            salt: r.try_get("salt")?,
            expires_at: r.try_get("expires_at")?,
            failures: r.try_get("failures")?,
            locked_until: r.try_get("locked_until")?,
            sends: r.try_get("sends")?,
            window_start: r.try_get("window_start")?,
        })
    })
    .transpose()
}

/// One address's dealings with one number's sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressRow {
    pub failures: i64,
    pub locked_until: i64,
    pub sends: i64,
    pub window_start: i64,
}

pub async fn address_of(conn: &mut Conn, whatsapp: &str, address: &str) -> DbResult<AddressRow> {
    let row = sqlx::query(
        "SELECT failures, locked_until, sends, window_start FROM sign_in_addresses \
         WHERE whatsapp = $1 AND address = $2",
    )
    .bind(whatsapp)
    .bind(address)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else {
        return Ok(AddressRow::default());
    };
    Ok(AddressRow {
        failures: r.try_get("failures")?,
        locked_until: r.try_get("locked_until")?,
        sends: r.try_get("sends")?,
        window_start: r.try_get("window_start")?,
    })
}

pub async fn put_address(
    conn: &mut Conn,
    (whatsapp, address): (&str, &str),
    a: &AddressRow,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO sign_in_addresses (whatsapp, address, failures, locked_until, sends, \
         window_start) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (whatsapp, address) DO UPDATE \
         SET failures = excluded.failures, locked_until = excluded.locked_until, \
         sends = excluded.sends, window_start = excluded.window_start",
    )
    .bind(whatsapp)
    .bind(address)
    .bind(a.failures)
    .bind(a.locked_until)
    .bind(a.sends)
    .bind(a.window_start)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many codes `address` asked for, for any number, in windows that started since `since`.
pub async fn sends_from(conn: &mut Conn, address: &str, since: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(sends), 0) AS BIGINT) FROM sign_in_addresses \
         WHERE address = $1 AND window_start >= $2",
    )
    .bind(address)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn put_code(conn: &mut Conn, whatsapp: &str, c: &CodeRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO sign_in_codes (whatsapp, code_hash, salt, expires_at, failures, \
         locked_until, sends, window_start) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (whatsapp) DO UPDATE SET code_hash = excluded.code_hash, \
         salt = excluded.salt, expires_at = excluded.expires_at, failures = excluded.failures, \
         locked_until = excluded.locked_until, sends = excluded.sends, \
         window_start = excluded.window_start",
    )
    .bind(whatsapp)
    .bind(&c.code_hash)
    .bind(&c.salt)
    .bind(c.expires_at)
    .bind(c.failures)
    .bind(c.locked_until)
    .bind(c.sends)
    .bind(c.window_start)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn add_session(
    conn: &mut Conn,
    token_hash: &str,
    whatsapp: &str,
    now: i64,
    expires_at: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO customer_sessions (token_hash, whatsapp, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(whatsapp)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    // Sessions past their time are of no use to anyone.
    sqlx::query("DELETE FROM customer_sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn session_owner(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT whatsapp FROM customer_sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn end_session(conn: &mut Conn, token_hash: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM customer_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
