//! The catalogue sync log (one row per run of the sync job) and the sync job's queue entry.

use sqlx::Row;

use super::{Conn, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRun {
    pub started_at: i64,
    pub finished_at: i64,
    pub total: i64,
    pub available: i64,
    pub marked_unavailable: i64,
    pub error: Option<String>,
}

pub async fn insert_sync(conn: &mut Conn, run: &SyncRun) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO catalogue_syncs (started_at, finished_at, total, available, marked_unavailable, error) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(run.started_at)
    .bind(run.finished_at)
    .bind(run.total)
    .bind(run.available)
    .bind(run.marked_unavailable)
    .bind(run.error.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn last_sync(conn: &mut Conn) -> DbResult<Option<SyncRun>> {
    let row = sqlx::query(
        "SELECT started_at, finished_at, total, available, marked_unavailable, error \
         FROM catalogue_syncs ORDER BY finished_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(SyncRun {
            started_at: r.try_get("started_at")?,
            finished_at: r.try_get("finished_at")?,
            total: r.try_get("total")?,
            available: r.try_get("available")?,
            marked_unavailable: r.try_get("marked_unavailable")?,
            error: r.try_get("error")?,
        })
    })
    .transpose()
}

/// The pending job under `dedupe_key`: `(run_at, running)`, if any; running means a worker
/// holds a live lease on it.
pub async fn pending_job(
    conn: &mut Conn,
    dedupe_key: &str,
    now: i64,
) -> DbResult<Option<(i64, bool)>> {
    let row = sqlx::query(
        "SELECT run_at, locked_until FROM jobs WHERE dedupe_key = $1 AND state = 'pending'",
    )
    .bind(dedupe_key)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let locked: Option<i64> = r.try_get("locked_until")?;
        Ok((r.try_get("run_at")?, locked.is_some_and(|l| l > now)))
    })
    .transpose()
}
