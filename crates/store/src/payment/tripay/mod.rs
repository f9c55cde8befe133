//! Tripay closed-payment QRIS per order attempt (`shared/specs/tripay.md`): the create call with
//! the exact amount, our merchant reference and the store's deadline; detail (or the merchant's
//! list, when the create answer was lost) as the status; the callback, signed over its raw bytes.
//! Tripay has no cancel for closed payments: an attempt lapses at its own `expired_time`.
//!
//! Tripay answers in the body's `success`, whatever the HTTP status (§0), so every answer is read
//! as JSON first ([`api`]): `success: false` in a JSON body is a clear refusal; anything that is
//! not such a body — a timeout, an HTML error page, a JSON body without `success` — leaves the
//! outcome unknown, and the store looks the payment up by its merchant reference before trying
//! again (§10 rule 2).

mod api;
mod callback;
mod values;

#[cfg(test)]
mod sim_tests;
#[cfg(test)]
mod tests;

use std::time::Duration;

use async_trait::async_trait;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use madd_domain::{PaymentCost, RailId, RailStatus};
use sha2::Sha256;
use url::Url;

use super::gateway::{
    CreatedPayment, Gateway, GatewayError, NewPayment, PaymentEvent, WebhookError,
};
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct TripayConfig {
    /// The API base including `/api` or `/api-sandbox`: `https://tripay.co.id/api-sandbox`, or
    /// the simulator's `http://127.0.0.1:PORT/sandbox/tripay/api-sandbox`.
    pub api_url: Url,
    /// Sent as `Authorization: Bearer …` (sandbox keys start `DEV-`).
    pub api_key: Secret,
    /// Signs creates and callbacks.
    pub private_key: Secret,
    /// `T` + digits; part of every create signature.
    pub merchant_code: String,
    /// The channel code sent as `method` (`QRIS`, `QRIS2`, `QRISC`).
    pub method: String,
    /// Tripay requires an e-mail and the store's buyers have only WhatsApp: the store's own.
    pub customer_email: String,
    pub cost: PaymentCost,
    /// How long a create may take before its outcome counts as unknown.
    pub create_timeout: Duration,
}

pub struct Tripay {
    config: TripayConfig,
    http: reqwest::Client,
}

impl Tripay {
    /// `http` carries the general timeouts; the create has its own (`create_timeout`).
    ///
    /// # Panics
    /// If the API URL cannot have a path (`mailto:`): a configuration error, to be refused when
    /// the configuration is loaded.
    pub fn new(config: TripayConfig, http: reqwest::Client) -> Self {
        assert!(
            !config.api_url.cannot_be_a_base(),
            "the Tripay API URL must be an http(s) URL"
        );
        Tripay { config, http }
    }

    pub fn config(&self) -> &TripayConfig {
        &self.config
    }
}

/// `lowercase_hex(HMAC-SHA256(private_key, merchant_code + merchant_ref + amount))`, the amount
/// as plain digits (§2.1).
pub fn create_signature(
    private_key: &str,
    merchant_code: &str,
    merchant_ref: &str,
    amount: i64,
) -> String {
    hmac_hex(
        private_key,
        format!("{merchant_code}{merchant_ref}{amount}").as_bytes(),
    )
}

/// `lowercase_hex(HMAC-SHA256(private_key, raw body bytes))`, a callback's signature (§2.2).
pub fn callback_signature(private_key: &str, body: &[u8]) -> String {
    hmac_hex(private_key, body)
}

fn hmac_hex(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// What Tripay's status words mean to the store (§5.4, §7); `None` for a word it does not use.
pub(crate) fn rail_status(status: &str) -> Option<RailStatus> {
    Some(match status.trim().to_ascii_uppercase().as_str() {
        "UNPAID" => RailStatus::Pending,
        "PAID" => RailStatus::Paid,
        "EXPIRED" => RailStatus::Expired,
        "FAILED" => RailStatus::Failed,
        "REFUND" => RailStatus::Refunded,
        _ => return None,
    })
}

#[async_trait]
impl Gateway for Tripay {
    fn rail(&self) -> RailId {
        RailId::Tripay
    }

    fn cost(&self) -> PaymentCost {
        self.config.cost
    }

    async fn create(&self, new: &NewPayment) -> Result<CreatedPayment, GatewayError> {
        self.create_transaction(new).await
    }

    async fn status(
        &self,
        reference: Option<&str>,
        merchant_ref: &str,
    ) -> Result<PaymentEvent, GatewayError> {
        match reference {
            Some(reference) => self.detail(reference, merchant_ref).await,
            None => self.find(merchant_ref).await,
        }
    }

    /// Closed payments cannot be cancelled: the QR stays payable until its `expired_time`.
    async fn close(&self, _reference: &str) -> Result<Option<PaymentEvent>, GatewayError> {
        Ok(None)
    }

    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<PaymentEvent, WebhookError> {
        callback::verify(&self.config.private_key, headers, body)
    }

    /// The signature covers the whole body, status and amount included.
    fn confirms_by_status(&self) -> bool {
        false
    }

    /// Anything but HTTP 200 with `{"success":true}` makes Tripay send it again (§6.3).
    fn acknowledgement(&self) -> (StatusCode, &'static str) {
        (StatusCode::OK, r#"{"success":true}"#)
    }

    fn refusal(&self) -> (StatusCode, &'static str) {
        (
            StatusCode::UNAUTHORIZED,
            r#"{"success":false,"message":"Invalid signature"}"#,
        )
    }

    async fn check(&self) -> Result<String, GatewayError> {
        self.probe().await
    }
}
