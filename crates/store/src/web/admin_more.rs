//! More dashboard actions: syncing the catalogue from the products page (a queued job, never a
//! supplier call in the request) and giving an overpayment back from the order page. Registered
//! through [`crate::web::admin::table`], so the access and CSRF tests cover these routes too.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use madd_domain::Rupiah;
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::orders::Order;
use crate::error::AppError;
use crate::service::catalog_sync::{self, Requested};
use crate::service::overpayment;
use crate::web::admin::RouteTable;
use crate::web::auth::AdminSession;
use crate::web::page::PageError;

type PageResult = Result<Response, PageError>;

pub fn register(t: RouteTable) -> RouteTable {
    t.post("/products/sync", sync_now)
        .post("/orders/{code}/overpayment", overpayment_return)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

async fn sync_now(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let done = match catalog_sync::request(&app).await? {
        Requested::Queued => "sync",
        Requested::AlreadyRunning => "sync-running",
    };
    tracing::info!(actor = %s.actor(), done, "catalogue sync requested");
    Ok(Redirect::to(&format!("/admin/products?done={done}")).into_response())
}

/// The products page's sync box.
pub struct SyncView {
    /// When the last run finished, `None` before the first.
    pub last_at: Option<String>,
    pub total: i64,
    pub available: i64,
    pub unavailable: i64,
    pub error: Option<String>,
    /// When the next run is due.
    pub next_at: Option<String>,
    /// A run is due now or running.
    pub busy: bool,
}

pub async fn sync_view(app: &App) -> Result<SyncView, PageError> {
    let status = catalog_sync::status(app).await?;
    let now = app.now_ms();
    let last = status.last;
    Ok(SyncView {
        last_at: last.as_ref().map(|r| clock::human(r.finished_at)),
        total: last.as_ref().map(|r| r.total).unwrap_or_default(),
        available: last.as_ref().map(|r| r.available).unwrap_or_default(),
        unavailable: last
            .as_ref()
            .map(|r| r.total - r.available)
            .unwrap_or_default(),
        error: last.and_then(|r| r.error),
        next_at: status.next.map(|(at, _)| clock::human(at)),
        busy: status
            .next
            .is_some_and(|(at, running)| running || at <= now),
    })
}

pub fn sync_flash(done: &str) -> Option<String> {
    match done {
        "sync" => {
            Some("Sinkron katalog dijadwalkan; muat ulang sebentar lagi untuk hasilnya.".into())
        }
        "sync-running" => Some("Sinkron katalog sedang berjalan; muat ulang sebentar lagi.".into()),
        _ => None,
    }
}

/// The order page's overpayment box.
pub struct OverpaidView {
    pub overpaid: String,
    pub returned: String,
    pub returned_any: bool,
    pub open: String,
    /// The form is shown (something is left to give back and the order allows it).
    pub can_return: bool,
    pub methods: &'static [(&'static str, &'static str)],
}

/// `None` when the order was not overpaid.
pub async fn overpaid_view(app: &App, order: &Order) -> Result<Option<OverpaidView>, PageError> {
    let over = overpayment::of_order(app, order.id).await?;
    if over.overpaid == Rupiah::ZERO {
        return Ok(None);
    }
    Ok(Some(OverpaidView {
        overpaid: over.overpaid.display_spaced(),
        returned: over.returned.display_spaced(),
        returned_any: over.returned != Rupiah::ZERO,
        open: over.open().display_spaced(),
        can_return: overpayment::returnable(order.status) && over.open() != Rupiah::ZERO,
        methods: overpayment::METHODS,
    }))
}

#[derive(Deserialize)]
struct ReturnForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

fn parse_rupiah(text: &str) -> Result<Rupiah, PageError> {
    let digits: String = text
        .trim()
        .trim_start_matches("Rp")
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '_'))
        .collect();
    digits.parse::<i64>().map(Rupiah::new).map_err(|_| {
        AppError::invalid(
            "invalid_refund_amount",
            format!("'{text}' bukan angka rupiah"),
        )
        .into()
    })
}

async fn overpayment_return(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<ReturnForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let amount = parse_rupiah(&f.amount)?;
    overpayment::give_back(&app, &code, &s.actor(), &f.method, amount, &f.note).await?;
    let order = crate::service::orders::get(&app, &code).await?;
    Ok(Redirect::to(&format!("/admin/orders/{}?done=overpaid", order.code)).into_response())
}
