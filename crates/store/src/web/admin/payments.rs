//! Payments: every payment received, attaching an unmatched one to its order, reconciliation.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;

use madd_domain::payment_suggestions::{suggest, OpenOrder};
use madd_domain::{OrderStatus, Rupiah};

use crate::app::App;
use crate::clock;
use crate::db::orders;
use crate::db::payments;
use crate::service::payments as payment_service;
use crate::web::admin::view::{CsrfForm, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct PaymentRow {
    id: i64,
    received: String,
    transaction_id: String,
    state: &'static str,
    state_label: &'static str,
    supporter: String,
    message: String,
    gross: String,
    net: String,
    order_code: Option<String>,
    attachable: bool,
    /// Open orders owing about this payment's amount, best first (unmatched payments only).
    suggestions: Vec<Suggestion>,
}

/// An order the seller can attach an unmatched payment to with one tap.
struct Suggestion {
    code: String,
    owed: String,
    product: String,
    account: String,
    created: String,
}

/// How far back open orders are offered for an unmatched payment.
const SUGGEST_DAYS_MS: i64 = 7 * 24 * 60 * 60 * 1000;

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
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let mut conn = app.db.read().await?;
    let list = payments::list(&mut conn, None, 200).await?;
    let mut open = Vec::new();
    if list
        .iter()
        .any(|p| p.state == payments::PaymentState::Unmatched)
    {
        for status in [
            OrderStatus::AwaitingPayment,
            OrderStatus::Underpaid,
            OrderStatus::Expired,
        ] {
            let filter = orders::OrderFilter {
                status: Some(status),
                from: Some(app.now_ms() - SUGGEST_DAYS_MS),
                limit: 200,
                ..orders::OrderFilter::default()
            };
            open.extend(orders::list(&mut conn, &filter).await?);
        }
    }
    let owed: Vec<OpenOrder> = open
        .iter()
        .map(|o| OpenOrder {
            owed: o
                .amount_due
                .checked_sub(o.amount_paid)
                .unwrap_or(Rupiah::ZERO),
            created_at: o.created_at,
        })
        .collect();
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
            state_label: p.state.label_id(),
            supporter: p.supporter_name.clone(),
            message: p.message.clone(),
            gross: p.gross.display_spaced(),
            net: p
                .net
                .map(|n| n.display_spaced())
                .unwrap_or_else(|| "–".into()),
            order_code,
            attachable: p.state == payments::PaymentState::Unmatched,
            suggestions: if p.state == payments::PaymentState::Unmatched {
                suggest(p.gross, &owed, 3)
                    .into_iter()
                    .map(|i| {
                        let o = &open[i];
                        Suggestion {
                            code: o.code.to_string(),
                            owed: owed[i].owed.display_spaced(),
                            product: o.product_name.clone(),
                            account: o.account.to_string(),
                            created: clock::human(o.created_at),
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
    }
    Ok(render(&PaymentsPage {
        csrf: s.csrf_token.clone(),
        flash: done.done.map(|code| {
            if code == "saldo" {
                "Pembayaran dimasukkan ke saldo pelanggan; pelanggan dikabari.".to_string()
            } else {
                format!(
                    "Pembayaran dicocokkan ke {}.",
                    code.chars().take(20).collect::<String>()
                )
            }
        }),
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
    Ok(Redirect::to(&format!(
        "/admin/payments?done={}",
        url::form_urlencoded::byte_serialize(f.code.trim().as_bytes()).collect::<String>()
    ))
    .into_response())
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

#[derive(Deserialize)]
pub(crate) struct CreditForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    whatsapp: String,
}

/// An unmatched payment into a customer's saldo, by their WhatsApp number.
pub(crate) async fn credit_payment(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<CreditForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let owner = madd_domain::PhoneNumber::parse(&f.whatsapp).map_err(|e| {
        crate::error::AppError::invalid("invalid_whatsapp", format!("Nomor WhatsApp: {e}"))
    })?;
    crate::service::saldo::credit_payment(&app, id, &owner, &s.actor()).await?;
    Ok(Redirect::to("/admin/payments?done=saldo").into_response())
}
