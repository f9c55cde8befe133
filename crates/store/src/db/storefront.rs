//! Storefront queries: the same-day repeat check and what sells most.

use super::{Conn, DbResult};
use sqlx::Row;

/// How many orders for this target and product were created since `since` (expired ones, never
/// paid, do not count).
pub async fn same_target_orders(
    conn: &mut Conn,
    target: &str,
    product_code: &str,
    since: i64,
) -> DbResult<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE target = $1 AND product_code = $2 \
         AND created_at >= $3 AND status <> 'expired'",
    )
    .bind(target)
    .bind(product_code)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// The most ordered product codes since `since`, most ordered first.
pub async fn popular_codes(conn: &mut Conn, since: i64, limit: i64) -> DbResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT product_code, CAST(COUNT(*) AS BIGINT) AS n FROM orders WHERE created_at >= $1 \
         GROUP BY product_code ORDER BY n DESC, product_code LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("product_code")?))
        .collect()
}
