//! Placing paid orders with a supplier — at most one purchase — and following them to the end.
//!
//! An order is bought from one of its product's offers at a time (`madd_domain::offer` decides
//! the order of trial). Only a *definite* failure (a refusal that bought nothing, or a final
//! error) moves it to the next offer, possibly at another supplier ([`failover`]); an attempt of
//! unknown outcome is always resolved with the same supplier first — never two suppliers in
//! flight for one order. At VIP Reseller that means the look-back below; at Digiflazz, sending
//! the attempt again under its reference (`ref_id`), which returns the first transaction.
//!
//! The guarantee rests on three steps, each committed before the next:
//! 1. `paid → processing` is a conditional update; only one click, retry or worker wins it and
//!    queues the single placement job;
//! 2. the placement job marks "request started" (compare-and-set on the attempt counter) before
//!    it calls the supplier;
//! 3. if an attempt ends without a recorded answer (timeout, crash, a lost reply), the next one
//!    first looks for the order in the supplier's latest orders and adopts it if there; only an
//!    order the supplier provably does not have is placed again. VIP gives no client reference,
//!    so this lookup is the only safe way (vip-reseller.md §5).
//!
//! The look-back (DESIGN.md invariant 9, rules in `madd_domain::reconcile`):
//! - VIP's list has no times, so it is read with a growing `limit` ([`LOOKBACK_LIMITS`]) until it
//!   reaches an *anchor* — a trxid the store recorded before the attempt started: that order and
//!   everything listed after it are older than the attempt — or ends (fewer orders than asked,
//!   trusted only when the store has recorded no older order of that kind, which a complete list
//!   would show);
//! - in the part newer than the anchor, only an order for the same target and zone whose service
//!   is the ordered one, word for word, and that no other order has taken, is adopted (the oldest
//!   such); there is no fallback to another purchase;
//! - no match in a list that provably covers the attempt: the order is placed again; a list that
//!   cannot be shown to reach the attempt (the cap reached, or a list cut short): the order is
//!   handed to the seller ("perlu dicek") and never placed again automatically;
//! - an order is neither reconciled nor placed while an older order for the same product and
//!   account has an unknown outcome: it waits, so one lost purchase is never taken by the wrong
//!   order and then bought again.
//!
//! Every decision is written to the order's supplier request log (the seller's timeline).
use madd_domain::reconcile::{self as rules, Lookback, OrderedService};
use madd_domain::OrderCode;

use crate::app::App;
use crate::db::jobs::Job;
use crate::db::order_events;
use crate::db::order_status;
use crate::db::orders::{self, Order};
use crate::db::supplier_attempts;
use crate::db::supplier_requests;
use crate::db::{DbResult, Tx};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify;
use crate::service::{orders as order_service, outbox};
use crate::supplier::vip_reseller;
use crate::supplier::{PlaceOrder, Supplier, SupplierError, SupplierOrder};
use madd_domain::attempt::{AttemptState, Report};
use madd_domain::SupplierId;

mod failover;
mod follow;
mod look_back;
mod outcome;
pub mod watchdog;
use failover::{choose_first, failover_or_fail};
pub use follow::{digiflazz_webhook, follow, vip_callback};
use follow::{fail_notices, schedule_follow};
pub use look_back::LOOKBACK_LIMITS;
use look_back::{look_back, LookedBack, WAIT_FOR_OLDER_MS};
use outcome::{report_of, Via};
pub use watchdog::watch_paid_orders;

/// Moves a paid order to `processing` and queues its placement; the caller commits. `false` when
/// the order is not in a state that allows it (already processing, not paid, …).
pub async fn start_processing(
    tx: &mut Tx,
    order_id: i64,
    actor: &str,
    allow_retry: bool,
    now: i64,
) -> DbResult<bool> {
    if !order_status::claim_for_processing(tx, order_id, allow_retry, now).await? {
        return Ok(false);
    }
    // A retry starts over with every offer (a balance topped up, a supplier back from
    // maintenance): earlier failed attempts no longer rule an offer out.
    supplier_attempts::retire_failed(tx, order_id).await?;
    order_events::add_event(
        tx,
        order_id,
        now,
        actor,
        "processing",
        "Diproses ke supplier",
    )
    .await?;
    let key = format!("place:{order_id}");
    jobs::schedule(tx, JobKind::PlaceOrder, order_id, now, now, Some(&key)).await?;
    Ok(true)
}

/// The seller's "process" (also "retry" after a retryable failure).
pub async fn process(app: &App, code: &str, actor: &str) -> AppResult<Order> {
    let code =
        OrderCode::parse(code).ok_or_else(|| AppError::not_found("order_not_found", "Pesanan"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let order = orders::by_code(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::not_found("order_not_found", "Pesanan"))?;
    // The domain decides; `claim_for_processing` is the same rule in SQL, against a race.
    if !order.can_process() || !start_processing(&mut tx, order.id, actor, true, now).await? {
        return Err(AppError::conflict(
            "order_not_processable",
            format!(
                "Pesanan berstatus {}: hanya pesanan yang sudah dibayar (atau gagal dan bisa diulang) yang bisa diproses.",
                order.status.label_id()
            ),
        ));
    }
    tx.commit().await?;
    app.wake_workers();
    tracing::info!(order = %order.code, %actor, "order sent to processing");
    let mut conn = app.db.write().await?;
    Ok(orders::by_id(&mut conn, order.id).await?.unwrap_or(order))
}

/// The seller's "re-check status": asks the supplier again now.
pub async fn recheck(app: &App, code: &str) -> AppResult<()> {
    let order = order_service::get(app, code).await?;
    if order.supplier_trxid.is_none() {
        return Err(AppError::conflict(
            "not_placed",
            "Pesanan ini belum tercatat di supplier.",
        ));
    }
    schedule_follow(app, &order, app.now_ms()).await?;
    app.wake_workers();
    Ok(())
}

/// The supplier of the order's current attempt (orders from before several suppliers: VIP).
pub(crate) fn current_supplier(order: &Order) -> SupplierId {
    order.supplier.unwrap_or(SupplierId::VipReseller)
}

/// What the current attempt sends: the offer's SKU, the destination, the attempt's reference.
fn place_request(order: &Order) -> PlaceOrder {
    PlaceOrder {
        kind: order.kind,
        service: order
            .supplier_sku
            .clone()
            .unwrap_or_else(|| order.product_code.clone()),
        target: order.account.target().to_string(),
        zone: order.account.zone().map(str::to_owned),
        reference: madd_domain::attempt::reference(
            order.code.as_str(),
            order.placement_attempts.max(1),
        ),
    }
}

fn describe(o: &SupplierOrder) -> String {
    format!(
        "trxid {} status {} note {:?}",
        o.trxid,
        o.status.as_str(),
        o.note
    )
}

/// The placement job.
pub async fn place(app: &App, order_id: i64, _job: &Job) -> AppResult<Outcome> {
    let order = {
        let mut conn = app.db.write().await?;
        orders::by_id(&mut conn, order_id).await?
    };
    let Some(mut order) = order else {
        return Ok(Outcome::Done);
    };
    if order.status != madd_domain::OrderStatus::Processing {
        return Ok(Outcome::Done);
    }
    if order.supplier_trxid.is_some() {
        schedule_follow(app, &order, app.now_ms()).await?;
        return Ok(Outcome::Done);
    }
    if order.supplier.is_none() && order.placement_started_at.is_none() {
        match choose_first(app, &order).await? {
            Some(chosen) => order = chosen,
            // No offer at all: the order has failed (and the customer was told).
            None => return Ok(Outcome::Done),
        }
    }
    let supplier_id = current_supplier(&order);
    let Some(supplier) = app.suppliers.get(supplier_id).cloned() else {
        let why = format!(
            "{} tidak lagi dipakai toko (MADD_SUPPLIERS)",
            supplier_id.label()
        );
        if order.placement_started_at.is_some() {
            // An attempt there may have bought it: only the seller can tell now.
            give_up(app, order.id, &why).await?;
        } else {
            let mut tx = app.db.begin().await?;
            failover_or_fail(app, &mut tx, &order, &why, true, false, app.now_ms()).await?;
            tx.commit().await?;
            app.wake_workers();
        }
        return Ok(Outcome::Done);
    };
    if supplier.idempotent_reference() {
        if order.placement_started_at.is_some() {
            return send_again(app, &order, supplier.as_ref()).await;
        }
    } else if let Some(done) = look_back_first(app, &order).await? {
        return Ok(done);
    }
    let attempt = order.placement_attempts + 1;
    if !start_attempt(app, &order, supplier_id, attempt).await? {
        // Another worker got here first (it owns this attempt), or a late word on the last
        // attempt arrived: that path decides.
        return Ok(Outcome::Done);
    }
    order.placement_attempts = attempt;
    order.placement_started_at = Some(app.now_ms());
    let result = supplier.place_order(&place_request(&order)).await;
    answered(app, &order, supplier.as_ref(), result).await
}

/// Commits the start of attempt `attempt` before its request is sent: a compare-and-set on the
/// order's attempt counter (another worker that started it first wins), the attempt's row, and —
/// when the order's last attempt at this supplier was of unknown outcome and provably bought
/// nothing (looked back) — that attempt's end. `false`: not started, nothing to send.
async fn start_attempt(
    app: &App,
    order: &Order,
    supplier_id: SupplierId,
    attempt: i64,
) -> AppResult<bool> {
    let now = app.now_ms();
    let request = place_request(order);
    let reference = madd_domain::attempt::reference(order.code.as_str(), attempt);
    let mut tx = app.db.begin().await?;
    if order.placement_started_at.is_some() && order.placement_attempts > 0 {
        let absent = Report::Failed {
            trxid: None,
            reason: "tidak ada di daftar pesanan supplier".into(),
            customer_error: false,
            retryable: false,
        };
        let previous = (order.id, order.placement_attempts);
        let recorded = supplier_attempts::get(&mut tx, order.id, order.placement_attempts)
            .await?
            .is_some();
        // (No row: a placement from before attempts were recorded; its counter guards it.)
        if recorded
            && !supplier_attempts::advance(&mut tx, previous, AttemptState::Started, &absent, now)
                .await?
        {
            return Ok(false);
        }
    }
    if !order_status::mark_placement_started(&mut tx, order.id, order.placement_attempts, now)
        .await?
    {
        return Ok(false);
    }
    let cost = crate::db::offers::get(&mut tx, supplier_id, &request.service)
        .await?
        .map(|o| o.cost);
    supplier_attempts::start(
        &mut tx,
        &supplier_attempts::NewAttempt {
            order_id: order.id,
            attempt,
            supplier: supplier_id,
            sku: &request.service,
            reference: &reference,
            cost,
            now,
        },
    )
    .await?;
    supplier_requests::log_supplier_request(
        &mut tx,
        Some(order.id),
        now,
        "order",
        "sent",
        &format!(
            "attempt {attempt} at {}: {} for {} ({reference})",
            supplier_id.label(),
            request.service,
            order.account.target()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// VIP: nothing is placed while an older order for the same product and account has an unknown
/// outcome; and before placing again after an attempt of unknown outcome, its purchase is looked
/// for in VIP's latest orders. `Some`: the job's outcome (found, waiting, unresolved); `None`:
/// place it (again).
async fn look_back_first(app: &App, order: &Order) -> AppResult<Option<Outcome>> {
    let older = {
        let mut conn = app.db.write().await?;
        supplier_requests::older_unknown_outcome(&mut conn, order).await?
    };
    if let Some(older) = older {
        // Its lost purchase would be listed for this account and product too: let it be
        // resolved first, then look (or place) for this one.
        log_once(
            app,
            order.id,
            "place",
            "waiting",
            &format!(
                "older order {older} for the same product and account has an unknown outcome at \
                 the supplier; waiting for it before reconciling or placing this one"
            ),
        )
        .await?;
        return Ok(Some(Outcome::Later(app.now_ms() + WAIT_FOR_OLDER_MS)));
    }
    let Some(started) = order.placement_started_at else {
        return Ok(None);
    };
    match look_back(app, order, started).await? {
        Err(e) => {
            log(app, order.id, "reconcile", "unavailable", &e.to_string()).await?;
            Ok(Some(Outcome::Retry(e.to_string())))
        }
        Ok(LookedBack::Found { found, detail }) => {
            log(app, order.id, "reconcile", "found", &detail).await?;
            let mut tx = app.db.begin().await?;
            outcome::apply(
                app,
                &mut tx,
                (order.id, order.placement_attempts),
                &report_of(&found),
                Via::LookBack,
                app.now_ms(),
            )
            .await?;
            tx.commit().await?;
            app.wake_workers();
            Ok(Some(Outcome::Done))
        }
        Ok(LookedBack::Absent { detail }) => {
            log(app, order.id, "reconcile", "not_found", &detail).await?;
            Ok(None)
        }
        Ok(LookedBack::Unresolved { detail, for_seller }) => {
            log(app, order.id, "reconcile", "unresolved", &detail).await?;
            give_up(app, order.id, &for_seller).await?;
            tracing::warn!(order = %order.code, %detail, "supplier outcome cannot be resolved; handed to the seller");
            Ok(Some(Outcome::Done))
        }
    }
}

/// Digiflazz: an attempt of unknown outcome is sent again, unchanged — the same `ref_id`
/// answers with the first transaction (or makes it, if the first never arrived) — no sooner
/// than the supplier allows after the last call.
async fn send_again(app: &App, order: &Order, supplier: &dyn Supplier) -> AppResult<Outcome> {
    let attempt = {
        let mut conn = app.db.write().await?;
        supplier_attempts::get(&mut conn, order.id, order.placement_attempts).await?
    };
    let now = app.now_ms();
    let last = attempt
        .as_ref()
        .and_then(|a| a.checked_at)
        .or(order.placement_started_at)
        .unwrap_or(now);
    if now - last < supplier.min_recheck_ms() {
        return Ok(Outcome::Later(last + supplier.min_recheck_ms()));
    }
    {
        let mut conn = app.db.write().await?;
        supplier_attempts::checked(&mut conn, order.id, order.placement_attempts, now).await?;
    }
    let request = place_request(order);
    log(
        app,
        order.id,
        "order",
        "resent",
        &format!(
            "attempt {} at {} sent again under {} (the same reference returns the first \
             transaction)",
            order.placement_attempts,
            supplier.id().label(),
            request.reference
        ),
    )
    .await?;
    let result = supplier.place_order(&request).await;
    answered(app, order, supplier, result).await
}

/// Acts on a supplier's answer to an order request (first or sent again): a report on the
/// order's current attempt, unless the outcome is unknown (then the next run asks the same
/// supplier again, before anything else).
async fn answered(
    app: &App,
    order: &Order,
    supplier: &dyn Supplier,
    result: Result<SupplierOrder, SupplierError>,
) -> AppResult<Outcome> {
    let now = app.now_ms();
    let report = match result {
        Ok(placed) => report_of(&placed),
        Err(e @ SupplierError::Rejected { .. }) => {
            let retryable = e.is_retryable_rejection();
            let SupplierError::Rejected { message } = e else {
                unreachable!()
            };
            tracing::warn!(order = %order.code, supplier = %supplier.id(), %message, retryable, "supplier refused the order");
            Report::Failed {
                trxid: None,
                reason: message,
                customer_error: false,
                retryable,
            }
        }
        Err(SupplierError::Unavailable { detail }) => {
            log(app, order.id, "order", "unknown", &detail).await?;
            return Ok(Outcome::Retry(detail));
        }
    };
    let mut tx = app.db.begin().await?;
    outcome::apply(
        app,
        &mut tx,
        (order.id, order.placement_attempts),
        &report,
        Via::Answer,
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(Outcome::Done)
}

/// A placement or follow-up job ran out of attempts: the outcome is unknown, the order stays
/// `processing`, and the seller is asked to look.
pub async fn give_up(app: &App, order_id: i64, error: &str) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(order) = orders::by_id(&mut tx, order_id).await? else {
        return Ok(());
    };
    if order.status != madd_domain::OrderStatus::Processing {
        return Ok(());
    }
    order_events::add_event(
        &mut tx,
        order.id,
        now,
        "system",
        "stuck",
        &format!("Perlu dicek: status di supplier belum pasti ({error})"),
    )
    .await?;
    let f = order_service::facts(app, &order);
    outbox::to_seller(
        &app.config,
        &mut tx,
        Some(order.id),
        &notify::seller_order_stuck(&f, error),
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}

/// Like [`log`], unless the order's last entry says the same (a wait that repeats).
async fn log_once(
    app: &App,
    order_id: i64,
    action: &str,
    outcome: &str,
    detail: &str,
) -> AppResult<()> {
    let last = {
        let mut conn = app.db.write().await?;
        supplier_requests::supplier_requests(&mut conn, order_id)
            .await?
            .pop()
    };
    if last.is_some_and(|r| r.action == action && r.outcome == outcome && r.detail == detail) {
        return Ok(());
    }
    log(app, order_id, action, outcome, detail).await
}

async fn log(app: &App, order_id: i64, action: &str, outcome: &str, detail: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    supplier_requests::log_supplier_request(
        &mut conn,
        Some(order_id),
        app.now_ms(),
        action,
        outcome,
        detail,
    )
    .await?;
    Ok(())
}
