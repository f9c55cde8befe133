//! WhatsApp Business Cloud API (Meta): sending, and the pure halves of the webhook (signature,
//! subscription handshake, payload parsing) that the store's webhook handler calls.
//!
//! Sending decides per message: free text inside the 24-hour customer-service window, the kind's
//! approved template outside it. The store's idea of the window can be stale (it only learns of
//! the customer's messages through webhooks), so a text refused with 131047 is retried once as the
//! template within the same call instead of failing the outbox job.
//! A 131047 that comes later, as a `failed` status webhook, is handled by the outbox
//! ([`crate::service::outbox::gateway_status`]): one copy forced to the template is queued.

use madd_domain::text::{clean, clean_line, limit};
use std::collections::HashMap;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;

use super::{Accepted, Messenger, OutgoingMessage, SendError};
use crate::secret::Secret;

/// Meta's limit on a text message body, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Error codes from Meta's documentation that the mapping treats specially.
pub mod codes {
    /// The 24-hour window is closed: only a template may be sent.
    pub const REENGAGEMENT: i64 = 131047;
    /// Cloud API throughput limit.
    pub const RATE_LIMIT: i64 = 130429;
    /// The recipient cannot receive the message (not on WhatsApp, old app, …).
    pub const UNDELIVERABLE: i64 = 131026;
    /// Access token expired or invalid.
    pub const TOKEN: i64 = 190;
}

#[derive(Clone, Debug)]
pub struct CloudConfig {
    /// Graph API base including the version, e.g. `https://graph.facebook.com/v23.0`.
    pub api_url: url::Url,
    pub phone_number_id: String,
    pub token: Secret,
    /// Language code the templates were approved in, e.g. `id`.
    pub template_language: String,
    /// Message kind → approved template name; a kind not listed is used as the name itself.
    pub template_names: HashMap<String, String>,
}

pub struct CloudApi {
    config: CloudConfig,
    http: reqwest::Client,
}

impl CloudApi {
    /// `http` should carry the timeouts the caller wants: a request without one could hold an
    /// outbox worker for as long as Meta keeps the connection open.
    pub fn new(config: CloudConfig, http: reqwest::Client) -> Self {
        CloudApi { config, http }
    }

    fn endpoint(&self) -> Result<url::Url, SendError> {
        let mut url = self.config.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| SendError::Permanent("Cloud API url cannot have a path".into()))?
            .pop_if_empty()
            .push(&self.config.phone_number_id)
            .push("messages");
        Ok(url)
    }

    fn template_name<'a>(&'a self, kind: &'a str) -> &'a str {
        self.config
            .template_names
            .get(kind)
            .map_or(kind, String::as_str)
    }

    fn text_body(message: &OutgoingMessage) -> Value {
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to.as_str(),
            "type": "text",
            "text": { "preview_url": false, "body": truncate_chars(&message.text, MAX_TEXT_CHARS) },
        })
    }

    fn template_body(&self, message: &OutgoingMessage) -> Value {
        let mut template = json!({
            "name": self.template_name(&message.kind),
            "language": { "code": self.config.template_language },
        });
        // A template without variables is sent without components; Meta rejects an empty list.
        if !message.params.is_empty() {
            let parameters: Vec<Value> = message
                .params
                .iter()
                .map(|p| json!({ "type": "text", "text": template_param(p) }))
                .collect();
            template["components"] = json!([{ "type": "body", "parameters": parameters }]);
        }
        json!({
            "messaging_product": "whatsapp",
            "to": message.to.as_str(),
            "type": "template",
            "template": template,
        })
    }

    async fn post(&self, body: &Value) -> Result<Accepted, Refusal> {
        let url = self.endpoint().map_err(Refusal::Other)?;
        let response = self
            .http
            .post(url)
            .bearer_auth(self.config.token.expose())
            .json(body)
            .send()
            .await
            .map_err(|e| Refusal::Other(self.transport_error(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Refusal::Other(self.transport_error(&e)))?;
        if status.is_success() {
            let id = serde_json::from_slice::<SendResponse>(&bytes)
                .ok()
                .and_then(|r| r.messages.into_iter().next())
                .map(|m| m.id);
            if id.is_none() {
                // Meta took the message; failing here would make the worker send it twice.
                tracing::warn!(%status, "Cloud API accepted a message without a message id");
            }
            return Ok(Accepted { provider_id: id });
        }
        let error = serde_json::from_slice::<ErrorEnvelope>(&bytes)
            .ok()
            .map(|e| e.error);
        if error.as_ref().and_then(|e| e.code) == Some(codes::REENGAGEMENT) {
            return Err(Refusal::WindowClosed);
        }
        Err(Refusal::Other(
            self.classify(status.as_u16(), error.as_ref()),
        ))
    }

    fn classify(&self, http_status: u16, error: Option<&MetaError>) -> SendError {
        let detail = self.redact(&describe(http_status, error));
        match (error.and_then(|e| e.code), http_status) {
            // Throughput, account, pair and spam rate limits, and Meta's own hiccups.
            (Some(codes::RATE_LIMIT | 4 | 80007 | 131048 | 131056 | 131016 | 131000), _) => {
                SendError::Temporary(detail)
            }
            (Some(codes::UNDELIVERABLE), _) => SendError::Permanent(detail),
            // 190: token expired or revoked; 10 and 200–299: the token lacks a permission.
            // Only the seller can fix either.
            (Some(codes::TOKEN | 10 | 200..=299), _) | (_, 401) => SendError::Unauthorized(detail),
            (_, 408 | 425 | 429 | 500..=599) => SendError::Temporary(detail),
            (_, 400..=499) => SendError::Permanent(detail),
            _ => SendError::Temporary(detail),
        }
    }

    fn transport_error(&self, error: &reqwest::Error) -> SendError {
        let kind = if error.is_timeout() {
            "timeout"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "transport error"
        };
        let detail = format!("Cloud API {kind}: {}", error_chain(error));
        SendError::Temporary(self.redact(&detail))
    }

    fn redact(&self, detail: &str) -> String {
        let token = self.config.token.expose();
        if token.is_empty() {
            detail.to_owned()
        } else {
            detail.replace(token, "[redacted]")
        }
    }
}

#[async_trait]
impl Messenger for CloudApi {
    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, SendError> {
        if message.window_open {
            match self.post(&Self::text_body(message)).await {
                Ok(accepted) => return Ok(accepted),
                Err(Refusal::WindowClosed) => {
                    tracing::info!(
                        kind = %message.kind,
                        "window closed after all (131047); sending the template instead"
                    );
                }
                Err(Refusal::Other(e)) => return Err(e),
            }
        }
        match self.post(&self.template_body(message)).await {
            Ok(accepted) => Ok(accepted),
            // A template never needs the window; 131047 here means Meta refused it outright.
            Err(Refusal::WindowClosed) => Err(SendError::Permanent(format!(
                "template {} refused with (#131047) Re-engagement message",
                self.template_name(&message.kind)
            ))),
            Err(Refusal::Other(e)) => Err(e),
        }
    }
}

enum Refusal {
    WindowClosed,
    Other(SendError),
}

#[derive(Deserialize)]
struct SendResponse {
    #[serde(default)]
    messages: Vec<SentId>,
}

#[derive(Deserialize)]
struct SentId {
    id: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: MetaError,
}

#[derive(Deserialize)]
struct MetaError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    error_data: Option<ErrorData>,
    #[serde(default)]
    fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorData {
    #[serde(default)]
    details: Option<String>,
}

fn describe(http_status: u16, error: Option<&MetaError>) -> String {
    let Some(error) = error else {
        return format!("Cloud API answered HTTP {http_status}");
    };
    let mut out = format!("Cloud API HTTP {http_status}");
    if let Some(code) = error.code {
        out.push_str(&format!(" code {code}"));
    }
    if let Some(message) = &error.message {
        out.push_str(": ");
        out.push_str(&truncate_chars(message, 300));
    }
    if let Some(details) = error.error_data.as_ref().and_then(|d| d.details.as_ref()) {
        out.push_str(" (");
        out.push_str(&truncate_chars(details, 300));
        out.push(')');
    }
    if let Some(trace) = &error.fbtrace_id {
        out.push_str(&format!(" [fbtrace_id {trace}]"));
    }
    out
}

/// reqwest's own message is vague ("error sending request"); the cause is in the source chain.
fn error_chain(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut parts = Vec::new();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.join(": ")
}

/// At most `max` characters, cut on a character boundary, ending with `…` when cut.
fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..end])
        }
    }
}

/// Meta refuses template parameters with new lines, tabs or more than four spaces in a row, and
/// empty ones; a customer's nickname or a serial number can contain any of those.
fn template_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut spaces = 0;
    for c in value.trim().chars() {
        let c = if matches!(c, '\n' | '\r' | '\t') {
            ' '
        } else {
            c
        };
        if c == ' ' {
            spaces += 1;
            if spaces > 1 {
                continue;
            }
        } else {
            spaces = 0;
        }
        out.push(c);
    }
    if out.is_empty() {
        out.push('-');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Webhook

/// Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` in constant time.
/// False for a missing or malformed header and for an empty app secret.
pub fn verify_signature(app_secret: &Secret, raw_body: &[u8], header: Option<&str>) -> bool {
    if app_secret.is_empty() {
        return false;
    }
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.expose().as_bytes()) else {
        return false;
    };
    mac.update(raw_body);
    mac.verify_slice(&signature).is_ok()
}

/// The subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
/// the challenge to answer verbatim, or `None` to answer 403.
pub fn verify_subscription(
    verify_token: &Secret,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Option<String> {
    let (Some("subscribe"), Some(token), Some(challenge)) = (mode, token, challenge) else {
        return None;
    };
    // Meta's challenge is a number; anything else would only ever be reflected back to a caller.
    let plausible = !challenge.is_empty()
        && challenge.len() <= 256
        && challenge.bytes().all(|b| b.is_ascii_graphic());
    (plausible && verify_token.matches(token)).then(|| challenge.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid WhatsApp webhook body: {0}")]
pub struct ParseError(pub String);

/// What one webhook delivery told us. Meta may batch several entries and changes in one body,
/// repeat deliveries and reorder them: the caller deduplicates on the ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudEvents {
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
}

/// A message a customer sent to the store (it opens the 24-hour window from `timestamp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    pub id: String,
    /// `wa_id` of the sender, e.g. `6281234567890`.
    pub from: String,
    /// The sender's WhatsApp profile name, when Meta sent it.
    pub name: Option<String>,
    /// Unix seconds; 0 when missing or unreadable (the window then counts as closed).
    pub timestamp: i64,
    /// The text body, a button or list reply's title, or a media caption.
    pub text: Option<String>,
    /// Meta's `type`: `text`, `button`, `interactive`, `image`, `unsupported`, …
    pub kind: String,
}

/// A delivery status of a message the store sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The `wamid.…` the send call returned.
    pub id: String,
    /// `sent`, `delivered`, `read` or `failed`.
    pub status: String,
    /// Unix seconds; 0 when missing or unreadable.
    pub timestamp: i64,
    pub recipient_id: String,
    /// `(code, title)` of each error, for `failed`.
    pub errors: Vec<(i64, String)>,
}

/// Parses a webhook body (after [`verify_signature`]). Changes other than `messages` are skipped;
/// a message or status without an id is skipped too, since it could never be deduplicated.
pub fn parse_webhook(raw_body: &[u8]) -> Result<CloudEvents, ParseError> {
    let payload: WebhookPayload =
        serde_json::from_slice(raw_body).map_err(|e| ParseError(e.to_string()))?;
    let mut events = CloudEvents::default();
    for change in payload.entry.into_iter().flat_map(|e| e.changes) {
        if change.field.as_deref().is_some_and(|f| f != "messages") {
            continue;
        }
        let Some(value) = change.value else { continue };
        for message in value.messages {
            let (Some(id), Some(from)) = (message.id, message.from) else {
                continue;
            };
            let name = value
                .contacts
                .iter()
                .find(|c| c.wa_id.as_deref() == Some(from.as_str()))
                .or_else(|| (value.contacts.len() == 1).then(|| &value.contacts[0]))
                .and_then(|c| c.profile.as_ref())
                .and_then(|p| p.name.clone());
            let text = message
                .text
                .and_then(|t| t.body)
                .or_else(|| message.button.and_then(|b| b.text))
                .or_else(|| {
                    message.interactive.and_then(|i| {
                        i.button_reply
                            .and_then(|r| r.title)
                            .or_else(|| i.list_reply.and_then(|r| r.title))
                    })
                })
                .or_else(|| {
                    [message.image, message.video, message.document]
                        .into_iter()
                        .flatten()
                        .find_map(|m| m.caption)
                });
            events.messages.push(InboundMessage {
                id,
                from,
                name,
                timestamp: message.timestamp.map_or(0, |t| t.0),
                text,
                kind: message.kind.unwrap_or_else(|| "unknown".into()),
            });
        }
        for status in value.statuses {
            let (Some(id), Some(state)) = (status.id, status.status) else {
                continue;
            };
            // Ids and error texts are stored and looked up: cleaned of control characters
            // (PostgreSQL refuses a NUL even in a WHERE clause). Messages are cleaned where
            // both gateways' messages enter, `service::chat::receive`.
            events.statuses.push(StatusUpdate {
                id: clean_line(&id, limit::SHORT),
                status: clean_line(&state, limit::SHORT),
                timestamp: status.timestamp.map_or(0, |t| t.0),
                recipient_id: clean_line(&status.recipient_id.unwrap_or_default(), limit::SHORT),
                errors: status
                    .errors
                    .into_iter()
                    .map(|e| {
                        let title = e.title.or(e.message).unwrap_or_default();
                        (e.code.map_or(0, |c| c.0), clean(&title, limit::LONG))
                    })
                    .collect(),
            });
        }
    }
    Ok(events)
}

#[derive(Deserialize)]
struct WebhookPayload {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    value: Option<ChangeValue>,
}

#[derive(Deserialize)]
struct ChangeValue {
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<RawMessage>,
    #[serde(default)]
    statuses: Vec<RawStatus>,
}

#[derive(Deserialize)]
struct Contact {
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    timestamp: Option<Lenient>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    text: Option<TextPart>,
    #[serde(default)]
    button: Option<ButtonPart>,
    #[serde(default)]
    interactive: Option<InteractivePart>,
    #[serde(default)]
    image: Option<MediaPart>,
    #[serde(default)]
    video: Option<MediaPart>,
    #[serde(default)]
    document: Option<MediaPart>,
}

#[derive(Deserialize)]
struct TextPart {
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct ButtonPart {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct InteractivePart {
    #[serde(default)]
    button_reply: Option<Reply>,
    #[serde(default)]
    list_reply: Option<Reply>,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
struct MediaPart {
    #[serde(default)]
    caption: Option<String>,
}

#[derive(Deserialize)]
struct RawStatus {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    timestamp: Option<Lenient>,
    #[serde(default)]
    recipient_id: Option<String>,
    #[serde(default)]
    errors: Vec<RawError>,
}

#[derive(Deserialize)]
struct RawError {
    #[serde(default)]
    code: Option<Lenient>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// An integer Meta sends as a JSON string (`"1749416383"`) or, sometimes, as a number. Anything
/// unreadable becomes 0 rather than failing the whole delivery.
struct Lenient(i64);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Lenient(match Value::deserialize(d)? {
            Value::Number(n) => n.as_i64().unwrap_or(0),
            Value::String(s) => s.trim().parse().unwrap_or(0),
            _ => 0,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        let long = "é".repeat(5000);
        let cut = truncate_chars(&long, MAX_TEXT_CHARS);
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate_chars("🙂🙂🙂", 2), "🙂…");
    }

    #[test]
    fn template_params_lose_what_meta_refuses() {
        assert_eq!(template_param("Budi\n\tSantoso"), "Budi Santoso");
        assert_eq!(template_param("a      b"), "a b");
        assert_eq!(template_param("  "), "-");
        assert_eq!(template_param("Rp50.000"), "Rp50.000");
    }
}
