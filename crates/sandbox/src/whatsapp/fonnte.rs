//! The Fonnte side: `POST /fonnte/send` and `POST /fonnte/device`. Like the real gateway, refusals are HTTP 200 with
//! `{"reason": …, "status": false}`; only an outage is an HTTP error.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::{normalize, not_on_whatsapp, Gateway, SentMessage, WhatsAppSim, BUSINESS_NUMBER};

/// The quota the simulated device starts with; each accepted target uses one.
const QUOTA: u64 = 1000;

pub(super) async fn send(
    State(sim): State<WhatsAppSim>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(delay) = sim.delay() {
        tokio::time::sleep(delay).await;
    }
    let outage = {
        let mut state = sim.state();
        state.attempts += 1;
        state.outage
    };
    if outage {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    }
    if !token_matches(&sim, &headers) {
        return refused("invalid token");
    }
    let Some(fields) = fields(&headers, &body) else {
        return refused("input invalid");
    };
    let field = |name: &str| fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());

    let Some(target) = field("target") else {
        return refused("target invalid");
    };
    let Some(text) = field("message") else {
        return refused("message invalid");
    };
    let country_code = field("countryCode").unwrap_or("62");
    // `target` is `number` or `number|name|var1`, comma-separated; Fonnte drops the targets it
    // cannot use and refuses the request only when none is left.
    let mut targets: Vec<String> = Vec::new();
    for entry in target.split(',') {
        let number = entry.split('|').next().unwrap_or_default();
        if let Some(number) = normalize(number, country_code) {
            if !not_on_whatsapp(&number) && !targets.contains(&number) {
                targets.push(number);
            }
        }
    }
    if targets.is_empty() {
        return refused("target invalid");
    }

    let (ids, request_id, used) = {
        let mut state = sim.state();
        let at = state.now();
        let mut ids = Vec::with_capacity(targets.len());
        for to in &targets {
            state.fonnte_seq += 1;
            let id = 100_000_000 + state.fonnte_seq;
            ids.push(id);
            state.accept(SentMessage {
                id: id.to_string(),
                to: to.clone(),
                gateway: Gateway::Fonnte,
                kind: "text".into(),
                body: text.to_owned(),
                template_name: None,
                params: Vec::new(),
                at,
                status: "sent".into(),
            });
        }
        let used = state.fonnte_seq;
        (ids, 200_000_000 + used, used)
    };
    Json(json!({
        "detail": "success! message in queue",
        "id": ids,
        "process": "pending",
        "quota": {
            BUSINESS_NUMBER: {
                "details": "deduced from total quota",
                "quota": QUOTA,
                "remaining": QUOTA.saturating_sub(used),
                "used": targets.len(),
            }
        },
        "requestid": request_id,
        "status": true,
        "target": targets,
    }))
    .into_response()
}

/// `POST /device`: the device behind the token and whether its WhatsApp session is live.
pub(super) async fn device(State(sim): State<WhatsAppSim>, headers: HeaderMap) -> Response {
    if !token_matches(&sim, &headers) {
        return refused("invalid token");
    }
    let disconnected = sim.state().device_disconnected;
    Json(json!({
        "device": BUSINESS_NUMBER,
        "device_status": if disconnected { "disconnect" } else { "connect" },
        "name": "Madd Store Sandbox",
        "package": "Super",
        "quota": QUOTA.to_string(),
        "status": true,
    }))
    .into_response()
}

/// Fonnte's raw `Authorization` token, compared in constant time.
fn token_matches(sim: &WhatsAppSim, headers: &HeaderMap) -> bool {
    let token = &sim.inner.config.fonnte_token;
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !token.is_empty() && bool::from(presented.as_bytes().ct_eq(token.as_bytes()))
}

fn refused(reason: &str) -> Response {
    Json(json!({ "reason": reason, "status": false })).into_response()
}

/// Form-encoded (what the store sends) or JSON; `None` when the body is neither.
fn fields(headers: &HeaderMap, body: &str) -> Option<HashMap<String, String>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        let object: HashMap<String, Value> = serde_json::from_str(body).ok()?;
        Some(
            object
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect(),
        )
    } else if content_type.starts_with("multipart/") {
        // The real API takes multipart too; the sandbox does not parse it.
        None
    } else {
        serde_urlencoded::from_str::<Vec<(String, String)>>(body)
            .ok()
            .map(|pairs| pairs.into_iter().collect())
    }
}
