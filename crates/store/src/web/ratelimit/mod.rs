//! Per-client rate limit on the public requests that make the store ask the supplier something
//! (nickname checks, bill inquiries, checkouts and orders) or send a WhatsApp message (sign-in
//! codes), so nobody can use the storefront to hammer VIP's endpoints, enumerate game accounts or
//! spam numbers with codes.
//!
//! A token bucket per client IP, in this process's memory: with several store processes the
//! effective limit is per process, which is still a bound. The client IP is the TCP peer; when
//! the peer is on this machine (a reverse proxy such as Caddy or nginx in front of the store), the
//! last address of `X-Forwarded-For` — the one that proxy appended — is used instead.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::web::page::PageError;

/// The requests that cost a supplier lookup.
const LIMITED: &[&str] = &[
    "/api/v1/nickname",
    "/api/v1/postpaid/inquiry",
    "/api/v1/orders",
    "/api/v1/otp",
    "/api/v1/session",
    "/akun/masuk",
    "/checkout",
    "/order",
];

pub mod limiter;

pub use limiter::RateLimiter;

/// The client's address: the TCP peer, or — when the peer is this machine (a local reverse
/// proxy) — the last address of `X-Forwarded-For`, the one that proxy appended. `None` only when
/// the server was started without connection info.
pub fn client_ip(extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    if !peer.is_loopback() {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back();
    Some(forwarded.unwrap_or(peer))
}

/// An address as limits per client store it (`unknown` when the server has no connection info).
pub fn address_text(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

/// [`client_ip`] as a handler argument.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(&parts.extensions, &parts.headers)))
    }
}

pub async fn limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if request.method() != Method::POST || !LIMITED.contains(&path) {
        return next.run(request).await;
    }
    let Some(ip) = client_ip(request.extensions(), request.headers()) else {
        return next.run(request).await;
    };
    match limiter.check(ip, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(%ip, %path, "rate limited");
            let error = AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            };
            if path.starts_with("/api/") {
                error.into_response()
            } else {
                PageError(error).into_response()
            }
        }
    }
}
