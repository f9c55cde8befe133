//! Digiflazz's webhook (digiflazz.md §6): `X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, raw
//! body)>`, checked over the exact bytes received, in constant time, before anything is parsed.
//! `X-Digiflazz-Event` is `create`, `update` or `ping` (a ping has no `data` and is ignored).

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::values::{outcome, Outcome};

/// A transaction's state as the webhook tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub ref_id: String,
    pub outcome: Outcome,
    pub price: i64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No secret configured, no signature, or the wrong one: not from Digiflazz.
    #[error("the webhook's signature is missing or wrong")]
    Unauthenticated,
    /// Signed by Digiflazz but not a transaction we can read (kept, answered 200).
    #[error("the webhook could not be read: {0}")]
    Unreadable(String),
}

/// `sha1=` + lowercase hex of HMAC-SHA1(`secret`, `body`).
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks the signature, then reads the event. `Ok(None)`: a ping, or an event without a
/// transaction (nothing to do).
pub fn parse(
    secret: &str,
    header: Option<&str>,
    event: Option<&str>,
    body: &[u8],
) -> Result<Option<Event>, WebhookError> {
    let Some(given) = header else {
        return Err(WebhookError::Unauthenticated);
    };
    if secret.is_empty() {
        // Without a shared secret nothing proves the sender.
        return Err(WebhookError::Unauthenticated);
    }
    let expected = signature(secret, body);
    let given = given.trim().to_ascii_lowercase();
    if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return Err(WebhookError::Unauthenticated);
    }
    if event.is_some_and(|e| e.eq_ignore_ascii_case("ping")) {
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct Envelope {
        data: Option<super::TransactionData>,
    }
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| WebhookError::Unreadable(e.to_string()))?;
    let Some(d) = envelope.data else {
        return Ok(None);
    };
    if d.ref_id.trim().is_empty() || d.status.trim().is_empty() {
        return Err(WebhookError::Unreadable(
            "a transaction without ref_id or status".into(),
        ));
    }
    Ok(Some(Event {
        ref_id: d.ref_id.trim().to_string(),
        outcome: outcome(d.status.trim(), d.rc.trim(), d.sn.trim(), d.message.trim()),
        price: d.price,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_signs_as_documented() {
        assert_eq!(
            signature("secret", br#"{"data":{"ref_id":"r1"}}"#),
            "sha1=e03e679a098edfd4931952b6e2816e5a73715fe0"
        );
    }

    #[test]
    fn only_a_correctly_signed_body_is_read() {
        let body = br#"{"data":{"ref_id":"MS-ABC-1","status":"Sukses","rc":"00","sn":"123","price":10000}}"#;
        let good = signature("s3cret", body);
        let event = parse("s3cret", Some(&good), Some("update"), body)
            .unwrap()
            .unwrap();
        assert_eq!(event.ref_id, "MS-ABC-1");
        assert_eq!(event.outcome, Outcome::Delivered { sn: "123".into() });
        assert_eq!(event.price, 10_000);
        // Upper-case hex is the same signature.
        assert!(parse("s3cret", Some(&good.to_uppercase()), None, body).is_ok());

        assert_eq!(
            parse("s3cret", None, None, body),
            Err(WebhookError::Unauthenticated)
        );
        assert_eq!(
            parse("other", Some(&good), None, body),
            Err(WebhookError::Unauthenticated)
        );
        assert_eq!(
            parse("", Some(&signature("", body)), None, body),
            Err(WebhookError::Unauthenticated)
        );
        // One byte changed after signing.
        let mut forged = body.to_vec();
        forged[60] = b'X';
        assert_eq!(
            parse("s3cret", Some(&good), None, &forged),
            Err(WebhookError::Unauthenticated)
        );
    }

    #[test]
    fn a_ping_and_an_unreadable_body_change_nothing() {
        let ping = br#"{"sed":"x","hook_id":"h"}"#;
        let sig = signature("k", ping);
        assert_eq!(parse("k", Some(&sig), Some("ping"), ping), Ok(None));
        assert_eq!(parse("k", Some(&sig), Some("create"), ping), Ok(None));
        let junk = b"not json\0";
        let sig = signature("k", junk);
        assert!(matches!(
            parse("k", Some(&sig), Some("update"), junk),
            Err(WebhookError::Unreadable(_))
        ));
    }
}
