//! VIP Reseller (VIPayment) client: the production [`Supplier`], also used against the sandbox.
//!
//! Protocol (see `shared/specs/vip-reseller.md`): every call is a form-encoded `POST` to
//! `{base}/profile`, `{base}/game-feature`, `{base}/prepaid` or `{base}/postpaid`, carrying `key`
//! and `sign = md5(api_id + api_key)`; every answer is `{"result", "data", "message"}` with HTTP 200
//! even for errors.
//!
//! Error mapping:
//! - `result: false` → [`SupplierError::Rejected`] with VIP's message (nothing was bought);
//! - no usable answer (transport error, timeout, non-2xx status, malformed JSON or data) →
//!   [`SupplierError::Unavailable`]. The detail names the call and the cause, never the key or the
//!   sign (both are scrubbed from every detail and message as a last line of defence).
//!
//! Decisions the spec leaves open:
//! - **Timeout**: every call has its own deadline, [`DEFAULT_TIMEOUT`] (20 s) unless changed with
//!   [`VipReseller::with_timeout`]; a timeout of the shared `reqwest::Client` applies as well.
//! - **Postpaid catalogue**: VIP has no postpaid service list, so [`Supplier::services`] adds the
//!   one postpaid product the store sells, [`PLN_POSTPAID_CODE`] (`PLNPASCA`, brand `PLN`, name
//!   `PLN Pascabayar`, cost 0: the real amount comes from [`Supplier::postpaid_inquiry`]).
//! - **Nickname**: VIP answers an unknown account with `result: false`, which is an answer
//!   ([`Nickname::NotFound`]), except for messages that are clearly about the request rather than
//!   the account (API key, signature, IP whitelist, maintenance, missing parameter, unknown
//!   service): those are [`SupplierError::Rejected`] so a configuration problem is not shown to a
//!   customer as "account not found".
//! - **Status**: an empty array, or `result: false` whose message says "tidak ditemukan"/"not
//!   found", is `Ok(None)`; an array without the asked-for `trxid` is also `Ok(None)` (a clone that
//!   ignores `trxid` must never make another order look like ours). Any other `result: false` is
//!   `Rejected`.
//! - **Numbers** (prices, balance) are accepted as JSON integers or numeric strings (`"3310"`, also
//!   `"3310.00"`); a string such as `"1.000"` is refused because it may be a thousands separator.
//! - **Service lists**: one malformed item is skipped with a warning instead of failing the whole
//!   catalogue.
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use madd_domain::{Rupiah, ServiceKind, SupplierStatus};
use md5::{Digest, Md5};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::{
    Nickname, PlaceOrder, PostpaidBill, Supplier, SupplierError, SupplierOrder, SupplierProfile,
    SupplierService,
};
use crate::secret::Secret;

mod callback;
mod values;

pub use callback::{parse_callback, signature, CallbackError};
use values::*;

/// The deadline of one call unless [`VipReseller::with_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// VIP's postpaid PLN product, the only postpaid service the store lists.
pub const PLN_POSTPAID_CODE: &str = "PLNPASCA";

/// Which of VIP's three price columns the account pays (the account's `level`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PriceTier {
    Basic,
    Premium,
    Special,
}

impl PriceTier {
    pub fn as_str(self) -> &'static str {
        match self {
            PriceTier::Basic => "basic",
            PriceTier::Premium => "premium",
            PriceTier::Special => "special",
        }
    }
}

impl fmt::Display for PriceTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown price tier '{0}' (expected basic, premium or special)")]
pub struct UnknownTier(pub String);

impl FromStr for PriceTier {
    type Err = UnknownTier;
    fn from_str(s: &str) -> Result<Self, UnknownTier> {
        match s.trim().to_ascii_lowercase().as_str() {
            "basic" => Ok(PriceTier::Basic),
            "premium" => Ok(PriceTier::Premium),
            "special" => Ok(PriceTier::Special),
            _ => Err(UnknownTier(s.to_string())),
        }
    }
}

#[derive(Clone, Debug)]
pub struct VipConfig {
    /// `https://vip-reseller.co.id/api/`, with or without the trailing slash.
    pub base_url: url::Url,
    pub api_id: String,
    pub api_key: Secret,
    pub tier: PriceTier,
}

/// The VIP Reseller client. Cheap to clone (the `reqwest::Client` is shared).
#[derive(Clone, Debug)]
pub struct VipReseller {
    base: url::Url,
    api_id: String,
    api_key: Secret,
    sign: Secret,
    tier: PriceTier,
    http: reqwest::Client,
    timeout: Duration,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Endpoint {
    Profile,
    GameFeature,
    Prepaid,
    Postpaid,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Profile => "profile",
            Endpoint::GameFeature => "game-feature",
            Endpoint::Prepaid => "prepaid",
            Endpoint::Postpaid => "postpaid",
        }
    }

    fn for_kind(kind: ServiceKind) -> Endpoint {
        match kind {
            ServiceKind::Game => Endpoint::GameFeature,
            ServiceKind::Prepaid => Endpoint::Prepaid,
            ServiceKind::Postpaid => Endpoint::Postpaid,
        }
    }
}

/// VIP's answer envelope. `data` stays untyped until the call knows what it asked for.
#[derive(Deserialize)]
struct Envelope {
    result: bool,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    message: Option<String>,
}

impl Envelope {
    fn message(&self) -> String {
        self.message.clone().unwrap_or_default()
    }
}

impl VipReseller {
    pub fn new(config: VipConfig, http: reqwest::Client) -> Self {
        let mut base = config.base_url;
        // `Url::join` replaces the last segment unless the path ends with a slash.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let sign = Secret::new(signature(&config.api_id, &config.api_key));
        VipReseller {
            base,
            api_id: config.api_id,
            api_key: config.api_key,
            sign,
            tier: config.tier,
            http,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Changes the per-call deadline (tests use a few milliseconds).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn tier(&self) -> PriceTier {
        self.tier
    }

    pub fn api_id(&self) -> &str {
        &self.api_id
    }

    /// Removes the key and the sign from text that may reach a log or a page.
    fn scrub(&self, text: String) -> String {
        let mut text = text;
        for secret in [self.api_key.expose(), self.sign.expose()] {
            if !secret.is_empty() && text.contains(secret) {
                text = text.replace(secret, "[redacted]");
            }
        }
        text
    }

    fn unavailable(&self, what: &str, detail: impl fmt::Display) -> SupplierError {
        SupplierError::Unavailable {
            detail: self.scrub(format!("{what}: {detail}")),
        }
    }

    fn rejected(&self, envelope: &Envelope) -> SupplierError {
        let message = envelope.message();
        SupplierError::Rejected {
            message: self.scrub(if message.trim().is_empty() {
                "VIP Reseller refused the request without a message".to_string()
            } else {
                message
            }),
        }
    }

    /// One call: `POST {base}/{endpoint}` with `key`, `sign` and `params`, answered by an envelope
    /// whatever its `result`.
    async fn call(
        &self,
        endpoint: Endpoint,
        params: &[(&str, &str)],
    ) -> Result<Envelope, SupplierError> {
        let call_type = params
            .iter()
            .find(|(k, _)| *k == "type")
            .map_or("", |(_, v)| *v);
        let what = if call_type.is_empty() {
            format!("VIP {}", endpoint.path())
        } else {
            format!("VIP {} {call_type}", endpoint.path())
        };
        let url = self
            .base
            .join(endpoint.path())
            .map_err(|e| self.unavailable(&what, format_args!("bad URL: {e}")))?;
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
        form.push(("key", self.api_key.expose()));
        form.push(("sign", self.sign.expose()));
        form.extend_from_slice(params);

        let response = self
            .http
            .post(url)
            .timeout(self.timeout)
            .form(&form)
            .send()
            .await
            .map_err(|e| self.transport_error(&what, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.unavailable(&what, format_args!("HTTP {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&what, e))?;
        serde_json::from_slice::<Envelope>(&body)
            .map_err(|e| self.unavailable(&what, format_args!("malformed answer ({e})")))
    }

    fn transport_error(&self, what: &str, error: reqwest::Error) -> SupplierError {
        // The URL carries no secret (they travel in the body) but `what` already names the call.
        let error = error.without_url();
        if error.is_timeout() {
            return self.unavailable(what, format_args!("timed out after {:?}", self.timeout));
        }
        let mut detail = error.to_string();
        // reqwest's Display stops at the outermost error; the cause (refused, DNS, TLS) is in
        // the chain.
        let mut cause: Option<&(dyn std::error::Error + 'static)> =
            std::error::Error::source(&error);
        while let Some(c) = cause {
            detail.push_str(": ");
            detail.push_str(&c.to_string());
            cause = c.source();
        }
        self.unavailable(what, detail)
    }

    /// A call whose `result: false` is a rejection; returns `data`.
    async fn call_data(
        &self,
        endpoint: Endpoint,
        params: &[(&str, &str)],
    ) -> Result<Value, SupplierError> {
        let envelope = self.call(endpoint, params).await?;
        if envelope.result {
            Ok(envelope.data)
        } else {
            Err(self.rejected(&envelope))
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        data: Value,
    ) -> Result<T, SupplierError> {
        serde_json::from_value(data)
            .map_err(|e| self.unavailable(what, format_args!("unexpected data ({e})")))
    }

    async fn game_services(&self) -> Result<Vec<SupplierService>, SupplierError> {
        let data = self
            .call_data(Endpoint::GameFeature, &[("type", "services")])
            .await?;
        let items: Vec<Value> = self.decode("VIP game-feature services", data)?;
        Ok(items
            .into_iter()
            .filter_map(
                |item| match serde_json::from_value::<GameServiceRaw>(item) {
                    Ok(raw) => Some(raw.into_service(self.tier)),
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping a malformed VIP game service");
                        None
                    }
                },
            )
            .collect())
    }

    async fn prepaid_services(&self) -> Result<Vec<SupplierService>, SupplierError> {
        let data = self
            .call_data(Endpoint::Prepaid, &[("type", "services")])
            .await?;
        let items: Vec<Value> = self.decode("VIP prepaid services", data)?;
        Ok(items
            .into_iter()
            .filter_map(
                |item| match serde_json::from_value::<PrepaidServiceRaw>(item) {
                    Ok(raw) => Some(raw.into_service(self.tier)),
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping a malformed VIP prepaid service");
                        None
                    }
                },
            )
            .collect())
    }

    /// `type=status` answers: `Ok(None)`-style "not found" is an empty list.
    async fn status_list(
        &self,
        kind: ServiceKind,
        params: &[(&str, &str)],
    ) -> Result<Vec<SupplierOrder>, SupplierError> {
        let endpoint = Endpoint::for_kind(kind);
        let what = format!("VIP {} status", endpoint.path());
        let envelope = self.call(endpoint, params).await?;
        if !envelope.result {
            return if is_not_found(&envelope.message()) {
                Ok(Vec::new())
            } else {
                Err(self.rejected(&envelope))
            };
        }
        let items = match envelope.data {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            // The spec says always an array; a lone object is read rather than refused.
            object @ Value::Object(_) => vec![object],
            other => {
                return Err(self.unavailable(
                    &what,
                    format_args!(
                        "unexpected data (expected an array, got {})",
                        kind_of(&other)
                    ),
                ))
            }
        };
        items
            .iter()
            .map(|item| {
                order_from_value(item, None)
                    .map_err(|e| self.unavailable(&what, format_args!("unexpected data ({e})")))
            })
            .collect()
    }
}

#[async_trait]
impl Supplier for VipReseller {
    fn id(&self) -> madd_domain::SupplierId {
        madd_domain::SupplierId::VipReseller
    }

    async fn profile(&self) -> Result<SupplierProfile, SupplierError> {
        let data = self.call_data(Endpoint::Profile, &[]).await?;
        let raw: ProfileRaw = self.decode("VIP profile", data)?;
        Ok(SupplierProfile {
            username: raw.username,
            balance: Rupiah::new(raw.balance.0),
            level: raw.level,
        })
    }

    async fn services(&self) -> Result<Vec<SupplierService>, SupplierError> {
        let (mut games, prepaid) = tokio::try_join!(self.game_services(), self.prepaid_services())?;
        games.extend(prepaid);
        games.push(SupplierService {
            code: PLN_POSTPAID_CODE.to_string(),
            brand: "PLN".to_string(),
            name: "PLN Pascabayar".to_string(),
            kind: ServiceKind::Postpaid,
            prepaid_type: None,
            cost: Rupiah::ZERO,
            available: true,
            note: Some("Tagihan dan biaya admin dari cek tagihan (inq-pasca)".to_string()),
        });
        Ok(games)
    }

    async fn nickname(
        &self,
        game_code: &str,
        target: &str,
        zone: Option<&str>,
    ) -> Result<Nickname, SupplierError> {
        let mut params = vec![
            ("type", "get-nickname"),
            ("code", game_code),
            ("target", target),
        ];
        if let Some(zone) = zone.filter(|z| !z.trim().is_empty()) {
            params.push(("additional_target", zone));
        }
        let envelope = self.call(Endpoint::GameFeature, &params).await?;
        if !envelope.result {
            let message = envelope.message();
            return if is_request_problem(&message) {
                Err(self.rejected(&envelope))
            } else {
                Ok(Nickname::NotFound {
                    message: self.scrub(message),
                })
            };
        }
        match envelope.data {
            Value::String(name) if !name.trim().is_empty() => {
                Ok(Nickname::Found(name.trim().to_string()))
            }
            other => Err(self.unavailable(
                "VIP game-feature get-nickname",
                format_args!("unexpected data (expected a name, got {})", kind_of(&other)),
            )),
        }
    }

    async fn place_order(&self, order: &PlaceOrder) -> Result<SupplierOrder, SupplierError> {
        let endpoint = Endpoint::for_kind(order.kind);
        let zone = order
            .zone
            .as_deref()
            .filter(|z| order.kind == ServiceKind::Game && !z.trim().is_empty());
        let order_type = if order.kind == ServiceKind::Postpaid {
            "pay-pasca"
        } else {
            "order"
        };
        let mut params = vec![
            ("type", order_type),
            ("service", order.service.as_str()),
            ("data_no", order.target.as_str()),
        ];
        if let Some(zone) = zone {
            params.push(("data_zone", zone));
        }
        let what = format!("VIP {} {order_type}", endpoint.path());
        let data = self.call_data(endpoint, &params).await?;
        let item = match &data {
            // Accept a one-element array as the callback does.
            Value::Array(items) if items.len() == 1 => &items[0],
            other => other,
        };
        let fallback = Fallback {
            target: &order.target,
            zone,
            service: &order.service,
        };
        order_from_value(item, Some(fallback))
            .map_err(|e| self.unavailable(&what, format_args!("unexpected data ({e})")))
    }

    async fn order_status(
        &self,
        kind: ServiceKind,
        trxid: &str,
    ) -> Result<Option<SupplierOrder>, SupplierError> {
        let orders = self
            .status_list(kind, &[("type", "status"), ("trxid", trxid)])
            .await?;
        Ok(orders.into_iter().find(|o| o.trxid == trxid))
    }

    async fn recent_orders(
        &self,
        kind: ServiceKind,
        limit: u32,
    ) -> Result<Vec<SupplierOrder>, SupplierError> {
        let limit = limit.to_string();
        self.status_list(kind, &[("type", "status"), ("limit", &limit)])
            .await
    }

    async fn postpaid_inquiry(
        &self,
        service: &str,
        customer_no: &str,
    ) -> Result<PostpaidBill, SupplierError> {
        let data = self
            .call_data(
                Endpoint::Postpaid,
                &[
                    ("type", "inq-pasca"),
                    ("service", service),
                    ("data_no", customer_no),
                ],
            )
            .await?;
        let raw: InquiryRaw = self.decode("VIP postpaid inq-pasca", data)?;
        let customer_no = raw
            .data
            .no
            .as_ref()
            .and_then(text_of)
            .unwrap_or_else(|| customer_no.to_string());
        Ok(PostpaidBill {
            customer_no,
            customer_name: raw.data.name.unwrap_or_default().trim().to_string(),
            bill: Rupiah::new(raw.price.bill.0),
            admin: Rupiah::new(raw.price.admin.0),
            total: Rupiah::new(raw.price.total.0),
        })
    }
}

#[cfg(test)]
mod tests;
