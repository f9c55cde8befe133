//! Saldo pay-out requests (migration 0016): requested by the customer, then paid or refused by
//! the seller. The state moves once (conditional UPDATEs), so a double tap pays once.

use madd_domain::{PhoneNumber, RefundMethod, Rupiah};
use sqlx::Row;

use super::stored::stored_enum;
use super::{Conn, DbResult};

stored_enum! {
    /// Where a pay-out request stands; it leaves `Requested` once.
    pub enum CashOutState {
        /// Waiting for the seller (at most one per number).
        Requested = "requested",
        /// Paid out by the seller, with the transfer's reference; the saldo is taken.
        Paid = "paid",
        /// Refused by the seller, with the reason; the saldo stays.
        Refused = "refused",
    }
}

impl CashOutState {
    /// What the seller and the customer read.
    pub fn label_id(self) -> &'static str {
        match self {
            CashOutState::Requested => "Menunggu",
            CashOutState::Paid => "Dibayar",
            CashOutState::Refused => "Ditolak",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CashOut {
    pub id: i64,
    pub whatsapp: String,
    pub amount: Rupiah,
    pub method: String,
    pub account: String,
    pub state: CashOutState,
    pub reference: String,
    pub reason: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const COLUMNS: &str =
    "id, whatsapp, amount, method, account, state, reference, reason, created_at, decided_at";

fn from_row(r: &sqlx::any::AnyRow) -> DbResult<CashOut> {
    Ok(CashOut {
        id: r.try_get("id")?,
        whatsapp: r.try_get("whatsapp")?,
        amount: Rupiah::new(r.try_get("amount")?),
        method: r.try_get("method")?,
        account: r.try_get("account")?,
        state: CashOutState::decode(&r.try_get::<String, _>("state")?)?,
        reference: r.try_get("reference")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        decided_at: r.try_get("decided_at")?,
    })
}

/// A new request; `None` when the number has one open already.
pub async fn request(
    conn: &mut Conn,
    owner: &PhoneNumber,
    amount: Rupiah,
    method: RefundMethod,
    account: &str,
    now: i64,
) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO cash_outs (whatsapp, amount, method, account, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(owner.as_str())
    .bind(amount.amount())
    .bind(method.as_str())
    .bind(account)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn get(conn: &mut Conn, id: i64) -> DbResult<Option<CashOut>> {
    let sql = format!("SELECT {COLUMNS} FROM cash_outs WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The open requests, oldest first, then the last decided ones.
pub async fn list(conn: &mut Conn, limit: i64) -> DbResult<Vec<CashOut>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM cash_outs ORDER BY CASE WHEN state = 'requested' THEN 0 ELSE 1 END, \
         CASE WHEN state = 'requested' THEN created_at ELSE -created_at END LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

/// `Requested → Paid` or `Requested → Refused`, once.
pub async fn decide(
    conn: &mut Conn,
    id: i64,
    state: CashOutState,
    reference: &str,
    reason: &str,
    actor: &str,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE cash_outs SET state = $1, reference = $2, reason = $3, decided_at = $4, \
         decided_by = $5 WHERE id = $6 AND state = 'requested'",
    )
    .bind(state.as_str())
    .bind(reference)
    .bind(reason)
    .bind(now)
    .bind(actor)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
