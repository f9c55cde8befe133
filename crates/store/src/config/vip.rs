//! VIP Reseller's section: where its API is and the account's credentials and price tier.

use std::str::FromStr;

use url::Url;

use super::values::{require, Values};
use super::ConfigError;
use crate::secret::Secret;
use crate::supplier::vip_reseller::PriceTier;

#[derive(Clone, Debug)]
pub struct Vip {
    pub api_url: Url,
    pub api_id: String,
    pub api_key: Secret,
    /// Which of VIP's price columns the account pays.
    pub price_tier: PriceTier,
}

impl Vip {
    pub(super) fn read(v: &Values) -> Result<Vip, ConfigError> {
        let tier_text = v.get("vip_price_tier").unwrap_or("basic");
        let price_tier = PriceTier::from_str(tier_text).map_err(|_| {
            v.invalid(
                "vip_price_tier",
                format!("'{tier_text}' is not basic, premium or special"),
            )
        })?;
        Ok(Vip {
            api_url: v.url("vip_api_url", "https://vip-reseller.co.id/api")?,
            api_id: v.text("vip_api_id", ""),
            api_key: v.secret("vip_api_key"),
            price_tier,
        })
    }

    /// What the real client cannot work without.
    pub(super) fn check_required(&self) -> Result<(), ConfigError> {
        let because = "MADD_SUPPLIER=vip-reseller";
        require(!self.api_id.is_empty(), "MADD_VIP_API_ID", because)?;
        require(!self.api_key.is_empty(), "MADD_VIP_API_KEY", because)
    }
}
