//! Game-nickname lookups. A request handler never calls the supplier: it asks for a lookup here,
//! a worker performs it, and the handler reads the answer (briefly waiting for it). Answers are
//! cached, so a customer retyping the same id costs the supplier nothing.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Conn, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupState {
    Pending,
    Found(String),
    NotFound(String),
    /// The supplier could not be asked (outage); the customer may try again.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub id: i64,
    pub game_code: String,
    pub target: String,
    pub zone: Option<String>,
    pub state: LookupState,
    pub updated_at: i64,
}

pub fn key(game_code: &str, target: &str, zone: Option<&str>) -> String {
    format!("{game_code}|{target}|{}", zone.unwrap_or(""))
}

fn from_row(r: &AnyRow) -> DbResult<Lookup> {
    let state: String = r.try_get("state")?;
    let nickname: Option<String> = r.try_get("nickname")?;
    let message: Option<String> = r.try_get("message")?;
    Ok(Lookup {
        id: r.try_get("id")?,
        game_code: r.try_get("game_code")?,
        target: r.try_get("target")?,
        zone: r.try_get("zone")?,
        state: match state.as_str() {
            "found" => LookupState::Found(nickname.unwrap_or_default()),
            "not_found" => LookupState::NotFound(message.unwrap_or_default()),
            "failed" => LookupState::Failed(message.unwrap_or_default()),
            _ => LookupState::Pending,
        },
        updated_at: r.try_get("updated_at")?,
    })
}

const COLUMNS: &str = "id, game_code, target, zone, state, nickname, message, updated_at";

pub async fn get(conn: &mut Conn, key: &str) -> DbResult<Option<Lookup>> {
    let sql = format!("SELECT {COLUMNS} FROM nickname_lookups WHERE lookup_key = $1");
    let row = sqlx::query(&sql)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> DbResult<Option<Lookup>> {
    let sql = format!("SELECT {COLUMNS} FROM nickname_lookups WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Creates a pending lookup, or turns a stale/failed one back to pending. Returns the lookup id
/// and whether a job must be queued for it.
pub async fn request(
    conn: &mut Conn,
    game_code: &str,
    target: &str,
    zone: Option<&str>,
    now: i64,
    refresh_before: i64,
) -> DbResult<(i64, bool)> {
    let k = key(game_code, target, zone);
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO nickname_lookups (lookup_key, game_code, target, zone, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (lookup_key) DO NOTHING RETURNING id",
    )
    .bind(&k)
    .bind(game_code)
    .bind(target)
    .bind(zone)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        return Ok((id, true));
    }
    // Failed lookups are retried; old answers are refreshed (players rename themselves).
    let refreshed: Option<i64> = sqlx::query_scalar(
        "UPDATE nickname_lookups SET state = 'pending', updated_at = $1 WHERE lookup_key = $2 \
         AND (state = 'failed' OR (state <> 'pending' AND updated_at < $3)) RETURNING id",
    )
    .bind(now)
    .bind(&k)
    .bind(refresh_before)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = refreshed {
        return Ok((id, true));
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM nickname_lookups WHERE lookup_key = $1")
        .bind(&k)
        .fetch_one(&mut *conn)
        .await?;
    Ok((id, false))
}

pub async fn resolve(conn: &mut Conn, id: i64, state: &LookupState, now: i64) -> DbResult<()> {
    let (s, nickname, message) = match state {
        LookupState::Pending => ("pending", None, None),
        LookupState::Found(n) => ("found", Some(n.as_str()), None),
        LookupState::NotFound(m) => ("not_found", None, Some(m.as_str())),
        LookupState::Failed(m) => ("failed", None, Some(m.as_str())),
    };
    sqlx::query(
        "UPDATE nickname_lookups SET state = $1, nickname = $2, message = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(s)
    .bind(nickname)
    .bind(message)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
