//! The WhatsApp outbox: every message and its delivery, and sending one again.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};

use crate::app::App;
use crate::db::messages;
use crate::error::AppError;
use crate::service::outbox;
use crate::web::admin::view::{message_row, CsrfForm, MessageRow};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

#[derive(Template)]
#[template(path = "admin/messages.html")]
struct MessagesPage {
    csrf: String,
    flash: Option<String>,
    messages: Vec<MessageRow>,
}

pub(crate) async fn messages_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
) -> PageResult {
    let mut conn = app.db.write().await?;
    let list = messages::list(&mut conn, None, 200).await?;
    Ok(render(&MessagesPage {
        csrf: s.csrf_token.clone(),
        flash: None,
        messages: list.iter().map(message_row).collect(),
    }))
}

pub(crate) async fn resend_message(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    if !outbox::resend(&app, id).await? {
        return Err(AppError::conflict(
            "message_not_failed",
            "Hanya pesan yang gagal yang bisa dikirim ulang.",
        )
        .into());
    }
    Ok(Redirect::to("/admin/messages").into_response())
}
