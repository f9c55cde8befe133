//! The reseller API's section: the secret its keys are derived from, where callbacks may go, and
//! how often one reseller may call.

use super::values::Values;
use super::ConfigError;
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct H2h {
    /// Every reseller's API key and webhook secret are derived from this and their generation
    /// (`service::h2h::keys`): nothing secret is stored, and a new `h2h_secret` changes every
    /// key. Empty: the API answers nobody.
    pub secret: Secret,
    /// Lets callbacks go to loopback and private addresses, and over plain HTTP: the demo and
    /// the tests, whose receivers run on this machine. Never on a live store.
    pub allow_private_callbacks: bool,
    /// Requests one reseller may make per minute (0: no limit).
    pub rate_per_minute: u32,
}

impl H2h {
    pub(super) fn read(v: &Values) -> Result<H2h, ConfigError> {
        let secret = v.secret("h2h_secret");
        if !secret.is_empty() && secret.expose().len() < 32 {
            return Err(v.invalid(
                "h2h_secret",
                "must be at least 32 characters (openssl rand -hex 32 makes one)".into(),
            ));
        }
        Ok(H2h {
            secret,
            allow_private_callbacks: v.flag("h2h_allow_private_callbacks")?,
            rate_per_minute: u32::try_from(v.int("h2h_rate_per_minute", 600, 0)?)
                .map_err(|_| v.invalid("h2h_rate_per_minute", "too large".into()))?,
        })
    }
}
