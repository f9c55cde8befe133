//! Reconciliation with the gateways' status APIs: a payment nothing was heard of is asked about
//! (+1, +3, +10 minutes, then just after its deadline), a pending one past its deadline is closed
//! where the gateway can and asked once more, and an attempt left `creating` by a lost answer is
//! looked up by our own reference. A lost notification is found within [`INTERVAL_MS`] of the
//! attempt's next check.

use madd_domain::rail::AttemptState;
use madd_domain::{OrderStatus, RailStatus};

use crate::app::App;
use crate::db::orders;
use crate::db::payment_attempts::{self, PayAttempt};
use crate::error::AppResult;
use crate::jobs::queue::Outcome;
use crate::payment::gateway::PaymentEvent;

pub const JOB_KEY: &str = "check_payments";
pub const INTERVAL_MS: i64 = 30_000;
/// Attempts asked about per run (the rest wait for the next run).
const BATCH: i64 = 50;
/// After its deadline an attempt the gateway still calls pending is asked this long, then left
/// to its webhook (a late payment still counts when it comes).
const AFTER_DEADLINE_MS: i64 = 60 * 60_000;

/// The periodic job.
pub async fn job(app: &App) -> AppResult<Outcome> {
    let now = app.now_ms();
    run(app, now).await?;
    Ok(Outcome::Later(app.now_ms() + INTERVAL_MS))
}

/// Asks about every attempt whose check is due at `now`; answers how many were asked.
pub async fn run(app: &App, now: i64) -> AppResult<usize> {
    let due = {
        let mut conn = app.db.read().await?;
        payment_attempts::due(&mut conn, now, BATCH).await?
    };
    for attempt in &due {
        if let Err(e) = check(app, attempt, now).await {
            tracing::warn!(attempt = %attempt.merchant_ref, error = %e, "payment check failed; asking again later");
            let mut conn = app.db.write().await?;
            payment_attempts::schedule_check(&mut conn, attempt.id, Some(now + INTERVAL_MS))
                .await?;
        }
    }
    Ok(due.len())
}

async fn check(app: &App, attempt: &PayAttempt, now: i64) -> AppResult<()> {
    let Some(gateway) = app.rails.gateway(attempt.rail).cloned() else {
        let mut conn = app.db.write().await?;
        payment_attempts::schedule_check(&mut conn, attempt.id, None).await?;
        return Ok(());
    };
    let order_waits = {
        let mut conn = app.db.read().await?;
        orders::by_id(&mut conn, attempt.order_id)
            .await?
            .is_some_and(|o| o.status == OrderStatus::AwaitingPayment)
    };
    // Past its deadline, or no longer needed (the order was paid another way, or a newer QRIS
    // took over): closed where the gateway can, so it cannot be paid twice.
    let closing =
        now >= attempt.expires_at || !order_waits || attempt.state == AttemptState::Superseded;
    let mut event: Option<PaymentEvent> = None;
    if closing && attempt.state != AttemptState::Creating {
        if let Some(reference) = attempt.reference.as_deref().filter(|r| !r.is_empty()) {
            event = gateway.close(reference).await.map_err(gateway_error)?;
        }
    }
    let event = match event {
        Some(e) => e,
        None => gateway
            .status(
                attempt.reference.as_deref().filter(|r| !r.is_empty()),
                &attempt.merchant_ref,
            )
            .await
            .map_err(gateway_error)?,
    };
    let status = event.status;
    // Left `creating` by a process that stopped between recording the attempt and reading the
    // gateway's answer: the customer was never shown its QR.
    let lost_create = attempt.state == AttemptState::Creating;
    if status == RailStatus::Unknown {
        // Never made (a create that failed before the gateway kept it): nothing can be paid.
        if lost_create || now - attempt.created_at > 5 * 60_000 {
            let mut conn = app.db.write().await?;
            payment_attempts::advance(
                &mut conn,
                attempt.id,
                attempt.state,
                AttemptState::Failed,
                "tidak dikenal gateway",
                now,
            )
            .await?;
            drop(conn);
            super::forget(app, attempt.order_id);
            if lost_create && order_waits {
                reopen(app, attempt.order_id, now).await?;
            }
            return Ok(());
        }
    } else {
        super::intake::receive(app, &event, "reconciliation").await?;
        // It exists but its QR text was never read: set aside (still watched, a payment on it
        // still counts) and a new one made for the customer.
        if lost_create && status == RailStatus::Pending && order_waits {
            let mut conn = app.db.write().await?;
            payment_attempts::advance(
                &mut conn,
                attempt.id,
                AttemptState::Open,
                AttemptState::Superseded,
                "jawaban gateway hilang: QRIS baru dibuat",
                now,
            )
            .await?;
            drop(conn);
            super::forget(app, attempt.order_id);
            reopen(app, attempt.order_id, now).await?;
        }
    }
    let next = next_check(attempt, status, now);
    let mut conn = app.db.write().await?;
    payment_attempts::schedule_check(&mut conn, attempt.id, next).await?;
    Ok(())
}

/// Queues the order's payment to be made again (at the first usable rail).
async fn reopen(app: &App, order_id: i64, now: i64) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    super::schedule_open(&mut conn, order_id, now).await?;
    drop(conn);
    app.wake_workers();
    Ok(())
}

/// When to ask next about an attempt the gateway still calls `status`.
fn next_check(attempt: &PayAttempt, status: RailStatus, now: i64) -> Option<i64> {
    if !matches!(status, RailStatus::Pending | RailStatus::Unknown) {
        return None;
    }
    if now < attempt.expires_at {
        let step = match attempt.checks {
            0 => 2 * 60_000,
            1 => 7 * 60_000,
            _ => 10 * 60_000,
        };
        return Some((now + step).min(attempt.expires_at + 5_000));
    }
    (now < attempt.expires_at + AFTER_DEADLINE_MS).then_some(now + 10 * 60_000)
}

fn gateway_error(e: crate::payment::gateway::GatewayError) -> crate::error::AppError {
    crate::error::AppError::Unavailable {
        code: "payment_gateway_unavailable",
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madd_domain::{RailId, Rupiah};

    fn attempt(checks: i64) -> PayAttempt {
        PayAttempt {
            id: 1,
            order_id: 1,
            number: 1,
            rail: RailId::Midtrans,
            merchant_ref: "MS-AAAAAAAA-1".into(),
            reference: Some("x".into()),
            amount: Rupiah::new(20_000),
            qr_string: None,
            qr_url: None,
            checkout_url: None,
            expires_at: 60 * 60_000,
            state: AttemptState::Open,
            detail: String::new(),
            fee: None,
            created_at: 0,
            updated_at: 0,
            check_at: Some(60_000),
            checks,
        }
    }

    #[test]
    fn checks_back_off_then_follow_the_deadline() {
        assert_eq!(
            next_check(&attempt(0), RailStatus::Pending, 60_000),
            Some(180_000)
        );
        assert_eq!(
            next_check(&attempt(1), RailStatus::Pending, 180_000),
            Some(600_000)
        );
        assert_eq!(
            next_check(&attempt(2), RailStatus::Pending, 600_000),
            Some(1_200_000)
        );
        // Never past the deadline by more than a moment.
        assert_eq!(
            next_check(&attempt(5), RailStatus::Pending, 59 * 60_000),
            Some(60 * 60_000 + 5_000)
        );
        // After it, every ten minutes for an hour, then only the webhook.
        assert_eq!(
            next_check(&attempt(6), RailStatus::Pending, 61 * 60_000),
            Some(71 * 60_000)
        );
        assert_eq!(
            next_check(&attempt(9), RailStatus::Pending, 121 * 60_000),
            None
        );
        assert_eq!(next_check(&attempt(0), RailStatus::Paid, 60_000), None);
        assert_eq!(next_check(&attempt(0), RailStatus::Expired, 60_000), None);
    }
}
