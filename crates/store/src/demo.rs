//! `maddstore demo`: the store on the sandbox with a synced catalogue and an admin login. Its
//! SQLite file — orders, saldo, settings — and its login are kept across restarts, so a seller
//! trying it can stop and come back; `--fresh` starts over.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use madd_sandbox::Profile;

use crate::app::App;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::db::admins;
use crate::service::catalog_sync;
use crate::startup::{self, SandboxAccess, StartOptions};

const ADMIN: &str = "admin";

pub async fn run(config: &mut Config, db_file: PathBuf, fresh: bool) -> anyhow::Result<()> {
    if !config.uses_sandbox() {
        bail!("demo runs on the sandbox; unset MADD_SUPPLIER / MADD_PAYMENT / MADD_WHATSAPP");
    }
    // The login is kept beside a SQLite demo file; a PostgreSQL demo gets a new one per start.
    let login_file = if std::env::var("MADD_DATABASE_URL").is_err() {
        if fresh {
            remove_demo_files(&db_file)?;
        }
        config.database_url = format!("sqlite://{}", db_file.display());
        Some(login_path(&db_file))
    } else {
        None
    };
    demo_defaults(config);
    demo_h2h_secret(config, login_file.as_deref())?;
    let listener = crate::cli::bind(config).await?;
    let listening = listener.local_addr()?;
    let workers = config.workers;
    let running = startup::start(
        config.clone(),
        listener,
        StartOptions {
            clock: Arc::new(SystemClock),
            workers,
            sandbox_profile: Profile::Demo,
            sandbox_access: SandboxAccess::Open,
            mount_all_simulators: false,
        },
    )
    .await?;
    let report = catalog_sync::run(&running.app, |_, _| {}).await?;
    if let Some(e) = &report.error {
        bail!("syncing the sandbox catalogue: {e}");
    }
    let password = login(&running.app, login_file.as_deref()).await?;
    print_welcome(&running.app, report.total, &password, listening);
    print_h2h(&running.app).await?;
    running.run_until_signal().await;
    Ok(())
}

/// The seller's number and, unless chosen, the rails a newcomer should see first: the per-order
/// QRIS (Midtrans), with Tripay and Trakteer behind it — all simulated.
fn demo_defaults(config: &mut Config) {
    if config.seller_whatsapp.is_none() {
        config.seller_whatsapp =
            Some(madd_domain::PhoneNumber::parse("081200000001").expect("demo seller number"));
    }
    if std::env::var_os("MADD_PAYMENTS").is_none()
        && config.payment == crate::config::PaymentChoice::Sandbox
        && config.payments == [madd_domain::RailId::Trakteer]
    {
        config.payments = vec![
            madd_domain::RailId::Midtrans,
            madd_domain::RailId::Tripay,
            madd_domain::RailId::Trakteer,
        ];
    }
}

/// `maddstore-demo.db` → `maddstore-demo.db.login`: the demo admin's password, readable only by
/// its owner.
fn login_path(db_file: &Path) -> PathBuf {
    let mut path = db_file.as_os_str().to_owned();
    path.push(".login");
    PathBuf::from(path)
}

/// The demo reseller's number: an approved reseller with the reseller API on.
const DEMO_RESELLER: &str = "081370000001";

/// The reseller API in the demo: a secret of its own, kept beside the login (the keys derive
/// from it, so they survive restarts), and callbacks allowed to this machine.
fn demo_h2h_secret(config: &mut Config, login_file: Option<&Path>) -> anyhow::Result<()> {
    config.h2h.allow_private_callbacks = true;
    if !config.h2h.secret.is_empty() {
        return Ok(());
    }
    let path = login_file.map(|p| p.with_extension("h2h"));
    let kept = path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() >= 32);
    let secret = match kept {
        Some(s) => s,
        None => {
            let s = format!("{}{}", crate::web::auth::random_token(), crate::web::auth::random_token());
            if let Some(p) = &path {
                write_private(p, &s).with_context(|| format!("keeping the demo H2H secret in {p:?}"))?;
            }
            s
        }
    };
    config.h2h.secret = crate::secret::Secret::new(secret);
    Ok(())
}

/// Makes (the first time) the demo reseller — approved, H2H on from this machine, Rp 200.000 of
/// saldo — and prints its username, key and a `curl` that buys with them.
async fn print_h2h(app: &App) -> anyhow::Result<()> {
    let number = madd_domain::PhoneNumber::parse(DEMO_RESELLER).expect("demo reseller number");
    let existing = {
        let mut conn = app.db.read().await?;
        crate::db::h2h::account_for(&mut conn, number.as_str()).await?
    };
    let account = match existing {
        Some(a) => a,
        None => {
            crate::service::tiers::approve(app, DEMO_RESELLER, "Demo bot (H2H)", "demo").await?;
            let c = crate::service::h2h::open(app, &number).await?;
            crate::service::h2h::set_access(app, &c.username, "127.0.0.1\n::1", "").await?;
            crate::service::saldo::credit::grant(app, &number, madd_domain::Rupiah::new(200_000), "demo")
                .await?;
            let mut conn = app.db.read().await?;
            crate::db::h2h::account_for(&mut conn, number.as_str())
                .await?
                .context("the demo reseller just made")?
        }
    };
    let key = crate::service::h2h::api_key(app, &account);
    let base = app.config.public_url.as_str().trim_end_matches('/');
    let sign = crate::service::h2h::sign(&account.username, key.expose(), "demo-1");
    println!(
        "Reseller API (H2H, Digiflazz's format) for the demo reseller {}:\n\
         \x20 username {}   key {}\n\
         \x20 curl -s {base}/h2h/v1/transaction -H 'content-type: application/json' \\\n\
         \x20   -d '{{\"username\":\"{}\",\"buyer_sku_code\":\"S10\",\"customer_no\":\"081234567890\",\"ref_id\":\"demo-1\",\"sign\":\"{sign}\"}}'\n\
         \x20 (sign = md5(username + key + ref_id); the same ref_id again shows its status — Pending\n\
         \x20 until the order is bought: press Proses in Admin, or start with MADD_FULFILMENT=auto)\n",
        number.grouped(),
        account.username,
        key.expose(),
        account.username,
    );
    Ok(())
}

fn remove_demo_files(db_file: &Path) -> anyhow::Result<()> {
    let mut paths: Vec<PathBuf> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut path = db_file.as_os_str().to_owned();
            path.push(suffix);
            PathBuf::from(path)
        })
        .collect();
    paths.push(login_path(db_file));
    for path in paths {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("removing the old demo file {path:?}"))
            }
        }
    }
    Ok(())
}

/// The admin's password: the kept one when the demo database still holds that admin, else a
/// new one (the admin made, or its password replaced), kept for the next start.
async fn login(app: &App, login_file: Option<&Path>) -> anyhow::Result<String> {
    let existing = {
        let mut conn = app.db.read().await?;
        admins::by_username(&mut conn, ADMIN).await?
    };
    let kept = login_file
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if let (Some(admin), Some(password)) = (&existing, &kept) {
        let (p, h) = (password.clone(), admin.password_hash.clone());
        if tokio::task::spawn_blocking(move || crate::passwords::verify_now(&p, &h))
            .await
            .unwrap_or(false)
        {
            return Ok(password.clone());
        }
    }
    let password = crate::web::auth::random_token()[..16].to_string();
    let hash = crate::web::auth::hash_password(password.clone()).await?;
    {
        let mut conn = app.db.write().await?;
        match existing {
            Some(admin) => {
                admins::replace_hash(&mut conn, admin.id, &admin.password_hash, &hash).await?;
            }
            None => {
                admins::create(&mut conn, ADMIN, &hash, app.now_ms()).await?;
            }
        }
    }
    if let Some(path) = login_file {
        write_private(path, &password)
            .with_context(|| format!("keeping the demo login in {path:?}"))?;
    }
    Ok(password)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{text}")
}

/// Where a phone on the same network opens the demo, when it listens beyond loopback: this
/// machine's address on the network its default route uses (no packet is sent).
fn lan_url(listening: SocketAddr) -> Option<String> {
    if listening.ip().is_loopback() {
        return None;
    }
    let ip = if listening.ip().is_unspecified() {
        let probe = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
        probe.connect("192.0.2.1:80").ok()?;
        probe.local_addr().ok()?.ip()
    } else {
        listening.ip()
    };
    match ip {
        IpAddr::V4(v4) if !v4.is_loopback() && !v4.is_unspecified() => {
            Some(format!("http://{v4}:{}/", listening.port()))
        }
        _ => None,
    }
}

fn print_welcome(
    app: &App,
    products: impl std::fmt::Display,
    password: &str,
    listening: SocketAddr,
) {
    let base = app.config.public_url.as_str().trim_end_matches('/');
    let seller = app
        .config
        .seller_whatsapp
        .as_ref()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let digiflazz = if app
        .suppliers
        .get(madd_domain::SupplierId::Digiflazz)
        .is_some()
    {
        format!(
            "\x20 Digiflazz       {base}/sandbox/digiflazz/   (PLN meter 32123456789 belongs to BUDI SANTOSO)\n\
             \x20 Failover: on the VIP page set the fault \"fail_orders\", then process an order whose\n\
             \x20 first offer is VIP (Admin → Supplier): VIP fails, Digiflazz delivers, both on its timeline.\n"
        )
    } else {
        String::new()
    };
    let phone = lan_url(listening)
        .map(|url| format!("\x20 From a phone    {url}   (same Wi-Fi)\n"))
        .unwrap_or_default();
    println!(
        "\nMadd Store demo is running ({products} products from the sandbox supplier).\n\n\
         \x20 Storefront      {base}/\n\
         {phone}\
         \x20 Admin           {base}/admin   login: {ADMIN} / {password}\n\
         \x20 WhatsApp inbox  {base}/sandbox/whatsapp/inbox   (seller: {seller})\n\
         \x20 Trakteer        {base}/sandbox/trakteer/\n\
         \x20 VIP Reseller    {base}/sandbox/vip-reseller/\n\
         {digiflazz}\n\
         Try Mobile Legends with user id 123456780 zone 2345. Press Ctrl-C to stop; the demo keeps\n\
         its orders and this login until you start it with --fresh.\n\
         Chat: in the WhatsApp inbox write \"menu\" or \"beli ML86-S1 123456780 2345\" as a customer,\n\
         \x20 or \"saldo\", \"pesanan\", \"laporan\" from the seller's number.\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_is_shown_only_beyond_loopback() {
        assert_eq!(lan_url("127.0.0.1:8080".parse().unwrap()), None);
        assert_eq!(
            lan_url("192.168.1.20:8080".parse().unwrap()).as_deref(),
            Some("http://192.168.1.20:8080/")
        );
    }

    #[test]
    fn the_login_sits_beside_the_database() {
        assert_eq!(
            login_path(Path::new("/tmp/x/maddstore-demo.db")),
            PathBuf::from("/tmp/x/maddstore-demo.db.login")
        );
    }
}
