//! Each attempt to buy an order from a supplier (migration 0018): which offer, under which
//! reference, and where it stands (`madd_domain::attempt`). At most one attempt of an order is
//! open at a time; an attempt moves only by [`advance`], a compare-and-set on its state.

use madd_domain::attempt::{AttemptState, Report};
use madd_domain::{Rupiah, SupplierId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

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
    pub state: AttemptState,
    pub detail: String,
}

const COLUMNS: &str = "order_id, attempt, supplier, sku, ref, trxid, cost, started_at, \
    finished_at, checked_at, outcome, detail";

fn from_row(r: &AnyRow) -> DbResult<Attempt> {
    let supplier: String = r.try_get("supplier")?;
    let state: String = r.try_get("outcome")?;
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
        state: AttemptState::parse(&state)
            .ok_or_else(|| super::orders::corrupt("attempt outcome", &state))?,
        detail: r.try_get("detail")?,
    })
}

/// A new attempt, as the placement job starts it.
pub struct NewAttempt<'a> {
    pub order_id: i64,
    pub attempt: i64,
    pub supplier: SupplierId,
    pub sku: &'a str,
    pub reference: &'a str,
    pub cost: Option<Rupiah>,
    pub now: i64,
}

pub async fn start(conn: &mut Conn, new: &NewAttempt<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO supplier_attempts (order_id, attempt, supplier, sku, ref, cost, started_at, \
         checked_at, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
    )
    .bind(new.order_id)
    .bind(new.attempt)
    .bind(new.supplier.as_str())
    .bind(new.sku)
    .bind(new.reference)
    .bind(new.cost.map(Rupiah::amount))
    .bind(new.now)
    .bind(AttemptState::Started.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves attempt `attempt` of `order_id` from `from` to the state `report` brings, recording what
/// it says (the first trxid wins; the cost is the supplier's charge when told). `false` when the
/// attempt is no longer `from`: another path moved it first, and this report must do nothing.
pub async fn advance(
    conn: &mut Conn,
    (order_id, attempt): (i64, i64),
    from: AttemptState,
    report: &Report,
    now: i64,
) -> DbResult<bool> {
    let to = report.state();
    let (detail, price) = match report {
        Report::Pending { note, price, .. } => (note.as_str(), *price),
        Report::Delivered { serial, price, .. } => (serial.as_str(), *price),
        Report::Failed { reason, .. } => (reason.as_str(), None),
    };
    let done = sqlx::query(
        "UPDATE supplier_attempts SET outcome = $1, trxid = COALESCE(trxid, $2), \
         recorded_at = CASE WHEN $2 IS NULL THEN recorded_at ELSE COALESCE(recorded_at, $3) END, \
         detail = $4, cost = COALESCE($5, cost), \
         finished_at = CASE WHEN $6 = 1 THEN $3 ELSE finished_at END, checked_at = $3 \
         WHERE order_id = $7 AND attempt = $8 AND outcome = $9",
    )
    .bind(to.as_str())
    .bind(report.trxid())
    .bind(now)
    .bind(detail)
    .bind(price.map(Rupiah::amount))
    .bind(super::flag(to.is_finished()))
    .bind(order_id)
    .bind(attempt)
    .bind(from.as_str())
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

/// The attempt that recorded `trxid` at `supplier` (how a VIP callback finds its order).
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
    sqlx::query("UPDATE supplier_attempts SET outcome = $1 WHERE order_id = $2 AND outcome = $3")
        .bind(AttemptState::FailedEarlier.as_str())
        .bind(order_id)
        .bind(AttemptState::Failed.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
