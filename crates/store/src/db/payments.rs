//! Payments as the channel reported them. `(provider, transaction_id)` is unique: the same
//! webhook delivered twenty times is recorded once.

use madd_domain::Rupiah;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbError, DbResult};

/// What became of a recorded payment.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentState {
    /// Counted towards an order.
    Matched,
    /// Authentic, but no order could be found: on the seller's review list.
    Unmatched,
    /// Trakteer's "Send Webhook Test": never settles anything.
    Test,
    /// Authentic but unreadable: on the review list with the reason.
    Invalid,
    /// Matched no order; the seller put it into a customer's saldo.
    Credited,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Matched => "matched",
            PaymentState::Unmatched => "unmatched",
            PaymentState::Test => "test",
            PaymentState::Invalid => "invalid",
            PaymentState::Credited => "credited",
        }
    }

    /// What the seller reads on the dashboard.
    pub fn label_id(self) -> &'static str {
        match self {
            PaymentState::Matched => "Cocok",
            PaymentState::Unmatched => "Belum cocok",
            PaymentState::Test => "Uji webhook",
            PaymentState::Invalid => "Tidak terbaca",
            PaymentState::Credited => "Masuk saldo",
        }
    }

    fn parse(s: &str) -> Option<PaymentState> {
        Some(match s {
            "matched" => PaymentState::Matched,
            "unmatched" => PaymentState::Unmatched,
            "test" => PaymentState::Test,
            "credited" => PaymentState::Credited,
            "invalid" => PaymentState::Invalid,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub provider: String,
    pub transaction_id: String,
    pub order_id: Option<i64>,
    pub state: PaymentState,
    pub source: String,
    pub supporter_name: String,
    pub message: String,
    pub quantity: i64,
    pub gross: Rupiah,
    pub net: Option<Rupiah>,
    pub price_reading: Option<String>,
    pub note: Option<String>,
    pub paid_at: Option<i64>,
    pub received_at: i64,
}

pub struct NewPayment<'a> {
    pub provider: &'a str,
    pub transaction_id: &'a str,
    pub state: PaymentState,
    pub source: &'a str,
    pub supporter_name: &'a str,
    pub message: &'a str,
    pub quantity: i64,
    pub gross: Rupiah,
    pub net: Option<Rupiah>,
    pub price_reading: Option<&'a str>,
    pub note: Option<&'a str>,
    pub raw: &'a str,
    pub paid_at: Option<i64>,
    pub received_at: i64,
}

const COLUMNS: &str = "id, provider, transaction_id, order_id, state, source, supporter_name, \
    message, quantity, gross, net, price_reading, note, paid_at, received_at";

fn from_row(r: &AnyRow) -> DbResult<Payment> {
    let state: String = r.try_get("state")?;
    Ok(Payment {
        id: r.try_get("id")?,
        provider: r.try_get("provider")?,
        transaction_id: r.try_get("transaction_id")?,
        order_id: r.try_get("order_id")?,
        state: PaymentState::parse(&state)
            .ok_or_else(|| DbError::Corrupt(format!("payment state '{state}'")))?,
        source: r.try_get("source")?,
        supporter_name: r.try_get("supporter_name")?,
        message: r.try_get("message")?,
        quantity: r.try_get("quantity")?,
        gross: Rupiah::new(r.try_get("gross")?),
        net: r.try_get::<Option<i64>, _>("net")?.map(Rupiah::new),
        price_reading: r.try_get("price_reading")?,
        note: r.try_get("note")?,
        paid_at: r.try_get("paid_at")?,
        received_at: r.try_get("received_at")?,
    })
}

/// Records a payment unless one with the same transaction id exists. `None` means it was a
/// duplicate and nothing was written.
pub async fn insert_once(conn: &mut Conn, p: &NewPayment<'_>) -> DbResult<Option<Payment>> {
    let sql = format!(
        "INSERT INTO payments (provider, transaction_id, state, source, supporter_name, message, \
         quantity, gross, net, price_reading, note, raw, paid_at, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (provider, transaction_id) DO NOTHING RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(p.provider)
        .bind(p.transaction_id)
        .bind(p.state.as_str())
        .bind(p.source)
        .bind(p.supporter_name)
        .bind(p.message)
        .bind(p.quantity)
        .bind(p.gross.amount())
        .bind(p.net.map(Rupiah::amount))
        .bind(p.price_reading)
        .bind(p.note)
        .bind(p.raw)
        .bind(p.paid_at)
        .bind(p.received_at)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// What an order received from one provider (`saldo`, say).
pub async fn received_from(conn: &mut Conn, order_id: i64, provider: &str) -> DbResult<Rupiah> {
    let sum: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(gross), 0) AS BIGINT) FROM payments \
         WHERE order_id = $1 AND provider = $2",
    )
    .bind(order_id)
    .bind(provider)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Rupiah::new(sum))
}

pub async fn attach(conn: &mut Conn, payment_id: i64, order_id: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE payments SET order_id = $1, state = 'matched' \
         WHERE id = $2 AND order_id IS NULL AND state IN ('matched', 'unmatched')",
    )
    .bind(order_id)
    .bind(payment_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An unmatched payment put into saldo, once (`false`: it was not unmatched any more).
pub async fn mark_credited(conn: &mut Conn, payment_id: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE payments SET state = 'credited' WHERE id = $1 AND state = 'unmatched' \
         AND order_id IS NULL",
    )
    .bind(payment_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn for_order(conn: &mut Conn, order_id: i64) -> DbResult<Vec<Payment>> {
    let sql = format!("SELECT {COLUMNS} FROM payments WHERE order_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql)
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> DbResult<Option<Payment>> {
    let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The newest payments, in one state and from one rail (`provider`) when asked.
pub async fn list(
    conn: &mut Conn,
    state: Option<PaymentState>,
    provider: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Payment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payments WHERE ($1 IS NULL OR state = $1) \
         AND ($2 IS NULL OR provider = $2) ORDER BY id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(state.map(PaymentState::as_str))
        .bind(provider)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}
