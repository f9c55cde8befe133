//! Tripay's loosely typed values (§10 rule 6): every number may come as a JSON number or a
//! string (`paid_at` is `"1582856000"` in detail and `1582856000` in callbacks), unknown fields
//! are ignored, and the 2020 answer shape (`fee`, `is_customer_fee`) is still read.

use madd_domain::{RailId, Rupiah};
use serde_json::{Map, Value};

use super::rail_status;
use crate::payment::gateway::{CreatedPayment, PaymentEvent};

/// What the sandbox answers instead of a QRIS payload (§4.2).
const SANDBOX_QR: &str = "SANDBOX MODE";
/// No payment comes near this; refusing more keeps every sum far from `i64`'s limit.
const MAX_AMOUNT: i64 = 1_000_000_000_000;

pub(super) type Object = Map<String, Value>;

/// A field's text: a string (trimmed) or a number's digits; blank and `null` are absent.
pub(super) fn text(object: &Object, name: &str) -> Option<String> {
    match object.get(name)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A whole, non-negative number from `20000`, `20000.0`, `"20000"` or `"20000.00"`. `Ok(None)`
/// when absent or `null`; an error for anything else (a fraction, a sign, letters).
pub(super) fn whole(object: &Object, name: &str) -> Result<Option<i64>, String> {
    let value = match object.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(value) => value,
    };
    let digits = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        other => return Err(format!("{name} is {}, not a number", kind(other))),
    };
    let (integer, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let valid = !integer.is_empty()
        && integer.len() <= 15
        && integer.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b == b'0');
    let number = integer
        .parse::<i64>()
        .ok()
        .filter(|n| valid && *n <= MAX_AMOUNT);
    number
        .map(Some)
        .ok_or_else(|| format!("{name} is not a whole rupiah amount ({})", clip(&digits)))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(super) fn clip(text: &str) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Unix seconds (number or string) as Unix milliseconds; `0` means "not yet".
pub(super) fn millis(object: &Object, name: &str) -> Result<Option<i64>, String> {
    Ok(whole(object, name)?
        .filter(|s| *s > 0)
        .and_then(|s| s.checked_mul(1_000)))
}

/// `true`, `1`, `"1"`, `"true"`.
pub(super) fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => matches!(s.trim(), "1" | "true" | "TRUE" | "True"),
        _ => false,
    }
}

/// A fee figure (`0`, `0.0`, `"0.00"`, `null`) that charges nothing.
pub(super) fn is_zero(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => s.trim().is_empty() || s.trim().parse::<f64>() == Ok(0.0),
        Some(_) => false,
    }
}

/// The create answer's `data` (§4.2), checked to be for `merchant_ref`.
pub(super) fn created(data: &Value, merchant_ref: &str) -> Result<CreatedPayment, String> {
    let object = data.as_object().ok_or("data is not an object")?;
    let reference = text(object, "reference").ok_or("data has no reference")?;
    if text(object, "merchant_ref").is_some_and(|m| m != merchant_ref) {
        return Err("the answer is for another merchant_ref".into());
    }
    let amount = whole(object, "amount")?.ok_or("data has no amount")?;
    // 2020 answers: `fee` with `is_customer_fee` instead of fee_merchant/fee_customer.
    let old_fee = whole(object, "fee")?;
    let on_customer = truthy(object.get("is_customer_fee"));
    let fee = match whole(object, "fee_merchant")? {
        Some(fee) => Some(fee),
        None if on_customer => Some(0),
        None => old_fee,
    };
    let fee_customer = match whole(object, "fee_customer")? {
        Some(fee) => fee,
        None if on_customer => old_fee.unwrap_or(0),
        None => 0,
    };
    Ok(CreatedPayment {
        reference,
        qr_string: text(object, "qr_string").filter(|q| q != SANDBOX_QR),
        qr_url: text(object, "qr_url"),
        checkout_url: text(object, "checkout_url"),
        expires_at_ms: millis(object, "expired_time")?,
        amount: Rupiah::new(amount),
        fee: fee.map(Rupiah::new),
        fee_customer: Rupiah::new(fee_customer),
    })
}

/// A transaction (detail `data`, a listing item or a callback body) as a [`PaymentEvent`]. The
/// amount is the first of `amount_fields` present: detail says `amount`, callbacks
/// `total_amount`.
pub(super) fn event(
    object: &Object,
    amount_fields: &[&str],
    raw: String,
) -> Result<PaymentEvent, String> {
    let reference = text(object, "reference").ok_or("reference is missing")?;
    let status_text = text(object, "status").ok_or("status is missing")?;
    let status = rail_status(&status_text)
        .ok_or_else(|| format!("status {} is not a Tripay status", clip(&status_text)))?;
    let mut gross = None;
    for field in amount_fields {
        if let Some(amount) = whole(object, field)? {
            gross = Some(amount);
            break;
        }
    }
    let gross = gross.ok_or_else(|| format!("{} is missing", amount_fields.join(" / ")))?;
    Ok(PaymentEvent {
        rail: RailId::Tripay,
        reference,
        merchant_ref: text(object, "merchant_ref"),
        status,
        gross: Rupiah::new(gross),
        fee: whole(object, "total_fee")?.map(Rupiah::new),
        paid_at_ms: millis(object, "paid_at")?,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Object {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn numbers_come_as_numbers_or_strings() {
        let o = object(json!({
            "a": 20000, "b": "20000", "c": "20000.00", "d": 20000.0, "e": null, "f": "",
            "g": "20000.50", "h": "-5", "i": "2e4", "j": true
        }));
        for name in ["a", "b", "c", "d"] {
            assert_eq!(whole(&o, name), Ok(Some(20_000)), "{name}");
        }
        for name in ["e", "f", "missing"] {
            assert_eq!(whole(&o, name), Ok(None), "{name}");
        }
        for name in ["g", "h", "i", "j"] {
            assert!(whole(&o, name).is_err(), "{name}");
        }
        let t = object(json!({"s": "1582856000", "n": 1_582_856_000, "z": 0}));
        assert_eq!(millis(&t, "s"), Ok(Some(1_582_856_000_000)));
        assert_eq!(millis(&t, "n"), Ok(Some(1_582_856_000_000)));
        assert_eq!(millis(&t, "z"), Ok(None));
    }

    #[test]
    fn fee_figures_and_flags_are_read_leniently() {
        assert!(is_zero(Some(&json!(0))) && is_zero(Some(&json!("0.00"))) && is_zero(None));
        assert!(!is_zero(Some(&json!(0.7))) && !is_zero(Some(&json!("750"))));
        assert!(truthy(Some(&json!(true))) && truthy(Some(&json!(1))) && truthy(Some(&json!("1"))));
        assert!(!truthy(Some(&json!(false))) && !truthy(Some(&json!("0"))) && !truthy(None));
    }

    #[test]
    fn the_2020_answer_shape_is_still_read() {
        let data = json!({"reference": "T123451234567890ABCDE", "merchant_ref": "MS-1-1",
            "amount": "50000", "fee": "1100", "is_customer_fee": 0, "qr_string": "000201…"});
        let created = created(&data, "MS-1-1").unwrap();
        assert_eq!(created.fee, Some(Rupiah::new(1_100)));
        assert_eq!(created.fee_customer, Rupiah::ZERO);
        let on_buyer =
            json!({"reference": "T1", "amount": 51100, "fee": 1100, "is_customer_fee": 1});
        let created = super::created(&on_buyer, "MS-1-1").unwrap();
        assert_eq!(
            (created.fee, created.fee_customer),
            (Some(Rupiah::ZERO), Rupiah::new(1_100))
        );
        assert!(super::created(
            &json!({"reference": "T1", "merchant_ref": "MS-2-1", "amount": 1}),
            "MS-1-1"
        )
        .is_err());
    }
}
