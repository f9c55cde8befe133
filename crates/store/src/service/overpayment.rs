//! Giving an overpayment back: an order paid more than its amount due (paid or delivered) keeps
//! its status; the return is recorded with how, how much, a note and who, in the order's timeline
//! and in the monthly report (see `madd_domain::report`).

use madd_domain::{OrderStatus, RefundMethod, Rupiah};

use crate::app::App;
use crate::db::order_events;
use crate::db::overpayments::{self as repo, Overpaid};
use crate::error::{AppError, AppResult};

/// Whether an order in `status` can have its overpayment given back.
pub fn returnable(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Paid | OrderStatus::Delivered)
}

/// The order's overpayment and what went back of it.
pub async fn of_order(app: &App, order_id: i64) -> AppResult<Overpaid> {
    let mut conn = app.db.write().await?;
    Ok(repo::of_order(&mut conn, order_id).await?)
}

/// Records that `amount` of the order's overpayment went back to the customer.
pub async fn give_back(
    app: &App,
    code: &str,
    actor: &str,
    method: RefundMethod,
    amount: Rupiah,
    note: &str,
) -> AppResult<()> {
    let label = method.label();
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::invalid(
            "invalid_note",
            "Catatan paling panjang 500 huruf",
        ));
    }
    let order = crate::service::orders::get(app, code).await?;
    let over = of_order(app, order.id).await?;
    if !returnable(order.status) || over.open() == Rupiah::ZERO {
        return Err(AppError::conflict(
            "no_overpayment",
            "Pesanan ini tidak punya kelebihan bayar yang bisa dikembalikan.",
        ));
    }
    if !amount.is_positive() || amount > over.open() {
        return Err(AppError::invalid(
            "invalid_refund_amount",
            format!(
                "Jumlah harus lebih dari Rp0 dan paling banyak kelebihan bayar ({})",
                over.open()
            ),
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    // Checked again by the UPDATE itself (another return or a status change may have come
    // between the read above and here).
    let ret = repo::NewReturn {
        order_id: order.id,
        amount,
        method: method.as_str(),
        note,
        actor,
    };
    if !repo::record_return(&mut tx, &ret, now).await? {
        return Err(AppError::conflict(
            "no_overpayment",
            "Kelebihan bayar pesanan ini sudah berubah; muat ulang halaman.",
        ));
    }
    let detail = if note.is_empty() {
        format!("Kelebihan bayar {amount} dikembalikan via {label}")
    } else {
        format!("Kelebihan bayar {amount} dikembalikan via {label}: {note}")
    };
    order_events::add_event(&mut tx, order.id, now, actor, "overpaid_returned", &detail).await?;
    if method == RefundMethod::Saldo {
        crate::service::saldo::credit::credit_for_order(
            app,
            &mut tx,
            &order,
            amount,
            crate::db::wallets::EntryKind::Overpayment,
            actor,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    app.wake_workers();
    tracing::info!(%code, %amount, %method, %actor, "overpayment returned");
    Ok(())
}
