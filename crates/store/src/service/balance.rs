//! The supplier balances: read by a job (never in a request), one per configured supplier,
//! stored, and told to the seller once when a balance crosses below the threshold.

use crate::app::App;
use crate::db::supplier_account;
use crate::error::AppResult;
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify;
use crate::service::{outbox, settings};
use madd_domain::{Rupiah, SupplierId};
use supplier_account::BalanceCheck;

/// How often the supplier balance is read.
pub const BALANCE_INTERVAL_MS: i64 = 10 * 60 * 1000;

/// The one live balance job (periodic, or brought forward by the seller).
pub const BALANCE_JOB_KEY: &str = "periodic:balance";

/// The balance job: reads every supplier's balance, stores the figures, and tells the seller
/// once when one crosses below the threshold (not on every poll while it stays low).
pub async fn check_balance(app: &App) -> AppResult<Outcome> {
    for supplier in app.suppliers.all() {
        check_one(app, supplier.id(), supplier.profile().await).await?;
    }
    app.wake_workers();
    Ok(Outcome::Later(app.now_ms() + BALANCE_INTERVAL_MS))
}

async fn check_one(
    app: &App,
    supplier: SupplierId,
    result: Result<crate::supplier::SupplierProfile, crate::supplier::SupplierError>,
) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    match result {
        Ok(profile) => {
            let s = settings::on(&mut tx, &app.config).await?;
            let previous = supplier_account::last_known_balance(&mut tx, supplier).await?;
            supplier_account::insert_balance_check(
                &mut tx,
                supplier,
                now,
                Some(profile.balance),
                None,
            )
            .await?;
            let threshold = s.low_balance_threshold;
            let was_above = previous.is_none_or(|(_, b)| b >= threshold);
            if profile.balance < threshold && was_above {
                tracing::warn!(%supplier, balance = %profile.balance, %threshold, "supplier balance low");
                outbox::to_seller(
                    &app.config,
                    &mut tx,
                    None,
                    &notify::seller_low_balance(
                        supplier,
                        profile.balance,
                        threshold,
                        &app.config
                            .link(&format!("/admin/deposits?supplier={}", supplier.as_str())),
                    ),
                    now,
                )
                .await?;
            }
        }
        Err(e) => {
            tracing::warn!(%supplier, error = %e, "supplier balance could not be read");
            supplier_account::insert_balance_check(
                &mut tx,
                supplier,
                now,
                None,
                Some(&e.to_string()),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
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
    pub supplier: SupplierId,
    pub last: Option<BalanceCheck>,
    pub known: Option<(i64, Rupiah)>,
    pub threshold: Rupiah,
    pub low: bool,
}

/// One supplier's balance as the dashboard shows it.
pub async fn balance_view(app: &App, supplier: SupplierId) -> AppResult<BalanceView> {
    let s = settings::current(app).await?;
    let mut conn = app.db.write().await?;
    let last = supplier_account::last_balance_check(&mut conn, supplier).await?;
    let known = supplier_account::last_known_balance(&mut conn, supplier).await?;
    Ok(BalanceView {
        supplier,
        low: known.is_some_and(|(_, b)| b < s.low_balance_threshold),
        last,
        known,
        threshold: s.low_balance_threshold,
    })
}

/// Every configured supplier's balance, in the configured order.
pub async fn balance_views(app: &App) -> AppResult<Vec<BalanceView>> {
    let mut views = Vec::new();
    for id in app.suppliers.ids() {
        views.push(balance_view(app, id).await?);
    }
    Ok(views)
}
