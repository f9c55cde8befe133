//! Payments per order at the QRIS gateways (migration 0027) and the rails' health. An attempt
//! moves only by a compare-and-set on its state ([`advance`]), so a webhook and a status check
//! that report the same payment at the same moment apply it once.

use madd_domain::rail::AttemptState;
use madd_domain::{RailId, Rupiah};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::orders::corrupt;
use super::{Conn, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayAttempt {
    pub id: i64,
    pub order_id: i64,
    pub number: i64,
    pub rail: RailId,
    pub merchant_ref: String,
    pub reference: Option<String>,
    pub amount: Rupiah,
    pub qr_string: Option<String>,
    pub qr_url: Option<String>,
    pub checkout_url: Option<String>,
    pub expires_at: i64,
    pub state: AttemptState,
    pub detail: String,
    pub fee: Option<Rupiah>,
    pub created_at: i64,
    pub updated_at: i64,
    pub check_at: Option<i64>,
    pub checks: i64,
}

const COLUMNS: &str = "id, order_id, number, rail, merchant_ref, reference, amount, qr_string, \
    qr_url, checkout_url, expires_at, state, detail, fee, created_at, updated_at, check_at, checks";

fn from_row(r: &AnyRow) -> DbResult<PayAttempt> {
    let rail: String = r.try_get("rail")?;
    let state: String = r.try_get("state")?;
    Ok(PayAttempt {
        id: r.try_get("id")?,
        order_id: r.try_get("order_id")?,
        number: r.try_get("number")?,
        rail: RailId::parse(&rail).ok_or_else(|| corrupt("payment rail", &rail))?,
        merchant_ref: r.try_get("merchant_ref")?,
        reference: r.try_get("reference")?,
        amount: Rupiah::new(r.try_get("amount")?),
        qr_string: r.try_get("qr_string")?,
        qr_url: r.try_get("qr_url")?,
        checkout_url: r.try_get("checkout_url")?,
        expires_at: r.try_get("expires_at")?,
        state: AttemptState::parse(&state)
            .ok_or_else(|| corrupt("payment attempt state", &state))?,
        detail: r.try_get("detail")?,
        fee: r.try_get::<Option<i64>, _>("fee")?.map(Rupiah::new),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        check_at: r.try_get("check_at")?,
        checks: r.try_get("checks")?,
    })
}

/// A new attempt, before the rail is asked.
pub struct NewAttempt<'a> {
    pub order_id: i64,
    pub rail: RailId,
    pub order_code: &'a str,
    pub amount: Rupiah,
    pub expires_at: i64,
    /// When to ask the rail about it if nothing is heard (a create whose answer is lost).
    pub check_at: i64,
    pub now: i64,
}

/// Records the order's next attempt (`creating`), numbered after its last one. `None` when
/// another process numbered the same attempt at the same moment (the unique index decides).
pub async fn insert(conn: &mut Conn, new: &NewAttempt<'_>) -> DbResult<Option<PayAttempt>> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM payment_attempts WHERE order_id = $1",
    )
    .bind(new.order_id)
    .fetch_one(&mut *conn)
    .await?;
    let merchant_ref = madd_domain::rail::merchant_ref(new.order_code, number);
    let row = sqlx::query(&format!(
        "INSERT INTO payment_attempts (order_id, number, rail, merchant_ref, amount, expires_at, \
         state, created_at, updated_at, check_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) \
         ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(new.order_id)
    .bind(number)
    .bind(new.rail.as_str())
    .bind(&merchant_ref)
    .bind(new.amount.amount())
    .bind(new.expires_at)
    .bind(AttemptState::Creating.as_str())
    .bind(new.now)
    .bind(new.check_at)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// What the rail made, kept with the attempt as it opens.
pub struct Opened<'a> {
    pub reference: &'a str,
    pub qr_string: Option<&'a str>,
    pub qr_url: Option<&'a str>,
    pub checkout_url: Option<&'a str>,
    pub fee: Option<Rupiah>,
    /// The rail's own expiry when it is earlier than the store's.
    pub expires_at: i64,
    /// `None`: nothing to ask (Trakteer's link).
    pub check_at: Option<i64>,
}

/// `creating` → `open` with what the rail made. The gateway's `pending` notification can arrive
/// before its create answer is read and open the attempt first: then only what the rail made is
/// added. `false` when the attempt moved on meanwhile (paid, expired, superseded).
pub async fn open(conn: &mut Conn, id: i64, o: &Opened<'_>, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE payment_attempts SET state = $1, reference = $2, qr_string = $3, qr_url = $4, \
         checkout_url = $5, fee = $6, expires_at = $7, check_at = $8, updated_at = $9 \
         WHERE id = $10 AND (state = $11 OR (state = $1 AND qr_string IS NULL AND qr_url IS NULL \
         AND checkout_url IS NULL))",
    )
    .bind(AttemptState::Open.as_str())
    .bind(o.reference)
    .bind(o.qr_string)
    .bind(o.qr_url)
    .bind(o.checkout_url)
    .bind(o.fee.map(Rupiah::amount))
    .bind(o.expires_at)
    .bind(o.check_at)
    .bind(now)
    .bind(id)
    .bind(AttemptState::Creating.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps the rail's reference on an attempt that has none yet (found by its merchant reference
/// after a lost create answer).
pub async fn set_reference(conn: &mut Conn, id: i64, reference: &str) -> DbResult<()> {
    sqlx::query("UPDATE payment_attempts SET reference = $1 WHERE id = $2 AND reference IS NULL")
        .bind(reference)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves an attempt from `from` to `to`; `false` when it is no longer in `from` (someone else
/// applied a report first — theirs counts, this one changes nothing).
pub async fn advance(
    conn: &mut Conn,
    id: i64,
    from: AttemptState,
    to: AttemptState,
    detail: &str,
    now: i64,
) -> DbResult<bool> {
    // A state the rail may still report a payment in keeps its checks; a final one needs none.
    let check = if to.may_be_paid() { "check_at" } else { "NULL" };
    let done = sqlx::query(&format!(
        "UPDATE payment_attempts SET state = $1, detail = $2, updated_at = $3, check_at = {check} \
         WHERE id = $4 AND state = $5"
    ))
    .bind(to.as_str())
    .bind(detail)
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The fee the rail reported for a paid attempt.
pub async fn set_fee(conn: &mut Conn, id: i64, fee: Rupiah) -> DbResult<()> {
    sqlx::query("UPDATE payment_attempts SET fee = $1 WHERE id = $2")
        .bind(fee.amount())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When to ask the rail next (`None`: never again), and one more check counted.
pub async fn schedule_check(conn: &mut Conn, id: i64, at: Option<i64>) -> DbResult<()> {
    sqlx::query("UPDATE payment_attempts SET check_at = $1, checks = checks + 1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn by_id(conn: &mut Conn, id: i64) -> DbResult<Option<PayAttempt>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_merchant_ref(conn: &mut Conn, merchant_ref: &str) -> DbResult<Option<PayAttempt>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE merchant_ref = $1"
    ))
    .bind(merchant_ref)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_reference(
    conn: &mut Conn,
    rail: RailId,
    reference: &str,
) -> DbResult<Option<PayAttempt>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE rail = $1 AND reference = $2"
    ))
    .bind(rail.as_str())
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The order's attempts, newest first.
pub async fn of_order(conn: &mut Conn, order_id: i64) -> DbResult<Vec<PayAttempt>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE order_id = $1 ORDER BY number DESC"
    ))
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Attempts whose check is due, oldest first.
pub async fn due(conn: &mut Conn, now: i64, limit: i64) -> DbResult<Vec<PayAttempt>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE check_at IS NOT NULL AND check_at <= $1 \
         ORDER BY check_at LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A rail as the seller and the failover see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RailState {
    pub paused_at: Option<i64>,
    pub unhealthy_until: i64,
    pub last_error: String,
}

pub async fn rail_state(conn: &mut Conn, rail: RailId) -> DbResult<RailState> {
    let row = sqlx::query(
        "SELECT paused_at, unhealthy_until, last_error FROM payment_rails WHERE rail = $1",
    )
    .bind(rail.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => RailState {
            paused_at: r.try_get("paused_at")?,
            unhealthy_until: r.try_get("unhealthy_until")?,
            last_error: r.try_get("last_error")?,
        },
        None => RailState::default(),
    })
}

/// Passes `rail` over until `until`, with the reason.
pub async fn mark_unhealthy(
    conn: &mut Conn,
    rail: RailId,
    until: i64,
    error: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO payment_rails (rail, unhealthy_until, last_error) VALUES ($1, $2, $3) \
         ON CONFLICT (rail) DO UPDATE SET unhealthy_until = $2, last_error = $3",
    )
    .bind(rail.as_str())
    .bind(until)
    .bind(error)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The seller pauses (`Some(now)`) or resumes (`None`) a rail.
pub async fn set_paused(conn: &mut Conn, rail: RailId, paused_at: Option<i64>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO payment_rails (rail, paused_at) VALUES ($1, $2) \
         ON CONFLICT (rail) DO UPDATE SET paused_at = $2",
    )
    .bind(rail.as_str())
    .bind(paused_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
