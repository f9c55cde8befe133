//! TEMPORARY interface stub (replaced on merge).
#![allow(unused)]
use super::*;
use crate::secret::Secret;
pub struct CloudConfig {
    pub api_url: url::Url,
    pub phone_number_id: String,
    pub token: Secret,
    pub template_language: String,
    pub template_names: std::collections::HashMap<String, String>,
}
pub struct CloudApi;
impl CloudApi {
    pub fn new(config: CloudConfig, http: reqwest::Client) -> Self {
        todo!()
    }
}
#[async_trait]
impl Messenger for CloudApi {
    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, SendError> {
        todo!()
    }
}
