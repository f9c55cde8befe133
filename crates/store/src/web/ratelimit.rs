//! Per-client rate limit on the public requests that make the store ask the supplier something
//! (nickname checks, bill inquiries, checkouts and orders) or send a WhatsApp message (sign-in
//! codes), so nobody can use the storefront to hammer VIP's endpoints, enumerate game accounts or
//! spam numbers with codes.
//!
//! A token bucket per client IP, in this process's memory: with several store processes the
//! effective limit is per process, which is still a bound. The client IP is the TCP peer; when
//! the peer is on this machine (a reverse proxy such as Caddy or nginx in front of the store), the
//! last address of `X-Forwarded-For` — the one that proxy appended — is used instead.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Buckets are forgotten once full again; the map is swept when it grows past this.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// `per_minute` requests a minute per client, with bursts of up to `burst`.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::with_burst(per_minute, (per_minute / 2).max(1))
    }

    /// `per_minute` requests a minute per client after a first burst of `burst`.
    pub fn with_burst(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; `Err(wait)` when none is left.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > SWEEP_AT {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let l = RateLimiter::new(30); // burst 15, one token every 2 s
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        let other: IpAddr = "10.1.2.4".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..15 {
            assert!(l.check(ip, t0).is_ok());
        }
        let wait = l.check(ip, t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(1900) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert!(l.check(other, t0).is_ok(), "buckets are per client");
        assert!(l.check(ip, t0 + Duration::from_millis(1500)).is_err());
        assert!(l.check(ip, t0 + Duration::from_secs(2)).is_ok());
        assert!(l.check(ip, t0 + Duration::from_secs(2)).is_err());
        // A long pause refills only up to the burst.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..15 {
            assert!(l.check(ip, later).is_ok());
        }
        assert!(l.check(ip, later).is_err());
    }

    #[test]
    fn zero_means_off() {
        let l = RateLimiter::new(0);
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        for _ in 0..1000 {
            assert!(l.check(ip, Instant::now()).is_ok());
        }
    }
}
