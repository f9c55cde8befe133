//! `cargo bench -p maddstore --bench throughput`: how fast the store takes orders and payments.
//!
//! Starts a real store (sandbox providers, zero simulated delays) on a fresh database — SQLite, and
//! PostgreSQL when `MADD_TEST_POSTGRES_URL` (or the default local server) answers — and measures,
//! over HTTP on loopback:
//! - order creation through `POST /api/v1/orders` (nickname cached after the first lookup),
//! - Trakteer webhook handling (`POST /webhooks/trakteer`, each a new transaction settling an order),
//! - the job runner draining the resulting outbox and follow-up jobs.
//!
//! Prints requests per second and latency percentiles; compare the figures between runs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use madd_sandbox::Profile;
use maddstore::clock::SystemClock;
use maddstore::config::Config;
use maddstore::startup::{self, StartOptions};
use sqlx::Connection;

const ORDERS: usize = 300;
const CONCURRENCY: usize = 8;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, total: Duration, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "  {name:<28} {:>8.1} req/s   p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms   ({} requests)",
        samples.len() as f64 / total.as_secs_f64(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}

async fn run(label: &str, database_url: String) {
    let running = start_store(database_url).await;
    let http = reqwest::Client::new();
    let base = running.url("");
    println!("{label}");

    let body = serde_json::json!({"product": "ML86-S1", "target": "123456780", "zone": "2345", "whatsapp": "081234567890"});
    warm_up(&running, &http, &base, &body).await;

    let start = Instant::now();
    let (samples, codes) = create_orders(&http, &base, &body).await;
    report("create order", start.elapsed(), samples);

    let token = running
        .app
        .config
        .trakteer
        .webhook_token
        .expose()
        .to_string();
    let start = Instant::now();
    let samples = pay_orders(&http, &base, &token, &codes).await;
    report("trakteer webhook (settle)", start.elapsed(), samples);

    let start = Instant::now();
    let jobs = maddstore::jobs::registry::drain(&running.app)
        .await
        .unwrap();
    let took = start.elapsed();
    println!(
        "  {:<28} {:>8.1} jobs/s   ({jobs} jobs: outbox sends through the sandbox gateway)",
        "job runner drain",
        jobs as f64 / took.as_secs_f64()
    );
    running.stop().await;
}

/// A store on `database_url` with the sandbox's catalogue and no background workers (the
/// benchmark drains the jobs itself, to time them).
async fn start_store(database_url: String) -> startup::Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut env = BTreeMap::new();
    env.insert("MADD_DATABASE_URL".to_string(), database_url);
    env.insert(
        "MADD_LISTEN".to_string(),
        listener.local_addr().unwrap().to_string(),
    );
    env.insert(
        "MADD_SELLER_WHATSAPP".to_string(),
        "6281200000001".to_string(),
    );
    // The benchmark is one client making hundreds of orders: no per-client limit.
    env.insert("MADD_LOOKUP_RATE_PER_MINUTE".to_string(), "0".to_string());
    let config = Config::from_sources(None, &env).unwrap();
    let running = startup::start(
        config,
        listener,
        StartOptions {
            clock: Arc::new(SystemClock),
            workers: 0,
            sandbox_profile: Profile::Tests,
            sandbox_access: startup::SandboxAccess::Open,
            mount_all_simulators: false,
        },
    )
    .await
    .unwrap();
    maddstore::service::catalog::sync(&running.app, |_, _| {})
        .await
        .unwrap();
    running
}

/// Warms the nickname cache: the first lookup needs a worker, so one order is made while the
/// jobs are drained beside it.
async fn warm_up(
    running: &startup::Running,
    http: &reqwest::Client,
    base: &str,
    body: &serde_json::Value,
) {
    let warm = {
        let app = running.app.clone();
        tokio::spawn(async move {
            for _ in 0..200 {
                if maddstore::jobs::registry::drain(&app).await.unwrap() > 0 {
                    break;
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let r = http
        .post(format!("{base}/api/v1/orders"))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    warm.await.unwrap();
}

/// `ORDERS` orders from `CONCURRENCY` clients at once: each request's latency, and the codes.
async fn create_orders(
    http: &reqwest::Client,
    base: &str,
    body: &serde_json::Value,
) -> (Vec<Duration>, Vec<String>) {
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let http = http.clone();
        let base = base.to_string();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut codes = Vec::new();
            for _ in (worker..ORDERS).step_by(CONCURRENCY) {
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/orders"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201);
                let v: serde_json::Value = r.json().await.unwrap();
                samples.push(t.elapsed());
                codes.push(v["code"].as_str().unwrap().to_string());
            }
            (samples, codes)
        }));
    }
    let mut samples = Vec::new();
    let mut codes = Vec::new();
    for t in tasks {
        let (s, c) = t.await.unwrap();
        samples.extend(s);
        codes.extend(c);
    }
    (samples, codes)
}

/// One Trakteer webhook per order, `CONCURRENCY` at once: each request's latency.
async fn pay_orders(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    codes: &[String],
) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for chunk in codes.chunks(codes.len().div_ceil(CONCURRENCY)) {
        let http = http.clone();
        let base = base.to_string();
        let token = token.to_string();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            for code in chunk {
                let body = serde_json::json!({
                    "transaction_id": format!("bench-{code}"), "type": "tip", "supporter_name": "Bench",
                    "supporter_message": code, "media": null, "unit": "Koin", "quantity": "22",
                    "price": 22000, "net_amount": 20727,
                });
                let t = Instant::now();
                let r = http.post(format!("{base}/webhooks/trakteer")).header("x-webhook-token", &token).json(&body).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 200);
                samples.push(t.elapsed());
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for t in tasks {
        samples.extend(t.await.unwrap());
    }
    samples
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("madd-bench-{}.db", std::process::id()));
        run(
            "SQLite (one connection, WAL)",
            format!("sqlite://{}", dir.display()),
        )
        .await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", dir.display()));
        }
        sqlx::any::install_default_drivers();
        let admin = std::env::var("MADD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match sqlx::AnyConnection::connect(&admin).await {
            Ok(mut conn) => {
                let name = format!("madd_bench_{}", std::process::id());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                run("PostgreSQL (pool of 10)", url.to_string()).await;
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
            Err(e) => println!("PostgreSQL not reachable ({e}); skipped"),
        }
    });
}
