//! A local Digiflazz buyer API (spec: `shared/specs/digiflazz.md`, §11): one buyer account, a
//! seeded price list, the five endpoints with Digiflazz's `{"data": …}` envelope, `md5` signs
//! and rc codes, the deposit held on Pending/Sukses and given back on Gagal, transactions keyed
//! by `ref_id` (the same request again is the status check), signed webhooks, the documented
//! test cases of development keys, and fault knobs. Mount [`DigiflazzSim::router`] anywhere;
//! the API lives under `v1/` of the mount point (the store mounts it at `/sandbox/digiflazz`, so
//! its base URL is `…/sandbox/digiflazz/v1`).
//!
//! # Routes (relative to the mount point)
//! - `POST /v1/cek-saldo`, `/v1/price-list` (`cmd` = `prepaid` | `pasca`), `/v1/transaction`
//!   (a prepaid topup or its re-check; with `commands` = `inq-pasca` | `pay-pasca` |
//!   `status-pasca`), `/v1/inquiry-pln`, `/v1/deposit`: JSON bodies, JSON answers.
//! - `GET /`: the control page (balance, knobs, transactions newest first with release buttons).
//! - `POST /control`: the knobs, as a form (redirects back to the page) or JSON (answers with the
//!   state). Fields: `action` =
//!   `set_balance` (`balance`);
//!   `set_fault` (`fault` = `slow`+`slow_ms` | `server_error` | `malformed` | `drop_answer` |
//!   `none`); `clear_fault`;
//!   `force_rc` (`rc`, two digits from the table; empty or `none` clears);
//!   `set_available` (`sku`, `available` = true|false);
//!   `drop_webhooks` / `duplicate_webhooks` (`enabled` = true|false);
//!   `release` (`ref_id`, `success` = true|false);
//!   `set_webhook_url` (`webhook_url`, empty to remove).
//! - `GET /control/counts`: `{"transactions": n, "transaction_calls": n, "webhooks_sent": n}`
//!   (formed transactions, calls that reached `/v1/transaction` whatever their fate, webhook
//!   POSTs attempted, duplicates included).
//!
//! The same knobs as Rust methods: [`DigiflazzSim::set_balance`], [`DigiflazzSim::set_fault`] /
//! [`DigiflazzSim::clear_fault`], [`DigiflazzSim::force_rc`], [`DigiflazzSim::set_available`],
//! [`DigiflazzSim::set_drop_webhooks`], [`DigiflazzSim::set_duplicate_webhooks`],
//! [`DigiflazzSim::release`], [`DigiflazzSim::set_webhook_url`].
//!
//! # Checks, in order, on every API call
//! 1. the fault knob (`ServerError` → HTTP 500 HTML page, `Malformed` → HTTP 200 with broken
//!    JSON; nothing processed);
//! 2. the body: a JSON object with the endpoint's fields of the right JSON type (strings, `bool`
//!    for `testing`/`allow_dot`, integers for `max_price`/`amount`), else rc 40 `Payload Error:
//!    <field>`;
//! 3. `username` (else rc 42), `sign` = lowercase `md5(username + apiKey + suffix)` with the
//!    suffix `depo` (cek-saldo), `pricelist`, `deposit`, the `ref_id` (transaction) or the
//!    `customer_no` (inquiry-pln) (else rc 41 `Signature Anda salah`);
//! 4. the peer IP in `ip_whitelist` when it is not empty (else rc 45 `IP Anda tidak kami kenali:
//!    1.2.3.4`; the IP comes from `ConnectInfo<SocketAddr>`, so serve with
//!    `into_make_service_with_connect_info`; without it a non-empty list refuses everyone).
//!
//! Rejections answer `{"data": {"rc", "message", "status": "Gagal"}}` (transaction rejections
//! also echo `ref_id`, `customer_no`, `buyer_sku_code`, `buyer_last_saldo`, `price`, `sn`).
//! HTTP status: 400 for rc 40–49, 200 for everything else (Digiflazz is loose here; clients
//! must read the body).
//!
//! # Modes
//! A key starting with `dev-` is a development key: `/v1/transaction` needs `testing: true`
//! (else rc 41, even with the right sign) and knows only the test SKUs — prepaid `xld10` and
//! postpaid `pln` — any other SKU is rc 41 too. Test transactions never touch the account's
//! balance (testing is no real charge); they report the documented figures: `buyer_last_saldo`
//! 1 000 000 before, 990 000 after the Rp 10 000 `xld10` (1 000 000 again when it fails).
//! - `xld10`: `087800001230` Sukses rc 00 SN `1234567890`; `087800001232` Gagal rc 02;
//!   `087800001233` Pending, then Sukses; `087800001234` Pending, then Gagal; any other number
//!   Gagal rc 54 (formed).
//! - `pln`: `530000000001` one bill (admin 2 500, price 10 000, selling_price 11 000) paid
//!   Sukses; `530000000002` two bills (admin 5 000, price 23 000, selling_price 25 000);
//!   `530000000003` inquiry Gagal rc 02; `530000000006` payment Gagal; `630000000001` /
//!   `630000000002` payment Pending then Sukses (1 / 2 bills); `630000000006` Pending then
//!   Gagal; any other number: inquiry Gagal rc 54.
//!
//! Any other key is a production key: `testing` is ignored and the seeded price list is served
//! ([`catalogue::PREPAID`], [`catalogue::PASCA`]).
//!
//! # Deterministic behaviour tests can rely on (production key)
//! - **`ref_id`**: the first call creates the transaction; the same `ref_id` with the same SKU
//!   (any case) and `customer_no` returns its current state and never charges again; the same
//!   `ref_id` with another SKU or number (or used by the other kind, prepaid vs pasca) is rc 49,
//!   nothing charged.
//! - **Order of refusals** for a new topup: unknown SKU rc 43; [`DigiflazzSim::force_rc`]; seller
//!   off or no stock (seeded `FF720`, `PUBG660`, or [`DigiflazzSim::set_available`]) rc 68;
//!   `max_price` below the price rc 69; price above the balance rc 44. None of them forms a
//!   transaction.
//! - **Outcome by the last two digits of `customer_no`** (games: user id and zone concatenated):
//!   `32` → Gagal rc 02 at once (nothing kept); `33` → Pending rc 03, later Sukses; `34` →
//!   Pending, later Gagal rc 02 with the price given back; anything else → Sukses rc 00 at once.
//!   Pending and Sukses hold the price; `buyer_last_saldo` is the balance after the transaction's
//!   last change.
//! - **SN** on Sukses: PLN tokens `dddd-dddd-dddd-dddd-dddd/NAME-NAME/R1/1300VA/13.8KWH` (token
//!   from the `ref_id`, owner and power by the inquiry rule below, kWh = value / tariff); others 16
//!   digits derived from the `ref_id`. Empty while Pending and on Gagal.
//! - **Pending** ends after `pending_for` (`None`: held until [`DigiflazzSim::release`] or the
//!   page's buttons).
//! - **`force_rc`** applies to every new topup and `pay-pasca` while set: `00` Sukses, `03`/`99`
//!   Pending (ends Sukses), other rcs whose table column says "formed" a recorded Gagal with
//!   nothing kept, the others a refusal with no record. With `86` it also answers every
//!   `/inquiry-pln`. Re-checks of existing transactions are unaffected.
//! - **`/inquiry-pln`** (no `testing`, both modes): `32123456789` → `BUDI SANTOSO`, `R1
//!   /000001300`; any other 11–12 digit number not ending in `9` → a stable generated upper-case
//!   name and `R1 /000000900`, `R1 /000001300` or `R1 /000002200` from its digits; everything
//!   else → Gagal rc 54 `IDPEL/No Meter salah`, no name. 11 digits are the meter number (the
//!   `subscriber_id` is generated), 12 digits the IDPEL (the `meter_no` is generated).
//! - **Postpaid** `pln` (production): `inq-pasca` for 12-digit numbers not ending in `9` finds one
//!   bill of `45 000 + 37 × (last four digits)` for the current month plus admin 2 500 (others:
//!   Gagal rc 54; a `ref_id` already used: rc 49); `price` = selling price − commission 1 000.
//!   `pay-pasca` needs the same `ref_id`, SKU and number as a successful inquiry (unknown `ref_id`
//!   → rc 50, nothing recorded) and follows the last-two-digits rule; paying again returns the
//!   payment. `status-pasca` returns the payment (an inquiry not yet paid: rc 50).
//! - **`/deposit`**: `bank` (or `Bank`) `BCA`/`MANDIRI`/`BRI`/`BNI` → `Bank Transfer`, `Flip` /
//!   `ShopeePay` → `Virtual Account`, others rc 64; `amount` must be a positive integer (else rc
//!   40); the ticket's `amount` adds a unique code of 1–999, `notes` is a 7-character code. A
//!   ticket does not change the balance (use `set_balance`).
//! - **Price list**: the full list (no `code`) of each `cmd` again within `price_list_every` →
//!   rc 83 as an object under `data` (HTTP 200). Filters `code`, `category`, `brand`, `type`
//!   match without regard to case. Cut-off windows and `multi` are listed but not enforced.
//!
//! # Faults
//! `Slow(d)`: the call is processed, then its answer held for `d`. `ServerError`, `Malformed`:
//! nothing is processed. `DropAnswer`: `/v1/transaction` calls are processed (recorded and
//! charged when valid) and answered with HTTP 502; other calls are unaffected. `Config::delay`
//! holds every answer.
//!
//! # Webhooks
//! Every formed topup or payment POSTs event `create`, every later change `update`, to the
//! request's `cb_url` or else the webhook URL: body `{"data": {…the topup answer's fields…}}`
//! (postpaid: the `pay-pasca` answer) serialised once, headers `Content-Type:
//! application/json`, `X-Digiflazz-Event`, `X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, exact
//! body bytes)>` (only with a non-empty secret), `User-Agent: Digiflazz-Hookshot` (postpaid
//! `Digiflazz-Pasca-Hookshot`), `X-Digiflazz-Delivery: <uuid>`. One background task sends them
//! in order, one at a time; failures are logged, never retried. `drop_webhooks` sends nothing;
//! `duplicate_webhooks` sends each one twice (same bytes, same delivery id);
//! [`DigiflazzSim::set_webhook_copies`] sends `n` copies at the same moment.

pub mod catalogue;
mod control;
mod routes;
mod state;
mod webhook;

use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;

use self::state::{State, Trx};
use self::webhook::Webhooks;

/// The simulated buyer account and its timing.
#[derive(Clone)]
pub struct Config {
    pub username: String,
    /// A key starting with `dev-` makes the simulator a development account (see the module docs).
    pub api_key: String,
    /// The starting deposit, whole rupiah.
    pub balance: i64,
    /// Allowed client IPs; empty allows every IP.
    pub ip_whitelist: Vec<IpAddr>,
    /// The panel's webhook URL; `None` sends no webhooks (unless a request has `cb_url`).
    pub webhook_url: Option<String>,
    /// The HMAC-SHA1 key of `X-Hub-Signature`; empty sends no signature.
    pub webhook_secret: String,
    /// How long a Pending transaction stays pending; `None` = until released.
    pub pending_for: Option<Duration>,
    /// The full price list (per `cmd`) at most once per this; `ZERO` = no limit.
    pub price_list_every: Duration,
    /// Held before every API answer.
    pub delay: Option<Duration>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Even a sandbox key stays out of logs, so a real key pasted here never leaks.
        f.debug_struct("Config")
            .field("username", &self.username)
            .field("api_key", &"[redacted]")
            .field("balance", &self.balance)
            .field("ip_whitelist", &self.ip_whitelist)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &"[redacted]")
            .field("pending_for", &self.pending_for)
            .field("price_list_every", &self.price_list_every)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Config {
    /// The demo account: `sandbox-digiflazz` / `sandbox-digiflazz-key`, Rp 5.000.000, pending
    /// for 5 s, the full price list once per 5 minutes.
    pub fn demo() -> Self {
        Config {
            username: "sandbox-digiflazz".to_string(),
            api_key: "sandbox-digiflazz-key".to_string(),
            balance: 5_000_000,
            ip_whitelist: Vec::new(),
            webhook_url: None,
            webhook_secret: "sandbox-digiflazz-secret".to_string(),
            pending_for: Some(Duration::from_secs(5)),
            price_list_every: Duration::from_secs(5 * 60),
            delay: None,
        }
    }

    /// Rp 1.000.000, pending until released, no price-list limit.
    pub fn for_tests() -> Self {
        Config {
            balance: 1_000_000,
            pending_for: None,
            price_list_every: Duration::ZERO,
            ..Config::demo()
        }
    }

    /// A `dev-…` key: development mode.
    pub fn is_development(&self) -> bool {
        self.api_key.starts_with("dev-")
    }
}

/// A failure to simulate, until cleared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Process the call, then hold the answer this long.
    Slow(Duration),
    /// HTTP 500 with an HTML page, nothing processed.
    ServerError,
    /// HTTP 200 with a body that is not JSON, nothing processed.
    Malformed,
    /// `/v1/transaction` calls are processed, but answered with HTTP 502.
    DropAnswer,
}

/// A transaction as the simulator holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimTransaction {
    pub ref_id: String,
    /// `topup`, `inq-pasca` (an inquiry not paid yet) or `pay-pasca`.
    pub command: &'static str,
    /// As the first request spelled it.
    pub sku: String,
    pub customer_no: String,
    /// `Sukses`, `Pending` or `Gagal`.
    pub status: &'static str,
    pub rc: String,
    pub message: String,
    /// What it costs (kept from the balance while Pending/Sukses, unless `testing`).
    pub price: i64,
    pub sn: String,
    pub buyer_last_saldo: i64,
    /// A development-key test transaction.
    pub testing: bool,
    /// 0 for the first transaction, 1 for the next, …
    pub index: usize,
}

impl From<&Trx> for SimTransaction {
    fn from(t: &Trx) -> SimTransaction {
        SimTransaction {
            ref_id: t.ref_id.clone(),
            command: t.command(),
            sku: t.sku.clone(),
            customer_no: t.customer_no.clone(),
            status: t.status.as_str(),
            rc: t.rc.clone(),
            message: t.message.clone(),
            price: t.price,
            sn: t.sn.clone(),
            buyer_last_saldo: t.buyer_last_saldo,
            testing: t.testing,
            index: t.index,
        }
    }
}

/// What `GET /control/counts` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Formed transactions (one per `ref_id`, pasca inquiries included).
    pub transactions: usize,
    /// Calls that reached `/v1/transaction`, whatever their fate.
    pub transaction_calls: usize,
    /// Webhook POSTs attempted (duplicates count twice, dropped ones not at all).
    pub webhooks_sent: usize,
}

/// A deposit ticket issued by `/v1/deposit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositTicket {
    pub bank: String,
    pub owner_name: String,
    /// What to transfer: the amount asked for plus a unique code.
    pub amount: i64,
    pub notes: String,
}

/// The simulator: a cheap-to-clone handle.
#[derive(Clone)]
pub struct DigiflazzSim {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    state: Mutex<State>,
    webhooks: Webhooks,
}

/// `md5(username + api_key + suffix)` in lowercase hex: Digiflazz's `sign`.
pub fn sign(username: &str, api_key: &str, suffix: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(username.as_bytes());
    hasher.update(api_key.as_bytes());
    hasher.update(suffix.as_bytes());
    hex::encode(hasher.finalize())
}

/// `sha1=` + hex HMAC-SHA1 of `body` under `secret`: the `X-Hub-Signature` header.
pub fn webhook_signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

impl DigiflazzSim {
    pub fn new(config: Config) -> DigiflazzSim {
        let state = State::new(config.balance, config.webhook_url.clone());
        DigiflazzSim {
            inner: Arc::new(Inner {
                webhooks: Webhooks::new(config.webhook_secret.clone()),
                state: Mutex::new(state),
                config,
            }),
        }
    }

    /// The API and the control page, relative to the mount point.
    pub fn router(&self) -> Router {
        routes::api_routes()
            .merge(control::control_routes())
            .with_state(self.clone())
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn balance(&self) -> i64 {
        self.with_state(|s| s.balance)
    }

    pub fn set_balance(&self, balance: i64) {
        self.with_state(|s| s.balance = balance);
    }

    /// Every transaction, oldest first.
    pub fn transactions(&self) -> Vec<SimTransaction> {
        self.with_state(|s| s.trxs.iter().map(SimTransaction::from).collect())
    }

    pub fn transaction(&self, ref_id: &str) -> Option<SimTransaction> {
        self.with_state(|s| s.find(ref_id).map(|i| SimTransaction::from(&s.trxs[i])))
    }

    /// Waits until every webhook queued so far has been delivered (or given up on).
    pub async fn wait_all_delivered(&self) {
        self.inner.webhooks.wait_all_delivered().await;
    }

    pub fn counts(&self) -> Counts {
        let (transactions, transaction_calls) =
            self.with_state(|s| (s.trxs.len(), s.transaction_calls));
        Counts {
            transactions,
            transaction_calls,
            webhooks_sent: self.inner.webhooks.sent(),
        }
    }

    /// The deposit tickets issued, oldest first.
    pub fn deposit_tickets(&self) -> Vec<DepositTicket> {
        self.with_state(|s| s.deposits.clone())
    }

    pub fn fault(&self) -> Option<Fault> {
        self.with_state(|s| s.fault.clone())
    }

    pub fn set_fault(&self, fault: Fault) {
        self.with_state(|s| s.fault = Some(fault));
    }

    pub fn clear_fault(&self) {
        self.with_state(|s| s.fault = None);
    }

    /// Applies `rc` (two digits from the rc table) to every new transaction until cleared with
    /// `None`. `Err` for an rc the table does not have.
    pub fn force_rc(&self, rc: Option<&str>) -> Result<(), String> {
        let rc = match rc.map(str::trim) {
            None | Some("") | Some("none") => None,
            Some(rc) => Some(
                catalogue::rc_entry(rc)
                    .ok_or_else(|| format!("rc {rc} is not in Digiflazz's table"))?
                    .0,
            ),
        };
        self.with_state(|s| s.forced_rc = rc);
        Ok(())
    }

    pub fn forced_rc(&self) -> Option<&'static str> {
        self.with_state(|s| s.forced_rc)
    }

    /// Puts a seeded product out of stock (`false`: listed with limited stock 0, refused with rc
    /// 68) or back in (`true`: seller up, unlimited stock). `false` for an unknown SKU.
    pub fn set_available(&self, sku: &str, available: bool) -> bool {
        let Some(product) = catalogue::product(sku) else {
            return false;
        };
        self.with_state(|s| {
            s.availability.insert(product.sku, available);
        });
        true
    }

    /// Whether a seeded product can be bought now.
    pub fn available(&self, sku: &str) -> bool {
        catalogue::product(sku).is_some_and(|p| self.with_state(|s| s.is_available(p)))
    }

    /// Sends no webhooks while set.
    pub fn set_drop_webhooks(&self, drop: bool) {
        self.with_state(|s| s.drop_webhooks = drop);
    }

    /// Sends every webhook twice while set.
    pub fn set_duplicate_webhooks(&self, duplicate: bool) {
        self.with_state(|s| s.webhook_copies = if duplicate { 2 } else { 1 });
    }

    /// Sends every webhook `copies` times at the same moment (a retry storm): 1 is normal.
    pub fn set_webhook_copies(&self, copies: u8) {
        self.with_state(|s| s.webhook_copies = copies.max(1));
    }

    /// Ends a Pending transaction now: Sukses with an SN, or Gagal with the price given back.
    /// `false` when there is no such transaction or it is not Pending.
    pub fn release(&self, ref_id: &str, success: bool) -> bool {
        self.with_state(|s| s.release(ref_id, success))
    }

    pub fn webhook_url(&self) -> Option<String> {
        self.with_state(|s| s.webhook_url.clone())
    }

    pub fn set_webhook_url(&self, url: Option<String>) {
        self.with_state(|s| s.webhook_url = url.filter(|u| !u.trim().is_empty()));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters to a simulator; keep serving.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state brought up to date, then queues the webhooks of what changed (while
    /// still holding the lock, so they leave in the order the changes happened).
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.lock();
        state.tick(Instant::now(), self.inner.config.pending_for);
        let result = f(&mut state);
        let events = state.take_outbox();
        if !events.is_empty() {
            self.inner.webhooks.send(&state, events);
        }
        result
    }

    /// Makes a Pending transaction end (and its webhook leave) on time even if nobody asks.
    fn schedule(&self, created: Instant) {
        let Some(pending_for) = self.inner.config.pending_for else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let sim = self.clone();
        runtime.spawn(async move {
            tokio::time::sleep_until((created + pending_for).into()).await;
            sim.with_state(|_| ());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_sign() {
        assert_eq!(
            sign("username", "apikey", "depo"),
            "e251663c764fe6136a8f9c6861720241"
        );
    }

    #[test]
    fn the_documented_webhook_signature() {
        assert_eq!(
            webhook_signature("secret", br#"{"data":{"ref_id":"r1"}}"#),
            "sha1=e03e679a098edfd4931952b6e2816e5a73715fe0"
        );
    }

    #[test]
    fn debug_redacts_the_key_and_secret() {
        let text = format!("{:?}", Config::demo());
        assert!(!text.contains("sandbox-digiflazz-key"), "{text}");
        assert!(!text.contains("sandbox-digiflazz-secret"), "{text}");
        assert!(text.contains("sandbox-digiflazz"));
        assert!(!Config::demo().is_development());
        assert!(Config {
            api_key: "dev-123".into(),
            ..Config::demo()
        }
        .is_development());
    }
}
