//! The job runner: claims due jobs from the database and runs their handlers. Every process runs
//! some workers; on PostgreSQL several processes share the queue safely (row claiming with
//! `SKIP LOCKED`, leases for crashed workers, handlers that are idempotent).

use std::time::Duration;

use tokio::sync::{watch, Notify};
use tracing::Instrument;

use crate::app::App;
use crate::db::jobs::{self as repo, Job, NewJob};
use crate::db::{Conn, DbResult};
use crate::service::{chat, fulfilment, money, nickname, orders, outbox, postpaid, reconcile};

/// How long a claimed job belongs to its worker before another may take it over. A running job's
/// lease is renewed every [`HEARTBEAT`] (so a slow provider call never loses it), and a process
/// that dies stops renewing: another process takes its jobs over within this time. A process
/// that restarts releases its previous life's leases at once ([`release_leases_of`]).
const LEASE_MS: i64 = 30_000;
const HEARTBEAT: Duration = Duration::from_secs(10);

/// Worker pools that never wait for each other: a gateway that hangs while sending WhatsApp
/// messages must not delay a nickname lookup a customer is waiting for, nor a paid order's
/// placement.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// A person is waiting on the answer (nickname, bill, chat reply).
    Interactive,
    /// Paid orders: placement, follow-up, expiry.
    Orders,
    /// WhatsApp messages.
    Messages,
    /// Periodic checks: balance, payment reconciliation, catalogue sync.
    Background,
}

impl Lane {
    pub const ALL: [Lane; 4] = [
        Lane::Interactive,
        Lane::Orders,
        Lane::Messages,
        Lane::Background,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Interactive => "interactive",
            Lane::Orders => "orders",
            Lane::Messages => "messages",
            Lane::Background => "background",
        }
    }

    /// The job kinds this lane runs.
    pub fn kinds(self) -> Vec<&'static str> {
        JobKind::ALL
            .iter()
            .filter(|k| k.lane() == self)
            .map(|k| k.as_str())
            .collect()
    }

    /// How many of a process's `workers` run this lane: every lane gets at least one, messages
    /// (the slowest calls, and the most of them) half.
    pub fn workers(self, workers: usize) -> usize {
        if workers == 0 {
            return 0;
        }
        match self {
            Lane::Messages => (workers / 2).max(1),
            Lane::Interactive | Lane::Orders => (workers / 4).max(1),
            Lane::Background => 1,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JobKind {
    SendMessage,
    PlaceOrder,
    FollowOrder,
    ExpireOrder,
    LookupNickname,
    CheckBalance,
    ReconcilePayments,
    ChatReply,
    PostpaidInquiry,
    SyncCatalogue,
}

impl JobKind {
    pub const ALL: [JobKind; 10] = [
        JobKind::SendMessage,
        JobKind::PlaceOrder,
        JobKind::FollowOrder,
        JobKind::ExpireOrder,
        JobKind::LookupNickname,
        JobKind::CheckBalance,
        JobKind::ReconcilePayments,
        JobKind::ChatReply,
        JobKind::PostpaidInquiry,
        JobKind::SyncCatalogue,
    ];

    pub fn lane(self) -> Lane {
        match self {
            JobKind::LookupNickname | JobKind::PostpaidInquiry | JobKind::ChatReply => {
                Lane::Interactive
            }
            JobKind::PlaceOrder | JobKind::FollowOrder | JobKind::ExpireOrder => Lane::Orders,
            JobKind::SendMessage => Lane::Messages,
            JobKind::CheckBalance | JobKind::ReconcilePayments | JobKind::SyncCatalogue => {
                Lane::Background
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SendMessage => "send_message",
            JobKind::PlaceOrder => "place_order",
            JobKind::FollowOrder => "follow_order",
            JobKind::ExpireOrder => "expire_order",
            JobKind::LookupNickname => "lookup_nickname",
            JobKind::CheckBalance => "check_balance",
            JobKind::ReconcilePayments => "reconcile_payments",
            JobKind::ChatReply => "chat_reply",
            JobKind::PostpaidInquiry => "postpaid_inquiry",
            JobKind::SyncCatalogue => "sync_catalogue",
        }
    }

    fn parse(s: &str) -> Option<JobKind> {
        Some(match s {
            "send_message" => JobKind::SendMessage,
            "place_order" => JobKind::PlaceOrder,
            "follow_order" => JobKind::FollowOrder,
            "expire_order" => JobKind::ExpireOrder,
            "lookup_nickname" => JobKind::LookupNickname,
            "check_balance" => JobKind::CheckBalance,
            "reconcile_payments" => JobKind::ReconcilePayments,
            "chat_reply" => JobKind::ChatReply,
            "postpaid_inquiry" => JobKind::PostpaidInquiry,
            "sync_catalogue" => JobKind::SyncCatalogue,
            _ => return None,
        })
    }

    pub fn max_attempts(self) -> i64 {
        match self {
            JobKind::SendMessage => 10,
            JobKind::PlaceOrder => 12,
            JobKind::FollowOrder => 30,
            JobKind::ExpireOrder => 10,
            JobKind::LookupNickname => 2,
            // Periodic: they reschedule themselves and never fail (see `service::money`).
            JobKind::CheckBalance | JobKind::ReconcilePayments => 1_000,
            JobKind::ChatReply => 5,
            JobKind::PostpaidInquiry => 2,
            // Periodic, like the balance check (see `service::catalog_sync`).
            JobKind::SyncCatalogue => 1_000,
        }
    }
}

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

/// Has the job under `dedupe` run now: queues it, or brings its pending run forward (a periodic
/// job the seller asks for early). `false` when it is already due or running.
pub async fn run_now(conn: &mut Conn, kind: JobKind, dedupe: &str, now: i64) -> DbResult<bool> {
    Ok(schedule(conn, kind, 0, now, now, Some(dedupe)).await?
        || repo::pull_forward(conn, dedupe, now).await?)
}

/// What a handler decided.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// Failed this time; try again after a backoff (counts an attempt).
    Retry(String),
    /// Not finished, nothing failed: look again at this time (does not count an attempt).
    Later(i64),
}

/// Exponential backoff: 5 s, 10 s, 20 s, … capped at 30 minutes.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 20) - 1;
    (5_000i64.saturating_mul(1i64 << exp)).min(30 * 60_000)
}

async fn handle(app: &App, kind: JobKind, job: &Job) -> Result<Outcome, crate::error::AppError> {
    let id = job.ref_id.unwrap_or_default();
    match kind {
        JobKind::SendMessage => outbox::send(app, id, job).await,
        JobKind::PlaceOrder => fulfilment::place(app, id, job).await,
        JobKind::FollowOrder => fulfilment::follow(app, id).await,
        JobKind::ExpireOrder => orders::expire(app, id).await,
        JobKind::LookupNickname => nickname::perform(app, id).await,
        JobKind::CheckBalance => money::check_balance(app).await,
        JobKind::ReconcilePayments => reconcile::job(app).await,
        JobKind::ChatReply => chat::reply(app, id).await,
        JobKind::PostpaidInquiry => postpaid::perform(app, id).await,
        JobKind::SyncCatalogue => crate::service::catalog_sync::job(app).await,
    }
}

/// Called once when a job has used its last attempt.
async fn on_buried(
    app: &App,
    kind: JobKind,
    job: &Job,
    error: &str,
) -> Result<(), crate::error::AppError> {
    let id = job.ref_id.unwrap_or_default();
    match kind {
        JobKind::SendMessage => outbox::give_up(app, id, error).await,
        JobKind::PlaceOrder | JobKind::FollowOrder => fulfilment::give_up(app, id, error).await,
        JobKind::LookupNickname => nickname::give_up(app, id, error).await,
        JobKind::ExpireOrder | JobKind::CheckBalance | JobKind::ReconcilePayments => Ok(()),
        JobKind::ChatReply => chat::give_up(app, id, error).await,
        JobKind::PostpaidInquiry => postpaid::give_up(app, id, error).await,
        JobKind::SyncCatalogue => Ok(()),
    }
}

/// Claims and runs one due job of `lane` (any lane: `None`). `false` when none was due.
pub async fn run_one(app: &App, worker: &str, lane: Option<Lane>) -> DbResult<bool> {
    let now = app.now_ms();
    let kinds = lane.map(Lane::kinds);
    let job = {
        let mut conn = app.db.write().await?;
        repo::claim(
            &mut conn,
            app.db.backend,
            worker,
            now,
            LEASE_MS,
            kinds.as_deref(),
        )
        .await?
    };
    let Some(job) = job else {
        return Ok(false);
    };
    let heartbeat = tokio::spawn(renew_lease(app.clone(), job.clone()));
    let ran = run_claimed(app, job, now).await;
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

async fn run_claimed(app: &App, job: Job, now: i64) -> DbResult<bool> {
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
        let outcome = handle(app, kind, &job).await;
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
                Some(reason)
            }
            Err(e) => {
                tracing::error!(attempt = job.attempts, error = %e, "job errored; will retry");
                Some(e.to_string())
            }
        };
        if let Some(reason) = failure {
            let buried = {
                let mut conn = app.db.write().await?;
                repo::retry_or_bury(
                    &mut conn,
                    &job,
                    now + backoff_ms(job.attempts),
                    &reason,
                    now,
                )
                .await?
            };
            // The connection is back in the pool before the consequences are recorded (SQLite's
            // pool has one connection).
            if buried {
                tracing::error!(%reason, "job out of attempts");
                if let Err(e) = on_buried(app, kind, &job, &reason).await {
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
pub async fn drain(app: &App) -> DbResult<usize> {
    let mut n = 0;
    while run_one(app, "drain", None).await? {
        n += 1;
        if n > 10_000 {
            tracing::error!("drain: too many jobs, stopping");
            break;
        }
    }
    Ok(n)
}

/// Wakes a process's workers when a job is queued: one signal per lane, so a wake-up meant for
/// a lane is never taken by another lane's worker (which would leave the right one asleep until
/// its next look at the queue).
#[derive(Debug, Default)]
pub struct Wake {
    lanes: [Notify; 4],
}

impl Wake {
    fn of(&self, lane: Lane) -> &Notify {
        &self.lanes[Lane::ALL.iter().position(|l| *l == lane).unwrap_or(0)]
    }

    /// Wakes every lane: the workers waiting now, and (through the stored permit) the next one
    /// of each lane to wait.
    pub fn all(&self) {
        for lane in Lane::ALL {
            let n = self.of(lane);
            n.notify_waiters();
            n.notify_one();
        }
    }

    pub async fn notified(&self, lane: Lane) {
        self.of(lane).notified().await
    }
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

/// A background worker: runs jobs of its lane as they come due until `shutdown` turns true.
pub async fn worker(app: App, name: String, lane: Lane, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        match run_one(&app, &name, Some(lane)).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "worker could not reach the database"),
        }
        // Sleep until the next job is due, a request queues one, or a second passes (other
        // processes may queue jobs too).
        let wait = match next_due_in(&app, lane).await {
            Some(ms) => Duration::from_millis(ms.clamp(10, 1_000) as u64),
            None => Duration::from_secs(1),
        };
        tokio::select! {
            _ = app.wake.notified(lane) => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// When the next job of `lane` comes due (another lane's jobs must not wake this worker: while
/// that lane is busy, its due jobs would make this one poll in a loop).
async fn next_due_in(app: &App, lane: Lane) -> Option<i64> {
    let mut conn = app.db.read().await.ok()?;
    let due = repo::next_due(&mut conn, Some(&lane.kinds()))
        .await
        .ok()??;
    Some(due - app.now_ms())
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

    #[test]
    fn kinds_round_trip() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn every_kind_runs_in_exactly_one_lane_and_every_lane_has_workers() {
        let mut seen = 0;
        for lane in Lane::ALL {
            seen += lane.kinds().len();
            assert!(lane.workers(1) >= 1);
            assert_eq!(lane.workers(0), 0);
        }
        assert_eq!(seen, JobKind::ALL.len());
        assert!(Lane::Messages.kinds() == vec!["send_message"]);
        assert!(!Lane::Interactive.kinds().contains(&"send_message"));
    }
}
