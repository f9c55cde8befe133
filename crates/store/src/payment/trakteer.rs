//! TEMPORARY interface stub (replaced by the real module on merge).
#![allow(unused)]
use super::*;
use crate::secret::Secret;
pub struct TrakteerConfig {
    pub page_url: url::Url,
    pub unit_price: Rupiah,
    pub api_url: url::Url,
    pub api_key: Secret,
}
pub struct Trakteer;
impl Trakteer {
    pub fn new(config: TrakteerConfig, http: reqwest::Client) -> Self {
        todo!()
    }
}
#[async_trait]
impl PaymentChannel for Trakteer {
    fn unit_price(&self) -> Rupiah {
        todo!()
    }
    fn pay_url(&self, code: &OrderCode, amount: Rupiah, display_name: &str) -> String {
        todo!()
    }
    async fn recent_payments(&self, page: u32) -> Result<Vec<ReportedPayment>, PaymentApiError> {
        todo!()
    }
}
pub fn token_matches(expected: &Secret, header: Option<&str>) -> bool {
    todo!()
}
#[derive(Debug, Clone)]
pub struct TipEvent {
    pub transaction_id: String,
    pub is_test: bool,
    pub created_at: Option<OffsetDateTime>,
    pub supporter_name: String,
    pub supporter_message: String,
    pub unit: String,
    pub quantity: i64,
    pub price: Rupiah,
    pub total: Rupiah,
    pub net_amount: Option<Rupiah>,
    pub price_reading: PriceReading,
    pub raw: serde_json::Value,
}
#[derive(Debug, Clone, Copy)]
pub enum PriceReading {
    Total,
    UnitTimesQuantity,
}
impl PriceReading {
    pub fn as_str(self) -> &'static str {
        todo!()
    }
}
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct WebhookError;
pub fn parse_webhook(body: &[u8], unit_price: Rupiah) -> Result<TipEvent, WebhookError> {
    todo!()
}
