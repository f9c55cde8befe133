//! Deposits to the supplier account and the balance they should add up to.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::report::Month;
use madd_domain::{Rupiah, SupplierId};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::supplier_account;
use crate::service::settings;
use crate::web::admin::view::{invalid, parse_day, CsrfForm, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct DepositView {
    at: String,
    method: String,
    amount: String,
    fee: String,
    note: String,
    actor: String,
}

#[derive(Template)]
#[template(path = "admin/deposits.html")]
struct DepositsPage {
    csrf: String,
    /// The supplier shown, and every configured one (tabs: id, label, shown).
    supplier: SupplierId,
    suppliers: Vec<(&'static str, &'static str, bool)>,
    flash: Option<String>,
    balance: String,
    balance_at: String,
    balance_error: Option<String>,
    low: bool,
    threshold: String,
    deposits_total: String,
    charged: String,
    expected: String,
    difference: Option<String>,
    difference_zero: bool,
    methods: Vec<(&'static str, &'static str, String)>,
    deposits: Vec<DepositView>,
    month: String,
}

fn method_label(m: &str) -> String {
    if m == crate::service::deposits::OPENING {
        return "Saldo awal".into();
    }
    settings::DEPOSIT_METHODS
        .iter()
        .find(|(k, _)| *k == m)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| m.to_string())
}

#[derive(Deserialize)]
pub(crate) struct SupplierQuery {
    #[serde(default)]
    supplier: String,
}

/// The supplier a page or form is about: one of the configured, else the first.
fn chosen(app: &App, text: &str) -> SupplierId {
    SupplierId::parse(text)
        .filter(|id| app.suppliers.get(*id).is_some())
        .unwrap_or_else(|| app.suppliers.ids()[0])
}

pub(crate) async fn deposits_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
    Query(which): Query<SupplierQuery>,
) -> PageResult {
    let supplier = chosen(&app, &which.supplier);
    let view = crate::service::balance::balance_view(&app, supplier).await?;
    let rec = crate::service::deposits::reconcile_deposits(&app, supplier).await?;
    let current = settings::current(&app).await?;
    let month = Month::containing(app.now_ms());
    let mut conn = app.db.write().await?;
    let list: Vec<_> = supplier_account::deposits(&mut conn, 0, i64::MAX)
        .await?
        .into_iter()
        .filter(|d| d.supplier == supplier)
        .collect();
    drop(conn);
    Ok(render(&DepositsPage {
        csrf: s.csrf_token.clone(),
        supplier,
        suppliers: app
            .suppliers
            .ids()
            .into_iter()
            .map(|id| (id.as_str(), id.label(), id == supplier))
            .collect(),
        flash: done.done.map(|d| match d.as_str() {
            "check" => "Cek saldo dijadwalkan; muat ulang sebentar lagi.".to_string(),
            _ => "Deposit dicatat.".to_string(),
        }),
        balance: view
            .known
            .map(|(_, b)| b.display_spaced())
            .unwrap_or_else(|| "belum diketahui".into()),
        balance_at: view
            .known
            .map(|(at, _)| clock::human(at))
            .unwrap_or_default(),
        balance_error: view.last.and_then(|c| c.error),
        low: view.low,
        threshold: view.threshold.display_spaced(),
        deposits_total: rec.deposits.display_spaced(),
        charged: rec.charged.display_spaced(),
        expected: rec.expected.display_spaced(),
        difference_zero: rec.difference == Some(Rupiah::ZERO),
        difference: rec.difference.map(Rupiah::display_spaced),
        methods: settings::DEPOSIT_METHODS
            .iter()
            .map(|(k, l)| {
                let f = current.deposit_fee(k);
                (*k, *l, format!("{} + {}", f.rate, f.fixed.display_spaced()))
            })
            .collect(),
        deposits: list
            .into_iter()
            .rev()
            .map(|d| DepositView {
                at: clock::human(d.at),
                method: method_label(&d.method),
                amount: d.amount.display_spaced(),
                fee: d.fee.display_spaced(),
                note: d.note,
                actor: d.actor,
            })
            .collect(),
        month: month.to_string(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct DepositForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    fee: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    supplier: String,
}

pub(crate) async fn deposit_add(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<DepositForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let amount = Rupiah::parse_typed(&f.amount).map_err(|e| invalid(e.to_string()))?;
    let fee = if f.fee.trim().is_empty() {
        None
    } else {
        Some(Rupiah::parse_typed(&f.fee).map_err(|e| invalid(e.to_string()))?)
    };
    // A date without a time: noon WIB of that day (inside the day whatever the clock says).
    let at = if f.date.trim().is_empty() {
        None
    } else {
        Some(parse_day(&f.date)? + 12 * 60 * 60 * 1000)
    };
    let supplier = chosen(&app, &f.supplier);
    let actor = s.actor();
    let input = crate::service::deposits::DepositInput {
        supplier,
        actor: &actor,
        amount,
        method: &f.method,
        fee,
        at,
        note: &f.note,
    };
    crate::service::deposits::record_deposit(&app, &input).await?;
    Ok(Redirect::to(&format!(
        "/admin/deposits?supplier={}&done=deposit",
        supplier.as_str()
    ))
    .into_response())
}

pub(crate) async fn balance_check(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::balance::request_balance_check(&app).await?;
    Ok(Redirect::to("/admin/deposits?done=check").into_response())
}
