//! Digiflazz's buyer API (`../shared/specs/digiflazz.md`), the second supplier: balance, price list,
//! prepaid transactions (with `ref_id` as the idempotency key: the same request again is the
//! status check), and the PLN name check. Every request is a JSON `POST` signed with
//! `md5(username + key + suffix)` in the body; every answer is read from its body (`data.status`,
//! `data.rc`), never from the HTTP status, which Digiflazz uses loosely.
//!
//! As a [`Supplier`] it buys under the attempt's reference (`ref_id`), so an attempt of unknown
//! outcome is resolved by sending it again, and it checks PLN meters' owners. It does not check
//! game nicknames or postpaid bills for the store (VIP does).

pub mod values;
pub mod webhook;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use madd_domain::{Rupiah, ServiceKind, SupplierId, SupplierStatus};
use md5::{Digest, Md5};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    Nickname, PlaceOrder, PostpaidBill, Supplier, SupplierError, SupplierOrder, SupplierProfile,
    SupplierService,
};
use crate::secret::Secret;
use values::{default_number_or_string, number_or_string, outcome, Outcome};

#[derive(Clone, Debug)]
pub struct DigiflazzConfig {
    /// `https://api.digiflazz.com/v1`
    pub api_url: url::Url,
    pub username: String,
    pub api_key: Secret,
    /// A development key: transactions carry `testing: true` (and only the test SKUs work).
    pub testing: bool,
}

pub struct Digiflazz {
    config: DigiflazzConfig,
    http: reqwest::Client,
    /// The last full prepaid list and when it came: Digiflazz allows one every 5 minutes (rc 83).
    price_list: tokio::sync::Mutex<Option<(std::time::Instant, Vec<PriceItem>)>>,
}

/// How long a full price list is reused (Digiflazz's limit, digiflazz.md §3).
pub const PRICE_LIST_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Why a call did not give an answer to act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DigiflazzError {
    /// The network, a timeout, a 5xx page, a body that is not Digiflazz's JSON: the outcome is
    /// unknown (for a transaction: re-check with the same `ref_id`, never buy elsewhere first).
    #[error("Digiflazz did not answer clearly: {0}")]
    Unavailable(String),
    /// Digiflazz refused the request itself (`rc` with no transaction formed, e.g. a wrong key,
    /// an IP not whitelisted, the price-list limit).
    #[error("Digiflazz refused the request (rc {rc}): {message}")]
    Refused { rc: String, message: String },
}

/// One product of the price list.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PriceItem {
    pub product_name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    pub buyer_sku_code: String,
    /// What Digiflazz charges (prepaid); postpaid items carry `admin` instead.
    #[serde(default, deserialize_with = "default_number_or_string")]
    pub price: i64,
    #[serde(default, deserialize_with = "default_number_or_string")]
    pub admin: i64,
    #[serde(default)]
    pub buyer_product_status: bool,
    #[serde(default)]
    pub seller_product_status: bool,
    #[serde(default)]
    pub unlimited_stock: bool,
    #[serde(default, deserialize_with = "default_number_or_string")]
    pub stock: i64,
    #[serde(default)]
    pub desc: String,
}

impl PriceItem {
    /// Sellable now: both switches on and stock left.
    pub fn available(&self) -> bool {
        self.buyer_product_status
            && self.seller_product_status
            && (self.unlimited_stock || self.stock > 0)
    }
}

/// A prepaid transaction's state as Digiflazz reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub ref_id: String,
    pub outcome: Outcome,
    /// What it cost (0 when Digiflazz did not say).
    pub price: i64,
}

/// The owner of a PLN meter, before a token is bought for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlnCustomer {
    pub name: String,
    /// `R1 /000001300`: tariff and power.
    pub segment_power: String,
    pub meter_no: String,
    pub subscriber_id: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

/// `data` when it is an error object.
#[derive(Deserialize)]
struct RcObject {
    #[serde(default)]
    rc: String,
    #[serde(default)]
    message: String,
}

/// A transaction as `/transaction` answers it and the webhook carries it.
#[derive(Deserialize)]
struct TransactionData {
    #[serde(default)]
    ref_id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    rc: String,
    #[serde(default)]
    sn: String,
    #[serde(default)]
    message: String,
    #[serde(default, deserialize_with = "default_number_or_string")]
    price: i64,
}

#[derive(Deserialize)]
struct BalanceData {
    #[serde(deserialize_with = "number_or_string")]
    deposit: i64,
}

#[derive(Deserialize)]
struct PlnData {
    #[serde(default)]
    status: String,
    #[serde(default)]
    rc: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    segment_power: String,
    #[serde(default)]
    meter_no: String,
    #[serde(default)]
    subscriber_id: String,
}

impl Digiflazz {
    /// `http` should carry the caller's timeouts.
    pub fn new(config: DigiflazzConfig, http: reqwest::Client) -> Self {
        Digiflazz {
            config,
            http,
            price_list: tokio::sync::Mutex::new(None),
        }
    }

    /// `md5(username + key + suffix)`, lowercase hex.
    pub fn sign(&self, suffix: &str) -> String {
        sign(&self.config.username, self.config.api_key.expose(), suffix)
    }

    async fn post(&self, endpoint: &str, body: &Value) -> Result<Value, DigiflazzError> {
        let mut url = self.config.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| DigiflazzError::Unavailable("the API URL cannot have a path".into()))?
            .pop_if_empty()
            .push(endpoint);
        let response = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| DigiflazzError::Unavailable(self.redact(&e.to_string())))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| DigiflazzError::Unavailable(self.redact(&e.to_string())))?;
        // The body decides, whatever the HTTP status (rejections come as 400 with an rc).
        match serde_json::from_slice::<Envelope<Value>>(&bytes) {
            Ok(envelope) => Ok(envelope.data),
            Err(_) => Err(DigiflazzError::Unavailable(format!(
                "HTTP {status} with a body that is not Digiflazz's JSON"
            ))),
        }
    }

    fn redact(&self, text: &str) -> String {
        let key = self.config.api_key.expose();
        if key.is_empty() {
            text.to_string()
        } else {
            text.replace(key, "[redacted]")
        }
    }

    /// Reads `data` as `T`, or as the error object Digiflazz sends in its place.
    fn read<T: DeserializeOwned>(data: Value) -> Result<T, DigiflazzError> {
        match serde_json::from_value::<T>(data.clone()) {
            Ok(v) => Ok(v),
            Err(e) => match serde_json::from_value::<RcObject>(data) {
                Ok(err) if !err.rc.is_empty() => Err(DigiflazzError::Refused {
                    rc: err.rc,
                    message: err.message,
                }),
                _ => Err(DigiflazzError::Unavailable(format!(
                    "unexpected answer: {e}"
                ))),
            },
        }
    }

    /// `/cek-saldo`: the deposit left, in rupiah.
    pub async fn balance(&self) -> Result<i64, DigiflazzError> {
        let data = self
            .post(
                "cek-saldo",
                &json!({"cmd": "deposit", "username": self.config.username, "sign": self.sign("depo")}),
            )
            .await?;
        Ok(Self::read::<BalanceData>(data)?.deposit)
    }

    /// `/price-list` (`prepaid` or `pasca`). Digiflazz allows the full list once per 5 minutes.
    pub async fn price_list(&self, postpaid: bool) -> Result<Vec<PriceItem>, DigiflazzError> {
        let cmd = if postpaid { "pasca" } else { "prepaid" };
        let data = self
            .post(
                "price-list",
                &json!({"cmd": cmd, "username": self.config.username, "sign": self.sign("pricelist")}),
            )
            .await?;
        Self::read::<Vec<PriceItem>>(data)
    }

    /// A prepaid purchase under `ref_id` — and, sent again unchanged, its status check (the same
    /// `ref_id` returns the same transaction rather than buying again).
    pub async fn topup(
        &self,
        sku: &str,
        customer_no: &str,
        ref_id: &str,
        max_price: Option<i64>,
    ) -> Result<Transaction, DigiflazzError> {
        let mut body = json!({
            "username": self.config.username,
            "buyer_sku_code": sku,
            "customer_no": customer_no,
            "ref_id": ref_id,
            "sign": self.sign(ref_id),
        });
        if self.config.testing {
            body["testing"] = json!(true);
        }
        if let Some(max) = max_price {
            body["max_price"] = json!(max);
        }
        let data = self.post("transaction", &body).await?;
        let t: TransactionData = Self::read(data)?;
        let outcome = transaction_outcome(&t.status, &t.rc, &t.sn, &t.message)?;
        Ok(Transaction {
            ref_id: if t.ref_id.is_empty() {
                ref_id.to_string()
            } else {
                t.ref_id
            },
            outcome,
            price: t.price,
        })
    }

    /// `/inquiry-pln`: whose meter it is, before a token is sold for it. `Ok(None)`: Digiflazz
    /// knows no such meter.
    pub async fn inquiry_pln(
        &self,
        customer_no: &str,
    ) -> Result<Option<PlnCustomer>, DigiflazzError> {
        let data = self
            .post(
                "inquiry-pln",
                &json!({"username": self.config.username, "customer_no": customer_no,
                        "sign": self.sign(customer_no)}),
            )
            .await?;
        let p: PlnData = Self::read(data)?;
        match p.status.as_str() {
            "Sukses" if !p.name.trim().is_empty() => Ok(Some(PlnCustomer {
                name: p.name.trim().to_string(),
                segment_power: p.segment_power.trim().to_string(),
                meter_no: p.meter_no,
                subscriber_id: p.subscriber_id,
            })),
            "Sukses" | "Gagal" if !matches!(p.rc.as_str(), "86" | "41" | "42" | "45") => Ok(None),
            _ => Err(DigiflazzError::Refused {
                rc: p.rc,
                message: p.message,
            }),
        }
    }
}

/// What a `/transaction` answer means: a rejection before any transaction formed is the
/// request's fault (an error), not the order's outcome; an answer without a status is no answer.
fn transaction_outcome(
    status: &str,
    rc: &str,
    sn: &str,
    message: &str,
) -> Result<Outcome, DigiflazzError> {
    if status.is_empty() {
        return Err(DigiflazzError::Unavailable(
            "an answer without a status".into(),
        ));
    }
    match outcome(status, rc, sn, message) {
        Outcome::Failed {
            formed: false,
            rc,
            message,
            ..
        } => Err(DigiflazzError::Refused { rc, message }),
        other => Ok(other),
    }
}

pub fn sign(username: &str, key: &str, suffix: &str) -> String {
    hex::encode(Md5::digest(format!("{username}{key}{suffix}").as_bytes()))
}

impl Digiflazz {
    /// The prepaid list, at most once per [`PRICE_LIST_EVERY`]; within it the last one is reused
    /// (one list for every store job that asks).
    pub async fn prepaid_list(&self) -> Result<Vec<PriceItem>, DigiflazzError> {
        let mut cached = self.price_list.lock().await;
        if let Some((at, items)) = cached.as_ref() {
            if at.elapsed() < PRICE_LIST_EVERY {
                return Ok(items.clone());
            }
        }
        let items = self.price_list(false).await?;
        *cached = Some((std::time::Instant::now(), items.clone()));
        Ok(items)
    }
}

/// Digiflazz's `customer_no` for a destination: a game's user id and zone written together.
pub fn customer_no(target: &str, zone: Option<&str>) -> String {
    format!("{}{}", target.trim(), zone.map(str::trim).unwrap_or(""))
}

/// The store's view of a Digiflazz transaction.
pub fn supplier_order(order: &PlaceOrder, t: &Transaction) -> SupplierOrder {
    let (status, note, customer_error) = match &t.outcome {
        Outcome::Delivered { sn } => (SupplierStatus::Success, sn.clone(), false),
        Outcome::Pending => (
            SupplierStatus::Processing,
            "Transaksi Pending".to_string(),
            false,
        ),
        Outcome::Failed {
            customer_error,
            rc,
            message,
            ..
        } => (
            SupplierStatus::Error,
            format!("{message} (rc {rc})"),
            *customer_error,
        ),
    };
    SupplierOrder {
        trxid: t.ref_id.clone(),
        target: order.target.clone(),
        zone: order.zone.clone(),
        service: order.service.clone(),
        status,
        note,
        price: (t.price > 0).then(|| Rupiah::new(t.price)),
        balance: None,
        customer_error,
    }
}

fn to_supplier_error(e: DigiflazzError) -> SupplierError {
    match e {
        DigiflazzError::Unavailable(detail) => SupplierError::Unavailable { detail },
        DigiflazzError::Refused { rc, message } => SupplierError::Rejected {
            message: format!("{message} (rc {rc})"),
        },
    }
}

/// VIP's prepaid `type` slug for a Digiflazz category, so both catalogues land in the same
/// storefront categories.
fn prepaid_type(category: &str) -> Option<String> {
    let c = category.to_ascii_lowercase();
    let slug = if c.contains("game") {
        return None;
    } else if c.contains("pulsa") {
        "pulsa-reguler"
    } else if c.contains("data") {
        "paket-internet"
    } else if c.contains("pln") {
        "token-pln"
    } else if c.contains("e-money") || c.contains("emoney") {
        "saldo-emoney"
    } else {
        "voucher"
    };
    Some(slug.to_string())
}

#[async_trait]
impl Supplier for Digiflazz {
    fn id(&self) -> SupplierId {
        SupplierId::Digiflazz
    }

    async fn profile(&self) -> Result<SupplierProfile, SupplierError> {
        let balance = self.balance().await.map_err(to_supplier_error)?;
        Ok(SupplierProfile {
            username: self.config.username.clone(),
            balance: Rupiah::new(balance),
            level: String::new(),
        })
    }

    async fn services(&self) -> Result<Vec<SupplierService>, SupplierError> {
        let items = self.prepaid_list().await.map_err(to_supplier_error)?;
        Ok(items
            .into_iter()
            .map(|item| {
                let prepaid_type = prepaid_type(&item.category);
                SupplierService {
                    kind: if prepaid_type.is_none() {
                        ServiceKind::Game
                    } else {
                        ServiceKind::Prepaid
                    },
                    prepaid_type,
                    available: item.available(),
                    cost: Rupiah::new(item.price),
                    note: (!item.desc.trim().is_empty()).then(|| item.desc.trim().to_string()),
                    code: item.buyer_sku_code,
                    brand: item.brand,
                    name: item.product_name,
                }
            })
            .collect())
    }

    async fn nickname(
        &self,
        _game_code: &str,
        _target: &str,
        _zone: Option<&str>,
    ) -> Result<Nickname, SupplierError> {
        Err(SupplierError::Rejected {
            message: "Digiflazz tidak memeriksa nickname game".into(),
        })
    }

    async fn place_order(&self, order: &PlaceOrder) -> Result<SupplierOrder, SupplierError> {
        let t = self
            .topup(
                &order.service,
                &customer_no(&order.target, order.zone.as_deref()),
                &order.reference,
                None,
            )
            .await
            .map_err(to_supplier_error)?;
        Ok(supplier_order(order, &t))
    }

    async fn order_status(
        &self,
        _kind: ServiceKind,
        trxid: &str,
    ) -> Result<Option<SupplierOrder>, SupplierError> {
        Err(SupplierError::Unavailable {
            detail: format!("Digiflazz checks {trxid} by sending its request again"),
        })
    }

    async fn attempt_status(
        &self,
        order: &PlaceOrder,
        _trxid: &str,
    ) -> Result<Option<SupplierOrder>, SupplierError> {
        self.place_order(order).await.map(Some)
    }

    async fn recent_orders(
        &self,
        _kind: ServiceKind,
        _limit: u32,
    ) -> Result<Vec<SupplierOrder>, SupplierError> {
        Err(SupplierError::Unavailable {
            detail: "Digiflazz lists no orders; references make it unnecessary".into(),
        })
    }

    async fn postpaid_inquiry(
        &self,
        _service: &str,
        _customer_no: &str,
    ) -> Result<PostpaidBill, SupplierError> {
        Err(SupplierError::Rejected {
            message: "tagihan pascabayar dicek lewat VIP Reseller".into(),
        })
    }

    fn idempotent_reference(&self) -> bool {
        true
    }

    fn min_recheck_ms(&self) -> i64 {
        60_000
    }

    async fn pln_customer(
        &self,
        meter_no: &str,
    ) -> Result<Option<super::PlnCustomer>, SupplierError> {
        Ok(self
            .inquiry_pln(meter_no)
            .await
            .map_err(to_supplier_error)?
            .map(|c| super::PlnCustomer {
                meter_no: if c.meter_no.is_empty() {
                    meter_no.to_string()
                } else {
                    c.meter_no
                },
                name: c.name,
                segment_power: c.segment_power,
            }))
    }
}
