//! Group commit for new orders: one writer task takes every order that is waiting to be written
//! and writes them together — one transaction, one statement per table (orders, timeline,
//! messages, jobs) however many orders — then answers each request. SQLite has one writer, and
//! its time goes to statements, not to rows: a crowd of buyers costs a handful of statements per
//! batch instead of a dozen per order.
//!
//! Nothing about an order changes: each is answered only after its own rows are committed, and
//! anything the batch cannot settle — a price changed since it was quoted, a product switched
//! off, an idempotency key or order code already taken, any error — falls back to the
//! one-order transaction in `service::orders`, which knows how to answer each case.

use std::collections::HashMap;

use madd_domain::{PhoneNumber, ServiceKind};
use tokio::sync::watch;

use crate::app::App;
use crate::clock;
use crate::db::order_events::{self, NewEvent};
use crate::db::orders::{self, NewOrder, Order};
use crate::db::products;
use crate::db::store_state;
use crate::db::Conn;
use crate::error::AppResult;
use crate::jobs::queue::{self as jobs, JobKind};
use crate::notify::{self, Notice};
use crate::service::orders::{created_event, facts, pay_url};
use crate::service::outbox;
use crate::service::quote::{self, GuestTerms};
use crate::service::settings::Settings;

pub mod handle;

use handle::{Draft, Pending, Queue, MAX_BATCH};

/// The writer task: runs until `shutdown`, then writes what is still queued.
pub async fn run(app: App, queue: Queue, mut shutdown: watch::Receiver<bool>) {
    let Queue(mut receiver) = queue;
    loop {
        let first = tokio::select! {
            p = receiver.recv() => p,
            _ = shutdown.changed() => {
                receiver.close();
                receiver.recv().await
            }
        };
        let Some(first) = first else { return };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        write(&app, batch).await;
    }
}

async fn write(app: &App, batch: Vec<Pending>) {
    let drafts: Vec<&Draft> = batch.iter().map(|p| &p.draft).collect();
    let written = match write_batch(app, &drafts).await {
        Ok(written) => written,
        Err(e) => {
            tracing::warn!(orders = batch.len(), error = %e, "group commit failed; writing the orders one by one");
            HashMap::new()
        }
    };
    if !written.is_empty() {
        app.wake_workers();
    }
    let mut written = written;
    for p in batch {
        let order = written.remove(p.draft.code.as_str());
        if let Some(o) = &order {
            tracing::info!(order = %o.code, product = %o.product_code, "order created");
        }
        let _ = p.reply.send(order);
    }
}

/// One transaction for the batch. Returns the orders written, by code; a draft whose product
/// no longer sells at its quoted price is left out (written alone, it is re-priced or refused).
async fn write_batch(app: &App, drafts: &[&Draft]) -> AppResult<HashMap<String, Order>> {
    let mut tx = app.db.begin().await?;
    // Drafts were checked against the catalogue snapshot; what counts is the database now, read
    // in this transaction: a store closed since, or a price, cost or fee changed since, sends
    // every draft it touches to the one-order path, which refuses or re-quotes it.
    if store_state::paused(&mut tx).await? {
        return Ok(HashMap::new());
    }
    let settings = crate::service::settings::on(&mut tx, &app.config).await?;
    let terms = GuestTerms::of(app, &settings);
    let mut now_sold: HashMap<&str, Option<products::Product>> = HashMap::new();
    for d in drafts {
        if !now_sold.contains_key(d.product_code.as_str()) {
            let product = products::get(&mut tx, &d.product_code).await?;
            now_sold.insert(&d.product_code, product);
        }
    }
    let keep: Vec<NewOrder<'_>> = drafts
        .iter()
        .filter(|d| {
            d.kind != ServiceKind::Postpaid
                && now_sold
                    .get(d.product_code.as_str())
                    .and_then(Option::as_ref)
                    .is_some_and(|p| {
                        p.sellable() && p.cost == d.cost && quote::guest(p, &terms) == d.quote
                    })
        })
        .map(|d| d.as_new())
        .collect();
    if keep.is_empty() {
        return Ok(HashMap::new());
    }
    let written = orders::insert_many(&mut tx, &keep).await?;
    record_created(app, &mut tx, &written, &settings).await?;
    tx.commit().await?;
    Ok(written
        .into_iter()
        .map(|o| (o.code.as_str().to_string(), o))
        .collect())
}

/// What every new order writes besides its own row, whichever path wrote it (a group commit or
/// the one-order transaction in `service::orders`): the timeline's first line, the invoice to the
/// customer (and the seller's notice when the seller asked for unpaid orders) through the
/// outbox, and the expiry job through the queue — each a single statement however many orders.
pub async fn record_created(
    app: &App,
    tx: &mut Conn,
    written: &[Order],
    settings: &Settings,
) -> AppResult<()> {
    let details: Vec<String> = written.iter().map(created_event).collect();
    let events: Vec<NewEvent<'_>> = written
        .iter()
        .zip(&details)
        .map(|(o, detail)| NewEvent {
            order_id: o.id,
            at: o.created_at,
            actor: "customer",
            kind: "created",
            detail,
        })
        .collect();
    order_events::add_events(tx, &events).await?;

    // Abandoned checkouts would buzz the seller's phone: unpaid orders only when asked for.
    let seller = settings
        .seller_whatsapp
        .as_ref()
        .filter(|_| settings.notify_unpaid);
    let qris = crate::service::rails::makes_payments(app);
    let mut notices: Vec<(i64, &PhoneNumber, Notice)> = Vec::with_capacity(written.len() * 2);
    for o in written {
        let f = facts(app, o);
        // An order paid as it was made (from saldo, by the reseller API) has no invoice to pay:
        // its payment notice says what there is to say.
        if o.status == madd_domain::OrderStatus::AwaitingPayment {
            let pay = pay_url(app, o).unwrap_or_default();
            notices.push((
                o.id,
                &o.whatsapp,
                notify::order_created(&f, &pay, &clock::human(o.expires_at), qris),
            ));
        }
        if let Some(s) = seller {
            notices.push((o.id, s, notify::seller_new_order(&f, &o.whatsapp.local())));
        }
    }
    let now = written
        .iter()
        .map(|o| o.created_at)
        .max()
        .unwrap_or_default();
    let outgoing: Vec<(Option<i64>, &PhoneNumber, &Notice)> = notices
        .iter()
        .map(|(id, to, n)| (Some(*id), *to, n))
        .collect();
    outbox::enqueue_many(tx, &outgoing, now).await?;
    let mut expiries: Vec<(JobKind, i64, i64)> = written
        .iter()
        .map(|o| (JobKind::ExpireOrder, o.id, o.expires_at))
        .collect();
    // Each order's QRIS is made by a job after this commits: never a gateway call inside it.
    if qris {
        expiries.extend(
            written
                .iter()
                .filter(|o| o.status == madd_domain::OrderStatus::AwaitingPayment)
                .map(|o| (JobKind::OpenPayment, o.id, now)),
        );
    }
    jobs::schedule_many(tx, &expiries, now).await?;
    Ok(())
}
