//! The order's payment at the rails, in the seller's order of preference: after an order
//! commits, [`open`] (a job, never inside the order's transaction) makes its QRIS at the first
//! rail that is neither paused nor resting after a failure; a rail that refuses, errs or times
//! out rests for [`REST_MS`] and the next is asked. The customer sees one way to pay at a time;
//! an earlier attempt whose outcome is unknown stays *superseded* — still watched by
//! [`checks`], and a payment on it still counts ([`intake`]).

pub mod checks;
pub mod intake;

use madd_domain::rail::AttemptState;
use madd_domain::{OrderStatus, RailId, Rupiah};

use crate::app::App;
use crate::db::order_events;
use crate::db::orders::{self, Order};
use crate::db::payment_attempts::{self, NewAttempt, Opened, PayAttempt};
use crate::error::AppResult;
use crate::jobs::queue::{self, JobKind, Outcome};
use crate::payment::gateway::{CreatedPayment, GatewayError, NewPayment};

/// How long a rail that failed is passed over.
pub const REST_MS: i64 = 5 * 60_000;
/// When no rail can take the order now, how soon to try again.
const RETRY_MS: i64 = 20_000;
/// The first check of a new attempt nothing is heard of.
const FIRST_CHECK_MS: i64 = 60_000;

/// Whether orders get a payment made per order (a gateway is among the rails): they are queued
/// an [`open`] job when they are written.
pub fn makes_payments(app: &App) -> bool {
    app.rails.order().iter().any(|r| r.is_gateway())
}

/// Queues the job that makes `order_id`'s payment (in the caller's transaction).
pub async fn schedule_open(conn: &mut crate::db::Conn, order_id: i64, now: i64) -> AppResult<()> {
    queue::schedule(conn, JobKind::OpenPayment, order_id, now, now, None).await?;
    Ok(())
}

/// The open-payment job: makes the order's payment at the first rail that can take it.
pub async fn open(app: &App, order_id: i64) -> AppResult<Outcome> {
    let now = app.now_ms();
    let (order, attempts) = {
        let mut conn = app.db.read().await?;
        let Some(order) = orders::by_id(&mut conn, order_id).await? else {
            return Ok(Outcome::Done);
        };
        let attempts = payment_attempts::of_order(&mut conn, order_id).await?;
        (order, attempts)
    };
    if !wants_payment(&order, now) {
        return Ok(Outcome::Done);
    }
    // A retried job, or two processes: an attempt the customer can pay is already there —
    // unless part of the order was paid since (saldo, say): its QRIS is then for too much.
    let owed = order.shortfall();
    for a in &attempts {
        match a.state {
            AttemptState::Creating => return Ok(Outcome::Done),
            AttemptState::Open if a.amount == owed => return Ok(Outcome::Done),
            AttemptState::Open => {
                let mut conn = app.db.write().await?;
                payment_attempts::advance(
                    &mut conn,
                    a.id,
                    AttemptState::Open,
                    AttemptState::Superseded,
                    "sebagian sudah dibayar: QRIS baru untuk sisanya",
                    now,
                )
                .await?;
                forget(app, order.id);
            }
            _ => {}
        }
    }
    for rail in app.rails.order().to_vec() {
        if !usable(app, rail, now).await? {
            continue;
        }
        match try_rail(app, &order, rail, now).await? {
            Tried::Opened => return Ok(Outcome::Done),
            Tried::Failed => {}
        }
    }
    tracing::warn!(order = %order.code, "no payment rail could take the order; trying again");
    metrics::counter!("madd_payment_no_rail_total").increment(1);
    Ok(Outcome::Later(app.now_ms() + RETRY_MS))
}

/// The order still takes a payment and has time left to be paid.
fn wants_payment(order: &Order, now: i64) -> bool {
    matches!(
        order.status,
        OrderStatus::AwaitingPayment | OrderStatus::Underpaid
    ) && order.shortfall().is_positive()
        && order.expires_at > now
}

/// Neither paused by the seller nor resting after a failure.
async fn usable(app: &App, rail: RailId, now: i64) -> AppResult<bool> {
    let mut conn = app.db.read().await?;
    let state = payment_attempts::rail_state(&mut conn, rail).await?;
    Ok(state.paused_at.is_none() && state.unhealthy_until <= now)
}

enum Tried {
    Opened,
    Failed,
}

async fn try_rail(app: &App, order: &Order, rail: RailId, now: i64) -> AppResult<Tried> {
    let Some(attempt) = start(app, order, rail, now).await? else {
        // Another process numbered the same attempt: it is making the payment.
        return Ok(Tried::Opened);
    };
    let Some(gateway) = app.rails.gateway(rail).cloned() else {
        // Trakteer makes nothing: its attempt is the pay link, open at once.
        opened(app, order, &attempt, None, now).await?;
        return Ok(Tried::Opened);
    };
    let new = new_payment(app, order, &attempt);
    let result = gateway.create(&new).await;
    let now = app.now_ms();
    match result {
        Ok(created) if usable_answer(&created, attempt.amount) => {
            opened(app, order, &attempt, Some(&created), now).await?;
            metrics::counter!("madd_payment_attempts_total", "rail" => rail.as_str(), "outcome" => "opened").increment(1);
            Ok(Tried::Opened)
        }
        Ok(created) => {
            let reason = format!(
                "jumlah dari {} {} (biaya pembeli {}) tidak sama dengan tagihan {}",
                rail.label(),
                created.amount,
                created.fee_customer,
                attempt.amount
            );
            failed(app, order, &attempt, AttemptState::Superseded, &reason).await?;
            Ok(Tried::Failed)
        }
        Err(GatewayError::Refused(reason)) => {
            failed(app, order, &attempt, AttemptState::Failed, &reason).await?;
            Ok(Tried::Failed)
        }
        // It may exist: watched as superseded until the rail says what became of it.
        Err(GatewayError::Unknown(reason)) => {
            failed(app, order, &attempt, AttemptState::Superseded, &reason).await?;
            Ok(Tried::Failed)
        }
    }
}

/// The gateway made exactly what was asked: the amount, and no fee on the buyer (Bank
/// Indonesia forbids QRIS surcharges).
fn usable_answer(created: &CreatedPayment, amount: Rupiah) -> bool {
    created.amount == amount && !created.fee_customer.is_positive()
}

async fn start(app: &App, order: &Order, rail: RailId, now: i64) -> AppResult<Option<PayAttempt>> {
    let mut conn = app.db.write().await?;
    Ok(payment_attempts::insert(
        &mut conn,
        &NewAttempt {
            order_id: order.id,
            rail,
            order_code: order.code.as_str(),
            amount: order.shortfall(),
            expires_at: order.expires_at,
            check_at: now + FIRST_CHECK_MS,
            now,
        },
    )
    .await?)
}

fn new_payment(app: &App, order: &Order, attempt: &PayAttempt) -> NewPayment {
    NewPayment {
        merchant_ref: attempt.merchant_ref.clone(),
        amount: attempt.amount,
        item_code: order.product_code.clone(),
        item_name: crate::service::orders::facts(app, order).product_name,
        customer_name: order
            .nickname
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "Pelanggan Madd Store".into()),
        customer_phone: Some(order.whatsapp.as_str().to_string()),
        expires_at_ms: attempt.expires_at,
        notify_url: app
            .config
            .link(&format!("/webhooks/{}", attempt.rail.as_str())),
        return_url: app.config.link(&format!("/order/{}", order.code)),
    }
}

/// The attempt is the order's way to pay now ([`open`] superseded any older one first).
async fn opened(
    app: &App,
    order: &Order,
    attempt: &PayAttempt,
    created: Option<&CreatedPayment>,
    now: i64,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let expires_at = created
        .and_then(|c| c.expires_at_ms)
        .map_or(attempt.expires_at, |e| e.min(attempt.expires_at));
    let opened = payment_attempts::open(
        &mut tx,
        attempt.id,
        &Opened {
            reference: created.map_or("", |c| c.reference.as_str()),
            qr_string: created.and_then(|c| c.qr_string.as_deref()),
            qr_url: created.and_then(|c| c.qr_url.as_deref()),
            checkout_url: created.and_then(|c| c.checkout_url.as_deref()),
            fee: created.and_then(|c| c.fee),
            expires_at,
            // Trakteer's attempts are only the link: its payments are found by its own
            // reconciliation, nothing to ask here.
            check_at: created.map(|_| (now + FIRST_CHECK_MS).min(expires_at)),
        },
        now,
    )
    .await?;
    if opened {
        forget(app, order.id);
        order_events::add_event(
            &mut tx,
            order.id,
            now,
            attempt.rail.as_str(),
            "payment_opened",
            &format!(
                "Pembayaran {} dibuat ({}), {}",
                attempt.rail.label(),
                attempt.merchant_ref,
                attempt.amount
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The rail could not make the payment: it rests, the attempt keeps why.
async fn failed(
    app: &App,
    order: &Order,
    attempt: &PayAttempt,
    to: AttemptState,
    reason: &str,
) -> AppResult<()> {
    let now = app.now_ms();
    let reason: String = reason.chars().take(300).collect();
    tracing::warn!(order = %order.code, rail = %attempt.rail, %reason, "payment rail failed; trying the next");
    metrics::counter!("madd_payment_attempts_total", "rail" => attempt.rail.as_str(), "outcome" => "failed_over").increment(1);
    let mut tx = app.db.begin().await?;
    // Its `pending` notification may have opened it already (without the QR, which only the
    // create answer carries): either way it is not the customer's way to pay.
    for from in [AttemptState::Creating, AttemptState::Open] {
        if payment_attempts::advance(&mut tx, attempt.id, from, to, &reason, now).await? {
            break;
        }
    }
    payment_attempts::mark_unhealthy(&mut tx, attempt.rail, now + REST_MS, &reason).await?;
    forget(app, order.id);
    order_events::add_event(
        &mut tx,
        order.id,
        now,
        attempt.rail.as_str(),
        "payment_rail_failed",
        &format!(
            "{} tidak bisa membuat pembayaran: {reason}",
            attempt.rail.label()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The job ran out of attempts: the order keeps its Trakteer link if Trakteer is a rail, and
/// the seller hears of it from the store checks (every rail failing is on the dashboard).
pub async fn give_up(_app: &App, order_id: i64, error: &str) -> AppResult<()> {
    tracing::error!(order_id, %error, "no payment could be made for an order");
    Ok(())
}

/// What the invoice and the status poll show for paying the order: its current attempt, if any
/// — from memory ([`Shown`]) while it is fresh.
pub async fn current(app: &App, order_id: i64) -> AppResult<Option<PayAttempt>> {
    let now = app.now_ms();
    if let Some(hit) = app.payments_shown.get(order_id, now) {
        return Ok(hit);
    }
    let found = {
        let mut conn = app.db.read().await?;
        payment_attempts::of_order(&mut conn, order_id)
            .await?
            .into_iter()
            .find(|a| matches!(a.state, AttemptState::Open | AttemptState::Creating))
    };
    app.payments_shown.put(order_id, found.clone(), now);
    Ok(found)
}

/// Drops what this process remembers of the order's payment (it changed here).
pub fn forget(app: &App, order_id: i64) {
    app.payments_shown.forget(order_id);
}

/// The payment each shown order offers, in memory: an invoice polled by its buyer, or shared and
/// opened by many, is one read a second, not one per request. A change made by this process
/// drops its entry at once; another process's change shows within [`Shown::FRESH_MS`].
#[derive(Default)]
pub struct Shown {
    entries: std::sync::Mutex<std::collections::HashMap<i64, (Option<PayAttempt>, i64)>>,
}

impl Shown {
    pub const FRESH_MS: i64 = 1_000;
    /// Bounded: past this many orders the oldest memories are simply forgotten.
    const MAX: usize = 20_000;

    fn get(&self, order_id: i64, now: i64) -> Option<Option<PayAttempt>> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(&order_id)
            .filter(|(_, at)| now - at < Self::FRESH_MS && *at <= now)
            .map(|(a, _)| a.clone())
    }

    fn put(&self, order_id: i64, attempt: Option<PayAttempt>, now: i64) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= Self::MAX {
            entries.retain(|_, (_, at)| now - *at < Self::FRESH_MS);
            if entries.len() >= Self::MAX {
                entries.clear();
            }
        }
        entries.insert(order_id, (attempt, now));
    }

    fn forget(&self, order_id: i64) {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&order_id);
    }
}
