//! Pairing a payment the webhook brings with one reconciliation recorded from Trakteer's API
//! first (and back): the rule both sides apply under the payment-intake lock, so a payment is
//! recorded once whichever side sees it first.

use time::OffsetDateTime;

use crate::clock;
use crate::db::reconciliation;
use crate::db::{Backend, Conn, DbResult};
use crate::payment::trakteer::TipEvent;

/// How far apart the webhook's `created_at` and the API's `updated_at` may be for one payment.
pub const PAIRING_WINDOW_MS: i64 = 10 * 60 * 1000;

/// The transaction id reconciliation records a support under: `api-<api id>`.
pub(crate) const RECORDED_PREFIX: &str = "api-";

pub(crate) fn ms(t: OffsetDateTime) -> i64 {
    clock::to_millis(t)
}

/// The webhook side (rule 4): is this event a payment reconciliation recorded first? If so the
/// recorded row takes its transaction id. Takes the intake lock for the caller's transaction.
pub async fn is_known_from_api(
    tx: &mut Conn,
    backend: Backend,
    event: &TipEvent,
) -> DbResult<bool> {
    reconciliation::lock_payment_intake(
        tx,
        backend,
        PROVIDER,
        event.total,
        &event.supporter_message,
    )
    .await?;
    let Some(at) = event.created_at.map(ms) else {
        return Ok(false);
    };
    if let Some(api_id) = event.transaction_id.strip_prefix(RECORDED_PREFIX) {
        // Reconciliation's own recording (webhook ids are Trakteer's UUIDs): rule 2 again under
        // the lock, in case the webhook came since the run looked.
        let candidates = reconciliation::unpaired_like(
            tx,
            PROVIDER,
            "webhook",
            event.total,
            &event.supporter_message,
            at - PAIRING_WINDOW_MS,
            at + PAIRING_WINDOW_MS,
        )
        .await?;
        return Ok(
            match candidates.into_iter().min_by_key(|(_, t)| (t - at).abs()) {
                Some((id, _)) => reconciliation::set_api_id(tx, id, api_id).await?,
                None => false,
            },
        );
    }
    let candidates = reconciliation::unpaired_like(
        tx,
        PROVIDER,
        "reconcile",
        event.total,
        &event.supporter_message,
        at - PAIRING_WINDOW_MS,
        at + PAIRING_WINDOW_MS,
    )
    .await?;
    let Some((id, _)) = candidates.into_iter().min_by_key(|(_, t)| (t - at).abs()) else {
        return Ok(false);
    };
    // Redeliveries of this webhook are then duplicates by transaction id; if another process
    // has just confirmed the row, the insert that follows is refused the same way.
    let confirmed = reconciliation::confirm_reconciled(tx, id, &event.transaction_id).await?;
    if confirmed {
        tracing::info!(transaction = %event.transaction_id, payment = id, "late webhook matches a reconciled payment");
    }
    Ok(confirmed)
}

pub const PROVIDER: &str = "trakteer";
