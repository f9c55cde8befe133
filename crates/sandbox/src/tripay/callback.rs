//! The callback sender (spec §6, §11.4): the §6.2 body as compact JSON in a fixed field order,
//! signed over the exact bytes sent, retried every two minutes (scaled) at most three more
//! times until the store answers HTTP 200 with `{"success":true}`; plus the delivery knobs.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use serde::Serialize;
use serde_json::Value;

use super::{hmac_hex, now, Faults, Status, Transaction, TripaySim, MAX_DELIVERIES, MAX_RETRIES};

/// The only event Tripay documents.
pub const EVENT: &str = "payment_status";
/// What the `wrong_event` knob sends instead.
const WRONG_EVENT: &str = "something_else";
/// What the `escape_slashes` knob puts in `note`, so there is a slash to escape.
const SLASHED_NOTE: &str = "QRIS/ShopeePay";
/// Reply bytes kept in the log.
const MAX_REPLY: usize = 2_048;

/// One callback attempt, or a callback the `drop_*` knobs swallowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub reference: String,
    pub merchant_ref: String,
    /// The `status` in the body (a stale EXPIRED from `reorder` says EXPIRED).
    pub status: String,
    pub url: String,
    /// The exact bytes sent.
    pub body: String,
    /// `X-Callback-Signature` as sent.
    pub signature: String,
    /// `X-Callback-Event` as sent.
    pub event: String,
    /// 0, or 1 for the second copy of the `duplicate` knob.
    pub copy: u32,
    /// 1 for the first attempt, 2..=4 for retries; 0 for a dropped callback.
    pub attempt: u32,
    pub outcome: Outcome,
    /// HTTP 200 with a JSON body whose `success` is `true`.
    pub succeeded: bool,
    /// Unix seconds.
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The store answered (its body cut to 2 KiB).
    Replied { http: u16, body: String },
    /// No answer: connection refused, timeout…
    Failed { reason: String },
    /// Never sent (`drop_first` / `drop_all`).
    Dropped,
}

/// How the body's bytes are written.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct BodyStyle {
    pub escape_slashes: bool,
    pub bad_amount: bool,
}

/// The §6.2 body, compact, fields in the documented order. `status`/`paid_at` are passed apart
/// so that a stale EXPIRED can be written for a paid transaction.
pub(super) fn body(
    tx: &Transaction,
    status: Status,
    paid_at: Option<i64>,
    style: BodyStyle,
) -> String {
    let text = |v: &str| serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let total_amount = if style.bad_amount {
        // Less than the order: the dangerous mismatch, under a valid signature.
        if tx.amount > 1_000 {
            tx.amount - 1_000
        } else {
            tx.amount + 1_000
        }
    } else {
        tx.amount
    };
    let note = if style.escape_slashes {
        Some(SLASHED_NOTE)
    } else {
        tx.note.as_deref()
    };
    let out = format!(
        "{{\"reference\":{},\"merchant_ref\":{},\"payment_method\":{},\"payment_method_code\":{},\
         \"total_amount\":{},\"fee_merchant\":{},\"fee_customer\":{},\"total_fee\":{},\
         \"amount_received\":{},\"is_closed_payment\":1,\"status\":{},\"paid_at\":{},\"note\":{}}}",
        text(&tx.reference),
        text(&tx.merchant_ref),
        text(&tx.method_name),
        text(&tx.method),
        total_amount,
        tx.fee_merchant,
        tx.fee_customer,
        tx.total_fee,
        total_amount - tx.total_fee,
        text(status.as_str()),
        paid_at.map_or_else(|| "null".to_string(), |t| t.to_string()),
        note.map_or_else(|| "null".to_string(), text),
    );
    // `/` only ever occurs inside JSON strings, so escaping every one is PHP's `\/` exactly.
    if style.escape_slashes {
        out.replace('/', "\\/")
    } else {
        out
    }
}

/// A redirect is not a success, so it is not followed.
pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("TriPay-Sandbox/1.0")
        .build()
        .expect("the HTTP client's TLS backend initialises")
}

/// Everything one callback needs, fixed when it is dispatched.
#[derive(Clone)]
struct Job {
    reference: String,
    merchant_ref: String,
    status: String,
    url: String,
    body: String,
    signature: String,
    event: String,
    backoff: Duration,
}

impl Job {
    fn delivery(&self, copy: u32, attempt: u32, outcome: Outcome) -> Delivery {
        let succeeded =
            matches!(&outcome, Outcome::Replied { http: 200, body } if says_success(body));
        Delivery {
            reference: self.reference.clone(),
            merchant_ref: self.merchant_ref.clone(),
            status: self.status.clone(),
            url: self.url.clone(),
            body: self.body.clone(),
            signature: self.signature.clone(),
            event: self.event.clone(),
            copy,
            attempt,
            outcome,
            succeeded,
            at: now(),
        }
    }
}

fn says_success(reply: &str) -> bool {
    serde_json::from_str::<Value>(reply)
        .ok()
        .and_then(|v| v.get("success").cloned())
        == Some(Value::Bool(true))
}

/// Keeps the in-flight count right even if a delivery task panics or is cancelled.
struct InFlight(TripaySim);

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut state = self.0.state();
            state.in_flight = state.in_flight.saturating_sub(1);
        }
        self.0.inner.idle.notify_waiters();
    }
}

impl TripaySim {
    /// Sends the callback for `tx`'s current status in background tasks, as the knobs say.
    pub(super) fn dispatch(&self, tx: &Transaction) {
        let config = self.config();
        let url = tx
            .callback_url
            .clone()
            .filter(|u| !u.is_empty())
            .or_else(|| config.callback_url.clone());
        let Some(url) = url else { return };
        let (faults, dropped) = {
            let mut state = self.state();
            let faults = &mut state.faults;
            let dropped = if faults.drop_all {
                true
            } else if faults.drop_first > 0 {
                faults.drop_first -= 1;
                true
            } else {
                false
            };
            (state.faults.clone(), dropped)
        };
        let job = self.job(tx, tx.status, tx.paid_at, &url, &faults);
        if dropped {
            self.record(job.delivery(0, 0, Outcome::Dropped));
            return;
        }
        let stale = (faults.reorder && tx.status == Status::Paid)
            .then(|| self.job(tx, Status::Expired, None, &url, &faults));
        let copies = if faults.duplicate { 2 } else { 1 };
        self.state().in_flight += copies;
        let job = Arc::new(job);
        for copy in 0..copies {
            let guard = InFlight(self.clone());
            let job = job.clone();
            let stale = if copy == 0 { stale.clone() } else { None };
            tokio::spawn(async move {
                guard
                    .0
                    .deliver(&job, u32::try_from(copy).unwrap_or(0))
                    .await;
                if let Some(stale) = stale {
                    guard.0.deliver(&stale, 0).await;
                }
                drop(guard);
            });
        }
    }

    fn job(
        &self,
        tx: &Transaction,
        status: Status,
        paid_at: Option<i64>,
        url: &str,
        faults: &Faults,
    ) -> Job {
        let config = self.config();
        let style = BodyStyle {
            escape_slashes: faults.escape_slashes,
            bad_amount: faults.bad_amount,
        };
        let body = body(tx, status, paid_at, style);
        let signature = if faults.tamper {
            // Signed, but not with the merchant's key: looks right, verifies wrong.
            hmac_hex(&format!("{}-tampered", config.private_key), body.as_bytes())
        } else {
            hmac_hex(&config.private_key, body.as_bytes())
        };
        Job {
            reference: tx.reference.clone(),
            merchant_ref: tx.merchant_ref.clone(),
            status: status.as_str().to_string(),
            url: url.to_string(),
            body,
            signature,
            event: if faults.wrong_event {
                WRONG_EVENT
            } else {
                EVENT
            }
            .to_string(),
            backoff: config.retry_wait(),
        }
    }

    /// One copy with its retries, each attempt logged.
    async fn deliver(&self, job: &Job, copy: u32) {
        for attempt in 1..=MAX_RETRIES + 1 {
            if attempt > 1 && !job.backoff.is_zero() {
                tokio::time::sleep(job.backoff).await;
            }
            let sent = self
                .inner
                .http
                .post(&job.url)
                .header(CONTENT_TYPE, "application/json")
                .header("X-Callback-Event", &job.event)
                .header("X-Callback-Signature", &job.signature)
                .body(job.body.clone())
                .send()
                .await;
            let outcome = match sent {
                Ok(response) => {
                    let http = response.status().as_u16();
                    Outcome::Replied {
                        http,
                        body: read_reply(response).await,
                    }
                }
                Err(e) => Outcome::Failed {
                    reason: describe(&e),
                },
            };
            let delivery = job.delivery(copy, attempt, outcome);
            let succeeded = delivery.succeeded;
            tracing::debug!(
                reference = %job.reference,
                status = %job.status,
                copy,
                attempt,
                succeeded,
                "tripay sandbox callback attempt"
            );
            self.record(delivery);
            if succeeded {
                return;
            }
        }
    }

    fn record(&self, delivery: Delivery) {
        let mut state = self.state();
        while state.deliveries.len() >= MAX_DELIVERIES {
            state.deliveries.pop_front();
        }
        state.deliveries.push_back(delivery);
    }
}

/// The reply's first 2 KiB, read chunk by chunk so a huge reply is never held whole.
async fn read_reply(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_REPLY.saturating_sub(bytes.len());
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_REPLY {
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tripay::create::tests::sample_transaction;

    const KEY: &str = "AbCdE-fGhIj-KlMnO-pQrSt-UvWxY";

    #[test]
    fn the_specs_callback_body_and_digest_are_reproduced() {
        let tx = sample_transaction();
        let body = body(&tx, Status::Paid, Some(1_767_236_700), BodyStyle::default());
        let expected = r#"{"reference":"DEV-T12345123456ABCDE","merchant_ref":"MS-7K3Q9XW2-1","payment_method":"QRIS","payment_method_code":"QRIS2","total_amount":20000,"fee_merchant":890,"fee_customer":0,"total_fee":890,"amount_received":19110,"is_closed_payment":1,"status":"PAID","paid_at":1767236700,"note":null}"#;
        assert_eq!(body, expected);
        assert_eq!(body.len(), 290);
        assert_eq!(
            hmac_hex(KEY, body.as_bytes()),
            "dcc51afae5db21ded22576d946d6ac6d7ad1f697cb6216770ed8d680c5f26e4b"
        );
    }

    #[test]
    fn escaped_slashes_change_the_bytes_and_so_the_digest() {
        let tx = sample_transaction();
        let style = BodyStyle {
            escape_slashes: true,
            bad_amount: false,
        };
        let body = body(&tx, Status::Paid, Some(1_767_236_700), style);
        assert!(body.ends_with(r#""note":"QRIS\/ShopeePay"}"#), "{body}");
        assert_eq!(
            hmac_hex(KEY, body.as_bytes()),
            "c752180595c60424f63e4b78911ff81d51e811a008ed9a2ecc79a95041c86afd"
        );
    }

    #[test]
    fn a_bad_amount_is_consistent_but_wrong() {
        let tx = sample_transaction();
        let style = BodyStyle {
            escape_slashes: false,
            bad_amount: true,
        };
        let body: Value = serde_json::from_str(&body(&tx, Status::Paid, Some(1), style)).unwrap();
        assert_eq!(body["total_amount"], 19_000);
        assert_eq!(body["amount_received"], 18_110);
        assert!(says_success(r#"{"success":true}"#));
        assert!(!says_success(r#"{"success":"true"}"#) && !says_success("OK"));
    }
}
