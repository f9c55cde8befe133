//! PLN postpaid inquiries: asked for by a request, answered by a worker (like nickname lookups).

use super::{Conn, DbResult};
use madd_domain::Rupiah;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A postpaid bill as the inquiry found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bill {
    pub customer_name: String,
    pub bill: Rupiah,
    pub admin: Rupiah,
    /// What the supplier charges for paying it (bill + admin).
    pub total: Rupiah,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InquiryState {
    Pending,
    Found(Bill),
    /// The supplier has no bill for the number (paid already, wrong number).
    NotFound(String),
    /// The supplier could not be asked; the customer may try again.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inquiry {
    pub id: i64,
    pub product_code: String,
    pub customer_no: String,
    pub state: InquiryState,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, product_code, customer_no, state, customer_name, bill, admin, total, message, updated_at";

fn from_row(r: &AnyRow) -> DbResult<Inquiry> {
    let state: String = r.try_get("state")?;
    let message: Option<String> = r.try_get("message")?;
    let money = |c: &str| -> DbResult<Rupiah> {
        Ok(Rupiah::new(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)))
    };
    Ok(Inquiry {
        id: r.try_get("id")?,
        product_code: r.try_get("product_code")?,
        customer_no: r.try_get("customer_no")?,
        state: match state.as_str() {
            "found" => InquiryState::Found(Bill {
                customer_name: r
                    .try_get::<Option<String>, _>("customer_name")?
                    .unwrap_or_default(),
                bill: money("bill")?,
                admin: money("admin")?,
                total: money("total")?,
            }),
            "not_found" => InquiryState::NotFound(message.unwrap_or_default()),
            "failed" => InquiryState::Failed(message.unwrap_or_default()),
            _ => InquiryState::Pending,
        },
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn inquiry(conn: &mut Conn, id: i64) -> DbResult<Option<Inquiry>> {
    let sql = format!("SELECT {COLUMNS} FROM postpaid_inquiries WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Creates a pending inquiry, or turns a stale/failed/not-found one back to pending (a bill
/// appears when the month turns). Returns its id and whether a job must be queued.
pub async fn request_inquiry(
    conn: &mut Conn,
    product_code: &str,
    customer_no: &str,
    now: i64,
    refresh_before: i64,
) -> DbResult<(i64, bool)> {
    let key = format!("{product_code}|{customer_no}");
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO postpaid_inquiries (lookup_key, product_code, customer_no, state, created_at, updated_at) \
         VALUES ($1, $2, $3, 'pending', $4, $4) ON CONFLICT (lookup_key) DO NOTHING RETURNING id",
    )
    .bind(&key)
    .bind(product_code)
    .bind(customer_no)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        return Ok((id, true));
    }
    let refreshed: Option<i64> = sqlx::query_scalar(
        "UPDATE postpaid_inquiries SET state = 'pending', updated_at = $1 WHERE lookup_key = $2 \
         AND (state = 'failed' OR (state <> 'pending' AND updated_at < $3)) RETURNING id",
    )
    .bind(now)
    .bind(&key)
    .bind(refresh_before)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = refreshed {
        return Ok((id, true));
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM postpaid_inquiries WHERE lookup_key = $1")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await?;
    Ok((id, false))
}

pub async fn resolve_inquiry(
    conn: &mut Conn,
    id: i64,
    state: &InquiryState,
    now: i64,
) -> DbResult<()> {
    let (s, bill, message) = match state {
        InquiryState::Pending => ("pending", None, None),
        InquiryState::Found(b) => ("found", Some(b), None),
        InquiryState::NotFound(m) => ("not_found", None, Some(m.as_str())),
        InquiryState::Failed(m) => ("failed", None, Some(m.as_str())),
    };
    sqlx::query(
        "UPDATE postpaid_inquiries SET state = $1, customer_name = $2, bill = $3, admin = $4, \
         total = $5, message = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(s)
    .bind(bill.map(|b| b.customer_name.as_str()))
    .bind(bill.map(|b| b.bill.amount()))
    .bind(bill.map(|b| b.admin.amount()))
    .bind(bill.map(|b| b.total.amount()))
    .bind(message)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
