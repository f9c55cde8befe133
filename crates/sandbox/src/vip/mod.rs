//! A local VIP Reseller (spec: `shared/specs/vip-reseller.md`, §6): one reseller account, a
//! seeded catalogue, the four API endpoints with VIP's envelope and messages (HTTP 200 for
//! errors), balance debit and refund, orders that progress with time, signed callbacks, and fault
//! knobs. Mount [`VipSim::router`] anywhere; the API lives under `api/` of the mount point.
//!
//! # Routes (relative to the mount point)
//! - `POST /api/profile`, `/api/game-feature`, `/api/prepaid`, `/api/postpaid`: the API, with
//!   `application/x-www-form-urlencoded` or `multipart/form-data` bodies.
//! - `GET /`: the control page (account, knobs, orders with release buttons).
//! - `POST /control`: the knobs, as a form (redirects back to the page) or JSON (answers with the
//!   state). Fields: `action` = `set_balance` (`balance`), `set_fault` (`fault` =
//!   `slow`+`slow_ms` | `server_error` | `malformed` | `maintenance` | `drop_order_answer` |
//!   `fail_orders` | `none`), `clear_fault`, `release` (`trxid`, `success` = true|false),
//!   `set_callback_url` (`callback_url`, empty to remove).
//!
//! # Checks, in order, on every API call
//! 1. the fault knob (`ServerError` → HTTP 500, `Malformed` → HTTP 200 with broken JSON,
//!    `Maintenance` → `Ada pemeliharaan sistem API, coba lagi nanti.`);
//! 2. `key`/`sign` present (else `Masih ada parameter yang kosong.`), `key` right (else
//!    `API Key not registered.`), `sign` = lowercase `md5(api_id + api_key)` (else
//!    `API Signature not valid.`), the peer IP in the whitelist when there is one (else
//!    `IP 1.2.3.4 is not permitted`; the IP comes from `ConnectInfo<SocketAddr>`, so serve with
//!    `into_make_service_with_connect_info`; without it a non-empty whitelist refuses everyone).
//!
//! # Deterministic behaviour tests can rely on
//! - **trxid**: `VP` + 7 digits, increasing by one per order, unique per simulator (the first
//!   number is random so that restarts of the demo do not reuse ids).
//! - **Prices**: the account pays the column of its `level` (`Basic`/`Premium`/`Special`, any
//!   case; anything else pays Basic). Spec example `ML1048-S1` costs 195 695 at Premium;
//!   `ML14-S14` is 3310/3260/3235. `GI8080-S1` (game) and `TRIAON6` (prepaid) are `empty`.
//! - **Outcome by the last character of `data_no`**: `2` → `error`, note `Nomor tujuan salah.`,
//!   refunded; `3` → stays `processing` until released; anything else → `success` with a note
//!   that is: for `token-pln` a 20-digit token `dddd-dddd-dddd-dddd-dddd`; for other prepaid
//!   items `0412` + 14 digits; for games 16 digits; for PLN postpaid `REF` + 16 digits (all
//!   derived from the trxid). A game order for a game with zones (Mobile Legends, Genshin, HSR)
//!   without `data_zone` ends in `error`, note `Zone tujuan salah.`, refunded.
//! - **Timing**: `waiting` until `processing_after` after the order, then `processing` (note
//!   `Pesanan sedang diproses.`), final at `complete_after` after the order. The status is
//!   computed on every call, so with zero delays the first `status` call shows the final state
//!   (the order answer itself always says `waiting`). A released order ends at once.
//! - **Nicknames** (`get-nickname`): ids starting with `9` are unknown (`ID tidak ditemukan.`);
//!   named accounts: ML `123456780` zone `2345` → `Itacimo`; ML `123666660` zone `6666` →
//!   `<script>alert(1)</script>`; Free Fire `1234567890` → `Budi Gaming`; PUBGM `5123456780` →
//!   `Sultan_PUBG`; Genshin `800000001` `os_asia` → `Aether`; HSR `800000002`
//!   `prod_official_asia` → `Trailblazer` (a named id with another zone is unknown). Any other id
//!   of the right shape gets a stable generated name (e.g. `Rakadi42`); Valorant (`name#tag`)
//!   answers the Riot ID itself. ML answers add `"country": {"code": "ID", "name":
//!   "Indonesia"}`. Shapes: ML 5–12 digits + zone 4–5 digits (required), Free Fire 6–12, PUBGM
//!   5–12, Genshin/HSR 9–10 digits + a server (required), CODM/AoV 6–20, Higgs/PB 5–12. Missing
//!   zone → `Masih ada parameter yang kosong.`; unknown game code → `Layanan tidak ditemukan…`.
//! - **PLN postpaid** (`PLNPASCA`): customer numbers of 11–12 digits not ending in `9` have a bill
//!   of `45 000 + 37 × (last four digits)` plus admin 2 500 and a stable name; others answer
//!   `Tagihan tidak ditemukan.`. `pay-pasca` charges bill + admin and follows the outcome rules.
//! - **Status**: `type=status` on an endpoint only sees that endpoint's orders (a prepaid trxid is
//!   unknown to `game-feature`); `limit=n` lists them newest first.
//! - **Made-up messages** (the spec has none): unknown `type` → `Permintaan tidak valid.`; bill
//!   inquiry success → `Cek tagihan berhasil.`.
//!
//! # Faults
//! `Slow(d)`: the call is processed, then its answer held for `d` (an order times out on the
//! client but exists). `ServerError`, `Malformed`, `Maintenance`: nothing is processed.
//! `DropOrderAnswer`: order calls (`type=order`, postpaid `pay-pasca`) are processed (recorded and
//! charged when valid) and answered with HTTP 502; other calls are unaffected.
//! `FailOrders`: order calls are accepted and charged as usual (the answer says `waiting`), but
//! every order placed while it is set ends in `error`, note `Stok sedang kosong.`, and is
//! refunded, at its normal completion time (with zero delays: at the first status call) — so a
//! store with a second supplier can be seen failing over. Orders placed before are unaffected.
//!
//! # Callbacks
//! With a callback URL, every status change (`processing`, then `success`/`error`) is POSTed as
//! `{"data": {trxid, data, zone, service, status, note, price}}` with `X-Client-Signature:
//! md5(api_id + api_key)`, in order, one at a time, by a background task (failures are logged).

mod callback;
pub(crate) mod catalogue;
mod control;
mod params;
mod routes;
mod state;

use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use md5::{Digest, Md5};

use self::callback::Callbacks;
use self::catalogue::Catalogue;
use self::state::{Order, State};

/// The simulated reseller account and its timing.
#[derive(Clone)]
pub struct Config {
    pub api_id: String,
    pub api_key: String,
    /// `Basic`, `Premium` or `Special`: which price column the account pays.
    pub level: String,
    pub username: String,
    /// The starting balance, whole rupiah.
    pub balance: i64,
    /// Allowed client IPs; empty allows every IP.
    pub ip_whitelist: Vec<IpAddr>,
    pub callback_url: Option<String>,
    /// From the order to `processing`.
    pub processing_after: Duration,
    /// From the order to the final status.
    pub complete_after: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Even a sandbox key stays out of logs, so a real key pasted here never leaks.
        f.debug_struct("Config")
            .field("api_id", &self.api_id)
            .field("api_key", &"[redacted]")
            .field("level", &self.level)
            .field("username", &self.username)
            .field("balance", &self.balance)
            .field("ip_whitelist", &self.ip_whitelist)
            .field("callback_url", &self.callback_url)
            .field("processing_after", &self.processing_after)
            .field("complete_after", &self.complete_after)
            .finish()
    }
}

impl Config {
    /// The demo account: `sandbox-vip` / `sandbox-key`, Premium, Rp 5.000.000, 2 s / 5 s.
    pub fn demo() -> Self {
        Config {
            api_id: "sandbox-vip".to_string(),
            api_key: "sandbox-key".to_string(),
            level: "Premium".to_string(),
            username: "maddstore".to_string(),
            balance: 5_000_000,
            ip_whitelist: Vec::new(),
            callback_url: None,
            processing_after: Duration::from_secs(2),
            complete_after: Duration::from_secs(5),
        }
    }

    /// The demo account without delays: an order is final at the first status call.
    pub fn for_tests() -> Self {
        Config {
            processing_after: Duration::ZERO,
            complete_after: Duration::ZERO,
            ..Config::demo()
        }
    }
}

/// A failure to simulate, until cleared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Process the call, then hold the answer this long.
    Slow(Duration),
    /// HTTP 500, nothing processed.
    ServerError,
    /// HTTP 200 with a body that is not JSON, nothing processed.
    Malformed,
    /// VIP's maintenance answer, nothing processed.
    Maintenance,
    /// Orders are placed and charged, but the answer is an HTTP 502.
    DropOrderAnswer,
    /// Orders are placed and charged as usual, then end in `error` (`Stok sedang kosong.`) and
    /// are refunded at their normal completion time.
    FailOrders,
}

/// An order as the simulator holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimOrder {
    pub trxid: String,
    /// `game`, `prepaid` or `postpaid`: the endpoint family it was placed on.
    pub kind: &'static str,
    /// The service code (`ML86-S1`).
    pub service: String,
    /// The name status answers show (`Mobile Legends B - 86 Diamonds`).
    pub service_name: String,
    pub target: String,
    pub zone: Option<String>,
    /// `waiting`, `processing`, `success` or `error`.
    pub status: String,
    pub note: String,
    /// What was charged.
    pub price: i64,
    /// 0 for the first order placed, 1 for the next, …
    pub index: usize,
}

impl From<&Order> for SimOrder {
    fn from(o: &Order) -> SimOrder {
        SimOrder {
            trxid: o.trxid.clone(),
            kind: o.kind.as_str(),
            service: o.service_code.clone(),
            service_name: o.service_name.clone(),
            target: o.target.clone(),
            zone: o.zone.clone(),
            status: o.status.as_str().to_string(),
            note: o.note.clone(),
            price: o.price,
            index: o.index,
        }
    }
}

/// The simulator: a cheap-to-clone handle.
#[derive(Clone)]
pub struct VipSim {
    inner: Arc<Inner>,
}

struct Inner {
    /// Identity and timing; the live balance and callback URL are in `state`.
    config: Config,
    signature: String,
    catalogue: Catalogue,
    state: Mutex<State>,
    callbacks: Callbacks,
}

/// `md5(api_id + api_key)` in lowercase hex: VIP's `sign` and callback signature.
pub fn signature(api_id: &str, api_key: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(api_id.as_bytes());
    hasher.update(api_key.as_bytes());
    hex::encode(hasher.finalize())
}

impl VipSim {
    pub fn new(config: Config) -> VipSim {
        use rand::Rng;
        let signature = signature(&config.api_id, &config.api_key);
        let state = State::new(
            config.balance,
            config.callback_url.clone(),
            config.processing_after,
            config.complete_after,
            rand::thread_rng().gen_range(1_000_000..5_000_000),
        );
        VipSim {
            inner: Arc::new(Inner {
                callbacks: Callbacks::new(signature.clone()),
                signature,
                catalogue: Catalogue::seeded(),
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

    /// Every order, oldest first.
    pub fn orders(&self) -> Vec<SimOrder> {
        self.with_state(|s| s.orders.iter().map(SimOrder::from).collect())
    }

    pub fn order(&self, trxid: &str) -> Option<SimOrder> {
        self.with_state(|s| {
            s.orders
                .iter()
                .find(|o| o.trxid == trxid)
                .map(SimOrder::from)
        })
    }

    pub fn balance(&self) -> i64 {
        self.with_state(|s| s.balance)
    }

    pub fn set_balance(&self, balance: i64) {
        self.with_state(|s| s.balance = balance);
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

    /// Ends a pending order now (success with an SN, or error with a refund). `false` when there
    /// is no such order or it has already ended.
    pub fn release(&self, trxid: &str, success: bool) -> bool {
        self.with_state(|s| s.release(trxid, success))
    }

    pub fn callback_url(&self) -> Option<String> {
        self.with_state(|s| s.callback_url.clone())
    }

    pub fn set_callback_url(&self, url: Option<String>) {
        self.with_state(|s| s.callback_url = url.filter(|u| !u.trim().is_empty()));
    }

    /// Sends every callback `copies` times at the same moment (a retry storm): 1 is normal.
    pub fn set_callback_copies(&self, copies: u8) {
        self.with_state(|s| s.callback_copies = copies.max(1));
    }

    /// Waits until every callback queued so far has been delivered (or given up on).
    pub async fn wait_all_delivered(&self) {
        self.inner.callbacks.wait_all_delivered().await;
    }

    /// How many order requests (`type=order`, `pay-pasca`) arrived, whatever their outcome.
    pub fn order_requests(&self) -> usize {
        self.with_state(|s| s.order_requests)
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn signature(&self) -> &str {
        &self.inner.signature
    }

    fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters to a simulator; keep serving.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state brought up to date, then sends the callbacks of any status change.
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let (result, url, events) = {
            let mut state = self.lock();
            state.tick(Instant::now());
            let result = f(&mut state);
            let events = state.take_outbox();
            (
                result,
                (state.callback_url.clone(), state.callback_copies),
                events,
            )
        };
        self.inner.callbacks.send(url.0, events, url.1);
        result
    }

    /// Makes an order's due transitions (and their callbacks) happen on time even if nobody asks.
    fn schedule(&self, created: Instant) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (processing_at, done_at) = self.lock().deadlines(created);
        let sim = self.clone();
        runtime.spawn(async move {
            tokio::time::sleep_until(processing_at.into()).await;
            sim.with_state(|_| ());
            tokio::time::sleep_until(done_at.into()).await;
            sim.with_state(|_| ());
        });
    }
}
