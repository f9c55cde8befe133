//! The `maddstore` command line.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use madd_sandbox::Profile;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::db::{admins, products};
use crate::service::catalog_sync;
use crate::startup::{self, SandboxAccess, StartOptions};

#[derive(Parser, Debug)]
#[command(
    name = "maddstore",
    version,
    about = "Madd Store: game top-ups, pulsa/data and PLN, paid through Trakteer, delivered by VIP Reseller, told over WhatsApp."
)]
pub struct Cli {
    /// A TOML configuration file (also MADD_CONFIG). Environment variables win over it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the store and run its workers.
    Serve,
    /// Serve the demo database with the sandbox, a synced catalogue and an admin login. The
    /// database (and the login) are kept across restarts unless --fresh is given.
    Demo {
        /// The demo database.
        #[arg(long, default_value = "maddstore-demo.db")]
        db_file: PathBuf,
        /// Start over: delete the demo database (and its login) first.
        #[arg(long)]
        fresh: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Check the configuration, the database and (with live credentials) each provider, and
    /// print a checklist with a fix for every failure. Exits non-zero on any failure.
    Doctor,
    /// Manage admin accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Pull the supplier's catalogue and reprice it.
    Sync,
    /// Copy the running store's SQLite database to FILE (a consistent snapshot; the store may
    /// keep serving). For PostgreSQL use pg_dump.
    Backup {
        /// Where the copy goes (must not exist).
        file: PathBuf,
    },
    /// Put a backup in place of the store's SQLite database. Refuses while a store serves from
    /// it.
    Restore {
        /// The backup to put back.
        file: PathBuf,
        /// Replace the database even if a store seems to serve from it.
        #[arg(long)]
        force: bool,
    },
    /// Print a month's profit report (WIB): every line with its explanation, per day, per product.
    Report {
        /// The month, YYYY-MM.
        month: String,
        /// Print CSV (summary, days, products) instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin (or set a new password for an existing one).
    Create {
        username: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => {
            let config = Config::load(cli.config.as_deref())?;
            serve(config).await
        }
        Command::Demo { db_file, fresh } => {
            let mut config = Config::load(cli.config.as_deref())?;
            crate::demo::run(&mut config, db_file, fresh).await
        }
        Command::Doctor => {
            let config = Config::load(cli.config.as_deref())
                .context("✗ configuration (fix it, then run `maddstore doctor` again)")?;
            let checks = crate::doctor::run(&config).await;
            print!("{}", crate::doctor::checklist(&checks));
            let failed = checks.iter().filter(|c| c.failed()).count();
            if failed > 0 {
                bail!("{failed} check(s) failed");
            }
            println!("all checks passed");
            Ok(())
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref())?;
            startup::database(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    username,
                    password_stdin,
                },
        } => {
            let config = Config::load(cli.config.as_deref())?;
            admin_create(&config, &username, password_stdin).await
        }
        Command::Sync => {
            let config = Config::load(cli.config.as_deref())?;
            sync(config).await
        }
        Command::Backup { file } => {
            let config = Config::load(cli.config.as_deref())?;
            crate::backup::backup(&config.database_url, &file).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file, force } => {
            let config = Config::load(cli.config.as_deref())?;
            crate::backup::restore(&config.database_url, &file, force).await?;
            println!("{} restored; start the store again", file.display());
            Ok(())
        }
        Command::Report { month, csv } => {
            let config = Config::load(cli.config.as_deref())?;
            let month = madd_domain::Month::parse(&month)?;
            let db = startup::database(&config).await?;
            let report = crate::service::report::report_from(&db, &config, month).await?;
            if csv {
                print!("{}", report.to_csv());
            } else {
                print!("{}", report_table(&report));
            }
            Ok(())
        }
    }
}

/// The report as a plain-text table for a terminal.
pub fn report_table(r: &madd_domain::MonthlyReport) -> String {
    let mut out = format!("Laporan laba {} ({})\n\n", r.month.label_id(), r.month);
    for l in &r.lines {
        if l.total {
            out.push_str(&format!("{:-<38} {:->16}\n", "", ""));
        }
        out.push_str(&format!(
            "{:<38} {:>16}   {}\n",
            l.key.label_id(),
            l.amount.display_spaced(),
            l.explanation
        ));
    }
    for n in &r.notes {
        out.push_str(&format!("\n* {n}"));
    }
    out.push_str("\n\nPer hari\n");
    out.push_str(&format!(
        "{:<8} {:>6} {:>6} {:>16} {:>16} {:>14} {:>12} {:>16}\n",
        "tanggal", "sukses", "refund", "pendapatan", "modal", "potongan", "deposit", "laba"
    ));
    for d in r
        .days
        .iter()
        .filter(|d| d.delivered + d.refunded > 0 || d.deposit_fees.amount() != 0)
    {
        out.push_str(&format!(
            "{:<8} {:>6} {:>6} {:>16} {:>16} {:>14} {:>12} {:>16}\n",
            format!("{:02}/{:02}", d.day, r.month.month),
            d.delivered,
            d.refunded,
            d.income.display_spaced(),
            d.supplier_cost.display_spaced(),
            d.payment_fees.display_spaced(),
            d.deposit_fees.display_spaced(),
            d.net.display_spaced()
        ));
    }
    out.push_str("\nPer produk\n");
    for p in &r.products {
        out.push_str(&format!(
            "{:<16} {:<30} {:>4} sukses {:>3} refund  margin {:>14}\n",
            p.product_code,
            p.product_name.chars().take(30).collect::<String>(),
            p.delivered,
            p.refunded,
            p.margin.display_spaced()
        ));
    }
    out
}

pub(crate) async fn bind(config: &Config) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (MADD_LISTEN)", config.listen))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    config.check_sandbox_mix()?;
    config.check_published_secrets()?;
    let listener = bind(&config).await?;
    let workers = config.workers;
    let running = startup::start(
        config,
        listener,
        StartOptions {
            clock: Arc::new(SystemClock),
            workers,
            sandbox_profile: Profile::Demo,
            sandbox_access: SandboxAccess::AdminOnly,
            mount_all_simulators: false,
        },
    )
    .await?;
    let empty = {
        let mut conn = running.app.db.write().await?;
        products::list(&mut conn, None).await?.is_empty()
    };
    if empty {
        let app = running.app.clone();
        tokio::spawn(async move {
            match catalog_sync::run(&app, |_, _| {}).await {
                Ok(run) if run.error.is_none() => {
                    tracing::info!(products = run.total, "empty catalogue synced at start")
                }
                Ok(_) => tracing::warn!("catalogue sync at start failed; see /admin/products"),
                Err(e) => tracing::warn!(error = %e, "could not record the start-up sync"),
            }
        });
    }
    println!("Madd Store: {}", running.app.config.public_url);
    running.run_until_signal().await;
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let mut password = String::new();
    if from_stdin || !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_string(&mut password)?;
    } else {
        // No echo-hiding dependency: a seller runs this once on their own machine.
        print!("Password (min. 10 characters): ");
        std::io::stdout().flush()?;
        std::io::stdin().read_line(&mut password)?;
    }
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    if password.chars().count() < 10 {
        bail!("the password must have at least 10 characters");
    }
    if password.len() > crate::web::auth::MAX_PASSWORD_BYTES {
        bail!(
            "the password may have at most {} bytes (the login form refuses longer ones)",
            crate::web::auth::MAX_PASSWORD_BYTES
        );
    }
    Ok(password)
}

async fn admin_create(config: &Config, username: &str, from_stdin: bool) -> anyhow::Result<()> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        bail!("the username may use letters, digits, '.', '_' and '-' (1–64 characters)");
    }
    let password = read_password(from_stdin)?;
    let db = startup::database(config).await?;
    let hash = crate::web::auth::hash_password(password).await?;
    let mut conn = db.write().await?;
    admins::create(
        &mut conn,
        username,
        &hash,
        crate::clock::to_millis(time::OffsetDateTime::now_utc()),
    )
    .await?;
    println!("admin '{username}' saved");
    Ok(())
}

async fn sync(config: Config) -> anyhow::Result<()> {
    if config.uses_sandbox() {
        bail!("the sandbox supplier lives inside a running store; `maddstore demo` syncs it, and `serve` syncs an empty catalogue at start");
    }
    // Bind to an ephemeral port: the store is not served, only built to reach the supplier.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let running = startup::start(
        config,
        listener,
        StartOptions {
            clock: Arc::new(SystemClock),
            workers: 0,
            sandbox_profile: Profile::Demo,
            sandbox_access: SandboxAccess::AdminOnly,
            mount_all_simulators: false,
        },
    )
    .await?;
    let mut last = 0;
    let report = catalog_sync::run(&running.app, |done, total| {
        let pct = done * 100 / total.max(1);
        if pct / 5 != last / 5 || done == total {
            last = pct;
            let bar = "#".repeat(pct / 5);
            eprint!("\r[{bar:<20}] {done}/{total}");
        }
    })
    .await?;
    eprintln!();
    if let Some(e) = &report.error {
        running.stop().await;
        bail!("{e}");
    }
    println!(
        "{} products synced ({} available, {} no longer listed)",
        report.total, report.available, report.marked_unavailable
    );
    running.stop().await;
    Ok(())
}
