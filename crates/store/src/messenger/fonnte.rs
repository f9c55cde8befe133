//! TEMPORARY interface stub (replaced on merge).
#![allow(unused)]
use super::*;
use crate::secret::Secret;
pub struct FonnteConfig {
    pub api_url: url::Url,
    pub token: Secret,
}
pub struct Fonnte;
impl Fonnte {
    pub fn new(config: FonnteConfig, http: reqwest::Client) -> Self {
        todo!()
    }
}
#[async_trait]
impl Messenger for Fonnte {
    async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, SendError> {
        todo!()
    }
}
