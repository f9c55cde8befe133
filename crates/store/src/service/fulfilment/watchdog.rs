//! No paid order goes unheard (DESIGN.md invariant 13): whatever stops an order — a supplier that
//! never answers, a lost webhook, a bug not found yet — a paid order neither delivered nor
//! refunded within the seller's time (`watchdog_minutes`, 15 by default) is put on *Perlu
//! tindakan* and the seller gets one WhatsApp alert with its link. It decides nothing about the
//! order itself: the customer's invoice keeps saying what is true (paid, being processed).

use super::*;

pub const JOB_KEY: &str = "periodic:watchdog";
/// How often the watchdog looks.
pub const INTERVAL_MS: i64 = 60_000;
/// The most orders one look alerts (the rest are found a minute later).
const BATCH: i64 = 100;

/// The periodic job.
pub async fn watch_paid_orders(app: &App) -> AppResult<Outcome> {
    let now = app.now_ms();
    let settings = crate::service::settings::current(app).await?;
    let overdue = {
        let mut conn = app.db.read().await?;
        orders::overdue(&mut conn, now - settings.watchdog_ms, false, BATCH).await?
    };
    let minutes = settings.watchdog_ms / 60_000;
    for order in overdue {
        let mut tx = app.db.begin().await?;
        if order_status::watchdog_alerted(&mut tx, order.id, now).await? {
            let status = order.status.label_id();
            order_events::add_event(
                &mut tx,
                order.id,
                now,
                "system",
                "overdue",
                &format!(
                    "Belum terkirim atau di-refund {minutes} menit setelah dibayar (status: \
                     {status}): masuk Perlu tindakan"
                ),
            )
            .await?;
            let f = order_service::facts(app, &order);
            outbox::to_seller(
                &app.config,
                &mut tx,
                Some(order.id),
                &notify::seller_order_overdue(&f, status, minutes),
                now,
            )
            .await?;
            tracing::warn!(order = %order.code, %status, minutes, "paid order overdue; seller alerted");
        }
        tx.commit().await?;
    }
    app.wake_workers();
    Ok(Outcome::Later(now + INTERVAL_MS))
}
