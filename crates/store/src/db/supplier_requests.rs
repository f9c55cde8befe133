//! Every request made to the supplier for an order, and what reconciliation asks of them.

use super::{Conn, DbResult};
use madd_domain::{OrderCode, ServiceKind};
use sqlx::Row;
use std::collections::HashMap;

/// Logs a supplier request and its answer (never the credentials).
pub async fn log_supplier_request(
    conn: &mut Conn,
    order_id: Option<i64>,
    at: i64,
    action: &str,
    outcome: &str,
    detail: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO supplier_requests (order_id, at, action, outcome, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(at)
    .bind(action)
    .bind(outcome)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierRequest {
    pub at: i64,
    pub action: String,
    pub outcome: String,
    pub detail: String,
}

pub async fn supplier_requests(conn: &mut Conn, order_id: i64) -> DbResult<Vec<SupplierRequest>> {
    let rows = sqlx::query(
        "SELECT at, action, outcome, detail FROM supplier_requests WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SupplierRequest {
                at: r.try_get("at")?,
                action: r.try_get("action")?,
                outcome: r.try_get("outcome")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// Among `trxids`, those attached to some order, with when each was recorded (`None` for a row
/// that has no time).
pub async fn recorded_trxids(
    conn: &mut Conn,
    trxids: &[&str],
) -> DbResult<HashMap<String, Option<i64>>> {
    let mut found = HashMap::new();
    for chunk in trxids.chunks(100) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        // Attempts keep the trxids of purchases an order failed over from.
        let list = placeholders.join(", ");
        let sql = format!(
            "SELECT supplier_trxid, supplier_recorded_at FROM orders WHERE supplier_trxid IN ({list}) \
             UNION ALL SELECT trxid, recorded_at FROM supplier_attempts \
             WHERE supplier = 'vip-reseller' AND trxid IN ({list})"
        );
        let mut query = sqlx::query(&sql);
        for trxid in chunk {
            query = query.bind(*trxid);
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(
                row.try_get::<String, _>("supplier_trxid")?,
                row.try_get::<Option<i64>, _>("supplier_recorded_at")?,
            );
        }
    }
    Ok(found)
}

/// Whether the store recorded any supplier order of `kind` before `before` (ms).
pub async fn recorded_before(conn: &mut Conn, kind: ServiceKind, before: i64) -> DbResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM orders \
         WHERE kind = $1 AND supplier_recorded_at < $2 \
         AND COALESCE(supplier, 'vip-reseller') = 'vip-reseller' \
         UNION ALL SELECT 1 FROM supplier_attempts a JOIN orders o ON o.id = a.order_id \
         WHERE o.kind = $1 AND a.supplier = 'vip-reseller' AND a.recorded_at < $2) AS anchors",
    )
    .bind(kind.as_str())
    .bind(before)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The oldest order older than `order` for the same product and account whose supplier outcome
/// is unknown: still processing, a placement started, no trxid recorded. While there is one,
/// `order` must not be placed (a lost purchase could otherwise be taken for the wrong order and
/// then bought again).
pub async fn older_unknown_outcome(
    conn: &mut Conn,
    order: &crate::db::orders::Order,
) -> DbResult<Option<OrderCode>> {
    let code: Option<String> = sqlx::query_scalar(
        "SELECT code FROM orders WHERE id < $1 AND status = 'processing' \
         AND placement_started_at IS NOT NULL AND supplier_trxid IS NULL \
         AND COALESCE(supplier, 'vip-reseller') = 'vip-reseller' AND product_code = $2 AND target = $3 AND COALESCE(zone, '') = $4 \
         ORDER BY id LIMIT 1",
    )
    .bind(order.id)
    .bind(&order.product_code)
    .bind(order.account.target())
    .bind(order.account.zone().unwrap_or(""))
    .fetch_optional(&mut *conn)
    .await?;
    code.map(|c| OrderCode::parse(&c).ok_or_else(|| crate::db::orders::corrupt("order code", &c)))
        .transpose()
}
