//! The messaging role: how the store tells customers and the seller what happens. WhatsApp Cloud
//! API and Fonnte today; the trait is small so Wablas or a self-hosted WAHA fit later.

pub mod cloud;
pub mod fonnte;

use async_trait::async_trait;
use madd_domain::PhoneNumber;

/// A message ready to send. `text` is always filled; `template` carries the kind's name and body
/// parameters for gateways that need a pre-approved template outside the 24-hour window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub to: PhoneNumber,
    /// The message kind (`order_created`, `payment_received`, …): the default template name.
    pub kind: String,
    pub text: String,
    /// Template body parameters, in order; the same facts as `text`.
    pub params: Vec<String>,
    /// Whether the recipient wrote to the store in the last 24 hours (free text allowed).
    pub window_open: bool,
    /// Ours for this message ([`reference`]): a gateway that echoes it in its status reports
    /// (Cloud API's `biz_opaque_callback_data`) tells the store of a message it took even when
    /// its answer to the send was lost.
    pub reference: String,
}

/// The reference a message is sent under.
pub fn reference(message_id: i64) -> String {
    format!("madd-message-{message_id}")
}

/// The message a reference names, when it is one of ours.
pub fn message_of(reference: &str) -> Option<i64> {
    reference
        .strip_prefix("madd-message-")
        .and_then(|id| id.parse().ok())
        .filter(|id| *id > 0)
}

/// The gateway accepted the message (not yet delivered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The gateway's message id (`wamid.…`, Fonnte's numeric id), for status updates.
    pub provider_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later with backoff: 5xx, timeouts, rate limits.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Never going to work for this message: the number is not on WhatsApp, the body is invalid.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The credentials are wrong or expired: retrying will not help until the seller acts.
    #[error("gateway refused our credentials: {0}")]
    Unauthorized(String),
    /// The request went out and no answer came back (a timeout after sending): the gateway may
    /// have taken the message. Sent again only after its status report had time to arrive.
    #[error("no answer: {0}")]
    Unanswered(String),
}

#[async_trait]
pub trait Messenger: Send + Sync {
    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, SendError>;

    /// A read-only call that proves the credentials (`maddstore doctor`, the dashboard's
    /// checks): what the gateway says about the sending number, or why it refused. Sends nothing.
    async fn check(&self) -> Result<String, SendError>;
}
