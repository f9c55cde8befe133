//! The store's use cases. Each one commits its state change together with the jobs it calls
//! for; outside services are only called from jobs (see [`crate::jobs`]).

pub mod balance;
pub mod catalog;
pub mod catalog_sync;
pub mod catalogue_snapshot;
pub mod chat;
pub mod deposits;
pub mod fulfilment;
pub mod nickname;
pub mod order_writer;
pub mod orders;
pub mod outbox;
pub mod overpayment;
pub mod payments;
pub mod postpaid;
pub mod pricing;
pub mod reconcile;
pub mod refunds;
pub mod report;
pub mod settings;

use std::future::Future;
use std::time::Duration;

use crate::app::App;
use crate::error::AppResult;

/// Waits up to `wait` for a worker's answer that `read` finds in the database (`None` while it
/// is still pending). Answers from this process wake the waiter at once through `app.answers`;
/// other processes' answers are seen by re-reading every 200 ms. `None` when time ran out.
pub async fn await_answer<T, F, Fut>(app: &App, wait: Duration, mut read: F) -> AppResult<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AppResult<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Register interest before reading, so an answer landing in between is not missed.
        let answered = app.answers.notified();
        if let Some(answer) = read().await? {
            return Ok(Some(answer));
        }
        let step = deadline.min(tokio::time::Instant::now() + Duration::from_millis(200));
        if tokio::time::timeout_at(step, answered).await.is_err()
            && tokio::time::Instant::now() >= deadline
        {
            return Ok(None);
        }
    }
}
