//! Admin authentication: argon2id password hashes, session cookies (stored hashed), a CSRF token
//! per session, and login throttling.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
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

pub const SESSION_COOKIE: &str = "madd_session";
const SESSION_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Ten wrong passwords in a row within this window lock the username for the rest of it.
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

/// Hashes a password with argon2id (off the async executor: it is deliberately slow).
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the username does not exist, so both cases take as long.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Xr0I7bqgL4b3p3e2Sxa6Z8bXhKxk8b0n9p0m6z1Y5s";

/// Checks a login; on success creates a session and returns its cookie token.
pub async fn login(app: &App, username: &str, password: &str) -> AppResult<String> {
    let username = username.trim();
    let now = app.now_ms();
    let failures = {
        let mut conn = app.db.conn().await?;
        admins::recent_failures(&mut conn, username, now - THROTTLE_WINDOW_MS).await?
    };
    if failures >= THROTTLE_FAILURES {
        tracing::warn!(%username, "login throttled");
        return Err(AppError::TooManyRequests {
            retry_after_secs: (THROTTLE_WINDOW_MS / 1000) as u64,
        });
    }
    let admin = {
        let mut conn = app.db.conn().await?;
        admins::by_username(&mut conn, username).await?
    };
    let hash = admin
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = verify_password(password.to_string(), hash).await && admin.is_some();
    let mut conn = app.db.conn().await?;
    admins::record_login(&mut conn, username, ok, now).await?;
    let Some(admin) = admin.filter(|_| ok) else {
        tracing::info!(%username, "wrong username or password");
        return Err(AppError::invalid(
            "bad_credentials",
            "Username atau password salah.",
        ));
    };
    let token = random_token();
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

pub async fn logout(app: &App, headers: &HeaderMap) -> AppResult<()> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let mut conn = app.db.conn().await?;
        admins::delete_session(&mut conn, &token_hash(&token)).await?;
    }
    Ok(())
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when the store is served over https.
pub fn session_cookie(app: &App, token: &str, max_age_secs: i64) -> String {
    let secure = if app.config.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
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
    let mut conn = app.db.conn().await?;
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
        assert!(verify_password("rahasia-123".into(), h.clone()).await);
        assert!(!verify_password("rahasia-124".into(), h).await);
        assert!(!verify_password("x".into(), DUMMY_HASH.into()).await);
    }
}
