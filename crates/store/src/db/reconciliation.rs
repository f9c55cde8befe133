//! Payment reconciliation's storage: the intake lock, and matching payments the API lists
//! against those the webhook recorded.

use super::{Conn, DbResult};
use madd_domain::Rupiah;
use sqlx::Row;

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
