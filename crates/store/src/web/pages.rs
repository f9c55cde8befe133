//! The storefront: server-rendered HTML that works without JavaScript. Every value that came
//! from a customer or the supplier is escaped by the templates (askama escapes HTML by default).

use std::collections::BTreeMap;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use madd_domain::{Category, GameAccount, PhoneNumber, Quote, TargetRule};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::products::{self, Product};
use crate::error::AppError;
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::orders::{self, CreateOrder};
use crate::web::auth::random_token;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/produk/{slug}", get(brand_page))
        .route("/checkout", axum::routing::post(checkout))
        .route("/order", axum::routing::post(place_order))
        .route("/order/{code}", get(invoice))
        .route("/cek", get(cek_form).post(cek))
        .route("/static/app.css", get(stylesheet))
}

/// An error shown as a page: the same status code and message as the API would give.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        PageError(e.into())
    }
}

impl From<crate::db::DbError> for PageError {
    fn from(e: crate::db::DbError) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    message: String,
    back: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        render_status(
            status,
            &ErrorPage {
                lang: "id",
                message: self.0.public_message(),
                back: "/".into(),
            },
        )
    }
}

type PageResult = Result<Response, PageError>;

pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn initials(brand: &str) -> String {
    brand
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

struct BrandTile {
    slug: String,
    name: String,
    initials: String,
    from_price: String,
    available: bool,
}

struct Group {
    label: &'static str,
    brands: Vec<BrandTile>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    lang: &'static str,
    groups: Vec<Group>,
}

async fn home(State(app): State<App>) -> PageResult {
    let mut conn = app.db.conn().await?;
    let all = products::list(&mut conn, None).await?;
    drop(conn);
    let mut by_cat: BTreeMap<Category, BTreeMap<String, Vec<&Product>>> = BTreeMap::new();
    for p in all.iter().filter(|p| p.enabled && p.price.is_positive()) {
        by_cat
            .entry(p.category)
            .or_default()
            .entry(p.brand.clone())
            .or_default()
            .push(p);
    }
    let groups = Category::ALL
        .iter()
        .filter_map(|c| {
            let brands = by_cat.get(c)?;
            Some(Group {
                label: c.label(),
                brands: brands
                    .iter()
                    .map(|(brand, items)| {
                        let cheapest = items.iter().filter(|p| p.available).map(|p| p.price).min();
                        BrandTile {
                            slug: slug(brand),
                            name: brand.clone(),
                            initials: initials(brand),
                            from_price: cheapest.map(|p| p.display_spaced()).unwrap_or_default(),
                            available: cheapest.is_some(),
                        }
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(render(&Home { lang: "id", groups }))
}

struct NominalView {
    code: String,
    name: String,
    price: String,
    available: bool,
}

#[derive(Template)]
#[template(path = "brand.html")]
struct BrandPage {
    lang: &'static str,
    brand: String,
    target_label: &'static str,
    target_inputmode: &'static str,
    zone_label: Option<&'static str>,
    servers: Vec<(String, String)>,
    hint: &'static str,
    products: Vec<NominalView>,
    selected: String,
    target: String,
    zone: String,
    whatsapp: String,
    error: Option<String>,
}

fn hint_for(rule: &TargetRule) -> &'static str {
    match rule {
        TargetRule::Game { zone: madd_domain::catalog::ZoneRule::Digits { .. }, .. } => {
            "Buka profil di game: User ID dan Zone ID tertulis di bawah nama, contoh 123456789 (2345)."
        }
        TargetRule::Game { zone: madd_domain::catalog::ZoneRule::Server(_), .. } => {
            "UID ada di pojok layar menu Paimon/Phone; pilih server akunmu."
        }
        TargetRule::Game { .. } | TargetRule::FreeText { .. } => "ID ada di halaman profil game.",
        TargetRule::Phone => "Nomor HP tujuan pengisian.",
        TargetRule::PlnCustomer => "Nomor meter (11 digit) atau ID pelanggan (12 digit) di kWh meter atau struk PLN.",
    }
}

async fn brand_products(app: &App, slug_wanted: &str) -> Result<Vec<Product>, PageError> {
    let mut conn = app.db.conn().await?;
    let all = products::list(&mut conn, None).await?;
    let items: Vec<Product> = all
        .into_iter()
        .filter(|p| p.enabled && p.price.is_positive() && slug(&p.brand) == slug_wanted)
        .collect();
    if items.is_empty() {
        return Err(AppError::not_found("product_not_found", "Produk").into());
    }
    Ok(items)
}

#[derive(Default)]
struct FormValues {
    selected: String,
    target: String,
    zone: String,
    whatsapp: String,
    error: Option<String>,
}

fn brand_view(items: &[Product], v: FormValues) -> BrandPage {
    let first = &items[0];
    let rule = TargetRule::for_product(first.category, &first.brand);
    BrandPage {
        lang: "id",
        brand: first.brand.clone(),
        target_label: rule.target_label(),
        target_inputmode: if matches!(rule, TargetRule::FreeText { .. }) {
            "text"
        } else {
            "numeric"
        },
        zone_label: rule.zone_label(),
        servers: rule
            .servers()
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        hint: hint_for(&rule),
        products: items
            .iter()
            .map(|p| NominalView {
                code: p.code.clone(),
                name: p.name.clone(),
                price: p.price.display_spaced(),
                available: p.sellable(),
            })
            .collect(),
        selected: v.selected,
        target: v.target,
        zone: v.zone,
        whatsapp: v.whatsapp,
        error: v.error,
    }
}

async fn brand_page(State(app): State<App>, Path(slug_wanted): Path<String>) -> PageResult {
    let items = brand_products(&app, &slug_wanted).await?;
    Ok(render(&brand_view(&items, FormValues::default())))
}

#[derive(Deserialize)]
struct CheckoutForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    target: String,
    zone: Option<String>,
    #[serde(default)]
    whatsapp: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    lang: &'static str,
    nickname: Option<String>,
    target_label: &'static str,
    account: String,
    product_name: String,
    product_code: String,
    brand_slug: String,
    price: String,
    fee: String,
    total: String,
    whatsapp_masked: String,
    target: String,
    zone: String,
    whatsapp: String,
    idempotency_key: String,
}

/// Step 2 of the purchase: everything is checked (the nickname too) and shown before paying.
async fn checkout(State(app): State<App>, Form(f): Form<CheckoutForm>) -> PageResult {
    let product = {
        let mut conn = app.db.conn().await?;
        products::get(&mut conn, f.product.trim()).await?
    };
    let Some(product) = product else {
        return Err(AppError::invalid("product_required", "Pilih nominal terlebih dahulu.").into());
    };
    let items = brand_products(&app, &slug(&product.brand)).await?;
    let again = |error: String| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &brand_view(
                &items,
                FormValues {
                    selected: f.product.clone(),
                    target: f.target.clone(),
                    zone: f.zone.clone().unwrap_or_default(),
                    whatsapp: f.whatsapp.clone(),
                    error: Some(error),
                },
            ),
        )
    };
    if !product.sellable() {
        return Ok(again(format!(
            "{} sedang kosong. Pilih nominal lain.",
            product.name
        )));
    }
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = match GameAccount::parse(&rule, &f.target, f.zone.as_deref()) {
        Ok(a) => a,
        Err(e) => return Ok(again(e.to_string())),
    };
    let phone = match PhoneNumber::parse(&f.whatsapp) {
        Ok(p) => p,
        Err(e) => return Ok(again(e.to_string())),
    };
    let nickname = match nickname::lookup(&app, &rule, &account, Duration::from_secs(10)).await {
        Ok(NicknameAnswer::Found(n)) => Some(n),
        Ok(NicknameAnswer::NotChecked) => None,
        Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => {
            return Ok(again(e.public_message()))
        }
        Err(e) => return Err(e.into()),
    };
    let quote = Quote::new(
        product.price,
        &crate::service::settings::current(&app).await?.customer_fee,
        app.payment.unit_price(),
    );
    Ok(render(&ConfirmPage {
        lang: "id",
        nickname,
        target_label: rule.target_label(),
        account: account.to_string(),
        product_name: product.name.clone(),
        product_code: product.code.clone(),
        brand_slug: slug(&product.brand),
        price: quote.price.display_spaced(),
        fee: quote.fee.display_spaced(),
        total: quote.amount_due.display_spaced(),
        whatsapp_masked: phone.masked(),
        target: account.target().to_string(),
        zone: account.zone().unwrap_or_default().to_string(),
        whatsapp: phone.local(),
        // One key per confirmation page: a double tap creates one order.
        idempotency_key: random_token(),
    }))
}

#[derive(Deserialize)]
struct OrderForm {
    product: String,
    target: String,
    zone: Option<String>,
    whatsapp: String,
    idempotency_key: Option<String>,
}

async fn place_order(State(app): State<App>, Form(f): Form<OrderForm>) -> PageResult {
    let (order, _) = orders::create(
        &app,
        CreateOrder {
            product: f.product,
            target: f.target,
            zone: f.zone.filter(|z| !z.trim().is_empty()),
            whatsapp: f.whatsapp,
            idempotency_key: f.idempotency_key,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/order/{}", order.code)).into_response())
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    lang: &'static str,
    code: String,
    status: &'static str,
    status_label: &'static str,
    product_name: String,
    account: String,
    nickname: Option<String>,
    amount_due: String,
    amount_paid: String,
    shortfall: Option<String>,
    awaiting: bool,
    expires: String,
    serial: Option<String>,
    pay_url: Option<String>,
    refresh: bool,
}

async fn invoice(State(app): State<App>, Path(code): Path<String>) -> PageResult {
    let order = orders::get(&app, &code).await?;
    let awaiting = order.status.accepts_payment();
    Ok(render(&InvoicePage {
        lang: "id",
        code: order.code.to_string(),
        status: order.status.as_str(),
        status_label: order.status.label_id(),
        product_name: order.product_name.clone(),
        account: order.account.to_string(),
        nickname: order.nickname.clone(),
        amount_due: order.amount_due.display_spaced(),
        amount_paid: order.amount_paid.display_spaced(),
        shortfall: (order.status == madd_domain::OrderStatus::Underpaid)
            .then(|| order.shortfall().display_spaced()),
        awaiting,
        expires: clock::human(order.expires_at),
        serial: order.serial_number.clone(),
        pay_url: orders::pay_url(&app, &order),
        refresh: !order.status.is_final() && order.status != madd_domain::OrderStatus::Failed,
    }))
}

#[derive(Template)]
#[template(path = "cek.html")]
struct CekPage {
    lang: &'static str,
    code: String,
    error: Option<String>,
}

async fn cek_form() -> Response {
    render(&CekPage {
        lang: "id",
        code: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
struct CekForm {
    code: String,
    last4: String,
}

/// Looking an order up needs its code and the last four digits of its WhatsApp number, so a
/// mistyped code does not show a stranger's order.
async fn cek(State(app): State<App>, Form(f): Form<CekForm>) -> PageResult {
    let not_found = || {
        render_status(
            StatusCode::NOT_FOUND,
            &CekPage {
                lang: "id",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Mobile Legends B"), "mobile-legends-b");
        assert_eq!(slug("PUBGM INDO  A"), "pubgm-indo-a");
        assert_eq!(slug("by.U"), "by-u");
        assert_eq!(initials("Mobile Legends B"), "ML");
    }
}
