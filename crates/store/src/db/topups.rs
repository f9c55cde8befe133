//! Saldo top-ups (migration 0017): a code to pay on Trakteer, credited once when paid.

use madd_domain::{OrderCode, PhoneNumber, Rupiah};
use sqlx::Row;

use super::stored::stored_enum;
use super::{Conn, DbResult};

stored_enum! {
    /// A top-up is paid once; until then its code waits for the payment.
    pub enum TopUpState {
        Open = "open",
        Paid = "paid",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopUp {
    pub id: i64,
    pub code: String,
    pub whatsapp: String,
    pub amount: Rupiah,
    pub state: TopUpState,
}

pub async fn create(
    conn: &mut Conn,
    code: &OrderCode,
    owner: &PhoneNumber,
    amount: Rupiah,
    now: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO topups (code, whatsapp, amount, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(code.as_str())
    .bind(owner.as_str())
    .bind(amount.amount())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// The open top-up with this code.
pub async fn open_by_code(conn: &mut Conn, code: &OrderCode) -> DbResult<Option<TopUp>> {
    let row = sqlx::query(
        "SELECT id, code, whatsapp, amount, state FROM topups WHERE code = $1 AND state = 'open'",
    )
    .bind(code.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(TopUp {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            whatsapp: r.try_get("whatsapp")?,
            amount: Rupiah::new(r.try_get("amount")?),
            state: TopUpState::decode(&r.try_get::<String, _>("state")?)?,
        })
    })
    .transpose()
}

/// `open → paid`, once.
pub async fn mark_paid(conn: &mut Conn, id: i64, payment_id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE topups SET state = 'paid', payment_id = $1, paid_at = $2 \
         WHERE id = $3 AND state = 'open'",
    )
    .bind(payment_id)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
