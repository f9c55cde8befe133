//! Switching the storefront between Indonesian and English.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use crate::web::i18n;

/// Sets the language cookie and goes back where the visitor was (same-site paths only).
pub(crate) async fn switch_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "en" { "en" } else { "id" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            match (u.host_str(), host) {
                (Some(h), Some(expected)) => {
                    let with_port = match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    };
                    with_port == expected
                }
                _ => false,
            }
        })
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let mut response = Redirect::to(&back).into_response();
    let cookie = format!(
        "{}={lang}; Path=/; Max-Age=31536000; SameSite=Lax",
        i18n::COOKIE
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
