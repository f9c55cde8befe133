//! TEMPORARY interface stub (replaced by the real client on merge).
#![allow(unused)]
use super::*;
use crate::secret::Secret;
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceTier {
    Basic,
    Premium,
    Special,
}
impl std::str::FromStr for PriceTier {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "basic" => Ok(Self::Basic),
            "premium" => Ok(Self::Premium),
            "special" => Ok(Self::Special),
            _ => Err(()),
        }
    }
}
pub struct VipConfig {
    pub base_url: url::Url,
    pub api_id: String,
    pub api_key: Secret,
    pub tier: PriceTier,
}
pub struct VipReseller;
impl VipReseller {
    pub fn new(config: VipConfig, http: reqwest::Client) -> Self {
        todo!()
    }
}
#[async_trait]
impl Supplier for VipReseller {
    async fn profile(&self) -> Result<SupplierProfile, SupplierError> {
        todo!()
    }
    async fn services(&self) -> Result<Vec<SupplierService>, SupplierError> {
        todo!()
    }
    async fn nickname(
        &self,
        game_code: &str,
        target: &str,
        zone: Option<&str>,
    ) -> Result<Nickname, SupplierError> {
        todo!()
    }
    async fn place_order(&self, order: &PlaceOrder) -> Result<SupplierOrder, SupplierError> {
        todo!()
    }
    async fn order_status(
        &self,
        kind: ServiceKind,
        trxid: &str,
    ) -> Result<Option<SupplierOrder>, SupplierError> {
        todo!()
    }
    async fn recent_orders(
        &self,
        kind: ServiceKind,
        limit: u32,
    ) -> Result<Vec<SupplierOrder>, SupplierError> {
        todo!()
    }
    async fn postpaid_inquiry(
        &self,
        service: &str,
        customer_no: &str,
    ) -> Result<PostpaidBill, SupplierError> {
        todo!()
    }
}
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("bad signature")]
    BadSignature,
    #[error("malformed: {0}")]
    Malformed(String),
}
pub fn parse_callback(
    signature_header: Option<&str>,
    body: &[u8],
    api_id: &str,
    api_key: &Secret,
) -> Result<SupplierOrder, CallbackError> {
    todo!()
}
