//! Storefront pages beyond the game flow: pulsa & data by operator, PLN postpaid bills, the
//! invoice's QR code, product art, the enhancement script and the language switch.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use madd_domain::storefront::brand_is_operator;
use madd_domain::{Category, GameAccount, Operator, PhoneNumber, ServiceKind, TargetRule};
use serde::Deserialize;

use crate::app::App;
use crate::db::products::{self, Product};
use crate::error::{AppError, AppResult};
use crate::service::{orders, postpaid};
use crate::web::api::ApiJson;
use crate::web::auth::random_token;
use crate::web::closed::Closed;
use crate::web::i18n::{self, Lang, Texts};
use crate::web::pages::{
    bought_today, capitalise, listed, nominal_groups, render, render_status, BillLines,
    CheckoutForm, ConfirmPage, NominalGroupView, PageError, PageResult,
};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/pulsa", get(pulsa_page))
        .route("/pln/tagihan", get(bill_page))
        .route("/order/{code}/qr.svg", get(qr_code))
        .route("/art/{name}", get(art))
        .route("/bahasa/{lang}", get(switch_language))
}

/// The API's bill inquiry (mounted under `/api/v1`).
pub fn api_routes() -> Router<App> {
    Router::new().route("/postpaid/inquiry", post(api_inquiry))
}

const LOOKUP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Template)]
#[template(path = "pulsa.html")]
struct PulsaPage {
    t: &'static Texts,
    closed: bool,
    number: String,
    operator: Option<&'static str>,
    error: Option<String>,
    groups: Vec<NominalGroupView>,
    selected: String,
    whatsapp: String,
}

#[derive(Deserialize, Default)]
struct PulsaQuery {
    #[serde(default)]
    nomor: String,
}

/// The products of the number's operator (pulsa and data), recognised by its prefix.
pub fn operator_products(all: Vec<Product>, operator: Operator) -> Vec<Product> {
    all.into_iter()
        .filter(|p| {
            matches!(p.category, Category::Pulsa | Category::Data)
                && brand_is_operator(&p.brand, operator)
        })
        .collect()
}

async fn pulsa_page(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Query(q): Query<PulsaQuery>,
) -> PageResult {
    let number = q.nomor.trim().to_string();
    let mut page = PulsaPage {
        t,
        closed,
        number: number.clone(),
        operator: None,
        error: None,
        groups: vec![],
        selected: String::new(),
        whatsapp: String::new(),
    };
    if number.is_empty() {
        return Ok(render(&page));
    }
    let phone = match PhoneNumber::parse(&number) {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(capitalise(&e.to_string()));
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let Some(operator) = Operator::of(&phone) else {
        page.error = Some(t.operator_unknown.into());
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    page.operator = Some(operator.name());
    page.number = phone.local();
    page.whatsapp = phone.local();
    page.groups = nominal_groups(&operator_products(listed(&app).await?, operator), t);
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "tagihan.html")]
struct BillPage {
    t: &'static Texts,
    closed: bool,
    product_code: String,
    target: String,
    whatsapp: String,
    error: Option<String>,
}

async fn postpaid_product(app: &App) -> Result<Product, PageError> {
    crate::web::pages::postpaid_product(&*crate::service::catalogue_snapshot::current(app).await?)
        .ok_or_else(|| AppError::not_found("product_not_found", "Produk tagihan PLN").into())
}

async fn bill_page(State(app): State<App>, Lang(t): Lang, Closed(closed): Closed) -> PageResult {
    let product = postpaid_product(&app).await?;
    Ok(render(&BillPage {
        t,
        closed,
        product_code: product.code,
        target: String::new(),
        whatsapp: String::new(),
        error: None,
    }))
}

/// `/checkout` for a postpaid bill: the inquiry (through the job queue) decides the amount,
/// shown with the customer's name before paying.
pub async fn bill_checkout(
    app: &App,
    t: &'static Texts,
    closed: bool,
    product: Product,
    f: CheckoutForm,
) -> PageResult {
    let again = |error: String| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &BillPage {
                t,
                closed,
                product_code: product.code.clone(),
                target: f.target.clone(),
                whatsapp: f.whatsapp.clone(),
                error: Some(error),
            },
        )
    };
    if !product.sellable() {
        return Ok(again(format!("{} sedang tidak tersedia.", product.name)));
    }
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = match GameAccount::parse(&rule, &f.target, None) {
        Ok(a) => a,
        Err(e) => return Ok(again(i18n::account_error(t, &e))),
    };
    let phone = match PhoneNumber::parse(&f.whatsapp) {
        Ok(p) => p,
        Err(e) => return Ok(again(i18n::phone_error(t, &e))),
    };
    let quoted = match postpaid::inquire(app, &product, account.target(), LOOKUP_WAIT).await {
        Ok(q) => q,
        Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => {
            return Ok(again(i18n::app_error(t, &e)))
        }
        Err(e) => return Err(e.into()),
    };
    let same_day = bought_today(app, account.target(), &product.code).await?;
    let q = quoted.quote;
    Ok(render(&ConfirmPage {
        t,
        closed,
        nickname: Some(quoted.bill.customer_name.clone()),
        nickname_label: t.customer_name,
        target_label: t.customer_no,
        account: account.to_string(),
        product_name: product.name.clone(),
        product_code: product.code.clone(),
        back_href: "/pln/tagihan".into(),
        bill: Some(BillLines {
            bill: quoted.bill.bill.display_spaced(),
            admin: quoted.bill.admin.display_spaced(),
        }),
        // The store's margin and the customer fee together: what is added to the bill.
        price: (q.amount_due - quoted.bill.total).display_spaced(),
        fee: q.fee.display_spaced(),
        total: q.amount_due.display_spaced(),
        whatsapp_masked: phone.masked(),
        target: account.target().to_string(),
        zone: String::new(),
        whatsapp: phone.local(),
        idempotency_key: random_token(),
        same_day,
    }))
}

#[derive(Deserialize)]
struct InquiryRequest {
    product: String,
    customer_no: String,
}

/// `POST /api/v1/postpaid/inquiry`: the bill, and what the store charges for paying it.
async fn api_inquiry(
    State(app): State<App>,
    ApiJson(req): ApiJson<InquiryRequest>,
) -> AppResult<impl IntoResponse> {
    let product = {
        let mut conn = app.db.read().await?;
        products::get(&mut conn, req.product.trim()).await?
    }
    .filter(|p| p.kind == ServiceKind::Postpaid && p.enabled)
    .ok_or_else(|| AppError::not_found("product_not_found", "Produk tagihan"))?;
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = GameAccount::parse(&rule, &req.customer_no, None)
        .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let q = postpaid::inquire(&app, &product, account.target(), LOOKUP_WAIT).await?;
    Ok(Json(serde_json::json!({
        "product": product.code,
        "customer_no": account.target(),
        "customer_name": q.bill.customer_name,
        "bill": q.bill.bill.amount(),
        "admin": q.bill.admin.amount(),
        "total": q.bill.total.amount(),
        "price": q.quote.price.amount(),
        "fee": q.quote.fee.amount(),
        "amount_due": q.quote.amount_due.amount(),
    })))
}

/// The pay link as a QR code (SVG made here, no outside service), while the order takes money.
async fn qr_code(State(app): State<App>, Path(code): Path<String>) -> AppResult<Response> {
    let order = orders::get(&app, &code).await?;
    let url = orders::pay_url(&app, &order)
        .ok_or_else(|| AppError::not_found("nothing_to_pay", "Tagihan pembayaran"))?;
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Product art made by the store: a gradient tile with the brand's initials, its colours taken
/// from the name (stable, different per brand).
pub fn art_svg(name: &str) -> String {
    let label = match name {
        "pulsa" => "📱".to_string(),
        "token-pln" | "tagihan-pln" | "pln" => "⚡".to_string(),
        _ => crate::web::pages::initials(&name.replace('-', " ")),
    };
    // FNV-1a: a stable hue per name.
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let hue = h % 360;
    let hue2 = (hue + 40) % 360;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 96 96\" width=\"96\" height=\"96\">\
         <defs><linearGradient id=\"g\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">\
         <stop offset=\"0\" stop-color=\"hsl({hue},70%,45%)\"/><stop offset=\"1\" stop-color=\"hsl({hue2},80%,35%)\"/>\
         </linearGradient></defs><rect width=\"96\" height=\"96\" rx=\"22\" fill=\"url(#g)\"/>\
         <circle cx=\"78\" cy=\"18\" r=\"30\" fill=\"#fff\" opacity=\".12\"/>\
         <text x=\"48\" y=\"60\" font-family=\"system-ui,sans-serif\" font-size=\"34\" font-weight=\"800\" \
         fill=\"#fff\" text-anchor=\"middle\">{}</text></svg>",
        escape_xml(&label)
    )
}

async fn art(Path(name): Path<String>) -> Response {
    let Some(stem) = name.strip_suffix(".svg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if stem.is_empty()
        || stem.len() > 60
        || !stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        art_svg(stem),
    )
        .into_response()
}

/// Sets the language cookie and goes back where the visitor was (same-site paths only).
async fn switch_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "en" { "en" } else { "id" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            match (u.host_str(), host) {
                (Some(h), Some(expected)) => {
                    let with_port = match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    };
                    with_port == expected
                }
                _ => false,
            }
        })
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let mut response = Redirect::to(&back).into_response();
    let cookie = format!(
        "{}={lang}; Path=/; Max-Age=31536000; SameSite=Lax",
        i18n::COOKIE
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_is_escaped_svg() {
        let svg = art_svg("mobile-legends-b");
        assert!(svg.starts_with("<svg") && svg.contains(">ML</text>"));
        assert_ne!(art_svg("free-fire"), art_svg("genshin-impact"));
        assert_eq!(escape_xml("<a&\""), "&lt;a&amp;&quot;");
    }
}
