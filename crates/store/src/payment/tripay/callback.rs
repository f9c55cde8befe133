//! The callback (§6), checked in the order of §6.4: the HMAC over the raw bytes first (no JSON
//! parser touches the body before — a re-serialised body hashes differently, §2.2–2.3), then the
//! event, then the fields.

use axum::http::HeaderMap;
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::callback_signature;
use super::values::{self, clip};
use crate::payment::gateway::{PaymentEvent, WebhookError};
use crate::secret::Secret;

/// The only event Tripay documents; its own handlers refuse any other.
const EVENT: &str = "payment_status";

pub(super) fn verify(
    private_key: &Secret,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<PaymentEvent, WebhookError> {
    // `HeaderMap` names are case-insensitive; the hex digits are compared in lower case.
    let presented = headers
        .get("x-callback-signature")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .ok_or(WebhookError::Forged)?;
    if private_key.is_empty() {
        return Err(WebhookError::Forged);
    }
    let expected = callback_signature(private_key.expose(), body);
    if !bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) {
        return Err(WebhookError::Forged);
    }
    let event = headers
        .get("x-callback-event")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if event != EVENT {
        return Err(WebhookError::Ignored(format!(
            "X-Callback-Event is {:?}, not {EVENT}",
            clip(event)
        )));
    }
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|_| WebhookError::Unreadable("the body is not JSON".into()))?;
    let object = parsed
        .as_object()
        .ok_or_else(|| WebhookError::Unreadable("the body is not a JSON object".into()))?;
    // Open payments (0) carry no merchant reference of ours; the store makes none.
    let closed = values::whole(object, "is_closed_payment")
        .ok()
        .flatten()
        .or_else(|| values::truthy(object.get("is_closed_payment")).then_some(1));
    if closed != Some(1) {
        return Err(WebhookError::Ignored("not a closed payment".into()));
    }
    let raw = String::from_utf8_lossy(body).into_owned();
    values::event(object, &["total_amount", "amount"], raw).map_err(WebhookError::Unreadable)
}
