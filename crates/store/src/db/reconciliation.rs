//! Payment reconciliation's storage: the intake lock, and matching payments the API lists
//! against those the webhook recorded.

use super::{Backend, Conn, DbResult};
use madd_domain::Rupiah;
use sqlx::Row;

/// Takes the payment-intake lock for the caller's transaction, for payments that could be one
/// another: the same gross amount and the same trimmed message, which is all that pairing
/// compares ([`unpaired_like`]). PostgreSQL: a transaction-scoped advisory lock on a hash of the
/// two, so payments that cannot pair never wait for each other (one row lock for all of them made
/// every webhook wait for the others' commits); SQLite: its one writer already serialises.
pub async fn lock_payment_intake(
    conn: &mut Conn,
    backend: Backend,
    provider: &str,
    gross: Rupiah,
    message: &str,
) -> DbResult<()> {
    if backend == Backend::Sqlite {
        return Ok(());
    }
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(intake_key(provider, gross, message))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The advisory-lock key of a payment's pairing class.
fn intake_key(provider: &str, gross: Rupiah, message: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{provider}|{}|{}", gross.amount(), message.trim()));
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
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
         AND gross = $2 AND TRIM(message) = $3 AND state IN ('matched', 'unmatched', 'credited') \
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payments_that_can_pair_share_a_key_and_others_do_not() {
        let k = |g, m| intake_key("trakteer", Rupiah::new(g), m);
        assert_eq!(k(5_000, "MS-ABCD1234 "), k(5_000, "MS-ABCD1234"));
        assert_ne!(k(5_000, "MS-ABCD1234"), k(6_000, "MS-ABCD1234"));
        assert_ne!(k(5_000, "MS-ABCD1234"), k(5_000, "MS-ABCD1235"));
    }
}
