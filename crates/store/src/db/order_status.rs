//! Every change of an order's status: each a conditional `UPDATE … WHERE status …` that
//! changes nothing (and says so) when the order is no longer where the change starts from.

use madd_domain::{OrderStatus, Rupiah, SupplierStatus};
use sqlx::Row;

use super::{flag, DbResult, Tx};

/// Adds a payment to an order that still takes payments and settles it in the same statement:
/// paid in full (`amount_paid ≥ amount_due`, as `madd_domain::Settlement` says) → `paid`, else
/// `underpaid`. One statement, so concurrent payments for one order add up instead of one
/// overwriting the other (the row lock orders them). `None` when the order no longer takes
/// payments; then the money is recorded with [`add_late_payment`].
pub async fn add_payment(
    tx: &mut Tx,
    id: i64,
    amount: Rupiah,
    now: i64,
) -> DbResult<Option<(OrderStatus, Rupiah)>> {
    tx.order_changed(id);
    let row = sqlx::query(
        "UPDATE orders SET amount_paid = amount_paid + $1, \
         status = CASE WHEN amount_paid + $1 >= amount_due THEN 'paid' ELSE 'underpaid' END, \
         paid_at = CASE WHEN amount_paid + $1 >= amount_due THEN $2 ELSE paid_at END, \
         updated_at = $2 \
         WHERE id = $3 AND status IN ('awaiting_payment', 'underpaid') RETURNING status, amount_paid",
    )
    .bind(amount.amount())
    .bind(now)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        let s: String = r.try_get("status")?;
        let status = s
            .parse()
            .map_err(|_| crate::db::orders::corrupt("status", &s))?;
        Ok((status, Rupiah::new(r.try_get("amount_paid")?)))
    })
    .transpose()
}

/// An expired order taken up again (a payment for it arrived late while its price and stock still
/// hold): it takes payments again until `expires_at`.
pub async fn revive(tx: &mut Tx, id: i64, expires_at: i64, now: i64) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'awaiting_payment', expires_at = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'expired'",
    )
    .bind(expires_at)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Money that arrived after the order stopped taking payments: counted, kept for the seller.
pub async fn add_late_payment(tx: &mut Tx, id: i64, amount: Rupiah, now: i64) -> DbResult<Rupiah> {
    tx.order_changed(id);
    let total: i64 = sqlx::query_scalar(
        "UPDATE orders SET amount_paid = amount_paid + $1, updated_at = $2 WHERE id = $3 \
         RETURNING amount_paid",
    )
    .bind(amount.amount())
    .bind(now)
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Rupiah::new(total))
}

/// `paid → processing` (or a retryable `failed → processing`): the one guard that makes a
/// supplier order happen at most once, however many clicks, retries and workers race for it.
pub async fn claim_for_processing(
    tx: &mut Tx,
    id: i64,
    allow_retry: bool,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'processing', failure_reason = NULL, failure_retryable = 0, \
         supplier = NULL, supplier_sku = NULL, placement_started_at = NULL, updated_at = $1 \
         WHERE id = $2 AND (status = 'paid' OR ($3 = 1 AND status = 'failed' AND failure_retryable = 1 \
         AND supplier_trxid IS NULL))",
    )
    .bind(now)
    .bind(id)
    .bind(flag(allow_retry))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the start of a supplier request; committed before the request is sent.
/// Compare-and-set on the attempt counter the caller read: if another worker started an attempt
/// in between, this one backs off instead of placing a second order.
pub async fn mark_placement_started(
    tx: &mut Tx,
    id: i64,
    seen_attempts: i64,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET placement_started_at = $1, placement_attempts = placement_attempts + 1, \
         updated_at = $1 WHERE id = $2 AND status = 'processing' AND supplier_trxid IS NULL \
         AND placement_attempts = $3",
    )
    .bind(now)
    .bind(id)
    .bind(seen_attempts)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets an attempt that the supplier definitely refused, so a retry may place it again.
/// Chooses the offer an order's first attempt goes to (once: a chosen order keeps its choice).
pub async fn choose_offer(
    tx: &mut Tx,
    id: i64,
    supplier: madd_domain::SupplierId,
    sku: &str,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET supplier = $1, supplier_sku = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'processing' AND supplier IS NULL \
         AND placement_started_at IS NULL AND supplier_trxid IS NULL",
    )
    .bind(supplier.as_str())
    .bind(sku)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an order whose attempt `attempt` definitely failed to its next offer: the failed
/// purchase is forgotten on the order (its attempt row keeps it) and the next placement starts
/// clean. Only the first caller for that attempt wins.
pub async fn fail_over(
    tx: &mut Tx,
    id: i64,
    attempt: i64,
    from: (madd_domain::SupplierId, &str),
    (supplier, sku): (madd_domain::SupplierId, &str),
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET supplier = $1, supplier_sku = $2, supplier_trxid = NULL, \
         supplier_status = NULL, supplier_note = NULL, supplier_price = NULL, \
         supplier_recorded_at = NULL, placement_started_at = NULL, updated_at = $3 \
         WHERE id = $4 AND status = 'processing' AND placement_attempts = $5 \
         AND COALESCE(supplier, 'vip-reseller') = $6 AND COALESCE(supplier_sku, product_code) = $7",
    )
    .bind(supplier.as_str())
    .bind(sku)
    .bind(now)
    .bind(id)
    .bind(attempt)
    .bind(from.0.as_str())
    .bind(from.1)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn clear_placement(tx: &mut Tx, id: i64, now: i64) -> DbResult<()> {
    tx.order_changed(id);
    sqlx::query(
        "UPDATE orders SET placement_started_at = NULL, updated_at = $1 \
         WHERE id = $2 AND supplier_trxid IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the supplier says of the order's current attempt `attempt`, on the order: its
/// transaction (the first trxid wins, and when it was recorded — see
/// [`super::supplier_requests::recorded_trxids`]), its status and note, its charge. Guarded by
/// the attempt number, so a word about an attempt the order has moved on from changes nothing.
pub async fn attempt_progress(
    tx: &mut Tx,
    (id, attempt): (i64, i64),
    trxid: &str,
    (status, note): (SupplierStatus, &str),
    price: Option<Rupiah>,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET supplier_trxid = COALESCE(supplier_trxid, $1), \
         supplier_recorded_at = COALESCE(supplier_recorded_at, $2), supplier_status = $3, \
         supplier_note = $4, supplier_price = COALESCE($5, supplier_price), updated_at = $2 \
         WHERE id = $6 AND status = 'processing' AND placement_attempts = $7",
    )
    .bind(trxid)
    .bind(now)
    .bind(status.as_str())
    .bind(note)
    .bind(price.map(Rupiah::amount))
    .bind(id)
    .bind(attempt)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `processing → delivered` by the order's current attempt `attempt`, with what the supplier
/// delivered and charged.
pub async fn deliver(
    tx: &mut Tx,
    (id, attempt): (i64, i64),
    trxid: &str,
    serial: &str,
    price: Option<Rupiah>,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'delivered', serial_number = $1, delivered_at = $2, \
         supplier_trxid = COALESCE(supplier_trxid, $3), \
         supplier_recorded_at = COALESCE(supplier_recorded_at, $2), supplier_status = 'success', \
         supplier_note = $1, supplier_price = COALESCE($4, supplier_price), updated_at = $2 \
         WHERE id = $5 AND status = 'processing' AND placement_attempts = $6",
    )
    .bind(serial)
    .bind(now)
    .bind(trxid)
    .bind(price.map(Rupiah::amount))
    .bind(id)
    .bind(attempt)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_failed(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    retryable: bool,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'failed', failure_reason = $1, failure_retryable = $2, \
         updated_at = $3 WHERE id = $4 AND status = 'processing'",
    )
    .bind(reason)
    .bind(flag(retryable))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn expire(tx: &mut Tx, id: i64, now: i64) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'expired', updated_at = $1 \
         WHERE id = $2 AND status IN ('awaiting_payment', 'underpaid') AND expires_at <= $1",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the payment deadline (a customer paying the rest of an underpaid order gets time).
pub async fn extend_expiry(tx: &mut Tx, id: i64, expires_at: i64) -> DbResult<()> {
    tx.order_changed(id);
    sqlx::query("UPDATE orders SET expires_at = $1 WHERE id = $2 AND expires_at < $1")
        .bind(expires_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The watchdog's alert for a paid order still open: once per order.
pub async fn watchdog_alerted(tx: &mut Tx, id: i64, now: i64) -> DbResult<bool> {
    tx.order_changed(id);
    let done = sqlx::query(
        "UPDATE orders SET watchdog_alerted_at = $1 WHERE id = $2 \
         AND watchdog_alerted_at IS NULL AND status IN ('paid', 'processing')",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `failed → refunded` with how much went back; the caller adds the timeline event.
pub async fn mark_refunded(
    tx: &mut Tx,
    order_id: i64,
    method: &str,
    note: &str,
    amount: Rupiah,
    now: i64,
) -> DbResult<bool> {
    tx.order_changed(order_id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'refunded', refund_method = $1, refund_note = $2, \
         refund_amount = $3, refunded_at = $4, updated_at = $4 WHERE id = $5 AND status = 'failed'",
    )
    .bind(method)
    .bind(note)
    .bind(amount.amount())
    .bind(now)
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------------------------
// The monthly report's figures

/// The customer's `batal`: an order nobody has paid anything for ends as `expired` now (the
/// status store-api.md gives an unpaid order that will not be paid). Orders with money on them
/// are not cancelled by chat: the seller must refund.
pub async fn cancel_unpaid(tx: &mut Tx, order_id: i64, now: i64) -> DbResult<bool> {
    tx.order_changed(order_id);
    let done = sqlx::query(
        "UPDATE orders SET status = 'expired', expires_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'awaiting_payment' AND amount_paid = 0",
    )
    .bind(now)
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use madd_domain::OrderStatus;

    /// The statuses named inside `text` (quoted, as SQL writes them).
    fn statuses(text: &str) -> Vec<OrderStatus> {
        text.split('\'')
            .skip(1)
            .step_by(2)
            .filter_map(|word| word.parse().ok())
            .collect()
    }

    /// The SQL string that starts at `from` in a Rust source: up to its closing quote, with the
    /// `\`-newline continuations folded.
    fn statement(source: &str, from: usize) -> String {
        let rest = &source[from..];
        let end = rest.find('"').unwrap_or(rest.len());
        rest[..end]
            .split("\\\n")
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The conditions on `status` (not `supplier_status`) in a WHERE clause.
    fn status_conditions(clause: &str) -> Vec<OrderStatus> {
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(i) = clause[at..].find("status") {
            let start = at + i;
            at = start + "status".len();
            let before = clause[..start].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let after = clause[at..].trim_start();
            let condition = if let Some(list) = after.strip_prefix("IN") {
                list.split(')').next().unwrap_or("")
            } else if let Some(value) = after.strip_prefix('=') {
                value.trim_start().split(' ').next().unwrap_or("")
            } else {
                continue;
            };
            found.extend(statuses(condition));
        }
        found
    }

    /// Every `UPDATE orders SET status …` in `db/` changes only from where its WHERE clause says,
    /// and each of those moves is one the domain allows (`OrderStatus::can_become`).
    #[test]
    fn every_status_update_is_a_transition_the_domain_allows() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/db");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for (from, _) in source.match_indices("UPDATE orders SET") {
                let sql = statement(&source, from);
                let (set, clause) = sql.split_once(" WHERE ").unwrap_or((&sql, ""));
                let Some(assign) = set.find(" status =").or_else(|| set.find(" status=")) else {
                    continue; // changes no status
                };
                let assigned = &set[assign..];
                let assigned = match assigned.find(" END") {
                    Some(end) if assigned.contains("CASE") => &assigned[..end],
                    _ => assigned.split(',').next().unwrap_or(assigned),
                };
                let to = statuses(assigned);
                let from_states = status_conditions(clause);
                assert!(!to.is_empty(), "{}: {sql}", path.display());
                assert!(
                    !from_states.is_empty(),
                    "{}: a status change without a WHERE on the status: {sql}",
                    path.display()
                );
                for f in &from_states {
                    for t in &to {
                        assert!(
                            f == t || f.can_become(*t),
                            "{}: {f} → {t} is not a move the domain allows: {sql}",
                            path.display()
                        );
                    }
                }
                checked += 1;
            }
        }
        // add_payment (→ paid/underpaid), claim_for_processing, delivered, failed, expire,
        // refunded, cancel_unpaid: a scan that finds fewer has stopped reading the statements.
        assert!(checked >= 7, "only {checked} status updates found");
    }

    #[test]
    fn the_scanner_reads_what_it_must() {
        assert_eq!(
            status_conditions("id = $2 AND status IN ('awaiting_payment', 'underpaid')"),
            vec![OrderStatus::AwaitingPayment, OrderStatus::Underpaid]
        );
        assert_eq!(
            status_conditions("supplier_status = 'success' AND status = 'processing'"),
            vec![OrderStatus::Processing]
        );
        assert!(status_conditions("supplier_status = 'paid'").is_empty());
    }
}
