//! TEMPORARY placeholder on the rails-core branch, replaced by the real client at merge.
use super::gateway::*;
use axum::http::{HeaderMap, StatusCode};
use madd_domain::{PaymentCost, RailId};
pub struct MidtransConfig { pub api_url: url::Url, pub server_key: crate::secret::Secret, pub acquirer: String, pub cost: madd_domain::PaymentCost, pub create_timeout: std::time::Duration, }
pub struct Midtrans { config: MidtransConfig }
impl Midtrans { pub fn new(config: MidtransConfig, _http: reqwest::Client) -> Self { Midtrans { config } } }
#[async_trait::async_trait]
impl Gateway for Midtrans {
    fn rail(&self) -> RailId { RailId::Midtrans }
    fn cost(&self) -> PaymentCost { self.config.cost }
    async fn create(&self, _: &NewPayment) -> Result<CreatedPayment, GatewayError> { Err(GatewayError::Refused("placeholder".into())) }
    async fn status(&self, _: Option<&str>, _: &str) -> Result<PaymentEvent, GatewayError> { Err(GatewayError::Refused("placeholder".into())) }
    async fn close(&self, _: &str) -> Result<Option<PaymentEvent>, GatewayError> { Ok(None) }
    fn verify(&self, _: &HeaderMap, _: &[u8]) -> Result<PaymentEvent, WebhookError> { Err(WebhookError::Forged) }
    fn confirms_by_status(&self) -> bool { false }
    fn acknowledgement(&self) -> (StatusCode, &'static str) { (StatusCode::OK, "{}") }
    fn refusal(&self) -> (StatusCode, &'static str) { (StatusCode::UNAUTHORIZED, "{}") }
    async fn check(&self) -> Result<String, GatewayError> { Err(GatewayError::Refused("placeholder".into())) }
}
