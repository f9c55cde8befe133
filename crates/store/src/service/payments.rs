//! Payments from Trakteer's webhook: authenticated, recorded once, matched to an order, settled.

use crate::app::App;
use crate::config::Fulfilment;
use crate::db::order_events;
use crate::db::order_status;
use crate::db::orders::{self, Order};
use crate::db::payments::{self, NewPayment, PaymentState};
use crate::db::{Conn, Tx};
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::payment::trakteer::{self, TipEvent};
use crate::service::payment_pairing::PROVIDER;
use crate::service::{fulfilment, orders as order_service, outbox, settings};
use madd_domain::{OrderCode, OrderStatus, Rupiah};

/// A payment whose message lost the order code is matched by amount to a single awaiting order
/// created this long before it.
const AMOUNT_MATCH_WINDOW_MS: i64 = 6 * 60 * 60 * 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// Counted towards this order.
    Settled {
        order: OrderCode,
        status: OrderStatus,
    },
    /// Authentic, but for no order we know: on the seller's review list.
    Unmatched,
    /// Seen before: nothing changed.
    Duplicate,
    /// Trakteer's "Send Webhook Test".
    Test,
    /// Authentic but unreadable: kept for review.
    Invalid,
    /// A saldo top-up, credited to its customer.
    TopUp,
}

/// Handles one Trakteer webhook delivery. A wrong or missing token is refused before anything is
/// read; everything authentic is acknowledged (Trakteer switches a failing webhook off).
pub async fn trakteer_webhook(
    app: &App,
    token: Option<&str>,
    body: &[u8],
) -> AppResult<WebhookOutcome> {
    if !trakteer::token_matches(&app.config.trakteer.webhook_token, token) {
        tracing::warn!("trakteer webhook with a wrong or missing token refused");
        return Err(AppError::Unauthorized);
    }
    let now = app.now_ms();
    let raw = String::from_utf8_lossy(body).into_owned();
    let event = match trakteer::parse_webhook(body, app.payment.unit_price()) {
        Ok(e) => e,
        Err(e) => return record_invalid(app, &raw, &e.to_string(), now).await,
    };
    if event.is_test {
        let mut conn = app.db.write().await?;
        let new = new_payment(&event, PaymentState::Test, "webhook", &raw, now);
        let inserted = payments::insert_once(&mut conn, &new).await?;
        return Ok(if inserted.is_some() {
            WebhookOutcome::Test
        } else {
            WebhookOutcome::Duplicate
        });
    }
    let outcome = record(app, &event, "webhook", &raw, now).await?;
    app.wake_workers();
    Ok(outcome)
}

fn new_payment<'a>(
    e: &'a TipEvent,
    state: PaymentState,
    source: &'a str,
    raw: &'a str,
    now: i64,
) -> NewPayment<'a> {
    NewPayment {
        provider: PROVIDER,
        transaction_id: &e.transaction_id,
        state,
        source,
        supporter_name: &e.supporter_name,
        message: &e.supporter_message,
        quantity: e.quantity,
        gross: e.total,
        net: e.net_amount,
        price_reading: Some(e.price_reading.as_str()),
        note: None,
        raw,
        paid_at: e.created_at.map(crate::clock::to_millis),
        received_at: now,
    }
}

async fn record_invalid(app: &App, raw: &str, reason: &str, now: i64) -> AppResult<WebhookOutcome> {
    // An id for idempotency even when the body cannot be read: its transaction id if present,
    // else a digest of the body.
    let id = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| {
            v.get("transaction_id")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| {
            use sha2::Digest;
            format!(
                "invalid-{}",
                hex::encode(sha2::Sha256::digest(raw.as_bytes()))
            )
        });
    tracing::warn!(transaction = %id, %reason, "authentic trakteer webhook could not be read");
    let mut tx = app.db.begin().await?;
    let inserted = payments::insert_once(
        &mut tx,
        &NewPayment {
            provider: PROVIDER,
            transaction_id: &id,
            state: PaymentState::Invalid,
            source: "webhook",
            supporter_name: "",
            message: "",
            quantity: 0,
            gross: Rupiah::ZERO,
            net: None,
            price_reading: None,
            note: Some(reason),
            raw,
            paid_at: None,
            received_at: now,
        },
    )
    .await?;
    if inserted.is_some() {
        let review = app.config.link("/admin/payments");
        outbox::to_seller(
            &app.config,
            &mut tx,
            None,
            &notify::seller_unmatched_payment(Rupiah::ZERO, "?", reason, &review),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(if inserted.is_some() {
        WebhookOutcome::Invalid
    } else {
        WebhookOutcome::Duplicate
    })
}

/// Records a payment once and settles the order it belongs to, in one transaction.
pub async fn record(
    app: &App,
    event: &TipEvent,
    source: &str,
    raw: &str,
    now: i64,
) -> AppResult<WebhookOutcome> {
    let mut tx = app.db.begin().await?;
    // A payment reconciliation already recorded from Trakteer's API is this one, arriving late.
    if crate::service::payment_pairing::is_known_from_api(&mut tx, app.db.backend, event).await? {
        tx.commit().await?;
        return Ok(WebhookOutcome::Duplicate);
    }
    let new = new_payment(event, PaymentState::Unmatched, source, raw, now);
    let Some(payment) = payments::insert_once(&mut tx, &new).await? else {
        return Ok(WebhookOutcome::Duplicate);
    };
    // A top-up's code first: its payment must never be paired with an order by amount.
    if crate::service::saldo::credit::take_topup_payment(&mut tx, &payment, now).await? {
        tx.commit().await?;
        app.wake_workers();
        tracing::info!(transaction = %event.transaction_id, amount = %event.total, "saldo top-up paid");
        return Ok(WebhookOutcome::TopUp);
    }
    let order = find_order(&mut tx, &event.supporter_message, event.total, now).await?;
    let Some(order) = order else {
        let review = app.config.link("/admin/payments");
        outbox::to_seller(
            &app.config,
            &mut tx,
            None,
            &notify::seller_unmatched_payment(
                event.total,
                &event.supporter_name,
                &event.supporter_message,
                &review,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(transaction = %event.transaction_id, amount = %event.total, "payment matches no order");
        return Ok(WebhookOutcome::Unmatched);
    };
    payments::attach(&mut tx, payment.id, order.id).await?;
    let received = Received {
        amount: event.total,
        net: event.net_amount,
        transaction_id: &event.transaction_id,
        by: &payment.provider,
    };
    let status = settle(app, &mut tx, &order, &received, now).await?;
    tx.commit().await?;
    tracing::info!(order = %order.code, amount = %event.total, status = %status, "payment recorded");
    Ok(WebhookOutcome::Settled {
        order: order.code,
        status,
    })
}

/// Whether an expired order could be bought again as it is: the product is sold and in stock at
/// no more than the order's price, and the store is open.
async fn still_sells(tx: &mut Tx, order: &Order) -> AppResult<bool> {
    if crate::db::store_state::paused(tx).await? {
        return Ok(false);
    }
    Ok(crate::db::products::get(tx, &order.product_code)
        .await?
        .is_some_and(|p| p.sellable() && p.price <= order.price))
}

/// Money received for an order, from whichever way it came.
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    pub amount: Rupiah,
    /// What the store keeps of it, when the rail says.
    pub net: Option<Rupiah>,
    pub transaction_id: &'a str,
    /// Who brought it, as the order's timeline names it: the rail (`trakteer`, …) or `saldo`.
    pub by: &'a str,
}

/// Adds the money `received` to `order` and tells everyone what it means; the caller commits.
pub async fn settle(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    received: &Received<'_>,
    now: i64,
) -> AppResult<OrderStatus> {
    if order.status == OrderStatus::Expired && still_sells(tx, order).await? {
        revive(app, tx, order, received, now).await?;
    }
    let Some((status, paid_total)) =
        order_status::add_payment(tx, order.id, received.amount, now).await?
    else {
        return late_payment(app, tx, order, received, now).await;
    };
    let auto = settings::on(tx, &app.config).await?.fulfilment == Fulfilment::Auto;
    let paid = Paid {
        received,
        paid_total,
        auto,
    };
    match status {
        OrderStatus::Paid => paid_in_full(app, tx, order, &paid, now).await?,
        _ => underpaid(app, tx, order, &paid, now).await?,
    }
    Ok(status)
}

/// What a payment that counted towards an order brought it to.
struct Paid<'a> {
    received: &'a Received<'a>,
    paid_total: Rupiah,
    /// The order goes to the supplier by itself once paid.
    auto: bool,
}

/// Paid late, but the same item at the same price can still be bought: taken up again.
async fn revive(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    received: &Received<'_>,
    now: i64,
) -> AppResult<()> {
    let Received { amount, by, .. } = *received;
    let deadline = now + app.config.payment_window_minutes * 60_000;
    if order_status::revive(tx, order.id, deadline, now).await? {
        order_events::add_event(
            tx,
            order.id,
            now,
            by,
            "revived",
            &format!("Dibayar setelah kedaluwarsa ({amount}); harga dan stok masih sama: pesanan dilanjutkan"),
        )
        .await?;
    }
    Ok(())
}

/// Paid, expired or done already: keep the money on record and tell the seller.
async fn late_payment(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    received: &Received<'_>,
    now: i64,
) -> AppResult<OrderStatus> {
    let Received {
        amount,
        transaction_id,
        by,
        ..
    } = *received;
    let f = order_service::facts(app, order);
    let total = order_status::add_late_payment(tx, order.id, amount, now).await?;
    order_events::add_event(tx, order.id, now, by, "late_payment", &format!(
        "Pembayaran {amount} (transaksi {transaction_id}) masuk saat status {}; total dibayar {total}",
        order.status.label_id()
    ))
    .await?;
    outbox::to_seller(
        &app.config,
        tx,
        Some(order.id),
        &notify::seller_late_payment(&f, amount, order.status.label_id()),
        now,
    )
    .await?;
    let to_saldo = settings::on(tx, &app.config).await?.refund_to_saldo;
    // Paid twice (both rails' QRIS, say) for an order already delivered: the extra is an
    // overpayment, returned to saldo as one is on delivery. On an order still on its way that
    // happens when it is delivered.
    if order.status == OrderStatus::Delivered && to_saldo {
        crate::service::saldo::credit::overpayment_to_saldo(app, tx, order, now).await?;
        return Ok(order.status);
    }
    // The customer's money, not the store's: to their saldo at once when the seller lets
    // refunds go there (otherwise the seller decides, as told above).
    if order.status == OrderStatus::Expired && to_saldo {
        crate::service::saldo::credit::credit_for_order(
            app,
            tx,
            order,
            amount,
            crate::db::wallets::EntryKind::LatePayment,
            "system",
            now,
        )
        .await?;
    }
    Ok(order.status)
}

async fn paid_in_full(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    paid: &Paid<'_>,
    now: i64,
) -> AppResult<()> {
    let Received {
        amount,
        net,
        transaction_id,
        by,
    } = *paid.received;
    let Paid {
        paid_total, auto, ..
    } = *paid;
    let f = order_service::facts(app, order);
    let over = paid_total - order.amount_due;
    let detail = if over.is_positive() {
        format!(
            "Pembayaran {amount} diterima (transaksi {transaction_id}); lunas, lebih bayar {over}"
        )
    } else {
        format!("Pembayaran {amount} diterima (transaksi {transaction_id}); lunas")
    };
    order_events::add_event(tx, order.id, now, by, "paid", &detail).await?;
    // The voucher use and the sale unit the order held are the customer's for good.
    crate::db::holds::spend(tx, crate::db::holds::VOUCHER, order.id, now).await?;
    crate::db::holds::spend(tx, crate::db::holds::FLASH_SALE, order.id, now).await?;
    outbox::enqueue(
        tx,
        Some(order.id),
        &order.whatsapp,
        &notify::payment_received(&f, paid_total, auto),
        now,
    )
    .await?;
    outbox::to_seller(
        &app.config,
        tx,
        Some(order.id),
        &notify::seller_payment(&f, amount, net, paid_total, true, auto),
        now,
    )
    .await?;
    if auto {
        fulfilment::start_processing(tx, order.id, "system", false, now).await?;
    }
    Ok(())
}

async fn underpaid(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    paid: &Paid<'_>,
    now: i64,
) -> AppResult<()> {
    let Received {
        amount,
        net,
        transaction_id,
        by,
    } = *paid.received;
    let Paid {
        paid_total, auto, ..
    } = *paid;
    let f = order_service::facts(app, order);
    let shortfall = order.amount_due - paid_total;
    order_events::add_event(
        tx,
        order.id,
        now,
        by,
        "underpaid",
        &format!("Pembayaran {amount} diterima (transaksi {transaction_id}); kurang {shortfall}"),
    )
    .await?;
    // The customer gets a full payment window from now to pay the rest — with a QRIS for the
    // rest where a gateway makes one.
    let deadline = now + app.config.payment_window_minutes * 60_000;
    order_status::extend_expiry(tx, order.id, deadline).await?;
    if crate::service::rails::makes_payments(app) {
        crate::service::rails::schedule_open(tx, order.id, now).await?;
    }
    let rest = if crate::service::rails::makes_payments(app) {
        app.config.link(&format!("/order/{}", order.code))
    } else {
        app.payment.pay_url(
            &order.code,
            shortfall.round_up_to(app.payment.unit_price()),
            "Pelanggan Madd Store",
        )
    };
    outbox::enqueue(
        tx,
        Some(order.id),
        &order.whatsapp,
        &notify::payment_short(&f, paid_total, shortfall, &rest),
        now,
    )
    .await?;
    outbox::to_seller(
        &app.config,
        tx,
        Some(order.id),
        &notify::seller_payment(&f, amount, net, paid_total, false, auto),
        now,
    )
    .await?;
    Ok(())
}

/// The order a payment belongs to: a code in the message (tolerant of the customer's edits),
/// else the single order awaiting exactly this amount, created shortly before.
async fn find_order(
    conn: &mut Conn,
    message: &str,
    amount: Rupiah,
    now: i64,
) -> AppResult<Option<Order>> {
    for code in OrderCode::candidates_in(message) {
        if let Some(order) = orders::by_code(conn, &code).await? {
            return Ok(Some(order));
        }
    }
    let mut candidates =
        orders::awaiting_with_amount(conn, amount, now - AMOUNT_MATCH_WINDOW_MS, now).await?;
    Ok(if candidates.len() == 1 {
        candidates.pop()
    } else {
        None
    })
}

/// The seller attaches an unmatched payment to an order by hand.
pub async fn attach(app: &App, payment_id: i64, code: &str, actor: &str) -> AppResult<OrderStatus> {
    let code =
        OrderCode::parse(code).ok_or_else(|| AppError::not_found("order_not_found", "Pesanan"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let order = orders::by_code(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::not_found("order_not_found", "Pesanan"))?;
    let payment = payments::by_id(&mut tx, payment_id)
        .await?
        .ok_or_else(|| AppError::not_found("payment_not_found", "Pembayaran"))?;
    if payment.state != PaymentState::Unmatched
        || !payments::attach(&mut tx, payment.id, order.id).await?
    {
        return Err(AppError::conflict(
            "payment_not_attachable",
            "Pembayaran ini sudah dicocokkan atau bukan pembayaran nyata",
        ));
    }
    order_events::add_event(
        &mut tx,
        order.id,
        now,
        actor,
        "payment_attached",
        &format!(
            "Pembayaran {} ({}) dicocokkan manual",
            payment.gross, payment.transaction_id
        ),
    )
    .await?;
    let received = Received {
        amount: payment.gross,
        net: payment.net,
        transaction_id: &payment.transaction_id,
        by: &payment.provider,
    };
    let status = settle(app, &mut tx, &order, &received, now).await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(status)
}
