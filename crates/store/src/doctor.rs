//! `maddstore doctor`: before the first customer, every piece the store needs, checked — the
//! configuration, the database and its migrations, and, with live credentials, each provider
//! (read-only calls: VIP's profile, Trakteer's payment list) — printed as a checklist with a fix
//! for every failure. Nothing is bought, sent or written.

use std::fmt::Write as _;

use crate::config::{Config, PaymentChoice, SupplierChoice, WhatsAppChoice};
use crate::db::Db;

/// One line of the checklist.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    Ok(String),
    /// Works, but worth a look.
    Warn {
        what: String,
        fix: String,
    },
    Fail {
        what: String,
        fix: String,
    },
}

impl Check {
    fn ok(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            outcome: Outcome::Ok(detail.into()),
        }
    }

    fn fail(name: &'static str, what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name,
            outcome: Outcome::Fail {
                what: what.into(),
                fix: fix.into(),
            },
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Fail { .. })
    }
}

/// Runs every check against `config` (already loaded: a configuration that does not load is
/// the first failure, reported by the caller).
pub async fn run(config: &Config) -> Vec<Check> {
    let mut checks = vec![Check::ok("configuration", "loaded")];
    checks.push(database(config).await);
    let http = match crate::startup::provider_http() {
        Ok(http) => http,
        Err(e) => {
            checks.push(Check::fail(
                "providers",
                format!("no HTTP client: {e:#}"),
                "this machine's TLS setup is broken; reinstall ca-certificates",
            ));
            return checks;
        }
    };
    let providers = crate::startup::providers(config, &http);
    checks.push(match config.supplier {
        SupplierChoice::Sandbox => Check::ok("supplier", "sandbox: simulated, nothing is bought"),
        SupplierChoice::VipReseller => match providers.supplier.profile().await {
            Ok(p) => Check::ok(
                "supplier",
                format!(
                    "VIP Reseller answers for {} ({}), balance {}",
                    p.username, p.level, p.balance
                ),
            ),
            Err(e) => Check::fail(
                "supplier",
                format!("VIP Reseller: {e}"),
                "check MADD_VIP_API_ID and MADD_VIP_API_KEY against VIP's profile page, and that \
                 this server's IP address is on VIP's whitelist",
            ),
        },
    });
    checks.push(match config.payment {
        PaymentChoice::Sandbox => Check::ok("payment", "sandbox: simulated, no money moves"),
        PaymentChoice::Trakteer if config.trakteer.api_key.is_empty() => Check {
            name: "payment",
            outcome: Outcome::Warn {
                what: "no MADD_TRAKTEER_API_KEY: payments whose webhook is lost are not found"
                    .into(),
                fix: "copy the API key from Trakteer (Integrasi → API) into MADD_TRAKTEER_API_KEY"
                    .into(),
            },
        },
        PaymentChoice::Trakteer => match providers.payment.recent_payments(1).await {
            Ok(_) => Check::ok("payment", "Trakteer's API answers"),
            Err(e) => Check::fail(
                "payment",
                format!("Trakteer: {e}"),
                "check MADD_TRAKTEER_API_KEY (Trakteer: Integrasi → API) and MADD_TRAKTEER_API_URL",
            ),
        },
    });
    checks.push(match config.whatsapp.gateway {
        WhatsAppChoice::Sandbox => {
            Check::ok("whatsapp", "sandbox: messages go to the sandbox inbox")
        }
        WhatsAppChoice::Cloud => Check::ok(
            "whatsapp",
            "Cloud API configured (token and phone number id); the first message proves them",
        ),
        WhatsAppChoice::Fonnte => Check::ok(
            "whatsapp",
            "Fonnte configured (device token); the first message proves it",
        ),
    });
    let live = config.supplier != SupplierChoice::Sandbox
        || config.payment != PaymentChoice::Sandbox
        || config.whatsapp.gateway != WhatsAppChoice::Sandbox;
    checks.push(if live && config.public_url.scheme() != "https" {
        Check::fail(
            "public URL",
            format!("MADD_PUBLIC_URL is {}", config.public_url),
            "set MADD_PUBLIC_URL=https://<your store>: pay links, tracking links and the \
             providers' webhooks use it",
        )
    } else {
        Check::ok("public URL", config.public_url.to_string())
    });
    checks.push(match &config.seller_whatsapp {
        Some(n) => Check::ok("seller", format!("new orders are told to {}", n.local())),
        None => Check {
            name: "seller",
            outcome: Outcome::Warn {
                what: "no MADD_SELLER_WHATSAPP: nobody is told of new orders".into(),
                fix:
                    "set MADD_SELLER_WHATSAPP to your WhatsApp number (or set it in the dashboard)"
                        .into(),
            },
        },
    });
    checks
}

async fn database(config: &Config) -> Check {
    if let Some(file) = crate::backup::sqlite_file(&config.database_url) {
        if !file.exists() {
            return Check::fail(
                "database",
                format!("no database at {}", file.display()),
                "run `maddstore migrate` (or start `maddstore serve` once)",
            );
        }
    }
    let db =
        match Db::connect_with(&config.database_url, config.database_pool).await {
            Ok(db) => db,
            Err(e) => return Check::fail(
                "database",
                format!("cannot connect: {e}"),
                "check MADD_DATABASE_URL; for PostgreSQL, that the server runs and the user may \
                 connect",
            ),
        };
    let check = match db.migrations().await {
        Ok((applied, known)) if applied >= known => Check::ok(
            "database",
            format!("reachable, {applied} migrations applied"),
        ),
        Ok((applied, known)) => Check::fail(
            "database",
            format!("{applied} of {known} migrations applied"),
            "run `maddstore migrate` (serve applies them at start)",
        ),
        Err(e) => Check::fail(
            "database",
            format!("not a Madd Store database: {e}"),
            "point MADD_DATABASE_URL at the store's database, or run `maddstore migrate`",
        ),
    };
    db.close().await;
    check
}

/// The checklist as printed: `✓` passed, `!` worth a look, `✗` failed (with its fix).
pub fn checklist(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        match &c.outcome {
            Outcome::Ok(detail) => {
                let _ = writeln!(out, "✓ {}: {detail}", c.name);
            }
            Outcome::Warn { what, fix } => {
                let _ = writeln!(out, "! {}: {what}\n    fix: {fix}", c.name);
            }
            Outcome::Fail { what, fix } => {
                let _ = writeln!(out, "✗ {}: {what}\n    fix: {fix}", c.name);
            }
        }
    }
    out
}
