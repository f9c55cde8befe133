//! Durable jobs. A job is written in the same transaction as the state change that calls for it,
//! claimed with a lease (so a crashed worker's job is picked up again when the lease runs out),
//! retried with backoff, and kept as `dead` with its last error when it runs out of attempts.
//! Job handlers are idempotent: a lease can expire while a slow handler is still running.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Backend, Conn, DbResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub ref_id: Option<i64>,
    pub payload: String,
    /// Including the current one.
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_by: String,
}

pub struct NewJob<'a> {
    pub kind: &'a str,
    pub ref_id: Option<i64>,
    pub payload: &'a str,
    pub run_at: i64,
    pub max_attempts: i64,
    /// At most one live (pending) job per key; released when the job finishes.
    pub dedupe_key: Option<&'a str>,
}

/// Returns whether a job was written (`false`: a live job with the same key exists).
pub async fn enqueue(conn: &mut Conn, job: &NewJob<'_>, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO jobs (kind, ref_id, payload, state, run_at, attempts, max_attempts, \
         dedupe_key, created_at, updated_at) \
         VALUES ($1, $2, $3, 'pending', $4, 0, $5, $6, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(job.kind)
    .bind(job.ref_id)
    .bind(job.payload)
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(job.dedupe_key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn from_row(r: &AnyRow) -> DbResult<Job> {
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        ref_id: r.try_get("ref_id")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        max_attempts: r.try_get("max_attempts")?,
        locked_by: r.try_get("locked_by")?,
    })
}

/// Claims the next due job for `worker` until `now + lease_ms`; only of `kinds` when given
/// (a worker lane).
pub async fn claim(
    conn: &mut Conn,
    backend: Backend,
    worker: &str,
    now: i64,
    lease_ms: i64,
    kinds: Option<&[&'static str]>,
) -> DbResult<Option<Job>> {
    // PostgreSQL: several processes claim at once; SKIP LOCKED lets each take a different row
    // without waiting. SQLite has one writer, so the plain sub-select is already exclusive.
    let sql = claim_sql(backend, kinds);
    let row = sqlx::query(&sql)
        .bind(worker)
        .bind(now + lease_ms)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The statement that claims the next due job of `kinds` (a lane; `None`: any kind).
pub fn claim_sql(backend: Backend, kinds: Option<&[&'static str]>) -> String {
    const FREE: &str =
        "state = 'pending' AND run_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)";
    let pick = match (backend, kinds) {
        (Backend::Postgres, _) | (Backend::Sqlite, None) => {
            let lock = match backend {
                Backend::Postgres => "FOR UPDATE SKIP LOCKED",
                Backend::Sqlite => "",
            };
            format!(
                "SELECT id FROM jobs WHERE {FREE} {} ORDER BY run_at, id LIMIT 1 {lock}",
                kinds_clause(kinds)
            )
        }
        // SQLite, without statistics, reads `kind IN (…)` off `jobs_due` in due order and so
        // walks every due job of the other lanes; the first due job of each kind is an index
        // seek in `jobs_pending_kind`, and the earliest of those is the lane's.
        (Backend::Sqlite, Some(kinds)) => {
            let firsts: Vec<String> = kinds
                .iter()
                .map(|k| {
                    format!(
                        "SELECT * FROM (SELECT id, run_at FROM jobs WHERE {FREE} AND kind = {} \
                         ORDER BY run_at, id LIMIT 1)",
                        kind_literal(k)
                    )
                })
                .collect();
            format!(
                "SELECT id FROM ({}) ORDER BY run_at, id LIMIT 1",
                firsts.join(" UNION ALL ")
            )
        }
    };
    format!(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1, woken = 0, \
         updated_at = $3 WHERE id = ({pick}) \
         RETURNING id, kind, ref_id, payload, attempts, max_attempts, locked_by"
    )
}

/// Extends a running job's lease; `false` when the job is no longer this worker's (finished, or
/// taken over after its lease ran out).
pub async fn renew(conn: &mut Conn, job: &Job, locked_until: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET locked_until = $1 \
         WHERE id = $2 AND locked_by = $3 AND state = 'pending' AND locked_until IS NOT NULL",
    )
    .bind(locked_until)
    .bind(job.id)
    .bind(&job.locked_by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Releases the live leases of workers whose name starts with `prefix` (a restarted process's
/// previous life): their jobs come due at once. The attempt they used stays counted.
pub async fn release_held_by(conn: &mut Conn, prefix: &str, now: i64) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE jobs SET locked_until = NULL, run_at = CASE WHEN run_at < $1 THEN run_at ELSE $1 END, \
         updated_at = $1 \
         WHERE state = 'pending' AND locked_until > $1 AND SUBSTR(locked_by, 1, CAST($2 AS INTEGER)) = $3",
    )
    .bind(now)
    .bind(prefix.chars().count() as i64)
    .bind(prefix)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Finishes a job. Only the worker holding the lease can (a job re-claimed after its lease ran
/// out belongs to its new worker).
pub async fn complete(conn: &mut Conn, job: &Job, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', dedupe_key = NULL, locked_until = NULL, updated_at = $1 \
         WHERE id = $2 AND locked_by = $3 AND state = 'pending'",
    )
    .bind(now)
    .bind(job.id)
    .bind(&job.locked_by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a job back to run at `run_at`, or marks it dead when it has no attempts left.
pub async fn retry_or_bury(
    conn: &mut Conn,
    job: &Job,
    run_at: i64,
    error: &str,
    now: i64,
) -> DbResult<bool> {
    let dead = job.attempts >= job.max_attempts;
    let done = sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, locked_until = NULL, last_error = $3, \
         dedupe_key = CASE WHEN $1 = 'dead' THEN NULL ELSE dedupe_key END, updated_at = $4 \
         WHERE id = $5 AND locked_by = $6 AND state = 'pending'",
    )
    .bind(if dead { "dead" } else { "pending" })
    .bind(run_at)
    .bind(error)
    .bind(now)
    .bind(job.id)
    .bind(&job.locked_by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1 && dead)
}

/// Reschedules without counting an attempt (e.g. "the supplier has not finished yet").
pub async fn reschedule(conn: &mut Conn, job: &Job, run_at: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE jobs SET run_at = CASE WHEN woken = 1 THEN $2 ELSE $1 END, woken = 0, \
         locked_until = NULL, attempts = attempts - 1, updated_at = $2 \
         WHERE id = $3 AND locked_by = $4 AND state = 'pending'",
    )
    .bind(run_at)
    .bind(now)
    .bind(job.id)
    .bind(&job.locked_by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The earliest time a pending job (of `kinds`, when given) is due, for a worker to sleep until
/// then.
pub async fn next_due(conn: &mut Conn, kinds: Option<&[&'static str]>) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(&next_due_sql(kinds))
        .fetch_one(&mut *conn)
        .await?)
}

/// When the next job of `kinds` comes due. One index seek per kind for the free jobs
/// (`jobs_pending_kind`), and the few leased ones (`jobs_leased`) come due when their lease runs
/// out. A MIN over the lane's kinds as one range would read every pending job of the lane (an
/// expiry job per unpaid order).
pub fn next_due_sql(kinds: Option<&[&'static str]>) -> String {
    let Some(kinds) = kinds else {
        return "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > run_at \
                THEN locked_until ELSE run_at END) FROM jobs WHERE state = 'pending'"
            .to_string();
    };
    let mut parts: Vec<String> = kinds
        .iter()
        .map(|k| {
            format!(
                "SELECT (SELECT run_at FROM jobs WHERE state = 'pending' AND kind = {} \
                 AND locked_until IS NULL ORDER BY run_at, id LIMIT 1) AS due",
                kind_literal(k)
            )
        })
        .collect();
    // Only a pending job holds a lease (finishing, retrying or burying one clears it), so this
    // part has no `state =`, which would steer SQLite's planner onto `jobs_due`.
    parts.push(format!(
        "SELECT MIN(CASE WHEN locked_until > run_at THEN locked_until ELSE run_at END) AS due \
         FROM jobs WHERE locked_until IS NOT NULL {}",
        kinds_clause(Some(kinds))
    ));
    format!(
        "SELECT MIN(due) FROM ({}) AS lanes",
        parts.join(" UNION ALL ")
    )
}

/// A job kind written into a statement: the code's own `&'static str` names, never input.
fn kind_literal(kind: &'static str) -> String {
    debug_assert!(kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    format!("'{kind}'")
}

/// `AND kind IN ('a', 'b')` for a worker lane. The kinds are the code's own `&'static str`
/// names (never input), so they are written into the statement: sqlx's `Any` driver has no
/// portable array parameter.
fn kinds_clause(kinds: Option<&[&'static str]>) -> String {
    match kinds {
        Some(kinds) => {
            let list: Vec<String> = kinds.iter().map(|k| kind_literal(k)).collect();
            format!("AND kind IN ({})", list.join(", "))
        }
        None => String::new(),
    }
}

/// Brings the pending job under `dedupe_key` forward to `now` (a job already due or running is
/// left alone). `true` when a job was moved.
pub async fn pull_forward(conn: &mut Conn, dedupe_key: &str, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET run_at = $1, updated_at = $1 \
         WHERE dedupe_key = $2 AND state = 'pending' AND run_at > $1 \
           AND (locked_until IS NULL OR locked_until <= $1)",
    )
    .bind(now)
    .bind(dedupe_key)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Brings every pending job of `kind` waiting for a later time forward to `now`: the work they
/// wait for has happened. One running now is marked woken, so that its own "later" (decided
/// before it could see this) becomes "now" ([`reschedule`]). The number touched.
pub async fn pull_forward_kind(conn: &mut Conn, kind: &str, now: i64) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE jobs SET run_at = CASE WHEN run_at > $1 THEN $1 ELSE run_at END, woken = 1, \
         updated_at = $1 WHERE kind = $2 AND state = 'pending' \
           AND (run_at > $1 OR locked_until > $1)",
    )
    .bind(now)
    .bind(kind)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Several jobs without dedupe keys in one statement (a group commit's jobs).
pub async fn enqueue_many(conn: &mut Conn, jobs: &[NewJob<'_>], now: i64) -> DbResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    debug_assert!(jobs.iter().all(|j| j.dedupe_key.is_none()));
    let rows = super::values_rows(
        super::backend_of(conn),
        jobs.len(),
        "(?, ?, ?, 'pending', ?, 0, ?, NULL, ?, ?)",
    );
    let sql = format!(
        "INSERT INTO jobs (kind, ref_id, payload, state, run_at, attempts, max_attempts, \
         dedupe_key, created_at, updated_at) VALUES {rows}"
    );
    let mut query = sqlx::query(&sql);
    for j in jobs {
        query = query
            .bind(j.kind)
            .bind(j.ref_id)
            .bind(j.payload)
            .bind(j.run_at)
            .bind(j.max_attempts)
            .bind(now)
            .bind(now);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
