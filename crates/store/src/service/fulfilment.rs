//! Placing paid orders with the supplier — at most once — and following them to the end.
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
use madd_domain::{OrderCode, SupplierStatus};

use crate::app::App;
use crate::db::jobs::Job;
use crate::db::order_events;
use crate::db::order_status;
use crate::db::orders::{self, Order};
use crate::db::supplier_requests;
use crate::db::{Conn, DbResult};
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify;
use crate::service::{orders as order_service, outbox};
use crate::supplier::vip_reseller;
use crate::supplier::{PlaceOrder, SupplierError, SupplierOrder};

/// The `limit`s the supplier's latest orders are read with, one after another, while the list does
/// not yet reach back past the attempt. The last is the cap: the most orders VIP's sandbox lists
/// in one answer (500, `MAX_LIMIT` in the sandbox's VIP routes).
pub const LOOKBACK_LIMITS: [u32; 4] = [50, 100, 200, 500];
/// A trxid recorded at least this long before an attempt started is an anchor: older than the
/// attempt even if the clocks of the store's processes differ a little.
const ANCHOR_MARGIN_MS: i64 = 60_000;
/// How soon an order held back by an older one of unknown outcome (same product and account)
/// looks again.
const WAIT_FOR_OLDER_MS: i64 = 30_000;
/// Orders still pending at the supplier after this long are handed to the seller.
const FOLLOW_FOR_MS: i64 = 24 * 60 * 60 * 1000;

/// Moves a paid order to `processing` and queues its placement; the caller commits. `false` when
/// the order is not in a state that allows it (already processing, not paid, …).
pub async fn start_processing(
    tx: &mut Conn,
    order_id: i64,
    actor: &str,
    allow_retry: bool,
    now: i64,
) -> DbResult<bool> {
    if !order_status::claim_for_processing(tx, order_id, allow_retry, now).await? {
        return Ok(false);
    }
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
    if !start_processing(&mut tx, order.id, actor, true, now).await? {
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

fn place_request(order: &Order) -> PlaceOrder {
    PlaceOrder {
        kind: order.kind,
        service: order.product_code.clone(),
        target: order.account.target().to_string(),
        zone: order.account.zone().map(str::to_owned),
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
    let Some(order) = order else {
        return Ok(Outcome::Done);
    };
    if order.status != madd_domain::OrderStatus::Processing {
        return Ok(Outcome::Done);
    }
    if order.supplier_trxid.is_some() {
        schedule_follow(app, &order, app.now_ms()).await?;
        return Ok(Outcome::Done);
    }
    let older = {
        let mut conn = app.db.write().await?;
        supplier_requests::older_unknown_outcome(&mut conn, &order).await?
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
        return Ok(Outcome::Later(app.now_ms() + WAIT_FOR_OLDER_MS));
    }
    if let Some(started) = order.placement_started_at {
        // An earlier attempt may have bought the item: look before placing again.
        match look_back(app, &order, started).await? {
            Err(e) => {
                log(app, order.id, "reconcile", "unavailable", &e.to_string()).await?;
                return Ok(Outcome::Retry(e.to_string()));
            }
            Ok(LookedBack::Found { found, detail }) => {
                log(app, order.id, "reconcile", "found", &detail).await?;
                adopt(app, &order, &found, "reconciled").await?;
                return Ok(Outcome::Done);
            }
            Ok(LookedBack::Absent { detail }) => {
                log(app, order.id, "reconcile", "not_found", &detail).await?;
            }
            Ok(LookedBack::Unresolved { detail, for_seller }) => {
                log(app, order.id, "reconcile", "unresolved", &detail).await?;
                give_up(app, order.id, &for_seller).await?;
                tracing::warn!(order = %order.code, %detail, "supplier outcome cannot be resolved; handed to the seller");
                return Ok(Outcome::Done);
            }
        }
    }
    let started = {
        let mut conn = app.db.write().await?;
        order_status::mark_placement_started(
            &mut conn,
            order.id,
            order.placement_attempts,
            app.now_ms(),
        )
        .await?
    };
    if !started {
        // Another worker got here first; it owns this attempt.
        return Ok(Outcome::Done);
    }
    let request = place_request(&order);
    let result = app.supplier.place_order(&request).await;
    let now = app.now_ms();
    match result {
        Ok(placed) => {
            log(app, order.id, "order", "accepted", &describe(&placed)).await?;
            adopt(app, &order, &placed, "placed").await?;
            Ok(Outcome::Done)
        }
        Err(SupplierError::Rejected { message }) => {
            let retryable = SupplierError::Rejected {
                message: message.clone(),
            }
            .is_retryable_rejection();
            let mut tx = app.db.begin().await?;
            supplier_requests::log_supplier_request(
                &mut tx,
                Some(order.id),
                now,
                "order",
                "rejected",
                &message,
            )
            .await?;
            order_status::clear_placement(&mut tx, order.id, now).await?;
            if order_status::mark_failed(&mut tx, order.id, &message, retryable, now).await? {
                fail_notices(app, &mut tx, &order, &message, retryable, now).await?;
            }
            tx.commit().await?;
            app.wake_workers();
            tracing::warn!(order = %order.code, %message, retryable, "supplier refused the order");
            Ok(Outcome::Done)
        }
        Err(SupplierError::Unavailable { detail }) => {
            // Unknown outcome: the next attempt reconciles before placing.
            log(app, order.id, "order", "unknown", &detail).await?;
            Ok(Outcome::Retry(detail))
        }
    }
}

/// What the supplier's list says about an attempt of unknown outcome.
enum LookedBack {
    /// The attempt's purchase: adopt it.
    Found {
        found: SupplierOrder,
        detail: String,
    },
    /// The list provably covers the attempt and holds no purchase of it: place the order again.
    Absent { detail: String },
    /// The list cannot be shown to reach the attempt: the seller must look (never re-placed).
    Unresolved { detail: String, for_seller: String },
}

/// Reads the supplier's latest orders back past the attempt that started at `started` (see the
/// module documentation) and looks for its purchase there.
async fn look_back(
    app: &App,
    order: &Order,
    started: i64,
) -> AppResult<Result<LookedBack, SupplierError>> {
    let anchor_before = started - ANCHOR_MARGIN_MS;
    let recorded_before = {
        let mut conn = app.db.write().await?;
        supplier_requests::recorded_before(&mut conn, order.kind, anchor_before).await?
    };
    let wanted = OrderedService {
        code: &order.product_code,
        brand: &order.brand,
        name: &order.product_name,
    };
    let cap = LOOKBACK_LIMITS[LOOKBACK_LIMITS.len() - 1];
    let mut asked = LOOKBACK_LIMITS[0];
    loop {
        let listed = match app.supplier.recent_orders(order.kind, asked).await {
            Ok(listed) => listed,
            Err(e) => return Ok(Err(e)),
        };
        let recorded = {
            let ids: Vec<&str> = listed.iter().map(|o| o.trxid.as_str()).collect();
            let mut conn = app.db.write().await?;
            supplier_requests::recorded_trxids(&mut conn, &ids).await?
        };
        // This account's purchase of this product, not yet taken by another order.
        let is_ours = |c: &SupplierOrder| {
            rules::same_account(
                order.account.target(),
                order.account.zone(),
                &c.target,
                c.zone.as_deref(),
            ) && wanted.matches(&c.service)
                && !recorded.contains_key(&c.trxid)
        };
        let first_anchor = listed
            .iter()
            .position(|o| matches!(recorded.get(&o.trxid), Some(Some(at)) if *at < anchor_before));
        let seen = format!("limit {asked}: {} listed", listed.len());
        match rules::lookback(listed.len(), asked, first_anchor, recorded_before, cap) {
            Lookback::Covered(n) => {
                let reach = match first_anchor {
                    Some(i) => format!(
                        "reached {} (recorded before the attempt) at position {}",
                        listed[i].trxid,
                        i + 1
                    ),
                    None => "the list ended: every order seen".to_string(),
                };
                // Oldest first: the first matching purchase after the attempt started.
                let ours = listed[..n].iter().rev().find(|c| is_ours(c));
                return Ok(Ok(match ours {
                    Some(found) => LookedBack::Found {
                        detail: format!(
                            "{seen}; {reach}; same account and service: {}",
                            describe(found)
                        ),
                        found: found.clone(),
                    },
                    None => LookedBack::Absent {
                        detail: format!(
                            "{seen}; {reach}; none of the {n} newer orders is this account's \
                             {} ({}): not bought, placing it",
                            order.product_name, order.product_code
                        ),
                    },
                }));
            }
            Lookback::Wider => match rules::next_limit(&LOOKBACK_LIMITS, asked) {
                Some(next) => {
                    log(
                        app,
                        order.id,
                        "reconcile",
                        "wider",
                        &format!(
                            "{seen}; no order recorded before the attempt among them; asking {next}"
                        ),
                    )
                    .await?;
                    asked = next;
                }
                None => break,
            },
            Lookback::Unresolved => {
                let candidates: Vec<&str> = listed
                    .iter()
                    .filter(|c| is_ours(c))
                    .map(|c| c.trxid.as_str())
                    .collect();
                let why = if listed.len() < asked as usize {
                    "the list ended without an order the store recorded before the attempt"
                } else {
                    "the cap was reached without an order recorded before the attempt"
                };
                let detail = format!(
                    "{seen}; {why}: cannot tell whether the attempt bought it; not placing it \
                     again (candidates: {})",
                    if candidates.is_empty() {
                        "none".to_string()
                    } else {
                        candidates.join(", ")
                    }
                );
                let for_seller = format!(
                    "perlu dicek: {} pesanan terakhir di VIP belum mencapai waktu pemesanan ini{}; \
                     tidak akan dipesan ulang otomatis",
                    listed.len(),
                    if candidates.is_empty() {
                        String::new()
                    } else {
                        format!(", kemungkinan {}", candidates.join(", "))
                    }
                );
                return Ok(Ok(LookedBack::Unresolved { detail, for_seller }));
            }
        }
    }
    // The ladder ended below the cap (not with the constants above).
    Ok(Ok(LookedBack::Unresolved {
        detail: format!("limit {asked}: no larger limit to ask; not placing it again"),
        for_seller: "perlu dicek: daftar pesanan VIP tidak bisa dibaca cukup jauh; tidak akan \
                     dipesan ulang otomatis"
            .to_string(),
    }))
}

/// Records the supplier's order as ours and acts on its status.
async fn adopt(app: &App, order: &Order, placed: &SupplierOrder, how: &str) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if order_status::record_supplier_order(
        &mut tx,
        order.id,
        &placed.trxid,
        placed.status,
        &placed.note,
        placed.price,
        now,
    )
    .await?
    {
        order_events::add_event(
            &mut tx,
            order.id,
            now,
            "supplier",
            how,
            &format!(
                "Tercatat di supplier: {} ({})",
                placed.trxid,
                placed.status.as_str()
            ),
        )
        .await?;
    }
    apply_status(app, &mut tx, order, placed, now).await?;
    if !placed.status.is_terminal() {
        // The first look is immediate: many orders finish within the second, and a callback can
        // arrive before this commit (and be ignored), so polling must not wait for it.
        jobs::schedule(
            &mut tx,
            JobKind::FollowOrder,
            order.id,
            now,
            now,
            Some(&format!("follow:{}", order.id)),
        )
        .await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}

async fn schedule_follow(app: &App, order: &Order, now: i64) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    jobs::schedule(
        &mut conn,
        JobKind::FollowOrder,
        order.id,
        now,
        now,
        Some(&format!("follow:{}", order.id)),
    )
    .await?;
    Ok(())
}

/// Poll often at first (most orders finish in seconds), then less.
fn poll_delay(age_ms: i64) -> i64 {
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
    match app.supplier.order_status(order.kind, &trxid).await {
        Err(e) => Ok(Outcome::Retry(e.to_string())),
        Ok(None) => Ok(Outcome::Retry(format!("supplier does not know {trxid}"))),
        Ok(Some(update)) => {
            let mut tx = app.db.begin().await?;
            apply_status(app, &mut tx, &order, &update, now).await?;
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
                Ok(Outcome::Later(now + poll_delay(age)))
            }
        }
    }
}

/// Applies a supplier status (from polling, the callback or reconciliation); idempotent.
async fn apply_status(
    app: &App,
    tx: &mut Conn,
    order: &Order,
    update: &SupplierOrder,
    now: i64,
) -> AppResult<()> {
    order_status::update_supplier_status(
        tx,
        order.id,
        update.status,
        &update.note,
        update.price,
        now,
    )
    .await?;
    let f = order_service::facts(app, order);
    match update.status {
        SupplierStatus::Success => {
            let serial = if update.note.trim().is_empty() {
                update.trxid.as_str()
            } else {
                update.note.trim()
            };
            if order_status::mark_delivered(tx, order.id, serial, now).await? {
                order_events::add_event(
                    tx,
                    order.id,
                    now,
                    "supplier",
                    "delivered",
                    &format!("Sukses, SN: {serial}"),
                )
                .await?;
                outbox::enqueue(
                    tx,
                    Some(order.id),
                    &order.whatsapp,
                    &notify::order_delivered(&f, serial),
                    now,
                )
                .await?;
                tracing::info!(order = %order.code, "order delivered");
            }
        }
        SupplierStatus::Error => {
            let reason = if update.note.trim().is_empty() {
                "gagal di supplier"
            } else {
                update.note.trim()
            };
            if order_status::mark_failed(tx, order.id, reason, false, now).await? {
                fail_notices(app, tx, order, reason, false, now).await?;
                tracing::warn!(order = %order.code, %reason, "order failed at the supplier");
            }
        }
        SupplierStatus::Waiting | SupplierStatus::Processing => {}
    }
    Ok(())
}

async fn fail_notices(
    app: &App,
    tx: &mut Conn,
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
    outbox::to_seller(
        &app.config,
        tx,
        Some(order.id),
        &notify::seller_order_failed(&f, reason, retryable),
        now,
    )
    .await?;
    if !retryable {
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
        &app.config.vip_api_id,
        &app.config.vip_api_key,
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
    let Some(order) = orders::by_supplier_trxid(&mut tx, &update.trxid).await? else {
        // A callback can beat the commit of our own placement; polling catches up.
        tracing::info!(trxid = %update.trxid, "callback for an order not recorded (yet)");
        return Ok(());
    };
    supplier_requests::log_supplier_request(
        &mut tx,
        Some(order.id),
        now,
        "callback",
        update.status.as_str(),
        &describe(&update),
    )
    .await?;
    if order.status == madd_domain::OrderStatus::Processing {
        apply_status(app, &mut tx, &order, &update, now).await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(())
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
