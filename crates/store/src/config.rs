//! Configuration: a TOML file (optional) and `MADD_*` environment variables, the environment
//! winning. Names are store-api.md's: the file key is the variable's name without `MADD_`, in lower
//! case (`MADD_DATABASE_URL` ↔ `database_url`). Unknown keys and unknown `MADD_*` variables are
//! errors, so a typo cannot silently fall back to a default.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;

use madd_domain::{Bps, CustomerFee, Markup, PhoneNumber, Rupiah};
use url::Url;

use crate::secret::Secret;
use crate::supplier::vip_reseller::PriceTier;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
    #[error("unknown configuration key '{0}' (see store-api.md for the names)")]
    UnknownKey(String),
    #[error("{key}: {message}")]
    Invalid { key: String, message: String },
    #[error("{key} is required when {because}")]
    Missing { key: String, because: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fulfilment {
    Manual,
    Auto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupplierChoice {
    Sandbox,
    VipReseller,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentChoice {
    Sandbox,
    Trakteer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhatsAppChoice {
    Sandbox,
    Cloud,
    Fonnte,
}

/// The whole configuration, validated into types.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub public_url: Url,
    /// Whether `public_url` was configured; when not, it follows the address actually bound.
    pub public_url_set: bool,
    pub fulfilment: Fulfilment,
    pub supplier: SupplierChoice,
    pub vip_api_url: Url,
    pub vip_api_id: String,
    pub vip_api_key: Secret,
    pub vip_price_tier: PriceTier,
    pub markup: Markup,
    pub customer_fee: CustomerFee,
    pub payment: PaymentChoice,
    pub trakteer_page_url: Url,
    pub trakteer_unit_price: Rupiah,
    pub trakteer_webhook_token: Secret,
    pub trakteer_api_url: Url,
    pub trakteer_api_key: Secret,
    pub payment_window_minutes: i64,
    pub whatsapp: WhatsAppChoice,
    pub whatsapp_api_url: Url,
    pub whatsapp_token: Secret,
    pub whatsapp_phone_number_id: String,
    pub whatsapp_app_secret: Secret,
    pub whatsapp_verify_token: Secret,
    /// The secret path segment of `POST /webhooks/fonnte/{secret}` (Fonnte signs nothing).
    pub fonnte_webhook_secret: Secret,
    pub whatsapp_template_language: String,
    pub whatsapp_templates: HashMap<String, String>,
    pub seller_whatsapp: Option<PhoneNumber>,
    /// Below this supplier balance the seller is warned.
    pub low_balance_threshold: Rupiah,
    /// How many jobs one process runs at once.
    pub workers: usize,
    /// Supplier-lookup requests (nickname, bill, checkout, order) a client may make per minute;
    /// 0 turns the limit off.
    pub lookup_rate_per_minute: u32,
    /// Lets `serve` run real providers beside sandbox ones (a trial with real WhatsApp but no
    /// real money, say). Off by default: a forgotten `MADD_WHATSAPP` must not leave a simulator
    /// running next to real Trakteer and VIP.
    pub allow_mixed_sandbox: bool,
    /// This process's name among those sharing the database, the same in each of its lives
    /// (`MADD_INSTANCE`; by default host name and port): its job leases carry it, so after a crash
    /// the restarted process resumes its jobs at once.
    pub instance: String,
    /// Database connections: writers (PostgreSQL; SQLite has one) and readers.
    pub database_pool: crate::db::PoolSizes,
}

impl Config {
    pub fn uses_sandbox(&self) -> bool {
        self.simulators().any()
    }

    /// The simulators this configuration needs: one per provider in sandbox mode, no more.
    pub fn simulators(&self) -> madd_sandbox::Simulators {
        madd_sandbox::Simulators {
            vip: self.supplier == SupplierChoice::Sandbox,
            trakteer: self.payment == PaymentChoice::Sandbox,
            whatsapp: self.whatsapp == WhatsAppChoice::Sandbox,
        }
    }

    /// `serve` refuses real providers beside sandbox ones unless `MADD_ALLOW_MIXED_SANDBOX` says
    /// so: such a mix is almost always a variable forgotten while going live.
    pub fn check_sandbox_mix(&self) -> Result<(), ConfigError> {
        let which = self.simulators();
        let all = which.vip && which.trakteer && which.whatsapp;
        if !which.any() || all || self.allow_mixed_sandbox {
            return Ok(());
        }
        let mut sandboxed = Vec::new();
        if which.vip {
            sandboxed.push("MADD_SUPPLIER");
        }
        if which.trakteer {
            sandboxed.push("MADD_PAYMENT");
        }
        if which.whatsapp {
            sandboxed.push("MADD_WHATSAPP");
        }
        Err(ConfigError::Invalid {
            key: "MADD_ALLOW_MIXED_SANDBOX".into(),
            message: format!(
                "some providers are real and {} still on the sandbox; set {} to a real provider, \
                 or set MADD_ALLOW_MIXED_SANDBOX=true to run this mix on purpose",
                sandboxed.join(", "),
                if sandboxed.len() == 1 { "it" } else { "them" }
            ),
        })
    }

    /// Without a configured public URL, links point at the address the store actually bound
    /// (`MADD_LISTEN=127.0.0.1:0` picks a free port; `0.0.0.0` is reached as `127.0.0.1`).
    pub fn use_bound_address(&mut self, addr: SocketAddr) {
        if self.public_url_set {
            return;
        }
        let ip = match addr.ip() {
            std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            }
            std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
                std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
            }
            ip => ip,
        };
        let bound = SocketAddr::new(ip, addr.port());
        self.public_url = Url::parse(&format!("http://{bound}")).expect("socket address is a URL");
    }

    /// A link under the public URL: `link("/order/MS-…")`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }

    /// Loads from an optional file and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Config::from_sources(file, &env)
    }

    /// Loads from an optional file and the given environment (tests pass their own).
    pub fn from_sources(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        let mut templates = HashMap::new();
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("MADD_CONFIG").map(Into::into));
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::File {
                        path: shown.clone(),
                        message: e.to_string(),
                    })?;
            for (key, value) in table {
                if key == "whatsapp_templates" {
                    let toml::Value::Table(t) = value else {
                        return Err(ConfigError::Invalid {
                            key,
                            message: "must be a table of kind = \"template name\"".into(),
                        });
                    };
                    for (kind, name) in t {
                        let toml::Value::String(name) = name else {
                            return Err(ConfigError::Invalid {
                                key: format!("whatsapp_templates.{kind}"),
                                message: "must be a string".into(),
                            });
                        };
                        templates.insert(kind, name);
                    }
                    continue;
                }
                if !KEYS.contains(&key.as_str()) {
                    return Err(ConfigError::UnknownKey(key));
                }
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        return Err(ConfigError::Invalid {
                            key,
                            message: format!("unsupported value {other}"),
                        })
                    }
                };
                values.insert(key, text);
            }
        }
        for (name, value) in env {
            let Some(key) = name.strip_prefix("MADD_") else {
                continue;
            };
            // Not configuration: the config path itself and the test harness's variables.
            if key == "CONFIG" || key.starts_with("TEST_") || key == "LOG" {
                continue;
            }
            let key = key.to_ascii_lowercase();
            if !KEYS.contains(&key.as_str()) {
                return Err(ConfigError::UnknownKey(name.clone()));
            }
            values.insert(key, value.clone());
        }
        Config::from_values(&values, templates)
    }

    fn from_values(
        v: &BTreeMap<String, String>,
        whatsapp_templates: HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let get = |k: &str| v.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let invalid = |k: &str, m: String| ConfigError::Invalid {
            key: format!("MADD_{}", k.to_ascii_uppercase()),
            message: m,
        };
        let url = |k: &str, default: &str| -> Result<Url, ConfigError> {
            let s = get(k).unwrap_or(default);
            let u = Url::parse(s).map_err(|e| invalid(k, format!("'{s}' is not a URL: {e}")))?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(invalid(k, format!("'{s}' must be http or https")));
            }
            Ok(u)
        };
        let int = |k: &str, default: i64, min: i64| -> Result<i64, ConfigError> {
            match get(k) {
                None => Ok(default),
                Some(s) => {
                    let n: i64 = s
                        .replace(['.', '_'], "")
                        .parse()
                        .map_err(|_| invalid(k, format!("'{s}' is not a whole number")))?;
                    if n < min {
                        return Err(invalid(k, format!("must be at least {min}")));
                    }
                    Ok(n)
                }
            }
        };
        let percent = |k: &str, default: &str| -> Result<Bps, ConfigError> {
            let s = get(k).unwrap_or(default);
            Bps::parse_percent(s).map_err(|e| invalid(k, e.to_string()))
        };
        let secret = |k: &str| Secret::new(get(k).unwrap_or_default());
        let flag = |k: &str| -> Result<bool, ConfigError> {
            match get(k).map(str::to_ascii_lowercase).as_deref() {
                None | Some("false" | "0" | "no" | "off") => Ok(false),
                Some("true" | "1" | "yes" | "on") => Ok(true),
                Some(other) => Err(invalid(k, format!("'{other}' is not true or false"))),
            }
        };

        let listen_text = get("listen").unwrap_or("127.0.0.1:8080");
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| invalid("listen", format!("'{listen_text}' is not host:port")))?;
        let public_url = match get("public_url") {
            Some(_) => url("public_url", "")?,
            None => Url::parse(&format!("http://{listen}")).expect("listen address is a URL"),
        };
        let database_url = get("database_url")
            .unwrap_or("sqlite://maddstore.db")
            .to_string();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database_url",
                "must start with sqlite:// or postgres://".into(),
            ));
        }
        let choice = |k: &str, allowed: &[&str]| -> Result<String, ConfigError> {
            let s = get(k).unwrap_or(allowed[0]).to_ascii_lowercase();
            if allowed.contains(&s.as_str()) {
                Ok(s)
            } else {
                Err(invalid(
                    k,
                    format!("'{s}' is not one of {}", allowed.join(", ")),
                ))
            }
        };
        let fulfilment = match choice("fulfilment", &["manual", "auto"])?.as_str() {
            "auto" => Fulfilment::Auto,
            _ => Fulfilment::Manual,
        };
        let supplier = match choice("supplier", &["sandbox", "vip-reseller"])?.as_str() {
            "vip-reseller" => SupplierChoice::VipReseller,
            _ => SupplierChoice::Sandbox,
        };
        let payment = match choice("payment", &["sandbox", "trakteer"])?.as_str() {
            "trakteer" => PaymentChoice::Trakteer,
            _ => PaymentChoice::Sandbox,
        };
        let whatsapp = match choice("whatsapp", &["sandbox", "cloud", "fonnte"])?.as_str() {
            "cloud" => WhatsAppChoice::Cloud,
            "fonnte" => WhatsAppChoice::Fonnte,
            _ => WhatsAppChoice::Sandbox,
        };
        let tier_text = get("vip_price_tier").unwrap_or("basic");
        let vip_price_tier = PriceTier::from_str(tier_text).map_err(|_| {
            invalid(
                "vip_price_tier",
                format!("'{tier_text}' is not basic, premium or special"),
            )
        })?;
        let default_wa_url = match whatsapp {
            WhatsAppChoice::Fonnte => "https://api.fonnte.com",
            _ => "https://graph.facebook.com/v23.0",
        };
        let seller_whatsapp = match get("seller_whatsapp") {
            None => None,
            Some(s) => {
                Some(PhoneNumber::parse(s).map_err(|e| invalid("seller_whatsapp", e.to_string()))?)
            }
        };
        let unit = int("trakteer_unit_price", 1000, 1)?;

        let config = Config {
            database_url,
            listen,
            public_url_set: get("public_url").is_some(),
            public_url,
            fulfilment,
            supplier,
            vip_api_url: url("vip_api_url", "https://vip-reseller.co.id/api")?,
            vip_api_id: get("vip_api_id").unwrap_or_default().to_string(),
            vip_api_key: secret("vip_api_key"),
            vip_price_tier,
            markup: Markup {
                rate: percent("markup_percent", "10")?,
                min: Rupiah::new(int("markup_min", 500, 0)?),
            },
            customer_fee: CustomerFee {
                rate: percent("fee_percent", "0")?,
                fixed: Rupiah::new(int("fee_fixed", 0, 0)?),
            },
            payment,
            trakteer_page_url: url("trakteer_page_url", "https://trakteer.id/maddstore")?,
            trakteer_unit_price: Rupiah::new(unit),
            trakteer_webhook_token: secret("trakteer_webhook_token"),
            trakteer_api_url: url("trakteer_api_url", "https://api.trakteer.id/v1/public")?,
            trakteer_api_key: secret("trakteer_api_key"),
            payment_window_minutes: int("payment_window_minutes", 60, 1)?,
            whatsapp,
            whatsapp_api_url: url("whatsapp_api_url", default_wa_url)?,
            whatsapp_token: secret("whatsapp_token"),
            whatsapp_phone_number_id: get("whatsapp_phone_number_id")
                .unwrap_or_default()
                .to_string(),
            whatsapp_app_secret: secret("whatsapp_app_secret"),
            whatsapp_verify_token: secret("whatsapp_verify_token"),
            fonnte_webhook_secret: secret("fonnte_webhook_secret"),
            whatsapp_template_language: get("whatsapp_template_language")
                .unwrap_or("id")
                .to_string(),
            whatsapp_templates,
            seller_whatsapp,
            low_balance_threshold: Rupiah::new(int("low_balance_threshold", 100_000, 0)?),
            workers: int("workers", 4, 1)? as usize,
            lookup_rate_per_minute: u32::try_from(int("lookup_rate_per_minute", 30, 0)?)
                .map_err(|_| invalid("lookup_rate_per_minute", "too large".into()))?,
            allow_mixed_sandbox: flag("allow_mixed_sandbox")?,
            database_pool: crate::db::PoolSizes {
                writers: u32::try_from(int("database_writers", 10, 1)?)
                    .map_err(|_| invalid("database_writers", "too large".into()))?,
                readers: u32::try_from(int("database_readers", 4, 1)?)
                    .map_err(|_| invalid("database_readers", "too large".into()))?,
            },
            instance: match get("instance") {
                Some(name) if name.contains('/') => {
                    return Err(invalid(
                        "instance",
                        format!("'{name}' must not contain '/'"),
                    ))
                }
                Some(name) => name.to_string(),
                None => format!("{}:{}", host_name(), listen.port()),
            },
        };
        config.check_required()?;
        Ok(config)
    }

    fn check_required(&self) -> Result<(), ConfigError> {
        let need = |ok: bool, key: &str, because: &str| {
            if ok {
                Ok(())
            } else {
                Err(ConfigError::Missing {
                    key: key.into(),
                    because: because.into(),
                })
            }
        };
        if self.supplier == SupplierChoice::VipReseller {
            let because = "MADD_SUPPLIER=vip-reseller";
            need(!self.vip_api_id.is_empty(), "MADD_VIP_API_ID", because)?;
            need(!self.vip_api_key.is_empty(), "MADD_VIP_API_KEY", because)?;
        }
        if self.payment == PaymentChoice::Trakteer {
            need(
                !self.trakteer_webhook_token.is_empty(),
                "MADD_TRAKTEER_WEBHOOK_TOKEN",
                "MADD_PAYMENT=trakteer",
            )?;
        }
        match self.whatsapp {
            WhatsAppChoice::Cloud => {
                let because = "MADD_WHATSAPP=cloud";
                need(
                    !self.whatsapp_token.is_empty(),
                    "MADD_WHATSAPP_TOKEN",
                    because,
                )?;
                need(
                    !self.whatsapp_phone_number_id.is_empty(),
                    "MADD_WHATSAPP_PHONE_NUMBER_ID",
                    because,
                )?;
            }
            WhatsAppChoice::Fonnte => {
                need(
                    !self.whatsapp_token.is_empty(),
                    "MADD_WHATSAPP_TOKEN",
                    "MADD_WHATSAPP=fonnte",
                )?;
            }
            WhatsAppChoice::Sandbox => {}
        }
        Ok(())
    }
}

/// Every key the configuration knows (file keys; the variables are `MADD_` + upper case).
pub const KEYS: &[&str] = &[
    "database_url",
    "listen",
    "public_url",
    "fulfilment",
    "supplier",
    "vip_api_url",
    "vip_api_id",
    "vip_api_key",
    "vip_price_tier",
    "markup_percent",
    "markup_min",
    "fee_percent",
    "fee_fixed",
    "payment",
    "trakteer_page_url",
    "trakteer_unit_price",
    "trakteer_webhook_token",
    "trakteer_api_url",
    "trakteer_api_key",
    "payment_window_minutes",
    "whatsapp",
    "whatsapp_api_url",
    "whatsapp_token",
    "whatsapp_phone_number_id",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
    "fonnte_webhook_secret",
    "whatsapp_template_language",
    "seller_whatsapp",
    "low_balance_threshold",
    "workers",
    "lookup_rate_per_minute",
    "allow_mixed_sandbox",
    "instance",
    "database_writers",
    "database_readers",
];

/// The machine's name, for the default instance name.
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty() && !h.contains('/'))
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_follows_the_bound_address_unless_set() {
        let mut c = Config::from_sources(None, &env(&[("MADD_LISTEN", "127.0.0.1:0")])).unwrap();
        assert!(!c.public_url_set);
        c.use_bound_address("127.0.0.1:43210".parse().unwrap());
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:43210/");
        assert_eq!(c.link("/order/MS-1"), "http://127.0.0.1:43210/order/MS-1");
        let mut any = Config::from_sources(None, &env(&[("MADD_LISTEN", "0.0.0.0:0")])).unwrap();
        any.use_bound_address("0.0.0.0:8081".parse().unwrap());
        assert_eq!(any.public_url.as_str(), "http://127.0.0.1:8081/");
        let mut set = Config::from_sources(
            None,
            &env(&[
                ("MADD_LISTEN", "127.0.0.1:0"),
                ("MADD_PUBLIC_URL", "https://toko.example"),
            ]),
        )
        .unwrap();
        set.use_bound_address("127.0.0.1:43210".parse().unwrap());
        assert_eq!(set.public_url.as_str(), "https://toko.example/");
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_mix_of_real_and_sandbox_providers_needs_saying_so() {
        let real_money = [
            ("MADD_PAYMENT", "trakteer"),
            ("MADD_TRAKTEER_WEBHOOK_TOKEN", "t"),
            ("MADD_SUPPLIER", "vip-reseller"),
            ("MADD_VIP_API_ID", "id"),
            ("MADD_VIP_API_KEY", "key"),
        ];
        let mixed = Config::from_sources(None, &env(&real_money)).unwrap();
        assert_eq!(
            mixed.simulators(),
            madd_sandbox::Simulators {
                vip: false,
                trakteer: false,
                whatsapp: true
            }
        );
        let err = mixed.check_sandbox_mix().unwrap_err().to_string();
        assert!(
            err.contains("MADD_WHATSAPP") && err.contains("MADD_ALLOW_MIXED_SANDBOX"),
            "{err}"
        );
        let mut allowed = real_money.to_vec();
        allowed.push(("MADD_ALLOW_MIXED_SANDBOX", "true"));
        let allowed = Config::from_sources(None, &env(&allowed)).unwrap();
        assert!(allowed.check_sandbox_mix().is_ok());
        // All sandbox (the default) and all real are not mixes.
        assert!(Config::from_sources(None, &env(&[]))
            .unwrap()
            .check_sandbox_mix()
            .is_ok());
        let mut all_real = real_money.to_vec();
        all_real.extend([("MADD_WHATSAPP", "fonnte"), ("MADD_WHATSAPP_TOKEN", "w")]);
        let all_real = Config::from_sources(None, &env(&all_real)).unwrap();
        assert!(!all_real.uses_sandbox());
        assert!(all_real.check_sandbox_mix().is_ok());
        assert!(
            Config::from_sources(None, &env(&[("MADD_ALLOW_MIXED_SANDBOX", "maybe")])).is_err()
        );
    }

    #[test]
    fn defaults_are_the_embedded_store() {
        let c = Config::from_sources(None, &env(&[("PATH", "/bin")])).unwrap();
        assert_eq!(c.database_url, "sqlite://maddstore.db");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.fulfilment, Fulfilment::Manual);
        assert!(c.uses_sandbox());
        assert_eq!(c.markup.rate, Bps::new(1000));
        assert_eq!(c.markup.min, Rupiah::new(500));
        assert_eq!(c.trakteer_unit_price, Rupiah::new(1000));
        assert_eq!(c.payment_window_minutes, 60);
        assert_eq!(c.link("/order/MS-1"), "http://127.0.0.1:8080/order/MS-1");
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = std::env::temp_dir().join(format!("madd-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("store.toml");
        std::fs::write(
            &path,
            "fulfilment = \"auto\"\nmarkup_percent = 12.5\nlisten = \"0.0.0.0:9000\"\n\
             [whatsapp_templates]\norder_created = \"invoice_v2\"\n",
        )
        .unwrap();
        let c =
            Config::from_sources(Some(&path), &env(&[("MADD_LISTEN", "127.0.0.1:7000")])).unwrap();
        assert_eq!(c.fulfilment, Fulfilment::Auto);
        assert_eq!(c.markup.rate, Bps::new(1250));
        assert_eq!(c.listen.port(), 7000);
        assert_eq!(c.whatsapp_templates["order_created"], "invoice_v2");
    }

    #[test]
    fn typos_and_bad_values_are_errors() {
        let e = Config::from_sources(None, &env(&[("MADD_FULFILMNET", "auto")])).unwrap_err();
        assert!(e.to_string().contains("MADD_FULFILMNET"), "{e}");
        let e = Config::from_sources(None, &env(&[("MADD_FULFILMENT", "sometimes")])).unwrap_err();
        assert!(e.to_string().contains("manual, auto"), "{e}");
        let e = Config::from_sources(None, &env(&[("MADD_MARKUP_PERCENT", "ten")])).unwrap_err();
        assert!(e.to_string().contains("MADD_MARKUP_PERCENT"), "{e}");
        let e = Config::from_sources(None, &env(&[("MADD_TRAKTEER_UNIT_PRICE", "0")])).unwrap_err();
        assert!(e.to_string().contains("at least 1"), "{e}");
        let e =
            Config::from_sources(None, &env(&[("MADD_SELLER_WHATSAPP", "021555")])).unwrap_err();
        assert!(e.to_string().contains("MADD_SELLER_WHATSAPP"), "{e}");
        let e =
            Config::from_sources(None, &env(&[("MADD_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(e.to_string().contains("sqlite://"), "{e}");
    }

    #[test]
    fn live_providers_need_their_credentials() {
        let e = Config::from_sources(None, &env(&[("MADD_SUPPLIER", "vip-reseller")])).unwrap_err();
        assert!(e.to_string().contains("MADD_VIP_API_ID"), "{e}");
        let e = Config::from_sources(None, &env(&[("MADD_WHATSAPP", "cloud")])).unwrap_err();
        assert!(e.to_string().contains("MADD_WHATSAPP_TOKEN"), "{e}");
        let c = Config::from_sources(
            None,
            &env(&[
                ("MADD_WHATSAPP", "fonnte"),
                ("MADD_WHATSAPP_TOKEN", "tok"),
                ("MADD_SUPPLIER", "vip-reseller"),
                ("MADD_VIP_API_ID", "id"),
                ("MADD_VIP_API_KEY", "key"),
                ("MADD_PAYMENT", "trakteer"),
                ("MADD_TRAKTEER_WEBHOOK_TOKEN", "t"),
            ]),
        )
        .unwrap();
        assert_eq!(c.whatsapp_api_url.as_str(), "https://api.fonnte.com/");
        assert!(!c.uses_sandbox());
        assert!(!format!("{c:?}").contains("key\""), "secrets are redacted");
    }

    #[test]
    fn unknown_file_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("madd-cfg2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("store.toml");
        std::fs::write(&path, "databse_url = \"x\"\n").unwrap();
        let e = Config::from_sources(Some(&path), &BTreeMap::new()).unwrap_err();
        assert!(matches!(e, ConfigError::UnknownKey(k) if k == "databse_url"));
    }
}
