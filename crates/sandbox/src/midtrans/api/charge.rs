//! `POST /v2/charge`: the checks of §10.1, the transaction, the answer of §2.2.

use axum::http::HeaderMap;
use serde_json::{json, Map, Value};
use time::macros::format_description;
use time::{Duration as TimeSpan, OffsetDateTime};

use super::error_body;
use crate::midtrans::{new_id, now, wib_text, MidtransSim, Transaction, TxStatus};
use crate::qris::{self, AmountStyle, Payload};

/// The national QRIS ceiling per transaction (§9 item 14).
const MAX_GROSS: i64 = 10_000_000;
const MAX_ORDER_ID: usize = 50;
const MAX_ITEM_NAME: usize = 50;
const MAX_CUSTOMER_FIELD: usize = 255;
/// At most this many notification URLs per transaction (§3.6).
const MAX_URLS: usize = 3;
const ACQUIRERS: [&str; 2] = ["gopay", "airpay shopee"];
/// The host a 2021 charge answer put in its action URLs (§2.2).
const OLD_HOST: &str = "https://api.veritrans.co.id";

/// A charge that passed the checks.
struct Charge {
    order_id: String,
    gross: i64,
    acquirer: String,
    item_name: String,
    customer_name: Option<String>,
    expiry: OffsetDateTime,
}

/// The validation messages gathered so far, and what could be read.
#[derive(Default)]
struct Checks {
    messages: Vec<String>,
}

impl Checks {
    fn fail(&mut self, message: impl Into<String>) {
        self.messages.push(message.into());
    }
}

fn invalid(messages: Vec<String>) -> Value {
    let mut body = error_body(400, "One or more parameters in the payload is invalid.");
    body["validation_messages"] = json!(messages);
    body
}

/// A JSON integer (never a float or a string, as Midtrans wants amounts).
fn integer(value: Option<&Value>) -> Option<i64> {
    value.and_then(Value::as_i64)
}

fn order_id(details: &Map<String, Value>, checks: &mut Checks) -> String {
    let Some(id) = details.get("order_id").and_then(Value::as_str) else {
        checks.fail("transaction_details.order_id is required");
        return String::new();
    };
    if id.is_empty() {
        checks.fail("transaction_details.order_id is required");
    } else if id.len() > MAX_ORDER_ID {
        checks.fail("transaction_details.order_id too long, maximum 50 characters");
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~' | b'.'))
    {
        checks.fail("transaction_details.order_id contains invalid characters, only letters, numbers and - _ ~ . are allowed");
    }
    id.to_string()
}

fn gross(details: &Map<String, Value>, checks: &mut Checks) -> i64 {
    match integer(details.get("gross_amount")) {
        None => {
            checks.fail("transaction_details.gross_amount is required and must be an integer");
            0
        }
        Some(g) if g < 1 => {
            checks.fail("transaction_details.gross_amount must be at least 1");
            g
        }
        Some(g) if g > MAX_GROSS => {
            checks.fail("transaction_details.gross_amount exceeds the QRIS limit of 10000000");
            g
        }
        Some(g) => g,
    }
}

/// Σ price × quantity of the items, and the first item's name.
fn items(body: &Map<String, Value>, gross: i64, checks: &mut Checks) -> String {
    let Some(value) = body.get("item_details").filter(|v| !v.is_null()) else {
        return String::new();
    };
    let Some(list) = value.as_array() else {
        checks.fail("item_details must be an array");
        return String::new();
    };
    let mut sum: Option<i64> = Some(0);
    for (i, item) in list.iter().enumerate() {
        let price = integer(item.get("price"));
        let quantity = integer(item.get("quantity"));
        if price.is_none() {
            checks.fail(format!("item_details[{i}].price must be an integer"));
        }
        if quantity.is_none_or(|q| q < 1) {
            checks.fail(format!(
                "item_details[{i}].quantity must be a positive integer"
            ));
        }
        match item.get("name").and_then(Value::as_str) {
            None | Some("") => checks.fail(format!("item_details[{i}].name is required")),
            Some(n) if n.chars().count() > MAX_ITEM_NAME => {
                checks.fail(format!(
                    "item_details[{i}].name too long, maximum 50 characters"
                ));
            }
            Some(_) => {}
        }
        sum = match (sum, price, quantity) {
            (Some(s), Some(p), Some(q)) => p.checked_mul(q).and_then(|line| s.checked_add(line)),
            _ => None,
        };
    }
    if sum.is_some_and(|s| s != gross) {
        checks.fail("transaction_details.gross_amount is not equal to the sum of item_details");
    }
    let first = list
        .first()
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str);
    first.unwrap_or_default().to_string()
}

fn customer(body: &Map<String, Value>, checks: &mut Checks) -> Option<String> {
    let details = body.get("customer_details").filter(|v| !v.is_null())?;
    let Some(details) = details.as_object() else {
        checks.fail("customer_details must be an object");
        return None;
    };
    for field in ["first_name", "last_name", "email", "phone"] {
        match details.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.chars().count() <= MAX_CUSTOMER_FIELD => {}
            Some(Value::String(_)) => {
                checks.fail(format!(
                    "customer_details.{field} too long, maximum 255 characters"
                ));
            }
            Some(_) => checks.fail(format!("customer_details.{field} must be a string")),
        }
    }
    let name = details.get("first_name").and_then(Value::as_str)?;
    Some(name.to_string())
}

fn acquirer(body: &Map<String, Value>, checks: &mut Checks) -> String {
    match body
        .get("qris")
        .filter(|v| !v.is_null())
        .map(|q| q.get("acquirer"))
    {
        None | Some(None | Some(Value::Null)) => "gopay".into(),
        Some(Some(Value::String(a))) if ACQUIRERS.contains(&a.as_str()) => a.clone(),
        Some(_) => {
            checks.fail("qris.acquirer must be one of: gopay, airpay shopee");
            "gopay".into()
        }
    }
}

/// `custom_expiry` (order time + duration in a unit), or now + the default minutes.
fn expiry(body: &Map<String, Value>, default_minutes: i64, checks: &mut Checks) -> OffsetDateTime {
    let start = now();
    let Some(custom) = body.get("custom_expiry").filter(|v| !v.is_null()) else {
        return start + TimeSpan::minutes(default_minutes);
    };
    let order_time = match custom.get("order_time") {
        None | Some(Value::Null) => Some(start),
        Some(Value::String(text)) => parse_order_time(text),
        Some(_) => None,
    };
    let Some(order_time) = order_time else {
        checks.fail("custom_expiry.order_time must look like 2026-01-01 10:00:00 +0700");
        return start;
    };
    // The docs' table says String(50) while every example sends a number: take both.
    let duration = match custom.get("expiry_duration") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let Some(duration) = duration.filter(|d| (1..=1_000_000).contains(d)) else {
        checks.fail("custom_expiry.expiry_duration must be a positive integer");
        return start;
    };
    let unit = match custom
        .get("unit")
        .and_then(Value::as_str)
        .unwrap_or("minute")
    {
        "second" => TimeSpan::seconds(duration),
        "minute" => TimeSpan::minutes(duration),
        "hour" => TimeSpan::hours(duration),
        "day" => TimeSpan::days(duration),
        _ => {
            checks.fail("custom_expiry.unit must be one of: second, minute, hour, day");
            return start;
        }
    };
    let expiry = order_time + unit;
    if expiry <= OffsetDateTime::now_utc() {
        checks.fail("custom_expiry gives an expiry time in the past");
    }
    expiry
}

fn parse_order_time(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(text.trim(), format).ok()
}

/// The request read and checked, or the error body to answer.
fn parse(bytes: &[u8], default_minutes: i64) -> Result<Charge, Value> {
    let malformed = || {
        error_body(
            413,
            "The request cannot be processed due to malformed syntax in the request body",
        )
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|_| malformed())?;
    let body = value.as_object().ok_or_else(malformed)?;
    match body.get("payment_type").and_then(Value::as_str) {
        None => return Err(invalid(vec!["payment_type is required".into()])),
        Some("qris") => {}
        Some(_) => {
            return Err(error_body(
                402,
                "Merchant doesn't have access for this payment type",
            ))
        }
    }
    let mut checks = Checks::default();
    let empty = Map::new();
    let details = match body.get("transaction_details").and_then(Value::as_object) {
        Some(details) => details,
        None => {
            checks.fail("transaction_details is required");
            &empty
        }
    };
    let order_id = order_id(details, &mut checks);
    let gross = gross(details, &mut checks);
    let charge = Charge {
        item_name: items(body, gross, &mut checks),
        customer_name: customer(body, &mut checks),
        acquirer: acquirer(body, &mut checks),
        expiry: expiry(body, default_minutes, &mut checks),
        order_id,
        gross,
    };
    if checks.messages.is_empty() {
        Ok(charge)
    } else {
        Err(invalid(checks.messages))
    }
}

/// Override wins; else the dashboard URL plus the appended ones; at most three, http(s) only.
fn notification_urls(headers: &HeaderMap, default: Option<&str>) -> Vec<String> {
    let list = |name: &str| -> Option<Vec<String>> {
        let text = headers.get(name)?.to_str().ok()?;
        Some(
            text.split(',')
                .map(str::trim)
                .filter(|u| {
                    url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
                })
                .take(MAX_URLS)
                .map(str::to_string)
                .collect(),
        )
    };
    if let Some(urls) = list("x-override-notification") {
        return urls;
    }
    let mut urls: Vec<String> = default.map(str::to_string).into_iter().collect();
    urls.extend(list("x-append-notification").unwrap_or_default());
    urls.truncate(MAX_URLS + 1);
    urls
}

impl MidtransSim {
    /// Checks and records a charge: the answer's body code and body.
    pub(super) fn create(&self, headers: &HeaderMap, bytes: &[u8], base: &str) -> (u16, Value) {
        let config = &self.inner.config;
        let charge = match parse(bytes, config.default_expiry_minutes) {
            Ok(charge) => charge,
            Err(body) => return (code_of(&body), body),
        };
        let faults = self.faults();
        if faults.qris_disabled {
            let body = error_body(402, "Merchant doesn't have access for this payment type");
            return (402, body);
        }
        let transaction_id = new_id();
        let tx = Transaction {
            qr_string: qris::build(&Payload {
                acquirer: "ID.MADDSTORE.SANDBOX",
                amount: charge.gross,
                style: AmountStyle::Decimals,
                merchant_name: "MADD STORE SANDBOX",
                city: "JAKARTA",
                reference: &charge.order_id,
            }),
            transaction_id,
            order_id: charge.order_id,
            gross_amount: charge.gross,
            status: if faults.force_deny {
                TxStatus::Deny
            } else {
                TxStatus::Pending
            },
            acquirer: charge.acquirer,
            transaction_time: now(),
            expiry_time: charge.expiry,
            settlement_time: None,
            issuer: None,
            transaction_type: None,
            item_name: charge.item_name,
            customer_name: charge.customer_name,
            notification_urls: notification_urls(headers, config.notification_url.as_deref()),
            merchant_id: config.merchant_id.clone(),
            cross_reference_id: new_id(),
        };
        if let Err(body) = self.insert(tx.clone()) {
            return (406, body);
        }
        self.notify(&tx);
        let base = if faults.old_host_in_actions {
            OLD_HOST
        } else {
            base
        };
        let body = answer(&tx, base, faults.omit_qr_string, faults.omit_expiry_time);
        (code_of(&body), body)
    }
}

fn code_of(body: &Value) -> u16 {
    body.get("status_code")
        .and_then(Value::as_str)
        .and_then(|c| c.parse().ok())
        .unwrap_or(500)
}

/// §2.2 for a created QRIS; a denied one says so and carries no code.
fn answer(tx: &Transaction, base: &str, omit_qr: bool, omit_expiry: bool) -> Value {
    let mut body = json!({
        "status_code": "201",
        "status_message": "QRIS transaction is created",
        "transaction_id": tx.transaction_id,
        "order_id": tx.order_id,
        "merchant_id": tx.merchant_id,
        "gross_amount": tx.gross_text(),
        "currency": "IDR",
        "payment_type": "qris",
        "transaction_time": wib_text(tx.transaction_time),
        "transaction_status": tx.status.as_str(),
        "fraud_status": "accept",
        "acquirer": tx.acquirer,
    });
    if tx.status == TxStatus::Deny {
        body["status_code"] = json!("202");
        body["status_message"] = json!("QRIS transaction is denied by the acquirer");
        body["fraud_status"] = json!("deny");
        return body;
    }
    let id = &tx.transaction_id;
    body["actions"] = json!([
        {"name": "generate-qr-code", "method": "GET", "url": format!("{base}/v2/qris/{id}/qr-code")},
        {"name": "generate-qr-code-v2", "method": "GET", "url": format!("{base}/v4/qris/{id}/qr-code")},
    ]);
    if !omit_qr {
        body["qr_string"] = json!(tx.qr_string);
    }
    if !omit_expiry {
        body["expiry_time"] = json!(wib_text(tx.expiry_time));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(gross: Value, items: Value) -> Vec<u8> {
        json!({
            "payment_type": "qris",
            "transaction_details": {"order_id": "MS-7K3Q9XW2-1", "gross_amount": gross},
            "item_details": items,
        })
        .to_string()
        .into_bytes()
    }

    fn messages(result: Result<Charge, Value>) -> Vec<String> {
        let body = result.err().expect("refused");
        serde_json::from_value(body["validation_messages"].clone()).unwrap_or_default()
    }

    #[test]
    fn amounts_must_be_integers_that_match_the_items() {
        let items = json!([{"id": "ML86", "price": 20000, "quantity": 1, "name": "ML 86"}]);
        assert!(parse(&body(json!(20000), items.clone()), 15).is_ok());
        assert_eq!(
            messages(parse(&body(json!(20000.5), items.clone()), 15)).len(),
            2
        );
        assert_eq!(
            messages(parse(&body(json!("20000"), items.clone()), 15)).len(),
            2
        );
        let m = messages(parse(&body(json!(25000), items), 15));
        assert_eq!(
            m,
            ["transaction_details.gross_amount is not equal to the sum of item_details"]
        );
    }

    #[test]
    fn order_ids_are_checked() {
        let with = |id: &str| {
            json!({"payment_type": "qris", "transaction_details": {"order_id": id, "gross_amount": 1}})
                .to_string()
        };
        assert!(parse(with("a-b_c~d.e").as_bytes(), 15).is_ok());
        assert!(parse(with("a b").as_bytes(), 15).is_err());
        assert!(parse(with(&"x".repeat(51)).as_bytes(), 15).is_err());
        assert!(parse(b"not json", 15).is_err_and(|b| b["status_code"] == "413"));
    }

    #[test]
    fn custom_expiry_is_read() {
        let start = wib_text(now() + TimeSpan::minutes(1));
        let body = json!({"payment_type": "qris",
            "transaction_details": {"order_id": "A", "gross_amount": 1},
            "custom_expiry": {"order_time": format!("{start} +0700"), "expiry_duration": 60, "unit": "minute"}});
        let charge = parse(body.to_string().as_bytes(), 15).ok().unwrap();
        assert_eq!(wib_text(charge.expiry - TimeSpan::minutes(60)), start);
    }
}
