//! The dashboard: today's figures, the supplier balance, and the orders that need the seller.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Extension;
use axum::Form;
use madd_domain::report::{LineKey, Month};
use madd_domain::OrderStatus;
use serde::Deserialize;

use crate::app::App;
use crate::db::orders::{self, OrderFilter};
use crate::error::AppError;
use crate::web::admin::view::{check_label, order_rows, OrderRow};
use crate::web::auth::AdminSession;
use crate::web::closed::Closed;
use crate::web::page::{render, PageError, PageResult};

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    csrf: String,
    money: MoneySummary,
    flash: Option<String>,
    /// The seller's `tutup`: new orders are refused.
    closed: bool,
    counts: Vec<(&'static str, &'static str, i64)>,
    /// *Perlu tindakan*, first on every screen.
    attention: super::attention::Attention,
    orders: Vec<OrderRow>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    q: String,
}

#[derive(Deserialize)]
pub(crate) struct DashboardQuery {
    status: Option<String>,
    q: Option<String>,
    done: Option<String>,
}

pub(crate) async fn dashboard(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Closed(closed): Closed,
    Query(query): Query<DashboardQuery>,
) -> PageResult {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(st) => Some(
            st.parse::<OrderStatus>()
                .map_err(|_| AppError::invalid("invalid_status", "Status tidak dikenal"))?,
        ),
        None => None,
    };
    let money = money_summary(&app).await?;
    let failed_checks = crate::service::store_checks::latest(&app)
        .await?
        .map(|c| c.failures().map(|f| check_label(&f.name)).collect())
        .unwrap_or_default();
    let mut conn = app.db.read().await?;
    let counts = orders::count_by_status(&mut conn).await?;
    let attention = super::attention::gather(&app, &mut conn, &money, failed_checks).await?;
    let list = orders::list(
        &mut conn,
        &OrderFilter {
            status,
            search: query.q.clone().filter(|q| !q.trim().is_empty()),
            limit: 100,
            ..OrderFilter::default()
        },
    )
    .await?;
    Ok(render(&Dashboard {
        csrf: s.csrf_token.clone(),
        money,
        flash: match query.done.as_deref() {
            Some("closed") => Some("Toko ditutup: pesanan baru ditolak sampai dibuka lagi.".into()),
            Some("opened") => Some("Toko dibuka: pesanan baru diterima.".into()),
            _ => None,
        },
        closed,
        counts: counts
            .iter()
            .map(|(st, n)| (st.as_str(), st.label_id(), *n))
            .collect(),
        attention,
        orders: order_rows(&mut conn, &list).await?,
        statuses: OrderStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_id()))
            .collect(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: query.q.unwrap_or_default(),
    }))
}

/// The dashboard's money summary (today's figures and the supplier balance).
pub struct MoneySummary {
    pub today_orders: i64,
    pub today_delivered: i64,
    pub today_revenue: String,
    pub today_gross_profit: String,
    /// One per configured supplier.
    pub balances: Vec<BalanceLine>,
    pub threshold: String,
    pub unmatched_payments: i64,
    pub month: String,
    pub month_net: String,
    /// This month's payment costs per QRIS rail and what Trakteer would have kept of the same
    /// payments: `(rail, cost, Trakteer's)`.
    pub rail_costs: Vec<(String, String, String)>,
}

/// A supplier's balance on the dashboard.
pub struct BalanceLine {
    pub id: &'static str,
    pub label: &'static str,
    pub balance: String,
    /// How old the balance is ("dicek 3 menit lalu"): suppliers are asked every 10 minutes.
    pub age: String,
    pub low: bool,
}

pub async fn money_summary(app: &App) -> Result<MoneySummary, PageError> {
    let now = app.now_ms();
    let (from, until) = madd_domain::time::day(now);
    let views = crate::service::balance::balance_views(app).await?;
    let threshold = views
        .first()
        .map(|v| v.threshold.display_spaced())
        .unwrap_or_default();
    let month = Month::containing(now);
    let report = crate::service::report::monthly_report(app, month).await?;
    let rail_costs = crate::service::report::payment_costs_by_rail(app, month)
        .await?
        .into_iter()
        .filter_map(|l| {
            l.trakteer_would_cost
                .map(|w| (l.label, l.fees.display_spaced(), w.display_spaced()))
        })
        .collect();
    let mut conn = app.db.read().await?;
    let today = crate::db::figures::between(&mut conn, from, until).await?;
    let unmatched = crate::db::report::unmatched_held(&mut conn, 0, i64::MAX).await?;
    Ok(MoneySummary {
        today_orders: today.created,
        today_delivered: today.delivered,
        today_revenue: today.revenue.display_spaced(),
        today_gross_profit: today.profit().display_spaced(),
        balances: views
            .iter()
            .map(|view| BalanceLine {
                id: view.supplier.as_str(),
                label: view.supplier.label(),
                balance: view
                    .known
                    .map(|(_, b)| b.display_spaced())
                    .unwrap_or_else(|| "belum diketahui".into()),
                age: view
                    .known
                    .map(|(at, _)| age(now - at))
                    .unwrap_or_else(|| "belum pernah dicek".into()),
                low: view.low,
            })
            .collect(),
        threshold,
        unmatched_payments: unmatched.count,
        month: month.to_string(),
        month_net: report.amount(LineKey::NetProfit).display_spaced(),
        rail_costs,
    })
}

#[derive(Deserialize)]
pub(crate) struct SwitchForm {
    #[serde(default)]
    csrf_token: String,
    /// `close` or `open`.
    #[serde(default)]
    to: String,
}

/// The dashboard's open/closed switch (the chat's `tutup` / `buka`).
pub(crate) async fn store_switch(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<SwitchForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let close = match f.to.as_str() {
        "close" => true,
        "open" => false,
        _ => return Err(AppError::invalid("invalid_switch", "Pilih buka atau tutup").into()),
    };
    crate::service::store_switch::set_closed(&app, close, &s.actor()).await?;
    Ok(Redirect::to(if close {
        "/admin?done=closed"
    } else {
        "/admin?done=opened"
    })
    .into_response())
}

/// `dicek baru saja`, `dicek 5 menit lalu`, `dicek 3 jam lalu`, `dicek 2 hari lalu`.
fn age(ms: i64) -> String {
    if ms < 60_000 {
        "dicek baru saja".into()
    } else {
        format!("dicek {} lalu", crate::web::admin::view::span_id(ms))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_balance_says_how_old_it_is() {
        assert_eq!(super::age(20_000), "dicek baru saja");
        assert_eq!(super::age(5 * 60_000 + 1), "dicek 5 menit lalu");
        assert_eq!(super::age(3 * 3_600_000), "dicek 3 jam lalu");
        assert_eq!(super::age(3 * 86_400_000), "dicek 3 hari lalu");
        assert_eq!(super::age(-5), "dicek baru saja");
    }
}
