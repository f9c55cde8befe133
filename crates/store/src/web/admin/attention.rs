//! *Perlu tindakan*: everything waiting for the seller, gathered for the top of the dashboard —
//! paid orders to process, orders the watchdog found unfinished, failed orders waiting for a
//! refund, open cash-out requests with their age, unmatched payments, webhooks kept raw, low
//! supplier balances and failed store checks, each with its one action.

use madd_domain::OrderStatus;

use crate::app::App;
use crate::db::orders::{self, OrderFilter};
use crate::db::cash_outs::{self, CashOutState};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::admin::dashboard::MoneySummary;
use crate::web::admin::view::{order_row, span_id, OrderRow};

/// An open cash-out request as the list shows it.
pub(crate) struct CashOutItem {
    pub id: i64,
    pub customer: String,
    pub amount: String,
    pub to: String,
    /// "2 jam" since it was asked for.
    pub waiting: String,
}

/// A supplier balance under the seller's threshold.
pub(crate) struct LowBalance {
    pub id: &'static str,
    pub label: &'static str,
    pub balance: String,
}

pub(crate) struct Attention {
    pub orders: Vec<OrderRow>,
    pub cash_outs: Vec<CashOutItem>,
    pub unmatched_payments: i64,
    /// Authentic webhooks that could not be recorded and wait, raw, for the seller's eyes.
    pub kept_webhooks: i64,
    pub low_balances: Vec<LowBalance>,
    pub threshold: String,
    pub failed_checks: Vec<&'static str>,
}

impl Attention {
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
            && self.cash_outs.is_empty()
            && self.unmatched_payments == 0
            && self.kept_webhooks == 0
            && self.low_balances.is_empty()
            && self.failed_checks.is_empty()
    }
}

/// What waits for the seller now.
pub(crate) async fn gather(
    app: &App,
    conn: &mut Conn,
    money: &MoneySummary,
    failed_checks: Vec<&'static str>,
) -> AppResult<Attention> {
    let now = app.now_ms();
    Ok(Attention {
        orders: orders_to_act_on(conn, now).await?,
        cash_outs: cash_outs::list(conn, 50)
            .await?
            .into_iter()
            .filter(|c| c.state == CashOutState::Requested)
            .map(|c| CashOutItem {
                id: c.id,
                customer: madd_domain::PhoneNumber::parse(&c.whatsapp)
                    .map(|p| p.local())
                    .unwrap_or(c.whatsapp),
                amount: c.amount.display_spaced(),
                to: format!("{} {}", c.method.to_uppercase(), c.account),
                waiting: span_id((now - c.created_at).max(0)),
            })
            .collect(),
        unmatched_payments: money.unmatched_payments,
        kept_webhooks: crate::db::webhooks_kept::count_open(conn).await?,
        low_balances: money
            .balances
            .iter()
            .filter(|b| b.low)
            .map(|b| LowBalance {
                id: b.id,
                label: b.label,
                balance: b.balance.clone(),
            })
            .collect(),
        threshold: money.threshold.clone(),
        failed_checks,
    })
}

/// Paid orders to process, failed ones waiting for a refund, underpaid ones, and orders in
/// *Diproses* the watchdog found unfinished past the seller's time.
async fn orders_to_act_on(conn: &mut Conn, now: i64) -> AppResult<Vec<OrderRow>> {
    let mut rows = Vec::new();
    for st in [
        OrderStatus::Paid,
        OrderStatus::Failed,
        OrderStatus::Underpaid,
    ] {
        let list = orders::list(
            conn,
            &OrderFilter {
                status: Some(st),
                search: None,
                limit: 50,
                ..OrderFilter::default()
            },
        )
        .await?;
        rows.extend(list.iter().map(order_row));
    }
    let overdue = orders::overdue(conn, now, true, 50).await?;
    rows.extend(
        overdue
            .iter()
            .filter(|o| o.status == OrderStatus::Processing)
            .map(order_row),
    );
    Ok(rows)
}
