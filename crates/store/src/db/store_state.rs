//! What the store keeps about itself beside the seller's settings (in the same table, under keys
//! that are not settings): the `tutup` / `buka` switch and the last checks of its setup.

use super::{Conn, DbResult};

/// The `settings` key of the seller's `tutup` / `buka` switch.
const PAUSED_KEY: &str = "orders_paused";
/// The last result of `service::store_checks`, as JSON.
const CHECKS_KEY: &str = "store_checks";

/// Whether the seller has closed the store to new orders (`tutup`).
pub async fn paused(conn: &mut Conn) -> DbResult<bool> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(PAUSED_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value.as_deref() == Some("1"))
}

pub async fn set_paused(conn: &mut Conn, paused: bool, now: i64) -> DbResult<()> {
    put(conn, PAUSED_KEY, if paused { "1" } else { "0" }, now).await
}

pub async fn checks(conn: &mut Conn) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(CHECKS_KEY)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn save_checks(conn: &mut Conn, json: &str, now: i64) -> DbResult<()> {
    put(conn, CHECKS_KEY, json, now).await
}

async fn put(conn: &mut Conn, key: &str, value: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The `settings` key of the random key review links are signed with (`service::reviews`).
const REVIEW_KEY: &str = "review_link_key";

/// The review links' key, if one was made.
pub async fn review_key(conn: &mut Conn) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(REVIEW_KEY)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Stores `fresh` as the review links' key unless one exists, and returns the one kept (the
/// first writer wins, so every process signs with the same key).
pub async fn review_key_or(conn: &mut Conn, fresh: &str, now: i64) -> DbResult<String> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(REVIEW_KEY)
    .bind(fresh)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(review_key(conn).await?.unwrap_or_else(|| fresh.to_string()))
}
