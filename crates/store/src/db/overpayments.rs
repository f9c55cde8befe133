//! Overpayments given back to customers.

use madd_domain::report::OverpaymentReturn;
use madd_domain::Rupiah;
use sqlx::Row;

use super::{Conn, DbResult, Tx};

/// What an order's overpayment stands at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overpaid {
    /// `paid − due`, where positive.
    pub overpaid: Rupiah,
    /// Σ of the returns so far.
    pub returned: Rupiah,
}

impl Overpaid {
    /// What may still go back.
    pub fn open(&self) -> Rupiah {
        (self.overpaid - self.returned).max(Rupiah::ZERO)
    }
}

pub async fn of_order(conn: &mut Conn, order_id: i64) -> DbResult<Overpaid> {
    let row = sqlx::query(
        "SELECT amount_paid - amount_due AS over, overpaid_returned FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Overpaid {
        overpaid: Rupiah::new(row.try_get::<i64, _>("over")?).max(Rupiah::ZERO),
        returned: Rupiah::new(row.try_get("overpaid_returned")?),
    })
}

/// `amount` of the order's overpayment given back to the customer by `method`.
#[derive(Copy, Clone, Debug)]
pub struct NewReturn<'a> {
    pub order_id: i64,
    pub amount: Rupiah,
    pub method: &'a str,
    pub note: &'a str,
    pub actor: &'a str,
}

/// Records a return of `amount` of the order's overpayment, if the order is paid or delivered and
/// that much is still open (a conditional UPDATE: two returns never give back more than was
/// overpaid). `false`: refused, nothing written. The caller adds the timeline event.
pub async fn record_return(tx: &mut Tx, ret: &NewReturn<'_>, now: i64) -> DbResult<bool> {
    let &NewReturn {
        order_id,
        amount,
        method,
        note,
        actor,
    } = ret;
    tx.order_changed(order_id);
    let done = sqlx::query(
        "UPDATE orders SET overpaid_returned = overpaid_returned + $1, updated_at = $2 \
         WHERE id = $3 AND status IN ('paid', 'delivered') \
           AND amount_paid - amount_due - overpaid_returned >= $1",
    )
    .bind(amount.amount())
    .bind(now)
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO overpayment_returns (order_id, at, amount, method, note, actor) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(order_id)
    .bind(now)
    .bind(amount.amount())
    .bind(method)
    .bind(note)
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Returns on orders closed (delivered or refunded) that count before `until` and not before
/// `from`: each counts at the later of the return and the order's closing.
pub async fn returns_counted(
    conn: &mut Conn,
    from: i64,
    until: i64,
) -> DbResult<Vec<OverpaymentReturn>> {
    let rows = sqlx::query(
        "SELECT o.product_code, o.product_name, r.at, r.amount, \
         CASE WHEN o.status = 'delivered' THEN o.delivered_at \
              ELSE COALESCE(o.refunded_at, o.updated_at) END AS closed_at \
         FROM overpayment_returns r JOIN orders o ON o.id = r.order_id \
         WHERE o.status IN ('delivered', 'refunded') AND r.at < $2 \
           AND CASE WHEN o.status = 'delivered' THEN o.delivered_at \
                    ELSE COALESCE(o.refunded_at, o.updated_at) END < $2 \
           AND (r.at >= $1 OR CASE WHEN o.status = 'delivered' THEN o.delivered_at \
                    ELSE COALESCE(o.refunded_at, o.updated_at) END >= $1) \
         ORDER BY r.at, r.id",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OverpaymentReturn {
                product_code: r.try_get("product_code")?,
                product_name: r.try_get("product_name")?,
                counted_at: OverpaymentReturn::counted_at(
                    r.try_get("at")?,
                    r.try_get("closed_at")?,
                ),
                amount: Rupiah::new(r.try_get("amount")?),
            })
        })
        .collect()
}
