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

/// One rail's payment costs in a month, and what Trakteer would have kept of the same payments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RailCostLine {
    pub rail: String,
    pub label: String,
    pub payments: i64,
    pub gross: madd_domain::Rupiah,
    pub fees: madd_domain::Rupiah,
    /// Trakteer's cut (the seller's setting) on the same payments; `None` for Trakteer itself.
    pub trakteer_would_cost: Option<madd_domain::Rupiah>,
}

/// The month's payment costs split by rail (they add up to the report's payment-cost line).
/// What Trakteer would have cost is its cut on each payment, rounded up per payment as Trakteer
/// rounds, summed.
pub async fn payment_costs_by_rail(app: &App, month: Month) -> AppResult<Vec<RailCostLine>> {
    let mut conn = app.db.read().await?;
    let s = settings::on(&mut conn, &app.config).await?;
    let (from, until) = (month.start_ms(), month.end_ms());
    let rows = crate::db::report::payment_costs_by_rail(&mut conn, from, until).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let rail = madd_domain::RailId::parse(&r.rail);
        let would = match rail {
            Some(madd_domain::RailId::Trakteer) | None => None,
            Some(_) => Some(
                crate::db::report::payment_grosses(&mut conn, &r.rail, from, until)
                    .await?
                    .into_iter()
                    .map(|g| s.payment_cost.of(g))
                    .sum(),
            ),
        };
        lines.push(RailCostLine {
            label: rail.map_or_else(|| r.rail.clone(), |r| r.label().to_string()),
            rail: r.rail,
            payments: r.payments,
            gross: r.gross,
            fees: r.fees,
            trakteer_would_cost: would,
        });
    }
    Ok(lines)
}
