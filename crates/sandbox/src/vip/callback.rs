//! Callback delivery: one background task per simulator posts status changes in order, so a
//! receiver never sees `success` before `processing` of the same order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;

/// How long one delivery may take before it is abandoned (and the next one tried).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

struct Delivery {
    url: String,
    body: Value,
    /// Sent this many times at the same moment (a retry storm).
    copies: u8,
}

pub(crate) struct Callbacks {
    signature: String,
    http: reqwest::Client,
    /// Deliveries queued and not yet finished, and a signal when one finishes.
    in_flight: Arc<AtomicUsize>,
    finished: Arc<tokio::sync::Notify>,
    /// Started on first use, because the simulator may be built outside a Tokio runtime; started
    /// again if the runtime it ran on has gone (each `#[tokio::test]` has its own).
    queue: Mutex<Option<mpsc::UnboundedSender<Delivery>>>,
}

impl Callbacks {
    pub fn new(signature: String) -> Callbacks {
        let http = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .build()
            .unwrap_or_default();
        Callbacks {
            signature,
            http,
            in_flight: Arc::new(AtomicUsize::new(0)),
            finished: Arc::new(tokio::sync::Notify::new()),
            queue: Mutex::new(None),
        }
    }

    /// Waits until every queued callback has been delivered (or given up on).
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

    /// Queues one callback per changed order (`events` are order records).
    pub fn send(&self, url: Option<String>, events: Vec<Value>, copies: u8) {
        let Some(url) = url else { return };
        if events.is_empty() {
            return;
        }
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        for event in events {
            if queue.as_ref().is_none_or(|q| q.is_closed()) {
                // The old worker's runtime is gone, and with it what it had not sent.
                self.in_flight.store(0, Ordering::SeqCst);
                *queue = self.start_worker();
            }
            let Some(sender) = queue.as_ref() else {
                tracing::warn!("VIP sandbox: no Tokio runtime, callback not sent");
                return;
            };
            let delivery = Delivery {
                url: url.clone(),
                body: json!({ "data": event }),
                copies: copies.max(1),
            };
            self.in_flight.fetch_add(1, Ordering::SeqCst);
            if sender.send(delivery).is_err() {
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                tracing::warn!("VIP sandbox: callback worker gone, callback not sent");
            }
        }
    }

    fn start_worker(&self) -> Option<mpsc::UnboundedSender<Delivery>> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (sender, mut receiver) = mpsc::unbounded_channel::<Delivery>();
        let http = self.http.clone();
        let signature: Arc<str> = self.signature.clone().into();
        let in_flight = self.in_flight.clone();
        let finished = self.finished.clone();
        runtime.spawn(async move {
            while let Some(delivery) = receiver.recv().await {
                let delivery = Arc::new(delivery);
                let mut copies = tokio::task::JoinSet::new();
                for _ in 0..delivery.copies {
                    let (http, signature, delivery) =
                        (http.clone(), signature.clone(), delivery.clone());
                    copies.spawn(async move { deliver(&http, &signature, &delivery).await });
                }
                while copies.join_next().await.is_some() {}
                in_flight.fetch_sub(1, Ordering::SeqCst);
                finished.notify_waiters();
            }
        });
        Some(sender)
    }
}

async fn deliver(http: &reqwest::Client, signature: &str, delivery: &Delivery) {
    let trxid = delivery.body["data"]["trxid"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let result = http
        .post(&delivery.url)
        .header("X-Client-Signature", signature)
        .json(&delivery.body)
        .send()
        .await;
    match result {
        Ok(response) if response.status().is_success() => {
            tracing::debug!(%trxid, url = %delivery.url, "VIP sandbox callback delivered");
        }
        Ok(response) => {
            tracing::warn!(%trxid, url = %delivery.url, status = %response.status(),
                "VIP sandbox callback refused");
        }
        Err(error) => {
            tracing::warn!(%trxid, url = %delivery.url, %error, "VIP sandbox callback failed");
        }
    }
}
