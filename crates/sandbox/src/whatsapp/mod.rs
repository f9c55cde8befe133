//! A WhatsApp gateway simulator speaking both APIs of `specs/whatsapp.md`: Meta's Cloud API
//! (Bearer token, the 24-hour window with error 131047, signed status webhooks) and Fonnte (raw
//! token, errors as HTTP 200 with `status:false`). It keeps every accepted message and shows an
//! inbox page per number, where a person can also answer as the customer (which opens the
//! window and reaches the store as an inbound webhook).
//!
//! Routes, relative to the mount point:
//! - `POST /cloud/{version}/{phone_number_id}/messages`: Cloud API send
//! - `GET /cloud/{version}/{phone_number_id}`: the sending number's record (credentials check)
//! - `POST /fonnte/send`: Fonnte send
//! - `POST /fonnte/device`: Fonnte's device status (credentials check)
//! - `GET /inbox`, `POST /inbox` (form `number`, `text`, `name`): conversations, and writing
//!   from a new number
//! - `GET /inbox/{number}`, `POST /inbox/{number}` (form `text`, `name`): one conversation
//! - `GET /api/messages[?to=62…]`: accepted messages as JSON
//! - `POST /control` (JSON or form: `outage`, `rate_limit_next`, `open_window`,
//!   `advance_clock_secs`): fault knobs
//!
//! Time: the window is measured on the simulator's clock, which is the system clock plus an offset
//! that only [`WhatsAppSim::advance_clock`] moves, so a test can let 24 hours pass instantly.
//!
//! Deterministic ids: Cloud messages are `wamid.sandbox.1`, `wamid.sandbox.2`, … (in the order
//! accepted); customer messages `wamid.sandbox.in.1`, …; Fonnte message ids count up from
//! 100000001 and its request ids from 200000001. A number whose last four digits are `0000` is
//! "not on WhatsApp" on both gateways.

mod cloud;
mod fonnte;
mod inbox;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use time::OffsetDateTime;

/// The business's own WhatsApp number: webhook metadata and Fonnte's `device`.
pub const BUSINESS_NUMBER: &str = "6281299990001";
/// The WhatsApp Business Account id in webhook entries.
pub const WABA_ID: &str = "102290129340398";

const WINDOW: time::Duration = time::Duration::hours(24);

#[derive(Clone, Debug)]
pub struct Config {
    /// The Cloud API access token (`Authorization: Bearer …`).
    pub cloud_token: String,
    /// The only phone number id the Cloud API knows.
    pub phone_number_id: String,
    /// Signs every Cloud webhook (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// Fonnte's device token (`Authorization: …`, raw).
    pub fonnte_token: String,
    /// Where Cloud status webhooks (`sent`, then `delivered`) go.
    pub status_webhook_url: Option<String>,
    /// Where a message typed as the customer goes, as a signed Cloud webhook.
    pub inbound_webhook_url: Option<String>,
    /// Where a message typed as the customer goes, as Fonnte's incoming-message payload.
    pub fonnte_webhook_url: Option<String>,
    /// Time between a Cloud message's `sent` and `delivered` statuses.
    pub delivery_delay: Duration,
}

impl Config {
    /// Fixed credentials for the demo; the app fills in the webhook urls it serves.
    pub fn demo() -> Config {
        Config {
            cloud_token: "sandbox-cloud-token".into(),
            phone_number_id: "106540352242922".into(),
            app_secret: "sandbox-app-secret".into(),
            fonnte_token: "sandbox-fonnte-token".into(),
            status_webhook_url: None,
            inbound_webhook_url: None,
            fonnte_webhook_url: None,
            delivery_delay: Duration::from_secs(2),
        }
    }

    /// Like the demo, with test credentials and no delays.
    pub fn for_tests() -> Config {
        Config {
            cloud_token: "test-cloud-token".into(),
            phone_number_id: "1234567890".into(),
            app_secret: "test-app-secret".into(),
            fonnte_token: "test-fonnte-token".into(),
            status_webhook_url: None,
            inbound_webhook_url: None,
            fonnte_webhook_url: None,
            delivery_delay: Duration::ZERO,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gateway {
    Cloud,
    Fonnte,
}

/// A message a gateway accepted (refused requests are only counted, see
/// [`WhatsAppSim::attempts`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentMessage {
    /// `wamid.sandbox.N` (Cloud) or Fonnte's numeric id.
    pub id: String,
    /// Digits, `62…`.
    pub to: String,
    pub gateway: Gateway,
    /// `text` or `template`.
    pub kind: String,
    /// The text, or for a template `name: p1 | p2 …`.
    pub body: String,
    pub template_name: Option<String>,
    pub params: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `accepted`, `sent`, `delivered` (Cloud moves through them; Fonnte is `sent` at once).
    pub status: String,
}

/// A message typed as the customer (inbox form or [`WhatsAppSim::receive_from`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomerMessage {
    /// `wamid.sandbox.in.N`.
    pub id: String,
    /// Digits, `62…`.
    pub from: String,
    pub name: String,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a phone number")]
pub struct InvalidNumber(pub String);

#[derive(Clone)]
pub struct WhatsAppSim {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    http: reqwest::Client,
    state: Mutex<SimState>,
}

/// How many accepted messages the simulator keeps (its inbox shows these); older ones leave it,
/// so a demo left running for days does not grow without end. [`WhatsAppSim::sent_total`]
/// counts them all.
pub const KEEP_MESSAGES: usize = 5_000;

#[derive(Default)]
struct SimState {
    /// The latest accepted messages, oldest first, at most [`KEEP_MESSAGES`].
    messages: std::collections::VecDeque<SentMessage>,
    sent_total: usize,
    inbound: Vec<CustomerMessage>,
    last_inbound: HashMap<String, OffsetDateTime>,
    outage: bool,
    /// Every send waits this long before answering (a hanging gateway).
    delay: Option<std::time::Duration>,
    /// The next this many Cloud sends are taken but never answered.
    lost_answers: u32,
    rate_limited: u32,
    attempts: usize,
    clock_offset: time::Duration,
    cloud_seq: u64,
    inbound_seq: u64,
    fonnte_seq: u64,
    /// The Fonnte device has lost its WhatsApp session (the seller must rescan the QR code).
    device_disconnected: bool,
    /// Which configured webhook a customer's message goes through (`None`: every one).
    inbound_gateway: Option<Gateway>,
}

impl SimState {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.clock_offset
    }

    fn window_open(&self, number: &str) -> bool {
        self.last_inbound
            .get(number)
            .is_some_and(|at| self.now() - *at < WINDOW)
    }

    /// Keeps an accepted message (the oldest kept one leaves when the inbox is full).
    fn accept(&mut self, message: SentMessage) {
        if self.messages.len() >= KEEP_MESSAGES {
            self.messages.pop_front();
        }
        self.messages.push_back(message);
        self.sent_total += 1;
    }

    fn set_status(&mut self, id: &str, status: &str) {
        // Newest first: a status follows its message closely.
        if let Some(m) = self.messages.iter_mut().rev().find(|m| m.id == id) {
            m.status = status.to_owned();
        }
    }
}

impl WhatsAppSim {
    pub fn new(config: Config) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "webhook client with a timeout failed to build");
                reqwest::Client::new()
            });
        WhatsAppSim {
            inner: Arc::new(Inner {
                config,
                http,
                state: Mutex::new(SimState::default()),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/cloud/{version}/{phone_number_id}/messages",
                post(cloud::send),
            )
            .route("/cloud/{version}/{phone_number_id}", get(cloud::number))
            .route("/fonnte/send", post(fonnte::send))
            .route("/fonnte/device", post(fonnte::device))
            .route("/inbox", get(inbox::list).post(inbox::write_new))
            .route("/inbox/{number}", get(inbox::chat).post(inbox::write))
            .route("/api/messages", get(api_messages))
            .route("/control", post(control))
            .with_state(self.clone())
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    // --- knobs ---

    /// Whether the Fonnte device reports itself disconnected (`POST /fonnte/device`).
    pub fn set_device_disconnected(&self, disconnected: bool) {
        self.state().device_disconnected = disconnected;
    }

    /// While on, Cloud answers HTTP 503 with a Meta error body and Fonnte HTTP 500.
    pub fn set_outage(&self, on: bool) {
        self.state().outage = on;
    }

    /// The next `n` Cloud sends (that pass the token check) get error 130429 with HTTP 429.
    /// While set, every send hangs this long before it is answered (a gateway that hangs).
    pub fn set_delay(&self, delay: Option<std::time::Duration>) {
        self.state().delay = delay;
    }

    /// The wait a send should make first, if the gateway is set to hang.
    pub(crate) fn delay(&self) -> Option<std::time::Duration> {
        self.state().delay
    }

    /// The next `n` Cloud sends are taken (kept, their statuses reported) but their answers
    /// never come: the caller times out not knowing.
    pub fn lose_answers_next(&self, n: u32) {
        self.state().lost_answers = n;
    }

    /// Whether this send's answer is to be lost (counts one down).
    pub(crate) fn take_lost_answer(&self) -> bool {
        let mut state = self.state();
        if state.lost_answers > 0 {
            state.lost_answers -= 1;
            true
        } else {
            false
        }
    }

    pub fn rate_limit_next(&self, n: u32) {
        self.state().rate_limited = n;
    }

    /// Which configured inbound webhook customer messages go through by default: `None` (the
    /// default) delivers each to every configured one; a store that serves both gateways sets
    /// one, so a message reaches it once.
    pub fn set_inbound_gateway(&self, gateway: Option<Gateway>) {
        self.state().inbound_gateway = gateway;
    }

    /// As if the customer had written now: free text is allowed for 24 hours.
    pub fn open_window(&self, number: &str) {
        let number = normalize(number, "62").unwrap_or_else(|| digits(number));
        let mut state = self.state();
        let now = state.now();
        state.last_inbound.insert(number, now);
    }

    /// Moves the simulator's clock forward (the window closes 24 hours after the last message).
    pub fn advance_clock(&self, by: Duration) {
        let by = time::Duration::try_from(by).unwrap_or(time::Duration::MAX);
        let mut state = self.state();
        state.clock_offset = state.clock_offset.saturating_add(by);
    }

    // --- inspection ---

    /// The accepted messages still kept (the latest [`KEEP_MESSAGES`]), oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.state().messages.iter().cloned().collect()
    }

    /// How many messages were accepted in all, including those no longer kept.
    pub fn sent_total(&self) -> usize {
        self.state().sent_total
    }

    /// Accepted messages to `number` (any common form: `0812…`, `+62 812…`, `62812…`).
    pub fn messages_to(&self, number: &str) -> Vec<SentMessage> {
        let number = normalize(number, "62").unwrap_or_else(|| digits(number));
        self.state()
            .messages
            .iter()
            .filter(|m| m.to == number)
            .cloned()
            .collect()
    }

    /// Messages typed as customers, oldest first.
    pub fn inbound(&self) -> Vec<CustomerMessage> {
        self.state().inbound.clone()
    }

    /// Every send request to either gateway, including refused ones.
    pub fn attempts(&self) -> usize {
        self.state().attempts
    }

    /// Whether free text to `number` would be accepted now.
    pub fn window_open(&self, number: &str) -> bool {
        let number = normalize(number, "62").unwrap_or_else(|| digits(number));
        self.state().window_open(&number)
    }

    /// The customer at `number` writes `text` (as the inbox form): recorded, the window opens,
    /// and the configured inbound webhooks are delivered before this returns (failures are
    /// logged, not returned: the message was still "sent" by the customer).
    pub async fn receive_from(
        &self,
        number: &str,
        text: &str,
    ) -> Result<CustomerMessage, InvalidNumber> {
        self.receive(number, "Pelanggan", text, None).await
    }

    /// Like [`WhatsAppSim::receive_from`], delivered through `gateway`'s webhook only.
    pub async fn receive_via(
        &self,
        gateway: Gateway,
        number: &str,
        text: &str,
    ) -> Result<CustomerMessage, InvalidNumber> {
        self.receive(number, "Pelanggan", text, Some(gateway)).await
    }

    async fn receive(
        &self,
        number: &str,
        name: &str,
        text: &str,
        via: Option<Gateway>,
    ) -> Result<CustomerMessage, InvalidNumber> {
        let from = normalize(number, "62").ok_or_else(|| InvalidNumber(number.to_owned()))?;
        let (message, seq, via) = {
            let mut state = self.state();
            let via = via.or(state.inbound_gateway);
            state.inbound_seq += 1;
            let seq = state.inbound_seq;
            let at = state.now();
            let message = CustomerMessage {
                id: format!("wamid.sandbox.in.{seq}"),
                from: from.clone(),
                name: name.to_owned(),
                text: text.to_owned(),
                at,
            };
            state.last_inbound.insert(from, at);
            state.inbound.push(message.clone());
            (message, seq, via)
        };
        let config = &self.inner.config;
        let through = |g: Gateway| via.is_none_or(|v| v == g);
        if let Some(url) = config
            .inbound_webhook_url
            .as_ref()
            .filter(|_| through(Gateway::Cloud))
        {
            let body = cloud::inbound_webhook(config, &message);
            self.deliver(url, body, true).await;
        }
        if let Some(url) = config
            .fonnte_webhook_url
            .as_ref()
            .filter(|_| through(Gateway::Fonnte))
        {
            let body = json!({
                "device": BUSINESS_NUMBER,
                "sender": message.from,
                "message": message.text,
                "member": "",
                "name": message.name,
                "location": "",
                "url": "",
                "filename": "",
                "extension": "",
                "inboxid": seq,
                "timestamp": message.at.unix_timestamp(),
            });
            self.deliver(url, body, false).await;
        }
        Ok(message)
    }

    /// POSTs a webhook; Cloud ones carry Meta's signature. Failures are logged: a real gateway
    /// does not tell the sender whether the store's webhook was up either.
    async fn deliver(&self, url: &str, body: serde_json::Value, signed: bool) {
        let bytes = body.to_string().into_bytes();
        let mut request = self
            .inner
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/json");
        if signed {
            request = request.header(
                "X-Hub-Signature-256",
                sign(&self.inner.config.app_secret, &bytes),
            );
        }
        // Only the origin is logged: webhook paths often carry a secret (Fonnte's have nothing
        // else to protect them).
        let origin = url::Url::parse(url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| "<invalid url>".into());
        match request.body(bytes).send().await {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                tracing::warn!(%origin, status = %response.status(), "webhook refused by the store");
            }
            Err(e) => {
                tracing::warn!(%origin, error = %e.without_url(), "webhook delivery failed");
            }
        }
    }
}

/// `sha256=<hex HMAC-SHA256 of body>`, as Meta signs its webhooks.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn digits(input: &str) -> String {
    input.chars().filter(char::is_ascii_digit).collect()
}

/// A number as people and Fonnte write it (`0812-3456-7890`, `+62 812…`) → `62…` digits, with a
/// leading 0 replaced by `country_code` (Fonnte's `countryCode`; `0` turns that off). `None` for
/// anything that is not 8–15 digits once separators are dropped.
fn normalize(input: &str, country_code: &str) -> Option<String> {
    let input = input.trim();
    if !input
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
    {
        return None;
    }
    let mut number = digits(input);
    if let Some(rest) = number.strip_prefix('0') {
        if country_code != "0" && !country_code.is_empty() {
            number = format!("{country_code}{rest}");
        }
    }
    (8..=15).contains(&number.len()).then_some(number)
}

/// The simulator's stand-in for "this number is not on WhatsApp".
fn not_on_whatsapp(number: &str) -> bool {
    number.ends_with("0000")
}

#[derive(Deserialize)]
struct MessagesQuery {
    to: Option<String>,
}

async fn api_messages(
    State(sim): State<WhatsAppSim>,
    Query(query): Query<MessagesQuery>,
) -> Json<Vec<SentMessage>> {
    Json(match query.to.as_deref() {
        Some(to) if !to.trim().is_empty() => sim.messages_to(to),
        _ => sim.messages(),
    })
}

#[derive(Deserialize, Default)]
struct ControlRequest {
    outage: Option<bool>,
    rate_limit_next: Option<u32>,
    open_window: Option<String>,
    advance_clock_secs: Option<u64>,
}

async fn control(State(sim): State<WhatsAppSim>, headers: HeaderMap, body: String) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let parsed: Result<ControlRequest, String> = if is_json {
        serde_json::from_str(&body).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_str(&body).map_err(|e| e.to_string())
    };
    let request = match parsed {
        Ok(r) => r,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))).into_response();
        }
    };
    if let Some(on) = request.outage {
        sim.set_outage(on);
    }
    if let Some(n) = request.rate_limit_next {
        sim.rate_limit_next(n);
    }
    if let Some(number) = request.open_window.as_deref() {
        if normalize(number, "62").is_none() {
            let error = InvalidNumber(number.to_owned()).to_string();
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response();
        }
        sim.open_window(number);
    }
    if let Some(secs) = request.advance_clock_secs {
        sim.advance_clock(Duration::from_secs(secs));
    }
    let state = sim.state();
    Json(json!({
        "outage": state.outage,
        "rate_limited": state.rate_limited,
        "attempts": state.attempts,
        "now": state.now().unix_timestamp(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalise_like_fonnte() {
        assert_eq!(
            normalize("0812-3456-7890", "62").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(
            normalize("+62 812 3456 7890", "62").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(
            normalize("081234567890", "0").as_deref(),
            Some("081234567890")
        );
        assert_eq!(normalize("0812", "62"), None);
        assert_eq!(normalize("0812abc4567", "62"), None);
    }
}
