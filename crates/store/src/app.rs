//! The application's shared state: configuration, storage, the clock and the three providers.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::messenger::Messenger;
use crate::passwords::PasswordPool;
use crate::payment::PaymentChannel;
use crate::supplier::Supplier;
use crate::web::ratelimit::RateLimiter;

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub supplier: Arc<dyn Supplier>,
    pub payment: Arc<dyn PaymentChannel>,
    pub messenger: Arc<dyn Messenger>,
    /// Wakes this process's workers when a request has queued a job.
    pub wake: Arc<crate::jobs::queue::Wake>,
    /// Group commits for new orders (`service::order_writer`).
    pub order_writer: crate::service::order_writer::OrderWriter,
    /// The catalogue in memory (`service::catalogue_snapshot`).
    pub catalogue: Arc<crate::service::catalogue_snapshot::CatalogueSnapshot>,
    /// Signals request handlers waiting for a worker's answer (nickname lookups).
    pub answers: Arc<Notify>,
    /// The threads that check passwords, with their bounded queue (see [`crate::passwords`]).
    pub passwords: Arc<PasswordPool>,
    /// Login attempts per client address, counted before any password is checked.
    pub login_limiter: Arc<RateLimiter>,
}

impl App {
    pub fn now_ms(&self) -> i64 {
        crate::clock::to_millis(self.clock.now())
    }

    pub fn wake_workers(&self) {
        self.wake.all();
    }
}
