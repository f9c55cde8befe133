//! TEMPORARY placeholder on the rails-core branch, replaced by the real client at merge.
use super::gateway::*;
use axum::http::{HeaderMap, StatusCode};
use madd_domain::{PaymentCost, RailId};
pub struct TripayConfig { pub api_url: url::Url, pub api_key: crate::secret::Secret, pub private_key: crate::secret::Secret, pub merchant_code: String, pub method: String, pub customer_email: String, pub cost: madd_domain::PaymentCost, pub create_timeout: std::time::Duration, }
pub struct Tripay { config: TripayConfig }
impl Tripay { pub fn new(config: TripayConfig, _http: reqwest::Client) -> Self { Tripay { config } } }
#[async_trait::async_trait]
impl Gateway for Tripay {
    fn rail(&self) -> RailId { RailId::Tripay }
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
