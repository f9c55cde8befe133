//! Provider → store webhooks. Each is authenticated first and answers quickly; the work it
//! causes is state and jobs in the database.
//!
//! An authentic delivery is always acknowledged with 2xx: providers switch off a webhook that
//! keeps failing (Trakteer after three failures), and what the delivery carried — a payment, a
//! customer's message — must not be lost because of its content. What cannot be recorded where
//! it belongs is kept raw for the seller ([`acknowledge`]). Only a request that fails
//! authentication gets an error.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::app::App;
use crate::db::webhooks_kept;
use crate::error::{AppError, AppResult};
use crate::service::{fulfilment, payments};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The answer to an authentic delivery: 200 when it was handled, and 200 too when it could not
/// be — then its raw body is kept in `webhooks_kept` for the seller. Only when even that fails
/// (the database is down) does the provider get an error, and so a reason to deliver it again.
pub async fn acknowledge(
    app: &App,
    provider: &'static str,
    body: &[u8],
    outcome: AppResult<()>,
) -> Response {
    let Err(error) = outcome else {
        return Json(serde_json::json!({ "ok": true })).into_response();
    };
    tracing::error!(provider, error = %error, "an authentic webhook could not be recorded; keeping it raw for review");
    let raw = madd_domain::text::printable_raw(body);
    let reason = madd_domain::text::clean(&error.to_string(), madd_domain::text::limit::LONG);
    let kept = async {
        let mut conn = app.db.write().await?;
        webhooks_kept::keep(&mut conn, provider, &reason, &raw, app.now_ms()).await
    }
    .await;
    match kept {
        Ok(()) => Json(serde_json::json!({ "ok": true, "kept_for_review": true })).into_response(),
        Err(e) => {
            tracing::error!(provider, error = %e, "could not keep the webhook either");
            error.into_response()
        }
    }
}

pub(crate) async fn trakteer(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let outcome =
        payments::trakteer_webhook(&app, header(&headers, "x-webhook-token"), &body).await;
    match outcome {
        Err(AppError::Unauthorized) => AppError::Unauthorized.into_response(),
        Ok(outcome) => {
            tracing::info!(?outcome, "trakteer webhook handled");
            acknowledge(&app, "trakteer", &body, Ok(())).await
        }
        Err(e) => acknowledge(&app, "trakteer", &body, Err(e)).await,
    }
}

pub(crate) async fn vip_reseller(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match fulfilment::vip_callback(&app, header(&headers, "x-client-signature"), &body).await {
        Err(AppError::Unauthorized) => AppError::Unauthorized.into_response(),
        outcome => acknowledge(&app, "vip-reseller", &body, outcome).await,
    }
}

pub(crate) async fn digiflazz(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    match fulfilment::digiflazz_webhook(
        &app,
        header(&headers, "x-hub-signature"),
        header(&headers, "x-digiflazz-event"),
        &body,
    )
    .await
    {
        Err(AppError::Unauthorized) => AppError::Unauthorized.into_response(),
        outcome => acknowledge(&app, "digiflazz", &body, outcome).await,
    }
}

pub(crate) async fn midtrans(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    gateway(&app, madd_domain::RailId::Midtrans, &headers, &body).await
}

pub(crate) async fn tripay(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    gateway(&app, madd_domain::RailId::Tripay, &headers, &body).await
}

/// A QRIS gateway's webhook through the one payment intake, answered as the gateway expects.
/// When the store cannot record it now, 503: both gateways deliver again, and the payment
/// checks ask the gateway anyway.
async fn gateway(
    app: &App,
    rail: madd_domain::RailId,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match crate::service::rails::intake::webhook(app, rail, headers, body).await {
        Ok((status, text)) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            text,
        )
            .into_response(),
        Err(e @ AppError::NotFound { .. }) => e.into_response(),
        Err(e) => {
            tracing::error!(%rail, error = %e, "a payment webhook could not be recorded; the gateway will deliver it again");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                r#"{"success":false,"message":"try again"}"#,
            )
                .into_response()
        }
    }
}
