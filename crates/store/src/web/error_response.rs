//! How an [`AppError`] answers over HTTP — its status, `Retry-After`, and the API's JSON body
//! `{"error": {"code", "message"}}` — in this one place (pages render it as an error page,
//! `web::page`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::AppError;

/// The status each kind of error answers with.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable { .. } | AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Adds `Retry-After` when the error says how long to wait.
pub fn with_retry_after(e: &AppError, mut response: Response) -> Response {
    if let Some(secs) = e.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let response = (
            status(&self),
            Json(json!({"error": {"code": self.code(), "message": self.public_message()}})),
        )
            .into_response();
        with_retry_after(&self, response)
    }
}
