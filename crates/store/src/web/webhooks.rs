//! Provider → store webhooks. Each is authenticated first and answers quickly; the work it
//! causes is state and jobs in the database.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};

use crate::app::App;
use crate::error::AppResult;
use crate::service::{fulfilment, payments};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/webhooks/trakteer", post(trakteer))
        .route("/webhooks/vip-reseller", post(vip_reseller))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn trakteer(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    let outcome =
        payments::trakteer_webhook(&app, header(&headers, "x-webhook-token"), &body).await?;
    tracing::info!(?outcome, "trakteer webhook handled");
    Ok(Json(serde_json::json!({ "ok": true })))
}

async fn vip_reseller(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    fulfilment::vip_callback(&app, header(&headers, "x-client-signature"), &body).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
