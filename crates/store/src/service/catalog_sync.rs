//! The catalogue sync as a job: every [`INTERVAL_MS`] and whenever the seller asks from the
//! dashboard. One job under one dedupe key does both (asking brings the periodic run forward), so
//! at most one sync is queued or running at a time. The run itself is [`catalog::sync`], the same
//! as `maddstore sync`: markup rules, the margin guard and the price history all apply.

use crate::app::App;
use crate::db::catalogue_syncs::{self as repo, SyncRun};
use crate::error::AppResult;
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::service::catalog;

/// How often the catalogue is pulled from the supplier.
pub const INTERVAL_MS: i64 = 6 * 60 * 60 * 1000;

/// After a failed run (supplier unreachable), the next try comes sooner.
pub const RETRY_MS: i64 = 30 * 60 * 1000;

/// The one key of the sync job: periodic and on-demand runs share it.
pub const DEDUPE_KEY: &str = "catalogue-sync";

/// What asking for a sync did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Requested {
    /// A sync job is due now (newly queued or brought forward).
    Queued,
    /// A sync is running or already due: that one answers the request.
    AlreadyRunning,
}

/// The seller asks for a sync now. Never calls the supplier: the job does.
pub async fn request(app: &App) -> AppResult<Requested> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let queued = jobs::run_now(&mut tx, JobKind::SyncCatalogue, DEDUPE_KEY, now).await?;
    tx.commit().await?;
    if queued {
        app.wake_workers();
        Ok(Requested::Queued)
    } else {
        Ok(Requested::AlreadyRunning)
    }
}

/// Runs a sync and records its result (counts, or the error) for the products page. Used by the
/// job, the CLI and start-up, so every run shows on the page.
pub async fn run(app: &App, progress: impl FnMut(usize, usize)) -> AppResult<SyncRun> {
    let started_at = app.now_ms();
    let result = catalog::sync(app, progress).await;
    let finished_at = app.now_ms();
    let run = match result {
        Ok(r) => SyncRun {
            started_at,
            finished_at,
            total: i64::try_from(r.total).unwrap_or(i64::MAX),
            available: i64::try_from(r.available).unwrap_or(i64::MAX),
            marked_unavailable: i64::try_from(r.marked_unavailable).unwrap_or(i64::MAX),
            error: None,
        },
        Err(e) => {
            tracing::warn!(error = %e, "catalogue sync failed");
            SyncRun {
                started_at,
                finished_at,
                total: 0,
                available: 0,
                marked_unavailable: 0,
                error: Some(e.public_message()),
            }
        }
    };
    let mut conn = app.db.write().await?;
    repo::insert_sync(&mut conn, &run).await?;
    Ok(run)
}

/// The job: runs the sync and comes back after the interval (sooner after a failure). A failed
/// run is recorded, not retried as a job error: the supplier being down is an answer the seller
/// sees on the products page.
pub async fn job(app: &App) -> AppResult<Outcome> {
    let run = run(app, |_, _| {}).await?;
    let wait = if run.error.is_none() {
        INTERVAL_MS
    } else {
        RETRY_MS
    };
    Ok(Outcome::Later(run.finished_at + wait))
}

/// The products page's view of the sync.
#[derive(Clone, Debug)]
pub struct SyncStatus {
    pub last: Option<SyncRun>,
    /// When the next run is due, and whether one is running now.
    pub next: Option<(i64, bool)>,
}

pub async fn status(app: &App) -> AppResult<SyncStatus> {
    let now = app.now_ms();
    let mut conn = app.db.write().await?;
    Ok(SyncStatus {
        last: repo::last_sync(&mut conn).await?,
        next: repo::pending_job(&mut conn, DEDUPE_KEY, now).await?,
    })
}
