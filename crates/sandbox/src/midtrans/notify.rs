//! HTTP notifications (§3, §10.5): the body per §3.2 signed per §3.3, `User-Agent: Veritrans`,
//! a 15-second timeout, and Midtrans's retries, whose number depends on the store's reply (§3.5).

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use super::{now, signature, wib_text, Faults, MidtransSim, Transaction, TxStatus, MAX_DELIVERIES};

/// Midtrans waits this long for the store's reply.
const TIMEOUT: Duration = Duration::from_secs(15);
/// Minutes between retries, each shifted by a random amount below it (§3.5).
const LADDER_MINUTES: [u64; 5] = [2, 10, 30, 90, 210];

/// One notification attempt, as the delivery log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub url: String,
    pub order_id: String,
    pub transaction_id: String,
    /// The `transaction_status` the body carries.
    pub transaction_status: String,
    /// The JSON text sent.
    pub body: String,
    /// The store's HTTP reply; `None` when there was none (timeout, refused, dropped).
    pub reply_status: Option<u16>,
    /// Why there was no reply.
    pub error: Option<String>,
    /// 1 for the first attempt, 2.. for retries.
    pub attempt: u32,
    /// 0, or 1 for the second copy of the `duplicate` knob.
    pub copy: u32,
    /// Lost on purpose by the `drop_first`/`drop_all` knobs: nothing was sent.
    pub dropped: bool,
    /// When it finished, Jakarta time.
    pub at: String,
}

impl Delivery {
    /// Midtrans counts any 2xx as received.
    pub fn succeeded(&self) -> bool {
        self.reply_status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// One notification to send: its body and where, with the knobs read when it was made.
pub(super) struct Event {
    order_id: String,
    transaction_id: String,
    status: String,
    body: String,
    urls: Vec<String>,
    copies: u32,
    drop_first: u32,
    drop_all: bool,
    delay: Duration,
}

/// Redirects: 307/308 are followed with the same POST, five hops at most; 301/302/303 are not
/// supported by Midtrans, so they end the attempt as a reply.
pub(super) fn client() -> reqwest::Client {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let keeps_post = matches!(attempt.status().as_u16(), 307 | 308);
        if keeps_post && attempt.previous().len() <= 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(policy)
        .user_agent("Veritrans")
        .build()
        .expect("the HTTP client's TLS backend initialises")
}

/// The body for the transaction's current state, with the notification knobs applied.
pub(super) fn body(tx: &Transaction, server_key: &str, faults: &Faults) -> Value {
    let code = tx.status.notification_code();
    let gross = if faults.bad_amount {
        format!("{}.00", tx.gross_amount.saturating_add(1000))
    } else {
        tx.gross_text()
    };
    let key = if faults.tamper {
        "SB-Mid-server-NotTheRightKey"
    } else {
        server_key
    };
    let status = if faults.forge_status {
        TxStatus::Settlement.as_str()
    } else {
        tx.status.as_str()
    };
    let mut body = json!({
        "transaction_time": wib_text(tx.transaction_time),
        "transaction_status": status,
        "transaction_id": tx.transaction_id,
        "status_message": "midtrans payment notification",
        "status_code": code,
        "signature_key": signature(&tx.order_id, code, &gross, key),
        "payment_type": "qris",
        "order_id": tx.order_id,
        "merchant_id": tx.merchant_id,
        "gross_amount": gross,
        "fraud_status": "accept",
        "currency": "IDR",
        "acquirer": tx.acquirer,
    });
    add_settlement_fields(&mut body, tx);
    body
}

/// What only some transactions carry: settlement details, the acquirer's own references.
pub(super) fn add_settlement_fields(body: &mut Value, tx: &Transaction) {
    if let Some(at) = tx.settlement_time {
        body["settlement_time"] = json!(wib_text(at));
    }
    if let Some(issuer) = &tx.issuer {
        body["issuer"] = json!(issuer);
    }
    if let Some(kind) = &tx.transaction_type {
        body["transaction_type"] = json!(kind);
    }
    if tx.acquirer == "gopay" {
        body["merchant_cross_reference_id"] = json!(tx.cross_reference_id);
    } else {
        body["shopeepay_reference_number"] = json!(tx.cross_reference_id);
        body["reference_id"] = json!(tx.transaction_id);
    }
}

/// How many retries Midtrans makes after a reply (§3.5); `None` = no reply at all.
fn retries_after(reply: Option<u16>) -> u32 {
    match reply {
        Some(200..=299 | 301..=303) => 0,
        Some(500) => 1,
        Some(400 | 404) => 2,
        Some(503) => 4,
        _ => 5,
    }
}

/// The wait before retry `n` (1-based): the ladder's step plus a random part below it, scaled.
fn backoff(retry: u32, scale: f64) -> Duration {
    let index = usize::try_from(retry.saturating_sub(1)).unwrap_or(usize::MAX);
    let minutes = LADDER_MINUTES[index.min(LADDER_MINUTES.len() - 1)];
    let base = Duration::from_secs(minutes * 60);
    let jitter = base.mul_f64(rand::thread_rng().gen_range(0.0..1.0));
    (base + jitter).mul_f64(scale.max(0.0))
}

/// Keeps the in-flight count right even if a delivery task panics or is cancelled.
struct InFlight(MidtransSim);

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut state = self.0.state();
            state.in_flight = state.in_flight.saturating_sub(1);
        }
        self.0.inner.idle.notify_waiters();
    }
}

impl MidtransSim {
    /// Sends the transaction's current notification in the background (never blocks an answer).
    pub(super) fn notify(&self, tx: &Transaction) {
        let (event, held) = {
            let mut state = self.state();
            let faults = state.faults.clone();
            let body = body(tx, &self.inner.config.server_key, &faults);
            let event = Event {
                order_id: tx.order_id.clone(),
                transaction_id: tx.transaction_id.clone(),
                status: tx.status.as_str().to_string(),
                body: body.to_string(),
                urls: tx.notification_urls.clone(),
                copies: if faults.duplicate { 2 } else { 1 },
                drop_first: faults.drop_first,
                drop_all: faults.drop_all,
                delay: Duration::from_millis(faults.notification_delay_ms),
            };
            if event.urls.is_empty() {
                return;
            }
            if faults.reorder && tx.status == TxStatus::Pending {
                state.held.insert(tx.transaction_id.clone(), event);
                return;
            }
            let held = state.held.remove(&tx.transaction_id);
            let copies = |e: &Event| e.urls.len() * e.copies as usize;
            state.in_flight += copies(&event) + held.as_ref().map_or(0, copies);
            (event, held)
        };
        let sim = self.clone();
        tokio::spawn(async move {
            if !event.delay.is_zero() {
                tokio::time::sleep(event.delay).await;
            }
            sim.send(Arc::new(event)).await;
            if let Some(held) = held {
                sim.send(Arc::new(held)).await;
            }
        });
    }

    /// Every URL and copy of one event, concurrently; returns when all have finished.
    async fn send(&self, event: Arc<Event>) {
        let mut tasks = JoinSet::new();
        for url in &event.urls {
            for copy in 0..event.copies {
                let guard = InFlight(self.clone());
                let (event, url) = (event.clone(), url.clone());
                tasks.spawn(async move {
                    guard.0.deliver(&event, &url, copy).await;
                    drop(guard);
                });
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    /// One copy to one URL, with its retries.
    async fn deliver(&self, event: &Event, url: &str, copy: u32) {
        let scale = self.inner.config.retry_scale;
        for attempt in 1.. {
            let dropped = event.drop_all || attempt <= event.drop_first;
            let (reply_status, error) = if dropped {
                (None, Some("dropped by the drop knob".to_string()))
            } else {
                self.post(url, &event.body).await
            };
            let delivery = Delivery {
                url: url.to_string(),
                order_id: event.order_id.clone(),
                transaction_id: event.transaction_id.clone(),
                transaction_status: event.status.clone(),
                body: event.body.clone(),
                reply_status,
                error,
                attempt,
                copy,
                dropped,
                at: wib_text(now()),
            };
            let done = delivery.succeeded();
            self.log(delivery);
            // A lost-for-good notification is not worth five pointless retries.
            if done || event.drop_all || attempt > retries_after(reply_status) {
                return;
            }
            tokio::time::sleep(backoff(attempt, scale)).await;
        }
    }

    async fn post(&self, url: &str, body: &str) -> (Option<u16>, Option<String>) {
        let sent = self
            .inner
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(e) if e.is_timeout() => (None, Some("timeout".into())),
            Err(e) if e.is_connect() => (None, Some("connection refused or unreachable".into())),
            Err(e) => (None, Some(e.to_string())),
        }
    }

    fn log(&self, delivery: Delivery) {
        tracing::debug!(
            order_id = %delivery.order_id,
            status = %delivery.transaction_status,
            attempt = delivery.attempt,
            reply = ?delivery.reply_status,
            "midtrans sandbox notification attempt"
        );
        let mut state = self.state();
        if state.deliveries.len() >= MAX_DELIVERIES {
            state.deliveries.pop_front();
        }
        state.deliveries.push_back(delivery);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_reply() {
        assert_eq!(retries_after(Some(200)), 0);
        assert_eq!(retries_after(Some(302)), 0);
        assert_eq!(retries_after(Some(500)), 1);
        assert_eq!(retries_after(Some(404)), 2);
        assert_eq!(retries_after(Some(503)), 4);
        assert_eq!(retries_after(Some(418)), 5);
        assert_eq!(retries_after(None), 5);
    }

    #[test]
    fn the_ladder_is_scaled_and_jittered_below_its_step() {
        for (retry, minutes) in [(1, 2), (3, 30), (5, 210), (9, 210)] {
            let wait = backoff(retry, 1.0);
            let step = Duration::from_secs(minutes * 60);
            assert!(wait >= step && wait < step * 2, "{retry}: {wait:?}");
        }
        assert!(backoff(1, 0.001) < Duration::from_millis(240));
    }
}
