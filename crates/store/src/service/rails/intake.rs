//! The one payment intake for the QRIS gateways. A gateway checks its own signature on the raw
//! bytes and reads its own webhook into a [`PaymentEvent`]; from there nothing here knows which
//! gateway spoke. What the gateway says is confirmed with its status API when it does not sign
//! the status (Midtrans), matched to the attempt by its reference, and folded into the attempt
//! by `madd_domain::rail::step` under a compare-and-set: the same payment told twice, by the
//! webhook and the status check at the same moment, or late, is applied once.

use axum::http::{HeaderMap, StatusCode};
use madd_domain::rail::{self, AttemptState, Step};
use madd_domain::{OrderStatus, RailId, RailStatus, Rupiah};

use crate::app::App;
use crate::db::payment_attempts::{self, PayAttempt};
use crate::db::payments::{self, NewPayment, PaymentState};
use crate::db::{orders, Tx};
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::payment::gateway::{PaymentEvent, WebhookError};
use crate::service::outbox;
use crate::service::payments::{settle, Received};

/// What became of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Counted towards the order (or, when it was paid already, the customer's saldo).
    Paid { order_status: OrderStatus },
    /// The attempt moved (opened, expired, failed).
    Moved(AttemptState),
    /// Known already, or a step backwards: nothing changed.
    Unchanged,
    /// Kept for the seller to look at (an amount that differs, an unknown payment, a refund).
    Review,
}

/// The answer to a gateway's webhook: its status and body.
pub type Reply = (StatusCode, &'static str);

/// Handles one webhook delivery from `rail`'s gateway.
pub async fn webhook(
    app: &App,
    rail: RailId,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Reply> {
    let gateway = app
        .rails
        .gateway(rail)
        .cloned()
        .ok_or_else(|| AppError::not_found("rail_not_configured", "Jalur pembayaran"))?;
    let event = match gateway.verify(headers, body) {
        Ok(event) => event,
        Err(WebhookError::Forged) => {
            metrics::counter!("madd_payment_webhook_refused_total", "rail" => rail.as_str())
                .increment(1);
            tracing::warn!(%rail, "payment webhook with a wrong or missing signature refused");
            return Ok(gateway.refusal());
        }
        Err(e @ (WebhookError::Ignored(_) | WebhookError::Unreadable(_))) => {
            tracing::warn!(%rail, reason = %e, "authentic payment webhook not acted on");
            return Ok(gateway.acknowledgement());
        }
    };
    // The status is the truth when the webhook does not sign it: ask before acting. No answer
    // now: the gateway retries on 503, and the attempt is asked again by the checks. A report
    // that would change nothing (the `pending` after every create, a duplicate) is acknowledged
    // without asking: only a change needs the gateway's word.
    if gateway.confirms_by_status() && changes_nothing(app, &event).await? {
        return Ok(gateway.acknowledgement());
    }
    let event = if gateway.confirms_by_status() {
        match gateway
            .status(
                Some(&event.reference),
                event.merchant_ref.as_deref().unwrap_or(""),
            )
            .await
        {
            Ok(confirmed) if confirmed.status != RailStatus::Unknown => PaymentEvent {
                raw: event.raw,
                ..confirmed
            },
            Ok(_) => {
                tracing::warn!(%rail, reference = %event.reference, "webhook for a payment the gateway does not know");
                return Ok(gateway.acknowledgement());
            }
            Err(e) => {
                tracing::warn!(%rail, error = %e, "could not confirm a payment webhook; asking for a retry");
                return Ok((StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"retry"}"#));
            }
        }
    } else {
        event
    };
    receive(app, &event, "webhook").await?;
    Ok(gateway.acknowledgement())
}

/// Applies a verified (and, where needed, confirmed) report from any source.
pub async fn receive(app: &App, event: &PaymentEvent, source: &str) -> AppResult<Applied> {
    // Most reports change nothing (the `pending` after every create, duplicates): they are
    // answered from a reader, never queueing for the one SQLite writer.
    let seen = {
        let mut conn = app.db.read().await?;
        known(&mut conn, event).await?
    };
    if let Some(a) = &seen {
        if rail::step(a.state, event.status) == Step::Stay {
            return Ok(Applied::Unchanged);
        }
    }
    let attempt = {
        let mut conn = app.db.write().await?;
        find(&mut conn, event).await?
    };
    let applied = match attempt {
        Some(attempt) => apply(app, &attempt, event, source).await?,
        None => unknown(app, event, source).await?,
    };
    if let Some(a) = seen {
        super::forget(app, a.order_id);
    }
    Ok(applied)
}

/// Whether `event` is about an attempt known by the same gateway reference and would not move it.
async fn changes_nothing(app: &App, event: &PaymentEvent) -> AppResult<bool> {
    let mut conn = app.db.read().await?;
    let Some(a) = known(&mut conn, event).await? else {
        return Ok(false);
    };
    Ok(a.rail == event.rail
        && a.reference.as_deref() == Some(event.reference.as_str())
        && rail::step(a.state, event.status) == Step::Stay)
}

/// The attempt a report is about as a reader sees it (by the gateway's reference, else ours).
async fn known(conn: &mut crate::db::Conn, event: &PaymentEvent) -> AppResult<Option<PayAttempt>> {
    if let Some(a) = payment_attempts::by_reference(conn, event.rail, &event.reference).await? {
        return Ok(Some(a));
    }
    Ok(match event.merchant_ref.as_deref() {
        Some(r) => payment_attempts::by_merchant_ref(conn, r).await?,
        None => None,
    })
}

/// The attempt a report is about: by the gateway's reference, else by ours — and when both are
/// known they must agree.
async fn find(conn: &mut crate::db::Conn, event: &PaymentEvent) -> AppResult<Option<PayAttempt>> {
    if let Some(a) = payment_attempts::by_reference(conn, event.rail, &event.reference).await? {
        return Ok(Some(a));
    }
    let Some(merchant_ref) = event.merchant_ref.as_deref() else {
        return Ok(None);
    };
    let Some(a) = payment_attempts::by_merchant_ref(conn, merchant_ref).await? else {
        return Ok(None);
    };
    if a.rail != event.rail {
        return Ok(None);
    }
    match a.reference.as_deref() {
        // The create answer was lost: this is how the attempt learns its reference.
        None | Some("") => {
            payment_attempts::set_reference(conn, a.id, &event.reference).await?;
            Ok(Some(a))
        }
        Some(r) if r == event.reference => Ok(Some(a)),
        Some(_) => Ok(None),
    }
}

/// Folds `event` into `attempt` (re-read in the transaction: the state it is applied to is the
/// state it is in).
pub async fn apply(
    app: &App,
    attempt: &PayAttempt,
    event: &PaymentEvent,
    source: &str,
) -> AppResult<Applied> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(current) = payment_attempts::by_id(&mut tx, attempt.id).await? else {
        return Ok(Applied::Unchanged);
    };
    let applied = match rail::step(current.state, event.status) {
        Step::Stay => Applied::Unchanged,
        Step::Review => refund_reported(app, &mut tx, &current, event, now).await?,
        Step::To(AttemptState::Paid) => paid(app, &mut tx, &current, event, source, now).await?,
        Step::To(to) => moved(&mut tx, &current, to, event, now).await?,
    };
    tx.commit().await?;
    super::forget(app, attempt.order_id);
    if matches!(applied, Applied::Paid { .. }) {
        app.wake_workers();
    }
    Ok(applied)
}

async fn paid(
    app: &App,
    tx: &mut Tx,
    attempt: &PayAttempt,
    event: &PaymentEvent,
    source: &str,
    now: i64,
) -> AppResult<Applied> {
    if event.gross != attempt.amount {
        let reason = format!("dibayar {} untuk tagihan {}", event.gross, attempt.amount);
        keep_for_review(app, tx, event, source, &attempt.merchant_ref, &reason, now).await?;
        return Ok(Applied::Review);
    }
    // The money is recorded first: `(rail, reference)` is unique, so of two deliveries at the
    // same moment one records it and the other finds it. Already recorded (kept for review when
    // an earlier report of it carried another amount): the attempt is left as it is, for the
    // seller to look at, never marked paid without the order being settled.
    let fee = event
        .fee
        .unwrap_or_else(|| cost_of(app, attempt.rail, event.gross));
    let Some(payment) = payments::insert_once(
        tx,
        &record(
            event,
            PaymentState::Unmatched,
            source,
            &attempt.merchant_ref,
            Some(fee),
            None,
            now,
        ),
    )
    .await?
    else {
        return Ok(Applied::Unchanged);
    };
    if !payment_attempts::advance(
        tx,
        attempt.id,
        attempt.state,
        AttemptState::Paid,
        "dibayar",
        now,
    )
    .await?
    {
        // Moved by another report this instant: the payment stays recorded, on the seller's
        // review list (never lost, never counted twice).
        return Ok(Applied::Review);
    }
    payment_attempts::set_fee(tx, attempt.id, fee).await?;
    let order = orders::by_id(tx, attempt.order_id)
        .await?
        .ok_or_else(|| AppError::internal("a payment attempt without its order"))?;
    payments::attach(tx, payment.id, order.id).await?;
    let received = Received {
        amount: event.gross,
        net: Some(event.gross - fee),
        transaction_id: &event.reference,
        by: attempt.rail.as_str(),
    };
    let order_status = settle(app, tx, &order, &received, now).await?;
    metrics::counter!("madd_payment_attempts_total", "rail" => attempt.rail.as_str(), "outcome" => "paid").increment(1);
    tracing::info!(order = %order.code, rail = %attempt.rail, amount = %event.gross, "QRIS payment recorded");
    Ok(Applied::Paid { order_status })
}

/// What the rail keeps of `gross` by its cost model, when its report does not say.
fn cost_of(app: &App, rail: RailId, gross: Rupiah) -> Rupiah {
    app.rails
        .gateway(rail)
        .map_or(Rupiah::ZERO, |g| g.cost().of(gross))
}

async fn moved(
    tx: &mut Tx,
    attempt: &PayAttempt,
    to: AttemptState,
    event: &PaymentEvent,
    now: i64,
) -> AppResult<Applied> {
    let detail = format!(
        "{} melaporkan {}",
        event.rail.label(),
        event.status.as_str()
    );
    if !payment_attempts::advance(tx, attempt.id, attempt.state, to, &detail, now).await? {
        return Ok(Applied::Unchanged);
    }
    // The QRIS the customer was shown cannot be paid any more (denied, cancelled early): a new
    // one is made while the order still has time.
    if attempt.state == AttemptState::Open {
        let order = orders::by_id(tx, attempt.order_id).await?;
        if order.is_some_and(|o| {
            o.status == OrderStatus::AwaitingPayment && o.expires_at > now + 120_000
        }) {
            super::schedule_open(tx, attempt.order_id, now).await?;
        }
    }
    Ok(Applied::Moved(to))
}

async fn refund_reported(
    app: &App,
    tx: &mut Tx,
    attempt: &PayAttempt,
    event: &PaymentEvent,
    now: i64,
) -> AppResult<Applied> {
    let id = format!("{}:refund", event.reference);
    let refund = PaymentEvent {
        reference: id,
        ..event.clone()
    };
    let reason = "gateway melaporkan uangnya dikembalikan ke pembeli";
    keep_for_review(
        app,
        tx,
        &refund,
        "webhook",
        &attempt.merchant_ref,
        reason,
        now,
    )
    .await?;
    Ok(Applied::Review)
}

/// A payment for no attempt the store made: kept, and the seller told once.
async fn unknown(app: &App, event: &PaymentEvent, source: &str) -> AppResult<Applied> {
    if event.status != RailStatus::Paid {
        return Ok(Applied::Unchanged);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let what = event
        .merchant_ref
        .clone()
        .unwrap_or_else(|| event.reference.clone());
    keep_for_review(
        app,
        &mut tx,
        event,
        source,
        &what,
        "tidak cocok dengan pesanan mana pun",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Applied::Review)
}

/// Records the money as unmatched with the reason, once; the seller is told the first time.
async fn keep_for_review(
    app: &App,
    tx: &mut Tx,
    event: &PaymentEvent,
    source: &str,
    what: &str,
    reason: &str,
    now: i64,
) -> AppResult<()> {
    let new = record(
        event,
        PaymentState::Unmatched,
        source,
        what,
        event.fee,
        Some(reason),
        now,
    );
    if payments::insert_once(tx, &new).await?.is_some() {
        tracing::warn!(rail = %event.rail, reference = %event.reference, %reason, "gateway payment kept for review");
        let review = app.config.link("/admin/payments");
        outbox::to_seller(
            &app.config,
            tx,
            None,
            &notify::seller_payment_review(event.rail.label(), event.gross, what, reason, &review),
            now,
        )
        .await?;
    }
    Ok(())
}

fn record<'a>(
    event: &'a PaymentEvent,
    state: PaymentState,
    source: &'a str,
    merchant_ref: &'a str,
    fee: Option<Rupiah>,
    note: Option<&'a str>,
    now: i64,
) -> NewPayment<'a> {
    NewPayment {
        provider: event.rail.as_str(),
        transaction_id: &event.reference,
        state,
        source,
        supporter_name: "",
        message: merchant_ref,
        quantity: 1,
        gross: event.gross,
        net: fee.map(|f| event.gross - f),
        price_reading: None,
        note,
        raw: &event.raw,
        paid_at: event.paid_at_ms,
        received_at: now,
    }
}
