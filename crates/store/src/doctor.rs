//! `maddstore doctor`: before the first customer, every piece the store needs, checked — the
//! configuration, the database and its migrations, and, with live credentials, each provider
//! (read-only calls: VIP's profile, Trakteer's payment list) — printed as a checklist with a fix
//! for every failure. Nothing is bought, sent or written. The running store makes the same checks
//! with its own clients as a background job (`service::store_checks`) for the dashboard.

use std::fmt::Write as _;

use madd_domain::PhoneNumber;
use serde::{Deserialize, Serialize};

use crate::config::{Config, PaymentChoice, SupplierChoice, WhatsAppChoice};
use crate::db::Db;
use crate::providers::Providers;

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
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
    fn ok(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
            outcome: Outcome::Ok(detail.into()),
        }
    }

    fn warn(name: &str, what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
            outcome: Outcome::Warn {
                what: what.into(),
                fix: fix.into(),
            },
        }
    }

    fn fail(name: &str, what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
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
/// the first failure, reported by the caller), with clients of its own.
pub async fn run(config: &Config) -> Vec<Check> {
    let mut checks = vec![Check::ok("configuration", "loaded")];
    checks.push(database(config).await);
    let http = match crate::providers::provider_http() {
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
    let providers = crate::providers::providers(config, &http);
    checks.extend(setup(config, &providers, config.seller_whatsapp.as_ref()).await);
    checks.extend(reachable(config, &http).await);
    checks
}

/// The checks a running store makes of itself: its database, then [`setup`] with the clients it
/// serves with.
pub async fn on_running(
    config: &Config,
    db: &Db,
    providers: &Providers,
    seller: Option<&PhoneNumber>,
) -> Vec<Check> {
    let mut checks = vec![migrations(db).await, saldo(db).await];
    checks.extend(setup(config, providers, seller).await);
    match crate::providers::provider_http() {
        Ok(http) => checks.extend(reachable(config, &http).await),
        Err(e) => tracing::warn!(error = %e, "no HTTP client for the public URL check"),
    }
    checks
}

/// With live providers, whether the public URL reaches a Madd Store from here: the providers'
/// webhooks and the customers' links go to it, so a wrong DNS record or a reverse proxy that
/// points elsewhere loses every payment notice. A warning, not a failure: before the first
/// `serve` (or behind a proxy that only answers the outside world) it cannot answer yet.
async fn reachable(config: &Config, http: &reqwest::Client) -> Option<Check> {
    if !is_live(config) {
        return None;
    }
    let url = config.link("/healthz");
    let fix = "start `maddstore serve`, and check that the domain's DNS record and the reverse \
               proxy (docs/Caddyfile) point at this store";
    let answer = http
        .get(&url)
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await;
    Some(match answer {
        Ok(r) if r.status().is_success() => match r.text().await {
            Ok(body) if body.trim() == "ok" => Check::ok(
                "webhooks",
                format!("{url} answers: providers' webhooks can reach the store"),
            ),
            _ => Check::warn(
                "webhooks",
                format!("{url} answers, but not as a Madd Store"),
                fix,
            ),
        },
        Ok(r) => Check::warn("webhooks", format!("{url} answered {}", r.status()), fix),
        Err(e) => Check::warn(
            "webhooks",
            format!("{url} did not answer: {}", causes(&e)),
            fix,
        ),
    })
}

/// A live SQLite store should copy itself daily; says where the copies are and the newest.
fn backups(config: &Config) -> Option<Check> {
    crate::backup::sqlite_file(&config.database_url)?;
    Some(match &config.backup_dir {
        None if is_live(config) => Check::warn(
            "backups",
            "no automatic backups: the store's whole history is one file",
            "set MADD_BACKUP_DIR (e.g. /var/lib/maddstore/backups) and copy it off the server now \
             and then",
        ),
        None => return None,
        Some(dir) => match crate::service::daily_backup::backups(dir) {
            Ok(found) => Check::ok(
                "backups",
                match found.first() {
                    Some(newest) => format!(
                        "daily into {}, newest {} ({} of {} kept)",
                        dir.display(),
                        newest.file_name().unwrap_or_default().to_string_lossy(),
                        found.len(),
                        config.backup_keep
                    ),
                    None => format!("daily into {}, the first within the hour", dir.display()),
                },
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Check::ok(
                "backups",
                format!("daily into {} (made on the first run)", dir.display()),
            ),
            Err(e) => Check::fail(
                "backups",
                format!("{} cannot be read: {e}", dir.display()),
                "make the folder writable by the store's user (the package's unit may write \
                 under /var/lib/maddstore only)",
            ),
        },
    })
}

/// reqwest's own message is vague ("error sending request"); the cause is in its sources.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

fn is_live(config: &Config) -> bool {
    config.supplier != SupplierChoice::Sandbox
        || config.payment != PaymentChoice::Sandbox
        || config.whatsapp.gateway != WhatsAppChoice::Sandbox
}

/// Each provider, read-only, and the settings the providers depend on.
async fn setup(config: &Config, providers: &Providers, seller: Option<&PhoneNumber>) -> Vec<Check> {
    let mut checks = Vec::new();
    for supplier in providers.suppliers.all() {
        checks.push(supplier_check(config, supplier.as_ref()).await);
    }
    if config.payments.contains(&madd_domain::RailId::Trakteer) {
        checks.push(payment_check(config, providers).await);
    }
    for gateway in providers.rails.gateways() {
        checks.push(gateway_check(config, gateway.as_ref()).await);
    }
    checks.push(whatsapp_check(config, providers).await);
    checks.push(public_url_check(config));
    if let Some(check) = backups(config) {
        checks.push(check);
    }
    checks.push(match seller {
        Some(n) => Check::ok("seller", format!("new orders are told to {}", n.local())),
        None => Check::warn(
            "seller",
            "no MADD_SELLER_WHATSAPP: nobody is told of new orders",
            "set MADD_SELLER_WHATSAPP to your WhatsApp number (or set it in the dashboard)",
        ),
    });
    checks
}

async fn supplier_check(config: &Config, supplier: &dyn crate::supplier::Supplier) -> Check {
    let id = supplier.id();
    let name = match id {
        madd_domain::SupplierId::VipReseller => "supplier vip-reseller",
        madd_domain::SupplierId::Digiflazz => "supplier digiflazz",
    };
    if config.supplier == SupplierChoice::Sandbox {
        return Check::warn(
            name,
            "SANDBOX: simulated, nothing is bought",
            "going live: set MADD_SUPPLIER (or MADD_SUPPLIERS) and the supplier's keys",
        );
    }
    match supplier.profile().await {
        Ok(p) => Check::ok(
            name,
            format!(
                "{} answers for {}{}, balance {}",
                id.label(),
                p.username,
                if p.level.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", p.level)
                },
                p.balance
            ),
        ),
        Err(e) => Check::fail(
            name,
            format!("{}: {e}", id.label()),
            match id {
                madd_domain::SupplierId::VipReseller => {
                    "check MADD_VIP_API_ID and MADD_VIP_API_KEY against VIP's profile \
                     page, and that this server's IP address is on VIP's whitelist"
                }
                madd_domain::SupplierId::Digiflazz => {
                    "check MADD_DIGIFLAZZ_USERNAME and MADD_DIGIFLAZZ_API_KEY (Atur \
                     Koneksi → API; a dev- key needs MADD_DIGIFLAZZ_TESTING), and that \
                     this server's IP is on Digiflazz's whitelist for that key's mode"
                }
            },
        ),
    }
}

/// A QRIS gateway's credentials, by a harmless authenticated call (never a payment).
async fn gateway_check(config: &Config, gateway: &dyn crate::payment::gateway::Gateway) -> Check {
    let rail = gateway.rail();
    let name = format!("payment {}", rail.as_str());
    if config.payment == PaymentChoice::Sandbox {
        return Check::warn(
            &name,
            "SANDBOX: simulated QRIS, no money moves",
            "going live: set MADD_PAYMENTS and the gateway's keys (docs/going-live.md)",
        );
    }
    let fix = match rail {
        madd_domain::RailId::Midtrans => {
            "check MADD_MIDTRANS_SERVER_KEY (Midtrans dashboard: Settings → Access Keys) and that \
             MADD_MIDTRANS_API_URL matches it (sandbox keys start SB-Mid-server- and need \
             https://api.sandbox.midtrans.com)"
        }
        _ => {
            "check MADD_TRIPAY_API_KEY, MADD_TRIPAY_PRIVATE_KEY and MADD_TRIPAY_MERCHANT_CODE \
             (Tripay: Merchant → Opsi), MADD_TRIPAY_API_URL (…/api or …/api-sandbox), and that \
             this server's IP is on the merchant's whitelist"
        }
    };
    match gateway.check().await {
        Ok(detail) => Check::ok(&name, detail),
        Err(e) => Check::fail(&name, format!("{}: {e}", rail.label()), fix),
    }
}

async fn payment_check(config: &Config, providers: &Providers) -> Check {
    match config.payment {
        PaymentChoice::Sandbox => Check::warn(
            "payment",
            "SANDBOX: simulated, no money moves",
            "going live: set MADD_PAYMENT (or MADD_PAYMENTS) and the rail's keys",
        ),
        PaymentChoice::Live if config.trakteer.api_key.is_empty() => Check::warn(
            "payment",
            "no MADD_TRAKTEER_API_KEY: payments whose webhook is lost are not found",
            "copy the API key from Trakteer (Integrasi → API) into MADD_TRAKTEER_API_KEY",
        ),
        PaymentChoice::Live => match providers.payment.recent_payments(1).await {
            Ok(_) => Check::ok("payment", "Trakteer's API answers"),
            Err(e) => Check::fail(
                "payment",
                format!("Trakteer: {e}"),
                "check MADD_TRAKTEER_API_KEY (Trakteer: Integrasi → API) and MADD_TRAKTEER_API_URL",
            ),
        },
    }
}

async fn whatsapp_check(config: &Config, providers: &Providers) -> Check {
    match config.whatsapp.gateway {
        WhatsAppChoice::Sandbox => Check::warn(
            "whatsapp",
            "SANDBOX: messages go to the sandbox inbox, no customer gets them",
            "going live: set MADD_WHATSAPP=fonnte or cloud and its token",
        ),
        gateway => match providers.messenger.check().await {
            Ok(detail) => Check::ok("whatsapp", detail),
            Err(e) => Check::fail(
                "whatsapp",
                e.to_string(),
                if gateway == WhatsAppChoice::Cloud {
                    "check MADD_WHATSAPP_TOKEN (a system user's permanent token with \
                     whatsapp_business_messaging) and MADD_WHATSAPP_PHONE_NUMBER_ID (Meta: \
                     WhatsApp → API Setup)"
                } else {
                    "check MADD_WHATSAPP_TOKEN (Fonnte: Device → token) and that the device is \
                     connected (scan the QR code in Fonnte's dashboard)"
                },
            ),
        },
    }
}

fn public_url_check(config: &Config) -> Check {
    if is_live(config) && config.public_url.scheme() != "https" {
        Check::fail(
            "public URL",
            format!("MADD_PUBLIC_URL is {}", config.public_url),
            "set MADD_PUBLIC_URL=https://<your store>: pay links, tracking links and the \
             providers' webhooks use it",
        )
    } else {
        Check::ok("public URL", config.public_url.to_string())
    }
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
    let check = migrations(&db).await;
    db.close().await;
    check
}

/// Customers' saldo: every wallet's balance is the sum of its ledger, and what the store owes.
async fn saldo(db: &Db) -> Check {
    let audit = async {
        let mut conn = db.read().await?;
        crate::db::wallets::audit(&mut conn).await
    };
    match audit.await {
        Ok((wrong, owed)) if wrong.is_empty() => Check::ok(
            "saldo",
            format!("ledger adds up; customers' saldo owed: {owed}"),
        ),
        Ok((wrong, _)) => Check::fail(
            "saldo",
            format!(
                "{} wallet(s) whose balance is not the sum of their entries (first: {} has {}, \
                 entries say {})",
                wrong.len(),
                wrong[0].0,
                wrong[0].1,
                wrong[0].2
            ),
            "stop and restore the newest backup; report this as a bug",
        ),
        Err(e) => Check::fail(
            "saldo",
            format!("cannot read the ledger: {e}"),
            "check the database",
        ),
    }
}

async fn migrations(db: &Db) -> Check {
    match db.migrations().await {
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
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_survive_the_round_trip_through_the_database() {
        let checks = vec![
            Check::ok("database", "reachable"),
            Check::warn("seller", "no number", "set it"),
            Check::fail("whatsapp", "refused", "fix the token"),
        ];
        let json = serde_json::to_string(&checks).unwrap();
        let back: Vec<Check> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, checks);
        assert_eq!(back.iter().filter(|c| c.failed()).count(), 1);
    }
}
