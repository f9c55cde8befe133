//! The supplier role: where the store buys what it sells — VIP Reseller and Digiflazz, one
//! client each behind [`Supplier`], gathered in [`Suppliers`] in the configured order.
//!
//! In sandbox mode the same clients talk to the local simulators, so the protocol code that
//! runs in production is the code the tests and the demo exercise.

pub mod digiflazz;
pub mod vip_reseller;

use std::sync::Arc;

use async_trait::async_trait;
use madd_domain::{Rupiah, ServiceKind, SupplierId, SupplierStatus};

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
    /// The store's reference for this attempt (`MS-…-n`): Digiflazz's `ref_id`, which makes
    /// sending the same request again a status check; VIP takes no reference.
    pub reference: String,
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
    /// On an error: the destination itself is wrong (a blocked or mistyped number), so another
    /// supplier would fail too. VIP does not say; Digiflazz's `rc` does.
    pub customer_error: bool,
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

/// The owner of a PLN meter, before a token is bought for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlnCustomer {
    pub meter_no: String,
    pub name: String,
    /// Tariff and power as the supplier writes them (`R1 /000001300`).
    pub segment_power: String,
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
    fn id(&self) -> SupplierId;
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

    /// Whether sending the same [`PlaceOrder`] again (same `reference`) answers with the first
    /// request's transaction rather than buying again: then an attempt of unknown outcome is
    /// resolved by sending it again, and [`Supplier::recent_orders`] is never needed.
    fn idempotent_reference(&self) -> bool {
        false
    }

    /// The least time between two status checks of one transaction (Digiflazz: a minute).
    fn min_recheck_ms(&self) -> i64 {
        0
    }

    /// The status of an attempt sent as `order` and recorded as `trxid`.
    async fn attempt_status(
        &self,
        order: &PlaceOrder,
        trxid: &str,
    ) -> Result<Option<SupplierOrder>, SupplierError> {
        self.order_status(order.kind, trxid).await
    }

    /// Whose PLN meter `meter_no` is; `Ok(None)` for a meter the supplier does not know.
    async fn pln_customer(&self, _meter_no: &str) -> Result<Option<PlnCustomer>, SupplierError> {
        Err(SupplierError::Rejected {
            message: format!("{} tidak memeriksa nomor meter PLN", self.id().label()),
        })
    }
}

/// The configured suppliers, in priority order, with one of them holding the catalogue and the
/// game-nickname check.
#[derive(Clone)]
pub struct Suppliers {
    list: Vec<Arc<dyn Supplier>>,
}

impl Suppliers {
    /// `list` in priority order; must not be empty.
    pub fn new(list: Vec<Arc<dyn Supplier>>) -> Suppliers {
        assert!(!list.is_empty(), "at least one supplier");
        Suppliers { list }
    }

    pub fn ids(&self) -> Vec<SupplierId> {
        self.list.iter().map(|s| s.id()).collect()
    }

    pub fn get(&self, id: SupplierId) -> Option<&Arc<dyn Supplier>> {
        self.list.iter().find(|s| s.id() == id)
    }

    pub fn all(&self) -> &[Arc<dyn Supplier>] {
        &self.list
    }

    /// The supplier whose catalogue makes the store's products and who checks game nicknames
    /// and postpaid bills: VIP Reseller when configured (it checks nicknames), else the first.
    pub fn primary(&self) -> &Arc<dyn Supplier> {
        self.get(SupplierId::VipReseller).unwrap_or(&self.list[0])
    }

    /// The supplier that can tell a PLN meter's owner (Digiflazz), when configured.
    pub fn pln_checker(&self) -> Option<&Arc<dyn Supplier>> {
        self.get(SupplierId::Digiflazz)
    }
}
