//! The token buckets behind the rate limits: `per_minute` requests a minute per client address,
//! in this process's memory. Plain data (no request, no page), so the application's state can
//! hold the login limiter.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets are forgotten once full again; the map is swept when it grows past this.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// `per_minute` requests a minute per client (an address, or a reseller's username), with
/// bursts of up to `burst`.
#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(per_minute: u32) -> RateLimiter<K> {
        RateLimiter::with_burst(per_minute, (per_minute / 2).max(1))
    }

    /// `per_minute` requests a minute per client after a first burst of `burst`.
    pub fn with_burst(per_minute: u32, burst: u32) -> RateLimiter<K> {
        RateLimiter {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; `Err(wait)` when none is left.
    pub fn check(&self, ip: K, now: Instant) -> Result<(), Duration> {
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
