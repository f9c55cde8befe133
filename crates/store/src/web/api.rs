//! The public JSON API (`/api/v1`, store-api.md).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use madd_domain::{Category, GameAccount, ServiceKind, TargetRule};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::app::App;
use crate::clock;
use crate::db::orders::Order;
use crate::db::products::{self, Product};
use crate::error::{AppError, AppResult};
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::orders::{self, CreateOrder};
use crate::service::postpaid;
use crate::web::input::ApiJson;
use crate::web::storefront::view::LOOKUP_WAIT;

#[derive(Serialize)]
pub struct ProductJson {
    pub code: String,
    pub name: String,
    pub brand: String,
    pub category: Category,
    pub price: i64,
    pub available: bool,
    pub target_label: &'static str,
    pub zone_label: Option<&'static str>,
}

impl From<&Product> for ProductJson {
    fn from(p: &Product) -> Self {
        let rule = TargetRule::for_product(p.category, &p.brand);
        ProductJson {
            code: p.code.clone(),
            name: p.name.clone(),
            brand: p.brand.clone(),
            category: p.category,
            price: p.price.amount(),
            available: p.sellable(),
            target_label: rule.target_label(),
            zone_label: rule.zone_label(),
        }
    }
}

pub(crate) async fn list_products(
    State(app): State<App>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    headers: HeaderMap,
) -> AppResult<Response> {
    // Read by hand rather than with `Query`, whose refusals (a repeated or unreadable parameter)
    // are plain-text 400s instead of the API's one error shape.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| AppError::invalid("invalid_query", "query string tidak bisa dibaca"))?;
    let mut categories = pairs.iter().filter(|(k, _)| k == "category").map(|(_, v)| v);
    let (category, again) = (categories.next(), categories.next());
    if again.is_some() {
        return Err(AppError::invalid(
            "invalid_category",
            "category hanya boleh sekali",
        ));
    }
    let category = match category.map(String::as_str).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(c.parse::<Category>().map_err(|_| {
            AppError::invalid(
                "invalid_category",
                "category harus salah satu dari game, pulsa, data, pln, voucher",
            )
        })?),
    };
    let catalogue = crate::service::catalogue_snapshot::current(&app).await?;
    // The list changes only with the catalogue's version: a client that has it gets a 304.
    let etag = format!(
        "\"products-{}-{}\"",
        catalogue.version,
        category.map(Category::as_str).unwrap_or("all")
    );
    let etag_value = HeaderValue::from_str(&etag).map_err(AppError::internal)?;
    let cache = [
        (header::ETAG, etag_value),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    // Built once per catalogue version and category.
    let key = format!(
        "api:products:{}",
        category.map(Category::as_str).unwrap_or("all")
    );
    let body = match catalogue.rendered(&key) {
        Some((_, body)) => body,
        None => {
            // Products with no price yet (postpaid bills) are sold through their inquiry, not
            // listed.
            let products: Vec<ProductJson> = catalogue
                .in_category(category)
                .filter(|p| p.price.is_positive())
                .map(ProductJson::from)
                .collect();
            let body = axum::body::Bytes::from(
                serde_json::to_vec(&serde_json::json!({ "products": products }))
                    .map_err(AppError::internal)?,
            );
            catalogue.remember(key, ("application/json".into(), body.clone()));
            body
        }
    };
    Ok((
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct NicknameRequest {
    product: String,
    target: String,
    zone: Option<String>,
}

pub(crate) async fn check_nickname(
    State(app): State<App>,
    ApiJson(req): ApiJson<NicknameRequest>,
) -> AppResult<impl IntoResponse> {
    let product = {
        let mut conn = app.db.read().await?;
        products::get(&mut conn, req.product.trim()).await?
    }
    .ok_or_else(|| AppError::not_found("product_not_found", "Produk"))?;
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = GameAccount::parse(&rule, &req.target, req.zone.as_deref())
        .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    match nickname::lookup(&app, &rule, &account, Duration::from_secs(10)).await? {
        NicknameAnswer::Found(n) => Ok(Json(serde_json::json!({ "nickname": n }))),
        NicknameAnswer::NotChecked => Err(AppError::invalid(
            "nickname_not_supported",
            "Produk ini tidak memakai cek nickname",
        )),
    }
}

#[derive(Deserialize)]
pub(crate) struct OrderRequest {
    product: String,
    target: String,
    zone: Option<String>,
    whatsapp: String,
    /// `"saldo"`: pay from the signed-in customer's saldo (as much as it covers).
    #[serde(default)]
    pay_with: Option<String>,
    /// A voucher code: its discount comes off the price, its use is reserved with the order.
    #[serde(default)]
    voucher: Option<String>,
}

pub(crate) async fn create_order(
    State(app): State<App>,
    headers: HeaderMap,
    customer: crate::web::customer::Customer,
    ApiJson(req): ApiJson<OrderRequest>,
) -> AppResult<impl IntoResponse> {
    // The signed-in customer's own orders are priced at their tier.
    let buyer = customer.0.clone();
    // Saldo pays only for its owner's own order: checked before anything is created.
    let saldo_owner = match req.pay_with.as_deref() {
        None | Some("") | Some("trakteer") => None,
        Some("saldo") => {
            let owner = customer.required()?;
            let wanted = madd_domain::PhoneNumber::parse(&req.whatsapp).ok();
            if wanted.as_ref() != Some(&owner) {
                return Err(AppError::Forbidden(
                    "saldo pays for orders of the signed-in number only",
                ));
            }
            Some(owner)
        }
        Some(_) => {
            return Err(AppError::invalid(
                "invalid_pay_with",
                "pay_with: \"saldo\" or nothing",
            ))
        }
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (order, created) = orders::create(
        &app,
        CreateOrder {
            product: req.product,
            target: req.target,
            zone: req.zone,
            whatsapp: req.whatsapp,
            idempotency_key: key,
            voucher: req.voucher,
            buyer,
            ..CreateOrder::default()
        },
    )
    .await?;
    let order = match saldo_owner {
        Some(owner) if created => {
            // The order exists either way: an empty or just-spent saldo leaves it to be paid
            // through Trakteer, which the answer's `amount_paid` and `pay_url` show.
            if let Err(e) =
                crate::service::saldo::pay_order(&app, &owner, order.code.as_str()).await
            {
                tracing::info!(order = %order.code, code = e.code(), "saldo did not pay the order");
            }
            orders::get(&app, order.code.as_str()).await?
        }
        _ => order,
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    // The QRIS is made after the order commits: `GET` the order for it.
    Ok((status, Json(order_json(&app, &order, None))))
}

pub(crate) async fn get_order(
    State(app): State<App>,
    Path(code): Path<String>,
) -> AppResult<impl IntoResponse> {
    let order = orders::view(&app, &code).await?;
    let payment = if order.status.accepts_payment() && crate::service::rails::makes_payments(&app) {
        crate::service::rails::current(&app, order.id).await?
    } else {
        None
    };
    Ok(Json(order_json(&app, &order, payment.as_ref())))
}

/// The order as store-api.md shows it (plus a few conveniences).
pub fn order_json(
    app: &App,
    o: &Order,
    payment: Option<&crate::db::payment_attempts::PayAttempt>,
) -> serde_json::Value {
    serde_json::json!({
        "payment": payment.map(|a| serde_json::json!({
            "rail": a.rail.as_str(),
            "state": a.state.as_str(),
            "ref": a.merchant_ref,
            "amount": a.amount.amount(),
            "qr_string": a.qr_string,
            "checkout_url": a.checkout_url,
            "expires_at": clock::rfc3339(a.expires_at),
        })),
        "code": o.code,
        "status": o.status,
        "status_label": o.status.label_id(),
        "product": o.product_code,
        "product_name": o.product_name,
        "target": o.account.target(),
        "zone": o.account.zone(),
        "nickname": o.nickname,
        "price": o.price.amount(),
        "discount": o.discount.amount(),
        "voucher": o.voucher,
        "fee": o.fee.amount(),
        "amount_due": o.amount_due.amount(),
        "amount_paid": o.amount_paid.amount(),
        "shortfall": if o.status.accepts_payment() { o.shortfall().amount() } else { 0 },
        "pay_url": orders::pay_url(app, o),
        "expires_at": clock::rfc3339(o.expires_at),
        "serial_number": o.serial_number,
        "created_at": clock::rfc3339(o.created_at),
        "refund": o.refund_method.as_ref().map(|method| serde_json::json!({
            "method": method,
            "amount": o.refund_amount.map(|a| a.amount()),
        })),
    })
}

#[derive(Deserialize)]
pub(crate) struct QuoteRequest {
    product: String,
    /// The number the order would be for: with a signed-in customer's token, their own number
    /// is priced at their tier; a voucher's per-number limits are checked against it.
    #[serde(default)]
    whatsapp: Option<String>,
    #[serde(default)]
    voucher: Option<String>,
    /// A postpaid bill's customer number (its inquiry decides the amount).
    #[serde(default)]
    target: Option<String>,
}

/// `POST /api/v1/quote`: what an order would cost, line by line — the same figures the
/// confirmation card, the chat and the order itself take from `service::quote`.
pub(crate) async fn quote(
    State(app): State<App>,
    customer: crate::web::customer::Customer,
    ApiJson(req): ApiJson<QuoteRequest>,
) -> AppResult<impl IntoResponse> {
    let product = {
        let mut conn = app.db.read().await?;
        products::get(&mut conn, req.product.trim()).await?
    }
    .filter(|p| p.enabled)
    .ok_or_else(|| AppError::not_found("product_not_found", "Produk"))?;
    let whatsapp = match req
        .whatsapp
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        Some(w) => Some(
            madd_domain::PhoneNumber::parse(w)
                .map_err(|e| AppError::invalid("invalid_whatsapp", e.to_string()))?,
        ),
        None => None,
    };
    let bill = if product.kind == ServiceKind::Postpaid {
        let rule = TargetRule::for_product(product.category, &product.brand);
        let account = GameAccount::parse(&rule, req.target.as_deref().unwrap_or(""), None)
            .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
        Some(postpaid::inquire(&app, &product, account.target(), LOOKUP_WAIT).await?)
    } else {
        None
    };
    let quoted = {
        let mut conn = app.db.read().await?;
        let ask = crate::service::quote::Ask {
            product: &product,
            buyer: customer.0.as_ref(),
            whatsapp: whatsapp.as_ref(),
            voucher: req.voucher.as_deref(),
            bill: bill.as_ref(),
            now: app.now_ms(),
        };
        crate::service::quote::price(&app, &mut conn, &ask).await?
    };
    let q = quoted.quote;
    Ok(Json(serde_json::json!({
        "product": product.code,
        "list_price": q.list.amount(),
        "tier": q.tier,
        "tier_price": q.tier_price.amount(),
        "flash_sale": q.sale.map(|p| serde_json::json!({
            "price": p.amount(),
            "left": quoted.sale_left(),
        })),
        "voucher": quoted.voucher,
        "voucher_discount": q.voucher_discount.amount(),
        "discount": q.discount().amount(),
        "price": q.price.amount(),
        "fee": q.fee.amount(),
        "amount_due": q.amount_due.amount(),
        "units": q.units,
        "bill": bill.map(|b| serde_json::json!({
            "customer_name": b.customer_name,
            "bill": b.bill.amount(),
            "admin": b.admin.amount(),
            "total": b.total.amount(),
        })),
    })))
}

#[derive(Deserialize)]
pub(crate) struct InquiryRequest {
    product: String,
    customer_no: String,
}

/// `POST /api/v1/postpaid/inquiry`: the bill, and what the store charges for paying it.
pub(crate) async fn postpaid_inquiry(
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
    let bill = postpaid::inquire(&app, &product, account.target(), LOOKUP_WAIT).await?;
    let q = {
        let mut conn = app.db.read().await?;
        let ask = crate::service::quote::Ask {
            product: &product,
            buyer: None,
            whatsapp: None,
            voucher: None,
            bill: Some(&bill),
            now: app.now_ms(),
        };
        crate::service::quote::price(&app, &mut conn, &ask)
            .await?
            .quote
    };
    Ok(Json(serde_json::json!({
        "product": product.code,
        "customer_no": account.target(),
        "customer_name": bill.customer_name,
        "bill": bill.bill.amount(),
        "admin": bill.admin.amount(),
        "total": bill.total.amount(),
        "price": q.price.amount(),
        "fee": q.fee.amount(),
        "amount_due": q.amount_due.amount(),
    })))
}

/// The OpenAPI document of `/api/v1` and `/h2h/v1` (`crates/store/assets/openapi.json`;
/// `scripts/check-openapi` holds the running store to it).
const OPENAPI: &str = include_str!("../../assets/openapi.json");

/// `GET /api/openapi.json`.
pub(crate) async fn openapi() -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        OPENAPI,
    )
}
