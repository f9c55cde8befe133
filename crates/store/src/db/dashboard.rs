//! The seller's dashboard and the money: settings with their audit trail, supplier deposits,
//! balance checks, markup rules, price history, refunds, and the figures of the monthly report.

use madd_domain::report::{Closed, DepositFigures, Held, OrderFigures};
use madd_domain::Rupiah;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

// ---------------------------------------------------------------------------------------------
// Settings

/// Every stored setting, `(key, value)`.
pub async fn settings(conn: &mut Conn) -> DbResult<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("key")?, r.try_get("value")?)))
        .collect()
}

/// Writes a setting and its audit row (the caller's transaction). `false` when unchanged.
pub async fn set_setting(
    conn: &mut Conn,
    key: &str,
    value: &str,
    actor: &str,
    now: i64,
) -> DbResult<bool> {
    let old: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    if old.as_deref() == Some(value) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO settings_audit (key, old_value, new_value, actor, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(key)
    .bind(old)
    .bind(value)
    .bind(actor)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub key: String,
    pub old_value: Option<String>,
    pub new_value: String,
    pub actor: String,
    pub at: i64,
}

pub async fn settings_audit(conn: &mut Conn, limit: i64) -> DbResult<Vec<AuditRow>> {
    let rows = sqlx::query(
        "SELECT key, old_value, new_value, actor, at FROM settings_audit ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                key: r.try_get("key")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Deposits

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deposit {
    pub id: i64,
    pub at: i64,
    pub amount: Rupiah,
    pub method: String,
    pub fee: Rupiah,
    pub note: String,
    pub actor: String,
}

fn deposit_row(r: &AnyRow) -> DbResult<Deposit> {
    Ok(Deposit {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        amount: Rupiah::new(r.try_get("amount")?),
        method: r.try_get("method")?,
        fee: Rupiah::new(r.try_get("fee")?),
        note: r.try_get("note")?,
        actor: r.try_get("actor")?,
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_deposit(
    conn: &mut Conn,
    at: i64,
    amount: Rupiah,
    method: &str,
    fee: Rupiah,
    note: &str,
    actor: &str,
    now: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO deposits (at, amount, method, fee, note, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(at)
    .bind(amount.amount())
    .bind(method)
    .bind(fee.amount())
    .bind(note)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Deposits in `[from, until)`, oldest first.
pub async fn deposits(conn: &mut Conn, from: i64, until: i64) -> DbResult<Vec<Deposit>> {
    let rows = sqlx::query(
        "SELECT id, at, amount, method, fee, note, actor FROM deposits \
         WHERE at >= $1 AND at < $2 ORDER BY at, id",
    )
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(deposit_row).collect()
}

// ---------------------------------------------------------------------------------------------
// Supplier balance

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceCheck {
    pub at: i64,
    pub balance: Option<Rupiah>,
    pub error: Option<String>,
}

pub async fn insert_balance_check(
    conn: &mut Conn,
    at: i64,
    balance: Option<Rupiah>,
    error: Option<&str>,
) -> DbResult<()> {
    sqlx::query("INSERT INTO balance_checks (at, balance, error) VALUES ($1, $2, $3)")
        .bind(at)
        .bind(balance.map(Rupiah::amount))
        .bind(error)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The latest check, successful or not.
pub async fn last_balance_check(conn: &mut Conn) -> DbResult<Option<BalanceCheck>> {
    let row = sqlx::query("SELECT at, balance, error FROM balance_checks ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(BalanceCheck {
            at: r.try_get("at")?,
            balance: r.try_get::<Option<i64>, _>("balance")?.map(Rupiah::new),
            error: r.try_get("error")?,
        })
    })
    .transpose()
}

/// The latest balance the supplier reported (a successful check).
pub async fn last_known_balance(conn: &mut Conn) -> DbResult<Option<(i64, Rupiah)>> {
    let row = sqlx::query(
        "SELECT at, balance FROM balance_checks WHERE balance IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("at")?, Rupiah::new(r.try_get("balance")?))))
        .transpose()
}

/// The ledger's side of the deposit reconciliation, all time up to `until`:
/// `(Σ deposits, Σ what the supplier charged for orders it did not give back)`.
pub async fn ledger_totals(conn: &mut Conn, until: i64) -> DbResult<(Rupiah, Rupiah)> {
    let deposits: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deposits WHERE at < $1",
    )
    .bind(until)
    .fetch_one(&mut *conn)
    .await?;
    // The supplier debits an order when it accepts it and gives the money back when the order
    // ends in error: what stays charged is every accepted order that did not fail.
    let charged: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(COALESCE(supplier_price, cost)), 0) AS BIGINT) FROM orders \
         WHERE supplier_trxid IS NOT NULL AND status IN ('processing', 'delivered')",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((Rupiah::new(deposits), Rupiah::new(charged)))
}

// ---------------------------------------------------------------------------------------------
// Markup rules and prices

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkupRule {
    pub id: i64,
    /// `category`, `brand` or `product`.
    pub scope: String,
    pub target: String,
    pub rate_bps: i64,
    pub min_markup: Rupiah,
}

pub async fn markup_rules(conn: &mut Conn) -> DbResult<Vec<MarkupRule>> {
    let rows = sqlx::query(
        "SELECT id, scope, target, rate_bps, min_markup FROM markup_rules ORDER BY scope, target",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MarkupRule {
                id: r.try_get("id")?,
                scope: r.try_get("scope")?,
                target: r.try_get("target")?,
                rate_bps: r.try_get("rate_bps")?,
                min_markup: Rupiah::new(r.try_get("min_markup")?),
            })
        })
        .collect()
}

pub async fn upsert_markup_rule(
    conn: &mut Conn,
    scope: &str,
    target: &str,
    rate_bps: i64,
    min_markup: Rupiah,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO markup_rules (scope, target, rate_bps, min_markup, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, target) DO UPDATE SET \
         rate_bps = excluded.rate_bps, min_markup = excluded.min_markup, updated_at = excluded.updated_at",
    )
    .bind(scope)
    .bind(target)
    .bind(rate_bps)
    .bind(min_markup.amount())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn delete_markup_rule(conn: &mut Conn, id: i64) -> DbResult<Option<MarkupRule>> {
    let row = sqlx::query(
        "DELETE FROM markup_rules WHERE id = $1 RETURNING id, scope, target, rate_bps, min_markup",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(MarkupRule {
            id: r.try_get("id")?,
            scope: r.try_get("scope")?,
            target: r.try_get("target")?,
            rate_bps: r.try_get("rate_bps")?,
            min_markup: Rupiah::new(r.try_get("min_markup")?),
        })
    })
    .transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_price_change(
    conn: &mut Conn,
    product_code: &str,
    at: i64,
    old_cost: Option<Rupiah>,
    new_cost: Rupiah,
    old_price: Option<Rupiah>,
    new_price: Rupiah,
    reason: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO price_history (product_code, at, old_cost, new_cost, old_price, new_price, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(product_code)
    .bind(at)
    .bind(old_cost.map(Rupiah::amount))
    .bind(new_cost.amount())
    .bind(old_price.map(Rupiah::amount))
    .bind(new_price.amount())
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceChange {
    pub product_code: String,
    pub at: i64,
    pub old_cost: Option<Rupiah>,
    pub new_cost: Rupiah,
    pub old_price: Option<Rupiah>,
    pub new_price: Rupiah,
    pub reason: String,
}

pub async fn price_history(
    conn: &mut Conn,
    product_code: Option<&str>,
    limit: i64,
) -> DbResult<Vec<PriceChange>> {
    let rows = sqlx::query(
        "SELECT product_code, at, old_cost, new_cost, old_price, new_price, reason FROM price_history \
         WHERE ($1 IS NULL OR product_code = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(product_code)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let money = |c: &str| -> DbResult<Option<Rupiah>> {
                Ok(r.try_get::<Option<i64>, _>(c)?.map(Rupiah::new))
            };
            Ok(PriceChange {
                product_code: r.try_get("product_code")?,
                at: r.try_get("at")?,
                old_cost: money("old_cost")?,
                new_cost: Rupiah::new(r.try_get("new_cost")?),
                old_price: money("old_price")?,
                new_price: Rupiah::new(r.try_get("new_price")?),
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Sets a product's price by hand (or after a rule change); `false` when no such product.
pub async fn set_product_price(
    conn: &mut Conn,
    code: &str,
    price: Rupiah,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query("UPDATE products SET price = $1, updated_at = $2 WHERE code = $3")
        .bind(price.amount())
        .bind(now)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------------------------
// Refunds

/// `failed → refunded` with how much went back; the caller adds the timeline event.
pub async fn mark_refunded(
    conn: &mut Conn,
    order_id: i64,
    method: &str,
    note: &str,
    amount: Rupiah,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'refunded', refund_method = $1, refund_note = $2, \
         refund_amount = $3, refunded_at = $4, updated_at = $4 WHERE id = $5 AND status = 'failed'",
    )
    .bind(method)
    .bind(note)
    .bind(amount.amount())
    .bind(now)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------------------------
// The monthly report's figures

/// Orders delivered or refunded in `[from, until)` with their payments' fees.
pub async fn closed_orders(conn: &mut Conn, from: i64, until: i64) -> DbResult<Vec<OrderFigures>> {
    let rows = sqlx::query(
        "SELECT o.code, o.product_code, o.product_name, o.status, o.amount_due, o.amount_paid, \
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
            })
        })
        .collect()
}

pub async fn deposit_figures(
    conn: &mut Conn,
    from: i64,
    until: i64,
) -> DbResult<Vec<DepositFigures>> {
    Ok(deposits(conn, from, until)
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

/// Takes the payment-intake lock for the caller's transaction (PostgreSQL: a row lock held until
/// commit; SQLite: its single connection already serialises writers).
pub async fn lock_payment_intake(conn: &mut Conn) -> DbResult<()> {
    sqlx::query("UPDATE payment_intake SET n = n + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The id of a payment already known under the API id `api_id` (as its API id, as the webhook's
/// transaction id, or as the id reconciliation recorded it under).
pub async fn payment_known_by_api_id(
    conn: &mut Conn,
    provider: &str,
    api_id: &str,
    recorded_id: &str,
) -> DbResult<Option<(i64, Option<String>)>> {
    let row = sqlx::query(
        "SELECT id, api_id FROM payments WHERE provider = $1 \
         AND (api_id = $2 OR transaction_id = $2 OR transaction_id = $3) ORDER BY id LIMIT 1",
    )
    .bind(provider)
    .bind(api_id)
    .bind(recorded_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("api_id")?)))
        .transpose()
}

/// Payments not yet paired with an API record that look like the same payment: same amount and
/// message, paid within `[from, until]`. `from_source`: `webhook` rows (the API side looks for
/// them) or `reconcile` rows (a late webhook looks for them).
pub async fn unpaired_like(
    conn: &mut Conn,
    provider: &str,
    from_source: &str,
    gross: Rupiah,
    message: &str,
    from: i64,
    until: i64,
) -> DbResult<Vec<(i64, i64)>> {
    let pairing = if from_source == "reconcile" {
        "source = 'reconcile' AND transaction_id LIKE 'api-%'"
    } else {
        "source <> 'reconcile' AND api_id IS NULL"
    };
    let sql = format!(
        "SELECT id, COALESCE(paid_at, received_at) AS t FROM payments WHERE provider = $1 AND {pairing} \
         AND gross = $2 AND TRIM(message) = $3 AND state IN ('matched', 'unmatched') \
         AND COALESCE(paid_at, received_at) >= $4 AND COALESCE(paid_at, received_at) <= $5 ORDER BY id"
    );
    let rows = sqlx::query(&sql)
        .bind(provider)
        .bind(gross.amount())
        .bind(message.trim())
        .bind(from)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("t")?)))
        .collect()
}

pub async fn set_api_id(conn: &mut Conn, payment_id: i64, api_id: &str) -> DbResult<bool> {
    let done = sqlx::query("UPDATE payments SET api_id = $1 WHERE id = $2 AND api_id IS NULL")
        .bind(api_id)
        .bind(payment_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A late webhook confirms a payment reconciliation recorded first: the row takes the webhook's
/// transaction id, so later redeliveries are plain duplicates.
pub async fn confirm_reconciled(
    conn: &mut Conn,
    payment_id: i64,
    transaction_id: &str,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE payments SET transaction_id = $1, note = 'dicatat dari API, webhook datang kemudian' \
         WHERE id = $2 AND transaction_id LIKE 'api-%'",
    )
    .bind(transaction_id)
    .bind(payment_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
