//! Reading configuration values (file and environment merged, by file key) into types, with
//! errors that name the variable a seller would set.

use std::collections::BTreeMap;

use madd_domain::Bps;
use url::Url;

use super::ConfigError;
use crate::secret::Secret;

/// The merged values, by file key (`vip_api_url`).
pub(super) struct Values<'a>(pub(super) &'a BTreeMap<String, String>);

impl Values<'_> {
    pub(super) fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    pub(super) fn invalid(&self, k: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            key: format!("MADD_{}", k.to_ascii_uppercase()),
            message,
        }
    }

    /// An http(s) URL.
    pub(super) fn url(&self, k: &str, default: &str) -> Result<Url, ConfigError> {
        let s = self.get(k).unwrap_or(default);
        let u = Url::parse(s).map_err(|e| self.invalid(k, format!("'{s}' is not a URL: {e}")))?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(self.invalid(k, format!("'{s}' must be http or https")));
        }
        Ok(u)
    }

    /// A whole number of at least `min` (`.` and `_` group digits).
    pub(super) fn int(&self, k: &str, default: i64, min: i64) -> Result<i64, ConfigError> {
        match self.get(k) {
            None => Ok(default),
            Some(s) => {
                let n: i64 = s
                    .replace(['.', '_'], "")
                    .parse()
                    .map_err(|_| self.invalid(k, format!("'{s}' is not a whole number")))?;
                if n < min {
                    return Err(self.invalid(k, format!("must be at least {min}")));
                }
                Ok(n)
            }
        }
    }

    pub(super) fn percent(&self, k: &str, default: &str) -> Result<Bps, ConfigError> {
        let s = self.get(k).unwrap_or(default);
        Bps::parse_percent(s).map_err(|e| self.invalid(k, e.to_string()))
    }

    pub(super) fn secret(&self, k: &str) -> Secret {
        Secret::new(self.get(k).unwrap_or_default())
    }

    pub(super) fn text(&self, k: &str, default: &str) -> String {
        self.get(k).unwrap_or(default).to_string()
    }

    pub(super) fn flag(&self, k: &str) -> Result<bool, ConfigError> {
        match self.get(k).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false" | "0" | "no" | "off") => Ok(false),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some(other) => Err(self.invalid(k, format!("'{other}' is not true or false"))),
        }
    }

    /// One of `allowed` (the first is the default), in lower case.
    pub(super) fn choice(&self, k: &str, allowed: &[&str]) -> Result<String, ConfigError> {
        let s = self.get(k).unwrap_or(allowed[0]).to_ascii_lowercase();
        if allowed.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(self.invalid(k, format!("'{s}' is not one of {}", allowed.join(", "))))
        }
    }
}

/// `Ok` when `present`, else the error that `key` is required because of `because`.
pub(super) fn require(present: bool, key: &str, because: &str) -> Result<(), ConfigError> {
    if present {
        Ok(())
    } else {
        Err(ConfigError::Missing {
            key: key.into(),
            because: because.into(),
        })
    }
}
