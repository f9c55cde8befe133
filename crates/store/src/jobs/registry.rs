//! The one table of jobs: what each kind does, what happens when it runs out of attempts, and
//! which jobs run periodically. A new kind is a variant in [`super::kind`] and a line in each
//! match below. This is the only part of `jobs` that knows the services.

use super::queue::{self, JobKind, Outcome, Periodic};
use super::runner::{self, Handlers, Running};
use crate::app::App;
use crate::db::jobs::Job;
use crate::db::DbResult;
use crate::error::AppError;
use crate::service::{
    catalog_sync, chat, daily_backup, fulfilment, h2h, nickname, orders, outbox, postpaid, rails,
    reconcile, store_checks,
};

/// The jobs queued at start, each rescheduling itself when it runs.
pub const PERIODIC: [Periodic; 7] = [
    Periodic {
        kind: JobKind::CheckBalance,
        dedupe_key: crate::service::balance::BALANCE_JOB_KEY,
        first_in_ms: 0,
    },
    Periodic {
        kind: JobKind::ReconcilePayments,
        dedupe_key: reconcile::JOB_KEY,
        first_in_ms: reconcile::INTERVAL_MS,
    },
    // `serve` already syncs an empty catalogue at start.
    Periodic {
        kind: JobKind::SyncCatalogue,
        dedupe_key: catalog_sync::DEDUPE_KEY,
        first_in_ms: catalog_sync::INTERVAL_MS,
    },
    Periodic {
        kind: JobKind::CheckStore,
        dedupe_key: store_checks::JOB_KEY,
        first_in_ms: 0,
    },
    Periodic {
        kind: JobKind::DailyBackup,
        dedupe_key: daily_backup::JOB_KEY,
        first_in_ms: daily_backup::FIRST_IN_MS,
    },
    Periodic {
        kind: JobKind::WatchPaidOrders,
        dedupe_key: fulfilment::watchdog::JOB_KEY,
        first_in_ms: fulfilment::watchdog::INTERVAL_MS,
    },
    Periodic {
        kind: JobKind::CheckPayments,
        dedupe_key: rails::checks::JOB_KEY,
        first_in_ms: rails::checks::INTERVAL_MS,
    },
];

/// The store's handlers.
pub struct Registry;

/// The table the store's workers run with.
pub static REGISTRY: Registry = Registry;

impl Handlers for Registry {
    fn run<'a>(
        &'a self,
        app: &'a App,
        kind: JobKind,
        job: &'a Job,
    ) -> Running<'a, Result<Outcome, AppError>> {
        let id = job.ref_id.unwrap_or_default();
        Box::pin(async move {
            match kind {
                JobKind::SendMessage => outbox::send(app, id, job).await,
                JobKind::PlaceOrder => fulfilment::place(app, id, job).await,
                JobKind::FollowOrder => fulfilment::follow(app, id).await,
                JobKind::ExpireOrder => orders::expire(app, id).await,
                JobKind::LookupNickname => nickname::perform(app, id).await,
                JobKind::CheckBalance => crate::service::balance::check_balance(app).await,
                JobKind::ReconcilePayments => reconcile::job(app).await,
                JobKind::ChatReply => chat::reply(app, id).await,
                JobKind::PostpaidInquiry => postpaid::perform(app, id).await,
                JobKind::SyncCatalogue => catalog_sync::job(app).await,
                JobKind::CheckStore => store_checks::job(app).await,
                JobKind::DailyBackup => daily_backup::job(app).await,
                JobKind::WatchPaidOrders => fulfilment::watch_paid_orders(app).await,
                JobKind::OpenPayment => rails::open(app, id).await,
                JobKind::CheckPayments => rails::checks::job(app).await,
                JobKind::H2hWatch => h2h::callbacks::watch_job(app, id).await,
                JobKind::H2hCallback => h2h::callbacks::deliver_job(app, id, job).await,
            }
        })
    }

    fn give_up<'a>(
        &'a self,
        app: &'a App,
        kind: JobKind,
        job: &'a Job,
        error: &'a str,
    ) -> Running<'a, Result<(), AppError>> {
        let id = job.ref_id.unwrap_or_default();
        Box::pin(async move {
            match kind {
                JobKind::SendMessage => outbox::give_up(app, id, error).await,
                JobKind::PlaceOrder | JobKind::FollowOrder => {
                    fulfilment::give_up(app, id, error).await
                }
                JobKind::LookupNickname => nickname::give_up(app, id, error).await,
                JobKind::ChatReply => chat::give_up(app, id, error).await,
                JobKind::PostpaidInquiry => postpaid::give_up(app, id, error).await,
                // Periodic jobs never give up (they reschedule themselves); an expiry that
                // cannot run leaves the order as it was, visible on the dashboard.
                JobKind::ExpireOrder
                | JobKind::CheckBalance
                | JobKind::ReconcilePayments
                | JobKind::SyncCatalogue
                | JobKind::CheckStore
                | JobKind::DailyBackup
                | JobKind::WatchPaidOrders
                | JobKind::CheckPayments
                | JobKind::H2hWatch
                | JobKind::H2hCallback => Ok(()),
                JobKind::OpenPayment => rails::give_up(app, id, error).await,
            }
        })
    }
}

/// Queues the periodic jobs that are not queued yet.
pub async fn schedule_periodic(app: &App) -> DbResult<()> {
    queue::schedule_periodic(app, &PERIODIC).await
}

/// Runs every job that is due now with the store's handlers (tests and the CLI).
pub async fn drain(app: &App) -> DbResult<usize> {
    runner::drain(app, &REGISTRY).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_periodic_job_has_its_own_key_and_never_gives_up_early() {
        let mut keys: Vec<_> = PERIODIC.iter().map(|p| p.dedupe_key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PERIODIC.len());
        for p in PERIODIC {
            assert!(p.kind.max_attempts() >= 1_000, "{:?}", p.kind);
        }
    }
}
