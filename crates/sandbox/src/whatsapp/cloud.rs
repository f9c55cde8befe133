//! The Cloud API side: `POST /cloud/{version}/{phone_number_id}/messages` and the webhooks
//! Meta would send (statuses, customer messages), in Meta's shapes.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distributions::{Alphanumeric, DistString};
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::{
    not_on_whatsapp, Config, CustomerMessage, Gateway, SentMessage, WhatsAppSim, BUSINESS_NUMBER,
    WABA_ID,
};

const MAX_TEXT_CHARS: usize = 4096;

enum Content {
    Text(String),
    Template { name: String, params: Vec<String> },
}

/// Meta's checks before anything else, in its order: the token, the version, the phone number
/// id (`method` and `path` as Meta words its errors).
fn refuse_request(
    config: &Config,
    headers: &HeaderMap,
    version: &str,
    phone_number_id: &str,
    method: &str,
    path: &str,
) -> Option<Response> {
    if !bearer_matches(headers, &config.cloud_token) {
        return Some(meta_error(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid OAuth access token - Cannot parse access token",
            None,
        ));
    }
    if !is_version(version) {
        return Some(meta_error(
            StatusCode::BAD_REQUEST,
            2500,
            &format!("Unknown path components: /{version}/{phone_number_id}{path}"),
            None,
        ));
    }
    if phone_number_id != config.phone_number_id {
        return Some(meta_error(
            StatusCode::BAD_REQUEST,
            100,
            &format!(
                "Unsupported {method} request. Object with ID '{phone_number_id}' does not exist, \
                 cannot be loaded due to missing permissions, or does not support this operation."
            ),
            None,
        ));
    }
    None
}

/// `GET /{version}/{phone_number_id}`: the number's record, as the doctor reads it.
pub(super) async fn number(
    State(sim): State<WhatsAppSim>,
    Path((version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refuse_request(
        &sim.inner.config,
        &headers,
        &version,
        &phone_number_id,
        "get",
        "",
    ) {
        return refused;
    }
    Json(json!({
        "verified_name": "Madd Store Sandbox",
        "display_phone_number": format!("+{BUSINESS_NUMBER}"),
        "quality_rating": "GREEN",
        "id": phone_number_id,
    }))
    .into_response()
}

pub(super) async fn send(
    State(sim): State<WhatsAppSim>,
    Path((version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(delay) = sim.delay() {
        tokio::time::sleep(delay).await;
    }
    if let Some(refused) = refuse_send(&sim, &headers, &version, &phone_number_id) {
        return refused;
    }
    let (to_input, to, content) = match validate(&body) {
        Ok(parsed) => parsed,
        Err(e) => {
            return meta_error(
                StatusCode::BAD_REQUEST,
                100,
                e.message,
                e.details.as_deref(),
            )
        }
    };
    if not_on_whatsapp(&to) {
        return meta_error(
            StatusCode::BAD_REQUEST,
            131026,
            "(#131026) Message Undeliverable.",
            Some("Message Undeliverable: the recipient is not a WhatsApp user (sandbox: numbers ending in 0000)."),
        );
    }
    let Some(message) = accept(&sim, &to, content) else {
        return meta_error(
            StatusCode::BAD_REQUEST,
            131047,
            "(#131047) Re-engagement message",
            Some(
                "Message failed to send because more than 24 hours have passed since the \
                 customer last replied to this number.",
            ),
        );
    };

    // Meta echoes `biz_opaque_callback_data` (at most 512 characters) in the status webhooks.
    let callback_data = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("biz_opaque_callback_data")
            .and_then(Value::as_str)
            .map(|s| s.chars().take(512).collect::<String>())
    });
    tokio::spawn(report_statuses(
        sim.clone(),
        message.id.clone(),
        to.clone(),
        message.kind == "template",
        callback_data,
    ));
    if sim.take_lost_answer() {
        // Taken, but the answer never reaches the caller (it times out and hangs up).
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }

    let mut sent = json!({ "id": message.id });
    if message.kind == "template" {
        sent["message_status"] = json!("accepted");
    }
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to_input, "wa_id": to }],
        "messages": [sent],
    }))
    .into_response()
}

/// What refuses a send before its body is read, in Meta's order: an outage (the attempt still
/// counts), the request checks, then the rate limit.
fn refuse_send(
    sim: &WhatsAppSim,
    headers: &HeaderMap,
    version: &str,
    phone_number_id: &str,
) -> Option<Response> {
    let outage = {
        let mut state = sim.state();
        state.attempts += 1;
        state.outage
    };
    if outage {
        return Some(meta_error(
            StatusCode::SERVICE_UNAVAILABLE,
            2,
            "Service temporarily unavailable",
            None,
        ));
    }
    if let Some(refused) = refuse_request(
        &sim.inner.config,
        headers,
        version,
        phone_number_id,
        "post",
        "/messages",
    ) {
        return Some(refused);
    }
    let mut state = sim.state();
    if state.rate_limited > 0 {
        state.rate_limited -= 1;
        return Some(meta_error(
            StatusCode::TOO_MANY_REQUESTS,
            130429,
            "(#130429) Rate limit hit",
            Some("Cloud API message throughput has been reached."),
        ));
    }
    None
}

/// Records the message as accepted; `None` for free text outside the customer's 24-hour window
/// (only templates may open a conversation).
fn accept(sim: &WhatsAppSim, to: &str, content: Content) -> Option<SentMessage> {
    let mut state = sim.state();
    if matches!(content, Content::Text(_)) && !state.window_open(to) {
        return None;
    }
    state.cloud_seq += 1;
    let (kind, body, template_name, params) = match content {
        Content::Text(text) => ("text", text, None, Vec::new()),
        Content::Template { name, params } => {
            let body = format!("{name}: {}", params.join(" | "));
            ("template", body, Some(name), params)
        }
    };
    let message = SentMessage {
        id: format!("wamid.sandbox.{}", state.cloud_seq),
        to: to.to_owned(),
        gateway: Gateway::Cloud,
        kind: kind.to_owned(),
        body,
        template_name,
        params,
        at: state.now(),
        status: "accepted".into(),
    };
    state.accept(message.clone());
    Some(message)
}

/// `sent`, then after the configured delay `delivered`: recorded on the message and, when a
/// status webhook is configured, POSTed there signed, in that order.
async fn report_statuses(
    sim: WhatsAppSim,
    id: String,
    to: String,
    template: bool,
    callback_data: Option<String>,
) {
    for (i, status) in ["sent", "delivered"].into_iter().enumerate() {
        let delay = sim.inner.config.delivery_delay;
        if i > 0 && !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let timestamp = {
            let mut state = sim.state();
            state.set_status(&id, status);
            state.now().unix_timestamp()
        };
        if let Some(url) = &sim.inner.config.status_webhook_url {
            let category = if template { "utility" } else { "service" };
            let mut value = json!({
                "messaging_product": "whatsapp",
                "metadata": metadata(&sim.inner.config),
                "statuses": [{
                    "id": id,
                    "status": status,
                    "timestamp": timestamp.to_string(),
                    "recipient_id": to,
                    "conversation": { "id": format!("sandbox-conversation-{to}"), "origin": { "type": category } },
                    "pricing": { "billable": true, "pricing_model": "PMP", "category": category },
                }],
            });
            if let Some(data) = &callback_data {
                value["statuses"][0]["biz_opaque_callback_data"] = json!(data);
            }
            sim.deliver(url, envelope(value), true).await;
        }
    }
}

/// The webhook Meta sends when a customer writes to the business.
pub(super) fn inbound_webhook(config: &Config, message: &CustomerMessage) -> Value {
    envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(config),
        "contacts": [{ "profile": { "name": message.name }, "wa_id": message.from }],
        "messages": [{
            "from": message.from,
            "id": message.id,
            "timestamp": message.at.unix_timestamp().to_string(),
            "type": "text",
            "text": { "body": message.text },
        }],
    }))
}

fn envelope(value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": WABA_ID, "changes": [{ "field": "messages", "value": value }] }],
    })
}

fn metadata(config: &Config) -> Value {
    json!({ "display_phone_number": BUSINESS_NUMBER, "phone_number_id": config.phone_number_id })
}

fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    presented.is_some_and(|p| !token.is_empty() && bool::from(p.as_bytes().ct_eq(token.as_bytes())))
}

/// `v23.0`, `v21.0`, `v9`: what the Graph API accepts as a version segment.
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|rest| {
        let mut parts = rest.split('.');
        let major_ok = parts
            .next()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let minor_ok = parts
            .next()
            .is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        major_ok && minor_ok && parts.next().is_none()
    })
}

/// A request the Cloud API refuses with error 100 (invalid parameter).
struct Invalid {
    message: &'static str,
    details: Option<String>,
}

fn invalid(message: &'static str, details: Option<&str>) -> Invalid {
    Invalid {
        message,
        details: details.map(str::to_owned),
    }
}

/// Checks the request like the Cloud API does, for the two message types the store uses.
/// Returns the `to` as given, its digits, and the content.
fn validate(body: &[u8]) -> Result<(String, String, Content), Invalid> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        invalid(
            "(#100) Invalid parameter",
            Some(&format!("the body is not JSON: {e}")),
        )
    })?;
    if value.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return Err(invalid(
            "(#100) The parameter messaging_product is required.",
            None,
        ));
    }
    if let Some(kind) = value.get("recipient_type") {
        if kind.as_str() != Some("individual") {
            return Err(invalid(
                "(#100) Invalid parameter",
                Some("recipient_type must be individual"),
            ));
        }
    }
    let to_input = value
        .get("to")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("(#100) The parameter to is required.", None))?;
    let to = international_digits(to_input).ok_or_else(|| {
        invalid(
            "(#100) Invalid parameter",
            Some("to must be a phone number in international form, e.g. 6281234567890"),
        )
    })?;
    let content = match value.get("type").and_then(Value::as_str) {
        Some("text") => {
            let body = value
                .pointer("/text/body")
                .and_then(Value::as_str)
                .filter(|b| !b.trim().is_empty())
                .ok_or_else(|| invalid("(#100) The parameter text['body'] is required.", None))?;
            if body.chars().count() > MAX_TEXT_CHARS {
                return Err(invalid(
                    "(#100) Param text['body'] must be at most 4096 characters long.",
                    None,
                ));
            }
            Content::Text(body.to_owned())
        }
        Some("template") => validate_template(&value)?,
        Some(other) => {
            return Err(invalid(
                "(#100) Invalid parameter",
                Some(&format!(
                    "type {other:?}: the sandbox accepts text and template messages"
                )),
            ))
        }
        None => return Err(invalid("(#100) The parameter type is required.", None)),
    };
    Ok((to_input.to_owned(), to, content))
}

fn validate_template(value: &Value) -> Result<Content, Invalid> {
    let name = value
        .pointer("/template/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("(#100) The parameter template['name'] is required.", None))?;
    if value
        .pointer("/template/language/code")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(invalid(
            "(#100) The parameter template['language']['code'] is required.",
            None,
        ));
    }
    let mut params = Vec::new();
    let components = match value.pointer("/template/components") {
        None => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            return Err(invalid(
                "(#100) Invalid parameter",
                Some("template['components'] must be an array"),
            ))
        }
    };
    for component in components {
        if component.get("type").and_then(Value::as_str) != Some("body") {
            continue;
        }
        let parameters = component
            .get("parameters")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                invalid(
                    "(#100) Invalid parameter",
                    Some("a body component needs a parameters array"),
                )
            })?;
        for parameter in parameters {
            if parameter.get("type").and_then(Value::as_str) != Some("text") {
                return Err(invalid(
                    "(#100) Invalid parameter",
                    Some("the sandbox accepts only text template parameters"),
                ));
            }
            let text = parameter
                .get("text")
                .and_then(Value::as_str)
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    invalid(
                        "(#100) Invalid parameter",
                        Some("Parameter text is required and cannot be empty"),
                    )
                })?;
            if text.contains(['\n', '\t']) || text.contains("     ") {
                return Err(invalid(
                    "(#100) Invalid parameter",
                    Some(
                        "Param text cannot have new-line/tab characters or more than 4 \
                         consecutive spaces",
                    ),
                ));
            }
            params.push(text.to_owned());
        }
    }
    Ok(Content::Template {
        name: name.to_owned(),
        params,
    })
}

/// `+62 812-3456-7890` → `6281234567890`. A leading 0 is refused: the Cloud API needs the
/// country code, and guessing it would hide a bug in the caller.
fn international_digits(input: &str) -> Option<String> {
    let input = input.trim();
    if !input
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
    {
        return None;
    }
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    (!digits.starts_with('0') && (8..=15).contains(&digits.len())).then_some(digits)
}

fn meta_error(status: StatusCode, code: i64, message: &str, details: Option<&str>) -> Response {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": Alphanumeric.sample_string(&mut rand::thread_rng(), 23),
    });
    if let Some(details) = details {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    (status, Json(json!({ "error": error }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_versions() {
        assert!(is_version("v23.0"));
        assert!(is_version("v9"));
        assert!(!is_version("23.0"));
        assert!(!is_version("v23."));
        assert!(!is_version("v23.0.1"));
        assert!(!is_version("vx"));
    }

    #[test]
    fn cloud_numbers_need_the_country_code() {
        assert_eq!(
            international_digits("+62 812-3456-7890").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(international_digits("081234567890"), None);
        assert_eq!(international_digits("62812abc"), None);
    }
}
