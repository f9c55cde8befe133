//! The one place where text typed by people (forms, JSON, query strings) is cleaned before any
//! handler reads it: control characters (NUL above all, which PostgreSQL refuses) are removed and
//! every value is cut to a bounded length ([`madd_domain::text::clean`]). Webhooks are not
//! touched here — their signatures cover the raw bytes — and clean their fields in their own
//! parsers with the same function.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use madd_domain::text::{self, limit};
use serde_json::Value;

/// `Json` whose rejections speak the API's error format (`{"error": {"code": "invalid_json"}}`).
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    axum::Json<T>:
        axum::extract::FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(crate::error::AppError::invalid(
                "invalid_json",
                rejection.body_text(),
            )),
        }
    }
}

/// The largest form or JSON body a page or the API takes. A checkout or an admin form is a few
/// hundred bytes; a stranger's request must not cost more than this.
pub const MAX_BODY: usize = 64 * 1024;

/// Paths whose bodies are left as they came (signed webhooks, the simulators).
fn raw_path(path: &str) -> bool {
    path.starts_with("/webhooks/") || path.starts_with("/sandbox")
}

pub async fn clean(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    if raw_path(parts.uri.path()) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    if let Some(query) = parts.uri.query() {
        if let Some(cleaned) = clean_form(query.as_bytes()) {
            if let Some(uri) = with_query(&parts.uri, &cleaned) {
                parts.uri = uri;
            }
        }
    }
    let kind = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase())
        .unwrap_or_default();
    let is_form = kind.starts_with("application/x-www-form-urlencoded");
    let is_json = kind.starts_with("application/json");
    if !is_form && !is_json {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Isian terlalu panjang / request body too large",
            )
                .into_response()
        }
    };
    let cleaned = if is_form {
        clean_form(&bytes).map(String::into_bytes)
    } else {
        clean_json(&bytes)
    };
    let bytes = cleaned.map(Into::into).unwrap_or(bytes);
    parts.headers.remove(header::CONTENT_LENGTH);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A urlencoded form (or query) with every key and value cleaned; `None` when it does not parse
/// (the handler's extractor then answers with its own 4xx) or needs no change.
fn clean_form(bytes: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    let dirty = pairs
        .iter()
        .any(|(k, v)| needs_cleaning(k, limit::SHORT) || needs_cleaning(v, limit::LONG));
    if !dirty {
        return None;
    }
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (text::clean(&k, limit::SHORT), text::clean(&v, limit::LONG)))
        .collect();
    serde_urlencoded::to_string(pairs).ok()
}

fn needs_cleaning(s: &str, max: usize) -> bool {
    s.len() > max || !s.chars().all(text::is_kept)
}

/// A JSON body with every string (keys too) cleaned; `None` when it is not JSON or is clean.
fn clean_json(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
    if !clean_value(&mut value) {
        return None;
    }
    serde_json::to_vec(&value).ok()
}

/// Cleans in place; `true` when anything changed.
fn clean_value(value: &mut Value) -> bool {
    match value {
        Value::String(s) if needs_cleaning(s, limit::LONG) => {
            *s = text::clean(s, limit::LONG);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| clean_value(v) | c),
        Value::Object(map) => {
            let dirty_keys = map.keys().any(|k| needs_cleaning(k, limit::SHORT));
            let mut changed = false;
            if dirty_keys {
                let old = std::mem::take(map);
                for (k, v) in old {
                    map.insert(text::clean(&k, limit::SHORT), v);
                }
                changed = true;
            }
            map.values_mut().fold(changed, |c, v| clean_value(v) | c)
        }
        _ => false,
    }
}

fn with_query(uri: &Uri, query: &str) -> Option<Uri> {
    let mut parts = uri.clone().into_parts();
    let path = uri.path();
    parts.path_and_query = Some(format!("{path}?{query}").parse().ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_lose_control_characters() {
        let cleaned = clean_form(b"target=1234%005678&whatsapp=0812%0D%0A").unwrap();
        assert_eq!(cleaned, "target=12345678&whatsapp=0812%0A");
        assert_eq!(clean_form(b"a=1&b=dua"), None);
    }

    #[test]
    fn json_strings_and_keys_lose_control_characters() {
        let cleaned = clean_json(br#"{"product":"ML\u0000","list":["a\u0000"],"k\u0001":1}"#);
        let v: Value = serde_json::from_slice(&cleaned.unwrap()).unwrap();
        assert_eq!(v["product"], "ML");
        assert_eq!(v["list"][0], "a");
        assert_eq!(v["k"], 1);
        assert_eq!(clean_json(br#"{"product":"ML86"}"#), None);
        assert_eq!(clean_json(b"not json"), None);
    }

    #[test]
    fn long_values_are_cut() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(limit::LONG + 10));
        let v: Value = serde_json::from_slice(&clean_json(long.as_bytes()).unwrap()).unwrap();
        assert_eq!(v["a"].as_str().unwrap().len(), limit::LONG);
    }

    #[test]
    fn queries_keep_their_path() {
        let uri: Uri = "/cek?code=MS-1%00".parse().unwrap();
        let q = clean_form(uri.query().unwrap().as_bytes()).unwrap();
        assert_eq!(with_query(&uri, &q).unwrap().to_string(), "/cek?code=MS-1");
    }
}
