//! Chat over WhatsApp: incoming messages (recorded once per gateway id), the guided flow's step
//! per number, rate-limit counters and the "store closed" switch.

use super::{Conn, DbResult};
use madd_domain::PhoneNumber;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum InboundState {
    /// Recorded, its reply job queued.
    Received,
    /// The reply job ran (answered once).
    Answered,
    /// Recorded but not answered: the number is flooding the store.
    Throttled,
}

impl InboundState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboundState::Received => "received",
            InboundState::Answered => "answered",
            InboundState::Throttled => "throttled",
        }
    }

    fn parse(s: &str) -> InboundState {
        match s {
            "received" => InboundState::Received,
            "throttled" => InboundState::Throttled,
            _ => InboundState::Answered,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    pub id: i64,
    pub gateway: String,
    pub provider_id: String,
    pub sender: String,
    pub name: Option<String>,
    pub body: String,
    pub state: InboundState,
    pub received_at: i64,
}

fn inbound_from_row(r: &AnyRow) -> DbResult<Inbound> {
    let state: String = r.try_get("state")?;
    Ok(Inbound {
        id: r.try_get("id")?,
        gateway: r.try_get("gateway")?,
        provider_id: r.try_get("provider_id")?,
        sender: r.try_get("sender")?,
        name: r.try_get("name")?,
        body: r.try_get("body")?,
        state: InboundState::parse(&state),
        received_at: r.try_get("received_at")?,
    })
}

pub struct NewInbound<'a> {
    pub gateway: &'a str,
    pub provider_id: &'a str,
    pub sender: &'a PhoneNumber,
    pub name: Option<&'a str>,
    pub body: &'a str,
    pub state: InboundState,
    pub now: i64,
}

/// Records an incoming message; `None` when this gateway id was recorded before (a redelivery).
pub async fn record_inbound(conn: &mut Conn, m: &NewInbound<'_>) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO inbound_messages (gateway, provider_id, sender, name, body, state, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (gateway, provider_id) DO NOTHING RETURNING id",
    )
    .bind(m.gateway)
    .bind(m.provider_id)
    .bind(m.sender.as_str())
    .bind(m.name)
    .bind(m.body)
    .bind(m.state.as_str())
    .bind(m.now)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Messages from `sender` recorded since `since` (flood control).
pub async fn inbound_since(conn: &mut Conn, sender: &PhoneNumber, since: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM inbound_messages WHERE sender = $1 AND received_at >= $2",
    )
    .bind(sender.as_str())
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn inbound(conn: &mut Conn, id: i64) -> DbResult<Option<Inbound>> {
    let row = sqlx::query(
        "SELECT id, gateway, provider_id, sender, name, body, state, received_at \
         FROM inbound_messages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(inbound_from_row).transpose()
}

/// Whether `sender` has a message before `id`, received since `since`, still waiting for its
/// answer: a conversation is answered in the order it was written (a quick *ya* waits for the
/// confirmation it answers).
pub async fn earlier_unanswered(
    conn: &mut Conn,
    sender: &str,
    id: i64,
    since: i64,
) -> DbResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM inbound_messages \
         WHERE sender = $1 AND received_at >= $2 AND id < $3 AND state = 'received'",
    )
    .bind(sender)
    .bind(since)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// `received → answered`, once: `false` when another run answered it already.
pub async fn mark_answered(conn: &mut Conn, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE inbound_messages SET state = 'answered', answered_at = $1 \
         WHERE id = $2 AND state = 'received'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The guided flow's step for `phone` (JSON), unless it expired.
pub async fn session(conn: &mut Conn, phone: &PhoneNumber, now: i64) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar(
            "SELECT pending FROM chat_sessions WHERE phone = $1 AND expires_at > $2",
        )
        .bind(phone.as_str())
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?,
    )
}

pub async fn set_session(
    conn: &mut Conn,
    phone: &PhoneNumber,
    pending: &str,
    expires_at: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO chat_sessions (phone, pending, expires_at, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (phone) DO UPDATE SET pending = excluded.pending, \
         expires_at = excluded.expires_at, updated_at = excluded.updated_at",
    )
    .bind(phone.as_str())
    .bind(pending)
    .bind(expires_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn clear_session(conn: &mut Conn, phone: &PhoneNumber) -> DbResult<()> {
    sqlx::query("DELETE FROM chat_sessions WHERE phone = $1")
        .bind(phone.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn record_action(
    conn: &mut Conn,
    phone: &PhoneNumber,
    action: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query("INSERT INTO chat_actions (phone, action, at) VALUES ($1, $2, $3)")
        .bind(phone.as_str())
        .bind(action)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn actions_since(
    conn: &mut Conn,
    phone: &PhoneNumber,
    action: &str,
    since: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM chat_actions WHERE phone = $1 AND action = $2 AND at >= $3",
    )
    .bind(phone.as_str())
    .bind(action)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}
