//! A question a worker answers while a customer waits — a game nickname, a PLN bill. A request
//! handler never calls the supplier: it writes the question (or finds a pending one, or a fresh
//! answer) with its job in one transaction, then waits briefly for the answer.

use std::future::Future;
use std::time::Duration;

use crate::app::App;
use crate::db::{Conn, DbResult};
use crate::error::AppResult;
use crate::jobs::queue::{self as jobs, JobKind};

/// Asks: `request` writes or finds the question's row and says whether a job must answer it
/// (`(id, needs_job)`); the job is queued under `"{key}:{id}"` (one live job per question) in
/// the same transaction, and this process's workers are woken. Returns the question's id.
pub async fn ask(
    app: &App,
    kind: JobKind,
    key: &str,
    request: impl AsyncFnOnce(&mut Conn) -> DbResult<(i64, bool)>,
) -> AppResult<i64> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (id, needs_job) = request(&mut tx).await?;
    if needs_job {
        let dedupe = format!("{key}:{id}");
        jobs::schedule(&mut tx, kind, id, now, now, Some(&dedupe)).await?;
    }
    tx.commit().await?;
    if needs_job {
        app.wake_workers();
    }
    Ok(id)
}

/// A worker answered a question: wakes whoever waits for it here, and the chat replies that
/// looked and went back to the queue rather than hold a worker of this lane (`service::chat`).
pub async fn answered(app: &App) -> AppResult<()> {
    app.answers.notify_waiters();
    jobs::pull_forward(app, JobKind::ChatReply).await?;
    Ok(())
}

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
