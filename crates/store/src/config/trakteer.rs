//! Trakteer's section: the pay page, the price of one unit, the webhook token and the API.

use madd_domain::Rupiah;
use url::Url;

use super::values::{require, Values};
use super::ConfigError;
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct Trakteer {
    pub page_url: Url,
    /// What one unit (one "cendol") costs: payments come in whole units.
    pub unit_price: Rupiah,
    pub webhook_token: Secret,
    pub api_url: Url,
    pub api_key: Secret,
}

impl Trakteer {
    pub(super) fn read(v: &Values) -> Result<Trakteer, ConfigError> {
        Ok(Trakteer {
            page_url: v.url("trakteer_page_url", "https://trakteer.id/maddstore")?,
            unit_price: Rupiah::new(v.int("trakteer_unit_price", 1000, 1)?),
            webhook_token: v.secret("trakteer_webhook_token"),
            api_url: v.url("trakteer_api_url", "https://api.trakteer.id/v1/public")?,
            api_key: v.secret("trakteer_api_key"),
        })
    }

    pub(super) fn check_required(&self) -> Result<(), ConfigError> {
        require(
            !self.webhook_token.is_empty(),
            "MADD_TRAKTEER_WEBHOOK_TOKEN",
            "MADD_PAYMENT=trakteer",
        )
    }
}
