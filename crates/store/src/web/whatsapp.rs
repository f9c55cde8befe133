//! WhatsApp → store webhooks: the Cloud API's subscription handshake and signed events, and
//! Fonnte's incoming messages behind a secret path. Each authenticates first, then records
//! (messages once, statuses forward only) and answers at once; replies are jobs.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::db::messages::MessageState;
use crate::error::{AppError, AppResult};
use crate::messenger::{cloud, fonnte};
use crate::service::chat::{self, Gateway, Incoming};
use crate::service::outbox;
use crate::web::webhooks::acknowledge;

/// `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: the raw challenge, or 403.
pub(crate) async fn subscribe(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match cloud::verify_subscription(
        &app.config.whatsapp.verify_token,
        q.get("hub.mode").map(String::as_str),
        q.get("hub.verify_token").map(String::as_str),
        q.get("hub.challenge").map(String::as_str),
    ) {
        Some(challenge) => (StatusCode::OK, challenge).into_response(),
        None => {
            tracing::warn!("WhatsApp subscription refused: wrong verify token");
            StatusCode::FORBIDDEN.into_response()
        }
    }
}

/// `POST`: the signature over the raw body is checked before anything is parsed.
pub(crate) async fn cloud_events(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if !cloud::verify_signature(&app.config.whatsapp.app_secret, &body, signature) {
        tracing::warn!("WhatsApp webhook with a bad or missing signature refused");
        return AppError::Forbidden("bad webhook signature").into_response();
    }
    let outcome = cloud_events_authentic(&app, &body).await;
    acknowledge(&app, "whatsapp-cloud", &body, outcome).await
}

async fn cloud_events_authentic(app: &App, body: &[u8]) -> AppResult<()> {
    let app = app.clone();
    let events = cloud::parse_webhook(body)
        .map_err(|e| AppError::invalid("invalid_webhook", e.to_string()))?;
    for status in &events.statuses {
        // First, so a `failed` for a message whose answer was lost finds it by the gateway's id.
        if let Some(reference) = &status.reference {
            outbox::adopt(&app, reference, &status.id).await?;
        }
        let state = match status.status.as_str() {
            "delivered" => MessageState::Delivered,
            "read" => MessageState::Read,
            "failed" => MessageState::Failed,
            // `sent` is recorded when the gateway accepts the message.
            _ => continue,
        };
        outbox::gateway_status(&app, &status.id, state, &status.errors).await?;
    }
    let mut received = 0;
    for m in &events.messages {
        let text = m.text.as_deref().unwrap_or("");
        let outcome = chat::receive(
            &app,
            &Incoming {
                gateway: Gateway::Cloud,
                id: &m.id,
                from: &m.from,
                name: m.name.as_deref(),
                text,
            },
        )
        .await?;
        if outcome == chat::Received::New {
            received += 1;
        }
    }
    tracing::info!(
        statuses = events.statuses.len(),
        messages = events.messages.len(),
        new = received,
        "WhatsApp webhook handled"
    );
    Ok(())
}

/// `POST /webhooks/fonnte/{secret}`: Fonnte signs nothing, so the path's secret is the proof
/// (compared in constant time; a wrong one looks like a missing page).
pub(crate) async fn fonnte_incoming(
    State(app): State<App>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    if !app.config.whatsapp.fonnte_webhook_secret.matches(&secret) {
        tracing::warn!("Fonnte webhook with a wrong secret refused");
        return AppError::not_found("not_found", "Halaman").into_response();
    }
    let outcome = fonnte_authentic(&app, &body).await;
    acknowledge(&app, "fonnte", &body, outcome).await
}

async fn fonnte_authentic(app: &App, body: &[u8]) -> AppResult<()> {
    let incoming = fonnte::parse_incoming(body)
        .map_err(|e| AppError::invalid("invalid_webhook", e.to_string()))?;
    let own = !incoming.device.is_empty()
        && incoming
            .device
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            == incoming
                .sender
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>();
    if own || incoming.message.trim().is_empty() {
        return Ok(());
    }
    // Fonnte's inbox id when it sends one; else a digest of what identifies the message.
    let id = match &incoming.inboxid {
        Some(id) => id.clone(),
        None => {
            let digest = Sha256::digest(
                format!(
                    "{}|{}|{}",
                    incoming.sender,
                    incoming.timestamp.unwrap_or_default(),
                    incoming.message
                )
                .as_bytes(),
            );
            format!("sha256:{}", hex::encode(&digest[..16]))
        }
    };
    chat::receive(
        app,
        &Incoming {
            gateway: Gateway::Fonnte,
            id: &id,
            from: &incoming.sender,
            name: incoming.name.as_deref(),
            text: &incoming.message,
        },
    )
    .await?;
    Ok(())
}
