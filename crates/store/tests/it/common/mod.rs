//! The integration-test harness: a real store on a random port, on a fresh database (SQLite file
//! or a new PostgreSQL database), with the sandbox providers and a clock the test moves.
//!
//! PostgreSQL: `MADD_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! names a server where the test may create databases; each test gets its own. Set
//! `MADD_TEST_POSTGRES=skip` to run the SQLite half alone on a machine without PostgreSQL.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use madd_sandbox::{Profile, Sandbox};
use maddstore::app::App;
use maddstore::clock::{Clock, ManualClock};
use maddstore::config::Config;
use maddstore::db::orders::Order;
use maddstore::startup::{self, Running, StartOptions};
use serde_json::Value;
use sqlx::Connection;
use time::OffsetDateTime;

pub const SELLER: &str = "6281200000001";
pub const CUSTOMER: &str = "6281234567890";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both_backends!(name, |store| async move { … })` makes
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run($crate::common::Backend::Sqlite, |_| {}, $body).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run($crate::common::Backend::Postgres, |_| {}, $body).await;
            }
        }
    };
    ($name:ident, $tweak:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run($crate::common::Backend::Sqlite, $tweak, $body).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run($crate::common::Backend::Postgres, $tweak, $body).await;
            }
        }
    };
}

/// A store whose nickname lookups are not rate-limited: tests that race many checkouts from one
/// client would otherwise be refused by the per-client lookup limit.
pub fn unlimited_lookups(env: &mut std::collections::BTreeMap<String, String>) {
    env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
}

/// Whether this backend's half is skipped (`MADD_TEST_POSTGRES=skip` on a machine without
/// PostgreSQL).
pub fn skip(backend: Backend) -> bool {
    if backend == Backend::Postgres && std::env::var("MADD_TEST_POSTGRES").as_deref() == Ok("skip")
    {
        eprintln!("MADD_TEST_POSTGRES=skip: PostgreSQL half not run");
        return true;
    }
    false
}

pub async fn run<F, Fut>(
    backend: Backend,
    tweak: impl FnOnce(&mut BTreeMap<String, String>),
    body: F,
) where
    F: FnOnce(TestStore) -> Fut,
    Fut: std::future::Future<Output = TestStore>,
{
    if skip(backend) {
        return;
    }
    let store = TestStore::start(backend, tweak).await;
    let store = body(store).await;
    store.stop().await;
}

pub struct TestStore {
    pub database_url: String,
    pub running: Option<Running>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    Nothing,
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

/// A fresh name for a test database or file: `madd_t_<pid>_<random>`, so a later run can tell a
/// dead run's leftovers (its process is gone) from a live run's databases.
pub fn random_name() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("madd_t_{}_{n:016x}", std::process::id())
}

/// The process that made a test database, from its name; `None` for a name without one.
fn owner_pid(name: &str) -> Option<u32> {
    name.strip_prefix("madd_t_")?
        .split('_')
        .next()?
        .parse()
        .ok()
}

/// A database migrated once per run, copied for each test (`CREATE DATABASE … TEMPLATE` on
/// PostgreSQL, a file copy on SQLite) instead of running every migration per test.
static SQLITE_TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> =
    tokio::sync::OnceCell::const_new();
static POSTGRES_TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

pub async fn sqlite_template() -> &'static std::path::Path {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let path = std::env::temp_dir().join(format!("{}-template.db", random_name()));
            let db = maddstore::db::Db::connect(&format!("sqlite://{}", path.display()))
                .await
                .expect("template database");
            db.migrate().await.expect("migrate the template");
            // Closing the last connection checkpoints the WAL into the file and removes it.
            db.close().await;
            path
        })
        .await
}

pub async fn postgres_template(admin: &mut sqlx::AnyConnection, admin_url: &str) -> &'static str {
    POSTGRES_TEMPLATE
        .get_or_init(|| async {
            sweep_postgres(admin).await;
            let name = format!("{}_template", random_name());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut *admin)
                .await
                .expect("create the template database");
            let db = maddstore::db::Db::connect(&database_url(admin_url, &name))
                .await
                .expect("template database");
            db.migrate().await.expect("migrate the template");
            db.close().await;
            name
        })
        .await
}

/// Drops the test databases of runs whose process is gone (a run killed before its tests
/// could clean up), and those named before names carried the process id.
pub async fn sweep_postgres(admin: &mut sqlx::AnyConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(datname AS TEXT) FROM pg_database WHERE datname LIKE 'madd\\_t\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for name in names {
        let alive = owner_pid(&name)
            .is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}

pub fn database_url(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("postgres url");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub fn postgres_admin_url() -> String {
    std::env::var("MADD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestStore {
    pub async fn start(
        backend: Backend,
        tweak: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> TestStore {
        TestStore::start_with(backend, tweak, startup::SandboxAccess::Open).await
    }

    /// Like [`TestStore::start`], choosing who may open the sandbox's pages (`serve` keeps them
    /// for admins).
    pub async fn start_with(
        backend: Backend,
        tweak: impl FnOnce(&mut BTreeMap<String, String>),
        sandbox_access: startup::SandboxAccess,
    ) -> TestStore {
        let (database_url, cleanup) = TestStore::fresh_database(backend).await;
        TestStore::launch(backend, database_url, cleanup, tweak, sandbox_access).await
    }

    /// Stops this store as `kill -9` would (nothing finishes) and starts a new one on the same
    /// database, configured by `tweak` — what a crashed store's restart finds.
    pub async fn kill_and_restart(
        mut self,
        tweak: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> TestStore {
        self.running.take().unwrap().kill();
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::Nothing);
        let url = self.database_url.clone();
        TestStore::launch(
            self.backend,
            url,
            cleanup,
            tweak,
            startup::SandboxAccess::Open,
        )
        .await
    }

    async fn fresh_database(backend: Backend) -> (String, Cleanup) {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let template = sqlite_template().await;
                let path = std::env::temp_dir().join(format!("{}.db", random_name()));
                std::fs::copy(template, &path).expect("copy the template database");
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = random_name();
                let mut conn = sqlx::AnyConnection::connect(&admin_url)
                    .await
                    .expect("PostgreSQL must run for the test suite (MADD_TEST_POSTGRES_URL; MADD_TEST_POSTGRES=skip to skip)");
                let template = postgres_template(&mut conn, &admin_url).await;
                sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                (
                    database_url(&admin_url, &name),
                    Cleanup::Database { admin_url, name },
                )
            }
        }
    }

    async fn launch(
        backend: Backend,
        database_url: String,
        cleanup: Cleanup,
        tweak: impl FnOnce(&mut BTreeMap<String, String>),
        sandbox_access: startup::SandboxAccess,
    ) -> TestStore {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().unwrap();
        let mut env = BTreeMap::new();
        env.insert("MADD_DATABASE_URL".to_string(), database_url);
        env.insert("MADD_LISTEN".to_string(), addr.to_string());
        env.insert("MADD_SELLER_WHATSAPP".to_string(), SELLER.to_string());
        // The tests follow every message; the seller's default hears only of paid orders.
        env.insert("MADD_SELLER_NOTICE".to_string(), "all".to_string());
        // Most tests follow a failed order to the seller's hand refund; saldo tests opt in.
        env.insert("MADD_FAILED_REFUND".to_string(), "manual".to_string());
        // One simulated supplier unless a test asks for both (failover changes who fails).
        env.insert("MADD_SUPPLIER".to_string(), "sandbox".to_string());
        env.insert("MADD_SUPPLIERS".to_string(), "vip-reseller".to_string());
        tweak(&mut env);
        // `{base}` in a tweaked value is this store's own address (to point a "real" provider
        // client at the sandbox mounted in the same store).
        for value in env.values_mut() {
            *value = value.replace("{base}", &format!("http://{addr}"));
        }
        let database_url = env["MADD_DATABASE_URL"].clone();
        // A test that points a real provider client at this store's own simulator needs that
        // simulator mounted although its provider is not in sandbox mode.
        let mount_all_simulators = env.values().any(|v| v.contains("/sandbox/"));
        let config = Config::from_sources(None, &env).expect("test config");
        let clock = ManualClock::new(OffsetDateTime::now_utc());
        let running = startup::start(
            config,
            listener,
            StartOptions {
                clock: Arc::new(clock.clone()) as Arc<dyn Clock>,
                workers: 1,
                sandbox_profile: Profile::Tests,
                sandbox_access,
                mount_all_simulators,
            },
        )
        .await
        .expect("store starts");
        let store = TestStore {
            database_url,
            running: Some(running),
            clock,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            backend,
            cleanup,
        };
        maddstore::service::catalog::sync(store.app(), |_, _| {})
            .await
            .expect("catalogue sync");
        store
    }

    pub fn app(&self) -> &App {
        &self.running.as_ref().unwrap().app
    }

    pub fn sandbox(&self) -> &Sandbox {
        self.running
            .as_ref()
            .unwrap()
            .sandbox
            .as_ref()
            .expect("sandbox")
    }

    pub fn url(&self, path: &str) -> String {
        self.running.as_ref().unwrap().url(path)
    }

    /// Runs every job that is due (here and in the background worker) until none is left.
    pub async fn settle(&self) {
        for _ in 0..2_000 {
            maddstore::jobs::registry::drain(self.app())
                .await
                .expect("drain");
            let now = self.app().now_ms();
            let mut conn = self.app().db.write().await.unwrap();
            let due: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE state = 'pending' AND run_at <= $1")
                .bind(now)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            drop(conn);
            if due == 0 {
                // Webhooks and callbacks the sandbox sends are in flight on other tasks.
                self.sandbox().trakteer.wait_all_delivered().await;
                self.sandbox().digiflazz.wait_all_delivered().await;
                self.sandbox().vip.wait_all_delivered().await;
                self.sandbox().midtrans.wait_notifications().await;
                self.sandbox().tripay.wait_callbacks().await;
                let mut conn = self.app().db.write().await.unwrap();
                let due: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE state = 'pending' AND run_at <= $1")
                    .bind(self.app().now_ms())
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                if due == 0 {
                    return;
                }
                continue;
            }
            // A job leased by the background worker is still running.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("jobs did not settle");
    }

    /// Moves the clock (retries and expiries come due) and runs what came due.
    pub async fn advance(&self, by: time::Duration) {
        self.clock.advance(by);
        self.settle().await;
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POSTs a JSON text with an `Idempotency-Key`.
    pub async fn post_json_with_key(&self, path: &str, key: &str, body: String) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Creates an order through the API and returns its JSON.
    pub async fn order(&self, product: &str, target: &str, zone: Option<&str>) -> Value {
        let (status, body) = self
            .post_json(
                "/api/v1/orders",
                serde_json::json!({"product": product, "target": target, "zone": zone, "whatsapp": "0812-3456-7890"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        self.settle().await;
        body
    }

    pub async fn order_row(&self, code: &str) -> Order {
        maddstore::service::orders::get(self.app(), code)
            .await
            .expect("order exists")
    }

    /// Orders the game product `product` for the demo's Mobile Legends account (123456780, zone
    /// 2345) from `whatsapp`, with `voucher` (`""`: none); the answer's status and body.
    pub async fn buy(&self, product: &str, whatsapp: &str, voucher: &str) -> (u16, Value) {
        self.post_json(
            "/api/v1/orders",
            serde_json::json!({"product": product, "target": "123456780", "zone": "2345",
                               "whatsapp": whatsapp, "voucher": voucher}),
        )
        .await
    }

    /// Creates the voucher `code` taking `amount` off, valid from yesterday for 30 days, any
    /// product, no use limits, allowed below cost; `tweak` changes what a test needs.
    pub async fn voucher(
        &self,
        code: &str,
        amount: madd_domain::voucher::Amount,
        tweak: impl FnOnce(&mut madd_domain::voucher::Voucher),
    ) {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        let now = self.app().now_ms();
        let mut v = madd_domain::voucher::Voucher {
            code: code.into(),
            amount,
            min_purchase: madd_domain::Rupiah::ZERO,
            scope: madd_domain::voucher::Scope::All,
            starts_at: now - DAY,
            ends_at: now + 30 * DAY,
            total_uses: None,
            per_number: None,
            first_order_only: false,
            below_cost: true,
            active: true,
        };
        tweak(&mut v);
        maddstore::service::vouchers::create(self.app(), v, "admin:test")
            .await
            .unwrap();
    }

    /// Pays `quantity` units on the sandbox Trakteer with `message`, and waits for the webhook.
    pub async fn pay(&self, quantity: i64, message: &str) -> madd_sandbox::trakteer::Support {
        let support = self
            .sandbox()
            .trakteer
            .pay(madd_sandbox::trakteer::PayRequest {
                quantity,
                display_name: "Budi".into(),
                message: message.into(),
                method: "qris".into(),
                email: None,
            })
            .expect("sandbox payment");
        self.sandbox()
            .trakteer
            .wait_delivered(&support.transaction_id)
            .await;
        self.settle().await;
        support
    }

    /// Messages the sandbox gateway accepted for `number`.
    pub fn inbox(&self, number: &str) -> Vec<madd_sandbox::whatsapp::SentMessage> {
        self.sandbox().whatsapp.messages_to(number)
    }

    /// Logs in as a fresh admin and returns (session cookie, csrf token).
    pub async fn admin_login(&self) -> (String, String) {
        let hash = maddstore::web::auth::hash_password("rahasia-admin-123".into())
            .await
            .unwrap();
        let mut conn = self.app().db.write().await.unwrap();
        maddstore::db::admins::create(&mut conn, "seller", &hash, self.app().now_ms())
            .await
            .unwrap();
        drop(conn);
        let form = self
            .http
            .get(self.url("/admin/login"))
            .send()
            .await
            .unwrap();
        let login_cookie = form
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("madd_login_csrf="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("login csrf cookie");
        let token = login_cookie
            .trim_start_matches("madd_login_csrf=")
            .to_string();
        let r = self
            .http
            .post(self.url("/admin/login"))
            .header("cookie", &login_cookie)
            .form(&[
                ("username", "seller"),
                ("password", "rahasia-admin-123"),
                ("csrf_token", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "login redirects");
        let session = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("madd_session="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("session cookie");
        let page = self
            .http
            .get(self.url("/admin"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        let csrf = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf token on the dashboard")
            .to_string();
        (session, csrf)
    }

    pub async fn process(&self, session: &str, csrf: &str, code: &str) -> u16 {
        self.http
            .post(self.url(&format!("/admin/orders/{code}/process")))
            .header("cookie", session)
            .form(&[("csrf_token", csrf)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Puts `amount` into `owner`'s saldo as the seller would by hand (tests that start from a
    /// balance).
    pub async fn credit_saldo(&self, owner: &madd_domain::PhoneNumber, amount: i64) {
        use maddstore::db::wallets::{self, EntryKind, Moved, Movement};
        let mut tx = self.app().db.begin().await.unwrap();
        let moved = wallets::apply(
            &mut tx,
            &Movement {
                owner,
                amount: madd_domain::Rupiah::new(amount),
                kind: EntryKind::Manual,
                order_id: None,
                note: "test",
                actor: "admin:seller",
            },
            self.app().now_ms(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(moved, Moved::Done(_)), "{moved:?}");
    }

    /// Signs `number` in through the API (the code read from the sandbox inbox); the session
    /// token, for `Authorization: Bearer` or the `madd_customer` cookie.
    pub async fn sign_in(&self, number: &str) -> String {
        let (status, _) = self
            .post_json("/api/v1/otp", serde_json::json!({"whatsapp": number}))
            .await;
        assert_eq!(status, 202);
        self.settle().await;
        let code = self
            .inbox(number)
            .iter()
            .rev()
            .find(|m| m.body.starts_with("Kode masuk"))
            .and_then(|m| m.body.split('*').nth(1).map(str::to_owned))
            .expect("a sign-in code in the inbox");
        let (status, body) = self
            .post_json(
                "/api/v1/session",
                serde_json::json!({"whatsapp": number, "code": code}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let mut conn = self.app().db.write().await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        std::mem::replace(&mut self.cleanup, Cleanup::Nothing)
            .run()
            .await;
    }
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::Nothing => {}
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            }
        }
    }
}

/// A test that panics never reaches `stop`: its database goes when its store is dropped (on a
/// thread of its own, since the test's runtime may be unwinding).
impl Drop for TestStore {
    fn drop(&mut self) {
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::Nothing);
        if matches!(cleanup, Cleanup::Nothing) {
            return;
        }
        if let Some(r) = self.running.take() {
            r.kill();
        }
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(cleanup.run());
            }
        })
        .join();
    }
}
