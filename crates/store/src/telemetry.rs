//! Prometheus metrics: `GET /metrics`, behind `MADD_METRICS_TOKEN` (`Authorization: Bearer …`;
//! without a token configured the route answers 404, so it is never public by accident).
//!
//! What is counted as it happens: every request by route pattern (never the raw path, which can
//! carry a secret), method and status, with its latency; webhooks refused (401/403). What is read
//! from the database at each scrape, so every process sharing it reports the same: orders by
//! status, jobs by kind and state, the oldest due job's wait, the WhatsApp outbox, the supplier
//! balance and the last catalogue sync.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::Row;

use crate::app::App;
use crate::db::DbResult;

/// Latency buckets, in seconds: a page is milliseconds, a supplier-bound wait is seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's recorder, installed on first use (one per process, whatever number of stores
/// a test starts in it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "a metrics recorder was installed already; /metrics shows only what this one sees"
            );
        }
        handle
    })
}

/// Runs until `shutdown`: drains the histograms' recorded samples into their buckets every
/// second. The exporter keeps every sample until then, so without this a store nobody scrapes
/// would grow with every request.
pub async fn upkeep(mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let handle = handle();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => handle.run_upkeep(),
            _ = shutdown.changed() => return,
        }
    }
}

/// Middleware: counts and times every request by its route pattern.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    metrics::counter!(
        "madd_http_requests_total",
        "route" => route.clone(),
        "method" => method,
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("madd_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    if route.starts_with("/webhooks/") && matches!(status, 401 | 403) {
        metrics::counter!("madd_webhooks_refused_total", "route" => route).increment(1);
    }
    response
}

/// Sets the gauges read from the database, then renders every series.
pub async fn render(app: &App) -> DbResult<String> {
    // Gauges are the process's: one scrape sets and renders them at a time (tests run several
    // stores in one process).
    static ONE_SCRAPE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one = ONE_SCRAPE.lock().await;
    let now = app.now_ms();
    metrics::gauge!("madd_order_cache_entries").set(app.db.order_cache.len() as f64);
    let mut conn = app.db.read().await?;
    for status in madd_domain::OrderStatus::ALL {
        metrics::gauge!("madd_orders", "status" => status.as_str()).set(0.0);
    }
    for row in
        sqlx::query("SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM orders GROUP BY status")
            .fetch_all(&mut *conn)
            .await?
    {
        let status: String = row.try_get("status")?;
        let n: i64 = row.try_get("n")?;
        metrics::gauge!("madd_orders", "status" => status).set(n as f64);
    }
    for kind in crate::jobs::kind::JobKind::ALL {
        for state in ["pending", "running", "dead"] {
            metrics::gauge!("madd_jobs", "kind" => kind.as_str(), "state" => state).set(0.0);
        }
    }
    for row in sqlx::query(
        "SELECT kind, CASE WHEN state = 'pending' AND locked_until IS NOT NULL AND locked_until > $1 \
         THEN 'running' ELSE state END AS st, CAST(COUNT(*) AS BIGINT) AS n \
         FROM jobs WHERE state <> 'done' GROUP BY kind, st",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?
    {
        let kind: String = row.try_get("kind")?;
        let state: String = row.try_get("st")?;
        let n: i64 = row.try_get("n")?;
        metrics::gauge!("madd_jobs", "kind" => kind, "state" => state).set(n as f64);
    }
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(run_at) FROM jobs WHERE state = 'pending' AND run_at <= $1 \
         AND (locked_until IS NULL OR locked_until <= $1)",
    )
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    metrics::gauge!("madd_job_oldest_due_seconds")
        .set(oldest.map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0));
    for (state, name) in [
        ("queued", "madd_outbox_queued"),
        ("failed", "madd_messages_failed"),
    ] {
        let n: i64 =
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = $1")
                .bind(state)
                .fetch_one(&mut *conn)
                .await?;
        metrics::gauge!(name).set(n as f64);
    }
    for supplier in madd_domain::SupplierId::ALL {
        if let Some((_, balance)) =
            crate::db::supplier_account::last_known_balance(&mut conn, supplier).await?
        {
            metrics::gauge!("madd_supplier_balance_rupiah", "supplier" => supplier.as_str())
                .set(balance.amount() as f64);
        }
    }
    if let Some(run) = crate::db::catalogue_syncs::last_sync(&mut conn).await? {
        metrics::gauge!("madd_catalogue_last_sync_timestamp_seconds")
            .set(run.finished_at as f64 / 1000.0);
    }
    drop(conn);
    let handle = handle();
    handle.run_upkeep();
    Ok(handle.render())
}
