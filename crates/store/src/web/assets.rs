//! The storefront's two static files, served from the binary under names that carry a hash of
//! their content (`/static/app.3f9a1c2b.css`): a browser may keep them for a year, and a new
//! release changes the name, so nobody ever runs yesterday's script against today's page.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");

struct Asset {
    /// `app.<hash>.css`
    name: String,
    etag: String,
    body: &'static str,
    content_type: &'static str,
}

fn asset(stem: &str, ext: &str, body: &'static str, content_type: &'static str) -> Asset {
    let hash = hex::encode(&Sha256::digest(body.as_bytes())[..6]);
    Asset {
        name: format!("{stem}.{hash}.{ext}"),
        etag: format!("\"{hash}\""),
        body,
        content_type,
    }
}

static ASSETS: LazyLock<[Asset; 2]> = LazyLock::new(|| {
    [
        asset("app", "css", CSS, "text/css; charset=utf-8"),
        asset("app", "js", JS, "text/javascript; charset=utf-8"),
    ]
});

/// The stylesheet's URL, for templates.
pub fn css_url() -> String {
    format!("/static/{}", ASSETS[0].name)
}

/// The script's URL, for templates.
pub fn script_url() -> String {
    format!("/static/{}", ASSETS[1].name)
}

/// `GET /static/{file}`: the hashed names for a year; the plain `app.css`/`app.js` (pages cached
/// before a release, old links) for an hour.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let found = ASSETS.iter().find_map(|a| {
        if file == a.name {
            Some((a, "public, max-age=31536000, immutable"))
        } else if a
            .name
            .split('.')
            .next_back()
            .is_some_and(|ext| file == format!("app.{ext}"))
        {
            Some((a, "public, max-age=3600"))
        } else {
            None
        }
    });
    let Some((asset, cache)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = HeaderValue::from_str(&asset.etag).expect("hex etag");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes())
    {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            ],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ETAG, etag),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash() {
        assert!(css_url().starts_with("/static/app.") && css_url().ends_with(".css"));
        assert!(script_url().ends_with(".js"));
        assert_ne!(css_url(), "/static/app.css");
        let hash = css_url().split('.').nth(1).unwrap().to_string();
        assert_eq!(hash.len(), 12);
        assert_eq!(hash, hex::encode(&Sha256::digest(CSS.as_bytes())[..6]));
    }
}
