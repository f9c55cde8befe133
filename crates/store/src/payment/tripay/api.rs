//! The calls: create, detail, the merchant's transaction list and the channel list, each judged
//! by the body's `success` whatever the HTTP status (§0, §8).

use madd_domain::{PhoneNumber, RailId, RailStatus, Rupiah};
use reqwest::header::ACCEPT;
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use url::Url;

use super::values::{self, clip, Object};
use super::{create_signature, Tripay};
use crate::payment::gateway::{CreatedPayment, GatewayError, NewPayment, PaymentEvent};

/// Listing page size when looking a payment up by merchant reference: a reference is never
/// reused, so one page holds every match.
const LOOKUP_PAGE: &str = "50";

/// A JSON answer whose `success` was `true`.
struct Answer {
    envelope: Object,
    /// The body as received.
    raw: String,
}

impl Answer {
    fn data(&self) -> Option<&Value> {
        self.envelope.get("data")
    }
}

/// `base` + `/a/b`, whether or not `base` ends with a slash.
fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// Tripay's message with what to do about the refusals a seller can fix.
fn explain(message: &str) -> String {
    let hint = if message.contains("Unauthorized IP") {
        " — add this server's public IP address to the merchant's IP whitelist in Tripay's dashboard"
    } else if message.contains("Invalid API Key") {
        " — check the API key, and that a sandbox key (DEV-…) goes with the /api-sandbox URL"
    } else if message.contains("Credential Mismatch") {
        " — the keys and the URL belong to different modes (sandbox and production)"
    } else if message.contains("Invalid signature") {
        " — check the merchant code and the private key"
    } else {
        ""
    };
    format!("{}{hint}", clip(message))
}

fn transport(what: &str, e: reqwest::Error) -> GatewayError {
    let reason = if e.is_timeout() {
        "no answer in time".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        e.without_url().to_string()
    };
    GatewayError::Unknown(format!("Tripay {what}: {reason}"))
}

impl Tripay {
    fn url(&self, segments: &[&str]) -> Url {
        join(&self.config.api_url, segments)
    }

    /// Sends `request` with the key; `Ok` only for a JSON object with `success: true`.
    async fn call(&self, request: RequestBuilder, what: &str) -> Result<Answer, GatewayError> {
        let response = request
            .bearer_auth(self.config.api_key.expose())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport(what, e))?;
        let http = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| transport(what, e))?;
        let Ok(Value::Object(envelope)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(GatewayError::Unknown(format!(
                "Tripay {what}: HTTP {http}, the answer is not a JSON object"
            )));
        };
        let message = values::text(&envelope, "message").unwrap_or_default();
        match envelope.get("success") {
            Some(Value::Bool(true)) => Ok(Answer {
                envelope,
                raw: String::from_utf8_lossy(&bytes).into_owned(),
            }),
            Some(Value::Bool(false)) => Err(GatewayError::Refused(format!(
                "Tripay {what}: {}",
                explain(&message)
            ))),
            // Laravel's `{"message":"Server Error"}` and the like: nothing says what happened.
            _ => Err(GatewayError::Unknown(format!(
                "Tripay {what}: HTTP {http} without success: {}",
                clip(&message)
            ))),
        }
    }

    /// The create request of §4.1, one item line whose price is the amount.
    fn create_body(&self, new: &NewPayment) -> Value {
        let config = &self.config;
        let amount = new.amount.amount();
        let mut body = json!({
            "method": config.method,
            "merchant_ref": new.merchant_ref,
            "amount": amount,
            "customer_name": new.customer_name,
            "customer_email": config.customer_email,
            "order_items": [{
                "sku": new.item_code,
                "name": new.item_name,
                "price": amount,
                "quantity": 1,
            }],
            "callback_url": new.notify_url,
            "return_url": new.return_url,
            "expired_time": new.expires_at_ms.div_euclid(1_000),
            "signature": create_signature(
                config.private_key.expose(),
                &config.merchant_code,
                &new.merchant_ref,
                amount,
            ),
        });
        // Tripay's form wants the local form; a number it cannot read is left out (QRIS needs none).
        let phone = new
            .customer_phone
            .as_deref()
            .and_then(|p| PhoneNumber::parse(p).ok());
        if let (Some(phone), Value::Object(map)) = (phone, &mut body) {
            map.insert("customer_phone".into(), Value::String(phone.local()));
        }
        body
    }

    pub(super) async fn create_transaction(
        &self,
        new: &NewPayment,
    ) -> Result<CreatedPayment, GatewayError> {
        let request = self
            .http
            .post(self.url(&["transaction", "create"]))
            .timeout(self.config.create_timeout)
            .json(&self.create_body(new));
        let answer = self.call(request, "create").await?;
        let data = answer.data().unwrap_or(&Value::Null);
        // `success: true` without a readable transaction: it may well exist.
        values::created(data, &new.merchant_ref)
            .map_err(|reason| GatewayError::Unknown(format!("Tripay create: {reason}")))
    }

    /// `transaction/detail`, the source of truth for a payment whose reference the store has.
    pub(super) async fn detail(
        &self,
        reference: &str,
        merchant_ref: &str,
    ) -> Result<PaymentEvent, GatewayError> {
        let request = self
            .http
            .get(self.url(&["transaction", "detail"]))
            .query(&[("reference", reference)]);
        let answer = match self.call(request, "detail").await {
            Ok(answer) => answer,
            Err(GatewayError::Refused(message)) if says_not_found(&message) => {
                return Ok(unknown(Some(reference), merchant_ref, message));
            }
            Err(e) => return Err(e),
        };
        let Some(Value::Object(data)) = answer.data() else {
            return Err(GatewayError::Unknown(
                "Tripay detail: data is not an object".into(),
            ));
        };
        values::event(data, &["amount", "total_amount"], answer.raw.clone())
            .map_err(|reason| GatewayError::Unknown(format!("Tripay detail: {reason}")))
    }

    /// The merchant's list filtered by `merchant_ref`: the payment whose create answer was lost.
    pub(super) async fn find(&self, merchant_ref: &str) -> Result<PaymentEvent, GatewayError> {
        let request = self
            .http
            .get(self.url(&["merchant", "transactions"]))
            .query(&[
                ("merchant_ref", merchant_ref),
                ("sort", "desc"),
                ("per_page", LOOKUP_PAGE),
            ]);
        let answer = self.call(request, "transactions").await?;
        let Some(Value::Array(items)) = answer.data() else {
            return Err(GatewayError::Unknown(
                "Tripay transactions: data is not a list".into(),
            ));
        };
        // The filter may match loosely; only our exact reference counts.
        let found = items
            .iter()
            .filter_map(Value::as_object)
            .find(|item| values::text(item, "merchant_ref").as_deref() == Some(merchant_ref));
        let Some(item) = found else {
            return Ok(unknown(None, merchant_ref, answer.raw));
        };
        let raw = Value::Object(item.clone()).to_string();
        values::event(item, &["amount", "total_amount"], raw)
            .map_err(|reason| GatewayError::Unknown(format!("Tripay transactions: {reason}")))
    }

    /// The channel list: the configured method must be there, active, its fee on the merchant.
    pub(super) async fn probe(&self) -> Result<String, GatewayError> {
        let request = self.http.get(self.url(&["merchant", "payment-channel"]));
        let answer = self.call(request, "check").await?;
        let Some(Value::Array(channels)) = answer.data() else {
            return Err(GatewayError::Unknown(
                "Tripay check: data is not a list".into(),
            ));
        };
        let method = &self.config.method;
        let refused =
            |reason: String| Err(GatewayError::Refused(format!("Tripay check: {reason}")));
        let Some(channel) = channels
            .iter()
            .filter_map(Value::as_object)
            .find(|c| values::text(c, "code").as_deref() == Some(method.as_str()))
        else {
            let listed: Vec<String> = channels
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|c| values::text(c, "code"))
                .collect();
            return refused(format!(
                "channel {method} is not enabled for this merchant (enabled: {}); switch it on \
                 in Tripay's channel settings",
                clip(&listed.join(", "))
            ));
        };
        if !values::truthy(channel.get("active")) {
            return refused(format!(
                "channel {method} is inactive; switch it on in Tripay's channel settings"
            ));
        }
        let fee_customer = channel.get("fee_customer");
        let on_buyer = match fee_customer {
            Some(Value::Object(fee)) => {
                !values::is_zero(fee.get("flat")) || !values::is_zero(fee.get("percent"))
            }
            other => !values::is_zero(other),
        };
        if on_buyer {
            return refused(format!(
                "channel {method} bills its fee to the buyer ({}); Bank Indonesia forbids \
                 surcharges on QRIS: put the fee on the merchant side in Tripay's channel settings",
                clip(&fee_customer.map(Value::to_string).unwrap_or_default())
            ));
        }
        Ok("Tripay menjawab; kanal QRIS aktif, biaya di pihak penjual".into())
    }
}

/// Tripay's "no such transaction" (the simulator's text and the plausible Indonesian one).
fn says_not_found(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not found") || lower.contains("tidak ditemukan")
}

fn unknown(reference: Option<&str>, merchant_ref: &str, raw: String) -> PaymentEvent {
    PaymentEvent {
        rail: RailId::Tripay,
        reference: reference.unwrap_or_default().to_string(),
        merchant_ref: Some(merchant_ref.to_string()),
        status: RailStatus::Unknown,
        gross: Rupiah::ZERO,
        fee: None,
        paid_at_ms: None,
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_with_or_without_a_slash() {
        for base in [
            "http://127.0.0.1:8080/sandbox/tripay/api-sandbox",
            "http://127.0.0.1:8080/sandbox/tripay/api-sandbox/",
        ] {
            let url = join(&Url::parse(base).unwrap(), &["transaction", "create"]);
            assert_eq!(
                url.as_str(),
                "http://127.0.0.1:8080/sandbox/tripay/api-sandbox/transaction/create"
            );
        }
    }

    #[test]
    fn refusals_say_what_to_fix() {
        let ip = explain("Unauthorized IP (203.0.113.7). Please add this IP to your merchant Whitelist IP (T12345)");
        assert!(ip.contains("IP whitelist"), "{ip}");
        assert!(explain("Invalid API Key").contains("API key"));
        assert_eq!(explain("Saldo kurang"), "Saldo kurang");
        assert!(
            says_not_found("Transaction not found") && says_not_found("Transaksi tidak ditemukan")
        );
    }
}
