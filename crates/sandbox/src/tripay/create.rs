//! `POST transaction/create`: reading the request (JSON, or a form with `order_items[0][name]`
//! keys as the PHP example posts it) and validating it in the order of spec §11.2.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use rand::Rng;
use serde_json::{Map, Value};

use super::{hmac_hex, now, Channel, Item, Status, Transaction, TripaySim};
use crate::qris::{self, AmountStyle, Payload};

/// Lines an order may have.
const MAX_ITEMS: usize = 100;
/// The longest text field accepted.
const MAX_TEXT: usize = 1_000;
/// Without `expired_time`, a transaction lives a day (spec §4.1).
const DEFAULT_EXPIRY_SECONDS: i64 = 24 * 60 * 60;

/// A create request once read; nothing checked against the channel yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CreateRequest {
    pub method: String,
    pub merchant_ref: String,
    pub amount: i64,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub items: Vec<Item>,
    pub callback_url: Option<String>,
    pub return_url: Option<String>,
    pub expired_time: Option<i64>,
    pub signature: String,
}

/// A refusal: its HTTP status and Tripay-style message.
pub(super) type Refusal = (StatusCode, String);

fn invalid(message: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, message.into())
}

/// The body as one JSON object, whichever way it was posted.
pub(super) fn read_body(content_type: Option<&str>, body: &[u8]) -> Result<Value, Refusal> {
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    let json = content_type.contains("json")
        || (!content_type.contains("x-www-form-urlencoded")
            && body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'));
    if json {
        return match serde_json::from_slice::<Value>(body) {
            Ok(value @ Value::Object(_)) => Ok(value),
            _ => Err(invalid("The request body is not a JSON object")),
        };
    }
    form_to_value(body)
}

/// `method=QRIS2&order_items[0][name]=…` → `{"method":"QRIS2","order_items":[{"name":…}]}`.
fn form_to_value(body: &[u8]) -> Result<Value, Refusal> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| invalid("The request body is not a valid form"))?;
    let mut object = Map::new();
    let mut items: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
    for (key, value) in pairs {
        let Some(rest) = key.strip_prefix("order_items[") else {
            object.insert(key, Value::String(value));
            continue;
        };
        let parsed = rest.split_once("][").and_then(|(index, field)| {
            Some((index.parse::<usize>().ok()?, field.strip_suffix(']')?))
        });
        let Some((index, field)) = parsed.filter(|(i, _)| *i < MAX_ITEMS) else {
            return Err(invalid(format!(
                "The order_items key {} is not understood",
                clip(&key)
            )));
        };
        items
            .entry(index)
            .or_default()
            .insert(field.to_string(), Value::String(value));
    }
    if !items.is_empty() {
        let list = items.into_values().map(Value::Object).collect();
        object.insert("order_items".into(), Value::Array(list));
    }
    Ok(Value::Object(object))
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A text field: a string (or a number, as forms and loose clients send); blank is absent.
fn text(object: &Map<String, Value>, name: &str) -> Result<Option<String>, Refusal> {
    let value = match object.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(invalid(format!("The {name} must be a string."))),
    };
    if value.chars().count() > MAX_TEXT {
        return Err(invalid(format!(
            "The {name} may not be greater than {MAX_TEXT} characters."
        )));
    }
    Ok(Some(value).filter(|v| !v.is_empty()))
}

fn required(object: &Map<String, Value>, name: &str) -> Result<String, Refusal> {
    text(object, name)?.ok_or_else(|| invalid(format!("The {name} field is required.")))
}

/// An integer: a JSON integer or a string of digits (`20000`, never `20000.00`).
fn integer(object: &Map<String, Value>, name: &str) -> Result<Option<i64>, Refusal> {
    let not_integer = || invalid(format!("The {name} must be an integer."));
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(not_integer),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_integer());
            }
            s.parse().map(Some).map_err(|_| not_integer())
        }
        Some(_) => Err(not_integer()),
    }
}

fn required_integer(object: &Map<String, Value>, name: &str) -> Result<i64, Refusal> {
    integer(object, name)?.ok_or_else(|| invalid(format!("The {name} field is required.")))
}

/// Reads every field; the required ones must be there and the numbers must be integers.
pub(super) fn parse(body: &Value) -> Result<CreateRequest, Refusal> {
    let Some(object) = body.as_object() else {
        return Err(invalid("The request body is not a JSON object"));
    };
    let method = required(object, "method")?;
    let merchant_ref = required(object, "merchant_ref")?;
    let amount = required_integer(object, "amount")?;
    let customer_name = required(object, "customer_name")?;
    let customer_email = required(object, "customer_email")?;
    let items = match object.get("order_items") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        _ => return Err(invalid("The order_items field is required.")),
    };
    if items.len() > MAX_ITEMS {
        return Err(invalid(format!(
            "The order_items may not have more than {MAX_ITEMS} items."
        )));
    }
    let items = items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_item(i, item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CreateRequest {
        method,
        merchant_ref,
        amount,
        customer_name,
        customer_email,
        customer_phone: text(object, "customer_phone")?,
        items,
        callback_url: text(object, "callback_url")?,
        return_url: text(object, "return_url")?,
        expired_time: integer(object, "expired_time")?,
        signature: required(object, "signature")?,
    })
}

fn parse_item(index: usize, item: &Value) -> Result<Item, Refusal> {
    let Some(object) = item.as_object() else {
        return Err(invalid(format!(
            "The order_items.{index} must be an object."
        )));
    };
    let field = |name: &str| format!("order_items.{index}.{name}");
    let rename =
        |(status, message): Refusal, name: &str| (status, message.replacen(name, &field(name), 1));
    let name = required(object, "name").map_err(|e| rename(e, "name"))?;
    let price = required_integer(object, "price").map_err(|e| rename(e, "price"))?;
    let quantity = required_integer(object, "quantity").map_err(|e| rename(e, "quantity"))?;
    if price < 0 || quantity < 1 {
        return Err(invalid(format!(
            "The {} must be at least 0 and the {} at least 1.",
            field("price"),
            field("quantity")
        )));
    }
    Ok(Item {
        sku: text(object, "sku")?,
        name,
        price,
        quantity,
        product_url: text(object, "product_url")?,
        image_url: text(object, "image_url")?,
    })
}

/// Upper-case letters and digits, for the tail of a reference.
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

impl TripaySim {
    /// Validates `request` as §11.2 orders it and keeps the transaction. `links` is the prefix
    /// of `qr_url` and `checkout_url`.
    pub(super) fn create(
        &self,
        request: CreateRequest,
        links: &str,
    ) -> Result<Transaction, Refusal> {
        let config = self.config();
        let faults = self.faults();
        let channel = Channel::find(&request.method).ok_or_else(|| {
            invalid(format!(
                "Payment channel {} is not available",
                clip(&request.method)
            ))
        })?;
        if faults.channel_inactive {
            return Err(invalid("Payment channel is not active"));
        }
        if faults.amount_out_of_range
            || !(channel.min_amount..=channel.max_amount).contains(&request.amount)
        {
            return Err(invalid(format!(
                "Amount out of range: {} accepts {} to {}",
                channel.code, channel.min_amount, channel.max_amount
            )));
        }
        let message = format!(
            "{}{}{}",
            config.merchant_code, request.merchant_ref, request.amount
        );
        let expected = hmac_hex(&config.private_key, message.as_bytes());
        let presented = request.signature.as_bytes();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            presented,
        )) {
            return Err(invalid("Invalid signature"));
        }
        let items_total = request.items.iter().try_fold(0i64, |sum, item| {
            item.price
                .checked_mul(item.quantity)
                .and_then(|line| sum.checked_add(line))
        });
        if items_total != Some(request.amount) {
            return Err(invalid(format!(
                "The total of order_items ({}) does not match the amount ({})",
                items_total.map_or_else(|| "too large".into(), |t| t.to_string()),
                request.amount
            )));
        }
        let tx = self.transaction_for(request, channel, links);
        self.store(tx.clone());
        Ok(tx)
    }

    fn transaction_for(
        &self,
        request: CreateRequest,
        channel: Channel,
        links: &str,
    ) -> Transaction {
        let config = self.config();
        let created_at = now();
        let asked = request
            .expired_time
            .unwrap_or(created_at + DEFAULT_EXPIRY_SECONDS);
        let expired_time = asked.clamp(
            created_at + channel.min_expiry_minutes * 60,
            created_at + channel.max_expiry_minutes * 60,
        );
        let fee = channel.fee(request.amount);
        let (amount, fee_merchant, fee_customer) = if config.fee_on_customer {
            (request.amount + fee, 0, fee)
        } else {
            (request.amount, fee, 0)
        };
        let reference = self.new_reference();
        let qr_payload = channel.qris.then(|| {
            qris::build(&Payload {
                acquirer: "ID.MADDSTORE.SANDBOX",
                amount,
                style: AmountStyle::Integer,
                merchant_name: "MADD STORE SANDBOX",
                city: "JAKARTA",
                reference: &request.merchant_ref,
            })
        });
        let qr_string = qr_payload.as_ref().map(|payload| {
            if config.sandbox_valid_qr {
                payload.clone()
            } else {
                "SANDBOX MODE".to_string()
            }
        });
        let links = links.trim_end_matches('/');
        Transaction {
            qr_url: channel.qris.then(|| format!("{links}/qr/{reference}")),
            checkout_url: format!("{links}/checkout/{reference}"),
            pay_code: (!channel.qris)
                .then(|| format!("88908{}", &reference[reference.len() - 8..])),
            reference,
            merchant_ref: request.merchant_ref,
            method: channel.code.to_string(),
            method_name: channel.name.to_string(),
            customer_name: request.customer_name,
            customer_email: request.customer_email,
            customer_phone: request.customer_phone,
            callback_url: request.callback_url,
            return_url: request.return_url,
            order_items: request.items,
            amount,
            fee_merchant,
            fee_customer,
            total_fee: fee,
            amount_received: amount - fee,
            status: Status::Unpaid,
            qr_string,
            qr_payload,
            created_at,
            expired_time,
            paid_at: None,
            note: None,
        }
    }

    /// `DEV-T{merchant digits}{6 digits}{5 letters/digits}`, not used before.
    fn new_reference(&self) -> String {
        let digits: String = self
            .config()
            .merchant_code
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let mut rng = rand::thread_rng();
        loop {
            let number: u32 = rng.gen_range(0..1_000_000);
            let tail: String = (0..5)
                .map(|_| char::from(ALPHANUMERIC[rng.gen_range(0..ALPHANUMERIC.len())]))
                .collect();
            let reference = format!("DEV-T{digits}{number:06}{tail}");
            if self.transaction(&reference).is_none() {
                return reference;
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::tripay::Config;

    /// A transaction as the spec's example creates it (§4.2).
    pub(crate) fn sample_transaction() -> Transaction {
        Transaction {
            reference: "DEV-T12345123456ABCDE".into(),
            merchant_ref: "MS-7K3Q9XW2-1".into(),
            method: "QRIS2".into(),
            method_name: "QRIS".into(),
            customer_name: "Pelanggan Madd Store".into(),
            customer_email: "orders@maddstore.example".into(),
            customer_phone: Some("081234567890".into()),
            callback_url: None,
            return_url: None,
            order_items: vec![],
            amount: 20_000,
            fee_merchant: 890,
            fee_customer: 0,
            total_fee: 890,
            amount_received: 19_110,
            status: Status::Unpaid,
            qr_string: Some("SANDBOX MODE".into()),
            qr_payload: None,
            qr_url: None,
            checkout_url: String::new(),
            pay_code: None,
            created_at: 1_767_236_000,
            expired_time: 1_767_240_000,
            paid_at: None,
            note: None,
        }
    }

    #[test]
    fn a_form_reads_like_the_json() {
        let form = b"method=QRIS2&merchant_ref=MS-7K3Q9XW2-1&amount=20000&customer_name=Pelanggan+Madd+Store\
&customer_email=orders%40maddstore.example&order_items%5B0%5D%5Bsku%5D=ML86\
&order_items[0][name]=Mobile+Legends+86+Diamonds&order_items[0][price]=20000\
&order_items[0][quantity]=1&expired_time=1767240000&signature=abc";
        let json = br#"{"method":"QRIS2","merchant_ref":"MS-7K3Q9XW2-1","amount":20000,
            "customer_name":"Pelanggan Madd Store","customer_email":"orders@maddstore.example",
            "order_items":[{"sku":"ML86","name":"Mobile Legends 86 Diamonds","price":20000,"quantity":1}],
            "expired_time":1767240000,"signature":"abc"}"#;
        let from_form = parse(&read_body(None, form).unwrap()).unwrap();
        let from_json = parse(&read_body(Some("application/json"), json).unwrap()).unwrap();
        assert_eq!(from_form, from_json);
        assert_eq!(from_form.items[0].sku.as_deref(), Some("ML86"));
    }

    #[test]
    fn refusals_name_the_field() {
        let read = |body: &str| parse(&read_body(Some("application/json"), body.as_bytes())?);
        let message = |body: &str| read(body).unwrap_err().1;
        assert_eq!(message("[1]"), "The request body is not a JSON object");
        assert_eq!(message("{}"), "The method field is required.");
        let base = r#""method":"QRIS2","merchant_ref":"X","customer_name":"A","customer_email":"a@b","signature":"s""#;
        assert_eq!(
            message(&format!("{{{base},\"amount\":20000.5,\"order_items\":[]}}")),
            "The amount must be an integer."
        );
        assert_eq!(
            message(&format!(
                "{{{base},\"amount\":\"20000.00\",\"order_items\":[]}}"
            )),
            "The amount must be an integer."
        );
        assert_eq!(
            message(&format!("{{{base},\"amount\":20000,\"order_items\":[]}}")),
            "The order_items field is required."
        );
        assert_eq!(
            message(&format!(
                "{{{base},\"amount\":20000,\"order_items\":[{{\"name\":\"x\",\"price\":1}}]}}"
            )),
            "The order_items.0.quantity field is required."
        );
        assert!(read_body(None, b"order_items[x][name]=1").is_err());
    }

    #[test]
    fn expiry_is_clamped_and_the_fee_may_land_on_the_buyer() {
        let request = CreateRequest {
            method: "QRIS".into(),
            merchant_ref: "MS-1".into(),
            amount: 120_000,
            customer_name: "A".into(),
            customer_email: "a@b".into(),
            customer_phone: None,
            items: vec![],
            callback_url: None,
            return_url: None,
            expired_time: None,
            signature: String::new(),
        };
        let sim = TripaySim::new(Config {
            fee_on_customer: true,
            ..Config::for_tests()
        });
        let channel = Channel::find("QRIS").unwrap();
        let tx = sim.transaction_for(request, channel, "/sandbox/tripay");
        // No expiry asked → 24 h → the QRIS channel's 60-minute cap.
        assert_eq!(tx.expired_time - tx.created_at, 60 * 60);
        assert_eq!(
            (tx.amount, tx.fee_customer, tx.total_fee),
            (121_590, 1_590, 1_590)
        );
        assert_eq!((tx.fee_merchant, tx.amount_received), (0, 120_000));
        assert!(tx.reference.starts_with("DEV-T12345") && tx.reference.len() == 21);
        assert_eq!(
            tx.qr_url.unwrap(),
            format!("/sandbox/tripay/qr/{}", tx.reference)
        );
        let parsed = qris::parse(tx.qr_string.as_deref().unwrap()).unwrap();
        assert_eq!(parsed.amount, Some(121_590));
    }
}
