//! A local Trakteer (`specs/trakteer.md` §5): the seller's tip page with a "Bayar" action, the
//! webhook to the store (production-shaped, token header, retries), the dashboard's "send test
//! webhook", the four read-only public API routes, and a control page listing supports and
//! webhook deliveries.
//!
//! Routes, relative to the mount point (the demo mounts it at `/sandbox/trakteer`):
//! - `GET /` — control page; `POST /webhook-status` (`enabled=true|false`) switches the webhook;
//! - `GET /{page}/tip`, `GET /{page}/tip/embed/modal` — the pay-link target;
//! - `POST /{page}/tip/pay` — the tip form; `POST /{page}/test-webhook` — a `test-…` event;
//! - `GET /api/v1/public/supports`, `GET …/transactions`, `GET …/current-balance`,
//!   `POST …/quantity-given` — the public API (header `key`).
//!
//! Deliberate choices where the real service is undocumented: a support's `order_id` is its own
//! UUID, different from the webhook's `transaction_id` (the store must not rely on them being
//! equal); `max_retries` counts retries after the first attempt (3 → up to 4 POSTs); like
//! Trakteer, the webhook switches itself off after three failed events in a row (each duplicate
//! copy counts as an event) until it is switched on again.

mod api;
mod delivery;
mod pages;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
pub use delivery::{Delivery, DeliveryOutcome};
use time::macros::offset;
use time::{OffsetDateTime, UtcOffset};
use tokio::sync::Notify;
use uuid::Uuid;

/// Trakteer lives in Western Indonesian Time.
const JAKARTA: UtcOffset = offset!(+7);
/// Failed webhook events in a row after which the webhook is switched off.
const FAILED_EVENTS_BEFORE_OFF: u32 = 3;
/// The largest quantity the tip form accepts.
pub const MAX_QUANTITY: i64 = 100_000;

#[derive(Clone)]
pub struct Config {
    /// The page slug: `maddstore` serves `/maddstore/tip`.
    pub page: String,
    pub creator_name: String,
    /// The creator's unit (`Koin`), shown on the page and sent as the webhook's `unit`.
    pub unit_name: String,
    pub unit_price: i64,
    /// Where the webhook goes; `None` records supports without delivering anything.
    pub webhook_url: Option<String>,
    /// Sent as `X-Webhook-Token`.
    pub webhook_token: String,
    /// Expected in the public API's `key` header.
    pub api_key: String,
    /// Trakteer's platform fee, in basis points of the total (500 = 5 %).
    pub platform_fee_bps: u32,
    /// The QRIS fee in basis points (78 = 0,78 %); other methods have their own, see
    /// [`PaymentMethod::fee_bps`].
    pub method_fee_bps: u32,
    /// Wait between two attempts of one webhook.
    pub retry_backoff: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Extra copies of every webhook, sent concurrently (idempotency tests).
    pub duplicate_deliveries: u32,
    /// Wait between the payment and the first webhook attempt.
    pub delivery_delay: Duration,
}

impl Config {
    /// Plausible delays for a person watching the demo.
    pub fn demo() -> Config {
        Config {
            page: "maddstore".into(),
            creator_name: "Madd Store".into(),
            unit_name: "Koin".into(),
            unit_price: 1000,
            webhook_url: None,
            webhook_token: "sandbox-webhook-token".into(),
            api_key: "sandbox-api-key".into(),
            platform_fee_bps: 500,
            method_fee_bps: 78,
            retry_backoff: Duration::from_secs(5),
            max_retries: 3,
            duplicate_deliveries: 0,
            delivery_delay: Duration::from_secs(1),
        }
    }

    /// The demo with no delays and test credentials.
    pub fn for_tests() -> Config {
        Config {
            webhook_token: "test-webhook-token".into(),
            api_key: "test-api-key".into(),
            retry_backoff: Duration::ZERO,
            delivery_delay: Duration::ZERO,
            ..Config::demo()
        }
    }
}

/// Credentials are fake here, but the store may log its sandbox configuration.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("page", &self.page)
            .field("creator_name", &self.creator_name)
            .field("unit_name", &self.unit_name)
            .field("unit_price", &self.unit_price)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_token", &"[redacted]")
            .field("api_key", &"[redacted]")
            .field("platform_fee_bps", &self.platform_fee_bps)
            .field("method_fee_bps", &self.method_fee_bps)
            .field("retry_backoff", &self.retry_backoff)
            .field("max_retries", &self.max_retries)
            .field("duplicate_deliveries", &self.duplicate_deliveries)
            .field("delivery_delay", &self.delivery_delay)
            .finish()
    }
}

/// How a supporter pays; each has its own fee.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    Qris,
    Gopay,
    Ovo,
    Dana,
    ShopeePay,
    LinkAja,
    VirtualAccount,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 7] = [
        PaymentMethod::Qris,
        PaymentMethod::Gopay,
        PaymentMethod::Ovo,
        PaymentMethod::Dana,
        PaymentMethod::ShopeePay,
        PaymentMethod::LinkAja,
        PaymentMethod::VirtualAccount,
    ];

    /// The value in the pay link's `payment_method` and the API's `payment_method`.
    pub fn slug(self) -> &'static str {
        match self {
            PaymentMethod::Qris => "qris",
            PaymentMethod::Gopay => "gopay",
            PaymentMethod::Ovo => "ovo",
            PaymentMethod::Dana => "dana",
            PaymentMethod::ShopeePay => "shopeepay",
            PaymentMethod::LinkAja => "linkaja",
            PaymentMethod::VirtualAccount => "va",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Qris => "QRIS",
            PaymentMethod::Gopay => "GoPay",
            PaymentMethod::Ovo => "OVO",
            PaymentMethod::Dana => "DANA",
            PaymentMethod::ShopeePay => "ShopeePay",
            PaymentMethod::LinkAja => "LinkAja",
            PaymentMethod::VirtualAccount => "Virtual Account Bank",
        }
    }

    pub fn from_slug(slug: &str) -> Option<PaymentMethod> {
        let slug = slug.trim();
        PaymentMethod::ALL
            .into_iter()
            .find(|m| m.slug().eq_ignore_ascii_case(slug))
    }

    /// The method's fee in basis points: QRIS from the configuration, the others sandbox figures
    /// in the range Indonesian gateways charge (not Trakteer's price list).
    pub fn fee_bps(self, config: &Config) -> u32 {
        match self {
            PaymentMethod::Qris => config.method_fee_bps,
            PaymentMethod::Gopay | PaymentMethod::ShopeePay => 200,
            PaymentMethod::Ovo | PaymentMethod::Dana | PaymentMethod::LinkAja => 150,
            PaymentMethod::VirtualAccount => 100,
        }
    }
}

/// A tip as the tip form submits it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayRequest {
    pub quantity: i64,
    /// Empty means anonymous (`Seseorang`, as Trakteer shows it).
    pub display_name: String,
    pub message: String,
    /// A [`PaymentMethod`] slug (`qris`, `gopay`, …).
    pub method: String,
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    #[error("jumlah harus antara 1 dan {MAX_QUANTITY} (bukan {0})")]
    Quantity(i64),
    #[error("metode pembayaran tidak dikenal: {0}")]
    UnknownMethod(String),
}

/// A support received (always `success` here: the sandbox has no failed payments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    /// The webhook's `transaction_id` (UUID).
    pub transaction_id: String,
    /// The public API's `order_id` (another UUID, see the module notes).
    pub order_id: String,
    /// In Jakarta time, whole seconds.
    pub created_at: OffsetDateTime,
    pub supporter_name: String,
    pub supporter_email: Option<String>,
    pub message: String,
    pub quantity: i64,
    pub unit_price: i64,
    /// `quantity × unit_price`, what the supporter paid.
    pub total: i64,
    pub platform_fee: i64,
    pub method_fee: i64,
    /// `total − platform_fee − method_fee`, what the creator receives.
    pub net_amount: i64,
    pub method: PaymentMethod,
    pub status: String,
}

/// `amount × bps / 10 000` rounded half up, in integers. The fee model: net = total −
/// fee(total, platform) − fee(total, method), each fee rounded on its own as a payment
/// processor's statement shows it.
fn fee(amount: i64, bps: u32) -> i64 {
    let exact = i128::from(amount) * i128::from(bps);
    let rounded = (exact + 5_000).div_euclid(10_000);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

fn now_jakarta() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc().to_offset(JAKARTA);
    now.replace_nanosecond(0).unwrap_or(now)
}

/// The handle: cheap to clone, every clone sees the same supports and knobs.
#[derive(Clone)]
pub struct TrakteerSim {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    http: reqwest::Client,
    /// Woken whenever a webhook copy has finished all its attempts.
    delivered: Notify,
}

struct State {
    config: Config,
    webhook_enabled: bool,
    failed_events_in_a_row: u32,
    supports: Vec<Support>,
    deliveries: Vec<Delivery>,
    /// Webhook copies not finished yet, per transaction id.
    in_flight: HashMap<String, u32>,
}

impl TrakteerSim {
    /// # Panics
    /// If the unit price is not positive.
    pub fn new(config: Config) -> TrakteerSim {
        assert!(config.unit_price > 0, "the unit price must be positive");
        TrakteerSim {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    config,
                    webhook_enabled: true,
                    failed_events_in_a_row: 0,
                    supports: Vec::new(),
                    deliveries: Vec::new(),
                    in_flight: HashMap::new(),
                }),
                http: delivery::client(),
                delivered: Notify::new(),
            }),
        }
    }

    /// The routes, relative to wherever the caller mounts them (see the module docs).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(pages::control))
            .route("/webhook-status", post(pages::webhook_status))
            .route("/{page}/tip", get(pages::tip))
            .route("/{page}/tip/embed/modal", get(pages::tip_modal))
            .route("/{page}/tip/pay", post(pages::pay))
            .route("/{page}/test-webhook", post(pages::test_webhook))
            .route("/api/v1/public/supports", get(api::supports))
            .route("/api/v1/public/transactions", get(api::transactions))
            .route("/api/v1/public/current-balance", get(api::current_balance))
            .route("/api/v1/public/quantity-given", post(api::quantity_given))
            .with_state(self.clone())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No code path leaves the state half-updated, so a panic elsewhere does not poison it.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn config(&self) -> Config {
        self.state().config.clone()
    }

    /// Pays a tip as the form does: records the support and sends its webhook in the background.
    /// Must run inside a Tokio runtime.
    pub fn pay(&self, request: PayRequest) -> Result<Support, PayError> {
        if !(1..=MAX_QUANTITY).contains(&request.quantity) {
            return Err(PayError::Quantity(request.quantity));
        }
        let method = PaymentMethod::from_slug(&request.method)
            .ok_or_else(|| PayError::UnknownMethod(request.method.clone()))?;
        let (support, body) = {
            let mut state = self.state();
            let config = &state.config;
            let total = request
                .quantity
                .checked_mul(config.unit_price)
                .ok_or(PayError::Quantity(request.quantity))?;
            let platform_fee = fee(total, config.platform_fee_bps);
            let method_fee = fee(total, method.fee_bps(config));
            let name = request.display_name.trim();
            let support = Support {
                transaction_id: Uuid::new_v4().to_string(),
                order_id: Uuid::new_v4().to_string(),
                created_at: now_jakarta(),
                supporter_name: if name.is_empty() { "Seseorang" } else { name }.to_string(),
                supporter_email: request
                    .email
                    .map(|e| e.trim().to_string())
                    .filter(|e| !e.is_empty()),
                message: request.message,
                quantity: request.quantity,
                unit_price: config.unit_price,
                total,
                platform_fee,
                method_fee,
                net_amount: total - platform_fee - method_fee,
                method,
                status: "success".into(),
            };
            let body = delivery::tip_body(&support, config);
            state.supports.push(support.clone());
            (support, body)
        };
        self.dispatch(&support.transaction_id, body);
        Ok(support)
    }

    /// The dashboard's "Send Webhook Test": a `test-…` event shaped like the documented example
    /// (one unit, media object), recorded only among the deliveries. Answers its transaction id.
    pub fn send_test_webhook(&self) -> String {
        let transaction_id = format!("test-{}", Uuid::new_v4());
        let body = delivery::test_body(&transaction_id, &self.state().config);
        self.dispatch(&transaction_id, body);
        transaction_id
    }

    /// Every support, oldest first.
    pub fn supports(&self) -> Vec<Support> {
        self.state().supports.clone()
    }

    /// Every webhook attempt, in the order they finished.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().deliveries.clone()
    }

    /// The attempts for one transaction, in the order they finished.
    pub fn deliveries_for(&self, transaction_id: &str) -> Vec<Delivery> {
        self.state()
            .deliveries
            .iter()
            .filter(|d| d.transaction_id == transaction_id)
            .cloned()
            .collect()
    }

    pub fn set_webhook_url(&self, url: Option<String>) {
        self.state().config.webhook_url = url;
    }

    pub fn set_webhook_token(&self, token: String) {
        self.state().config.webhook_token = token;
    }

    pub fn set_duplicate_deliveries(&self, copies: u32) {
        self.state().config.duplicate_deliveries = copies;
    }

    /// Off: supports are recorded but no webhook is sent (only the API can find them). On: also
    /// forgets earlier failures, as re-enabling the webhook in Trakteer's settings does.
    pub fn set_webhook_enabled(&self, enabled: bool) {
        let mut state = self.state();
        state.webhook_enabled = enabled;
        if enabled {
            state.failed_events_in_a_row = 0;
        }
    }

    /// False after [`TrakteerSim::set_webhook_enabled`]`(false)` or three failed events in a row.
    pub fn webhook_enabled(&self) -> bool {
        self.state().webhook_enabled
    }

    /// Returns once every webhook copy for `transaction_id` has finished (delivered, or failed
    /// after its retries). Returns at once when nothing is in flight for it (webhook off, no
    /// URL, unknown id, or already done).
    pub async fn wait_delivered(&self, transaction_id: &str) {
        self.wait_until(|state| !state.in_flight.contains_key(transaction_id))
            .await;
    }

    /// Returns once no webhook copy is in flight at all.
    pub async fn wait_all_delivered(&self) {
        self.wait_until(|state| state.in_flight.is_empty()).await;
    }

    async fn wait_until(&self, done: impl Fn(&State) -> bool) {
        loop {
            // Registered before the check, so a copy finishing in between still wakes us.
            let notified = self.inner.delivered.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if done(&self.state()) {
                return;
            }
            notified.await;
        }
    }

    fn balance(&self) -> i64 {
        self.state()
            .supports
            .iter()
            .filter(|s| s.status == "success")
            .map(|s| s.net_amount)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_match_the_spec_examples() {
        // Platform 5 % only: 5 000 → 4 750 (the documented example).
        assert_eq!(5000 - fee(5000, 500), 4750);
        // 5 % + QRIS 0,78 %: 5 000 → 4 711 (the production case).
        assert_eq!(5000 - fee(5000, 500) - fee(5000, 78), 4711);
        // Half up: 5 % of 10 = 0,5 → 1; of 9 = 0,45 → 0; of 30 = 1,5 → 2.
        assert_eq!(fee(10, 500), 1);
        assert_eq!(fee(9, 500), 0);
        assert_eq!(fee(30, 500), 2);
        assert_eq!(fee(0, 500), 0);
    }

    #[test]
    fn methods_round_trip_their_slugs() {
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::from_slug(m.slug()), Some(m));
        }
        assert_eq!(
            PaymentMethod::from_slug(" QRIS "),
            Some(PaymentMethod::Qris)
        );
        assert_eq!(PaymentMethod::from_slug("bitcoin"), None);
    }

    #[test]
    fn debug_hides_credentials() {
        let text = format!("{:?}", Config::for_tests());
        assert!(!text.contains("test-webhook-token") && !text.contains("test-api-key"));
    }
}
