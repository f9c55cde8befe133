//! `/admin/saldo`: what the store owes its customers in saldo (and that the ledger adds up), and
//! the pay-out requests — the open ones first, with how long each has waited.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::cash_outs::{self, CashOutState};
use crate::db::wallets;
use crate::service::saldo;
use crate::web::admin::view::{invalid, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct CashOutView {
    id: i64,
    customer: String,
    amount: String,
    to: String,
    open: bool,
    state: &'static str,
    /// "menunggu 2 jam" while open; the outcome once decided.
    when: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/saldo.html")]
struct SaldoPage {
    csrf: String,
    flash: Option<String>,
    owed: String,
    wrong: usize,
    cash_outs: Vec<CashOutView>,
}

fn waited(ms: i64) -> String {
    format!("menunggu {}", crate::web::admin::view::span_id(ms))
}

pub(crate) async fn saldo_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let now = app.now_ms();
    let mut conn = app.db.read().await?;
    let (wrong, owed) = wallets::audit(&mut conn).await?;
    let list = cash_outs::list(&mut conn, 100).await?;
    drop(conn);
    Ok(render(&SaldoPage {
        csrf: s.csrf_token.clone(),
        flash: done.done.map(|d| match d.as_str() {
            "paid" => "Penarikan ditandai dibayar; saldo dipotong dan pelanggan dikabari.".into(),
            _ => "Penarikan ditolak; pelanggan dikabari, saldonya utuh.".into(),
        }),
        owed: owed.display_spaced(),
        wrong: wrong.len(),
        cash_outs: list
            .into_iter()
            .map(|c| {
                let open = c.state == CashOutState::Requested;
                CashOutView {
                    id: c.id,
                    customer: madd_domain::PhoneNumber::parse(&c.whatsapp)
                        .map(|p| p.grouped())
                        .unwrap_or(c.whatsapp),
                    amount: c.amount.display_spaced(),
                    to: format!(
                        "{} {}",
                        c.method
                            .parse::<madd_domain::RefundMethod>()
                            .map(|m| m.label())
                            .unwrap_or("?"),
                        c.account
                    ),
                    open,
                    state: c.state.label_id(),
                    when: if open {
                        waited(now - c.created_at)
                    } else {
                        c.decided_at.map(clock::human).unwrap_or_default()
                    },
                    detail: if c.state == CashOutState::Paid {
                        c.reference
                    } else {
                        c.reason
                    },
                }
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    reason: String,
    /// The seller's tick: "I have sent the money" (a paid cash-out takes the saldo for good).
    #[serde(default)]
    sent: String,
}

pub(crate) async fn cash_out_paid(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    if f.reference.trim().is_empty() {
        return Err(invalid("Isi nomor referensi transfernya (dari aplikasi bank/e-wallet)"));
    }
    if f.sent != "yes" {
        return Err(invalid("Centang \"Dana sudah saya kirim\" setelah transfer berhasil"));
    }
    saldo::pay_cash_out(&app, id, &f.reference, &s.actor()).await?;
    Ok(Redirect::to("/admin/saldo?done=paid").into_response())
}

pub(crate) async fn cash_out_refused(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    saldo::refuse_cash_out(&app, id, &f.reason, &s.actor()).await?;
    Ok(Redirect::to("/admin/saldo?done=refused").into_response())
}
