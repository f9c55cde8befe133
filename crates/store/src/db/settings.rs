//! The seller's settings (stored values over the configuration's defaults) and their audit trail.

use super::{Conn, DbResult};
use sqlx::Row;

/// Every stored setting, `(key, value)`.
pub async fn settings(conn: &mut Conn) -> DbResult<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("key")?, r.try_get("value")?)))
        .collect()
}

/// Writes a setting and its audit row (the caller's transaction). `false` when unchanged.
pub async fn set_setting(
    conn: &mut Conn,
    key: &str,
    value: &str,
    actor: &str,
    now: i64,
) -> DbResult<bool> {
    let old: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    if old.as_deref() == Some(value) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO settings_audit (key, old_value, new_value, actor, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(key)
    .bind(old)
    .bind(value)
    .bind(actor)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub key: String,
    pub old_value: Option<String>,
    pub new_value: String,
    pub actor: String,
    pub at: i64,
}

pub async fn settings_audit(conn: &mut Conn, limit: i64) -> DbResult<Vec<AuditRow>> {
    let rows = sqlx::query(
        "SELECT key, old_value, new_value, actor, at FROM settings_audit ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                key: r.try_get("key")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Deposits
