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

/// How many deliveries wait for the seller's review.
pub async fn count_open(conn: &mut Conn) -> DbResult<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM webhooks_kept WHERE reviewed_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// The seller has read delivery `id`; `false` when it was already reviewed (or never kept).
pub async fn mark_reviewed(conn: &mut Conn, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE webhooks_kept SET reviewed_at = $1 WHERE id = $2 AND reviewed_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
