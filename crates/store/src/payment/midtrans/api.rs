//! The calls: `POST /v2/charge`, `GET /v2/{id}/status`, `POST /v2/{id}/expire`. Each answer is
//! parsed whatever its HTTP status and judged by the body's `status_code` and
//! `transaction_status` (§0): no JSON, a 5xx, a 429, a timeout or a broken connection leave the
//! outcome unknown; a 4xx body is a clear refusal.

use base64::Engine as _;
use madd_domain::text::clean_line;
use madd_domain::Rupiah;
use reqwest::header::{ACCEPT, AUTHORIZATION};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Map, Value};
use time::macros::format_description;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use super::{event_from, parse_gross, text_field, unix_millis, wib_millis, Midtrans};
use crate::clock::WIB;
use crate::payment::gateway::{CreatedPayment, GatewayError, NewPayment, PaymentEvent};

/// Midtrans refuses longer item names ("item_details Name too long").
const MAX_ITEM_NAME: usize = 50;
const MAX_CUSTOMER_FIELD: usize = 255;
/// What a 401 means, for the seller: the usual three mistakes.
const KEY_REFUSED: &str = "Midtrans menolak server key (401): kuncinya salah, atau kunci sandbox \
     (SB-Mid-server-…) dipakai di host produksi, atau kunci produksi di host sandbox";

/// An answer read whatever its HTTP status.
pub(super) struct Answer {
    http: u16,
    body: Map<String, Value>,
    text: String,
    /// The body's `status_code` (`"201"` → 201).
    code: Option<u16>,
}

impl Answer {
    fn transaction_status(&self) -> Option<String> {
        text_field(&self.body, "transaction_status").map(|s| s.trim().to_ascii_lowercase())
    }

    /// `status_message`, and the first validation message when there is one, shortened.
    fn message(&self) -> String {
        let mut message = text_field(&self.body, "status_message").unwrap_or_default();
        let first_detail = self
            .body
            .get("validation_messages")
            .and_then(Value::as_array)
            .and_then(|list| list.first())
            .and_then(Value::as_str);
        if let Some(detail) = first_detail {
            message = format!("{message} ({detail})");
        }
        clean_line(&message, 160)
    }
}

/// What an answer other than the hoped-for one means for the caller.
fn unexpected(answer: &Answer, what: &str) -> GatewayError {
    let message = answer.message();
    match answer.code {
        Some(401) => GatewayError::Refused(KEY_REFUSED.into()),
        // A rate limit says nothing about what was made.
        Some(code) if (400..500).contains(&code) && code != 429 => {
            GatewayError::Refused(format!("Midtrans {what}: {code} {message}"))
        }
        code => GatewayError::Unknown(format!(
            "Midtrans {what}: status_code {}, HTTP {}: {message}",
            code.map_or_else(|| "?".to_string(), |c| c.to_string()),
            answer.http
        )),
    }
}

fn transport(e: reqwest::Error, what: &str) -> GatewayError {
    let reason = if e.is_builder() {
        // Nothing left this machine: a header or URL the store made is not valid.
        return GatewayError::Refused(format!("Midtrans {what}: the request could not be built"));
    } else if e.is_timeout() {
        "no answer in time".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        e.without_url().to_string()
    };
    GatewayError::Unknown(format!("Midtrans {what}: {reason}"))
}

/// `2026-01-01 10:00:00 +0700`, as `custom_expiry.order_time` wants it.
pub(super) fn order_time(now: OffsetDateTime) -> String {
    now.to_offset(WIB)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second] +0700"
        ))
        .unwrap_or_default()
}

fn first_chars(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// The charge of §2.1: one item line at the exact amount, never a fee line, the store's expiry.
pub(super) fn charge_body(new: &NewPayment, acquirer: &str, now: OffsetDateTime) -> Value {
    let gross = new.amount.amount();
    let minutes = ((new.expires_at_ms - unix_millis(now)) / 60_000).max(1);
    let name = Some(first_chars(&new.item_name, MAX_ITEM_NAME))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| first_chars(&new.item_code, MAX_ITEM_NAME));
    let first_name = Some(first_chars(&new.customer_name, MAX_CUSTOMER_FIELD))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Pelanggan".into());
    let mut customer = json!({ "first_name": first_name });
    if let Some(phone) = new
        .customer_phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        customer["phone"] = json!(first_chars(phone, MAX_CUSTOMER_FIELD));
    }
    json!({
        "payment_type": "qris",
        "transaction_details": { "order_id": new.merchant_ref, "gross_amount": gross },
        "item_details": [{ "id": new.item_code, "price": gross, "quantity": 1, "name": name }],
        "customer_details": customer,
        "qris": { "acquirer": acquirer },
        "custom_expiry": { "order_time": order_time(now), "expiry_duration": minutes, "unit": "minute" },
    })
}

/// The created payment in a `201`/`pending` charge answer.
fn created(answer: &Answer, new: &NewPayment) -> Result<CreatedPayment, GatewayError> {
    let body = &answer.body;
    // Made, but not readable: the store finds it again by its merchant reference.
    let unreadable = |reason: &str| GatewayError::Unknown(format!("Midtrans charge: {reason}"));
    if text_field(body, "order_id").is_some_and(|o| o != new.merchant_ref) {
        return Err(unreadable("the answer is for another order_id"));
    }
    let reference = text_field(body, "transaction_id")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| unreadable("the answer has no transaction_id"))?;
    let gross = text_field(body, "gross_amount").unwrap_or_default();
    let amount = parse_gross(&gross).ok_or_else(|| {
        unreadable(&format!(
            "gross_amount {:?} is not whole rupiah",
            clean_line(&gross, 30)
        ))
    })?;
    // Matched by name: the array's order is not promised, and v2 is the framed image.
    let qr_url = body
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|a| a.get("name").and_then(Value::as_str) == Some("generate-qr-code"))
        .and_then(|a| a.get("url").and_then(Value::as_str))
        .map(str::to_string);
    Ok(CreatedPayment {
        reference,
        qr_string: text_field(body, "qr_string").filter(|q| !q.trim().is_empty()),
        qr_url,
        checkout_url: None,
        expires_at_ms: text_field(body, "expiry_time").and_then(|t| wib_millis(&t)),
        amount,
        fee: None,
        fee_customer: Rupiah::ZERO,
    })
}

/// What the store knows of a payment Midtrans does not have.
fn unknown_event(id: &str, raw: String) -> PaymentEvent {
    PaymentEvent {
        rail: madd_domain::RailId::Midtrans,
        reference: id.to_string(),
        merchant_ref: None,
        status: madd_domain::RailStatus::Unknown,
        gross: Rupiah::ZERO,
        fee: None,
        paid_at_ms: None,
        raw,
    }
}

/// A status (or expire) answer as an event: 404 is "unknown", a body with a
/// `transaction_status` is read, anything else is judged by its code.
fn event_of(answer: &Answer, id: &str, what: &str) -> Result<PaymentEvent, GatewayError> {
    match answer.code {
        Some(404) => return Ok(unknown_event(id, answer.text.clone())),
        Some(code) if code < 500 && code != 429 => {}
        _ => return Err(unexpected(answer, what)),
    }
    if answer.transaction_status().is_none() {
        return Err(unexpected(answer, what));
    }
    event_from(&answer.body, answer.text.clone())
        .map_err(|reason| GatewayError::Unknown(format!("Midtrans {what}: {reason}")))
}

impl Midtrans {
    /// `base/segment/…`, each segment percent-encoded, whether or not the base ends in `/`.
    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.config.api_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    pub(super) fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:", self.config.server_key.expose()));
        self.http
            .request(method, self.endpoint(segments))
            .header(AUTHORIZATION, format!("Basic {credentials}"))
            .header(ACCEPT, "application/json")
    }

    /// Sends and reads the answer as JSON, whatever its HTTP status.
    async fn send(&self, request: RequestBuilder, what: &str) -> Result<Answer, GatewayError> {
        let response = request.send().await.map_err(|e| transport(e, what))?;
        let http = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| transport(e, what))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(GatewayError::Unknown(format!(
                "Midtrans {what}: HTTP {http}, the answer is not a JSON object"
            )));
        };
        let code = text_field(&body, "status_code").and_then(|c| c.trim().parse().ok());
        Ok(Answer {
            http,
            body,
            text,
            code,
        })
    }

    pub(super) async fn charge(&self, new: &NewPayment) -> Result<CreatedPayment, GatewayError> {
        let body = charge_body(new, &self.config.acquirer, self.clock.now());
        let request = self
            .request(Method::POST, &["v2", "charge"])
            .timeout(self.config.create_timeout)
            .header("X-Override-Notification", &new.notify_url)
            .header("Idempotency-Key", Uuid::new_v4().to_string())
            .json(&body);
        let answer = self.send(request, "charge").await?;
        match answer.transaction_status().as_deref() {
            Some("pending") if answer.code == Some(201) => created(&answer, new),
            Some("deny") => Err(GatewayError::Refused(format!(
                "Midtrans charge: the acquirer refused to make the QRIS (deny): {}",
                answer.message()
            ))),
            _ => Err(unexpected(&answer, "charge")),
        }
    }

    pub(super) async fn query(
        &self,
        reference: Option<&str>,
        merchant_ref: &str,
    ) -> Result<PaymentEvent, GatewayError> {
        let id = reference.filter(|r| !r.is_empty()).unwrap_or(merchant_ref);
        let answer = self
            .send(self.request(Method::GET, &["v2", id, "status"]), "status")
            .await?;
        event_of(&answer, id, "status")
    }

    /// `expire` (§5): 407 with the expired transaction; 412 when it is no longer pending (paid
    /// a moment ago, say), then the status says what it became.
    pub(super) async fn expire(&self, reference: &str) -> Result<PaymentEvent, GatewayError> {
        let answer = self
            .send(
                self.request(Method::POST, &["v2", reference, "expire"]),
                "expire",
            )
            .await?;
        match answer.code {
            Some(412) => self.query(Some(reference), reference).await,
            Some(404) => Ok(unknown_event(reference, answer.text)),
            Some(200 | 407) if answer.transaction_status().is_some() => {
                match event_of(&answer, reference, "expire") {
                    Ok(event) => Ok(event),
                    // The answer left something out: the status has it all.
                    Err(_) => self.query(Some(reference), reference).await,
                }
            }
            _ => Err(unexpected(&answer, "expire")),
        }
    }

    /// The status of an order id that cannot exist: a 404 body proves the host and the key.
    pub(super) async fn probe(&self) -> Result<String, GatewayError> {
        let id = format!("madd-check-{}", Uuid::new_v4().simple());
        let answer = self
            .send(self.request(Method::GET, &["v2", &id, "status"]), "check")
            .await?;
        match answer.code {
            Some(404) => Ok("Midtrans menjawab; server key diterima".into()),
            _ => Err(unexpected(&answer, "check")),
        }
    }
}
