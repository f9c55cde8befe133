//! The shape every payment gateway rail takes (model: hyperswitch's per-connector
//! `IncomingWebhook`). A gateway makes one payment per order attempt — a dynamic QRIS for the
//! exact amount — answers what became of it, closes it where it can, and turns its own webhook
//! into a provider-neutral [`PaymentEvent`] after checking its signature on the raw bytes. The
//! store's one payment intake (`service::payment_intake`) knows no gateway by name.

use async_trait::async_trait;
use axum::http::{HeaderMap, StatusCode};
use madd_domain::{PaymentCost, RailId, RailStatus, Rupiah};

/// What the store asks a gateway to collect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPayment {
    /// `{order code}-{attempt number}` (`madd_domain::rail::merchant_ref`): Midtrans's
    /// `order_id`, Tripay's `merchant_ref`. Never reused.
    pub merchant_ref: String,
    /// The exact amount due; never a fee on top (Bank Indonesia forbids QRIS surcharges).
    pub amount: Rupiah,
    /// The product's code and name, for the single item line (its price is `amount`).
    pub item_code: String,
    pub item_name: String,
    /// Who pays: a nickname or "Pelanggan Madd Store".
    pub customer_name: String,
    /// The customer's WhatsApp number in international form (`+62…`), when known.
    pub customer_phone: Option<String>,
    /// When the store stops waiting (Unix milliseconds): the rail's expiry is set to it.
    pub expires_at_ms: i64,
    /// Where the gateway posts its notifications (`{public}/webhooks/{rail}`).
    pub notify_url: String,
    /// The order's page, for gateways with a hosted page that sends the buyer back.
    pub return_url: String,
}

/// A payment the gateway made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedPayment {
    /// The gateway's own id (Midtrans `transaction_id`, Tripay `reference`).
    pub reference: String,
    /// The EMV QRIS text to draw, when the gateway gives a real one (Tripay's sandbox answers
    /// `SANDBOX MODE`, which is not a payload: `None` then).
    pub qr_string: Option<String>,
    /// An image of the code or a hosted pay page, for when there is no `qr_string`.
    pub qr_url: Option<String>,
    pub checkout_url: Option<String>,
    /// The expiry the gateway applied (Unix milliseconds), when it says.
    pub expires_at_ms: Option<i64>,
    /// The amount the buyer will pay: must equal what was asked, or the attempt is unusable.
    pub amount: Rupiah,
    /// The gateway's fee on this payment, when it says (Tripay `fee_merchant`).
    pub fee: Option<Rupiah>,
    /// A fee the gateway would add on the buyer's side (must be zero for QRIS).
    pub fee_customer: Rupiah,
}

/// What the gateway says about one payment (its status API, or a verified webhook).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    pub rail: RailId,
    /// The gateway's id for the payment.
    pub reference: String,
    /// Ours (`{order code}-{attempt}`), when the event carries it.
    pub merchant_ref: Option<String>,
    pub status: RailStatus,
    /// What the buyer paid.
    pub gross: Rupiah,
    /// What the gateway keeps, when it says (Tripay `total_fee`); else the rail's cost model.
    pub fee: Option<Rupiah>,
    /// When it was paid (Unix milliseconds), when it says.
    pub paid_at_ms: Option<i64>,
    /// The body as received, kept with the payment for the seller and for audits.
    pub raw: String,
}

/// Why a gateway call did not give an answer to act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The gateway answered, clearly: nothing was made (a refusal, a validation error, a
    /// disabled channel, wrong keys). Another rail may be tried at once.
    #[error("{0}")]
    Refused(String),
    /// No clear answer (timeout, 5xx, a body that is not JSON): the payment may exist. Before a
    /// new attempt, the store asks for it by its merchant reference.
    #[error("outcome unknown: {0}")]
    Unknown(String),
}

/// Why a webhook is not believed or not readable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Missing or wrong signature: refused, nothing recorded.
    #[error("signature missing or wrong")]
    Forged,
    /// Authentic but not something to act on (an unknown event kind, a test ping).
    #[error("ignored: {0}")]
    Ignored(String),
    /// Authentic but unreadable.
    #[error("unreadable: {0}")]
    Unreadable(String),
}

#[async_trait]
pub trait Gateway: Send + Sync {
    fn rail(&self) -> RailId;

    /// What the rail keeps of a payment (its cost model), for the price floor and for the
    /// report when a payment does not say.
    fn cost(&self) -> PaymentCost;

    /// Makes the payment for `new`. Never called inside a database transaction.
    async fn create(&self, new: &NewPayment) -> Result<CreatedPayment, GatewayError>;

    /// What became of a payment, by the gateway's reference or (when the create answer was
    /// lost) by our merchant reference. `Ok` with `RailStatus::Unknown` when the gateway does
    /// not know it.
    async fn status(
        &self,
        reference: Option<&str>,
        merchant_ref: &str,
    ) -> Result<PaymentEvent, GatewayError>;

    /// Stops a pending payment early where the gateway can (Midtrans `expire`); gateways that
    /// cannot (Tripay) answer `Ok(None)` and the payment lapses at its own expiry.
    async fn close(&self, reference: &str) -> Result<Option<PaymentEvent>, GatewayError>;

    /// Checks the webhook's signature on the raw bytes, then reads it.
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<PaymentEvent, WebhookError>;

    /// Whether a verified webhook's status must be confirmed with [`Gateway::status`] before it
    /// is acted on (Midtrans does not sign `transaction_status`).
    fn confirms_by_status(&self) -> bool;

    /// The answer the gateway expects for an authentic webhook the store has recorded.
    fn acknowledgement(&self) -> (StatusCode, &'static str);

    /// The answer to a webhook whose signature is wrong.
    fn refusal(&self) -> (StatusCode, &'static str);

    /// A harmless authenticated call for `maddstore doctor`: what it found, or why not.
    async fn check(&self) -> Result<String, GatewayError>;
}
