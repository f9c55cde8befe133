//! A calendar month in WIB, the report's unit.

use std::fmt;

use serde::Serialize;
use time::{Date, Month as TimeMonth};

use crate::time::at;

/// A calendar month in WIB, e.g. `2026-03`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Month {
    pub year: i32,
    pub month: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a month (write it as YYYY-MM, e.g. 2026-03)")]
pub struct ParseMonthError(pub String);

impl Month {
    pub fn parse(text: &str) -> Result<Month, ParseMonthError> {
        let err = || ParseMonthError(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u8 = m.parse().map_err(|_| err())?;
        if !(1..=12).contains(&month) || !(2000..=9999).contains(&year) {
            return Err(err());
        }
        Ok(Month { year, month })
    }

    /// The month (WIB) that contains the instant `ms` (unix milliseconds).
    pub fn containing(ms: i64) -> Month {
        let t = at(ms);
        Month {
            year: t.year(),
            month: u8::from(t.month()),
        }
    }

    fn first_day(self) -> Date {
        let m = TimeMonth::try_from(self.month).expect("validated month");
        Date::from_calendar_date(self.year, m, 1).expect("validated date")
    }

    /// The first instant of the month in WIB, unix milliseconds.
    pub fn start_ms(self) -> i64 {
        let t = self.first_day().midnight().assume_offset(crate::time::WIB);
        (t.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// The first instant of the next month (exclusive end).
    pub fn end_ms(self) -> i64 {
        self.next().start_ms()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn days(self) -> u8 {
        self.first_day().month().length(self.year)
    }

    /// The day of this month (1-based) of the instant `ms`, or `None` outside the month.
    pub fn day_of(self, ms: i64) -> Option<u8> {
        if ms < self.start_ms() || ms >= self.end_ms() {
            return None;
        }
        Some(at(ms).day())
    }

    /// `Maret 2026`.
    pub fn label_id(self) -> String {
        const NAMES: [&str; 12] = [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
