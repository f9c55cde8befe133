//! Digiflazz's section: where its API is, the buyer's credentials, the webhook secret and
//! whether the key is a development one.

use url::Url;

use super::values::{require, Values};
use super::ConfigError;
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct Digiflazz {
    pub api_url: Url,
    pub username: String,
    pub api_key: Secret,
    /// The secret set with the webhook in Digiflazz's panel: every webhook must carry its
    /// signature (none configured: every webhook is refused).
    pub webhook_secret: Secret,
    /// A development key: transactions carry `testing: true`. On by itself for a `dev-…` key.
    pub testing: bool,
}

impl Digiflazz {
    pub(super) fn read(v: &Values) -> Result<Digiflazz, ConfigError> {
        let api_key = v.secret("digiflazz_api_key");
        let testing = v.flag("digiflazz_testing")? || api_key.expose().starts_with("dev-");
        Ok(Digiflazz {
            api_url: v.url("digiflazz_api_url", "https://api.digiflazz.com/v1")?,
            username: v.text("digiflazz_username", ""),
            api_key,
            webhook_secret: v.secret("digiflazz_webhook_secret"),
            testing,
        })
    }

    /// What the real client cannot work without.
    pub(super) fn check_required(&self) -> Result<(), ConfigError> {
        let because = "digiflazz in MADD_SUPPLIERS";
        require(
            !self.username.is_empty(),
            "MADD_DIGIFLAZZ_USERNAME",
            because,
        )?;
        require(!self.api_key.is_empty(), "MADD_DIGIFLAZZ_API_KEY", because)?;
        require(
            !self.webhook_secret.is_empty(),
            "MADD_DIGIFLAZZ_WEBHOOK_SECRET",
            because,
        )
    }
}
