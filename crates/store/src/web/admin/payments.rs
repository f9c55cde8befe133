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
use crate::db::webhooks_kept;
use crate::service::payments as payment_service;
use crate::web::admin::view::{CsrfForm, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct PaymentRow {
    id: i64,
    /// The rail (`trakteer`, `midtrans`, `tripay`) or `saldo`.
    provider: String,
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
    /// The configured rails, in order, with where each stands.
    rails: Vec<RailRow>,
    /// The rail the list is filtered by (`""`: all).
    rail: String,
    /// Authentic webhooks kept raw, not reviewed yet.
    kept: Vec<KeptRow>,
}

/// A webhook kept raw for review.
struct KeptRow {
    id: i64,
    provider: String,
    received: String,
    error: String,
    raw: String,
}

/// A rail on the payments page.
struct RailRow {
    id: &'static str,
    label: &'static str,
    paused: bool,
    /// Resting after a failure: until when and why.
    resting: Option<(String, String)>,
    /// The gateway's cut, in words.
    cost: String,
}

#[derive(Deserialize)]
pub(crate) struct PaymentsQuery {
    done: Option<String>,
    rail: Option<String>,
}

async fn rail_rows(app: &App, conn: &mut crate::db::Conn) -> crate::db::DbResult<Vec<RailRow>> {
    let now = app.now_ms();
    let mut rows = Vec::new();
    for &rail in app.rails.order() {
        let state = crate::db::payment_attempts::rail_state(conn, rail).await?;
        let cost = match app.rails.gateway(rail) {
            Some(g) => {
                let c = g.cost();
                if c.fixed.is_positive() {
                    format!("{} + {} %", c.fixed.display_spaced(), c.rate)
                } else {
                    format!("{} %", c.rate)
                }
            }
            None => "potongan Trakteer (Pengaturan)".to_string(),
        };
        rows.push(RailRow {
            id: rail.as_str(),
            label: rail.label(),
            paused: state.paused_at.is_some(),
            resting: (state.unhealthy_until > now).then(|| {
                (
                    clock::human(state.unhealthy_until),
                    state.last_error.clone(),
                )
            }),
            cost,
        });
    }
    Ok(rows)
}

async fn kept_rows(conn: &mut crate::db::Conn) -> crate::db::DbResult<Vec<KeptRow>> {
    Ok(webhooks_kept::open(conn, 50)
        .await?
        .into_iter()
        .map(|k| KeptRow {
            id: k.id,
            provider: k.provider,
            received: clock::human(k.received_at),
            error: k.error,
            raw: k.raw,
        })
        .collect())
}

/// What the page says after an attach (`done` = the order's code) or a credit to saldo.
fn flash(done: &str) -> String {
    if done == "saldo" {
        "Pembayaran dimasukkan ke saldo pelanggan; pelanggan dikabari.".to_string()
    } else {
        format!(
            "Pembayaran dicocokkan ke {}.",
            done.chars().take(20).collect::<String>()
        )
    }
}

pub(crate) async fn payments_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<PaymentsQuery>,
) -> PageResult {
    let done = DoneQuery { done: q.done };
    let rail = q
        .rail
        .as_deref()
        .and_then(madd_domain::RailId::parse)
        .map(madd_domain::RailId::as_str);
    let mut conn = app.db.read().await?;
    let rails = rail_rows(&app, &mut conn).await?;
    let kept = kept_rows(&mut conn).await?;
    let list = payments::list(&mut conn, None, rail, 200).await?;
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
            provider: p.provider.clone(),
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
        flash: done.done.map(|code| flash(&code)),
        payments: rows,
        rails,
        rail: rail.unwrap_or_default().to_string(),
        kept,
    }))
}

#[derive(Deserialize)]
pub(crate) struct RailForm {
    #[serde(default)]
    csrf_token: String,
    /// `pause` or `resume`.
    #[serde(default)]
    action: String,
}

/// The seller pauses a rail (no new payments are made there; those shown stay payable) or
/// resumes it.
pub(crate) async fn rail_switch(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(rail): Path<String>,
    Form(f): Form<RailForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let rail = madd_domain::RailId::parse(&rail)
        .filter(|r| app.rails.uses(*r))
        .ok_or_else(|| {
            crate::error::AppError::not_found("rail_not_configured", "Jalur pembayaran")
        })?;
    let now = app.now_ms();
    let paused_at = (f.action == "pause").then_some(now);
    let mut conn = app.db.write().await?;
    crate::db::payment_attempts::set_paused(&mut conn, rail, paused_at).await?;
    tracing::info!(%rail, paused = paused_at.is_some(), actor = %s.actor(), "payment rail switched");
    Ok(Redirect::to("/admin/payments").into_response())
}

/// The seller has read a kept webhook: it leaves *Perlu tindakan*.
pub(crate) async fn kept_reviewed(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let mut conn = app.db.write().await?;
    if webhooks_kept::mark_reviewed(&mut conn, id, app.now_ms()).await? {
        tracing::info!(id, actor = %s.actor(), "kept webhook reviewed");
    }
    Ok(Redirect::to("/admin/payments#kept").into_response())
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
