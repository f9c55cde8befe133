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

mod webhook;
pub use webhook::{
    parse_webhook, verify_signature, verify_subscription, CloudEvents, InboundMessage, StatusUpdate,
};

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

    /// `GET {api}/{phone_number_id}`: the number's record, readable with the sending token.
    fn number_endpoint(&self) -> Result<url::Url, SendError> {
        let mut url = self.config.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| SendError::Permanent("Cloud API url cannot have a path".into()))?
            .pop_if_empty()
            .push(&self.config.phone_number_id);
        url.query_pairs_mut().append_pair(
            "fields",
            "display_phone_number,verified_name,quality_rating",
        );
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
            "biz_opaque_callback_data": message.reference,
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
            "biz_opaque_callback_data": message.reference,
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
        let detail = self.redact(&format!("Cloud API {kind}: {}", error_chain(error)));
        // Timed out after connecting: the request may have reached Meta, which then reports
        // the message's status with our reference.
        if error.is_timeout() && !error.is_connect() {
            SendError::Unanswered(detail)
        } else {
            SendError::Temporary(detail)
        }
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
    async fn check(&self) -> Result<String, SendError> {
        let response = self
            .http
            .get(self.number_endpoint()?)
            .bearer_auth(self.config.token.expose())
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if !status.is_success() {
            let error = serde_json::from_slice::<ErrorEnvelope>(&bytes)
                .ok()
                .map(|e| e.error);
            return Err(self.classify(status.as_u16(), error.as_ref()));
        }
        let number: PhoneNumberRecord = serde_json::from_slice(&bytes).map_err(|e| {
            SendError::Temporary(format!("Cloud API answered something unexpected: {e}"))
        })?;
        let mut out = format!(
            "Cloud API sends as {} ({})",
            number.display_phone_number.as_deref().unwrap_or("?"),
            number
                .verified_name
                .as_deref()
                .unwrap_or("no verified name")
        );
        if let Some(rating) = number.quality_rating {
            out.push_str(&format!(", quality {rating}"));
        }
        Ok(out)
    }

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

/// The fields of a phone number that `check` asks for.
#[derive(Deserialize)]
struct PhoneNumberRecord {
    #[serde(default)]
    display_phone_number: Option<String>,
    #[serde(default)]
    verified_name: Option<String>,
    #[serde(default)]
    quality_rating: Option<String>,
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

#[cfg(test)]
mod tests;
