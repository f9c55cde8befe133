//! Money is whole rupiah in an `i64`; rates are basis points. No floating point anywhere.
//!
//! Rounding rules (each one is explicit at the call site through [`Rounding`]):
//! - a charge the store adds (markup, customer fee) rounds **up**, so the store never loses a rupiah
//!   to rounding;
//! - a cost estimated from a rate (a deposit fee, a service-fee share) rounds **half up** to the
//!   nearest rupiah, as a person with a calculator would;
//! - amounts the customer pays are rounded **up** to a whole number of payment units
//!   ([`Rupiah::round_up_to`]), so every total is payable exactly.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// An amount of Indonesian rupiah. Rupiah has no minor unit in practice, so this is exact.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Rupiah(i64);

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);

    pub const fn new(amount: i64) -> Self {
        Rupiah(amount)
    }

    pub const fn amount(self) -> i64 {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(other.0).map(Rupiah)
    }

    pub fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_sub(other.0).map(Rupiah)
    }

    pub fn checked_mul(self, factor: i64) -> Option<Rupiah> {
        self.0.checked_mul(factor).map(Rupiah)
    }

    /// The smallest multiple of `unit` that is ≥ `self` (for non-negative amounts).
    ///
    /// Panics if `unit` is not positive: a unit price of zero is a configuration error caught at
    /// start-up, never a runtime value.
    pub fn round_up_to(self, unit: Rupiah) -> Rupiah {
        assert!(unit.0 > 0, "rounding unit must be positive");
        Rupiah(div_ceil(self.0, unit.0) * unit.0)
    }

    /// How many `unit`s are needed to cover `self` (ceiling), e.g. Trakteer quantity.
    pub fn units_of(self, unit: Rupiah) -> i64 {
        assert!(unit.0 > 0, "unit must be positive");
        div_ceil(self.0, unit.0)
    }

    pub fn max(self, other: Rupiah) -> Rupiah {
        Rupiah(self.0.max(other.0))
    }

    pub fn min(self, other: Rupiah) -> Rupiah {
        Rupiah(self.0.min(other.0))
    }

    /// An amount as a person types it into a form: `50000`, `50.000`, `Rp 50.000`, `Rp50_000`,
    /// `50 000`. Dots, spaces and underscores group digits (an Indonesian `50.000` is fifty
    /// thousand, never fifty); whole rupiah only, never negative.
    pub fn parse_typed(text: &str) -> Result<Rupiah, ParseRupiahError> {
        let err = || ParseRupiahError(text.trim().chars().take(40).collect());
        let trimmed = text.trim();
        let body = match trimmed.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("rp") => trimmed[2..].trim_start_matches('.'),
            _ => trimmed,
        };
        let digits: String = body
            .chars()
            .filter(|c| !matches!(c, '.' | ' ' | '_'))
            .collect();
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        digits.parse().map(Rupiah).map_err(|_| err())
    }

    /// `Rp 50.000`: with a space, as on the storefront.
    pub fn display_spaced(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}Rp {}", group_thousands(self.0.unsigned_abs()))
    }

    /// The number alone with dot thousands separators: `50.000`.
    pub fn display_number(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}", group_thousands(self.0.unsigned_abs()))
    }
}

fn div_ceil(a: i64, b: i64) -> i64 {
    let q = a.div_euclid(b);
    if a.rem_euclid(b) == 0 {
        q
    } else {
        q + 1
    }
}

fn group_thousands(mut n: u64) -> String {
    let mut groups = Vec::new();
    loop {
        if n < 1000 {
            groups.push(n.to_string());
            break;
        }
        groups.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join(".")
}

/// `Rp50.000`: the compact form used in WhatsApp messages.
impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}Rp{}", group_thousands(self.0.unsigned_abs()))
    }
}

// Arithmetic overflows would need more rupiah than exist; they panic rather than wrap.
impl Add for Rupiah {
    type Output = Rupiah;
    fn add(self, rhs: Rupiah) -> Rupiah {
        self.checked_add(rhs).expect("rupiah overflow")
    }
}

impl AddAssign for Rupiah {
    fn add_assign(&mut self, rhs: Rupiah) {
        *self = *self + rhs;
    }
}

impl Sub for Rupiah {
    type Output = Rupiah;
    fn sub(self, rhs: Rupiah) -> Rupiah {
        self.checked_sub(rhs).expect("rupiah overflow")
    }
}

impl SubAssign for Rupiah {
    fn sub_assign(&mut self, rhs: Rupiah) {
        *self = *self - rhs;
    }
}

impl Neg for Rupiah {
    type Output = Rupiah;
    fn neg(self) -> Rupiah {
        Rupiah(-self.0)
    }
}

impl Sum for Rupiah {
    fn sum<I: Iterator<Item = Rupiah>>(iter: I) -> Rupiah {
        iter.fold(Rupiah::ZERO, |a, b| a + b)
    }
}

/// How a fractional rupiah is settled.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Towards negative infinity.
    Down,
    /// Towards positive infinity: charges the store adds.
    Up,
    /// Nearest rupiah, halves away from zero: estimated costs.
    HalfUp,
}

/// A rate in basis points: 10 000 bps = 100 %, 70 bps = 0.7 %.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Bps(u32);

impl Bps {
    pub const ZERO: Bps = Bps(0);
    pub const HUNDRED_PERCENT: Bps = Bps(10_000);

    pub const fn new(bps: u32) -> Self {
        Bps(bps)
    }

    pub const fn value(self) -> u32 {
        self.0
    }

    /// Parses a percentage written by a person: `10`, `0.7`, `2,5` (Indonesian comma), `12.25%`.
    /// At most two decimals (one basis point); no negative rates.
    pub fn parse_percent(text: &str) -> Result<Bps, ParseRateError> {
        let t = text.trim().trim_end_matches('%').trim().replace(',', ".");
        let err = || ParseRateError(text.to_string());
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(err());
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        if frac.len() > 2 {
            return Err(err());
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| err())?
        };
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| err())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .map(Bps)
            .ok_or_else(err)
    }

    /// `amount × rate`, settled by `rounding`. Computed in i128 so no product can overflow.
    pub fn of(self, amount: Rupiah, rounding: Rounding) -> Rupiah {
        let num = amount.0 as i128 * self.0 as i128;
        let den = 10_000i128;
        let q = num.div_euclid(den);
        let r = num.rem_euclid(den);
        let v = match rounding {
            Rounding::Down => q,
            Rounding::Up => {
                if r == 0 {
                    q
                } else {
                    q + 1
                }
            }
            Rounding::HalfUp => {
                if num >= 0 {
                    if r * 2 >= den {
                        q + 1
                    } else {
                        q
                    }
                } else {
                    // halves away from zero for negative amounts too
                    if r * 2 > den {
                        q + 1
                    } else {
                        q
                    }
                }
            }
        };
        Rupiah(i64::try_from(v).expect("rupiah overflow"))
    }
}

impl fmt::Display for Bps {
    /// `0,7%` – Indonesian decimal comma, no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        if frac == 0 {
            write!(f, "{whole}%")
        } else if frac.is_multiple_of(10) {
            write!(f, "{whole},{}%", frac / 10)
        } else {
            write!(f, "{whole},{frac:02}%")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' bukan angka rupiah (tulis misalnya 50000 atau Rp 50.000)")]
pub struct ParseRupiahError(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a percentage (use e.g. 10 or 0.7, at most two decimals)")]
pub struct ParseRateError(pub String);

#[cfg(test)]
mod tests {
    #[test]
    fn typed_amounts() {
        for (text, want) in [
            ("50000", 50_000),
            ("50.000", 50_000),
            ("Rp 50.000", 50_000),
            ("rp50_000", 50_000),
            ("Rp. 1.250.000", 1_250_000),
            (" 50 000 ", 50_000),
            ("0", 0),
        ] {
            assert_eq!(Rupiah::parse_typed(text), Ok(Rupiah::new(want)), "{text}");
        }
        for text in [
            "",
            "Rp",
            "-5000",
            "5,000",
            "50rb",
            "1e6",
            "9999999999999999",
        ] {
            assert!(Rupiah::parse_typed(text).is_err(), "{text}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_like_indonesian_receipts() {
        assert_eq!(Rupiah::new(50_000).to_string(), "Rp50.000");
        assert_eq!(Rupiah::new(1_234_567).display_spaced(), "Rp 1.234.567");
        assert_eq!(Rupiah::new(999).to_string(), "Rp999");
        assert_eq!(Rupiah::new(0).to_string(), "Rp0");
        assert_eq!(Rupiah::new(-2_000).to_string(), "-Rp2.000");
        assert_eq!(Rupiah::new(1_000_000).display_number(), "1.000.000");
    }

    #[test]
    fn rounds_up_to_payment_units() {
        let unit = Rupiah::new(1000);
        assert_eq!(Rupiah::new(3810).round_up_to(unit), Rupiah::new(4000));
        assert_eq!(Rupiah::new(4000).round_up_to(unit), Rupiah::new(4000));
        assert_eq!(Rupiah::new(1).units_of(unit), 1);
        assert_eq!(Rupiah::new(0).units_of(unit), 0);
        assert_eq!(Rupiah::new(5001).units_of(unit), 6);
    }

    #[test]
    fn rates_round_as_told() {
        let r = Bps::new(70); // 0.7 %
        assert_eq!(r.of(Rupiah::new(100_000), Rounding::Up), Rupiah::new(700));
        assert_eq!(r.of(Rupiah::new(5_000), Rounding::Down), Rupiah::new(35));
        // 0.7 % of 5 050 = 35.35
        assert_eq!(r.of(Rupiah::new(5_050), Rounding::Down), Rupiah::new(35));
        assert_eq!(r.of(Rupiah::new(5_050), Rounding::Up), Rupiah::new(36));
        assert_eq!(r.of(Rupiah::new(5_050), Rounding::HalfUp), Rupiah::new(35));
        // 0.7 % of 5 500 = 38.5 → half up 39
        assert_eq!(r.of(Rupiah::new(5_500), Rounding::HalfUp), Rupiah::new(39));
        assert_eq!(
            r.of(Rupiah::new(-5_500), Rounding::HalfUp),
            Rupiah::new(-39)
        );
    }

    #[test]
    fn parses_percentages() {
        assert_eq!(Bps::parse_percent("10").unwrap(), Bps::new(1000));
        assert_eq!(Bps::parse_percent("0.7").unwrap(), Bps::new(70));
        assert_eq!(Bps::parse_percent("0,7%").unwrap(), Bps::new(70));
        assert_eq!(Bps::parse_percent("12.25").unwrap(), Bps::new(1225));
        assert_eq!(Bps::parse_percent(".5").unwrap(), Bps::new(50));
        assert!(Bps::parse_percent("-1").is_err());
        assert!(Bps::parse_percent("1.234").is_err());
        assert!(Bps::parse_percent("abc").is_err());
        assert!(Bps::parse_percent("").is_err());
        assert_eq!(Bps::new(70).to_string(), "0,7%");
        assert_eq!(Bps::new(1225).to_string(), "12,25%");
        assert_eq!(Bps::new(2500).to_string(), "25%");
    }

    proptest! {
        #[test]
        fn round_up_is_smallest_multiple(a in 0i64..10_000_000_000, unit in 1i64..100_000) {
            let r = Rupiah::new(a).round_up_to(Rupiah::new(unit));
            prop_assert!(r.amount() >= a);
            prop_assert_eq!(r.amount() % unit, 0);
            prop_assert!(r.amount() - a < unit);
            prop_assert_eq!(Rupiah::new(a).units_of(Rupiah::new(unit)) * unit, r.amount());
        }

        #[test]
        fn rate_roundings_bracket_the_exact_value(a in -10_000_000_000i64..10_000_000_000, bps in 0u32..20_000) {
            let rate = Bps::new(bps);
            let down = rate.of(Rupiah::new(a), Rounding::Down).amount() as i128;
            let up = rate.of(Rupiah::new(a), Rounding::Up).amount() as i128;
            let half = rate.of(Rupiah::new(a), Rounding::HalfUp).amount() as i128;
            let exact = a as i128 * bps as i128; // in 1/10 000 rupiah
            prop_assert!(down * 10_000 <= exact && exact < (down + 1) * 10_000);
            prop_assert!(up - down <= 1);
            prop_assert!(up * 10_000 >= exact);
            prop_assert!(half == down || half == up);
            prop_assert!((half * 10_000 - exact).abs() <= 5_000);
        }

        #[test]
        fn percent_text_round_trips(bps in 0u32..100_000) {
            let text = format!("{}.{:02}", bps / 100, bps % 100);
            prop_assert_eq!(Bps::parse_percent(&text).unwrap(), Bps::new(bps));
        }
    }
}
