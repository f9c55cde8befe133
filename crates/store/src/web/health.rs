//! What the machine that runs the store asks (systemd, a load balancer, a monitor):
//! `/healthz` says the process answers; `/readyz` says it can do its work — the database
//! answers with every migration applied, and every job worker started is still running;
//! `/metrics` is Prometheus's (see `crate::telemetry`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::app::App;

pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

pub(crate) async fn readyz(State(app): State<App>) -> Response {
    let database = match app.db.migrations().await {
        Ok((applied, known)) if applied >= known => "ok".to_string(),
        Ok((applied, known)) => format!("{applied} of {known} migrations applied"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            "unreachable".to_string()
        }
    };
    let (started, running) = app.workers.counts();
    let workers = if running == started {
        "ok".to_string()
    } else {
        format!("{running} of {started} running")
    };
    let ready = database == "ok" && workers == "ok";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "ready": ready,
            "database": database,
            "workers": workers,
            "workers_running": running,
        })),
    )
        .into_response()
}

/// `GET /metrics`: Prometheus text, for a holder of `MADD_METRICS_TOKEN` only; without a token
/// configured the route does not exist (404).
pub(crate) async fn metrics(State(app): State<App>, headers: axum::http::HeaderMap) -> Response {
    let token = &app.config.metrics_token;
    if token.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let offered = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !token.matches(offered) {
        return (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    match crate::telemetry::render(&app).await {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => crate::error::AppError::from(e).into_response(),
    }
}
