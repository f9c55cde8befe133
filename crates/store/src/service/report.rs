//! The monthly profit report, computed by `madd_domain::report` from the month's figures.

use crate::app::App;
use crate::error::AppResult;
use crate::service::settings;
use madd_domain::report::{self, Month, MonthlyReport, ReportInput};

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
        .filter(|d| d.method != super::deposits::OPENING)
        .collect();
    let expired_held = crate::db::report::expired_held(&mut conn, from, until).await?;
    let unmatched = crate::db::report::unmatched_held(&mut conn, from, until).await?;
    let overpaid_returns = crate::db::overpayments::returns_counted(&mut conn, from, until).await?;
    let (opening, credits, debits) = crate::db::wallets::movements(&mut conn, from, until).await?;
    let saldo_credit_fees = crate::db::wallets::credit_fees(&mut conn, from, until).await?;
    Ok(report::build(&ReportInput {
        month,
        orders,
        deposits,
        overpaid_returns,
        expired_held,
        unmatched,
        service_share: s.service_share,
        saldo: report::SaldoLiability::new(opening, credits, debits),
        saldo_credit_fees,
    }))
}
