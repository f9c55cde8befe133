//! The application's shared state: configuration, storage, the clock and the providers.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::messenger::Messenger;
use crate::passwords::PasswordPool;
use crate::payment::PaymentChannel;
use crate::supplier::Suppliers;
use crate::web::ratelimit::limiter::RateLimiter;

/// The state every request and job shares: one pointer, so handing it to a handler or an
/// extractor is one reference-count increment, not one per part.
#[derive(Clone)]
pub struct App(Arc<Parts>);

impl App {
    pub fn new(parts: Parts) -> App {
        App(Arc::new(parts))
    }
}

impl std::ops::Deref for App {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What [`App`] holds.
pub struct Parts {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Every configured supplier, in priority order.
    pub suppliers: Suppliers,
    /// Trakteer's client (its pay links, its API); used while Trakteer is a rail.
    pub payment: Arc<dyn PaymentChannel>,
    /// The payment rails in the seller's order, with the QRIS gateways' clients.
    pub rails: crate::payment::Rails,
    /// The payment each shown order offers, in memory (`service::rails::Shown`).
    pub payments_shown: Arc<crate::service::rails::Shown>,
    pub messenger: Arc<dyn Messenger>,
    /// Wakes this process's workers when a request has queued a job.
    pub wake: Arc<crate::jobs::wake::Wake>,
    /// Group commits for new orders (`service::order_writer`).
    pub order_writer: crate::service::order_writer::handle::OrderWriter,
    /// The catalogue in memory (`service::catalogue_snapshot`).
    pub catalogue: Arc<crate::service::catalogue_snapshot::snapshot::CatalogueSnapshot>,
    /// Signals request handlers waiting for a worker's answer (nickname lookups).
    pub answers: Arc<Notify>,
    /// The threads that check passwords, with their bounded queue (see [`crate::passwords`]).
    pub passwords: Arc<PasswordPool>,
    /// Login attempts per client address, counted before any password is checked.
    pub login_limiter: Arc<RateLimiter>,
    /// Reseller API requests per reseller (`h2h_rate_per_minute`).
    pub h2h_limiter: Arc<RateLimiter<String>>,
    /// This process's job workers: how many were started and how many still run (`/readyz`).
    pub workers: Arc<WorkerCount>,
}

/// Started and running job workers. A worker counts itself in while its loop runs
/// ([`WorkerCount::enter`]); a worker that panicked or was aborted has left.
#[derive(Debug, Default)]
pub struct WorkerCount {
    started: std::sync::atomic::AtomicUsize,
    running: std::sync::atomic::AtomicUsize,
}

impl WorkerCount {
    /// Counts a worker in until the returned guard is dropped (its loop ended, however).
    pub fn enter(self: &Arc<Self>) -> WorkerGuard {
        use std::sync::atomic::Ordering;
        self.started.fetch_add(1, Ordering::AcqRel);
        self.running.fetch_add(1, Ordering::AcqRel);
        WorkerGuard(self.clone())
    }

    /// `(started, running)`.
    pub fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering;
        (
            self.started.load(Ordering::Acquire),
            self.running.load(Ordering::Acquire),
        )
    }
}

/// A running worker's place in [`WorkerCount`].
pub struct WorkerGuard(Arc<WorkerCount>);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0
            .running
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl App {
    pub fn now_ms(&self) -> i64 {
        crate::clock::to_millis(self.clock.now())
    }

    /// The configured rails' terms as a quote's floor needs them, with Trakteer's cut as the
    /// seller set it.
    pub fn rail(&self, trakteer_cut: madd_domain::PaymentCost) -> madd_domain::quote::Rail {
        madd_domain::quote::Rail::over(&self.rails.terms(trakteer_cut, self.payment.unit_price()))
    }

    /// Every amount due is a whole number of this (see [`crate::payment::Rails::unit`]).
    pub fn unit(&self) -> madd_domain::Rupiah {
        self.rails.unit(self.payment.unit_price())
    }

    pub fn wake_workers(&self) {
        self.wake.all();
    }
}
