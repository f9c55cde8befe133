//! The webhook Trakteer POSTs for every tip: token check and parsing, both pure.
//!
//! The caller answers 200 for every authentic event, even one this module cannot read (it goes to
//! the seller's review list with [`WebhookError`]'s reason): Trakteer switches a webhook off after
//! three failed events, and an unread payment is still money the seller received.

use madd_domain::text::{clean, limit};
use madd_domain::Rupiah;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::values::{self, clip, json_kind};
use crate::secret::Secret;

/// Whether the `X-Webhook-Token` header carries the configured token (constant time). A missing
/// header, or an empty configured token, never matches.
pub fn token_matches(expected: &Secret, header: Option<&str>) -> bool {
    header.is_some_and(|presented| expected.matches(presented))
}

/// How the tip's total was read from `price` (kept with the payment, see [`parse_webhook`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PriceReading {
    /// `price` is the total of the tip, as documented.
    Total,
    /// `price` equalled the unit price with `quantity > 1`: the total is `price × quantity`.
    UnitTimesQuantity,
}

impl PriceReading {
    pub fn as_str(self) -> &'static str {
        match self {
            PriceReading::Total => "total",
            PriceReading::UnitTimesQuantity => "unit_times_quantity",
        }
    }
}

/// One tip as the webhook reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TipEvent {
    pub transaction_id: String,
    /// The dashboard's "Send Webhook Test" (`test-…` id): record it, never settle an order with it.
    pub is_test: bool,
    /// `None` when absent or unreadable: the time is informative, not needed to credit a payment.
    pub created_at: Option<OffsetDateTime>,
    pub supporter_name: String,
    /// Where the customer's order code should be (they may have edited it).
    pub supporter_message: String,
    pub unit: String,
    pub quantity: i64,
    /// `price` as sent.
    pub price: Rupiah,
    /// What the supporter paid, after [`PriceReading`].
    pub total: Rupiah,
    /// What the seller receives after Trakteer's and the payment method's fees.
    pub net_amount: Option<Rupiah>,
    pub price_reading: PriceReading,
    /// The whole body, for the record and for the review list.
    pub raw: Value,
}

/// Why an authentic webhook body could not be read; the message is short enough for a review list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("body is not a JSON object: {0}")]
    Malformed(String),
    #[error("event type is {0}, not tip")]
    NotATip(String),
    #[error("field {0} is missing")]
    MissingField(&'static str),
    #[error("field {field} {reason}")]
    InvalidField { field: &'static str, reason: String },
}

/// Reads a webhook body.
///
/// Tolerates what production sends besides the documented example: `quantity` as a string,
/// `media: null`, UUID or `test-…` ids, `price`/`net_amount` with decimals (see
/// [`values::rupiah`] for the rounding rule); unknown fields are ignored.
///
/// `price` is documented as the tip's total, but with `quantity > 1` a `price` equal to
/// `unit_price` is read as the unit price (total = `price × quantity`); the reading used is kept in
/// [`TipEvent::price_reading`] so the seller can see it.
pub fn parse_webhook(body: &[u8], unit_price: Rupiah) -> Result<TipEvent, WebhookError> {
    let raw: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::Malformed(format!("not JSON ({e})")))?;
    let obj = raw
        .as_object()
        .ok_or_else(|| WebhookError::Malformed(format!("it is {}", json_kind(&raw))))?;

    match obj.get("type") {
        None | Some(Value::Null) => return Err(WebhookError::MissingField("type")),
        Some(Value::String(t)) if t == "tip" => {}
        Some(Value::String(t)) => return Err(WebhookError::NotATip(format!("{:?}", clip(t)))),
        Some(other) => return Err(WebhookError::NotATip(json_kind(other).to_string())),
    }

    let transaction_id = text(obj, "transaction_id")?;
    if transaction_id.trim().is_empty() {
        return Err(WebhookError::MissingField("transaction_id"));
    }

    let quantity = required(obj, "quantity")
        .and_then(|v| values::whole_number(v).map_err(|reason| invalid("quantity", reason)))?;
    if quantity < 1 {
        return Err(invalid("quantity", format!("is not positive ({quantity})")));
    }

    let price = required(obj, "price")
        .and_then(|v| values::rupiah(v).map_err(|reason| invalid("price", reason)))?;
    if price == 0 {
        return Err(invalid("price", "is zero".into()));
    }
    let price = Rupiah::new(price);

    let net_amount = match obj.get("net_amount") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Rupiah::new(
            values::rupiah(v).map_err(|reason| invalid("net_amount", reason))?,
        )),
    };

    let (total, price_reading) = if quantity > 1 && price == unit_price {
        let total = price
            .checked_mul(quantity)
            .ok_or_else(|| invalid("quantity", "times price overflows".into()))?;
        (total, PriceReading::UnitTimesQuantity)
    } else {
        (price, PriceReading::Total)
    };

    let created_at = match obj.get("created_at") {
        Some(Value::String(s)) => values::timestamp(s),
        _ => None,
    };

    Ok(TipEvent {
        is_test: transaction_id.starts_with("test-"),
        transaction_id,
        created_at,
        supporter_name: text(obj, "supporter_name").or_else(absent_is_empty)?,
        supporter_message: text(obj, "supporter_message").or_else(absent_is_empty)?,
        unit: text(obj, "unit").or_else(absent_is_empty)?,
        quantity,
        price,
        total,
        net_amount,
        price_reading,
        raw,
    })
}

fn invalid(field: &'static str, reason: String) -> WebhookError {
    WebhookError::InvalidField { field, reason }
}

fn required<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a Value, WebhookError> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(WebhookError::MissingField(field)),
        Some(v) => Ok(v),
    }
}

/// A text field, cleaned of control characters (a NUL would make PostgreSQL refuse the whole
/// payment) and bounded in length.
fn text(obj: &Map<String, Value>, field: &'static str) -> Result<String, WebhookError> {
    let max = if field == "supporter_message" {
        limit::LONG
    } else {
        limit::SHORT
    };
    match required(obj, field)? {
        Value::String(s) => Ok(clean(s, max)),
        // An id or a name made only of digits may come unquoted.
        Value::Number(n) => Ok(clean(&n.to_string(), max)),
        other => Err(invalid(field, format!("is {}", json_kind(other)))),
    }
}

/// Names and messages are optional: a tip without a message is still a payment.
fn absent_is_empty(e: WebhookError) -> Result<String, WebhookError> {
    match e {
        WebhookError::MissingField(_) => Ok(String::new()),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_reasons_are_short_and_say_what() {
        let unit = Rupiah::new(1000);
        let e = parse_webhook(b"{\"type\":\"tip\"}", unit).unwrap_err();
        assert_eq!(e.to_string(), "field transaction_id is missing");
        let e = parse_webhook(b"[1]", unit).unwrap_err();
        assert_eq!(e.to_string(), "body is not a JSON object: it is an array");
        let e = parse_webhook(b"{\"type\":\"follow\"}", unit).unwrap_err();
        assert_eq!(e.to_string(), "event type is \"follow\", not tip");
        let e = parse_webhook(
            br#"{"type":"tip","transaction_id":"x","quantity":"2,5","price":1}"#,
            unit,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "field quantity is not a whole number (2,5)");
    }
}
