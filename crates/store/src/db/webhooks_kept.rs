//! Authentic webhooks that could not be recorded where they belong, kept raw for the seller.

use sqlx::Row;

use super::{Conn, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptWebhook {
    pub id: i64,
    pub provider: String,
    pub error: String,
    pub raw: String,
    pub received_at: i64,
}

/// Keeps a delivery; `raw` must already be printable (`madd_domain::text::printable_raw`).
pub async fn keep(
    conn: &mut Conn,
    provider: &str,
    error: &str,
    raw: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO webhooks_kept (provider, error, raw, received_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(provider)
    .bind(error)
    .bind(raw)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deliveries not reviewed yet, newest first.
pub async fn open(conn: &mut Conn, limit: i64) -> DbResult<Vec<KeptWebhook>> {
    let rows = sqlx::query(
        "SELECT id, provider, error, raw, received_at FROM webhooks_kept \
         WHERE reviewed_at IS NULL ORDER BY received_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(KeptWebhook {
                id: r.try_get("id")?,
                provider: r.try_get("provider")?,
                error: r.try_get("error")?,
                raw: r.try_get("raw")?,
                received_at: r.try_get("received_at")?,
            })
        })
        .collect()
}
