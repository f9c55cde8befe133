//! The one way a supplier's word about an attempt reaches the order: the answer to the request,
//! the webhook or callback, a status re-check and the look-back all call [`apply`] with a
//! [`Report`] for one attempt number. `madd_domain::attempt::step` decides; the attempt moves by
//! a compare-and-set on its state, and only the path that moved it acts on the order — in the
//! same transaction, with every order update guarded by the attempt number. The same outcome told
//! twice, at once or late, changes nothing the second time.

use madd_domain::attempt::{self, AttemptState, Effect, Report};
use madd_domain::{OrderStatus, SupplierStatus};

use super::*;

/// Which path brought a report (the supplier log says so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    /// The answer to our request (first, or sent again).
    Answer,
    /// The supplier's webhook or callback.
    Webhook,
    /// A status re-check.
    Recheck,
    /// Found in the supplier's latest orders after an answer was lost.
    LookBack,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Answer => "answer",
            Via::Webhook => "webhook",
            Via::Recheck => "recheck",
            Via::LookBack => "reconcile",
        }
    }
}

/// The report a supplier's record of a transaction makes. `retryable`: whether a failure is one
/// the seller can fix and retry (only refusals say so; a final error is final).
pub(crate) fn report_of(o: &SupplierOrder) -> Report {
    match o.status {
        SupplierStatus::Waiting | SupplierStatus::Processing => Report::Pending {
            trxid: o.trxid.clone(),
            note: o.note.clone(),
            price: o.price,
        },
        SupplierStatus::Success => Report::Delivered {
            trxid: o.trxid.clone(),
            serial: if o.note.trim().is_empty() {
                o.trxid.clone()
            } else {
                o.note.trim().to_string()
            },
            price: o.price,
        },
        SupplierStatus::Error => Report::Failed {
            trxid: Some(o.trxid.clone()),
            reason: if o.note.trim().is_empty() {
                "gagal di supplier".into()
            } else {
                o.note.trim().to_string()
            },
            customer_error: o.customer_error,
            retryable: false,
        },
    }
}

/// Applies `report` about attempt `number` of order `order_id` in the caller's transaction.
/// Answers what it did ([`Effect::Nothing`] for a repeat or a report on an attempt that is gone).
pub(crate) async fn apply(
    app: &App,
    tx: &mut Tx,
    (order_id, number): (i64, i64),
    report: &Report,
    via: Via,
    now: i64,
) -> AppResult<Effect> {
    // On PostgreSQL two paths can read the same state; the compare-and-set lets one through and
    // the other reads again (and then finds the attempt finished).
    for _ in 0..3 {
        let Some(tried) = attempt_row(tx, order_id, number).await? else {
            tracing::info!(
                order_id,
                number,
                "report for an attempt the store never started"
            );
            return Ok(Effect::Nothing);
        };
        let step = attempt::step(tried.state, report);
        match step.effect {
            Effect::Nothing => return Ok(Effect::Nothing),
            Effect::Contradiction => {
                contradiction(app, tx, &tried, report, via, now).await?;
                return Ok(Effect::Contradiction);
            }
            _ => {}
        }
        if !supplier_attempts::advance(tx, (order_id, number), tried.state, report, now).await? {
            continue;
        }
        let Some(order) = orders::by_id(tx, order_id).await? else {
            return Ok(Effect::Nothing);
        };
        if step.to != tried.state {
            log_report(tx, &tried, report, via, now).await?;
        }
        // The order acts only on its current attempt: a late word on an attempt the order has
        // moved on from stays on that attempt's row.
        if order.status != OrderStatus::Processing || order.placement_attempts != number {
            if step.effect == Effect::Deliver {
                contradiction(app, tx, &tried, report, via, now).await?;
            }
            return Ok(Effect::Nothing);
        }
        act(app, tx, &order, &tried, report, step.effect, now).await?;
        return Ok(step.effect);
    }
    Err(AppError::internal(format!(
        "attempt {number} of order {order_id} kept changing under the report"
    )))
}

/// The attempt's row — made now for the order's current attempt if a placement from before
/// attempts were recorded (an upgrade) left none.
async fn attempt_row(
    tx: &mut Tx,
    order_id: i64,
    number: i64,
) -> AppResult<Option<supplier_attempts::Attempt>> {
    if let Some(row) = supplier_attempts::get(tx, order_id, number).await? {
        return Ok(Some(row));
    }
    let Some(order) = orders::by_id(tx, order_id).await? else {
        return Ok(None);
    };
    let Some(started) = order.placement_started_at else {
        return Ok(None);
    };
    if order.placement_attempts != number || number < 1 {
        return Ok(None);
    }
    let request = place_request(&order);
    supplier_attempts::start(
        tx,
        &supplier_attempts::NewAttempt {
            order_id,
            attempt: number,
            supplier: current_supplier(&order),
            sku: &request.service,
            reference: &request.reference,
            cost: None,
            now: started,
        },
    )
    .await?;
    Ok(supplier_attempts::get(tx, order_id, number).await?)
}

async fn act(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    tried: &supplier_attempts::Attempt,
    report: &Report,
    effect: Effect,
    now: i64,
) -> AppResult<()> {
    let actor = tried.supplier.as_str();
    match (effect, report) {
        (Effect::Progress, Report::Pending { trxid, note, price }) => {
            order_status::attempt_progress(
                tx,
                (order.id, tried.attempt),
                trxid,
                (SupplierStatus::Processing, note),
                *price,
                now,
            )
            .await?;
            if tried.state == AttemptState::Started {
                order_events::add_event(
                    tx,
                    order.id,
                    now,
                    actor,
                    "placed",
                    &format!("Tercatat di {}: {trxid} (diproses)", tried.supplier.label()),
                )
                .await?;
                // Polling follows it from now on, whatever the webhooks do.
                let key = super::follow::follow_key(order);
                jobs::schedule(tx, JobKind::FollowOrder, order.id, now, now, Some(&key)).await?;
            }
        }
        (
            Effect::Deliver,
            Report::Delivered {
                trxid,
                serial,
                price,
            },
        ) if order_status::deliver(tx, (order.id, tried.attempt), trxid, serial, *price, now)
            .await? =>
        {
            delivered_notices(app, tx, order, actor, serial, now).await?;
        }
        (
            Effect::MoveOn,
            Report::Failed {
                trxid,
                reason,
                customer_error,
                retryable,
            },
        ) => {
            if let Some(trxid) = trxid {
                order_status::attempt_progress(
                    tx,
                    (order.id, tried.attempt),
                    trxid,
                    (SupplierStatus::Error, reason),
                    None,
                    now,
                )
                .await?;
            }
            tracing::warn!(order = %order.code, supplier = %tried.supplier, %reason, "attempt failed at the supplier");
            failover_or_fail(app, tx, order, reason, *retryable, *customer_error, now).await?;
        }
        _ => {}
    }
    Ok(())
}

async fn delivered_notices(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    actor: &str,
    serial: &str,
    now: i64,
) -> AppResult<()> {
    let review_url = crate::service::reviews::link_in(app, tx, &order.code).await?;
    order_events::add_event(
        tx,
        order.id,
        now,
        actor,
        "delivered",
        &format!("Sukses, SN: {serial}"),
    )
    .await?;
    let f = order_service::facts(app, order);
    outbox::enqueue(
        tx,
        Some(order.id),
        &order.whatsapp,
        &notify::order_delivered(&f, serial, &review_url),
        now,
    )
    .await?;
    // Paid more than the bill: the extra goes to the customer's saldo at once (unless the seller
    // gives money back by hand).
    crate::service::saldo::credit::overpayment_to_saldo(app, tx, order, now).await?;
    tracing::info!(order = %order.code, "order delivered");
    Ok(())
}

/// One line per report that moved an attempt, on the seller's supplier log.
async fn log_report(
    tx: &mut Tx,
    tried: &supplier_attempts::Attempt,
    report: &Report,
    via: Via,
    now: i64,
) -> AppResult<()> {
    let what = match report {
        Report::Pending { trxid, note, .. } => format!("trxid {trxid} pending {note:?}"),
        Report::Delivered { trxid, serial, .. } => format!("trxid {trxid} success {serial:?}"),
        Report::Failed { trxid, reason, .. } => format!(
            "{}failed {reason:?}",
            trxid
                .as_deref()
                .map(|t| format!("trxid {t} "))
                .unwrap_or_default()
        ),
    };
    supplier_requests::log_supplier_request(
        tx,
        Some(tried.order_id),
        now,
        via.as_str(),
        report.state().as_str(),
        &format!(
            "attempt {} at {}: {what}",
            tried.attempt,
            tried.supplier.label()
        ),
    )
    .await?;
    Ok(())
}

/// The supplier contradicts how an attempt ended: on the timeline and to the seller, once per
/// attempt and kind of contradiction (a webhook repeated ten times alerts once).
async fn contradiction(
    app: &App,
    tx: &mut Tx,
    tried: &supplier_attempts::Attempt,
    report: &Report,
    via: Via,
    now: i64,
) -> AppResult<()> {
    let detail = format!(
        "{} melaporkan percobaan {} ({}) sebagai {}, padahal tercatat {}: cek di {} — mungkin \
         terbeli dua kali",
        tried.supplier.label(),
        tried.attempt,
        report.trxid().unwrap_or(&tried.reference),
        report.state().label_id(),
        tried.state.label_id(),
        tried.supplier.label(),
    );
    let seen = order_events::events(tx, tried.order_id)
        .await?
        .iter()
        .any(|e| e.kind == "contradiction" && e.detail == detail);
    if seen {
        return Ok(());
    }
    tracing::warn!(order_id = tried.order_id, attempt = tried.attempt, via = via.as_str(), %detail, "supplier contradicts an attempt's end");
    order_events::add_event(
        tx,
        tried.order_id,
        now,
        tried.supplier.as_str(),
        "contradiction",
        &detail,
    )
    .await?;
    if let Some(order) = orders::by_id(tx, tried.order_id).await? {
        let f = order_service::facts(app, &order);
        outbox::to_seller(
            &app.config,
            tx,
            Some(order.id),
            &notify::seller_supplier_contradiction(
                &f,
                tried.supplier.label(),
                tried.attempt,
                (report.state().label_id(), tried.state.label_id()),
            ),
            now,
        )
        .await?;
    }
    Ok(())
}
