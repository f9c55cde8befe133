//! The seller's switch: whether the store takes new orders (`tutup` / `buka`).

use super::{Conn, DbResult};

/// The `settings` key of the seller's `tutup` / `buka` switch.
const PAUSED_KEY: &str = "orders_paused";

/// Whether the seller has closed the store to new orders (`tutup`).
pub async fn paused(conn: &mut Conn) -> DbResult<bool> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(PAUSED_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value.as_deref() == Some("1"))
}

pub async fn set_paused(conn: &mut Conn, paused: bool, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(PAUSED_KEY)
    .bind(if paused { "1" } else { "0" })
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
