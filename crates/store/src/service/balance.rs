//! The supplier balance: read by a job (never in a request), stored, and told to the seller once
//! when it crosses below the threshold.

use crate::app::App;
use crate::db::supplier_account;
use crate::error::AppResult;
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify;
use crate::service::{outbox, settings};
use madd_domain::Rupiah;
use supplier_account::BalanceCheck;

/// How often the supplier balance is read.
pub const BALANCE_INTERVAL_MS: i64 = 10 * 60 * 1000;

/// The one live balance job (periodic, or brought forward by the seller).
pub const BALANCE_JOB_KEY: &str = "periodic:balance";

/// The balance job: reads VIP's profile, stores the figure, and tells the seller once when the
/// balance crosses below the threshold (not on every poll while it stays low).
pub async fn check_balance(app: &App) -> AppResult<Outcome> {
    let result = app.supplier.profile().await;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    match result {
        Ok(profile) => {
            let s = settings::on(&mut tx, &app.config).await?;
            let previous = supplier_account::last_known_balance(&mut tx).await?;
            supplier_account::insert_balance_check(&mut tx, now, Some(profile.balance), None)
                .await?;
            let threshold = s.low_balance_threshold;
            let was_above = previous.is_none_or(|(_, b)| b >= threshold);
            if profile.balance < threshold && was_above {
                tracing::warn!(balance = %profile.balance, %threshold, "supplier balance low");
                outbox::to_seller(
                    &app.config,
                    &mut tx,
                    None,
                    &notify::seller_low_balance(
                        profile.balance,
                        threshold,
                        &app.config.link("/admin/deposits"),
                    ),
                    now,
                )
                .await?;
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "supplier balance could not be read");
            supplier_account::insert_balance_check(&mut tx, now, None, Some(&e.to_string()))
                .await?;
        }
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(Outcome::Later(now + BALANCE_INTERVAL_MS))
}

/// The seller asks for a balance check now (the job does it; the page shows it on reload).
pub async fn request_balance_check(app: &App) -> AppResult<()> {
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    // The periodic job is brought forward rather than a second one queued (each reschedules
    // itself, so a second would double the polling for good).
    jobs::run_now(&mut conn, JobKind::CheckBalance, BALANCE_JOB_KEY, now).await?;
    drop(conn);
    app.wake_workers();
    Ok(())
}

/// The supplier balance as the dashboard shows it.
#[derive(Clone, Debug)]
pub struct BalanceView {
    pub last: Option<BalanceCheck>,
    pub known: Option<(i64, Rupiah)>,
    pub threshold: Rupiah,
    pub low: bool,
}

pub async fn balance_view(app: &App) -> AppResult<BalanceView> {
    let s = settings::current(app).await?;
    let mut conn = app.db.write().await?;
    let last = supplier_account::last_balance_check(&mut conn).await?;
    let known = supplier_account::last_known_balance(&mut conn).await?;
    Ok(BalanceView {
        low: known.is_some_and(|(_, b)| b < s.low_balance_threshold),
        last,
        known,
        threshold: s.low_balance_threshold,
    })
}
