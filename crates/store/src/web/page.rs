//! A storefront or dashboard page's answer: rendered templates, the error page (in the
//! visitor's language), and pages built once per catalogue version.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::app::App;
use crate::error::AppError;
use crate::service::catalogue_snapshot;
use crate::web::i18n::{self, Lang, Texts};

/// An error shown as a page: the same status code and message as the API would give.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        PageError(e.into())
    }
}

impl From<crate::db::DbError> for PageError {
    fn from(e: crate::db::DbError) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: &'static Texts,
    closed: bool,
    message: String,
    back: String,
}

/// The English text of an error page, kept on the response so [`localise_errors`] can show the
/// page in English to a visitor who chose it (an error has no access to the request).
#[derive(Clone)]
struct EnglishError(String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = crate::web::error_response::status(&self.0);
        let response = render_status(
            status,
            &ErrorPage {
                t: &i18n::ID,
                // Shown from the message itself when it is the closed store refusing an order.
                closed: false,
                message: self.0.public_message(),
                back: "/".into(),
            },
        );
        let mut response = crate::web::error_response::with_retry_after(&self.0, response);
        response
            .extensions_mut()
            .insert(EnglishError(i18n::app_error(&i18n::EN, &self.0)));
        response
    }
}

/// Shows error pages in English to visitors who switched the store to English.
pub async fn localise_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Lang(t) = Lang::from_cookie_header(
        request
            .headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(request).await;
    match response.extensions().get::<EnglishError>() {
        Some(EnglishError(message)) if t.code == "en" => {
            let mut english = render_status(
                response.status(),
                &ErrorPage {
                    t,
                    closed: false,
                    message: message.clone(),
                    back: "/".into(),
                },
            );
            if let Some(wait) = response.headers().get(header::RETRY_AFTER) {
                english
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.clone());
            }
            english
        }
        _ => response,
    }
}

pub type PageResult = Result<Response, PageError>;

/// A page (or answer) built from the catalogue snapshot alone — nothing per visitor but what
/// `key` names (language, closed flag, …) — is built once per catalogue version and then served
/// from memory: the storefront's busiest pages cost no query and no template run.
pub async fn from_snapshot<F, Fut>(app: &App, key: String, build: F) -> PageResult
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    let catalogue = catalogue_snapshot::current(app).await?;
    if let Some((content_type, body)) = catalogue.rendered(&key) {
        return Ok(([(header::CONTENT_TYPE, content_type)], body).into_response());
    }
    let response = build().await?;
    if response.status() != StatusCode::OK {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|e| AppError::internal(format!("reading a built page: {e}")))?;
    if let Some(content_type) = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        catalogue.remember(key, (content_type.to_string(), bytes.clone()));
    }
    Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
}

pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}
