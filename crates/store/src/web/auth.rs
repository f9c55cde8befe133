//! Admin authentication: argon2id password hashes (see [`crate::passwords`]), session cookies
//! (stored hashed), a CSRF token per session, and login limits per client address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::db::admins::{self, Admin};
use crate::error::{AppError, AppResult};
use crate::passwords;
use crate::web::ratelimit::RateLimiter;

pub const SESSION_COOKIE: &str = "madd_session";
const SESSION_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Ten wrong passwords in a row for one username from one client address, within this window,
/// lock that address out of that username for the rest of it (other addresses are not locked).
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const THROTTLE_FAILURES: i64 = 10;

/// The logged-in admin, put in the request by [`require_admin`].
#[derive(Clone, Debug)]
pub struct AdminSession {
    pub admin: Admin,
    pub csrf_token: String,
}

impl AdminSession {
    /// Refuses a state-changing form whose token is not this session's.
    pub fn check_csrf(&self, presented: &str) -> AppResult<()> {
        if !presented.is_empty()
            && bool::from(self.csrf_token.as_bytes().ct_eq(presented.as_bytes()))
        {
            Ok(())
        } else {
            Err(AppError::Forbidden("invalid CSRF token"))
        }
    }

    pub fn actor(&self) -> String {
        format!("admin:{}", self.admin.username)
    }
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with [`passwords::argon2`] off the async executor. For the admin's own
/// actions (the CLI, tests); what a stranger can trigger goes through [`App::passwords`].
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || passwords::hash_now(&password).map_err(AppError::internal))
        .await
        .map_err(AppError::internal)?
}

/// Login attempts one client address may make, whatever the usernames: a first burst of
/// [`LOGIN_BURST`], then [`LOGIN_PER_MINUTE`] a minute. Checked before anything else, so a client
/// over it costs no password check and no database work.
pub const LOGIN_BURST: u32 = 20;
pub const LOGIN_PER_MINUTE: u32 = 6;

/// Longest username and password a login considers; longer ones are wrong without being hashed
/// or stored (`maddstore admin create` allows usernames of 1–64 characters).
pub const MAX_USERNAME_BYTES: usize = 64;
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// How long a client is asked to wait when every password thread is busy.
const BUSY_RETRY_SECS: u64 = 2;

pub fn login_limiter() -> RateLimiter {
    RateLimiter::with_burst(LOGIN_PER_MINUTE, LOGIN_BURST)
}

/// The address a client's login attempts are counted under: its IP address, an IPv4-mapped
/// IPv6 address as IPv4, and any other IPv6 address as its /64 network (one host is usually
/// given a whole /64, so counting single IPv6 addresses would count nothing). Without connection
/// information every client shares the unspecified address.
pub fn login_address(client: Option<IpAddr>) -> IpAddr {
    match client {
        None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        Some(IpAddr::V4(v4)) => IpAddr::V4(v4),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Checks a login from `client`; on success creates a session and returns its cookie token.
///
/// What an attempt may cost is bounded in this order: the client address's attempt budget
/// (in memory, [`login_limiter`]); then the lock-out of this address for this username after
/// [`THROTTLE_FAILURES`] wrong passwords (another address, such as the seller's own, is not
/// locked); then a place on the password threads ([`crate::passwords::PasswordPool`]), refused
/// with 503 when they and their queue are full. Only then is the password checked — against the
/// admin's hash, or [`passwords::DUMMY_HASH`] for an unknown username so both cost the same.
pub async fn login(
    app: &App,
    client: Option<IpAddr>,
    username: &str,
    password: &str,
) -> AppResult<String> {
    let username = username.trim();
    let address = login_address(client);
    if let Err(wait) = app.login_limiter.check(address, Instant::now()) {
        tracing::warn!(%address, "login attempts from this address limited");
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let bad_credentials = || AppError::invalid("bad_credentials", "Username atau password salah.");
    if username.is_empty()
        || username.len() > MAX_USERNAME_BYTES
        || password.len() > MAX_PASSWORD_BYTES
    {
        return Err(bad_credentials());
    }
    let address_text = address.to_string();
    let now = app.now_ms();
    let (failures, admin) = {
        let mut conn = app.db.write().await?;
        let failures =
            admins::recent_failures(&mut conn, username, &address_text, now - THROTTLE_WINDOW_MS)
                .await?;
        let admin = if failures >= THROTTLE_FAILURES {
            None
        } else {
            admins::by_username(&mut conn, username).await?
        };
        (failures, admin)
        // The connection goes back to the pool here: none is held while a password is checked.
    };
    if failures >= THROTTLE_FAILURES {
        tracing::warn!(%username, %address, "login throttled");
        return Err(AppError::TooManyRequests {
            retry_after_secs: (THROTTLE_WINDOW_MS / 1000) as u64,
        });
    }
    let hash = admin
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| passwords::DUMMY_HASH.to_string());
    let matched = match app.passwords.verify(password.to_string(), hash).await {
        Ok(matched) => matched,
        Err(passwords::Busy) => {
            tracing::warn!(%address, "login refused: every password thread is busy");
            return Err(AppError::Busy {
                retry_after_secs: BUSY_RETRY_SECS,
            });
        }
    };
    let ok = matched && admin.is_some();
    {
        let mut conn = app.db.write().await?;
        admins::record_login(&mut conn, username, &address_text, ok, now).await?;
        // Old failures no longer count for anything; keep the table as small as the window.
        admins::prune_failures(&mut conn, now - THROTTLE_WINDOW_MS).await?;
    }
    let Some(admin) = admin.filter(|_| ok) else {
        tracing::info!(%username, %address, "wrong username or password");
        return Err(bad_credentials());
    };
    if passwords::needs_rehash(&admin.password_hash) {
        rehash(app, &admin, password).await;
    }
    let token = random_token();
    let mut conn = app.db.write().await?;
    admins::create_session(
        &mut conn,
        &token_hash(&token),
        admin.id,
        &random_token(),
        now,
        now + SESSION_MS,
    )
    .await?;
    tracing::info!(username = %admin.username, "admin logged in");
    Ok(token)
}

/// Replaces a hash made with older parameters by one made with the current ones, now that the
/// password is known to be right. Best effort: when the threads are busy it waits for next time.
async fn rehash(app: &App, admin: &Admin, password: &str) {
    let new_hash = match app.passwords.hash(password.to_string()).await {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "password re-hash failed");
            return;
        }
        Err(passwords::Busy) => return,
    };
    let replaced = match app.db.write().await {
        Ok(mut conn) => {
            admins::replace_hash(&mut conn, admin.id, &admin.password_hash, &new_hash).await
        }
        Err(e) => Err(e),
    };
    match replaced {
        Ok(true) => tracing::info!(username = %admin.username, "password hash upgraded"),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "password hash upgrade not stored"),
    }
}

pub async fn logout(app: &App, headers: &HeaderMap) -> AppResult<()> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let mut conn = app.db.write().await?;
        admins::delete_session(&mut conn, &token_hash(&token)).await?;
    }
    Ok(())
}

/// The admin session cookie (see [`session_cookie_named`]).
pub fn session_cookie(app: &App, token: &str, max_age_secs: i64) -> String {
    session_cookie_named(app, SESSION_COOKIE, token, max_age_secs)
}

/// A session cookie: HttpOnly, SameSite=Lax, Secure when the store is served over https.
pub fn session_cookie_named(app: &App, name: &str, token: &str, max_age_secs: i64) -> String {
    let secure = if app.config.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

pub fn session_max_age_secs() -> i64 {
    SESSION_MS / 1000
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub async fn session_of(app: &App, headers: &HeaderMap) -> AppResult<Option<AdminSession>> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let mut conn = app.db.write().await?;
    Ok(
        admins::session(&mut conn, &token_hash(&token), app.now_ms())
            .await?
            .map(|(admin, csrf_token)| AdminSession { admin, csrf_token }),
    )
}

/// Guards every admin route: a page request without a session is sent to the login (with the
/// page to return to); anything else gets 401.
pub async fn require_admin(State(app): State<App>, mut request: Request, next: Next) -> Response {
    match session_of(&app, request.headers()).await {
        Ok(Some(session)) => {
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        Ok(None) => {
            if request.method() == Method::GET {
                // Inside the nested admin router the URI has lost its `/admin` prefix; the
                // original one is what the seller's WhatsApp link asked for.
                let uri = request
                    .extensions()
                    .get::<axum::extract::OriginalUri>()
                    .map(|o| o.0.clone())
                    .unwrap_or_else(|| request.uri().clone());
                let next_path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/admin");
                let target = format!("/admin/login?next={}", urlencode(next_path));
                Redirect::to(&target).into_response()
            } else {
                AppError::Unauthorized.into_response()
            }
        }
        Err(e) => e.into_response(),
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only same-site paths are followed after login (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin") && !n.starts_with("//") && !n.contains("://") => {
            n.to_string()
        }
        _ => "/admin".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_on_site() {
        assert_eq!(safe_next(Some("/admin/orders/MS-1")), "/admin/orders/MS-1");
        assert_eq!(safe_next(Some("https://evil.example/admin")), "/admin");
        assert_eq!(safe_next(Some("//evil.example")), "/admin");
        assert_eq!(safe_next(None), "/admin");
    }

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; madd_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "zzz"), None);
    }

    #[tokio::test]
    async fn argon2id_round_trip() {
        let h = hash_password("rahasia-123".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(passwords::verify_now("rahasia-123", &h));
        assert!(!passwords::verify_now("rahasia-124", &h));
    }

    #[test]
    fn login_addresses() {
        let v4: IpAddr = "203.0.113.5".parse().unwrap();
        assert_eq!(login_address(Some(v4)), v4);
        let mapped: IpAddr = "::ffff:203.0.113.5".parse().unwrap();
        assert_eq!(login_address(Some(mapped)), v4);
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(login_address(Some(a)), login_address(Some(b)));
        assert_ne!(login_address(Some(a)), login_address(Some(other)));
        assert_eq!(login_address(Some(a)).to_string(), "2001:db8:1:2::");
        assert_eq!(login_address(None).to_string(), "0.0.0.0");
    }
}
