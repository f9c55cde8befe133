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
use madd_domain::{OrderCode, PaymentCost, Rupiah};
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

/// The configured rails in the seller's order of preference, with a client for each gateway
/// among them. Trakteer's terms come from the seller's settings (its cut) and its client.
#[derive(Clone)]
pub struct Rails {
    order: Vec<madd_domain::RailId>,
    gateways: Vec<std::sync::Arc<dyn gateway::Gateway>>,
}

impl Rails {
    /// `order` is never empty (the configuration refuses that); `gateways` holds a client for
    /// every gateway rail in it.
    pub fn new(
        order: Vec<madd_domain::RailId>,
        gateways: Vec<std::sync::Arc<dyn gateway::Gateway>>,
    ) -> Rails {
        debug_assert!(order
            .iter()
            .filter(|r| r.is_gateway())
            .all(|r| gateways.iter().any(|g| g.rail() == *r)));
        Rails { order, gateways }
    }

    /// The rails, first choice first.
    pub fn order(&self) -> &[madd_domain::RailId] {
        &self.order
    }

    /// The rail an order is offered first (before health and pauses are known).
    pub fn primary(&self) -> madd_domain::RailId {
        self.order
            .first()
            .copied()
            .unwrap_or(madd_domain::RailId::Trakteer)
    }

    pub fn gateway(
        &self,
        rail: madd_domain::RailId,
    ) -> Option<&std::sync::Arc<dyn gateway::Gateway>> {
        self.gateways.iter().find(|g| g.rail() == rail)
    }

    pub fn gateways(&self) -> &[std::sync::Arc<dyn gateway::Gateway>] {
        &self.gateways
    }

    pub fn uses(&self, rail: madd_domain::RailId) -> bool {
        self.order.contains(&rail)
    }

    /// What each configured rail keeps and its unit, for the price floor: `trakteer` is
    /// Trakteer's cut (a seller's setting) and unit.
    pub fn terms(
        &self,
        trakteer: PaymentCost,
        trakteer_unit: Rupiah,
    ) -> Vec<madd_domain::RailTerms> {
        self.order
            .iter()
            .map(|&rail| match self.gateway(rail) {
                Some(g) => madd_domain::RailTerms {
                    rail,
                    cut: g.cost(),
                    unit: Rupiah::new(1),
                },
                None => madd_domain::RailTerms {
                    rail,
                    cut: trakteer,
                    unit: trakteer_unit,
                },
            })
            .collect()
    }

    /// Every amount due is a whole number of this: Trakteer's unit while Trakteer is a rail
    /// (its tips come in units), else one rupiah.
    pub fn unit(&self, trakteer_unit: Rupiah) -> Rupiah {
        if self.uses(madd_domain::RailId::Trakteer) {
            trakteer_unit
        } else {
            Rupiah::new(1)
        }
    }
}
