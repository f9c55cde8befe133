//! A local Tripay (`shared/specs/tripay.md` §11): closed-payment transactions on the QRIS
//! channels, the API the store's client calls with only its base URL changed, a checkout page
//! standing in for the buyer's wallet, signed callbacks with retries, and fault knobs.
//!
//! Routes, relative to the mount point (the demo mounts it at `/sandbox/tripay`):
//! - under both `/api/` and `/api-sandbox/` (Bearer API key): `GET merchant/payment-channel`,
//!   `GET merchant/fee-calculator`, `POST transaction/create` (JSON or form-encoded),
//!   `GET transaction/detail`, `GET transaction/check-status`, `GET merchant/transactions`;
//! - `GET /` and `GET /checkout` — the unpaid transactions; `GET /checkout/{reference}` — the
//!   pay page (buttons, paste box for any QRIS payload); `GET /qr/{reference}` — the QR (SVG);
//! - `POST /control/{reference}/{pay|fail|expire|refund|late_pay|resend|pay_quietly}` — JSON
//!   answer, or a redirect back to the pay page for a form post;
//! - `GET /callbacks` — the callback log; `GET /faults`, `POST /faults` — the knobs (JSON).
//!
//! Choices where Tripay is undocumented (spec §12): "at most 3 more times" means up to four
//! POSTs per callback; EXPIRED, FAILED and REFUND send callbacks as PAID does; a repeated
//! `merchant_ref` is accepted; the items must add up to the amount; a missing `expired_time`
//! means 24 hours, and any expiry is clamped into the channel's window; the texts of refusals the
//! docs do not show are invented.

mod api;
mod callback;
mod channels;
mod create;
mod faults;
mod pages;

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{middleware, Router};
pub use callback::{Delivery, Outcome};
pub use channels::{Channel, CHANNELS};
pub use faults::{FailBody, FailNext, Faults};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;
use tokio::sync::Notify;

/// Transactions kept; the oldest are forgotten beyond it.
pub const MAX_TRANSACTIONS: usize = 10_000;
/// Callback attempts kept in the log.
const MAX_DELIVERIES: usize = 2_000;
/// Any request body larger than this is refused before it is read.
const MAX_BODY: usize = 64 * 1024;
/// Tripay's wait between two attempts of one callback, before `retry_scale`.
const RETRY_EVERY: Duration = Duration::from_secs(120);
/// Attempts after the first one.
pub const MAX_RETRIES: u32 = 3;

#[derive(Clone)]
pub struct Config {
    /// `T` + 5 digits; its digits go into every reference.
    pub merchant_code: String,
    /// `DEV-` + 40 characters, expected as `Authorization: Bearer …`.
    pub api_key: String,
    /// Five groups of five characters: the HMAC key of create signatures and callbacks.
    pub private_key: String,
    /// Where callbacks go when a transaction names no `callback_url` (the dashboard's default).
    pub callback_url: Option<String>,
    /// `qr_string` is a real EMV payload instead of Tripay's sandbox text `SANDBOX MODE`.
    pub sandbox_valid_qr: bool,
    /// Multiplies the two minutes between callback attempts (tests use a tiny value).
    pub retry_scale: f64,
    /// Absolute prefix of `qr_url` and `checkout_url` (`http://127.0.0.1:8080/sandbox/tripay`);
    /// `None` makes them paths under wherever the request came in.
    pub public_base: Option<String>,
    /// The channels bill their fee to the buyer (`amount` grows by it), as a merchant may set.
    pub fee_on_customer: bool,
}

impl Config {
    /// Real pacing for a person watching the demo.
    pub fn demo() -> Config {
        Config {
            merchant_code: "T12345".into(),
            api_key: "DEV-MaddStoreSandboxDemoApiKey00000000000000".into(),
            private_key: "MaDdS-tOrEd-EmOpR-iVaTe-KeY01".into(),
            callback_url: None,
            sandbox_valid_qr: true,
            retry_scale: 1.0,
            public_base: None,
            fee_on_customer: false,
        }
    }

    /// The spec's example credentials (its worked signatures hold) and near-instant retries.
    pub fn for_tests() -> Config {
        Config {
            api_key: "DEV-exampleApiKeyForMaddStore000000000000000".into(),
            private_key: "AbCdE-fGhIj-KlMnO-pQrSt-UvWxY".into(),
            retry_scale: 0.000_1,
            ..Config::demo()
        }
    }

    fn retry_wait(&self) -> Duration {
        let scale = if self.retry_scale.is_finite() {
            self.retry_scale.clamp(0.0, 10.0)
        } else {
            1.0
        };
        RETRY_EVERY.mul_f64(scale)
    }
}

/// Credentials are fake here, but the store may log its sandbox configuration.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("merchant_code", &self.merchant_code)
            .field("api_key", &"[redacted]")
            .field("private_key", &"[redacted]")
            .field("callback_url", &self.callback_url)
            .field("sandbox_valid_qr", &self.sandbox_valid_qr)
            .field("retry_scale", &self.retry_scale)
            .field("public_base", &self.public_base)
            .field("fee_on_customer", &self.fee_on_customer)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Unpaid,
    Paid,
    Expired,
    Failed,
    Refund,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unpaid => "UNPAID",
            Status::Paid => "PAID",
            Status::Expired => "EXPIRED",
            Status::Failed => "FAILED",
            Status::Refund => "REFUND",
        }
    }
}

/// One `order_items` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub sku: Option<String>,
    pub name: String,
    pub price: i64,
    pub quantity: i64,
    pub product_url: Option<String>,
    pub image_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// `DEV-T{merchant digits}{6 digits}{5 letters/digits}`.
    pub reference: String,
    pub merchant_ref: String,
    /// The channel code (`QRIS2`).
    pub method: String,
    /// The channel's display name (`QRIS`): the callbacks' `payment_method`.
    pub method_name: String,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub callback_url: Option<String>,
    pub return_url: Option<String>,
    pub order_items: Vec<Item>,
    /// What the buyer pays: the amount asked, plus `fee_customer` when the fee is on the buyer.
    pub amount: i64,
    pub fee_merchant: i64,
    pub fee_customer: i64,
    pub total_fee: i64,
    /// `amount − total_fee`.
    pub amount_received: i64,
    pub status: Status,
    /// As the API answers it: the payload, `SANDBOX MODE`, or `None` (virtual account).
    pub qr_string: Option<String>,
    /// The payload drawn at `qr_url`, always a real one (QRIS channels).
    pub qr_payload: Option<String>,
    pub qr_url: Option<String>,
    pub checkout_url: String,
    /// The virtual account number (BRIVA).
    pub pay_code: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub expired_time: i64,
    pub paid_at: Option<i64>,
    pub note: Option<String>,
}

/// What the control routes and the Rust methods do to a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Pay,
    Fail,
    Expire,
    Refund,
    /// Pays an EXPIRED transaction (money that came after the store gave up).
    LatePay,
    /// Sends the callback of the current status again.
    Resend,
    /// PAID with no callback at all: a lost callback only polling finds.
    PayQuietly,
}

impl Action {
    pub fn parse(text: &str) -> Option<Action> {
        Some(match text {
            "pay" => Action::Pay,
            "fail" => Action::Fail,
            "expire" => Action::Expire,
            "refund" => Action::Refund,
            "late_pay" => Action::LatePay,
            "resend" => Action::Resend,
            "pay_quietly" => Action::PayQuietly,
            _ => return None,
        })
    }

    /// Applies the action; `true` when a callback follows.
    fn apply(self, tx: &mut Transaction, now: i64) -> Result<bool, String> {
        let from = |wanted: Status, verb: &str| {
            if tx.status == wanted {
                Ok(())
            } else {
                Err(format!(
                    "tidak bisa {verb}: status transaksi {} (harus {})",
                    tx.status.as_str(),
                    wanted.as_str()
                ))
            }
        };
        let (to, callback) = match self {
            Action::Pay => (
                from(Status::Unpaid, "dibayar").map(|()| Status::Paid)?,
                true,
            ),
            Action::PayQuietly => (
                from(Status::Unpaid, "dibayar").map(|()| Status::Paid)?,
                false,
            ),
            Action::Fail => (
                from(Status::Unpaid, "digagalkan").map(|()| Status::Failed)?,
                true,
            ),
            Action::Expire => (
                from(Status::Unpaid, "dikedaluwarsakan").map(|()| Status::Expired)?,
                true,
            ),
            Action::Refund => (
                from(Status::Paid, "di-refund").map(|()| Status::Refund)?,
                true,
            ),
            Action::LatePay => (
                from(Status::Expired, "dibayar terlambat").map(|()| Status::Paid)?,
                true,
            ),
            Action::Resend if tx.status == Status::Unpaid => {
                return Err("belum ada callback: transaksi masih UNPAID".into())
            }
            Action::Resend => (tx.status, true),
        };
        if to == Status::Paid && tx.status != Status::Paid {
            tx.paid_at = Some(now);
        }
        tx.status = to;
        Ok(callback)
    }
}

/// `lowercase_hex(HMAC-SHA256(key, message))`: create signatures and callback signatures.
pub fn hmac_hex(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

pub(crate) fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The handle: cheap to clone, every clone sees the same transactions and knobs.
#[derive(Clone)]
pub struct TripaySim {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    state: Mutex<State>,
    http: reqwest::Client,
    /// Woken whenever a callback has finished all its attempts.
    idle: Notify,
    sweeper_started: AtomicBool,
}

struct State {
    faults: Faults,
    transactions: VecDeque<Transaction>,
    deliveries: VecDeque<Delivery>,
    /// Callback copies still being delivered.
    in_flight: usize,
}

impl TripaySim {
    pub fn new(config: Config) -> Self {
        TripaySim {
            inner: Arc::new(Inner {
                config,
                state: Mutex::new(State {
                    faults: Faults::default(),
                    transactions: VecDeque::new(),
                    deliveries: VecDeque::new(),
                    in_flight: 0,
                }),
                http: callback::client(),
                idle: Notify::new(),
                sweeper_started: AtomicBool::new(false),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The routes, relative to wherever the caller mounts them (see the module docs).
    pub fn router(&self) -> Router {
        let mut api = Router::new();
        for prefix in ["/api", "/api-sandbox"] {
            api = api
                .route(
                    &format!("{prefix}/merchant/payment-channel"),
                    get(api::payment_channels),
                )
                .route(
                    &format!("{prefix}/merchant/fee-calculator"),
                    get(api::fee_calculator),
                )
                .route(&format!("{prefix}/transaction/create"), post(api::create))
                .route(&format!("{prefix}/transaction/detail"), get(api::detail))
                .route(
                    &format!("{prefix}/transaction/check-status"),
                    get(api::check_status),
                )
                .route(
                    &format!("{prefix}/merchant/transactions"),
                    get(api::transactions),
                );
        }
        let api = api.route_layer(middleware::from_fn_with_state(self.clone(), api::gate));
        Router::new()
            .route("/", get(pages::list))
            .route("/checkout", get(pages::list))
            .route("/checkout/{reference}", get(pages::checkout))
            .route("/qr/{reference}", get(pages::qr))
            .route("/control/{id}/{action}", post(pages::control))
            .route("/callbacks", get(pages::callbacks))
            .route("/faults", get(pages::faults).post(pages::set_faults))
            .merge(api)
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(self.clone())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No code path leaves the state half-updated, so a panic elsewhere does not poison it.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state().faults = faults;
    }

    pub fn faults(&self) -> Faults {
        self.state().faults.clone()
    }

    /// Takes one use of `fail_next`, if any is left.
    fn take_fail_next(&self) -> Option<FailNext> {
        let mut state = self.state();
        let fail = state.faults.fail_next.as_mut()?;
        if fail.count == 0 {
            state.faults.fail_next = None;
            return None;
        }
        fail.count -= 1;
        let taken = fail.clone();
        if fail.count == 0 {
            state.faults.fail_next = None;
        }
        Some(taken)
    }

    /// The newest transaction with this reference or merchant reference.
    pub fn transaction(&self, reference_or_merchant_ref: &str) -> Option<Transaction> {
        let state = self.state();
        find(&state.transactions, reference_or_merchant_ref).cloned()
    }

    /// Every transaction kept, oldest first.
    pub fn transactions(&self) -> Vec<Transaction> {
        self.state().transactions.iter().cloned().collect()
    }

    /// Every callback attempt (and dropped callback), in the order they finished.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().deliveries.iter().cloned().collect()
    }

    /// Applies `action` to the newest transaction with this reference or merchant reference and
    /// sends its callback in the background.
    pub async fn act(&self, id: &str, action: Action) -> Result<Transaction, String> {
        let (tx, callback) = {
            let mut state = self.state();
            let tx = find_mut(&mut state.transactions, id)
                .ok_or_else(|| format!("transaksi {id} tidak ditemukan"))?;
            let callback = action.apply(tx, now())?;
            (tx.clone(), callback)
        };
        if callback {
            self.dispatch(&tx);
        }
        Ok(tx)
    }

    pub async fn pay(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::Pay).await.map(drop)
    }

    pub async fn fail(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::Fail).await.map(drop)
    }

    pub async fn expire(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::Expire).await.map(drop)
    }

    pub async fn refund(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::Refund).await.map(drop)
    }

    pub async fn late_pay(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::LatePay).await.map(drop)
    }

    pub async fn resend(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::Resend).await.map(drop)
    }

    /// PAID with no callback at all (a lost callback, for reconciliation tests).
    pub async fn pay_quietly(&self, id: &str) -> Result<(), String> {
        self.act(id, Action::PayQuietly).await.map(drop)
    }

    /// Returns once no callback is being delivered (all attempts of every copy are done).
    pub async fn wait_callbacks(&self) {
        loop {
            // Registered before the check, so a delivery finishing in between still wakes us.
            let notified = self.inner.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state().in_flight == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Keeps `tx`, forgetting the oldest beyond [`MAX_TRANSACTIONS`], and makes sure unpaid
    /// transactions expire on time.
    fn store(&self, tx: Transaction) {
        {
            let mut state = self.state();
            while state.transactions.len() >= MAX_TRANSACTIONS {
                state.transactions.pop_front();
            }
            state.transactions.push_back(tx);
        }
        self.start_sweeper();
    }

    /// One task per simulator expires what is due, every second; it ends with the simulator.
    fn start_sweeper(&self) {
        if tokio::runtime::Handle::try_current().is_err()
            || self.inner.sweeper_started.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                TripaySim { inner }.expire_due(now());
            }
        });
    }

    /// UNPAID transactions whose `expired_time` has passed become EXPIRED, with their callback.
    fn expire_due(&self, now: i64) {
        let expired: Vec<Transaction> = {
            let mut state = self.state();
            state
                .transactions
                .iter_mut()
                .filter(|tx| tx.status == Status::Unpaid && tx.expired_time <= now)
                .map(|tx| {
                    tx.status = Status::Expired;
                    tx.clone()
                })
                .collect()
        };
        for tx in &expired {
            self.dispatch(tx);
        }
    }
}

fn find<'a>(transactions: &'a VecDeque<Transaction>, id: &str) -> Option<&'a Transaction> {
    transactions
        .iter()
        .rev()
        .find(|tx| tx.reference == id || tx.merchant_ref == id)
}

fn find_mut<'a>(
    transactions: &'a mut VecDeque<Transaction>,
    id: &str,
) -> Option<&'a mut Transaction> {
    transactions
        .iter_mut()
        .rev()
        .find(|tx| tx.reference == id || tx.merchant_ref == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_match_the_recorded_transactions() {
        let qris2 = Channel::find("QRIS2").unwrap();
        for (amount, fee) in [
            (1_000_000, 7_750),
            (50_000, 1_100),
            (12_000, 834),
            (123_122, 1_612),
            (5_800, 791),
            (192_080, 2_095),
            (120_000, 1_590),
            (20_000, 890),
            (5_000, 785),
            (100_000, 1_450),
        ] {
            assert_eq!(qris2.fee(amount), fee, "{amount}");
        }
    }

    #[test]
    fn the_specs_create_signatures_hold() {
        assert_eq!(
            hmac_hex("ytf6ooi2gmlNPfpchd94jDOk8hRWOu", b"T0001INV555671500000"),
            "9f167eba844d1fcb369404e2bda53702e2f78f7aa12e91da6715414e65b8c86a"
        );
        let key = Config::for_tests().private_key;
        assert_eq!(
            hmac_hex(&key, b"T12345MS-7K3Q9XW2-120000"),
            "1a78298447cc5473e2ec99f6bdd94fd8ab4291cf31d0829b3776b89eba5c5edd"
        );
    }

    #[test]
    fn credentials_have_the_documented_shapes_and_stay_out_of_debug() {
        for config in [Config::demo(), Config::for_tests()] {
            assert!(config.api_key.starts_with("DEV-") && config.api_key.len() == 44);
            let groups: Vec<&str> = config.private_key.split('-').collect();
            assert!(groups.len() == 5 && groups.iter().all(|g| g.len() == 5));
            assert!(config.merchant_code.len() == 6 && config.merchant_code.starts_with('T'));
            let text = format!("{config:?}");
            assert!(!text.contains(&config.api_key) && !text.contains(&config.private_key));
        }
    }

    #[test]
    fn actions_move_only_forward() {
        let mut tx = create::tests::sample_transaction();
        assert!(Action::Refund.apply(&mut tx, 1).is_err());
        assert!(Action::Resend.apply(&mut tx, 1).is_err());
        assert_eq!(Action::Pay.apply(&mut tx, 7), Ok(true));
        assert_eq!((tx.status, tx.paid_at), (Status::Paid, Some(7)));
        assert!(Action::Pay.apply(&mut tx, 8).is_err());
        assert!(Action::Expire.apply(&mut tx, 8).is_err());
        assert_eq!(Action::Resend.apply(&mut tx, 9), Ok(true));
        assert_eq!(Action::Refund.apply(&mut tx, 9), Ok(true));
        assert_eq!((tx.status, tx.paid_at), (Status::Refund, Some(7)));
        let mut late = create::tests::sample_transaction();
        assert!(Action::LatePay.apply(&mut late, 1).is_err());
        assert_eq!(Action::Expire.apply(&mut late, 1), Ok(true));
        assert_eq!(Action::LatePay.apply(&mut late, 2), Ok(true));
        assert_eq!(late.status, Status::Paid);
        let mut quiet = create::tests::sample_transaction();
        assert_eq!(Action::PayQuietly.apply(&mut quiet, 3), Ok(false));
        assert_eq!(quiet.status, Status::Paid);
    }
}
