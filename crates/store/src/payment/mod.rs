//! The payment role: how a customer pays and how the store learns of it, through rails in the
//! seller's order of preference. The QRIS gateways ([`midtrans`], [`tripay`]) make a payment per
//! order and are all one shape, [`gateway::Gateway`]. Trakteer cannot create a payment: the store
//! builds a pre-filled link and learns of the payment from the webhook (parsed in [`trakteer`]),
//! with the public API as a safety net for webhooks that never came.

pub mod gateway;
pub mod midtrans;
pub mod trakteer;
pub mod tripay;

use async_trait::async_trait;
use madd_domain::{OrderCode, Rupiah};
use time::OffsetDateTime;

/// A payment as the channel reports it through its API (reconciliation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedPayment {
    /// The channel's id when it gives one (`order_id`), else `None`.
    pub id: Option<String>,
    pub supporter_name: String,
    pub message: String,
    pub quantity: i64,
    pub amount: Rupiah,
    pub net_amount: Option<Rupiah>,
    pub payment_method: Option<String>,
    /// Only `success` is paid.
    pub status: String,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentApiError {
    #[error("payment API unreachable: {0}")]
    Unavailable(String),
    #[error("payment API refused: {0}")]
    Refused(String),
}

/// One page of payments as the provider's API lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentPayments {
    /// Newest first.
    pub payments: Vec<ReportedPayment>,
    /// Entries that could not be read, with the reason: reported to the seller, never silently
    /// dropped — and never a reason to stop reading the others.
    pub unreadable: Vec<String>,
}

#[async_trait]
pub trait PaymentChannel: Send + Sync {
    /// The price of one unit; every amount due is a whole number of units.
    fn unit_price(&self) -> Rupiah;
    /// The link where the customer pays `amount` for `code` (amount is a multiple of the unit).
    fn pay_url(&self, code: &OrderCode, amount: Rupiah, display_name: &str) -> String;
    /// One page (1-based) of the payments received, newest first.
    async fn recent_payments(&self, page: u32) -> Result<RecentPayments, PaymentApiError>;
}
