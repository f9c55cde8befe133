//! Flash sales: the seller sets a price, a window and a stock for one product.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::Rupiah;
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::flash_sales;
use crate::web::admin::view::{invalid, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct SaleView {
    id: i64,
    product: String,
    price: String,
    window: String,
    sold: String,
    state: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/flash_sales.html")]
struct FlashSalesPage {
    csrf: String,
    flash: Option<String>,
    sales: Vec<SaleView>,
    picker: Vec<(String, String)>,
}

pub(crate) async fn flash_sales_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let now = app.now_ms();
    let mut conn = app.db.read().await?;
    // Running, to come, and those that ended in the last week.
    let list = flash_sales::since(&mut conn, now - 7 * 24 * 60 * 60 * 1000).await?;
    let picker = crate::web::admin::view::product_picker(&mut conn).await?;
    drop(conn);
    Ok(render(&FlashSalesPage {
        csrf: s.csrf_token.clone(),
        picker,
        flash: done.done.map(|d| match d.as_str() {
            "off" => "Flash sale dihentikan.".to_string(),
            _ => "Flash sale dibuat.".to_string(),
        }),
        sales: list
            .into_iter()
            .map(|f| SaleView {
                id: f.id,
                product: f.product_code.clone(),
                price: f.price.display_spaced(),
                window: format!(
                    "{} – {}",
                    clock::human(f.starts_at),
                    clock::human(f.ends_at)
                ),
                sold: format!("{} / {}", f.taken, f.stock),
                state: if !f.active {
                    "dihentikan"
                } else if f.running(now) && f.left() == 0 {
                    "habis"
                } else if f.running(now) {
                    "berjalan"
                } else if f.starts_at > now {
                    "akan datang"
                } else {
                    "selesai"
                },
                active: f.active && f.ends_at > now,
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct SaleForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    stock: String,
    /// Starts in this many minutes (empty: now).
    #[serde(default)]
    starts_in_minutes: String,
    #[serde(default)]
    hours: String,
}

fn number(text: &str, what: &str, default: i64) -> Result<i64, crate::web::page::PageError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(default);
    }
    t.parse::<i64>()
        .map_err(|_| invalid(format!("{what}: '{t}' bukan angka")))
}

pub(crate) async fn flash_sale_add(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<SaleForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let price = Rupiah::parse_typed(&f.price).map_err(|e| invalid(e.to_string()))?;
    let stock = number(&f.stock, "Stok", 0)?;
    let starts_in = number(&f.starts_in_minutes, "Mulai", 0)?.max(0);
    let hours = number(&f.hours, "Lama", 2)?;
    if !(1..=24 * 14).contains(&hours) {
        return Err(invalid("Lama flash sale: 1 jam sampai 14 hari"));
    }
    let starts_at = app.now_ms() + starts_in * 60_000;
    let actor = s.actor();
    let sale = crate::service::flash_sales::NewFlashSale {
        product_code: &f.product,
        price,
        starts_at,
        ends_at: starts_at + hours * 60 * 60 * 1000,
        stock,
        actor: &actor,
    };
    crate::service::flash_sales::create(&app, &sale).await?;
    Ok(Redirect::to("/admin/flash-sales?done=created").into_response())
}

#[derive(Deserialize)]
pub(crate) struct StopForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    id: i64,
}

pub(crate) async fn flash_sale_stop(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<StopForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let mut conn = app.db.write().await?;
    if !flash_sales::set_active(&mut conn, f.id, false).await? {
        return Err(crate::error::AppError::not_found("flash_sale_not_found", "Flash sale").into());
    }
    drop(conn);
    app.catalogue.invalidate();
    Ok(Redirect::to("/admin/flash-sales?done=off").into_response())
}
