//! The application's error type. The policy:
//!
//! - A client's mistake is a typed variant with a machine `code` and a message meant for the
//!   customer (in Indonesian): `Invalid` (the request is wrong), `NotFound`, `Conflict` (the
//!   request is right but the state does not allow it), and the refusals `Unauthorized`,
//!   `Forbidden`, `TooManyRequests`; an outside service that could not answer is `Unavailable`,
//!   and the store at its own bound is `Busy` — both worth a retry.
//! - Our own failure is `Db` or `Internal`: the customer sees one generic sentence
//!   ([`AppError::public_message`]); the log gets the whole cause chain, once, where the response
//!   is made ([`AppError::log`]).
//! - Nothing here knows HTTP: the web layer maps each variant to a status and a body in one
//!   place (`web::error_response`), so services and jobs use the same type.

use std::error::Error as StdError;

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
    /// Our own failure, with its cause chain.
    #[error("internal error: {0}")]
    Internal(Box<dyn StdError + Send + Sync>),
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

    /// An internal failure from any error or message (its sources are kept for the log).
    pub fn internal(cause: impl Into<Box<dyn StdError + Send + Sync>>) -> AppError {
        AppError::Internal(cause.into())
    }

    /// Whether this is our failure rather than the client's (or a refusal to retry later).
    pub fn is_our_failure(&self) -> bool {
        matches!(self, AppError::Db(_) | AppError::Internal(_))
    }

    /// The error and every cause under it: `a: b: c`.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = StdError::source(self);
        if let AppError::Internal(inner) = self {
            // `#[error("… {0}")]` shows the box itself; its sources follow.
            source = inner.source();
        }
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
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

    /// Logs our own failure once, with its cause chain, where the response is made.
    pub fn log(&self) {
        match self {
            // An outside service that did not answer, or a queue too busy to answer in time
            // (a lookup, a login under a flood): the seller may need to know, but nothing of
            // ours broke, and an error line per refused stranger would drown the real ones.
            AppError::Unavailable { .. } => {
                tracing::warn!(error = %self.chain(), "request answered unavailable");
            }
            _ if self.is_our_failure() => tracing::error!(error = %self.chain(), "request failed"),
            _ => {}
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reading the bill")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_log_keeps_the_cause_chain_and_the_customer_sees_none_of_it() {
        let e = AppError::internal(Outer(std::io::Error::other("disk full")));
        assert_eq!(e.chain(), "internal error: reading the bill: disk full");
        assert!(e.is_our_failure());
        assert!(!e.public_message().contains("disk"));
        let db = AppError::from(DbError::Sqlx(sqlx::Error::PoolTimedOut));
        assert!(db.chain().contains("pool timed out"), "{}", db.chain());
        assert_eq!(AppError::invalid("x", "y").chain(), "y");
    }
}
