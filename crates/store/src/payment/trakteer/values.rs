//! Trakteer's loosely typed values: numbers that arrive as integers, decimals or strings, and
//! times written in Jakarta time without a zone.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Trakteer writes zone-less times in Western Indonesian Time.
pub(crate) const JAKARTA: UtcOffset = offset!(+7);

/// A non-negative decimal read from its text, split into what the callers need.
struct Decimal {
    whole: i64,
    /// Any non-zero digit after the point.
    has_fraction: bool,
    /// The first fraction digit is 5 or more.
    half_or_more: bool,
}

/// `5000`, `5000.0`, `4711.00`; no sign, no exponent, no grouping.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return None;
    }
    Some(Decimal {
        whole: whole.parse().ok()?,
        has_fraction: fraction.bytes().any(|b| b != b'0'),
        half_or_more: fraction.bytes().next().is_some_and(|b| b >= b'5'),
    })
}

/// The text of a JSON number or string.
///
/// Without serde_json's `arbitrary_precision` feature a decimal such as `4711.50` is held as an
/// `f64`; its shortest round-trip text (`4711.5`) is the decimal that was sent for anything under
/// 15 significant digits, far beyond any rupiah amount. Only that text is read: no arithmetic is
/// ever done on the float. Huge values print with an exponent and are refused by the parser.
fn number_text(value: &Value) -> Result<String, String> {
    match value {
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) => Ok(s.clone()),
        Value::Null => Err("is null".into()),
        other => Err(format!("is {}, not a number", json_kind(other))),
    }
}

/// Whole rupiah from `5000`, `5000.0`, `"4711.00"`.
///
/// Rupiah has no minor unit, so the fraction is `.0`/`.00` in practice. A non-zero fraction
/// rounds half up on its first digit (`4711.50` → 4712, `4711.49` → 4711): what a person would
/// write down, and the same rule the store uses for estimated costs.
pub(crate) fn rupiah(value: &Value) -> Result<i64, String> {
    let n = rupiah_unbounded(value)?;
    if n > MAX_AMOUNT {
        return Err(format!("is implausibly large ({n})"));
    }
    Ok(n)
}

/// No tip comes near a trillion rupiah; refusing more keeps every sum of amounts far from
/// `i64`'s limit (an authentic webhook with an absurd amount goes to the review list instead of
/// overflowing a sum and answering 500).
pub(crate) const MAX_AMOUNT: i64 = 1_000_000_000_000;

fn rupiah_unbounded(value: &Value) -> Result<i64, String> {
    if let Some(n) = value.as_i64() {
        return if n < 0 {
            Err(format!("is negative ({n})"))
        } else {
            Ok(n)
        };
    }
    let text = number_text(value)?;
    let d = parse_decimal(&text).ok_or_else(|| format!("is not an amount ({})", clip(&text)))?;
    if d.half_or_more {
        d.whole
            .checked_add(1)
            .ok_or_else(|| "is too large".to_string())
    } else {
        Ok(d.whole)
    }
}

/// A count (`3`, `"3"`, `3.0`): a fraction other than zero is refused, never rounded.
pub(crate) fn whole_number(value: &Value) -> Result<i64, String> {
    if let Some(n) = value.as_i64() {
        return if n > MAX_AMOUNT {
            Err(format!("is implausibly large ({n})"))
        } else {
            Ok(n)
        };
    }
    let text = number_text(value)?;
    match parse_decimal(&text) {
        Some(d) if !d.has_fraction && d.whole <= MAX_AMOUNT => Ok(d.whole),
        Some(d) if !d.has_fraction => Err(format!("is implausibly large ({})", clip(&text))),
        _ => Err(format!("is not a whole number ({})", clip(&text))),
    }
}

/// `2024-05-01 12:30:00` in Jakarta time (the public API), or RFC 3339 (the webhook).
pub(crate) fn timestamp(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .ok()
    .map(|t| t.assume_offset(JAKARTA))
}

/// What a JSON value is, with its article: `an object`, `null`.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Keeps reasons short: they end up on the seller's review list, not in a debugger.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_in_every_shape_become_whole_rupiah() {
        assert_eq!(rupiah(&json!(5000)), Ok(5000));
        assert_eq!(rupiah(&json!(5000.0)), Ok(5000));
        assert_eq!(rupiah(&json!("4711.00")), Ok(4711));
        assert_eq!(rupiah(&json!("4711")), Ok(4711));
        assert_eq!(rupiah(&json!(" 6483.00 ")), Ok(6483));
        assert_eq!(rupiah(&json!(4711.5)), Ok(4712));
        assert_eq!(rupiah(&json!("4711.50")), Ok(4712));
        assert_eq!(rupiah(&json!("4711.49")), Ok(4711));
        assert_eq!(rupiah(&json!("4711.05")), Ok(4711));
        assert_eq!(rupiah(&json!(0)), Ok(0));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in [
            json!(-5),
            json!("-5"),
            json!("5e3"),
            json!(1e300),
            json!("Rp 5.000"),
            json!("5,000"),
            json!("5."),
            json!(".5"),
            json!(""),
            json!(null),
            json!(true),
            json!([5]),
            json!("99999999999999999999"),
        ] {
            assert!(rupiah(&bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn counts_accept_strings_but_not_fractions() {
        assert_eq!(whole_number(&json!(3)), Ok(3));
        assert_eq!(whole_number(&json!("3")), Ok(3));
        assert_eq!(whole_number(&json!(3.0)), Ok(3));
        assert!(whole_number(&json!(2.5)).is_err());
        assert!(whole_number(&json!("tiga")).is_err());
        assert!(whole_number(&json!(null)).is_err());
    }

    #[test]
    fn reads_both_time_shapes() {
        let a = timestamp("2023-07-14T14:50:10+07:00").unwrap();
        let b = timestamp("2023-07-14 14:50:10").unwrap();
        assert_eq!(a, b);
        assert_eq!(b.offset(), JAKARTA);
        assert!(timestamp("14/07/2023").is_none());
    }

    #[test]
    fn clips_long_reasons_on_a_char_boundary() {
        let long = "é".repeat(100);
        let c = clip(&long);
        assert_eq!(c.chars().count(), 61);
        assert!(c.ends_with('…'));
        assert_eq!(clip("short"), "short");
    }
}
