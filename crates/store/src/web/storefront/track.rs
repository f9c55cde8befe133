//! `/cek`: find an order by its code and the last digits of its WhatsApp number.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;
use crate::service::orders;
use crate::web::closed::Closed;
use crate::web::i18n::{Lang, Texts};
use crate::web::page::{render, render_status, PageResult};

#[derive(Template)]
#[template(path = "cek.html")]
struct CekPage {
    t: &'static Texts,
    closed: bool,
    code: String,
    error: Option<String>,
}

pub(crate) async fn cek_form(Lang(t): Lang, Closed(closed): Closed) -> Response {
    render(&CekPage {
        t,
        closed,
        code: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub(crate) struct CekForm {
    code: String,
    last4: String,
}

/// Looking an order up needs its code and the last four digits of its WhatsApp number, so a
/// mistyped code does not show a stranger's order.
pub(crate) async fn cek(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Form(f): Form<CekForm>,
) -> PageResult {
    let not_found = || {
        render_status(
            StatusCode::NOT_FOUND,
            &CekPage {
                t,
                closed,
                code: f.code.clone(),
                error: Some(
                    "Pesanan tidak ditemukan. Periksa kode dan 4 digit nomor WhatsApp.".into(),
                ),
            },
        )
    };
    match orders::get(&app, &f.code).await {
        Ok(order) if order.whatsapp.last_four() == f.last4.trim() => {
            Ok(Redirect::to(&format!("/order/{}", order.code)).into_response())
        }
        Ok(_) | Err(AppError::NotFound { .. }) => Ok(not_found()),
        Err(e) => Err(e.into()),
    }
}
