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

/// One rail's share of a month's payment costs: the payments of the orders the report counts
/// (delivered or refunded in `[from, until)`), by the rail that brought them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RailCost {
    /// `trakteer`, `midtrans`, `tripay` (or `saldo`, which costs nothing).
    pub rail: String,
    pub payments: i64,
    pub gross: Rupiah,
    /// Σ (gross − net): what the rail kept.
    pub fees: Rupiah,
}

/// The month's payment costs by rail, with the same orders and payments as [`closed_orders`]'s
/// fee column, so the lines add up to the report's payment-cost line.
pub async fn payment_costs_by_rail(
    conn: &mut Conn,
    from: i64,
    until: i64,
) -> DbResult<Vec<RailCost>> {
    let rows = sqlx::query(
        "SELECT p.provider AS rail, CAST(COUNT(*) AS BIGINT) AS payments, \
         CAST(COALESCE(SUM(p.gross), 0) AS BIGINT) AS gross, \
         CAST(COALESCE(SUM(p.gross - p.net), 0) AS BIGINT) AS fees \
         FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.state = 'matched' AND p.net IS NOT NULL \
           AND ((o.status = 'delivered' AND o.delivered_at >= $1 AND o.delivered_at < $2) \
            OR (o.status = 'refunded' AND COALESCE(o.refunded_at, o.updated_at) >= $1 \
                AND COALESCE(o.refunded_at, o.updated_at) < $2)) \
         GROUP BY p.provider ORDER BY p.provider",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RailCost {
                rail: r.try_get("rail")?,
                payments: r.try_get("payments")?,
                gross: Rupiah::new(r.try_get("gross")?),
                fees: Rupiah::new(r.try_get("fees")?),
            })
        })
        .collect()
}

/// Each payment's gross for one rail, over the same payments as [`payment_costs_by_rail`].
pub async fn payment_grosses(
    conn: &mut Conn,
    rail: &str,
    from: i64,
    until: i64,
) -> DbResult<Vec<Rupiah>> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT p.gross FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.provider = $1 AND p.state = 'matched' AND p.net IS NOT NULL \
           AND ((o.status = 'delivered' AND o.delivered_at >= $2 AND o.delivered_at < $3) \
            OR (o.status = 'refunded' AND COALESCE(o.refunded_at, o.updated_at) >= $2 \
                AND COALESCE(o.refunded_at, o.updated_at) < $3))",
    )
    .bind(rail)
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(Rupiah::new).collect())
}
