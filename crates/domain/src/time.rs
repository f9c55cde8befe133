//! The seller's calendar: Western Indonesian Time (WIB, UTC+7, no daylight saving). "Today" on
//! the dashboard, in the chat `laporan`, in the same-day warning, and the monthly report's month
//! are all counted here. Instants are unix milliseconds, as storage keeps them.

use time::{OffsetDateTime, UtcOffset};

/// WIB: UTC+7 all year.
pub const WIB: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

const WIB_OFFSET_MS: i64 = 7 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// The instant `ms` as a WIB date and time (out-of-range instants read as the epoch).
pub fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(WIB)
}

/// The first instant of the WIB calendar day containing `ms`.
pub fn start_of_day(ms: i64) -> i64 {
    (ms + WIB_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - WIB_OFFSET_MS
}

/// The WIB calendar day containing `ms`, as `[start, end)`.
pub fn day(ms: i64) -> (i64, i64) {
    let start = start_of_day(ms);
    (start, start + DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_wib_day_starts_at_midnight_jakarta() {
        // 2026-11-30 16:59:59.999 UTC is 23:59:59.999 WIB; a millisecond later it is the 1st.
        let last = 1_796_057_999_999;
        assert_eq!(at(last).day(), 30);
        assert_eq!(at(last + 1).day(), 1);
        assert_eq!(start_of_day(last + 1), last + 1);
        assert_eq!(day(last), (last + 1 - DAY_MS, last + 1));
    }

    proptest! {
        #[test]
        fn every_instant_lies_in_its_day(ms in -10_000_000_000_000i64..10_000_000_000_000) {
            let (start, end) = day(ms);
            prop_assert!(start <= ms && ms < end);
            prop_assert_eq!(at(start).hour(), 0);
            prop_assert_eq!(at(start).minute(), 0);
            prop_assert_eq!(at(start).date(), at(ms).date());
        }
    }
}
