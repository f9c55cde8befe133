//! The money side of the dashboard: the supplier balance (polled by a job, never in a handler),
//! the deposit ledger and its reconciliation with VIP's balance, refunds, and the monthly report.

use madd_domain::report::{self, Month, MonthlyReport, ReportInput};
use madd_domain::Rupiah;

use crate::app::App;
use crate::db::order_events;
use crate::db::order_status;
use crate::db::supplier_account;
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify;
use crate::service::{outbox, settings};
use supplier_account::BalanceCheck;

/// How often the supplier balance is read.
pub const BALANCE_INTERVAL_MS: i64 = 10 * 60 * 1000;

/// The opening balance of the supplier account: a ledger entry, not a top-up (no fee, not in the
/// report's deposits).
pub const OPENING: &str = "opening";

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

/// Records a top-up of the supplier balance; its fee follows the method's setting unless the
/// seller typed the real fee.
pub async fn record_deposit(
    app: &App,
    actor: &str,
    amount: Rupiah,
    method: &str,
    fee: Option<Rupiah>,
    at: Option<i64>,
    note: &str,
) -> AppResult<i64> {
    if !amount.is_positive() {
        return Err(AppError::invalid(
            "invalid_amount",
            "Jumlah deposit harus lebih dari 0",
        ));
    }
    let known = method == OPENING || settings::DEPOSIT_METHODS.iter().any(|(m, _)| *m == method);
    if !known {
        return Err(AppError::invalid(
            "invalid_method",
            "Metode deposit tidak dikenal",
        ));
    }
    if fee.is_some_and(|f| f.is_negative()) {
        return Err(AppError::invalid(
            "invalid_fee",
            "Biaya tidak boleh negatif",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let fee = if method == OPENING {
        Rupiah::ZERO
    } else {
        match fee {
            Some(f) => f,
            None => settings::on(&mut tx, &app.config)
                .await?
                .deposit_fee(method)
                .of(amount),
        }
    };
    let id = supplier_account::insert_deposit(
        &mut tx,
        at.unwrap_or(now),
        amount,
        method,
        fee,
        note.trim(),
        actor,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%amount, method, %fee, %actor, "deposit recorded");
    Ok(id)
}

/// Ledger vs VIP: `deposits − what the supplier kept for orders` should equal the balance VIP
/// reports (failed orders are given back by the supplier, so they are not charged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub deposits: Rupiah,
    pub charged: Rupiah,
    pub expected: Rupiah,
    pub reported: Option<(i64, Rupiah)>,
    /// `reported − expected`: positive means VIP holds more than the ledger explains.
    pub difference: Option<Rupiah>,
}

pub async fn reconcile_deposits(app: &App) -> AppResult<Reconciliation> {
    let mut conn = app.db.write().await?;
    let reported = supplier_account::last_known_balance(&mut conn).await?;
    let until = reported.map(|(at, _)| at + 1).unwrap_or(app.now_ms() + 1);
    let (deposits, charged) = supplier_account::ledger_totals(&mut conn, until).await?;
    let expected = deposits - charged;
    Ok(Reconciliation {
        deposits,
        charged,
        expected,
        difference: reported.map(|(_, b)| b - expected),
        reported,
    })
}

/// Marks a failed order refunded with how, how much and a note; the timeline says who.
pub async fn refund(
    app: &App,
    code: &str,
    actor: &str,
    method: &str,
    amount: Option<Rupiah>,
    note: &str,
) -> AppResult<()> {
    let order = crate::service::orders::get(app, code).await?;
    // An overpayment already given back (while the order was paid) is not the customer's twice.
    let returned = crate::service::overpayment::of_order(app, order.id)
        .await?
        .returned;
    let refundable = order.amount_paid - returned;
    let amount = amount.unwrap_or(refundable);
    if amount.is_negative() || amount > refundable {
        return Err(AppError::invalid(
            "invalid_refund_amount",
            format!("Jumlah refund harus antara Rp0 dan yang dibayar ({refundable})"),
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !order_status::mark_refunded(&mut tx, order.id, method, note.trim(), amount, now).await? {
        return Err(AppError::conflict(
            "order_not_refundable",
            "Hanya pesanan Gagal yang bisa ditandai refund.",
        ));
    }
    let detail = if note.trim().is_empty() {
        format!("Refund {amount} via {method}")
    } else {
        format!("Refund {amount} via {method}: {}", note.trim())
    };
    order_events::add_event(&mut tx, order.id, now, actor, "refunded", &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The month's report from the database.
pub async fn monthly_report(app: &App, month: Month) -> AppResult<MonthlyReport> {
    report_from(&app.db, &app.config, month).await
}

/// The month's report from a database alone (the CLI has no running store).
pub async fn report_from(
    db: &crate::db::Db,
    config: &crate::config::Config,
    month: Month,
) -> AppResult<MonthlyReport> {
    let s = {
        let mut conn = db.write().await?;
        settings::on(&mut conn, config).await?
    };
    let (from, until) = (month.start_ms(), month.end_ms());
    let mut conn = db.write().await?;
    let orders = crate::db::report::closed_orders(&mut conn, from, until).await?;
    let deposits = crate::db::report::deposit_figures(&mut conn, from, until)
        .await?
        .into_iter()
        .filter(|d| d.method != OPENING)
        .collect();
    let expired_held = crate::db::report::expired_held(&mut conn, from, until).await?;
    let unmatched = crate::db::report::unmatched_held(&mut conn, from, until).await?;
    let overpaid_returns = crate::db::overpayments::returns_counted(&mut conn, from, until).await?;
    Ok(report::build(&ReportInput {
        month,
        orders,
        deposits,
        overpaid_returns,
        expired_held,
        unmatched,
        service_share: s.service_share,
    }))
}
