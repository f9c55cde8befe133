//! Signing in and out of the dashboard (the one public admin page is the login form).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;
use crate::web::admin::view::CsrfForm;
use crate::web::auth::{self, AdminSession};
use crate::web::page::{render, render_status, PageResult};
use crate::web::ratelimit::ClientIp;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: Option<String>,
    flash: Option<String>,
}

const LOGIN_CSRF_COOKIE: &str = "madd_login_csrf";

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// The login form carries a token that must match a cookie set with it (login CSRF).
pub(crate) async fn login_form(State(app): State<App>, Query(q): Query<NextQuery>) -> Response {
    let token = auth::random_token();
    let secure = if app.config.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let mut response = render(&LoginPage {
        csrf: token.clone(),
        next: auth::safe_next(q.next.as_deref()),
        error: None,
        flash: None,
    });
    if let Ok(v) =
        format!("{LOGIN_CSRF_COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Strict{secure}")
            .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    next: Option<String>,
}

pub(crate) async fn login(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let cookie_token = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let again = |status: StatusCode, error: &str| {
        render_status(
            status,
            &LoginPage {
                csrf: cookie_token.clone(),
                next: auth::safe_next(f.next.as_deref()),
                error: Some(error.to_string()),
                flash: None,
            },
        )
    };
    if cookie_token.is_empty() || cookie_token != f.csrf_token {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "Sesi login kedaluwarsa. Muat ulang halaman lalu coba lagi.",
        ));
    }
    // The CSRF pair above is the client's own to choose (a double-submit cookie), so it is no
    // bound on strangers: auth::login limits attempts per address before any password check.
    match auth::login(&app, client, &f.username, &f.password).await {
        Ok(token) => {
            let mut response = Redirect::to(&auth::safe_next(f.next.as_deref())).into_response();
            if let Ok(v) = auth::session_cookie(&app, &token, auth::session_max_age_secs()).parse()
            {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(e @ (AppError::TooManyRequests { .. } | AppError::Busy { .. })) => {
            let mut response = again(crate::web::error_response::status(&e), &e.public_message());
            if let Some(secs) = e.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, secs.into());
            }
            Ok(response)
        }
        Err(AppError::Invalid { message, .. }) => Ok(again(StatusCode::UNAUTHORIZED, &message)),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn logout(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    auth::logout(&app, &headers).await?;
    let mut response = Redirect::to("/admin/login").into_response();
    if let Ok(v) = auth::session_cookie(&app, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}
