//! Each attempt to buy an order from a supplier (migration 0018): which offer, under which
//! reference, and how it ended. At most one attempt of an order is open at a time.

use madd_domain::{Rupiah, SupplierId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

pub const STARTED: &str = "started";
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub order_id: i64,
    pub attempt: i64,
    pub supplier: SupplierId,
    pub sku: String,
    pub reference: String,
    pub trxid: Option<String>,
    pub cost: Option<Rupiah>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub checked_at: Option<i64>,
    pub outcome: String,
    pub detail: String,
}

const COLUMNS: &str = "order_id, attempt, supplier, sku, ref, trxid, cost, started_at, \
    finished_at, checked_at, outcome, detail";

fn from_row(r: &AnyRow) -> DbResult<Attempt> {
    let supplier: String = r.try_get("supplier")?;
    Ok(Attempt {
        order_id: r.try_get("order_id")?,
        attempt: r.try_get("attempt")?,
        supplier: SupplierId::parse(&supplier)
            .ok_or_else(|| super::orders::corrupt("supplier", &supplier))?,
        sku: r.try_get("sku")?,
        reference: r.try_get("ref")?,
        trxid: r.try_get("trxid")?,
        cost: r.try_get::<Option<i64>, _>("cost")?.map(Rupiah::new),
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        checked_at: r.try_get("checked_at")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
    })
}

/// The reference an order's attempt `n` is sent under: the order code and the attempt number,
/// unique per order and stable across retries of the same attempt.
pub fn reference(code: &madd_domain::OrderCode, attempt: i64) -> String {
    format!("{}-{attempt}", code.as_str())
}

#[allow(clippy::too_many_arguments)]
pub async fn start(
    conn: &mut Conn,
    order_id: i64,
    attempt: i64,
    supplier: SupplierId,
    sku: &str,
    reference: &str,
    cost: Option<Rupiah>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO supplier_attempts (order_id, attempt, supplier, sku, ref, cost, started_at, \
         checked_at, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'started')",
    )
    .bind(order_id)
    .bind(attempt)
    .bind(supplier.as_str())
    .bind(sku)
    .bind(reference)
    .bind(cost.map(Rupiah::amount))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The supplier's answer for the attempt: its trxid (first one wins) and state.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut Conn,
    order_id: i64,
    attempt: i64,
    trxid: &str,
    outcome: &str,
    detail: &str,
    price: Option<Rupiah>,
    now: i64,
) -> DbResult<()> {
    let finished = matches!(outcome, DELIVERED | FAILED);
    sqlx::query(
        "UPDATE supplier_attempts SET trxid = COALESCE(trxid, $1), \
         recorded_at = COALESCE(recorded_at, $2), outcome = $3, detail = $4, \
         cost = COALESCE($5, cost), finished_at = CASE WHEN $6 = 1 THEN $2 ELSE finished_at END, \
         checked_at = $2 \
         WHERE order_id = $7 AND attempt = $8 AND outcome NOT IN ('delivered', 'failed')",
    )
    .bind(trxid)
    .bind(now)
    .bind(outcome)
    .bind(detail)
    .bind(price.map(Rupiah::amount))
    .bind(super::flag(finished))
    .bind(order_id)
    .bind(attempt)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An attempt that ended without any transaction (refused) or definitely failed.
pub async fn fail(
    conn: &mut Conn,
    order_id: i64,
    attempt: i64,
    detail: &str,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE supplier_attempts SET outcome = 'failed', detail = $1, finished_at = $2, \
         checked_at = $2 WHERE order_id = $3 AND attempt = $4 AND outcome NOT IN ('delivered', 'failed')",
    )
    .bind(detail)
    .bind(now)
    .bind(order_id)
    .bind(attempt)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When the supplier was last asked about the attempt (sent again, or re-checked).
pub async fn checked(conn: &mut Conn, order_id: i64, attempt: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE supplier_attempts SET checked_at = $1 WHERE order_id = $2 AND attempt = $3",
    )
    .bind(now)
    .bind(order_id)
    .bind(attempt)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn for_order(conn: &mut Conn, order_id: i64) -> DbResult<Vec<Attempt>> {
    let sql =
        format!("SELECT {COLUMNS} FROM supplier_attempts WHERE order_id = $1 ORDER BY attempt");
    let rows = sqlx::query(&sql)
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, order_id: i64, attempt: i64) -> DbResult<Option<Attempt>> {
    let sql =
        format!("SELECT {COLUMNS} FROM supplier_attempts WHERE order_id = $1 AND attempt = $2");
    let row = sqlx::query(&sql)
        .bind(order_id)
        .bind(attempt)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The attempt sent to `supplier` under `reference` (how a Digiflazz webhook finds its order).
pub async fn by_reference(
    conn: &mut Conn,
    supplier: SupplierId,
    reference: &str,
) -> DbResult<Option<Attempt>> {
    let sql = format!("SELECT {COLUMNS} FROM supplier_attempts WHERE supplier = $1 AND ref = $2");
    let row = sqlx::query(&sql)
        .bind(supplier.as_str())
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The attempt that recorded `trxid` at `supplier` (a VIP callback for an earlier attempt).
pub async fn by_trxid(
    conn: &mut Conn,
    supplier: SupplierId,
    trxid: &str,
) -> DbResult<Option<Attempt>> {
    let sql = format!("SELECT {COLUMNS} FROM supplier_attempts WHERE supplier = $1 AND trxid = $2");
    let row = sqlx::query(&sql)
        .bind(supplier.as_str())
        .bind(trxid)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A retry by the seller: the order's failed attempts stop ruling their offers out (kept, as
/// `failed_earlier`, for the timeline).
pub async fn retire_failed(conn: &mut Conn, order_id: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE supplier_attempts SET outcome = 'failed_earlier' \
         WHERE order_id = $1 AND outcome = 'failed'",
    )
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
