//! Refunding a failed order to the customer.

use crate::app::App;
use crate::db::order_events;
use crate::db::order_status;
use crate::error::{AppError, AppResult};
use madd_domain::{RefundMethod, Rupiah};

/// Marks a failed order refunded with how, how much and a note; the timeline says who.
pub async fn refund(
    app: &App,
    code: &str,
    actor: &str,
    method: RefundMethod,
    amount: Option<Rupiah>,
    note: &str,
) -> AppResult<()> {
    let order = crate::service::orders::get(app, code).await?;
    let not_refundable = || {
        AppError::conflict(
            "order_not_refundable",
            "Hanya pesanan Gagal yang bisa ditandai refund.",
        )
    };
    // The domain decides; the conditional UPDATE below is the same rule against a race.
    if !order.status.can_refund() {
        return Err(not_refundable());
    }
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
    if !order_status::mark_refunded(&mut tx, order.id, method.as_str(), note.trim(), amount, now)
        .await?
    {
        return Err(not_refundable());
    }
    let detail = if note.trim().is_empty() {
        format!("Refund {amount} via {method}")
    } else {
        format!("Refund {amount} via {method}: {}", note.trim())
    };
    order_events::add_event(&mut tx, order.id, now, actor, "refunded", &detail).await?;
    if method == RefundMethod::Saldo && amount.is_positive() {
        crate::service::saldo::credit::credit_for_order(
            app,
            &mut tx,
            &order,
            amount,
            crate::db::wallets::EntryKind::Refund,
            actor,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}
