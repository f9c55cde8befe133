//! Payments: every payment received, attaching an unmatched one to its order, reconciliation.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::orders;
use crate::db::payments;
use crate::service::payments as payment_service;
use crate::web::admin::view::CsrfForm;
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct PaymentRow {
    id: i64,
    received: String,
    transaction_id: String,
    state: &'static str,
    supporter: String,
    message: String,
    gross: String,
    net: String,
    order_code: Option<String>,
    attachable: bool,
}

#[derive(Template)]
#[template(path = "admin/payments.html")]
struct PaymentsPage {
    csrf: String,
    flash: Option<String>,
    payments: Vec<PaymentRow>,
}

pub(crate) async fn payments_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
) -> PageResult {
    let mut conn = app.db.write().await?;
    let list = payments::list(&mut conn, None, 200).await?;
    let mut rows = Vec::with_capacity(list.len());
    for p in &list {
        let order_code = match p.order_id {
            Some(id) => orders::by_id(&mut conn, id)
                .await?
                .map(|o| o.code.to_string()),
            None => None,
        };
        rows.push(PaymentRow {
            id: p.id,
            received: clock::human(p.received_at),
            transaction_id: p.transaction_id.clone(),
            state: p.state.as_str(),
            supporter: p.supporter_name.clone(),
            message: p.message.clone(),
            gross: p.gross.display_spaced(),
            net: p
                .net
                .map(|n| n.display_spaced())
                .unwrap_or_else(|| "–".into()),
            order_code,
            attachable: p.state == payments::PaymentState::Unmatched,
        });
    }
    Ok(render(&PaymentsPage {
        csrf: s.csrf_token.clone(),
        flash: None,
        payments: rows,
    }))
}

#[derive(Deserialize)]
pub(crate) struct AttachForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

pub(crate) async fn attach_payment(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<AttachForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    payment_service::attach(&app, id, &f.code, &s.actor()).await?;
    Ok(Redirect::to("/admin/payments").into_response())
}

pub(crate) async fn reconcile_now(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::reconcile::request(&app).await?;
    Ok(Redirect::to("/admin/payments").into_response())
}

// ---------------------------------------------------------------------------------------------
// Products and pricing
