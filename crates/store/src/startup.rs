//! Builds the running store from a configuration and a bound listener. Tests use the same path
//! on port 0; `serve` and `demo` on the configured address.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use madd_sandbox::{Profile, Sandbox};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use url::Url;

use crate::app::App;
use crate::clock::Clock;
use crate::config::{Config, WhatsAppChoice};
use crate::db::Db;
use crate::jobs;
use crate::providers::{provider_http, providers, Providers};
use crate::secret::Secret;

pub struct StartOptions {
    pub clock: Arc<dyn Clock>,
    /// Background workers in this process (tests drive jobs by hand with 0).
    pub workers: usize,
    pub sandbox_profile: Profile,
    /// Who may open the sandbox's pages (payment page, inboxes, knobs).
    pub sandbox_access: SandboxAccess,
    /// Mount every simulator, not just those of providers in sandbox mode: for tests that point
    /// a real client (Cloud API, say) at a simulator inside the same store. `serve` and `demo`
    /// never set it.
    pub mount_all_simulators: bool,
}

/// Who may open the sandbox's pages. The simulated provider APIs are always reachable: each is
/// authenticated by its simulated provider's own key, as the real one is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxAccess {
    /// `demo` and tests: anyone (it is a local trial with no real money or messages).
    Open,
    /// `serve`: only a logged-in admin. The pages show every customer's messages and make
    /// payments that the store believes.
    AdminOnly,
}

/// A running store.
pub struct Running {
    pub app: App,
    pub addr: std::net::SocketAddr,
    pub sandbox: Option<Sandbox>,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
    /// Keeps `maddstore restore` off this store's SQLite file while it serves.
    _serving: Option<crate::backup::ServingLock>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops taking requests, lets in-flight requests and jobs finish, then returns.
    /// Stops gracefully: no new connections, in-flight requests answered, each worker finishing
    /// the job in hand — for at most `MADD_SHUTDOWN_GRACE_SECONDS`. What is still running then
    /// is stopped, and this instance's job leases are released, so those jobs run again at once
    /// (in another process, or when this one restarts) instead of after their lease.
    pub async fn stop(mut self) {
        let grace = Duration::from_secs(self.app.config.shutdown_grace_seconds);
        let _ = self.shutdown.send(true);
        let finished = tokio::time::timeout(grace, async {
            let _ = (&mut self.server).await;
            for w in &mut self.workers {
                let _ = w.await;
            }
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                grace_seconds = grace.as_secs(),
                "still busy at the end of the shutdown grace; stopping the rest"
            );
            // The workers go first, and are waited for: a job cut off must not instead end by
            // seeing the server's connections close under it (the sandbox answers from this
            // very server) and record that as its outcome.
            for w in &self.workers {
                w.abort();
            }
            for w in &mut self.workers {
                let _ = w.await;
            }
            if let Err(e) =
                crate::jobs::queue::release_leases_of(&self.app, &self.app.config.instance).await
            {
                tracing::error!(error = %e, "could not release this instance's job leases");
            }
            self.server.abort();
        }
        self.app.db.close().await;
    }

    /// Stops at once, as a crash or `kill -9` would: in-flight requests and jobs are dropped
    /// wherever they are (for tests of what a restart recovers).
    pub fn kill(self) {
        self.server.abort();
        for w in &self.workers {
            w.abort();
        }
    }

    /// Waits until the server stops (ctrl-c or SIGTERM), then shuts down gracefully.
    pub async fn run_until_signal(self) {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.stop().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn join(base: &str, path: &str) -> anyhow::Result<Url> {
    Url::parse(&format!("{}{}", base.trim_end_matches('/'), path))
        .with_context(|| format!("bad URL {base}{path}"))
}

/// Connects to the database and applies migrations.
pub async fn database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect_with(&config.database_url, config.database_pool)
        .await
        .with_context(|| "connecting to the database (MADD_DATABASE_URL)")?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

/// Starts the store on `listener`: HTTP server, sandbox (when any provider is the sandbox) and
/// background workers.
pub async fn start(
    mut config: Config,
    listener: TcpListener,
    options: StartOptions,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    config.use_bound_address(addr);
    let serving = crate::backup::ServingLock::take(&config.database_url)?;
    // Counting starts with the process, before the first scrape.
    crate::telemetry::handle();
    let local = format!("http://{addr}");
    let http = provider_http()?;

    let simulators = if options.mount_all_simulators {
        madd_sandbox::Simulators::ALL
    } else {
        config.simulators()
    };
    let sandbox = if simulators.any() {
        Some(sandbox_for(&mut config, options.sandbox_profile, &local)?)
    } else {
        None
    };

    let Providers {
        suppliers,
        payment,
        rails,
        messenger,
    } = providers(&config, &http);

    let h2h_rate = config.h2h.rate_per_minute;
    let db = database(&config).await?;
    let (order_writer, order_queue) = crate::service::order_writer::handle::OrderWriter::new();
    let app = App::new(crate::app::Parts {
        config: Arc::new(config),
        db,
        clock: options.clock,
        suppliers,
        payment,
        rails,
        payments_shown: Arc::default(),
        messenger,
        wake: Arc::default(),
        answers: Arc::new(Notify::new()),
        passwords: Arc::new(
            crate::passwords::PasswordPool::new(
                crate::passwords::PasswordPool::THREADS,
                crate::passwords::PasswordPool::QUEUE,
            )
            .context("starting the password threads")?,
        ),
        login_limiter: Arc::new(crate::web::auth::login_limiter()),
        // A bot's bursts are normal: a quarter of the minute's allowance at once.
        h2h_limiter: Arc::new(crate::web::ratelimit::RateLimiter::with_burst(
            h2h_rate,
            (h2h_rate / 4).max(1),
        )),
        catalogue: Arc::default(),
        order_writer,
        workers: Arc::default(),
    });

    jobs::registry::schedule_periodic(&app)
        .await
        .context("queueing the periodic jobs")?;
    let mut router = crate::web::router(app.clone());
    if let Some(s) = &sandbox {
        let mut simulated = s.router_for(simulators);
        if options.sandbox_access == SandboxAccess::AdminOnly {
            simulated = simulated.layer(axum::middleware::from_fn_with_state(
                app.clone(),
                sandbox_gate,
            ));
        }
        router = router.nest("/sandbox", simulated);
    }
    let (shutdown, rx) = watch::channel(false);
    let server = serve(listener, router, rx.clone());
    let workers = spawn_workers(&app, options.workers, order_queue, &rx).await?;
    tracing::info!(%addr, sandbox = sandbox.is_some(), "madd store listening");
    Ok(Running {
        app,
        addr,
        sandbox,
        shutdown,
        server,
        workers,
        _serving: serving,
    })
}

/// The simulators, and `config` pointed at those of the providers it simulates.
fn sandbox_for(config: &mut Config, profile: Profile, local: &str) -> anyhow::Result<Sandbox> {
    // The simulated Trakteer signs its webhooks with the store's token only while payments
    // are simulated; next to real Trakteer it gets a throwaway one, so nothing it sends is
    // ever believed (and it is not mounted anyway).
    let simulated_token = if config.simulates_rail(madd_domain::RailId::Trakteer) {
        if config.trakteer.webhook_token.is_empty() {
            config.trakteer.webhook_token = Secret::new(crate::web::auth::random_token());
        }
        config.trakteer.webhook_token.clone()
    } else {
        Secret::new(crate::web::auth::random_token())
    };
    let mut sandbox = Sandbox::new(
        profile,
        local,
        config.public_url.as_str(),
        simulated_token.expose(),
    );
    if config.simulates_rail(madd_domain::RailId::Midtrans) {
        config.midtrans.api_url = join(local, "/sandbox/midtrans/")?;
        config.midtrans.server_key = Secret::new(sandbox.midtrans.config().server_key.clone());
    }
    if config.simulates_rail(madd_domain::RailId::Tripay) {
        let t = sandbox.tripay.config();
        config.tripay.api_url = join(local, "/sandbox/tripay/api-sandbox/")?;
        config.tripay.api_key = Secret::new(t.api_key.clone());
        config.tripay.private_key = Secret::new(t.private_key.clone());
        config.tripay.merchant_code = t.merchant_code.clone();
    }
    if config.simulates(madd_domain::SupplierId::Digiflazz) {
        let d = sandbox.digiflazz.config();
        config.digiflazz.api_url = join(local, "/sandbox/digiflazz/v1")?;
        config.digiflazz.username = d.username.clone();
        config.digiflazz.api_key = Secret::new(d.api_key.clone());
        config.digiflazz.webhook_secret = Secret::new(d.webhook_secret.clone());
        config.digiflazz.testing = d.api_key.starts_with("dev-");
    }
    if config.simulates(madd_domain::SupplierId::VipReseller) {
        let vip = sandbox.vip.config();
        config.vip.api_url = join(local, "/sandbox/vip-reseller/api")?;
        config.vip.api_id = vip.api_id.clone();
        config.vip.api_key = Secret::new(vip.api_key.clone());
        config.vip.price_tier = vip.level.parse().unwrap_or(config.vip.price_tier);
    }
    if config.simulates_rail(madd_domain::RailId::Trakteer) {
        let t = sandbox.trakteer.config();
        // The customer's browser opens pay links, so they use the public URL.
        config.trakteer.page_url = join(
            config.public_url.as_ref(),
            &format!("/sandbox/trakteer/{}", t.page),
        )?;
        config.trakteer.unit_price = madd_domain::Rupiah::new(t.unit_price);
        config.trakteer.api_url = join(local, "/sandbox/trakteer/api/v1/public/")?;
        config.trakteer.api_key = Secret::new(t.api_key.clone());
    }
    if config.whatsapp.gateway == WhatsAppChoice::Sandbox {
        simulate_whatsapp(config, &mut sandbox, local)?;
    }
    Ok(sandbox)
}

fn simulate_whatsapp(
    config: &mut Config,
    sandbox: &mut Sandbox,
    local: &str,
) -> anyhow::Result<()> {
    let mut w = sandbox.whatsapp.config().clone();
    if !config.all_sandbox() {
        // Beside real money the simulator's published credentials would let anyone
        // sign a "customer's" message (spend their saldo) or the seller's `tutup`:
        // this process makes its own, known only to it and its simulator.
        w.app_secret = crate::web::auth::random_token();
        w.cloud_token = crate::web::auth::random_token();
        w.fonnte_token = crate::web::auth::random_token();
    }
    config.whatsapp.api_url = join(local, "/sandbox/whatsapp/fonnte")?;
    config.whatsapp.token = Secret::new(w.fonnte_token.clone());
    config.whatsapp.app_secret = Secret::new(w.app_secret.clone());
    // Customer messages typed in the inbox reach the store as signed Cloud webhooks by
    // default, or through Fonnte's (secret path) when the form asks; once each.
    if config.whatsapp.fonnte_webhook_secret.is_empty() {
        config.whatsapp.fonnte_webhook_secret = Secret::new(crate::web::auth::random_token());
    }
    let mut wa = w.clone();
    wa.fonnte_webhook_url = Some(format!(
        "{local}/webhooks/fonnte/{}",
        config.whatsapp.fonnte_webhook_secret.expose()
    ));
    sandbox.whatsapp = madd_sandbox::whatsapp::WhatsAppSim::new(wa);
    sandbox
        .whatsapp
        .set_inbound_gateway(Some(madd_sandbox::whatsapp::Gateway::Cloud));
    Ok(())
}

/// The HTTP server, until `stop` turns true (then it lets requests in flight finish).
fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stop| *stop).await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "server stopped with an error");
        }
    })
}

/// The background tasks: the catalogue snapshot, telemetry upkeep, the order writer, and
/// `count` job workers per lane.
async fn spawn_workers(
    app: &App,
    count: usize,
    order_queue: crate::service::order_writer::handle::Queue,
    rx: &watch::Receiver<bool>,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let mut workers = vec![
        tokio::spawn(crate::service::catalogue_snapshot::watch(
            app.clone(),
            rx.clone(),
        )),
        tokio::spawn(crate::telemetry::upkeep(rx.clone())),
        tokio::spawn(crate::service::order_writer::run(
            app.clone(),
            order_queue,
            rx.clone(),
        )),
    ];
    if count > 0 {
        // Only a process that runs workers can have held leases in an earlier life.
        jobs::queue::release_leases_of(app, &app.config.instance)
            .await
            .context("releasing the job leases of this instance's previous run")?;
    }
    for lane in jobs::queue::Lane::ALL {
        for i in 0..lane.workers(count) {
            let name = jobs::queue::worker_name(&app.config.instance, lane, i);
            workers.push(tokio::spawn(jobs::runner::worker(
                app.clone(),
                &jobs::registry::REGISTRY,
                name,
                lane,
                rx.clone(),
            )));
        }
    }
    Ok(workers)
}

/// Outside the demo, the sandbox's pages need an admin session; its provider APIs do not.
async fn sandbox_gate(
    state: axum::extract::State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if madd_sandbox::is_provider_api(request.uri().path()) {
        return next.run(request).await;
    }
    crate::web::auth::require_admin(state, request, next).await
}
