//! Health for the machine that runs the store (systemd, a load balancer, a monitor):
//! `/healthz` says the process answers; `/readyz` says it can do its work — the database
//! answers with every migration applied, and every job worker started is still running.

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
