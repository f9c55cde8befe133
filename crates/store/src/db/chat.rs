//! Chat over WhatsApp: incoming messages (recorded once per gateway id), the guided flow's step
//! per number, rate-limit counters and the "store closed" switch.

use madd_domain::PhoneNumber;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

/// The `settings` key of the seller's `tutup` / `buka` switch.
const PAUSED_KEY: &str = "orders_paused";

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

/// Whether the seller has closed the store to new orders (`tutup`).
pub async fn paused(conn: &mut Conn) -> DbResult<bool> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(PAUSED_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value.as_deref() == Some("1"))
}

pub async fn set_paused(conn: &mut Conn, paused: bool, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(PAUSED_KEY)
    .bind(if paused { "1" } else { "0" })
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The customer's `batal`: an order nobody has paid anything for ends as `expired` now (the
/// status store-api.md gives an unpaid order that will not be paid). Orders with money on them
/// are not cancelled by chat: the seller must refund.
pub async fn cancel_unpaid(conn: &mut Conn, order_id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE orders SET status = 'expired', expires_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'awaiting_payment' AND amount_paid = 0",
    )
    .bind(now)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
