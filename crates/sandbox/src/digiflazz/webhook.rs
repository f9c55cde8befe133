//! Webhook delivery: one background task per simulator posts the events in order, one at a time,
//! so a receiver never sees `update` before the `create` of the same transaction.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;

use super::state::{Event, State};
use super::webhook_signature;

/// How long one delivery may take before it is abandoned (and the next one tried).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

const USER_AGENT: &str = "Digiflazz-Hookshot";
const USER_AGENT_PASCA: &str = "Digiflazz-Pasca-Hookshot";

struct Delivery {
    url: String,
    event: &'static str,
    user_agent: &'static str,
    ref_id: String,
    /// Serialised once: the signature covers exactly these bytes.
    body: Vec<u8>,
    signature: Option<String>,
    id: Uuid,
    copies: u8,
}

pub(crate) struct Webhooks {
    secret: String,
    http: reqwest::Client,
    sent: Arc<AtomicUsize>,
    /// Deliveries queued and not yet finished (all copies), and a signal when one finishes.
    in_flight: Arc<AtomicUsize>,
    finished: Arc<tokio::sync::Notify>,
    /// Started on first use, because the simulator may be built outside a Tokio runtime; started
    /// again if the runtime it ran on has gone (each `#[tokio::test]` has its own).
    queue: Mutex<Option<mpsc::UnboundedSender<Delivery>>>,
}

impl Webhooks {
    pub fn new(secret: String) -> Webhooks {
        let http = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Webhooks {
            secret,
            http,
            sent: Arc::new(AtomicUsize::new(0)),
            in_flight: Arc::new(AtomicUsize::new(0)),
            finished: Arc::new(tokio::sync::Notify::new()),
            queue: Mutex::new(None),
        }
    }

    /// Webhook POSTs attempted so far.
    pub fn sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }

    /// Waits until every queued webhook has been delivered (or given up on).
    pub async fn wait_all_delivered(&self) {
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            finished.await;
        }
    }

    /// Queues the events, under the knobs of `state` (drop, duplicate, the account's URL).
    pub fn send(&self, state: &State, events: Vec<Event>) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        for event in events {
            let Some(url) = event.cb_url.clone().or_else(|| state.webhook_url.clone()) else {
                continue;
            };
            if state.drop_webhooks {
                tracing::info!(ref_id = %event.ref_id, event = event.event,
                    "Digiflazz sandbox: webhook dropped (knob)");
                continue;
            }
            let body =
                serde_json::to_vec(&serde_json::json!({ "data": event.data })).unwrap_or_default();
            let signature =
                (!self.secret.is_empty()).then(|| webhook_signature(&self.secret, &body));
            let delivery = Delivery {
                url,
                event: event.event,
                user_agent: if event.pasca {
                    USER_AGENT_PASCA
                } else {
                    USER_AGENT
                },
                ref_id: event.ref_id,
                body,
                signature,
                id: Uuid::new_v4(),
                copies: state.webhook_copies.max(1),
            };
            if queue.as_ref().is_none_or(|q| q.is_closed()) {
                // The old worker's runtime is gone, and with it what it had not sent.
                self.in_flight.store(0, Ordering::SeqCst);
                *queue = self.start_worker();
            }
            let Some(sender) = queue.as_ref() else {
                tracing::warn!("Digiflazz sandbox: no Tokio runtime, webhook not sent");
                return;
            };
            self.in_flight.fetch_add(1, Ordering::SeqCst);
            if sender.send(delivery).is_err() {
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                tracing::warn!("Digiflazz sandbox: webhook worker gone, webhook not sent");
            }
        }
    }

    fn start_worker(&self) -> Option<mpsc::UnboundedSender<Delivery>> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (sender, mut receiver) = mpsc::unbounded_channel::<Delivery>();
        let http = self.http.clone();
        let sent = self.sent.clone();
        let in_flight = self.in_flight.clone();
        let finished = self.finished.clone();
        runtime.spawn(async move {
            while let Some(delivery) = receiver.recv().await {
                // Copies of one webhook leave together, as a retry storm would bring them.
                let delivery = Arc::new(delivery);
                let mut copies = tokio::task::JoinSet::new();
                for _ in 0..delivery.copies {
                    sent.fetch_add(1, Ordering::SeqCst);
                    let (http, delivery) = (http.clone(), delivery.clone());
                    copies.spawn(async move { deliver(&http, &delivery).await });
                }
                while copies.join_next().await.is_some() {}
                in_flight.fetch_sub(1, Ordering::SeqCst);
                finished.notify_waiters();
            }
        });
        Some(sender)
    }
}

async fn deliver(http: &reqwest::Client, delivery: &Delivery) {
    let mut request = http
        .post(&delivery.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, delivery.user_agent)
        .header("X-Digiflazz-Event", delivery.event)
        .header("X-Digiflazz-Delivery", delivery.id.to_string())
        .body(delivery.body.clone());
    if let Some(signature) = &delivery.signature {
        request = request.header("X-Hub-Signature", signature);
    }
    let (ref_id, url, event) = (&delivery.ref_id, &delivery.url, delivery.event);
    match request.send().await {
        Ok(response) if response.status().is_success() => {
            tracing::debug!(%ref_id, %url, event, "Digiflazz sandbox webhook delivered");
        }
        Ok(response) => {
            tracing::warn!(%ref_id, %url, event, status = %response.status(),
                "Digiflazz sandbox webhook refused");
        }
        Err(error) => {
            tracing::warn!(%ref_id, %url, event, %error, "Digiflazz sandbox webhook failed");
        }
    }
}
