//! VIP's status callback: its signature, and reading what it says about an order.

use super::*;

/// `md5(api_id + api_key)` in lowercase hex: the `sign` of every request and the
/// `X-Client-Signature` of every callback.
pub fn signature(api_id: &str, api_key: &Secret) -> String {
    let mut hasher = Md5::new();
    hasher.update(api_id.as_bytes());
    hasher.update(api_key.expose().as_bytes());
    hex::encode(hasher.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("callback without the X-Client-Signature header")]
    MissingSignature,
    #[error("callback signature does not match")]
    BadSignature,
    #[error("malformed callback body: {0}")]
    Malformed(String),
}

impl CallbackError {
    /// Whether the sender failed to prove it is VIP (answer 401/403 rather than 400).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            CallbackError::MissingSignature | CallbackError::BadSignature
        )
    }
}

/// Checks and reads a VIP callback: `X-Client-Signature` must equal [`signature`] (compared in
/// constant time, hex case ignored), the body is `{"data": {…}}` or `{"data": [{…}]}`.
pub fn parse_callback(
    signature_header: Option<&str>,
    body: &[u8],
    api_id: &str,
    api_key: &Secret,
) -> Result<SupplierOrder, CallbackError> {
    let presented = signature_header
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(CallbackError::MissingSignature)?
        .to_ascii_lowercase();
    if api_key.is_empty() {
        // A store without a key configured must not accept md5(api_id) as proof.
        return Err(CallbackError::BadSignature);
    }
    let expected = signature(api_id, api_key);
    if !bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) {
        return Err(CallbackError::BadSignature);
    }

    let value: Value = serde_json::from_slice(body)
        .map_err(|e| CallbackError::Malformed(format!("not JSON ({e})")))?;
    let data = value
        .get("data")
        .ok_or_else(|| CallbackError::Malformed("no `data` field".to_string()))?;
    let item = match data {
        Value::Object(_) => data,
        Value::Array(items) if items.len() == 1 => &items[0],
        Value::Array(items) => {
            return Err(CallbackError::Malformed(format!(
                "`data` is an array of {} items, expected one",
                items.len()
            )))
        }
        other => {
            return Err(CallbackError::Malformed(format!(
                "`data` is {}, expected an object",
                kind_of(other)
            )))
        }
    };
    order_from_value(item, None).map_err(CallbackError::Malformed)
}
