//! The monthly report's figures: closed orders, deposits, and the money still held.

use super::{Conn, DbResult};
use madd_domain::report::{Closed, DepositFigures, Held, OrderFigures};
use madd_domain::Rupiah;
use sqlx::Row;

/// Orders delivered or refunded in `[from, until)` with their payments' fees.
pub async fn closed_orders(conn: &mut Conn, from: i64, until: i64) -> DbResult<Vec<OrderFigures>> {
    let rows = sqlx::query(
        "SELECT o.code, o.product_code, o.product_name, o.status, o.amount_due, o.amount_paid, \
         o.discount, o.voucher, \
         COALESCE(o.supplier_price, o.cost) AS supplier_cost, \
         COALESCE(o.refund_amount, o.amount_paid) AS refund_amount, \
         CASE WHEN o.status = 'delivered' THEN o.delivered_at \
              ELSE COALESCE(o.refunded_at, o.updated_at) END AS closed_at, \
         CAST((SELECT COALESCE(SUM(p.gross - p.net), 0) FROM payments p \
               WHERE p.order_id = o.id AND p.state = 'matched' AND p.net IS NOT NULL) AS BIGINT) AS fee, \
         CAST((SELECT COUNT(*) FROM payments p \
               WHERE p.order_id = o.id AND p.state = 'matched' AND p.net IS NULL) AS BIGINT) AS no_net \
         FROM orders o \
         WHERE (o.status = 'delivered' AND o.delivered_at >= $1 AND o.delivered_at < $2) \
            OR (o.status = 'refunded' AND COALESCE(o.refunded_at, o.updated_at) >= $1 \
                AND COALESCE(o.refunded_at, o.updated_at) < $2) \
         ORDER BY closed_at, o.id",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            let money = |c: &str| -> DbResult<Rupiah> { Ok(Rupiah::new(r.try_get(c)?)) };
            Ok(OrderFigures {
                code: r.try_get("code")?,
                product_code: r.try_get("product_code")?,
                product_name: r.try_get("product_name")?,
                closed: if status == "delivered" {
                    Closed::Delivered
                } else {
                    Closed::Refunded
                },
                closed_at: r.try_get("closed_at")?,
                amount_due: money("amount_due")?,
                amount_paid: money("amount_paid")?,
                supplier_cost: money("supplier_cost")?,
                refund_amount: money("refund_amount")?,
                payment_fee: money("fee")?,
                payments_without_net: r.try_get("no_net")?,
                discount: money("discount")?,
                voucher: r.try_get("voucher")?,
            })
        })
        .collect()
}

pub async fn deposit_figures(
    conn: &mut Conn,
    from: i64,
    until: i64,
) -> DbResult<Vec<DepositFigures>> {
    Ok(super::supplier_account::deposits(conn, from, until)
        .await?
        .into_iter()
        .map(|d| DepositFigures {
            at: d.at,
            method: d.method,
            amount: d.amount,
            fee: d.fee,
        })
        .collect())
}

/// Underpaid orders that expired in `[from, until)` with money on them.
pub async fn expired_held(conn: &mut Conn, from: i64, until: i64) -> DbResult<Held> {
    let row = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(amount_paid), 0) AS BIGINT) AS s \
         FROM orders WHERE status = 'expired' AND amount_paid > 0 AND expires_at >= $1 AND expires_at < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Held {
        count: row.try_get("n")?,
        gross: Rupiah::new(row.try_get("s")?),
    })
}

/// Payments received in `[from, until)` that are still unmatched.
pub async fn unmatched_held(conn: &mut Conn, from: i64, until: i64) -> DbResult<Held> {
    let row = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(gross), 0) AS BIGINT) AS s \
         FROM payments WHERE state = 'unmatched' AND received_at >= $1 AND received_at < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Held {
        count: row.try_get("n")?,
        gross: Rupiah::new(row.try_get("s")?),
    })
}

// ---------------------------------------------------------------------------------------------
// Payment reconciliation
