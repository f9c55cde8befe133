//! The supplier role: where the store buys what it sells. VIP Reseller today (room for Digiflazz).
//!
//! In sandbox mode the same VIP client talks to the local simulator, so the protocol code that
//! runs in production is the code the tests and the demo exercise.

pub mod digiflazz;
pub mod vip_reseller;

use async_trait::async_trait;
use madd_domain::{Rupiah, ServiceKind, SupplierStatus};

/// One product as the supplier lists it, before the store's markup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierService {
    pub code: String,
    /// The catalogue/brand name (`Mobile Legends B`, `Telkomsel`, `PLN`).
    pub brand: String,
    pub name: String,
    pub kind: ServiceKind,
    /// VIP's prepaid `type` slug (`pulsa-reguler`, `paket-internet`, `token-pln`, …); `None` for
    /// game services.
    pub prepaid_type: Option<String>,
    /// The price the seller pays, at the configured tier.
    pub cost: Rupiah,
    pub available: bool,
    /// Free text from the supplier (`note`, maintenance window), shown to the seller only.
    pub note: Option<String>,
}

/// The supplier account: balance and level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierProfile {
    pub username: String,
    pub balance: Rupiah,
    pub level: String,
}

/// What the store asks the supplier to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceOrder {
    pub kind: ServiceKind,
    pub service: String,
    pub target: String,
    pub zone: Option<String>,
}

/// The supplier's record of an order (answer to `order`, `status` and the callback).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierOrder {
    pub trxid: String,
    pub target: String,
    pub zone: Option<String>,
    /// The service as the supplier names it in status answers (`Mobile Legends B - 1048 Diamonds`).
    pub service: String,
    pub status: SupplierStatus,
    /// Serial number / token on success, the reason on error, progress text while pending.
    pub note: String,
    /// What the supplier charged.
    pub price: Option<Rupiah>,
    /// The balance after the charge (only in the answer to `order`).
    pub balance: Option<Rupiah>,
}

/// A postpaid bill as the supplier's inquiry shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostpaidBill {
    pub customer_no: String,
    pub customer_name: String,
    pub bill: Rupiah,
    pub admin: Rupiah,
    pub total: Rupiah,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupplierError {
    /// The supplier answered and said no (`result: false`): nothing was bought.
    #[error("supplier refused: {message}")]
    Rejected { message: String },
    /// No usable answer (timeout, connection, 5xx, malformed body): for an order, whether it was
    /// placed is unknown and must be reconciled, never re-sent blindly.
    #[error("supplier unreachable: {detail}")]
    Unavailable { detail: String },
}

impl SupplierError {
    /// Rejections the seller can fix and retry (balance, maintenance) rather than refund.
    pub fn is_retryable_rejection(&self) -> bool {
        match self {
            SupplierError::Rejected { message } => {
                let m = message.to_lowercase();
                m.contains("saldo") || m.contains("pemeliharaan") || m.contains("maintenance")
            }
            SupplierError::Unavailable { .. } => true,
        }
    }
}

/// A game-nickname lookup's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nickname {
    Found(String),
    /// The supplier knows no such account.
    NotFound {
        message: String,
    },
}

#[async_trait]
pub trait Supplier: Send + Sync {
    async fn profile(&self) -> Result<SupplierProfile, SupplierError>;
    /// Every service of every kind (game, prepaid, postpaid).
    async fn services(&self) -> Result<Vec<SupplierService>, SupplierError>;
    async fn nickname(
        &self,
        game_code: &str,
        target: &str,
        zone: Option<&str>,
    ) -> Result<Nickname, SupplierError>;
    async fn place_order(&self, order: &PlaceOrder) -> Result<SupplierOrder, SupplierError>;
    /// `Ok(None)` when the supplier says it has no such transaction.
    async fn order_status(
        &self,
        kind: ServiceKind,
        trxid: &str,
    ) -> Result<Option<SupplierOrder>, SupplierError>;
    /// The latest `limit` orders, newest first: how an order of unknown outcome is found.
    async fn recent_orders(
        &self,
        kind: ServiceKind,
        limit: u32,
    ) -> Result<Vec<SupplierOrder>, SupplierError>;
    async fn postpaid_inquiry(
        &self,
        service: &str,
        customer_no: &str,
    ) -> Result<PostpaidBill, SupplierError>;
}
