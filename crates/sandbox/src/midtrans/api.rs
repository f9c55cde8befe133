//! The Core API routes: `POST /v2/charge` (validated per §10.1), `GET /v2/{id}/status`,
//! `POST /v2/{id}/cancel`, `POST /v2/{id}/expire`. Every answer is a JSON body whose
//! `status_code` says what happened; the HTTP status follows the `http_mode` knob.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::notify::add_settlement_fields;
use super::{
    find, new_id, signature, wib_text, FailNext, HttpMode, Idempotent, MidtransSim, Transaction,
    TxStatus, IDEMPOTENCY_WINDOW, MAX_IDEMPOTENCY_KEYS,
};

mod charge;

/// Larger request bodies are refused: nothing the API takes comes near it.
const MAX_BODY: usize = 64 * 1024;
/// The `hang` knob holds a call this long before giving up with a 504.
const HANG: Duration = Duration::from_secs(300);
/// Keys longer than this are ignored, as Midtrans does (§2.5).
const MAX_IDEMPOTENCY_KEY: usize = 46;

/// `{"status_code": "…", "status_message": "…", "id": "…"}`.
pub(super) fn error_body(code: u16, message: &str) -> Value {
    json!({"status_code": code.to_string(), "status_message": message, "id": new_id()})
}

/// A JSON answer: HTTP 200 (`body_only`) or the body's code when ≥ 400 (`mirror`).
pub(super) fn reply(mode: HttpMode, body: Value) -> Response {
    let code = body
        .get("status_code")
        .and_then(Value::as_str)
        .and_then(|c| c.parse::<u16>().ok())
        .unwrap_or(200);
    let http = match mode {
        HttpMode::Mirror if code >= 400 => StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
        _ => StatusCode::OK,
    };
    (http, Json(body)).into_response()
}

/// A `fail_next` answer: 502/504 as a load balancer's HTML page, the others a JSON body.
fn failure(mode: HttpMode, fail: FailNext) -> Response {
    let status = StatusCode::from_u16(fail.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if matches!(fail.status, 502 | 504) {
        let page = format!(
            "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center></body></html>"
        );
        return (status, Html(page)).into_response();
    }
    let message = match fail.status {
        429 => "Too many requests, please try again later",
        503 => "Service temporarily unavailable",
        _ => "Internal Server Error",
    };
    let body = error_body(fail.status, message);
    match mode {
        // The caller sees a server error either way; only the body-only mode hides it in a 200.
        HttpMode::BodyOnly => reply(mode, body),
        HttpMode::Mirror => (status, Json(body)).into_response(),
    }
}

fn unauthorized(mode: HttpMode) -> Response {
    let body = error_body(
        401,
        "Access denied due to unauthorized transaction, please check client or server key",
    );
    reply(mode, body)
}

/// What every API call goes through before its own work: the `latency`/`hang` knobs, the
/// `Authorization` check, then one `fail_next` taken.
struct Gate {
    mode: HttpMode,
    fail: Option<FailNext>,
}

impl MidtransSim {
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:", self.inner.config.server_key))
        );
        let presented = headers
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        !self.faults().auth_fail && bool::from(expected.as_bytes().ct_eq(presented))
    }

    async fn delay(&self) {
        let faults = self.faults();
        if faults.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
        }
        if faults.hang {
            tokio::time::sleep(HANG).await;
        }
    }

    async fn gate(&self, headers: &HeaderMap) -> Result<Gate, Response> {
        self.delay().await;
        let hung = self.faults().hang;
        let mode = self.faults().http_mode;
        if hung {
            return Err(StatusCode::GATEWAY_TIMEOUT.into_response());
        }
        if !self.authorized(headers) {
            return Err(unauthorized(mode));
        }
        Ok(Gate {
            mode,
            fail: self.take_fail_next(),
        })
    }

    fn take_fail_next(&self) -> Option<FailNext> {
        let mut state = self.state();
        let fail = state.faults.fail_next.filter(|f| f.count > 0)?;
        state.faults.fail_next = (fail.count > 1).then_some(FailNext {
            count: fail.count - 1,
            ..fail
        });
        Some(fail)
    }

    /// The transaction as the status, cancel and expire calls answer it.
    fn transaction_body(&self, tx: &Transaction, code: &str, message: &str) -> Value {
        let mut body = json!({
            "status_code": code,
            "status_message": message,
            "transaction_id": tx.transaction_id,
            "order_id": tx.order_id,
            "merchant_id": tx.merchant_id,
            "gross_amount": tx.gross_text(),
            "currency": "IDR",
            "payment_type": "qris",
            "transaction_time": wib_text(tx.transaction_time),
            "transaction_status": tx.status.as_str(),
            "fraud_status": "accept",
            "acquirer": tx.acquirer,
            "signature_key": signature(&tx.order_id, code, &tx.gross_text(), &self.inner.config.server_key),
        });
        if !self.faults().omit_expiry_time {
            body["expiry_time"] = json!(wib_text(tx.expiry_time));
        }
        add_settlement_fields(&mut body, tx);
        body
    }
}

async fn read_body(body: Body) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        let body = error_body(
            413,
            "The request cannot be processed: the body is too large",
        );
        (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
    })
}

/// Where the API is reachable from outside: the configured prefix, or `Host` + mount point.
fn public_base(sim: &MidtransSim, headers: &HeaderMap, original: &Uri, inner: &Uri) -> String {
    if let Some(base) = &sim.inner.config.public_base {
        return base.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    let mount = original
        .path()
        .strip_suffix(inner.path())
        .unwrap_or_default();
    format!("{scheme}://{host}{mount}")
}

/// The key under which a charge's answer is remembered: at most 46 characters, else ignored.
fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
        .map(str::to_string)
}

/// What a remembered key says about a new charge with it.
enum Replay {
    New,
    InFlight,
    Answer(Value),
}

/// Marks a key in flight until the charge answers, and forgets it if the call is abandoned.
struct KeyGuard {
    sim: MidtransSim,
    key: Option<String>,
}

impl KeyGuard {
    /// Remembers a successful answer for the key's window.
    fn finish(mut self, body: &Value) {
        if let Some(key) = self.key.take() {
            let at = Instant::now();
            let body = body.clone();
            self.sim
                .state()
                .idempotency
                .insert(key, Idempotent::Done { at, body });
        }
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.sim.state().idempotency.remove(&key);
        }
    }
}

impl MidtransSim {
    fn replay(&self, key: Option<&str>) -> Replay {
        let Some(key) = key else {
            return Replay::New;
        };
        let mut state = self.state();
        state.idempotency.retain(|_, entry| match entry {
            Idempotent::InFlight(at) | Idempotent::Done { at, .. } => {
                at.elapsed() < IDEMPOTENCY_WINDOW
            }
        });
        match state.idempotency.get(key) {
            Some(Idempotent::InFlight(_)) => Replay::InFlight,
            Some(Idempotent::Done { body, .. }) => Replay::Answer(body.clone()),
            None => {
                if state.idempotency.len() < MAX_IDEMPOTENCY_KEYS {
                    let entry = Idempotent::InFlight(Instant::now());
                    state.idempotency.insert(key.to_string(), entry);
                }
                Replay::New
            }
        }
    }
}

pub(super) async fn charge(
    State(sim): State<MidtransSim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let bytes = match read_body(body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    if !sim.authorized(&headers) {
        // Refused before the key is remembered: a wrong key must not hold a key in flight.
        sim.delay().await;
        return unauthorized(sim.faults().http_mode);
    }
    charge_authorized(sim, original, uri, headers, bytes).await
}

async fn charge_authorized(
    sim: MidtransSim,
    original: Uri,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let key = idempotency_key(&headers);
    let mode = sim.faults().http_mode;
    match sim.replay(key.as_deref()) {
        Replay::New => {}
        Replay::Answer(body) => return reply(mode, body),
        Replay::InFlight => {
            let body = json!({"status_code": "202", "status_message": "The request is still being processed", "id": new_id()});
            return (StatusCode::ACCEPTED, Json(body)).into_response();
        }
    }
    let guard = KeyGuard {
        sim: sim.clone(),
        key,
    };
    let gate = match sim.gate(&headers).await {
        Ok(gate) => gate,
        Err(response) => return response,
    };
    if let Some(fail) = gate.fail.filter(|f| !f.created) {
        return failure(gate.mode, fail);
    }
    let base = public_base(&sim, &headers, &original, &uri);
    let (code, body) = sim.create(&headers, &bytes, &base);
    if code == 201 {
        guard.finish(&body);
    }
    match gate.fail {
        Some(fail) => failure(gate.mode, fail),
        None => reply(gate.mode, body),
    }
}

pub(super) async fn status(
    State(sim): State<MidtransSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    sim.inner
        .status_requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let gate = match sim.gate(&headers).await {
        Ok(gate) => gate,
        Err(response) => return response,
    };
    if let Some(fail) = gate.fail {
        return failure(gate.mode, fail);
    }
    let found = find(&sim.state().transactions, &id).cloned();
    let body = match found {
        None => not_found(),
        Some(tx) => {
            let code = tx.status.api_code();
            sim.transaction_body(&tx, code, "Success, transaction is found")
        }
    };
    reply(gate.mode, body)
}

fn not_found() -> Value {
    error_body(404, "Transaction doesn't exist.")
}

pub(super) async fn cancel(
    State(sim): State<MidtransSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    end(sim, &id, &headers, body, TxStatus::Cancel).await
}

pub(super) async fn expire(
    State(sim): State<MidtransSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    end(sim, &id, &headers, body, TxStatus::Expire).await
}

/// Cancel or expire a pending transaction (§5): 200/407 with the transaction, 412 when it is no
/// longer pending, 404 when unknown; the change is notified with code 202.
async fn end(
    sim: MidtransSim,
    id: &str,
    headers: &HeaderMap,
    body: Body,
    to: TxStatus,
) -> Response {
    if let Err(response) = read_body(body).await {
        return response;
    }
    let gate = match sim.gate(headers).await {
        Ok(gate) => gate,
        Err(response) => return response,
    };
    if let Some(fail) = gate.fail.filter(|f| !f.created) {
        return failure(gate.mode, fail);
    }
    let body = match sim.transition(id, &[TxStatus::Pending], to) {
        Ok(tx) => {
            sim.notify(&tx);
            let message = match to {
                TxStatus::Cancel => "Success, transaction is canceled",
                _ => "Success, transaction has expired",
            };
            sim.transaction_body(&tx, to.api_code(), message)
        }
        Err(_) if sim.transaction(id).is_none() => not_found(),
        Err(_) => error_body(412, "Merchant cannot modify the status of the transaction"),
    };
    match gate.fail {
        Some(fail) => failure(gate.mode, fail),
        None => reply(gate.mode, body),
    }
}
