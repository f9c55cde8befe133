//! The Cloud API's webhook: its signature and subscription handshake, and reading the events it carries (messages in, delivery statuses) leniently: a field Meta adds or drops never loses the rest.

use super::*;

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
    /// The `biz_opaque_callback_data` the message was sent with (ours), when Meta echoes it.
    pub reference: Option<String>,
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
                reference: status
                    .biz_opaque_callback_data
                    .map(|r| clean_line(&r, limit::SHORT)),
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
pub(super) struct WebhookPayload {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
pub(super) struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
pub(super) struct Change {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    value: Option<ChangeValue>,
}

#[derive(Deserialize)]
pub(super) struct ChangeValue {
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<RawMessage>,
    #[serde(default)]
    statuses: Vec<RawStatus>,
}

#[derive(Deserialize)]
pub(super) struct Contact {
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    wa_id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Profile {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawMessage {
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
pub(super) struct TextPart {
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ButtonPart {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct InteractivePart {
    #[serde(default)]
    button_reply: Option<Reply>,
    #[serde(default)]
    list_reply: Option<Reply>,
}

#[derive(Deserialize)]
pub(super) struct Reply {
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct MediaPart {
    #[serde(default)]
    caption: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawStatus {
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
    #[serde(default)]
    biz_opaque_callback_data: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawError {
    #[serde(default)]
    code: Option<Lenient>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// An integer Meta sends as a JSON string (`"1749416383"`) or, sometimes, as a number. Anything
/// unreadable becomes 0 rather than failing the whole delivery.
pub(super) struct Lenient(i64);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Lenient(match Value::deserialize(d)? {
            Value::Number(n) => n.as_i64().unwrap_or(0),
            Value::String(s) => s.trim().parse().unwrap_or(0),
            _ => 0,
        }))
    }
}
