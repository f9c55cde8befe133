//! Midtrans Core API, dynamic QRIS per order attempt (`shared/specs/midtrans.md`): the charge
//! with the exact amount and the store's own expiry, the status that is the source of truth, the
//! `expire` call that closes an attempt early, and the notification whose signature is checked on
//! the received strings. Midtrans reports outcomes in the body's `status_code`, whatever the HTTP
//! status says (§0), so every answer is read as JSON first and judged by its body ([`api`]).

mod api;
mod notification;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::http::{HeaderMap, StatusCode};
use madd_domain::{PaymentCost, RailId, RailStatus, Rupiah};
use serde_json::{Map, Value};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};
use url::Url;

use super::gateway::{
    CreatedPayment, Gateway, GatewayError, NewPayment, PaymentEvent, WebhookError,
};
use crate::clock::{Clock, SystemClock, WIB};
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct MidtransConfig {
    /// The API base: `https://api.sandbox.midtrans.com`, `https://api.midtrans.com`, or the
    /// simulator's `http://127.0.0.1:PORT/sandbox/midtrans`.
    pub api_url: Url,
    /// Authenticates every call and signs notifications.
    pub server_key: Secret,
    /// `gopay` or `airpay shopee`.
    pub acquirer: String,
    pub cost: PaymentCost,
    /// How long a charge may take before its outcome counts as unknown.
    pub create_timeout: Duration,
}

pub struct Midtrans {
    config: MidtransConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl Midtrans {
    /// `http` carries the general timeouts; the charge has its own (`create_timeout`).
    pub fn new(config: MidtransConfig, http: reqwest::Client) -> Self {
        Midtrans {
            config,
            http,
            clock: Arc::new(SystemClock),
        }
    }

    /// The clock that dates a charge's `custom_expiry` (tests move it by hand).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &MidtransConfig {
        &self.config
    }
}

#[async_trait]
impl Gateway for Midtrans {
    fn rail(&self) -> RailId {
        RailId::Midtrans
    }

    fn cost(&self) -> PaymentCost {
        self.config.cost
    }

    async fn create(&self, new: &NewPayment) -> Result<CreatedPayment, GatewayError> {
        self.charge(new).await
    }

    async fn status(
        &self,
        reference: Option<&str>,
        merchant_ref: &str,
    ) -> Result<PaymentEvent, GatewayError> {
        self.query(reference, merchant_ref).await
    }

    async fn close(&self, reference: &str) -> Result<Option<PaymentEvent>, GatewayError> {
        self.expire(reference).await.map(Some)
    }

    fn verify(&self, _headers: &HeaderMap, body: &[u8]) -> Result<PaymentEvent, WebhookError> {
        notification::verify(body, &self.config.server_key)
    }

    /// `transaction_status` is outside the signature: only the status API is believed.
    fn confirms_by_status(&self) -> bool {
        true
    }

    fn acknowledgement(&self) -> (StatusCode, &'static str) {
        (StatusCode::OK, r#"{"status":"ok"}"#)
    }

    fn refusal(&self) -> (StatusCode, &'static str) {
        (
            StatusCode::UNAUTHORIZED,
            r#"{"status":"invalid signature"}"#,
        )
    }

    async fn check(&self) -> Result<String, GatewayError> {
        self.probe().await
    }
}

/// What a `transaction_status` (any case) and `fraud_status` mean to the store (§3.4, §6).
pub(crate) fn rail_status(transaction_status: &str, fraud_status: Option<&str>) -> RailStatus {
    match transaction_status.trim().to_ascii_lowercase().as_str() {
        "settlement" | "capture" => match fraud_status.map(str::to_ascii_lowercase).as_deref() {
            None | Some("accept") => RailStatus::Paid,
            // Held for the acquirer's fraud review: not paid yet, not over either.
            Some("challenge") => RailStatus::Pending,
            Some(_) => RailStatus::Failed,
        },
        "pending" | "authorize" => RailStatus::Pending,
        "expire" | "cancel" | "deny" => RailStatus::Expired,
        "failure" => RailStatus::Failed,
        "refund" | "partial_refund" | "chargeback" | "partial_chargeback" => RailStatus::Refunded,
        _ => RailStatus::Unknown,
    }
}

/// `"20000.00"` or `"20000"` → 20 000. Anything else (`"20000.50"`, `"2e4"`, `"-1"`) is refused:
/// rupiah has no minor unit, and a fraction means the amount is not the one the store asked for.
pub(crate) fn parse_gross(text: &str) -> Option<Rupiah> {
    let whole = text.strip_suffix(".00").unwrap_or(text);
    if whole.is_empty() || whole.len() > 15 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok().map(Rupiah::new)
}

/// A zone-less Midtrans time (`2026-01-01 10:05:00`, Jakarta) as Unix milliseconds.
pub(crate) fn wib_millis(text: &str) -> Option<i64> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let at = PrimitiveDateTime::parse(text.trim(), format)
        .ok()?
        .assume_offset(WIB);
    Some(unix_millis(at))
}

fn unix_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A field as text: a string as is, an integer written out (lenient about numbers-as-strings).
fn text_field(body: &Map<String, Value>, name: &str) -> Option<String> {
    match body.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// A payment event from a status answer or a notification body.
fn event_from(body: &Map<String, Value>, raw: String) -> Result<PaymentEvent, String> {
    let reference = text_field(body, "transaction_id")
        .filter(|r| !r.is_empty())
        .ok_or("transaction_id is missing")?;
    let transaction_status =
        text_field(body, "transaction_status").ok_or("transaction_status is missing")?;
    let gross_text = text_field(body, "gross_amount").ok_or("gross_amount is missing")?;
    let gross = parse_gross(&gross_text)
        .ok_or_else(|| format!("gross_amount {gross_text:?} is not whole rupiah"))?;
    let fraud = text_field(body, "fraud_status");
    Ok(PaymentEvent {
        rail: RailId::Midtrans,
        reference,
        merchant_ref: text_field(body, "order_id"),
        status: rail_status(&transaction_status, fraud.as_deref()),
        gross,
        fee: None,
        paid_at_ms: text_field(body, "settlement_time").and_then(|t| wib_millis(&t)),
        raw,
    })
}

#[cfg(test)]
mod sim_tests;
#[cfg(test)]
mod tests;
