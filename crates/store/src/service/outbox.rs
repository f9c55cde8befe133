//! The outbox: a message is stored (with its send job) in the transaction that decided to send
//! it, then sent by the job until the gateway accepts it — retried with backoff on temporary
//! failures, given up (and shown to the seller as failed) on permanent ones.
//!
//! The Cloud API can accept a free text (HTTP 200) and report it `failed` with 131047 later, in a
//! status webhook, when the store's idea of the 24-hour window was stale. The webhook then queues
//! one copy of the message forced to the kind's approved template ([`gateway_status`]); the copy
//! is sent by its job like any message, and if it fails too it stays failed — a copy is never
//! copied again.

use madd_domain::PhoneNumber;

use crate::app::App;
use crate::config::Config;
use crate::db::messages::{self, MessageState};
use crate::db::{jobs::Job, Conn, DbResult};
use crate::error::AppResult;
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::messenger::cloud::codes;
use crate::messenger::{OutgoingMessage, SendError};
use crate::notify::{Audience, Notice};

/// WhatsApp's customer-service window: free text is allowed this long after the person wrote.
const WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// Stores a message to `to` and queues its send job, in the caller's transaction. A customer's
/// notice about an order the reseller API made is not sent (`None`): the reseller's bot is told
/// by its callbacks, and a bot's number would get a message for every purchase.
pub async fn enqueue(
    conn: &mut Conn,
    order_id: Option<i64>,
    to: &PhoneNumber,
    notice: &Notice,
    now: i64,
) -> DbResult<Option<i64>> {
    if let (Audience::Customer, Some(order)) = (notice.audience, order_id) {
        if crate::db::orders::made_by_reseller_api(conn, order).await? {
            return Ok(None);
        }
    }
    let message = messages::NewMessage {
        order_id,
        recipient: to,
        audience: notice.audience.as_str(),
        kind: notice.kind,
        body: &notice.text,
        params: &notice.params,
    };
    let id = messages::insert(conn, &message, now).await?;
    jobs::schedule(conn, JobKind::SendMessage, id, now, now, None).await?;
    Ok(Some(id))
}

/// Stores many messages and queues their send jobs, in the caller's transaction, in one
/// statement each: what [`enqueue`] does, for a group commit. `(order, to, notice)`.
pub async fn enqueue_many(
    conn: &mut Conn,
    notices: &[(Option<i64>, &PhoneNumber, &Notice)],
    now: i64,
) -> DbResult<Vec<i64>> {
    let rows: Vec<messages::NewMessage<'_>> = notices
        .iter()
        .map(|&(order_id, recipient, n)| messages::NewMessage {
            order_id,
            recipient,
            audience: n.audience.as_str(),
            kind: n.kind,
            body: &n.text,
            params: &n.params,
        })
        .collect();
    let ids = messages::insert_many(conn, &rows, now).await?;
    let sends: Vec<(JobKind, i64, i64)> = ids
        .iter()
        .map(|id| (JobKind::SendMessage, *id, now))
        .collect();
    jobs::schedule_many(conn, &sends, now).await?;
    Ok(ids)
}

/// Queues a notice for the seller, if a seller number is configured.
pub async fn to_seller(
    config: &Config,
    conn: &mut Conn,
    order_id: Option<i64>,
    notice: &Notice,
    now: i64,
) -> DbResult<()> {
    debug_assert_eq!(notice.audience, Audience::Seller);
    // The dashboard's setting wins over MADD_SELLER_WHATSAPP.
    match &crate::service::settings::on(conn, config)
        .await?
        .seller_whatsapp
    {
        Some(seller) => {
            enqueue(conn, order_id, seller, notice, now).await?;
        }
        None => tracing::warn!(
            kind = notice.kind,
            "no MADD_SELLER_WHATSAPP: seller notice not sent"
        ),
    }
    Ok(())
}

/// The send job.
pub async fn send(app: &App, message_id: i64, _job: &Job) -> AppResult<Outcome> {
    let now = app.now_ms();
    let (message, last_inbound) = {
        let mut conn = app.db.read().await?;
        let Some(message) = messages::by_id(&mut conn, message_id).await? else {
            return Ok(Outcome::Done);
        };
        let last = messages::last_inbound(&mut conn, &message.recipient).await?;
        (message, last)
    };
    if message.state != MessageState::Queued {
        return Ok(Outcome::Done);
    }
    let outgoing = OutgoingMessage {
        to: message.recipient.clone(),
        kind: message.kind.clone(),
        text: message.body.clone(),
        params: message.params.clone(),
        window_open: !message.force_template && last_inbound.is_some_and(|t| now - t < WINDOW_MS),
        reference: crate::messenger::reference(message.id),
    };
    let result = app.messenger.send(&outgoing).await;
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    match result {
        Ok(accepted) => {
            messages::mark_sent(&mut conn, message.id, accepted.provider_id.as_deref(), now)
                .await?;
            if message.kind == crate::notify::SIGN_IN_CODE {
                // The customer has it now; nobody else (the dashboard, a backup) needs to.
                messages::blank(&mut conn, message.id, "(kode masuk, sudah dikirim)").await?;
            }
            tracing::info!(message = message.id, kind = %message.kind, "message accepted by the gateway");
            Ok(Outcome::Done)
        }
        Err(SendError::Permanent(reason)) => {
            messages::record_attempt_error(&mut conn, message.id, &reason, true, now).await?;
            tracing::warn!(message = message.id, %reason, "message refused for good");
            Ok(Outcome::Done)
        }
        Err(e @ (SendError::Temporary(_) | SendError::Unauthorized(_))) => {
            let reason = e.to_string();
            messages::record_attempt_error(&mut conn, message.id, &reason, false, now).await?;
            Ok(Outcome::Retry(reason))
        }
        Err(e @ SendError::Unanswered(_)) => {
            // The gateway may have it: its status report, carrying our reference, marks the
            // message sent ([`adopt`]) and this job then finds nothing to send.
            let reason = e.to_string();
            messages::record_attempt_error(&mut conn, message.id, &reason, false, now).await?;
            Ok(Outcome::RetryAt(now + UNANSWERED_WAIT_MS, reason))
        }
    }
}

/// How long a send whose answer was lost waits for the gateway's status report before it is
/// sent again (Meta reports `sent` within seconds).
pub const UNANSWERED_WAIT_MS: i64 = 2 * 60_000;

/// The gateway reports a message it took under our reference (`sent`, `delivered`, …): when the
/// answer to its send was lost, the message is sent now, with the gateway's id, and is not sent
/// again.
pub async fn adopt(app: &App, reference: &str, provider_id: &str) -> AppResult<()> {
    let Some(id) = crate::messenger::message_of(reference) else {
        return Ok(());
    };
    // Nearly every report is for a message whose answer came back: a reader says so, and the
    // one SQLite writer is not queued for an update that would match nothing.
    let waiting = {
        let mut conn = app.db.read().await?;
        messages::by_id(&mut conn, id)
            .await?
            .is_some_and(|m| m.state == MessageState::Queued && m.provider_id.is_none())
    };
    if !waiting {
        return Ok(());
    }
    let mut conn = app.db.write().await?;
    if messages::adopt(&mut conn, id, provider_id, app.now_ms()).await? {
        tracing::info!(message = id, "the gateway took a message whose answer was lost; not sending it again");
    }
    Ok(())
}

/// A delivery status from the gateway's webhook (`delivered`, `read`, `failed`; `errors` as
/// `(code, title)`), recorded forward only. A `failed` with 131047 (outside the 24-hour window)
/// also queues the message's template replacement, once: a repeated status moves nothing and so
/// queues nothing. Nothing is sent here; the copy's job is.
pub async fn gateway_status(
    app: &App,
    provider_id: &str,
    state: MessageState,
    errors: &[(i64, String)],
) -> AppResult<()> {
    let now = app.now_ms();
    let error = errors
        .first()
        .map(|(code, title)| format!("({code}) {title}"));
    let window_closed = state == MessageState::Failed
        && errors.iter().any(|(code, _)| *code == codes::REENGAGEMENT);
    let mut tx = app.db.begin().await?;
    let moved =
        messages::update_from_gateway(&mut tx, provider_id, state, error.as_deref(), now).await?;
    let mut queued = Vec::new();
    if window_closed {
        for id in moved {
            if let Some(copy) = messages::insert_template_replacement(&mut tx, id, now).await? {
                jobs::schedule(&mut tx, JobKind::SendMessage, copy, now, now, None).await?;
                queued.push((id, copy));
            }
        }
    }
    tx.commit().await?;
    for (id, copy) in &queued {
        tracing::info!(
            message = id,
            replacement = copy,
            "text failed outside the 24-hour window (131047): template queued instead"
        );
    }
    if !queued.is_empty() {
        app.wake_workers();
    }
    Ok(())
}

/// The send job ran out of attempts.
pub async fn give_up(app: &App, message_id: i64, error: &str) -> AppResult<()> {
    let mut conn = app.db.write().await?;
    messages::mark_failed(&mut conn, message_id, error, app.now_ms()).await?;
    Ok(())
}

/// The seller's "resend": a failed message goes back to the queue with a fresh send job.
pub async fn resend(app: &App, message_id: i64) -> AppResult<bool> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let requeued = messages::requeue(&mut tx, message_id, now).await?;
    if requeued {
        jobs::schedule(&mut tx, JobKind::SendMessage, message_id, now, now, None).await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(requeued)
}
