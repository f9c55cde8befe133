//! Webhook delivery: production-shaped body, `X-Webhook-Token`, retries, duplicate copies.

use std::time::Duration;

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{fee, now_jakarta, Config, Support, TrakteerSim, FAILED_EVENTS_BEFORE_OFF};

const SUPPORTER_AVATAR: &str = "https://trakteer.id/images/v2/stats-1.png";
const UNIT_ICON: &str = "https://trakteer.id/storage/images/units/uic-koin.png";

/// One webhook attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub transaction_id: String,
    /// A `test-…` event from "send test webhook".
    pub is_test: bool,
    /// 0 for the webhook itself, 1.. for the extra copies of `duplicate_deliveries`.
    pub copy: u32,
    /// 1 for the first attempt, 2.. for retries.
    pub attempt: u32,
    pub outcome: DeliveryOutcome,
    pub at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The store answered with this HTTP status (≥ 300 is a failure).
    Status(u16),
    /// No answer: connection refused, timeout…
    Failed(String),
}

impl Delivery {
    pub fn status(&self) -> Option<u16> {
        match self.outcome {
            DeliveryOutcome::Status(code) => Some(code),
            DeliveryOutcome::Failed(_) => None,
        }
    }

    /// As Trakteer judges it: any answer below 300.
    pub fn succeeded(&self) -> bool {
        self.status().is_some_and(|code| code < 300)
    }
}

/// A redirect is an answer ≥ 300, so a failure, not something to follow.
pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Trakteer-Sandbox/1.0")
        .build()
        .expect("the HTTP client's TLS backend initialises")
}

pub(super) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// What production sends for a paid tip: `quantity` as a string, `media: null`, `price` the
/// total as an integer.
pub(super) fn tip_body(support: &Support, config: &Config) -> Value {
    json!({
        "created_at": rfc3339(support.created_at),
        "transaction_id": support.transaction_id,
        "type": "tip",
        "supporter_name": support.supporter_name,
        "supporter_avatar": SUPPORTER_AVATAR,
        "supporter_message": support.message,
        "media": null,
        "unit": config.unit_name,
        "unit_icon": UNIT_ICON,
        "quantity": support.quantity.to_string(),
        "price": support.total,
        "net_amount": support.net_amount,
    })
}

/// The dashboard's "Send Webhook Test": the documented example (one unit at the unit price,
/// `quantity` a number, a media object, net after the platform fee only).
pub(super) fn test_body(transaction_id: &str, config: &Config) -> Value {
    let price = config.unit_price;
    json!({
        "created_at": rfc3339(now_jakarta()),
        "transaction_id": transaction_id,
        "type": "tip",
        "supporter_name": "Egis",
        "supporter_avatar": SUPPORTER_AVATAR,
        "supporter_message": "Selalu Berkarya",
        "media": {
            "gif": "3oEduQAsYcJKQH2XsI",
            "video": {"type": "tiktok", "id": "z3U0udLH974", "start": 0},
            "voice": "https://edge-cdn.trakteer.id/audio/vn-sample-cat-voice.mp3"
        },
        "unit": config.unit_name,
        "unit_icon": UNIT_ICON,
        "quantity": 1,
        "price": price,
        "net_amount": price - fee(price, config.platform_fee_bps)
    })
}

/// Everything one copy needs, read once when the event is dispatched.
struct Job {
    transaction_id: String,
    url: String,
    token: String,
    body: Value,
    delay: Duration,
    backoff: Duration,
    max_retries: u32,
}

/// Keeps the in-flight count right even if a delivery task panics or is cancelled.
struct InFlight {
    sim: TrakteerSim,
    transaction_id: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut state = self.sim.state();
            if let Some(count) = state.in_flight.get_mut(&self.transaction_id) {
                *count -= 1;
                if *count == 0 {
                    state.in_flight.remove(&self.transaction_id);
                }
            }
        }
        self.sim.inner.delivered.notify_waiters();
    }
}

impl TrakteerSim {
    /// Sends `body` (and its duplicate copies) in background tasks, unless the webhook is off
    /// or has no URL.
    pub(super) fn dispatch(&self, transaction_id: &str, body: Value) {
        let (job, copies) = {
            let mut state = self.state();
            let config = &state.config;
            let Some(url) = config.webhook_url.clone().filter(|_| state.webhook_enabled) else {
                return;
            };
            let copies = config.duplicate_deliveries.saturating_add(1);
            let job = Job {
                transaction_id: transaction_id.to_string(),
                url,
                token: config.webhook_token.clone(),
                body,
                delay: config.delivery_delay,
                backoff: config.retry_backoff,
                max_retries: config.max_retries,
            };
            *state
                .in_flight
                .entry(transaction_id.to_string())
                .or_default() += copies;
            (job, copies)
        };
        let job = std::sync::Arc::new(job);
        for copy in 0..copies {
            let guard = InFlight {
                sim: self.clone(),
                transaction_id: transaction_id.to_string(),
            };
            let job = job.clone();
            tokio::spawn(async move {
                let delivered = guard.sim.deliver(&job, copy).await;
                guard.sim.count_event(delivered);
                drop(guard);
            });
        }
    }

    /// One copy with its retries; true when an attempt got an answer below 300.
    async fn deliver(&self, job: &Job, copy: u32) -> bool {
        if !job.delay.is_zero() {
            tokio::time::sleep(job.delay).await;
        }
        for attempt in 1..=job.max_retries.saturating_add(1) {
            if attempt > 1 && !job.backoff.is_zero() {
                tokio::time::sleep(job.backoff).await;
            }
            let outcome = match self
                .inner
                .http
                .post(&job.url)
                .header("X-Webhook-Token", &job.token)
                .json(&job.body)
                .send()
                .await
            {
                Ok(response) => DeliveryOutcome::Status(response.status().as_u16()),
                Err(e) => DeliveryOutcome::Failed(describe(&e)),
            };
            let delivery = Delivery {
                transaction_id: job.transaction_id.clone(),
                is_test: job.transaction_id.starts_with("test-"),
                copy,
                attempt,
                outcome,
                at: now_jakarta(),
            };
            let succeeded = delivery.succeeded();
            tracing::debug!(
                transaction_id = %delivery.transaction_id,
                copy,
                attempt,
                outcome = ?delivery.outcome,
                "trakteer sandbox webhook attempt"
            );
            self.state().deliveries.push(delivery);
            if succeeded {
                return true;
            }
        }
        false
    }

    /// Trakteer switches a webhook off after three failed events in a row.
    fn count_event(&self, delivered: bool) {
        let mut state = self.state();
        if delivered {
            state.failed_events_in_a_row = 0;
        } else {
            state.failed_events_in_a_row += 1;
            if state.failed_events_in_a_row >= FAILED_EVENTS_BEFORE_OFF {
                state.webhook_enabled = false;
            }
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        e.to_string()
    }
}
