//! A local Midtrans Core API for dynamic QRIS (`shared/specs/midtrans.md` §10): the unmodified
//! store client talks to it by changing only its base URL. It validates charges as §10.1 says,
//! makes a syntactically valid QRIS per charge, answers status/cancel/expire with Midtrans's
//! body codes, sends signed notifications with Midtrans's reply-dependent retries (§3.5), expires
//! transactions on its own, and has a pay page standing in for a wallet app plus fault knobs.
//!
//! Routes, relative to the mount point (the demo mounts it at `/sandbox/midtrans`):
//! - `POST /v2/charge`, `GET /v2/{id}/status`, `POST /v2/{id}/cancel`, `POST /v2/{id}/expire` —
//!   the API (`Authorization: Basic base64(server_key + ":")`), `{id}` an order or transaction id;
//! - `GET /v2/qris/{transaction_id}/qr-code`, `GET /v4/qris/{transaction_id}/qr-code` — the
//!   code as an image (see [`qr`] for why SVG rather than PNG);
//! - `GET /qris` — the pay page; `POST /control/{id}/{action}` with `pay`, `deny`, `expire`,
//!   `cancel`, `late_pay`, `refund`, `resend` (JSON answer; a form post redirects to the page);
//! - `GET /notifications` — the delivery log as JSON; `GET /faults`, `POST /faults` — the knobs.
//!
//! Choices where the spec leaves room: knobs are global, not per order; a `fail_next` fault with
//! `created: true` also records the would-be answer under the request's `Idempotency-Key`, so a
//! retry with the same key gets the `201` (the transaction was made, only the answer was lost);
//! `502`/`504` faults answer an HTML page, as a load balancer would, the others a JSON body.

mod api;
mod control;
mod notify;
mod pages;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::routing::{get, post};
use axum::Router;
pub use notify::Delivery;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha512};
use time::macros::{format_description, offset};
use time::{Duration as TimeSpan, OffsetDateTime, UtcOffset};
use tokio::sync::Notify;
use uuid::Uuid;

/// Midtrans writes every time in Western Indonesian Time.
pub const JAKARTA: UtcOffset = offset!(+7);
/// Transactions kept; past it the oldest finished ones go first.
const MAX_TRANSACTIONS: usize = 10_000;
/// Notification attempts kept in the log.
const MAX_DELIVERIES: usize = 5_000;
/// Keys remembered at most; past it new keys are not remembered (bounded memory).
const MAX_IDEMPOTENCY_KEYS: usize = 10_000;
/// How long an `Idempotency-Key` is remembered (§2.5).
const IDEMPOTENCY_WINDOW: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Clone)]
pub struct Config {
    /// `SB-Mid-server-…`: checks `Authorization` and signs notifications.
    pub server_key: String,
    /// `G` + 9 digits.
    pub merchant_id: String,
    /// Where notifications go when a charge sends no `X-Override-Notification` (the dashboard's
    /// Payment Notification URL); `None` sends nothing then.
    pub notification_url: Option<String>,
    /// Expiry when a charge has no `custom_expiry` (15 minutes, as Midtrans documents for GoPay).
    pub default_expiry_minutes: i64,
    /// Multiplies the 2/10/30/90/210-minute retry ladder: 1.0 is Midtrans's pace.
    pub retry_scale: f64,
    /// Midtrans's expiry scheduler runs late: a random lag in this range (milliseconds) is added
    /// to each transaction's expiry time before it expires on its own.
    pub expiry_delay_ms: (u64, u64),
    /// Absolute prefix for the action URLs in charge answers (`http://127.0.0.1:8080/sandbox/
    /// midtrans`); `None` builds them from the request's `Host` and the mount point.
    pub public_base: Option<String>,
}

impl Config {
    /// Midtrans's own pace: retries minutes apart, expiry up to 90 s late.
    pub fn demo() -> Config {
        Config {
            server_key: "SB-Mid-server-MaddStoreSandboxDemo".into(),
            merchant_id: "G123456789".into(),
            notification_url: None,
            default_expiry_minutes: 15,
            retry_scale: 1.0,
            expiry_delay_ms: (0, 90_000),
            public_base: None,
        }
    }

    /// The spec's example key, retries in milliseconds, expiry on time.
    pub fn for_tests() -> Config {
        Config {
            server_key: "SB-Mid-server-MaddStoreExample123".into(),
            retry_scale: 0.000_01,
            expiry_delay_ms: (0, 0),
            ..Config::demo()
        }
    }
}

/// The key is fake here, but the store may log its sandbox configuration.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server_key", &"[redacted]")
            .field("merchant_id", &self.merchant_id)
            .field("notification_url", &self.notification_url)
            .field("default_expiry_minutes", &self.default_expiry_minutes)
            .field("retry_scale", &self.retry_scale)
            .field("expiry_delay_ms", &self.expiry_delay_ms)
            .field("public_base", &self.public_base)
            .finish()
    }
}

/// Which HTTP status carries an answer that has a JSON body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpMode {
    /// HTTP 200 for every JSON answer, like the docs' OpenAPI: only the body says what happened.
    #[default]
    BodyOnly,
    /// HTTP status = the body's `status_code` when that is 400 or more.
    Mirror,
}

/// The next `count` API calls answer `status` (500, 502, 503, 504, 429…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailNext {
    pub count: u32,
    pub status: u16,
    /// The call takes effect anyway (a charge creates its transaction): "outcome unknown".
    #[serde(default)]
    pub created: bool,
}

/// The fault knobs (§10.5–10.6), all off by default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    pub fail_next: Option<FailNext>,
    /// Every API answer waits this long.
    pub latency_ms: u64,
    /// API calls never answer (until the caller gives up).
    pub hang: bool,
    /// 401 for every API call.
    pub auth_fail: bool,
    /// 402 on charge: QRIS not activated on the account.
    pub qris_disabled: bool,
    /// Charges are created `deny` (the acquirer refused to make the code).
    pub force_deny: bool,
    pub omit_qr_string: bool,
    pub omit_expiry_time: bool,
    pub http_mode: HttpMode,
    /// Every notification is sent twice, concurrently.
    pub duplicate: bool,
    /// The first N attempts of every notification are lost (the retries then deliver it).
    pub drop_first: u32,
    /// Notifications are lost altogether: only polling finds the outcome.
    pub drop_all: bool,
    /// Notifications carry a wrong signature.
    pub tamper: bool,
    /// Notifications say `settlement` whatever happened, with a valid signature (the signature
    /// does not cover `transaction_status`).
    pub forge_status: bool,
    /// Notifications carry another amount, with a valid signature.
    pub bad_amount: bool,
    /// The `pending` notification is held back until the transaction's next one has been sent.
    pub reorder: bool,
    /// Every notification waits this long before its first attempt.
    pub notification_delay_ms: u64,
    /// Charge answers point their action URLs at Midtrans's old host (`api.veritrans.co.id`), as
    /// a 2021 answer did: the store must use the URLs as given, never rebuild them.
    pub old_host_in_actions: bool,
}

/// Where a transaction stands (`transaction_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TxStatus {
    Pending,
    Settlement,
    Expire,
    Cancel,
    Deny,
    Refund,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Pending => "pending",
            TxStatus::Settlement => "settlement",
            TxStatus::Expire => "expire",
            TxStatus::Cancel => "cancel",
            TxStatus::Deny => "deny",
            TxStatus::Refund => "refund",
        }
    }

    /// `status_code` in a notification (§3.4).
    pub fn notification_code(self) -> &'static str {
        match self {
            TxStatus::Pending => "201",
            TxStatus::Settlement | TxStatus::Refund => "200",
            TxStatus::Expire | TxStatus::Cancel | TxStatus::Deny => "202",
        }
    }

    /// `status_code` in a status answer (§3.4): an expired transaction answers 407.
    pub fn api_code(self) -> &'static str {
        match self {
            TxStatus::Pending => "201",
            TxStatus::Settlement | TxStatus::Refund | TxStatus::Cancel => "200",
            TxStatus::Expire => "407",
            TxStatus::Deny => "202",
        }
    }

    /// A charge with the same `order_id` is refused (406) while one is in these states.
    fn holds_order_id(self) -> bool {
        matches!(
            self,
            TxStatus::Pending | TxStatus::Settlement | TxStatus::Refund
        )
    }
}

/// One charge as the simulator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub transaction_id: String,
    pub order_id: String,
    /// Whole rupiah; answers write it `"20000.00"`.
    pub gross_amount: i64,
    pub status: TxStatus,
    pub acquirer: String,
    pub qr_string: String,
    pub transaction_time: OffsetDateTime,
    pub expiry_time: OffsetDateTime,
    pub settlement_time: Option<OffsetDateTime>,
    /// The app the buyer paid with (settled ones).
    pub issuer: Option<String>,
    /// `on-us` / `off-us` (settled ones).
    pub transaction_type: Option<String>,
    pub item_name: String,
    pub customer_name: Option<String>,
    /// Where its notifications go (override header, else append + default, else default).
    pub notification_urls: Vec<String>,
    pub merchant_id: String,
    /// GoPay-acquired QRIS carry a `merchant_cross_reference_id`.
    pub cross_reference_id: String,
}

impl Transaction {
    /// `gross_amount` as Midtrans writes it in answers and signs it.
    pub fn gross_text(&self) -> String {
        format!("{}.00", self.gross_amount)
    }
}

/// `lowercase_hex(SHA-512(order_id + status_code + gross_amount + server_key))` (§3.3).
pub fn signature(
    order_id: &str,
    status_code: &str,
    gross_amount: &str,
    server_key: &str,
) -> String {
    let mut hasher = Sha512::new();
    for part in [order_id, status_code, gross_amount, server_key] {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// `2026-01-01 10:00:05`, Jakarta time, no zone.
pub fn wib_text(at: OffsetDateTime) -> String {
    at.to_offset(JAKARTA)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc().to_offset(JAKARTA);
    now.replace_nanosecond(0).unwrap_or(now)
}

/// A remembered `Idempotency-Key`.
enum Idempotent {
    InFlight(Instant),
    Done { at: Instant, body: Value },
}

/// The handle: cheap to clone, every clone sees the same transactions and knobs.
#[derive(Clone)]
pub struct MidtransSim {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    state: Mutex<State>,
    http: reqwest::Client,
    /// Woken whenever a notification has finished all its attempts.
    idle: Notify,
    /// `GET /v2/{id}/status` requests (how often a merchant asks instead of trusting).
    status_requests: AtomicU64,
}

struct State {
    faults: Faults,
    /// Oldest first.
    transactions: VecDeque<Transaction>,
    idempotency: HashMap<String, Idempotent>,
    deliveries: VecDeque<Delivery>,
    /// `pending` notifications held back by the `reorder` knob, by transaction id.
    held: HashMap<String, notify::Event>,
    /// Notification copies still being attempted.
    in_flight: usize,
}

impl MidtransSim {
    pub fn new(config: Config) -> Self {
        MidtransSim {
            inner: Arc::new(Inner {
                config,
                state: Mutex::new(State {
                    faults: Faults::default(),
                    transactions: VecDeque::new(),
                    idempotency: HashMap::new(),
                    deliveries: VecDeque::new(),
                    held: HashMap::new(),
                    in_flight: 0,
                }),
                http: notify::client(),
                idle: Notify::new(),
                status_requests: AtomicU64::new(0),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// How many status requests have been made, authenticated or not.
    pub fn status_requests(&self) -> u64 {
        self.inner.status_requests.load(Ordering::Relaxed)
    }

    /// The routes, relative to wherever the caller mounts them (see the module docs).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v2/charge", post(api::charge))
            .route("/v2/{id}/status", get(api::status))
            .route("/v2/{id}/cancel", post(api::cancel))
            .route("/v2/{id}/expire", post(api::expire))
            .route("/v2/qris/{id}/qr-code", get(pages::qr_code))
            .route("/v4/qris/{id}/qr-code", get(pages::qr_code_framed))
            .route("/qris", get(pages::pay_page))
            .route("/control/{id}/{action}", post(control::action))
            .route("/notifications", get(control::notifications))
            .route("/faults", get(control::faults).post(control::set_faults))
            .with_state(self.clone())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No code path leaves the state half-updated, so a panic elsewhere does not poison it.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn faults(&self) -> Faults {
        self.state().faults.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state().faults = faults;
    }

    /// The newest transaction with this order id, or the one with this transaction id.
    pub fn transaction(&self, order_or_transaction_id: &str) -> Option<Transaction> {
        let state = self.state();
        find(&state.transactions, order_or_transaction_id).cloned()
    }

    /// Every transaction kept, oldest first.
    pub fn transactions(&self) -> Vec<Transaction> {
        self.state().transactions.iter().cloned().collect()
    }

    /// Every notification attempt, in the order they finished.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().deliveries.iter().cloned().collect()
    }

    /// The buyer pays a pending transaction: `settlement`, notified.
    pub async fn pay(&self, id: &str) -> Result<(), String> {
        self.move_to(id, &[TxStatus::Pending], TxStatus::Settlement, true)
    }

    /// The acquirer refuses a pending transaction: `deny`, notified.
    pub async fn deny(&self, id: &str) -> Result<(), String> {
        self.move_to(id, &[TxStatus::Pending], TxStatus::Deny, true)
    }

    /// A pending transaction expires now: `expire`, notified.
    pub async fn expire(&self, id: &str) -> Result<(), String> {
        self.move_to(id, &[TxStatus::Pending], TxStatus::Expire, true)
    }

    /// A pending transaction is cancelled: `cancel`, notified.
    pub async fn cancel(&self, id: &str) -> Result<(), String> {
        self.move_to(id, &[TxStatus::Pending], TxStatus::Cancel, true)
    }

    /// A transaction that ended unpaid is paid anyway (a wallet race): `settlement`, notified.
    pub async fn late_pay(&self, id: &str) -> Result<(), String> {
        let ended = [TxStatus::Expire, TxStatus::Cancel, TxStatus::Deny];
        self.move_to(id, &ended, TxStatus::Settlement, true)
    }

    /// A settled transaction is refunded: `refund`, notified.
    pub async fn refund(&self, id: &str) -> Result<(), String> {
        self.move_to(id, &[TxStatus::Settlement], TxStatus::Refund, true)
    }

    /// Sends the transaction's current notification again.
    pub async fn resend(&self, id: &str) -> Result<(), String> {
        let tx = self.transaction(id).ok_or_else(|| unknown(id))?;
        self.notify(&tx);
        Ok(())
    }

    /// Pays a pending (or ended) transaction without any notification: a lost notification, for
    /// reconciliation tests.
    pub async fn settle_quietly(&self, id: &str) -> Result<(), String> {
        let from = [
            TxStatus::Pending,
            TxStatus::Expire,
            TxStatus::Cancel,
            TxStatus::Deny,
        ];
        self.move_to(id, &from, TxStatus::Settlement, false)
    }

    /// Returns once no notification is being attempted (held `reorder` ones do not count).
    pub async fn wait_notifications(&self) {
        loop {
            // Registered before the check, so a copy finishing in between still wakes us.
            let notified = self.inner.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state().in_flight == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Moves a transaction in one of `from` to `to` and notifies it when asked.
    fn move_to(
        &self,
        id: &str,
        from: &[TxStatus],
        to: TxStatus,
        notify: bool,
    ) -> Result<(), String> {
        let tx = self.transition(id, from, to)?;
        if notify {
            self.notify(&tx);
        }
        Ok(())
    }

    /// The state change itself; `Err` names the state it was in when that is not in `from`.
    fn transition(&self, id: &str, from: &[TxStatus], to: TxStatus) -> Result<Transaction, String> {
        let mut state = self.state();
        let tx = find_mut(&mut state.transactions, id).ok_or_else(|| unknown(id))?;
        if !from.contains(&tx.status) {
            return Err(format!(
                "transaksi {} berstatus {}, tidak bisa menjadi {}",
                tx.order_id,
                tx.status.as_str(),
                to.as_str()
            ));
        }
        tx.status = to;
        if to == TxStatus::Settlement {
            let (issuer, kind) = random_issuer(&tx.acquirer);
            tx.settlement_time = Some(now());
            tx.issuer = Some(issuer.into());
            tx.transaction_type = Some(kind.into());
        }
        Ok(tx.clone())
    }

    /// Records a new transaction, making room first, and starts its expiry clock; refuses (the
    /// 406 body) while another one with its order id is pending or was paid.
    fn insert(&self, tx: Transaction) -> Result<(), Value> {
        {
            let mut state = self.state();
            let taken = state
                .transactions
                .iter()
                .rev()
                .find(|t| t.order_id == tx.order_id && t.status.holds_order_id());
            if let Some(taken) = taken {
                let message = if taken.status == TxStatus::Pending {
                    "Merchant charges the same order id more than once or transaction has been paid"
                } else {
                    "order_id has been paid and utilized, please use another order ID"
                };
                return Err(api::error_body(406, message));
            }
            while state.transactions.len() >= MAX_TRANSACTIONS {
                let oldest_finished = state
                    .transactions
                    .iter()
                    .position(|t| t.status != TxStatus::Pending)
                    .unwrap_or(0);
                if let Some(gone) = state.transactions.remove(oldest_finished) {
                    state.held.remove(&gone.transaction_id);
                }
            }
            state.transactions.push_back(tx.clone());
        }
        if tx.status == TxStatus::Pending {
            self.schedule_expiry(tx.transaction_id, tx.expiry_time);
        }
        Ok(())
    }

    /// Expires the transaction at `at` plus the scheduler's lag, if it is still pending then.
    fn schedule_expiry(&self, transaction_id: String, at: OffsetDateTime) {
        let (low, high) = self.inner.config.expiry_delay_ms;
        let lag = if high > low {
            rand::thread_rng().gen_range(low..=high)
        } else {
            low
        };
        let wait = (at - OffsetDateTime::now_utc()).max(TimeSpan::ZERO)
            + TimeSpan::milliseconds(i64::try_from(lag).unwrap_or(i64::MAX));
        let wait = std::time::Duration::try_from(wait).unwrap_or_default();
        let sim = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            // Already paid, cancelled or forgotten: nothing to do.
            let _ = sim.move_to(
                &transaction_id,
                &[TxStatus::Pending],
                TxStatus::Expire,
                true,
            );
        });
    }
}

fn unknown(id: &str) -> String {
    format!("transaksi {id} tidak ditemukan")
}

/// A transaction id, or else the newest transaction with that order id.
fn find<'a>(transactions: &'a VecDeque<Transaction>, id: &str) -> Option<&'a Transaction> {
    transactions
        .iter()
        .rev()
        .find(|t| t.transaction_id == id)
        .or_else(|| transactions.iter().rev().find(|t| t.order_id == id))
}

fn find_mut<'a>(
    transactions: &'a mut VecDeque<Transaction>,
    id: &str,
) -> Option<&'a mut Transaction> {
    let index = transactions
        .iter()
        .rposition(|t| t.transaction_id == id)
        .or_else(|| transactions.iter().rposition(|t| t.order_id == id))?;
    transactions.get_mut(index)
}

/// Who paid: an app, and whether it is the acquirer's own network.
fn random_issuer(acquirer: &str) -> (&'static str, &'static str) {
    const ISSUERS: [&str; 6] = ["gopay", "dana", "ovo", "shopeepay", "bca", "linkaja"];
    let issuer = ISSUERS[rand::thread_rng().gen_range(0..ISSUERS.len())];
    let own = match acquirer {
        "gopay" => "gopay",
        _ => "shopeepay",
    };
    (issuer, if issuer == own { "on-us" } else { "off-us" })
}

fn new_id() -> String {
    Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_spec() {
        let key = "SB-Mid-server-MaddStoreExample123";
        assert_eq!(
            signature("MS-7K3Q9XW2-1", "201", "20000.00", key),
            "daa26e3446317e2ebc9f648e884f65d01d72be659e73351ecf30a7c5d88bec89761fef09f98b00a6bf40807d7707f0784b3bd7ce11468c86b606ca4b8441ea4f"
        );
        assert_eq!(
            signature("MS-7K3Q9XW2-1", "202", "20000.00", key),
            "32f1f3aeb6c2571a5253609bcfb044f9249a18d3fa68f1b135852e43eaea1164f5b9a60564ecad80cf9b7c12018bb01349d5eaf526c1a10940bff821b8b6c76c"
        );
    }

    #[test]
    fn codes_follow_the_table() {
        assert_eq!(TxStatus::Expire.api_code(), "407");
        assert_eq!(TxStatus::Expire.notification_code(), "202");
        assert_eq!(TxStatus::Cancel.api_code(), "200");
        assert_eq!(TxStatus::Pending.notification_code(), "201");
    }

    #[test]
    fn debug_hides_the_key() {
        assert!(!format!("{:?}", Config::for_tests()).contains("Example123"));
    }

    #[test]
    fn faults_read_from_partial_json() {
        let f: Faults =
            serde_json::from_str(r#"{"http_mode":"mirror","fail_next":{"count":1,"status":500}}"#)
                .unwrap();
        assert_eq!(f.http_mode, HttpMode::Mirror);
        assert_eq!(f.fail_next.map(|f| (f.count, f.created)), Some((1, false)));
        assert!(!f.tamper);
    }
}
