//! The runner: claims due jobs from the queue and runs them through a [`Handlers`] table it is
//! given. It knows no job kind's meaning and imports no service — the table
//! ([`super::registry`]) is handed to it at start.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tracing::Instrument;

use super::queue::{self, backoff_ms, JobKind, Lane, Outcome, HEARTBEAT, LEASE_MS};
use crate::app::App;
use crate::db::jobs::{self as repo, Job};
use crate::db::DbResult;
use crate::error::AppError;

/// A boxed future borrowing `'a` (what a handler returns).
pub type Running<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What each kind of job does: the one table the runner reads.
pub trait Handlers: Send + Sync {
    /// Runs one claimed job.
    fn run<'a>(
        &'a self,
        app: &'a App,
        kind: JobKind,
        job: &'a Job,
    ) -> Running<'a, Result<Outcome, AppError>>;

    /// Called once when a job has used its last attempt.
    fn give_up<'a>(
        &'a self,
        app: &'a App,
        kind: JobKind,
        job: &'a Job,
        error: &'a str,
    ) -> Running<'a, Result<(), AppError>>;
}

/// Claims and runs one due job of `lane` (any lane: `None`). `false` when none was due.
pub async fn run_one(
    app: &App,
    handlers: &dyn Handlers,
    worker: &str,
    lane: Option<Lane>,
) -> DbResult<bool> {
    let now = app.now_ms();
    let Some(job) = queue::claim(app, worker, lane).await? else {
        return Ok(false);
    };
    let heartbeat = tokio::spawn(renew_lease(app.clone(), job.clone()));
    let ran = run_claimed(app, handlers, job, now).await;
    heartbeat.abort();
    ran
}

/// Keeps a running job's lease alive until it is aborted (the job finished).
async fn renew_lease(app: App, job: Job) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.tick().await;
    loop {
        tick.tick().await;
        let renewed = async {
            let mut conn = app.db.write().await?;
            repo::renew(&mut conn, &job, app.now_ms() + LEASE_MS).await
        }
        .await;
        match renewed {
            Ok(true) => {}
            Ok(false) => return, // finished, or taken over
            Err(e) => tracing::warn!(job = job.id, error = %e, "could not renew a job's lease"),
        }
    }
}

async fn run_claimed(app: &App, handlers: &dyn Handlers, job: Job, now: i64) -> DbResult<bool> {
    let span = tracing::info_span!("job", id = job.id, kind = %job.kind, ref_id = job.ref_id);
    async {
        let Some(kind) = JobKind::parse(&job.kind) else {
            tracing::error!("unknown job kind; burying it");
            let mut conn = app.db.write().await?;
            repo::retry_or_bury(
                &mut conn,
                &Job {
                    attempts: job.max_attempts,
                    ..job.clone()
                },
                now,
                "unknown job kind",
                now,
            )
            .await?;
            return Ok(true);
        };
        let outcome = handlers.run(app, kind, &job).await;
        let now = app.now_ms();
        let failure = match outcome {
            Ok(Outcome::Done) => {
                let mut conn = app.db.write().await?;
                repo::complete(&mut conn, &job, now).await?;
                None
            }
            Ok(Outcome::Later(at)) => {
                let mut conn = app.db.write().await?;
                repo::reschedule(&mut conn, &job, at, now).await?;
                None
            }
            Ok(Outcome::Retry(reason)) => {
                tracing::warn!(attempt = job.attempts, %reason, "job failed; will retry");
                Some((reason, 0))
            }
            Ok(Outcome::RetryAt(at, reason)) => {
                tracing::warn!(attempt = job.attempts, %reason, "job failed; will retry later");
                Some((reason, at))
            }
            Err(e) => {
                tracing::error!(attempt = job.attempts, error = %e, "job errored; will retry");
                Some((e.to_string(), 0))
            }
        };
        if let Some((reason, not_before)) = failure {
            let buried = {
                let mut conn = app.db.write().await?;
                repo::retry_or_bury(
                    &mut conn,
                    &job,
                    (now + backoff_ms(job.attempts)).max(not_before),
                    &reason,
                    now,
                )
                .await?
            };
            // The connection is back in the pool before the consequences are recorded (SQLite's
            // pool has one writer).
            if buried {
                tracing::error!(%reason, "job out of attempts");
                if let Err(e) = handlers.give_up(app, kind, &job, &reason).await {
                    tracing::error!(error = %e, "could not record a buried job's consequences");
                }
            }
        }
        Ok(true)
    }
    .instrument(span)
    .await
}

/// Runs every job that is due now, until none is left (tests and the CLI use this).
pub async fn drain(app: &App, handlers: &dyn Handlers) -> DbResult<usize> {
    let mut n = 0;
    while run_one(app, handlers, "drain", None).await? {
        n += 1;
        if n > 10_000 {
            tracing::error!("drain: too many jobs, stopping");
            break;
        }
    }
    Ok(n)
}

/// A background worker: runs jobs of its lane as they come due until `shutdown` turns true.
pub async fn worker(
    app: App,
    handlers: &'static dyn Handlers,
    name: String,
    lane: Lane,
    mut shutdown: watch::Receiver<bool>,
) {
    let _counted = app.workers.enter();
    // When this worker next looks at the queue unasked: the next job's due time, at most a
    // second away (other processes queue jobs too).
    let mut look_again: Option<Instant> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        match run_one(&app, handlers, &name, Some(lane)).await {
            Ok(true) => {
                // More may be waiting: another worker of the lane joins in.
                app.wake.one(lane);
                continue;
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "worker could not reach the database"),
        }
        // Woken for nothing (another lane's job, or one a sibling took) the worker keeps the
        // time it had: asking the database when the next job is due after every wake-up was
        // most of a webhook's cost under load. A job queued since for later than now is at
        // most that second late; one queued for now comes with a wake-up.
        let until = match look_again {
            Some(at) if at > Instant::now() => at,
            _ => {
                let wait = match queue::next_due_in(&app, lane).await {
                    Some(ms) => Duration::from_millis(ms.clamp(10, 1_000) as u64),
                    None => Duration::from_secs(1),
                };
                Instant::now() + wait
            }
        };
        look_again = Some(until);
        tokio::select! {
            _ = app.wake.notified(lane) => {}
            _ = tokio::time::sleep_until(until) => look_again = None,
            _ = shutdown.changed() => {}
        }
    }
}
