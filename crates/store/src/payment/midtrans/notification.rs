//! The HTTP notification (§3): `signature_key = hex(SHA-512(order_id + status_code +
//! gross_amount + server_key))` over the strings exactly as received — `gross_amount` keeps its
//! `.00`, re-formatting it gives another digest (§3.3). The signature does not cover
//! `transaction_status`, which is why the store confirms every notification with the status API.

use serde_json::{Map, Value};
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

use super::{event_from, text_field};
use crate::payment::gateway::{PaymentEvent, WebhookError};
use crate::secret::Secret;

/// Lowercase hex SHA-512 of the four strings, concatenated without separators.
pub(crate) fn signature(
    order_id: &str,
    status_code: &str,
    gross_amount: &str,
    key: &str,
) -> String {
    let mut hasher = Sha512::new();
    for part in [order_id, status_code, gross_amount, key] {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Whether the body carries the signature of its own `order_id`, `status_code` and
/// `gross_amount` under `key`. A missing part is a wrong signature.
fn signed(body: &Map<String, Value>, key: &Secret) -> bool {
    let (Some(order_id), Some(code), Some(gross), Some(presented)) = (
        text_field(body, "order_id"),
        text_field(body, "status_code"),
        text_field(body, "gross_amount"),
        text_field(body, "signature_key"),
    ) else {
        return false;
    };
    if key.is_empty() {
        return false;
    }
    let expected = signature(&order_id, &code, &gross, key.expose());
    let presented = presented.trim().to_ascii_lowercase();
    bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// Checks the signature, then reads the event (`reference` = `transaction_id`, `merchant_ref` =
/// `order_id`).
pub(super) fn verify(body: &[u8], key: &Secret) -> Result<PaymentEvent, WebhookError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::Unreadable(format!("not JSON: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(WebhookError::Unreadable("not a JSON object".into()));
    };
    if !signed(&fields, key) {
        return Err(WebhookError::Forged);
    }
    let raw = String::from_utf8_lossy(body).into_owned();
    event_from(&fields, raw).map_err(WebhookError::Unreadable)
}
