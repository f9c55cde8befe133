//! Configuration: a TOML file (optional) and `MADD_*` environment variables, the environment
//! winning. The names are listed in the README's Configuration section: the file key is the
//! variable's name without `MADD_`, in lower case (`MADD_DATABASE_URL` ↔ `database_url`). Unknown
//! keys and unknown `MADD_*` variables are errors, so a typo cannot silently fall back to a
//! default. (`MADD_LOG` and `MADD_LOG_FORMAT` set up logging, before the configuration is read.)

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;

use madd_domain::{CustomerFee, Markup, PhoneNumber, RailId, Rupiah, SupplierId};
use url::Url;

mod digiflazz;
mod gateways;
mod h2h;
mod keys;
mod roles;
mod trakteer;
mod values;
mod vip;
mod whatsapp;

pub use digiflazz::Digiflazz;
pub use gateways::{Midtrans, Tripay};
pub use h2h::H2h;
pub use keys::KEYS;
pub use trakteer::Trakteer;
use values::Values;
pub use vip::Vip;
pub use whatsapp::WhatsApp;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
    #[error(
        "unknown configuration key '{0}' (the README's Configuration section lists every name)"
    )]
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
    /// Every configured supplier is the local simulator.
    Sandbox,
    /// The real services.
    Live,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentChoice {
    /// Every configured rail is the local simulator.
    Sandbox,
    /// The real services.
    Live,
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
    /// Whether the seller hears of new orders before they are paid (`seller_notice = "all"`;
    /// the default `"paid"` spares them abandoned checkouts). A dashboard setting overrides it.
    pub notify_unpaid: bool,
    /// Whether a paid order that finally fails is refunded to the customer's saldo at once
    /// (`failed_refund = "saldo"`, the default) or waits for the seller (`"manual"`).
    pub refund_to_saldo: bool,
    pub supplier: SupplierChoice,
    /// The suppliers, in priority order (`MADD_SUPPLIERS`), never empty, no repeats.
    pub suppliers: Vec<SupplierId>,
    /// VIP Reseller's API (used when it is a live supplier).
    pub vip: Vip,
    /// Digiflazz's API (used when it is a live supplier).
    pub digiflazz: Digiflazz,
    pub markup: Markup,
    pub customer_fee: CustomerFee,
    pub payment: PaymentChoice,
    /// The payment rails, in priority order (`MADD_PAYMENTS`), never empty, no repeats.
    pub payments: Vec<RailId>,
    /// How long a gateway may take to make an order's QRIS before the next rail is asked
    /// (`MADD_PAYMENT_CREATE_TIMEOUT_MS`, default 6 000).
    pub payment_create_timeout: std::time::Duration,
    /// Midtrans's Core API (used when it is a live rail).
    pub midtrans: Midtrans,
    /// Tripay's API (used when it is a live rail).
    pub tripay: Tripay,
    /// Trakteer: its pay page, unit price, webhook token and API (used when `payment` is
    /// `Trakteer`; the unit price and token also by the sandbox).
    pub trakteer: Trakteer,
    pub payment_window_minutes: i64,
    /// The WhatsApp gateway and its credentials.
    pub whatsapp: WhatsApp,
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
    /// How long a stopping store (SIGTERM, ctrl-c) lets in-flight requests and jobs finish.
    pub shutdown_grace_seconds: u64,
    /// The bearer token `GET /metrics` asks for; empty: `/metrics` is not served.
    pub metrics_token: crate::secret::Secret,
    /// Where the daily backups of an SQLite store go (`None`: no automatic backups).
    pub backup_dir: Option<std::path::PathBuf>,
    /// How many daily backups are kept (the oldest go first).
    pub backup_keep: usize,
    /// The reseller API (H2H).
    pub h2h: H2h,
}

impl Config {
    /// Whether `supplier` is configured and simulated.
    pub fn simulates(&self, supplier: SupplierId) -> bool {
        self.supplier == SupplierChoice::Sandbox && self.suppliers.contains(&supplier)
    }

    /// Whether `supplier` is configured and real.
    pub fn uses_live(&self, supplier: SupplierId) -> bool {
        self.supplier == SupplierChoice::Live && self.suppliers.contains(&supplier)
    }

    /// Whether `rail` is configured and simulated.
    pub fn simulates_rail(&self, rail: RailId) -> bool {
        self.payment == PaymentChoice::Sandbox && self.payments.contains(&rail)
    }

    /// Whether `rail` is configured and real.
    pub fn uses_live_rail(&self, rail: RailId) -> bool {
        self.payment == PaymentChoice::Live && self.payments.contains(&rail)
    }

    pub fn uses_sandbox(&self) -> bool {
        self.simulators().any()
    }

    /// The simulators this configuration needs: one per provider in sandbox mode, no more.
    pub fn simulators(&self) -> madd_sandbox::Simulators {
        madd_sandbox::Simulators {
            vip: self.simulates(SupplierId::VipReseller),
            digiflazz: self.simulates(SupplierId::Digiflazz),
            trakteer: self.simulates_rail(RailId::Trakteer),
            midtrans: self.simulates_rail(RailId::Midtrans),
            tripay: self.simulates_rail(RailId::Tripay),
            whatsapp: self.whatsapp.gateway == WhatsAppChoice::Sandbox,
        }
    }

    /// Every provider is the sandbox: nothing real is at stake (the demo, the tests).
    pub fn all_sandbox(&self) -> bool {
        let which = self.simulators();
        self.supplier == SupplierChoice::Sandbox
            && self.payment == PaymentChoice::Sandbox
            && which.whatsapp
    }

    /// `serve` refuses a live WhatsApp gateway configured with a credential published in this
    /// repository (the simulators' demo and test values): anyone could sign its webhooks.
    pub fn check_published_secrets(&self) -> Result<(), ConfigError> {
        let published = madd_sandbox::published_secrets();
        let w = &self.whatsapp;
        let mut live = Vec::new();
        if w.gateway != WhatsAppChoice::Sandbox {
            live.extend([
                ("MADD_WHATSAPP_APP_SECRET", &w.app_secret),
                ("MADD_WHATSAPP_VERIFY_TOKEN", &w.verify_token),
                ("MADD_WHATSAPP_TOKEN", &w.token),
                ("MADD_FONNTE_WEBHOOK_SECRET", &w.fonnte_webhook_secret),
            ]);
        }
        // A gateway's key signs its webhooks: a published one would let anyone "pay" an order.
        if self.uses_live_rail(RailId::Midtrans) {
            live.push(("MADD_MIDTRANS_SERVER_KEY", &self.midtrans.server_key));
        }
        if self.uses_live_rail(RailId::Tripay) {
            live.push(("MADD_TRIPAY_PRIVATE_KEY", &self.tripay.private_key));
            live.push(("MADD_TRIPAY_API_KEY", &self.tripay.api_key));
        }
        for (key, value) in live {
            if published.iter().any(|p| p == value.expose()) {
                return Err(ConfigError::Invalid {
                    key: key.into(),
                    message: "is a value published in the store's repository (a simulator's); \
                              set the secret your provider gave you"
                        .into(),
                });
            }
        }
        Ok(())
    }

    /// `serve` refuses real providers beside sandbox ones unless `MADD_ALLOW_MIXED_SANDBOX` says
    /// so: such a mix is almost always a variable forgotten while going live.
    pub fn check_sandbox_mix(&self) -> Result<(), ConfigError> {
        let which = self.simulators();
        let suppliers_simulated = self.supplier == SupplierChoice::Sandbox;
        let payments_simulated = self.payment == PaymentChoice::Sandbox;
        let all = suppliers_simulated && payments_simulated && which.whatsapp;
        if !which.any() || all || self.allow_mixed_sandbox {
            return Ok(());
        }
        let mut sandboxed = Vec::new();
        if suppliers_simulated {
            sandboxed.push("MADD_SUPPLIER");
        }
        if payments_simulated {
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
            if key == "CONFIG" || key.starts_with("TEST_") || key == "LOG" || key == "LOG_FORMAT" {
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
        let values = Values(v);
        let get = |k: &str| values.get(k);
        let invalid = |k: &str, m: String| values.invalid(k, m);
        let int = |k: &str, default: i64, min: i64| values.int(k, default, min);
        let percent = |k: &str, default: &str| values.percent(k, default);
        let flag = |k: &str| values.flag(k);

        let (listen, public_url) = Config::read_addresses(&values)?;
        let database_url = Config::read_database_url(&values)?;
        let choice = |k: &str, allowed: &[&str]| values.choice(k, allowed);
        let fulfilment = match choice("fulfilment", &["manual", "auto"])?.as_str() {
            "auto" => Fulfilment::Auto,
            _ => Fulfilment::Manual,
        };
        let notify_unpaid = choice("seller_notice", &["paid", "all"])? == "all";
        let refund_to_saldo = choice("failed_refund", &["saldo", "manual"])? == "saldo";
        let (supplier, suppliers) = Config::read_suppliers(&values)?;
        let (payment, payments) = Config::read_payments(&values)?;
        let whatsapp = match choice("whatsapp", &["sandbox", "cloud", "fonnte"])?.as_str() {
            "cloud" => WhatsAppChoice::Cloud,
            "fonnte" => WhatsAppChoice::Fonnte,
            _ => WhatsAppChoice::Sandbox,
        };
        let seller_whatsapp = match get("seller_whatsapp") {
            None => None,
            Some(s) => {
                Some(PhoneNumber::parse(s).map_err(|e| invalid("seller_whatsapp", e.to_string()))?)
            }
        };

        let config = Config {
            database_url,
            listen,
            public_url_set: get("public_url").is_some(),
            public_url,
            fulfilment,
            notify_unpaid,
            refund_to_saldo,
            supplier,
            suppliers,
            vip: Vip::read(&values)?,
            digiflazz: Digiflazz::read(&values)?,
            markup: Markup {
                rate: percent("markup_percent", "10")?,
                min: Rupiah::new(int("markup_min", 500, 0)?),
            },
            customer_fee: CustomerFee {
                rate: percent("fee_percent", "0")?,
                fixed: Rupiah::new(int("fee_fixed", 0, 0)?),
            },
            payment,
            payments,
            payment_create_timeout: std::time::Duration::from_millis(int(
                "payment_create_timeout_ms",
                6_000,
                100,
            )? as u64),
            midtrans: Midtrans::read(&values)?,
            tripay: Tripay::read(&values)?,
            trakteer: Trakteer::read(&values)?,
            payment_window_minutes: int("payment_window_minutes", 60, 1)?,
            whatsapp: WhatsApp::read(&values, whatsapp, whatsapp_templates)?,
            seller_whatsapp,
            low_balance_threshold: Rupiah::new(int("low_balance_threshold", 100_000, 0)?),
            workers: int("workers", 4, 1)? as usize,
            lookup_rate_per_minute: u32::try_from(int("lookup_rate_per_minute", 30, 0)?)
                .map_err(|_| invalid("lookup_rate_per_minute", "too large".into()))?,
            allow_mixed_sandbox: flag("allow_mixed_sandbox")?,
            database_pool: Config::read_pool(&values)?,
            shutdown_grace_seconds: int("shutdown_grace_seconds", 25, 0)? as u64,
            metrics_token: values.secret("metrics_token"),
            backup_dir: Some(values.text("backup_dir", ""))
                .filter(|d| !d.trim().is_empty())
                .map(std::path::PathBuf::from),
            backup_keep: int("backup_keep", 7, 1)? as usize,
            h2h: H2h::read(&values)?,
            instance: Config::read_instance(&values, listen)?,
        };
        config.check_required()?;
        Ok(config)
    }

    /// Where to listen, and the address customers see (the listen address unless set).
    fn read_addresses(values: &Values) -> Result<(SocketAddr, Url), ConfigError> {
        let listen_text = values.get("listen").unwrap_or("127.0.0.1:8080");
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| values.invalid("listen", format!("'{listen_text}' is not host:port")))?;
        let public_url = match values.get("public_url") {
            Some(_) => values.url("public_url", "")?,
            None => Url::parse(&format!("http://{listen}")).expect("listen address is a URL"),
        };
        Ok((listen, public_url))
    }

    fn read_database_url(values: &Values) -> Result<String, ConfigError> {
        let database_url = values
            .get("database_url")
            .unwrap_or("sqlite://maddstore.db")
            .to_string();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(values.invalid(
                "database_url",
                "must start with sqlite:// or postgres://".into(),
            ));
        }
        Ok(database_url)
    }

    fn read_pool(values: &Values) -> Result<crate::db::PoolSizes, ConfigError> {
        let size = |k: &str, default: i64| {
            u32::try_from(values.int(k, default, 1)?)
                .map_err(|_| values.invalid(k, "too large".into()))
        };
        Ok(crate::db::PoolSizes {
            writers: size("database_writers", 10)?,
            readers: size("database_readers", 4)?,
        })
    }

    /// This process's name among several serving one database: the host and port unless set.
    fn read_instance(values: &Values, listen: SocketAddr) -> Result<String, ConfigError> {
        Ok(match values.get("instance") {
            Some(name) if name.contains('/') => {
                return Err(values.invalid("instance", format!("'{name}' must not contain '/'")))
            }
            Some(name) => name.to_string(),
            None => format!("{}:{}", host_name(), listen.port()),
        })
    }

    fn check_required(&self) -> Result<(), ConfigError> {
        if self.uses_live(SupplierId::VipReseller) {
            self.vip.check_required()?;
        }
        if self.uses_live(SupplierId::Digiflazz) {
            self.digiflazz.check_required()?;
        }
        if self.uses_live_rail(RailId::Trakteer) {
            self.trakteer.check_required()?;
        }
        if self.uses_live_rail(RailId::Midtrans) {
            self.midtrans.check_required()?;
        }
        if self.uses_live_rail(RailId::Tripay) {
            self.tripay.check_required()?;
        }
        self.whatsapp.check_required()
    }
}

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
mod tests;
