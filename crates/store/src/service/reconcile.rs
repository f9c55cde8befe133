//! Payment reconciliation against Trakteer's public API: finds payments whose webhook never came
//! and records them, without ever counting a payment twice.
//!
//! The API's `order_id` is not documented to equal the webhook's `transaction_id` (in the sandbox
//! it does not), so a payment is recognised across the two by its content. The rule:
//!
//! 1. An API support is **known** when a payment row carries its id — as `api_id` (paired
//!    before), as `transaction_id` (should the ids be equal), or as `api-<id>` (recorded by
//!    reconciliation).
//! 2. Otherwise it is **paired** with a payment that came by webhook and has no `api_id` yet:
//!    same gross amount, same message (trimmed), paid within [`PAIRING_WINDOW_MS`] of the API's
//!    `updated_at`; the nearest in time wins and takes the `api_id`, so one webhook payment
//!    pairs with one API support only.
//! 3. Otherwise, once it is older than [`GRACE_MS`] (the webhook is the main path and may be
//!    in flight), it is **recorded** as transaction `api-<id>` (source `reconcile`) and settled
//!    like a webhook payment.
//! 4. A webhook that arrives **after** step 3 looks for an unconfirmed `api-…` payment with the
//!    same amount and message within the window; if there is one, that row takes the webhook's
//!    transaction id (so redeliveries are plain duplicates) and nothing else is recorded.
//!
//! Steps 1–4 run under the payment-intake lock, so a webhook and a reconciliation run racing on
//! two PostgreSQL processes see each other's rows. Two genuinely identical payments (same amount,
//! same message, minutes apart) are two rows on both sides and pair one to one, so the count of
//! payments is right even when the pairing of ids between them is arbitrary.

use crate::app::App;
use crate::clock;
use crate::db::reconciliation;
use crate::error::AppResult;
use crate::jobs::queue::Outcome;
use crate::payment::trakteer::TipEvent;
use crate::payment::ReportedPayment;
use crate::service::payment_pairing::{ms, PAIRING_WINDOW_MS, PROVIDER, RECORDED_PREFIX};
use crate::service::payments::{self as payment_service, WebhookOutcome};
use madd_domain::Rupiah;
use serde_json::json;

/// A support younger than this is left to its webhook.
pub const GRACE_MS: i64 = 3 * 60 * 1000;

/// How far back a run looks.
pub const LOOKBACK_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// At most this many API pages per run.
const MAX_PAGES: u32 = 10;

/// How often the job runs.
pub const INTERVAL_MS: i64 = 5 * 60 * 1000;

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub seen: usize,
    pub known: usize,
    pub paired: usize,
    pub recorded: usize,
    pub too_recent: usize,
    /// Supports that could not be read or recorded, with the reason; the run went on past them
    /// (one bad entry must never keep every later payment from being found).
    pub skipped: Vec<String>,
}

/// The API's id of a support: its `order_id`, or (without one) a digest of its content — the
/// time to the second, amount, name and message.
fn api_id(p: &ReportedPayment) -> String {
    match &p.id {
        Some(id) => id.clone(),
        None => {
            use sha2::Digest;
            let key = format!(
                "{}|{}|{}|{}",
                p.updated_at.unix_timestamp(),
                p.amount.amount(),
                p.supporter_name,
                p.message
            );
            format!(
                "h{}",
                &hex::encode(sha2::Sha256::digest(key.as_bytes()))[..32]
            )
        }
    }
}

/// One API support, under the intake lock: known, paired, or recorded.
async fn take(app: &App, p: &ReportedPayment, now: i64, report: &mut RunReport) -> AppResult<()> {
    let api_id = api_id(p);
    let rec_id = format!("{RECORDED_PREFIX}{api_id}");
    let at = ms(p.updated_at);
    let mut tx = app.db.begin().await?;
    reconciliation::lock_payment_intake(&mut tx, app.db.backend, PROVIDER, p.amount, &p.message)
        .await?;
    if let Some((payment_id, has_api)) =
        reconciliation::payment_known_by_api_id(&mut tx, PROVIDER, &api_id, &rec_id).await?
    {
        if has_api.is_none() {
            reconciliation::set_api_id(&mut tx, payment_id, &api_id).await?;
        }
        tx.commit().await?;
        report.known += 1;
        return Ok(());
    }
    let candidates = reconciliation::unpaired_like(
        &mut tx,
        PROVIDER,
        "webhook",
        p.amount,
        &p.message,
        at - PAIRING_WINDOW_MS,
        at + PAIRING_WINDOW_MS,
    )
    .await?;
    if let Some((payment_id, _)) = candidates.into_iter().min_by_key(|(_, t)| (t - at).abs()) {
        reconciliation::set_api_id(&mut tx, payment_id, &api_id).await?;
        tx.commit().await?;
        report.paired += 1;
        return Ok(());
    }
    tx.rollback().await?;
    if now - at < GRACE_MS {
        report.too_recent += 1;
        return Ok(());
    }
    // Recorded and settled like a webhook (the same code path, in its own transaction that
    // takes the lock again); the `api-…` id makes a second run a no-op.
    let event = TipEvent {
        transaction_id: rec_id.clone(),
        is_test: false,
        created_at: Some(p.updated_at),
        supporter_name: p.supporter_name.clone(),
        supporter_message: p.message.clone(),
        unit: String::new(),
        quantity: p.quantity,
        price: p.amount,
        total: p.amount,
        net_amount: p.net_amount,
        price_reading: crate::payment::trakteer::PriceReading::Total,
        raw: json!({
            "source": "trakteer public API (supports)",
            "order_id": p.id,
            "amount": p.amount.amount(),
            "net_amount": p.net_amount.map(Rupiah::amount),
            "payment_method": p.payment_method,
            "status": p.status,
            "updated_at": clock::rfc3339(at),
        }),
    };
    let raw = event.raw.to_string();
    let outcome = payment_service::record(app, &event, "reconcile", &raw, now).await?;
    if outcome != WebhookOutcome::Duplicate {
        tracing::warn!(id = %rec_id, amount = %p.amount, ?outcome, "payment found by reconciliation (its webhook never came)");
        report.recorded += 1;
    } else {
        report.known += 1;
    }
    Ok(())
}

/// One reconciliation run over the recent supports.
pub async fn run(app: &App) -> AppResult<RunReport> {
    let now = app.now_ms();
    let mut report = RunReport::default();
    'pages: for page in 1..=MAX_PAGES {
        let listed = app.payment.recent_payments(page).await.map_err(|e| {
            crate::error::AppError::Unavailable {
                code: "payment_api_unavailable",
                message: e.to_string(),
            }
        })?;
        for reason in &listed.unreadable {
            tracing::error!(page, %reason, "a support in Trakteer's list could not be read; skipped");
            report.skipped.push(format!("page {page}, {reason}"));
        }
        if listed.payments.is_empty() && listed.unreadable.is_empty() {
            break;
        }
        for p in &listed.payments {
            if now - ms(p.updated_at) > LOOKBACK_MS {
                break 'pages;
            }
            report.seen += 1;
            if p.status != "success" {
                continue;
            }
            if let Err(e) = take(app, p, now, &mut report).await {
                let id = api_id(p);
                tracing::error!(support = %id, error = %e, "a support could not be reconciled; skipped");
                report.skipped.push(format!("support {id}: {e}"));
            }
        }
    }
    if report.recorded > 0 {
        app.wake_workers();
    }
    Ok(report)
}

/// The periodic job: runs, then comes back in [`INTERVAL_MS`]. A failing API is logged and
/// tried again next time (the job never dies).
/// The seller's "reconcile now": brings the periodic job forward (never a second one: it
/// reschedules itself, so a second would double the polling for good).
pub async fn request(app: &App) -> AppResult<()> {
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    crate::jobs::queue::run_now(
        &mut conn,
        crate::jobs::queue::JobKind::ReconcilePayments,
        JOB_KEY,
        now,
    )
    .await?;
    drop(conn);
    app.wake_workers();
    Ok(())
}

/// The one live reconciliation job.
pub const JOB_KEY: &str = "periodic:reconcile-payments";

pub async fn job(app: &App) -> AppResult<Outcome> {
    match run(app).await {
        Ok(r) => tracing::info!(?r, "payment reconciliation done"),
        Err(e) => tracing::warn!(error = %e, "payment reconciliation failed; next run will retry"),
    }
    Ok(Outcome::Later(app.now_ms() + INTERVAL_MS))
}
