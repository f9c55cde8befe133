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
