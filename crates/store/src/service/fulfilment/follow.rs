//! Following a placed order to its end: polling the supplier, VIP's callback and Digiflazz's
//! webhook, and telling the customer and the seller.

use super::*;

/// Orders still pending at the supplier after this long are handed to the seller.
pub(super) const FOLLOW_FOR_MS: i64 = 24 * 60 * 60 * 1000;

/// One follow-up job per attempt: a job still waiting for an earlier attempt (a minute between
/// Digiflazz re-checks) never holds back the first look at the next attempt.
pub(super) fn follow_key(order: &Order) -> String {
    format!("follow:{}:{}", order.id, order.placement_attempts)
}

pub(super) async fn schedule_follow(app: &App, order: &Order, now: i64) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    jobs::schedule(
        &mut conn,
        JobKind::FollowOrder,
        order.id,
        now,
        now,
        Some(&follow_key(order)),
    )
    .await?;
    Ok(())
}

/// Poll often at first (most orders finish in seconds), then less.
pub(super) fn poll_delay(age_ms: i64) -> i64 {
    match age_ms {
        a if a < 2 * 60_000 => 3_000,
        a if a < 30 * 60_000 => 30_000,
        _ => 5 * 60_000,
    }
}

/// The follow-up job: asks the supplier for the order's status until it is final.
pub async fn follow(app: &App, order_id: i64) -> AppResult<Outcome> {
    let order = {
        let mut conn = app.db.write().await?;
        orders::by_id(&mut conn, order_id).await?
    };
    let Some(order) = order else {
        return Ok(Outcome::Done);
    };
    let Some(trxid) = order.supplier_trxid.clone() else {
        return Ok(Outcome::Done);
    };
    if order.status != madd_domain::OrderStatus::Processing {
        return Ok(Outcome::Done);
    }
    let now = app.now_ms();
    let Some(supplier) = app.suppliers.get(current_supplier(&order)).cloned() else {
        give_up(
            app,
            order.id,
            &format!(
                "{} tidak lagi dipakai toko; cek pesanan {trxid} di sana",
                current_supplier(&order).label()
            ),
        )
        .await?;
        return Ok(Outcome::Done);
    };
    let min_gap = supplier.min_recheck_ms();
    if min_gap > 0 {
        let attempt = {
            let mut conn = app.db.write().await?;
            supplier_attempts::get(&mut conn, order.id, order.placement_attempts).await?
        };
        if let Some(last) = attempt.and_then(|a| a.checked_at) {
            if now - last < min_gap {
                return Ok(Outcome::Later(last + min_gap));
            }
        }
        let mut conn = app.db.write().await?;
        supplier_attempts::checked(&mut conn, order.id, order.placement_attempts, now).await?;
    }
    match supplier
        .attempt_status(&place_request(&order), &trxid)
        .await
    {
        Err(e) => Ok(Outcome::Retry(e.to_string())),
        Ok(None) => Ok(Outcome::Retry(format!("supplier does not know {trxid}"))),
        Ok(Some(update)) => {
            let mut tx = app.db.begin().await?;
            outcome::apply(
                app,
                &mut tx,
                (order.id, order.placement_attempts),
                &outcome::report_of(&update),
                outcome::Via::Recheck,
                now,
            )
            .await?;
            tx.commit().await?;
            app.wake_workers();
            if update.status.is_terminal() {
                Ok(Outcome::Done)
            } else if now - order.placement_started_at.unwrap_or(order.updated_at) > FOLLOW_FOR_MS {
                give_up(
                    app,
                    order.id,
                    "pesanan belum selesai di supplier setelah 24 jam",
                )
                .await?;
                Ok(Outcome::Done)
            } else {
                let age = now - order.placement_started_at.unwrap_or(now);
                Ok(Outcome::Later(now + poll_delay(age).max(min_gap)))
            }
        }
    }
}

pub(super) async fn fail_notices(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    reason: &str,
    retryable: bool,
    now: i64,
) -> AppResult<()> {
    let f = order_service::facts(app, order);
    order_events::add_event(
        tx,
        order.id,
        now,
        "supplier",
        "failed",
        &format!(
            "Gagal: {reason}{}",
            if retryable { " (bisa diulang)" } else { "" }
        ),
    )
    .await?;
    // A failure that will not go away: the customer's money goes back to their saldo at once,
    // unless the seller asked to decide each refund — money that came from saldo always goes
    // back there (a reseller's bot is told `Gagal` only once its price is back).
    let refunded = if !retryable
        && (crate::service::settings::on(tx, &app.config)
            .await?
            .refund_to_saldo
            || crate::service::saldo::credit::paid_from_saldo(tx, order).await?)
    {
        crate::service::saldo::credit::refund_failed(app, tx, order, now).await?
    } else {
        None
    };
    outbox::to_seller(
        &app.config,
        tx,
        Some(order.id),
        &notify::seller_order_failed(&f, reason, retryable, refunded),
        now,
    )
    .await?;
    if !retryable && refunded.is_none() {
        outbox::enqueue(
            tx,
            Some(order.id),
            &order.whatsapp,
            &notify::order_failed(&f),
            now,
        )
        .await?;
    }
    Ok(())
}

/// VIP's callback: signature checked, then applied like a polled status. Never calls out.
pub async fn vip_callback(app: &App, signature: Option<&str>, body: &[u8]) -> AppResult<()> {
    let update = match vip_reseller::parse_callback(
        signature,
        body,
        &app.config.vip.api_id,
        &app.config.vip.api_key,
    ) {
        Ok(u) => u,
        Err(e) if e.is_unauthenticated() => {
            tracing::warn!(error = %e, "supplier callback without proof of origin refused");
            return Err(AppError::Unauthorized);
        }
        Err(e) => {
            tracing::warn!(error = %e, "authentic supplier callback could not be read");
            return Ok(());
        }
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(tried) =
        supplier_attempts::by_trxid(&mut tx, SupplierId::VipReseller, &update.trxid).await?
    else {
        // A callback can beat the commit of our own placement (polling catches up).
        tracing::info!(trxid = %update.trxid, "callback for an order not recorded (yet)");
        return Ok(());
    };
    outcome::apply(
        app,
        &mut tx,
        (tried.order_id, tried.attempt),
        &outcome::report_of(&update),
        outcome::Via::Webhook,
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}

/// Digiflazz's webhook: signature checked over the raw body before anything is read, then the
/// transaction applied like a re-check — only to the attempt it belongs to while that attempt is
/// the order's current one, and only forward. Never calls out.
pub async fn digiflazz_webhook(
    app: &App,
    signature: Option<&str>,
    event: Option<&str>,
    body: &[u8],
) -> AppResult<()> {
    use crate::supplier::digiflazz::{self, webhook};
    let parsed = webhook::parse(
        app.config.digiflazz.webhook_secret.expose(),
        signature,
        event,
        body,
    );
    let event = match parsed {
        Ok(Some(e)) => e,
        Ok(None) => return Ok(()),
        Err(webhook::WebhookError::Unauthenticated) => {
            tracing::warn!("Digiflazz webhook without a valid signature refused");
            return Err(AppError::Unauthorized);
        }
        Err(e) => {
            tracing::warn!(error = %e, "authentic Digiflazz webhook could not be read");
            return Ok(());
        }
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(attempt) =
        supplier_attempts::by_reference(&mut tx, SupplierId::Digiflazz, &event.ref_id).await?
    else {
        // Account-wide: a transaction made elsewhere (the panel, another store).
        tracing::info!(ref_id = %event.ref_id, "Digiflazz webhook for a transaction not ours");
        return Ok(());
    };
    let Some(order) = orders::by_id(&mut tx, attempt.order_id).await? else {
        return Ok(());
    };
    let request = PlaceOrder {
        service: attempt.sku.clone(),
        reference: attempt.reference.clone(),
        ..place_request(&order)
    };
    let update = digiflazz::supplier_order(
        &request,
        &digiflazz::Transaction {
            ref_id: event.ref_id.clone(),
            outcome: event.outcome.clone(),
            price: event.price,
        },
    );
    outcome::apply(
        app,
        &mut tx,
        (attempt.order_id, attempt.attempt),
        &outcome::report_of(&update),
        outcome::Via::Webhook,
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}
