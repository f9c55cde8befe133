//! The application's error type, turned into one clear response in one place. Client mistakes
//! are 4xx with a message meant for the customer; our own failures are 5xx with the detail only
//! in the log.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong: 400/422 with a machine code and a human message.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{what} tidak ditemukan")]
    NotFound { code: &'static str, what: String },
    /// The request is right but the state does not allow it (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("login required")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// An outside service could not answer in time; the customer may retry (503).
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// The store itself is at its bound for this kind of work (password checks); 503 with
    /// `Retry-After`.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Db(DbError::Sqlx(e))
    }
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, what: impl Into<String>) -> AppError {
        AppError::NotFound {
            code,
            what: what.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
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

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { code, .. }
            | AppError::NotFound { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Unavailable { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Busy { .. } => "busy",
            AppError::Db(_) | AppError::Internal(_) => "internal_error",
        }
    }

    /// The text a customer may see: never internals.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Db(_) | AppError::Internal(_) => {
                "Terjadi kesalahan di sistem kami. Silakan coba lagi sebentar lagi.".to_string()
            }
            AppError::Unauthorized => "Silakan login terlebih dahulu.".to_string(),
            AppError::Forbidden(_) => "Akses ditolak.".to_string(),
            AppError::TooManyRequests { .. } => {
                "Terlalu banyak percobaan. Coba lagi beberapa menit lagi.".to_string()
            }
            AppError::Busy { .. } => {
                "Server sedang sibuk. Coba lagi beberapa detik lagi.".to_string()
            }
            other => other.to_string(),
        }
    }

    /// How long a refused client should wait, for the `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Logs a server-side failure once, where the response is made (being busy is not one).
    pub fn log(&self) {
        if self.status().is_server_error() && !matches!(self, AppError::Busy { .. }) {
            tracing::error!(error = %self, "request failed");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (
            self.status(),
            Json(json!({"error": {"code": self.code(), "message": self.public_message()}})),
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
