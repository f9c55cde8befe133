//! Wake-ups: how a request that queued a job rouses this process's workers at once instead of at
//! their next look at the queue. Plain data (it knows no `App`), so the application's state can
//! hold it without depending on the queue's functions.

use tokio::sync::Notify;

use super::kind::Lane;

/// Wakes a process's workers when a job is queued: one signal per lane, so a wake-up meant for
/// a lane is never taken by another lane's worker (which would leave the right one asleep until
/// its next look at the queue).
#[derive(Debug, Default)]
pub struct Wake {
    lanes: [Notify; Lane::ALL.len()],
}

impl Wake {
    fn of(&self, lane: Lane) -> &Notify {
        &self.lanes[Lane::ALL.iter().position(|l| *l == lane).unwrap_or(0)]
    }

    /// Wakes one worker of every lane (or, through the stored permit, the next one to wait).
    /// One is enough: a worker that claims a job wakes the next ([`Wake::one`]), so a burst of
    /// jobs draws in as many workers as it needs, and a single job costs one look at the queue
    /// per lane instead of one per worker.
    pub fn all(&self) {
        for lane in Lane::ALL {
            self.one(lane);
        }
    }

    /// Wakes one worker of `lane`.
    pub fn one(&self, lane: Lane) {
        self.of(lane).notify_one();
    }

    pub async fn notified(&self, lane: Lane) {
        self.of(lane).notified().await
    }
}
