//! The outbox: every message the store decides to send is stored here first, then sent by a job.

use madd_domain::PhoneNumber;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbError, DbResult};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MessageState {
    Queued,
    /// Accepted by the gateway.
    Sent,
    /// The gateway reported delivery to the phone.
    Delivered,
    Read,
    Failed,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Sent => "sent",
            MessageState::Delivered => "delivered",
            MessageState::Read => "read",
            MessageState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MessageState> {
        Some(match s {
            "queued" => MessageState::Queued,
            "sent" => MessageState::Sent,
            "delivered" => MessageState::Delivered,
            "read" => MessageState::Read,
            "failed" => MessageState::Failed,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub order_id: Option<i64>,
    pub recipient: PhoneNumber,
    /// `customer` or `seller`.
    pub audience: String,
    pub kind: String,
    pub body: String,
    pub params: Vec<String>,
    pub state: MessageState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// Send as the kind's approved template even inside the 24-hour window.
    pub force_template: bool,
    /// The failed message this one was queued to replace.
    pub replaces_id: Option<i64>,
    /// The message queued to replace this one, once it has been.
    pub replaced_by: Option<i64>,
}

const COLUMNS: &str = "id, order_id, recipient, audience, kind, body, params, state, attempts, \
    last_error, provider_id, created_at, sent_at, force_template, replaces_id, \
    (SELECT r.id FROM messages r WHERE r.replaces_id = messages.id) AS replaced_by";

fn from_row(r: &AnyRow) -> DbResult<Message> {
    let recipient: String = r.try_get("recipient")?;
    let state: String = r.try_get("state")?;
    let params: String = r.try_get("params")?;
    Ok(Message {
        id: r.try_get("id")?,
        order_id: r.try_get("order_id")?,
        recipient: PhoneNumber::parse(&recipient)
            .map_err(|_| DbError::Corrupt(format!("recipient '{recipient}'")))?,
        audience: r.try_get("audience")?,
        kind: r.try_get("kind")?,
        body: r.try_get("body")?,
        params: serde_json::from_str(&params)
            .map_err(|e| DbError::Corrupt(format!("message params: {e}")))?,
        state: MessageState::parse(&state)
            .ok_or_else(|| DbError::Corrupt(format!("message state '{state}'")))?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        provider_id: r.try_get("provider_id")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        force_template: r.try_get::<i64, _>("force_template")? != 0,
        replaces_id: r.try_get("replaces_id")?,
        replaced_by: r.try_get("replaced_by")?,
    })
}

/// Stores one queued message; its id.
pub async fn insert(conn: &mut Conn, message: &NewMessage<'_>, now: i64) -> DbResult<i64> {
    let params = serde_json::to_string(message.params).expect("strings serialise");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (order_id, recipient, audience, kind, body, params, state, attempts, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7) RETURNING id",
    )
    .bind(message.order_id)
    .bind(message.recipient.as_str())
    .bind(message.audience)
    .bind(message.kind)
    .bind(message.body)
    .bind(params)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn by_id(conn: &mut Conn, id: i64) -> DbResult<Option<Message>> {
    let sql = format!("SELECT {COLUMNS} FROM messages WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn for_order(conn: &mut Conn, order_id: i64) -> DbResult<Vec<Message>> {
    let sql = format!("SELECT {COLUMNS} FROM messages WHERE order_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql)
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn list(
    conn: &mut Conn,
    state: Option<MessageState>,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM messages WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(state.map(MessageState::as_str))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn mark_sent(
    conn: &mut Conn,
    id: i64,
    provider_id: Option<&str>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE messages SET state = 'sent', provider_id = $1, sent_at = $2, attempts = attempts + 1, \
         last_error = NULL, updated_at = $2 WHERE id = $3 AND state = 'queued'",
    )
    .bind(provider_id)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A queued message the gateway reports having taken (its answer to the send was lost): sent,
/// with the gateway's id. `false` when it was no longer waiting (sent already, failed).
pub async fn adopt(conn: &mut Conn, id: i64, provider_id: &str, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE messages SET state = 'sent', provider_id = $1, sent_at = $2, last_error = NULL, \
         updated_at = $2 WHERE id = $3 AND state = 'queued'",
    )
    .bind(provider_id)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a sent message's text and parameters (a sign-in code once delivered to the gateway).
pub async fn blank(conn: &mut Conn, id: i64, body: &str) -> DbResult<()> {
    sqlx::query("UPDATE messages SET body = $1, params = '[]' WHERE id = $2")
        .bind(body)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn record_attempt_error(
    conn: &mut Conn,
    id: i64,
    error: &str,
    give_up: bool,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE messages SET attempts = attempts + 1, last_error = $1, \
         state = CASE WHEN $2 = 1 THEN 'failed' ELSE state END, updated_at = $3 \
         WHERE id = $4 AND state = 'queued'",
    )
    .bind(error)
    .bind(i64::from(give_up))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives up on a queued message (its job ran out of attempts).
pub async fn mark_failed(conn: &mut Conn, id: i64, error: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE messages SET state = 'failed', last_error = $1, updated_at = $2 \
         WHERE id = $3 AND state = 'queued'",
    )
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Puts a failed message back in the queue (the seller's "resend"), unless another message
/// already replaced it (see [`insert_template_replacement`]).
pub async fn requeue(conn: &mut Conn, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE messages SET state = 'queued', updated_at = $1 WHERE id = $2 AND state = 'failed' \
         AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.replaces_id = messages.id)",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A gateway status webhook (`delivered`, `read`, `failed`). Later states never go backwards.
/// Returns the ids of the messages it moved (none for a repeated or late status).
pub async fn update_from_gateway(
    conn: &mut Conn,
    provider_id: &str,
    state: MessageState,
    error: Option<&str>,
    now: i64,
) -> DbResult<Vec<i64>> {
    let allowed_from = match state {
        MessageState::Delivered => "('sent')",
        MessageState::Read => "('sent', 'delivered')",
        MessageState::Failed => "('sent', 'delivered')",
        _ => return Ok(Vec::new()),
    };
    let sql = format!(
        "UPDATE messages SET state = $1, last_error = COALESCE($2, last_error), updated_at = $3 \
         WHERE provider_id = $4 AND state IN {allowed_from} RETURNING id"
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(state.as_str())
        .bind(error)
        .bind(now)
        .bind(provider_id)
        .fetch_all(&mut *conn)
        .await?)
}

/// Queues a copy of failed message `id` that must go out as its kind's template, unless `id`
/// was itself forced to the template or already has a replacement (the unique index on
/// `replaces_id` holds that under concurrency too). Returns the copy's id when one was queued.
pub async fn insert_template_replacement(
    conn: &mut Conn,
    id: i64,
    now: i64,
) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (order_id, recipient, audience, kind, body, params, state, attempts, \
         created_at, updated_at, force_template, replaces_id) \
         SELECT order_id, recipient, audience, kind, body, params, 'queued', 0, $1, $1, 1, id \
         FROM messages WHERE id = $2 AND state = 'failed' AND force_template = 0 \
         ON CONFLICT (replaces_id) DO NOTHING RETURNING id",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Records that `phone` wrote to the store (opens WhatsApp's 24-hour window).
pub async fn touch_window(conn: &mut Conn, phone: &PhoneNumber, at: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO whatsapp_windows (phone, last_inbound_at) VALUES ($1, $2) \
         ON CONFLICT (phone) DO UPDATE SET last_inbound_at = \
         CASE WHEN whatsapp_windows.last_inbound_at > excluded.last_inbound_at \
         THEN whatsapp_windows.last_inbound_at ELSE excluded.last_inbound_at END",
    )
    .bind(phone.as_str())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn last_inbound(conn: &mut Conn, phone: &PhoneNumber) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT last_inbound_at FROM whatsapp_windows WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// One queued message, for [`insert`] and [`insert_many`].
pub struct NewMessage<'a> {
    pub order_id: Option<i64>,
    pub recipient: &'a PhoneNumber,
    pub audience: &'a str,
    pub kind: &'a str,
    pub body: &'a str,
    pub params: &'a [String],
}

/// Several queued messages in one statement; their ids in the order given. Within one call each
/// (order, kind, recipient) must be distinct: that is how the answer's rows are matched back.
pub async fn insert_many(
    conn: &mut Conn,
    messages: &[NewMessage<'_>],
    now: i64,
) -> DbResult<Vec<i64>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let rows = super::values_rows(
        super::backend_of(conn),
        messages.len(),
        "(?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
    );
    let sql = format!(
        "INSERT INTO messages (order_id, recipient, audience, kind, body, params, state, attempts, \
         created_at, updated_at) VALUES {rows} RETURNING id, order_id, kind, recipient"
    );
    let params: Vec<String> = messages
        .iter()
        .map(|m| serde_json::to_string(m.params).expect("strings serialise"))
        .collect();
    let mut query = sqlx::query(&sql);
    for (m, p) in messages.iter().zip(&params) {
        query = query
            .bind(m.order_id)
            .bind(m.recipient.as_str())
            .bind(m.audience)
            .bind(m.kind)
            .bind(m.body)
            .bind(p.as_str())
            .bind(now)
            .bind(now);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut found: Vec<(Option<i64>, String, String, i64)> = Vec::with_capacity(rows.len());
    for r in &rows {
        found.push((
            r.try_get("order_id")?,
            r.try_get("kind")?,
            r.try_get("recipient")?,
            r.try_get("id")?,
        ));
    }
    messages
        .iter()
        .map(|m| {
            found
                .iter()
                .find(|(o, k, to, _)| *o == m.order_id && k == m.kind && to == m.recipient.as_str())
                .map(|(_, _, _, id)| *id)
                .ok_or_else(|| DbError::Corrupt("a batch message came back without its id".into()))
        })
        .collect()
}
