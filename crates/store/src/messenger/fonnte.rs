//! Fonnte, an Indonesian gateway driving a normal WhatsApp account: free text at any time (no
//! templates, no 24-hour window), a raw token in `Authorization`, and errors reported as HTTP 200
//! with `"status": false` and a free-form `reason`.

use std::collections::HashMap;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use super::{Accepted, Messenger, OutgoingMessage, SendError};
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct FonnteConfig {
    /// `https://api.fonnte.com`
    pub api_url: url::Url,
    pub token: Secret,
}

pub struct Fonnte {
    config: FonnteConfig,
    http: reqwest::Client,
}

impl Fonnte {
    /// `http` should carry the caller's timeouts (see [`super::cloud::CloudApi::new`]).
    pub fn new(config: FonnteConfig, http: reqwest::Client) -> Self {
        Fonnte { config, http }
    }

    fn endpoint(&self, action: &str) -> Result<url::Url, SendError> {
        let mut url = self.config.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| SendError::Permanent("Fonnte url cannot have a path".into()))?
            .pop_if_empty()
            .push(action);
        Ok(url)
    }

    /// Fonnte's answers: HTTP errors by status, then its JSON (errors are HTTP 200 too).
    async fn answer<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SendError> {
        let response = request
            .header(reqwest::header::AUTHORIZATION, self.config.token.expose())
            .send()
            .await
            .map_err(|e| SendError::Temporary(self.redact(transport_detail(&e))))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SendError::Temporary(self.redact(transport_detail(&e))))?;
        match status.as_u16() {
            200..=299 => {}
            401 | 403 => {
                return Err(SendError::Unauthorized(format!(
                    "Fonnte answered HTTP {status}"
                )))
            }
            408 | 429 | 500..=599 => {
                return Err(SendError::Temporary(format!(
                    "Fonnte answered HTTP {status}"
                )))
            }
            _ => {
                return Err(SendError::Permanent(format!(
                    "Fonnte answered HTTP {status}"
                )))
            }
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            // Maybe a proxy's page: whether Fonnte queued a message is unknown, and a
            // duplicate notification is better than a lost one.
            SendError::Temporary(format!(
                "Fonnte answered something that is not its JSON: {e}"
            ))
        })
    }

    fn redact(&self, detail: String) -> String {
        let token = self.config.token.expose();
        if token.is_empty() {
            detail
        } else {
            detail.replace(token, "[redacted]")
        }
    }
}

#[async_trait]
impl Messenger for Fonnte {
    async fn check(&self) -> Result<String, SendError> {
        let reply: DeviceReply = self
            .answer(self.http.post(self.endpoint("device")?))
            .await?;
        if !reply.status {
            let reason = reply.reason.unwrap_or_default();
            return Err(classify_reason(&self.redact(reason)));
        }
        let device = reply.device.unwrap_or_else(|| "?".into());
        match reply.device_status.as_deref() {
            Some("connect") => Ok(format!("Fonnte device {device} is connected")),
            other => Err(SendError::Temporary(format!(
                "Fonnte device {device} is {}: scan the QR code in Fonnte's dashboard",
                other.unwrap_or("in an unknown state")
            ))),
        }
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, SendError> {
        let form = [
            ("target", message.to.as_str()),
            ("message", message.text.as_str()),
            ("countryCode", "62"),
        ];
        let reply: SendReply = self
            .answer(self.http.post(self.endpoint("send")?).form(&form))
            .await?;
        if reply.status {
            let id = reply.id.into_iter().find_map(|v| id_string(&v));
            return Ok(Accepted { provider_id: id });
        }
        let reason = reply.reason.or(reply.detail).unwrap_or_default();
        Err(classify_reason(&self.redact(reason)))
    }
}

/// Fonnte's reasons are English phrases, not codes, so they are matched on words:
/// - `token` (`invalid token`, `token invalid`) → the seller must fix the token;
/// - a disconnected device, an exhausted quota, a rate limit or a request to wait → it will work
///   later by itself (or once the seller rescans the QR code), so keep retrying with backoff;
/// - an invalid target or number → this number will never work;
/// - anything else → temporary: an unknown reason is more often a passing state of the device
///   than a property of the message, and the outbox caps the number of retries anyway.
pub fn classify_reason(reason: &str) -> SendError {
    let lower = reason.to_ascii_lowercase();
    let detail = format!("Fonnte refused: {reason}");
    let has = |w: &str| lower.contains(w);
    if has("token") {
        SendError::Unauthorized(detail)
    } else if has("disconnect") || has("quota") || has("limit") || has("too many") || has("wait") {
        SendError::Temporary(detail)
    } else if has("target") || has("number") {
        SendError::Permanent(detail)
    } else {
        SendError::Temporary(detail)
    }
}

fn transport_detail(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "transport error"
    };
    let mut out = format!("Fonnte {kind}");
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

/// `POST /device`: the device behind the token.
#[derive(Deserialize)]
struct DeviceReply {
    #[serde(default)]
    status: bool,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    device_status: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
struct SendReply {
    #[serde(default)]
    status: bool,
    #[serde(default, deserialize_with = "one_or_many")]
    id: Vec<Value>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    })
}

fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Fonnte webhook body: {0}")]
pub struct ParseError(pub String);

/// A message a customer sent to the seller's Fonnte device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FonnteIncoming {
    /// The seller's device number.
    pub device: String,
    /// The customer's number as Fonnte gives it (`6281…`).
    pub sender: String,
    pub message: String,
    pub name: Option<String>,
    /// Unix seconds, when present.
    pub timestamp: Option<i64>,
    /// Fonnte's id of the message in its inbox, for deduplication.
    pub inboxid: Option<String>,
}

/// Parses Fonnte's incoming-message webhook: JSON, or a form-encoded body with the same fields.
/// Ids and timestamps may be numbers or strings. `sender` is required.
pub fn parse_incoming(body: &[u8]) -> Result<FonnteIncoming, ParseError> {
    let fields: HashMap<String, Value> = if body.trim_ascii_start().starts_with(b"{") {
        serde_json::from_slice(body).map_err(|e| ParseError(e.to_string()))?
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map_err(|e| ParseError(e.to_string()))?
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    };
    // Cleaned where it enters: a NUL would make PostgreSQL refuse the row.
    let text = |key: &str| -> Option<String> {
        match fields.get(key)? {
            Value::String(s) => Some(madd_domain::text::clean(s, madd_domain::text::limit::LONG)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let sender = text("sender")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ParseError("missing sender".into()))?;
    Ok(FonnteIncoming {
        device: text("device").unwrap_or_default(),
        sender,
        message: text("message").unwrap_or_default(),
        name: text("name").filter(|n| !n.is_empty()),
        timestamp: text("timestamp").and_then(|t| t.trim().parse().ok()),
        inboxid: text("inboxid").filter(|i| !i.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_map_to_what_the_outbox_should_do() {
        let kind = |r: &str| match classify_reason(r) {
            SendError::Temporary(_) => "temporary",
            SendError::Permanent(_) => "permanent",
            SendError::Unauthorized(_) => "unauthorized",
            SendError::Unanswered(_) => "unanswered",
        };
        assert_eq!(kind("invalid token"), "unauthorized");
        assert_eq!(kind("token invalid"), "unauthorized");
        assert_eq!(kind("request invalid on disconnected device"), "temporary");
        assert_eq!(kind("insufficient quota"), "temporary");
        assert_eq!(kind("rate limit exceeded"), "temporary");
        assert_eq!(kind("target invalid"), "permanent");
        assert_eq!(kind("invalid number"), "permanent");
        assert_eq!(kind("something new"), "temporary");
    }
}
