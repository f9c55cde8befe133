//! The queue: jobs are queued in the caller's transaction (so a job exists exactly when the
//! change that needs it was committed), deduplicated by key, claimed under a lease, retried with
//! a backoff, and woken per lane. It imports no service: services queue their work here, and the
//! [`super::runner`] runs it.

pub use super::kind::{JobKind, Lane};
use crate::app::App;
use crate::db::jobs::{self as repo, Job, NewJob};
use crate::db::{Conn, DbResult};

/// How long a claimed job belongs to its worker before another may take it over. A running job's
/// lease is renewed every [`HEARTBEAT`] (so a slow provider call never loses it), and a process
/// that dies stops renewing: another process takes its jobs over within this time. A process
/// that restarts releases its previous life's leases at once ([`release_leases_of`]).
pub const LEASE_MS: i64 = 30_000;
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

/// Queues a job in the caller's transaction. `dedupe`: at most one live job per key.
pub async fn schedule(
    conn: &mut Conn,
    kind: JobKind,
    ref_id: i64,
    run_at: i64,
    now: i64,
    dedupe: Option<&str>,
) -> DbResult<bool> {
    repo::enqueue(
        conn,
        &NewJob {
            kind: kind.as_str(),
            ref_id: Some(ref_id),
            payload: "{}",
            run_at,
            max_attempts: kind.max_attempts(),
            dedupe_key: dedupe,
        },
        now,
    )
    .await
}

/// Queues many jobs (none deduplicated) in one statement, in the caller's transaction: the
/// group commit's way of doing what [`schedule`] does for one.
pub async fn schedule_many(
    conn: &mut Conn,
    jobs: &[(JobKind, i64, i64)],
    now: i64,
) -> DbResult<()> {
    let rows: Vec<NewJob<'_>> = jobs
        .iter()
        .map(|&(kind, ref_id, run_at)| NewJob {
            kind: kind.as_str(),
            ref_id: Some(ref_id),
            payload: "{}",
            run_at,
            max_attempts: kind.max_attempts(),
            dedupe_key: None,
        })
        .collect();
    repo::enqueue_many(conn, &rows, now).await
}

/// Has the job under `dedupe` run now: queues it, or brings its pending run forward (a periodic
/// job the seller asks for early). `false` when it is already due or running.
pub async fn run_now(conn: &mut Conn, kind: JobKind, dedupe: &str, now: i64) -> DbResult<bool> {
    Ok(schedule(conn, kind, 0, now, now, Some(dedupe)).await?
        || repo::pull_forward(conn, dedupe, now).await?)
}

/// Runs the pending jobs of `kind` now instead of at their later time (what they waited for
/// has happened), and wakes the workers of their lane.
pub async fn pull_forward(app: &App, kind: JobKind) -> DbResult<()> {
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    if repo::pull_forward_kind(&mut conn, kind.as_str(), now).await? > 0 {
        drop(conn);
        app.wake.one(kind.lane());
    }
    Ok(())
}

/// What a handler decided.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// Failed this time; try again after a backoff (counts an attempt).
    Retry(String),
    /// Not finished, nothing failed: look again at this time (does not count an attempt).
    Later(i64),
    /// Failed this time; try again no sooner than this time (counts an attempt; the backoff
    /// still applies when it is later).
    RetryAt(i64, String),
}

/// Exponential backoff: 5 s, 10 s, 20 s, … capped at 30 minutes.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    (5_000i64.saturating_mul(1i64 << exp)).min(30 * 60_000)
}

/// The name a process's workers claim jobs under: `<instance>/<lane>-<n>`. The instance part is
/// the same in every life of the process (`MADD_INSTANCE`, by default host name and port), so a
/// restarted process knows which leases were its own.
pub fn worker_name(instance: &str, lane: Lane, n: usize) -> String {
    format!("{instance}/{}-{n}", lane.as_str())
}

/// Releases every lease a previous life of `instance` held: those jobs were interrupted (a
/// crash, a `kill -9`) and run again at once instead of after their lease. Returns how many.
pub async fn release_leases_of(app: &App, instance: &str) -> DbResult<u64> {
    let mut conn = app.db.write().await?;
    let released = repo::release_held_by(&mut conn, &format!("{instance}/"), app.now_ms()).await?;
    if released > 0 {
        tracing::warn!(
            released,
            instance,
            "resuming jobs this instance held when it stopped"
        );
    }
    Ok(released)
}

/// Claims the next due job of `lane` (any lane: `None`) for `worker`, under a lease.
pub async fn claim(app: &App, worker: &str, lane: Option<Lane>) -> DbResult<Option<Job>> {
    let kinds = lane.map(Lane::kinds);
    let mut conn = app.db.write().await?;
    repo::claim(
        &mut conn,
        app.db.backend,
        worker,
        app.now_ms(),
        LEASE_MS,
        kinds.as_deref(),
    )
    .await
}

/// When the next job of `lane` comes due, in milliseconds from now (another lane's jobs must not
/// wake this lane's workers: while that lane is busy, its due jobs would make this one poll).
pub async fn next_due_in(app: &App, lane: Lane) -> Option<i64> {
    let mut conn = app.db.read().await.ok()?;
    let due = repo::next_due(&mut conn, Some(&lane.kinds()))
        .await
        .ok()??;
    Some(due - app.now_ms())
}

/// A job to queue at start unless one is queued already (the dedupe key keeps one of each,
/// however many processes start): it reschedules itself every time it runs.
#[derive(Copy, Clone, Debug)]
pub struct Periodic {
    pub kind: JobKind,
    pub dedupe_key: &'static str,
    /// The first run, from start (a job that also runs at start waits one interval).
    pub first_in_ms: i64,
}

/// Queues each of `periodic` that is not queued yet.
pub async fn schedule_periodic(app: &App, periodic: &[Periodic]) -> DbResult<()> {
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    for p in periodic {
        schedule(
            &mut conn,
            p.kind,
            0,
            now + p.first_in_ms,
            now,
            Some(p.dedupe_key),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_ms(1), 5_000);
        assert_eq!(backoff_ms(2), 10_000);
        assert_eq!(backoff_ms(4), 40_000);
        assert_eq!(backoff_ms(30), 30 * 60_000);
        assert_eq!(backoff_ms(0), 5_000);
    }
}
