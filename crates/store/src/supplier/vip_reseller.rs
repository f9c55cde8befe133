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

/// `md5(api_id + api_key)` in lowercase hex: the `sign` of every request and the
/// `X-Client-Signature` of every callback.
pub fn signature(api_id: &str, api_key: &Secret) -> String {
    let mut hasher = Md5::new();
    hasher.update(api_id.as_bytes());
    hasher.update(api_key.expose().as_bytes());
    hex::encode(hasher.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("callback without the X-Client-Signature header")]
    MissingSignature,
    #[error("callback signature does not match")]
    BadSignature,
    #[error("malformed callback body: {0}")]
    Malformed(String),
}

impl CallbackError {
    /// Whether the sender failed to prove it is VIP (answer 401/403 rather than 400).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            CallbackError::MissingSignature | CallbackError::BadSignature
        )
    }
}

/// Checks and reads a VIP callback: `X-Client-Signature` must equal [`signature`] (compared in
/// constant time, hex case ignored), the body is `{"data": {…}}` or `{"data": [{…}]}`.
pub fn parse_callback(
    signature_header: Option<&str>,
    body: &[u8],
    api_id: &str,
    api_key: &Secret,
) -> Result<SupplierOrder, CallbackError> {
    let presented = signature_header
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(CallbackError::MissingSignature)?
        .to_ascii_lowercase();
    if api_key.is_empty() {
        // A store without a key configured must not accept md5(api_id) as proof.
        return Err(CallbackError::BadSignature);
    }
    let expected = signature(api_id, api_key);
    if !bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) {
        return Err(CallbackError::BadSignature);
    }

    let value: Value = serde_json::from_slice(body)
        .map_err(|e| CallbackError::Malformed(format!("not JSON ({e})")))?;
    let data = value
        .get("data")
        .ok_or_else(|| CallbackError::Malformed("no `data` field".to_string()))?;
    let item = match data {
        Value::Object(_) => data,
        Value::Array(items) if items.len() == 1 => &items[0],
        Value::Array(items) => {
            return Err(CallbackError::Malformed(format!(
                "`data` is an array of {} items, expected one",
                items.len()
            )))
        }
        other => {
            return Err(CallbackError::Malformed(format!(
                "`data` is {}, expected an object",
                kind_of(other)
            )))
        }
    };
    order_from_value(item, None).map_err(CallbackError::Malformed)
}

#[async_trait]
impl Supplier for VipReseller {
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

/// Messages that are about the request or the account, not about the looked-up game account.
fn is_request_problem(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("api key")
        || m.contains("signature")
        || m.starts_with("ip ")
        || m.contains(" ip ")
        || m.contains("not permitted")
        || m.contains("pemeliharaan")
        || m.contains("maintenance")
        || m.contains("parameter")
        || m.contains("layanan tidak ditemukan")
}

fn is_not_found(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("tidak ditemukan") || m.contains("not found")
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string or a number as text (VIP sends ids and targets either way).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What the order request said, for answers that leave fields out (`pay-pasca`).
#[derive(Clone, Copy)]
struct Fallback<'a> {
    target: &'a str,
    zone: Option<&'a str>,
    service: &'a str,
}

/// Reads one order record (answer to `order`/`pay-pasca`, `status` item, callback `data`).
fn order_from_value(
    value: &Value,
    fallback: Option<Fallback<'_>>,
) -> Result<SupplierOrder, String> {
    let map: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| format!("order is {}, expected an object", kind_of(value)))?;
    let trxid = map
        .get("trxid")
        .and_then(text_of)
        .filter(|t| !t.is_empty())
        .ok_or("order without `trxid`")?;
    let status_text = map
        .get("status")
        .and_then(text_of)
        .ok_or("order without `status`")?;
    let status = SupplierStatus::parse(&status_text)
        .ok_or_else(|| format!("unknown order status '{status_text}'"))?;
    let target = match map.get("data") {
        Some(Value::Object(customer)) => customer.get("no").and_then(text_of),
        Some(other) => text_of(other),
        None => None,
    }
    .or_else(|| fallback.map(|f| f.target.to_string()))
    .unwrap_or_default();
    let zone = map
        .get("zone")
        .and_then(text_of)
        .or_else(|| fallback.and_then(|f| f.zone.map(str::to_string)))
        .filter(|z| !z.is_empty());
    let service = map
        .get("service")
        .and_then(text_of)
        .filter(|s| !s.is_empty())
        .or_else(|| fallback.map(|f| f.service.to_string()))
        .unwrap_or_default();
    let note = map.get("note").and_then(text_of).unwrap_or_default();
    let price = match map.get("price") {
        None | Some(Value::Null) => None,
        // `pay-pasca` may answer with the inquiry's {bill, admin, total}.
        Some(Value::Object(parts)) => Some(
            parts
                .get("total")
                .ok_or("price object without `total`")
                .and_then(|v| amount_of(v).map_err(|_| "bad price total"))?,
        ),
        Some(v) => Some(amount_of(v).map_err(|e| format!("bad price: {e}"))?),
    };
    let balance = match map.get("balance") {
        None | Some(Value::Null) => None,
        Some(v) => Some(amount_of(v).map_err(|e| format!("bad balance: {e}"))?),
    };
    Ok(SupplierOrder {
        trxid,
        target,
        zone,
        service,
        status,
        note,
        price,
        balance,
    })
}

fn amount_of(value: &Value) -> Result<Rupiah, String> {
    Amount::deserialize(value)
        .map(|a| Rupiah::new(a.0))
        .map_err(|e| e.to_string())
}

/// Whole rupiah from a JSON integer or a numeric string, without floating-point arithmetic.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Amount(i64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;

        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole rupiah amount (integer or numeric string)")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                i64::try_from(v)
                    .map(Amount)
                    .map_err(|_| E::custom("amount too large"))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // A PHP float such as 3310.0 is a whole number; anything with a fraction is not
                // a rupiah amount. Only a conversion, no arithmetic.
                const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: exact in f64
                if v.fract() == 0.0 && v.abs() < LIMIT {
                    Ok(Amount(v as i64))
                } else {
                    Err(E::custom(format!("{v} is not a whole rupiah amount")))
                }
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                parse_amount_text(v)
                    .map(Amount)
                    .ok_or_else(|| E::custom(format!("'{v}' is not an amount")))
            }
        }

        deserializer.deserialize_any(AmountVisitor)
    }
}

/// `"3310"`, `"-5"`, `"3310.00"`; not `"1.000"` (could be a thousands separator) nor `"3310.5"`.
fn parse_amount_text(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, fraction) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b == b'0') {
            return None;
        }
    }
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok()
}

#[derive(Deserialize)]
struct TierPrices {
    basic: Amount,
    premium: Amount,
    special: Amount,
}

impl TierPrices {
    fn at(&self, tier: PriceTier) -> Rupiah {
        Rupiah::new(
            match tier {
                PriceTier::Basic => self.basic,
                PriceTier::Premium => self.premium,
                PriceTier::Special => self.special,
            }
            .0,
        )
    }
}

#[derive(Deserialize)]
struct GameServiceRaw {
    code: String,
    game: String,
    name: String,
    price: TierPrices,
    status: String,
}

impl GameServiceRaw {
    fn into_service(self, tier: PriceTier) -> SupplierService {
        SupplierService {
            cost: self.price.at(tier),
            available: is_available(&self.status),
            code: self.code,
            brand: self.game,
            name: self.name,
            kind: ServiceKind::Game,
            prepaid_type: None,
            note: None,
        }
    }
}

#[derive(Deserialize)]
struct PrepaidServiceRaw {
    brand: String,
    code: String,
    name: String,
    #[serde(default)]
    note: Option<String>,
    price: TierPrices,
    status: String,
    /// Sic: VIP's spelling of the daily maintenance window.
    #[serde(default)]
    maintenace: Option<String>,
    #[serde(rename = "type", default)]
    service_type: Option<String>,
}

impl PrepaidServiceRaw {
    fn into_service(self, tier: PriceTier) -> SupplierService {
        let meaningful = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "-")
                .map(str::to_string)
        };
        let note = meaningful(&self.note);
        let window = meaningful(&self.maintenace).map(|w| format!("Maintenance {w}"));
        let note = match (note, window) {
            (Some(n), Some(w)) => Some(format!("{n} · {w}")),
            (n, w) => n.or(w),
        };
        SupplierService {
            cost: self.price.at(tier),
            available: is_available(&self.status),
            code: self.code,
            brand: self.brand,
            name: self.name,
            kind: ServiceKind::Prepaid,
            prepaid_type: self
                .service_type
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            note,
        }
    }
}

fn is_available(status: &str) -> bool {
    status.trim().eq_ignore_ascii_case("available")
}

#[derive(Deserialize)]
struct ProfileRaw {
    username: String,
    balance: Amount,
    level: String,
}

#[derive(Deserialize)]
struct InquiryRaw {
    data: InquiryCustomer,
    price: InquiryPrice,
}

#[derive(Deserialize)]
struct InquiryCustomer {
    #[serde(default)]
    no: Option<Value>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct InquiryPrice {
    bill: Amount,
    admin: Amount,
    total: Amount,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_parse_case_insensitively() {
        assert_eq!("Premium".parse::<PriceTier>(), Ok(PriceTier::Premium));
        assert_eq!(" SPECIAL ".parse::<PriceTier>(), Ok(PriceTier::Special));
        assert_eq!("basic".parse::<PriceTier>(), Ok(PriceTier::Basic));
        assert!("gold".parse::<PriceTier>().is_err());
        assert_eq!(PriceTier::Special.as_str(), "special");
    }

    #[test]
    fn amounts_from_numbers_and_strings() {
        let amount = |v: Value| amount_of(&v);
        assert_eq!(amount(serde_json::json!(3310)), Ok(Rupiah::new(3310)));
        assert_eq!(
            amount(serde_json::json!("195695")),
            Ok(Rupiah::new(195_695))
        );
        assert_eq!(amount(serde_json::json!("3310.00")), Ok(Rupiah::new(3310)));
        assert_eq!(amount(serde_json::json!(3310.0)), Ok(Rupiah::new(3310)));
        assert_eq!(amount(serde_json::json!("-5")), Ok(Rupiah::new(-5)));
        assert!(amount(serde_json::json!("1.000")).is_err());
        assert!(amount(serde_json::json!("3310.5")).is_err());
        assert!(amount(serde_json::json!(3310.5)).is_err());
        assert!(amount(serde_json::json!("")).is_err());
        assert!(amount(serde_json::json!("12a")).is_err());
        assert!(amount(serde_json::json!(null)).is_err());
    }

    #[test]
    fn signature_is_md5_of_id_and_key() {
        // md5("abc") is a published test vector.
        assert_eq!(
            signature("a", &Secret::new("bc")),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }

    #[test]
    fn request_problems_are_not_missing_accounts() {
        for m in [
            "API Key not registered.",
            "API Signature not valid.",
            "IP 1.2.3.4 is not permitted",
            "Ada pemeliharaan sistem API, coba lagi nanti.",
            "Masih ada parameter yang kosong.",
            "Layanan tidak ditemukan atau saat ini tidak tersedia.",
        ] {
            assert!(is_request_problem(m), "{m}");
        }
        for m in [
            "ID tidak ditemukan.",
            "Nickname not found",
            "Zip invalid",
            "",
        ] {
            assert!(!is_request_problem(m), "{m}");
        }
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let make = |base: &str| {
            VipReseller::new(
                VipConfig {
                    base_url: base.parse().unwrap(),
                    api_id: "id".into(),
                    api_key: Secret::new("key"),
                    tier: PriceTier::Basic,
                },
                reqwest::Client::new(),
            )
        };
        for base in ["https://vip.example/api", "https://vip.example/api/"] {
            let client = make(base);
            assert_eq!(
                client.base.join("profile").unwrap().as_str(),
                "https://vip.example/api/profile"
            );
        }
        let client = make("https://vip.example/");
        assert_eq!(
            client.base.join("prepaid").unwrap().as_str(),
            "https://vip.example/prepaid"
        );
    }

    #[test]
    fn scrub_removes_key_and_sign() {
        let client = VipReseller::new(
            VipConfig {
                base_url: "https://vip.example/api/".parse().unwrap(),
                api_id: "id".into(),
                api_key: Secret::new("s3cr3t"),
                tier: PriceTier::Basic,
            },
            reqwest::Client::new(),
        );
        let sign = signature("id", &Secret::new("s3cr3t"));
        let out = client.scrub(format!("echo key=s3cr3t&sign={sign}"));
        assert_eq!(out, "echo key=[redacted]&sign=[redacted]");
    }
}
