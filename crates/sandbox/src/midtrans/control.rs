//! The JSON side for tests and the pay page's buttons: `POST /control/{id}/{action}`,
//! `GET /notifications`, `GET|POST /faults`.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::{json, Value};

use super::pages::mount_base;
use super::{wib_text, FailNext, Faults, HttpMode, MidtransSim, Transaction};

/// Control and knob bodies are small forms or JSON objects.
const MAX_BODY: usize = 16 * 1024;

/// A transaction as the control answers show it.
pub(super) fn transaction_json(tx: &Transaction) -> Value {
    json!({
        "transaction_id": tx.transaction_id,
        "order_id": tx.order_id,
        "gross_amount": tx.gross_amount,
        "transaction_status": tx.status.as_str(),
        "acquirer": tx.acquirer,
        "qr_string": tx.qr_string,
        "transaction_time": wib_text(tx.transaction_time),
        "expiry_time": wib_text(tx.expiry_time),
        "settlement_time": tx.settlement_time.map(wib_text),
        "issuer": tx.issuer,
        "transaction_type": tx.transaction_type,
        "notification_urls": tx.notification_urls,
    })
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// Back to the pay page, with what happened in `pesan`.
fn back_to_page(original: &Uri, inner: &Uri, message: &str) -> Response {
    let message: String = url::form_urlencoded::byte_serialize(message.as_bytes()).collect();
    let base = mount_base(original, inner);
    Redirect::to(&format!("{base}/qris?pesan={message}")).into_response()
}

pub(super) async fn action(
    State(sim): State<MidtransSim>,
    Path((id, action)): Path<(String, String)>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Nothing in the body matters; it is read (bounded) so the connection stays usable.
    let _ = axum::body::to_bytes(body, MAX_BODY).await;
    let result = match action.as_str() {
        "pay" => sim.pay(&id).await,
        "deny" => sim.deny(&id).await,
        "expire" => sim.expire(&id).await,
        "cancel" => sim.cancel(&id).await,
        "late_pay" => sim.late_pay(&id).await,
        "refund" => sim.refund(&id).await,
        "resend" => sim.resend(&id).await,
        other => {
            let error = format!("aksi tidak dikenal: {other}");
            return (
                StatusCode::NOT_FOUND,
                Json(json!({"ok": false, "error": error})),
            )
                .into_response();
        }
    };
    if is_form(&headers) {
        let message = match &result {
            Ok(()) => format!("{action}: berhasil"),
            Err(e) => format!("{action}: {e}"),
        };
        return back_to_page(&original, &uri, &message);
    }
    match result {
        Ok(()) => {
            let tx = sim.transaction(&id).as_ref().map(transaction_json);
            Json(json!({"ok": true, "transaction": tx})).into_response()
        }
        Err(error) => {
            let status = if sim.transaction(&id).is_none() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::CONFLICT
            };
            (status, Json(json!({"ok": false, "error": error}))).into_response()
        }
    }
}

pub(super) async fn notifications(State(sim): State<MidtransSim>) -> Json<Value> {
    Json(json!(sim.deliveries()))
}

pub(super) async fn faults(State(sim): State<MidtransSim>) -> Json<Faults> {
    Json(sim.faults())
}

/// JSON: the whole set of knobs (missing ones off). A form (the pay page): `reset`, or the
/// checkboxes and fields of the page.
pub(super) async fn set_faults(
    State(sim): State<MidtransSim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({"ok": false, "error": "body too large"})),
        )
            .into_response();
    };
    if is_form(&headers) {
        let form: HashMap<String, String> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let faults = if form.contains_key("reset") {
            Faults::default()
        } else {
            faults_from_form(&form)
        };
        sim.set_faults(faults);
        return back_to_page(&original, &uri, "gangguan diperbarui");
    }
    match serde_json::from_slice::<Faults>(&bytes) {
        Ok(faults) => {
            sim.set_faults(faults.clone());
            Json(faults).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
    }
}

/// The pay page's knob form: a checkbox is sent only when ticked.
fn faults_from_form(form: &HashMap<String, String>) -> Faults {
    let on = |name: &str| form.contains_key(name);
    let number = |name: &str| {
        form.get(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let fail_count = u32::try_from(number("fail_count")).unwrap_or(u32::MAX);
    let fail_status = u16::try_from(number("fail_status")).unwrap_or(500);
    Faults {
        fail_next: (fail_count > 0).then_some(FailNext {
            count: fail_count,
            status: if (400..600).contains(&fail_status) {
                fail_status
            } else {
                500
            },
            created: on("fail_created"),
        }),
        latency_ms: number("latency_ms").min(600_000),
        hang: on("hang"),
        auth_fail: on("auth_fail"),
        qris_disabled: on("qris_disabled"),
        force_deny: on("force_deny"),
        omit_qr_string: on("omit_qr_string"),
        omit_expiry_time: on("omit_expiry_time"),
        http_mode: if form.get("http_mode").is_some_and(|m| m == "mirror") {
            HttpMode::Mirror
        } else {
            HttpMode::BodyOnly
        },
        duplicate: on("duplicate"),
        drop_first: u32::try_from(number("drop_first"))
            .unwrap_or(u32::MAX)
            .min(5),
        drop_all: on("drop_all"),
        tamper: on("tamper"),
        forge_status: on("forge_status"),
        bad_amount: on("bad_amount"),
        reorder: on("reorder"),
        notification_delay_ms: number("notification_delay_ms").min(3_600_000),
        old_host_in_actions: on("old_host_in_actions"),
    }
}
