//! The clock is passed in, never read from a global, so expiry, retries and reports are testable.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

/// Western Indonesian Time, the seller's day and month (defined in `madd_domain::time`).
pub use madd_domain::time::WIB;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock tests move by hand.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(to_millis(start))))
    }

    pub fn advance(&self, by: Duration) {
        self.0
            .fetch_add(by.whole_milliseconds() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        from_millis(self.0.load(Ordering::SeqCst))
    }
}

/// Storage keeps times as unix milliseconds (portable across SQLite and PostgreSQL).
pub fn to_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 in WIB, as the API shows times: `2026-11-25T15:04:05+07:00`.
pub fn rfc3339(ms: i64) -> String {
    from_millis(ms)
        .to_offset(WIB)
        .replace_nanosecond(0)
        .unwrap_or(from_millis(ms))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `25/11/2026 15:04 WIB`, for pages and messages.
pub fn human(ms: i64) -> String {
    let t = from_millis(ms).to_offset(WIB);
    format!(
        "{:02}/{:02}/{} {:02}:{:02} WIB",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}
