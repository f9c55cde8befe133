//! The storefront: server-rendered HTML that works without JavaScript (`web::assets`' script only
//! enhances it). Every value that came from a customer or the supplier is escaped by the
//! templates (askama escapes HTML by default; no `|safe` anywhere on such data).

use std::collections::BTreeMap;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use madd_domain::storefront::{self as shopfront, NominalGroup};
use madd_domain::{
    Category, GameAccount, OrderStatus, PhoneNumber, Quote, ServiceKind, TargetRule,
};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::products::{self, Product};
use crate::db::storefront as shop_db;
use crate::error::AppError;
use crate::service::catalogue_snapshot::{self, Catalogue};
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::orders::{self, CreateOrder};
use crate::web::auth::random_token;
use crate::web::closed::Closed;
use crate::web::i18n::{self, Lang, Texts};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/produk/{slug}", get(brand_page))
        .route("/checkout", post(checkout))
        .route("/order", post(place_order))
        .route("/order/{code}", get(invoice))
        .route("/cek", get(cek_form).post(cek))
        .route("/static/{file}", get(crate::web::assets::serve))
        .merge(crate::web::shop::routes())
}

/// How long a page waits for a nickname or bill answer from the worker.
const LOOKUP_WAIT: Duration = Duration::from_secs(10);

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
    t: &'static Texts,
    closed: bool,
    message: String,
    back: String,
}

/// The English text of an error page, kept on the response so [`localise_errors`] can show the
/// page in English to a visitor who chose it (an error has no access to the request).
#[derive(Clone)]
struct EnglishError(String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let mut response = render_status(
            status,
            &ErrorPage {
                t: &i18n::ID,
                // Shown from the message itself when it is the closed store refusing an order.
                closed: false,
                message: self.0.public_message(),
                back: "/".into(),
            },
        );
        if let Some(secs) = self.0.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
            .extensions_mut()
            .insert(EnglishError(i18n::app_error(&i18n::EN, &self.0)));
        response
    }
}

/// Shows error pages in English to visitors who switched the store to English.
pub async fn localise_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Lang(t) = Lang::from_cookie_header(
        request
            .headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(request).await;
    match response.extensions().get::<EnglishError>() {
        Some(EnglishError(message)) if t.code == "en" => {
            let mut english = render_status(
                response.status(),
                &ErrorPage {
                    t,
                    closed: false,
                    message: message.clone(),
                    back: "/".into(),
                },
            );
            if let Some(wait) = response.headers().get(header::RETRY_AFTER) {
                english
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.clone());
            }
            english
        }
        _ => response,
    }
}

pub type PageResult = Result<Response, PageError>;

/// A page (or answer) built from the catalogue snapshot alone — nothing per visitor but what
/// `key` names (language, closed flag, …) — is built once per catalogue version and then served
/// from memory: the storefront's busiest pages cost no query and no template run.
pub async fn from_snapshot<F, Fut>(app: &App, key: String, build: F) -> PageResult
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    let catalogue = catalogue_snapshot::current(app).await?;
    if let Some((content_type, body)) = catalogue.rendered(&key) {
        return Ok(([(header::CONTENT_TYPE, content_type)], body).into_response());
    }
    let response = build().await?;
    if response.status() != StatusCode::OK {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|e| AppError::Internal(format!("reading a built page: {e}")))?;
    if let Some(content_type) = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        catalogue.remember(key, (content_type.to_string(), bytes.clone()));
    }
    Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
}

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

pub fn initials(brand: &str) -> String {
    brand
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// Every product a customer may see (postpaid bills have no list price: sold through inquiry).
pub async fn listed(app: &App) -> Result<Vec<Product>, PageError> {
    Ok(catalogue_snapshot::current(app)
        .await?
        .listed()
        .cloned()
        .collect())
}

pub struct BrandTile {
    pub href: String,
    pub art: String,
    pub name: String,
    pub from_price: String,
    pub available: bool,
    /// Lower-case words the search box matches (brand and product names).
    pub search: String,
}

pub struct Group {
    pub id: &'static str,
    pub label: &'static str,
    pub tiles: Vec<BrandTile>,
}

pub struct PopularView {
    pub href: String,
    pub art: String,
    pub brand: String,
    pub name: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    t: &'static Texts,
    closed: bool,
    q: String,
    groups: Vec<Group>,
    popular: Vec<PopularView>,
    empty: bool,
}

#[derive(Deserialize, Default)]
struct HomeQuery {
    #[serde(default)]
    q: String,
}

fn tile(href: String, art: &str, name: &str, items: &[&Product], t: &Texts) -> BrandTile {
    let cheapest = items.iter().filter(|p| p.sellable()).map(|p| p.price).min();
    let mut search = name.to_lowercase();
    for p in items {
        search.push(' ');
        search.push_str(&p.name.to_lowercase());
    }
    BrandTile {
        href,
        art: format!("/art/{art}.svg"),
        name: name.to_string(),
        from_price: cheapest
            .map(|p| format!("{} {}", t.from, p.display_spaced()))
            .unwrap_or_else(|| t.out_of_stock.to_string()),
        available: cheapest.is_some(),
        search,
    }
}

async fn home(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Query(q): Query<HomeQuery>,
) -> PageResult {
    if q.q.trim().is_empty() {
        let key = format!("home:{}:{closed}", t.code);
        let app2 = app.clone();
        return from_snapshot(&app, key, || home_page(app2, t, closed, q)).await;
    }
    home_page(app, t, closed, q).await
}

async fn home_page(
    app: App,
    t: &'static crate::web::i18n::Texts,
    closed: bool,
    q: HomeQuery,
) -> PageResult {
    let all = listed(&app).await?;
    let mut by_cat: BTreeMap<Category, BTreeMap<String, Vec<&Product>>> = BTreeMap::new();
    for p in &all {
        by_cat
            .entry(p.category)
            .or_default()
            .entry(p.brand.clone())
            .or_default()
            .push(p);
    }
    let brand_tiles = |c: Category| -> Vec<BrandTile> {
        by_cat
            .get(&c)
            .map(|brands| {
                brands
                    .iter()
                    .map(|(brand, items)| {
                        tile(
                            format!("/produk/{}", slug(brand)),
                            &slug(brand),
                            brand,
                            items,
                            t,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let phone_items: Vec<&Product> = all
        .iter()
        .filter(|p| matches!(p.category, Category::Pulsa | Category::Data))
        .collect();
    let token_items: Vec<&Product> = all
        .iter()
        .filter(|p| p.category == Category::Pln && p.kind != ServiceKind::Postpaid)
        .collect();
    let mut pln = Vec::new();
    if !token_items.is_empty() {
        pln.push(tile(
            format!("/produk/{}", slug(&token_items[0].brand)),
            "token-pln",
            t.token_tile,
            &token_items,
            t,
        ));
    }
    let bill = postpaid_product(&*catalogue_snapshot::current(&app).await?);
    if let Some(b) = &bill {
        pln.push(BrandTile {
            href: "/pln/tagihan".into(),
            art: "/art/tagihan-pln.svg".into(),
            name: t.bill_tile.into(),
            from_price: String::new(),
            available: b.sellable(),
            search: format!("tagihan pln pascabayar bill {}", b.name.to_lowercase()),
        });
    }
    let pulsa = if phone_items.is_empty() {
        vec![]
    } else {
        vec![tile(
            "/pulsa".into(),
            "pulsa",
            t.pulsa_tile,
            &phone_items,
            t,
        )]
    };
    let mut groups = vec![
        Group {
            id: "game",
            label: t.cat_games,
            tiles: brand_tiles(Category::Game),
        },
        Group {
            id: "pulsa",
            label: t.cat_pulsa,
            tiles: pulsa,
        },
        Group {
            id: "pln",
            label: t.cat_pln,
            tiles: pln,
        },
        Group {
            id: "voucher",
            label: t.cat_voucher,
            tiles: brand_tiles(Category::Voucher),
        },
    ];
    let q_norm = q.q.trim().to_lowercase();
    if !q_norm.is_empty() {
        for g in &mut groups {
            g.tiles.retain(|b| b.search.contains(&q_norm));
        }
    }
    groups.retain(|g| !g.tiles.is_empty());
    let popular = popular(&app, &all).await?;
    Ok(render(&Home {
        t,
        closed,
        q: q.q.trim().to_string(),
        empty: all.is_empty(),
        groups,
        popular: if q_norm.is_empty() { popular } else { vec![] },
    }))
}

pub fn postpaid_product(catalogue: &Catalogue) -> Option<Product> {
    catalogue
        .in_category(Some(Category::Pln))
        .find(|p| p.kind == ServiceKind::Postpaid && p.enabled)
        .cloned()
}

/// The most ordered products of the last 30 days; before there are orders, the cheapest
/// item of the first game brands.
async fn popular(app: &App, all: &[Product]) -> Result<Vec<PopularView>, PageError> {
    let codes = catalogue_snapshot::current(app)
        .await?
        .popular_codes
        .clone();
    let mut picked: Vec<&Product> = codes
        .iter()
        .filter_map(|c| all.iter().find(|p| &p.code == c && p.sellable()))
        .collect();
    if picked.len() < 6 {
        let mut seen: Vec<&str> = picked.iter().map(|p| p.brand.as_str()).collect();
        for p in all
            .iter()
            .filter(|p| p.category == Category::Game && p.sellable())
        {
            if picked.len() >= 6 {
                break;
            }
            if !seen.contains(&p.brand.as_str()) {
                seen.push(&p.brand);
                picked.push(p);
            }
        }
    }
    Ok(picked
        .into_iter()
        .map(|p| PopularView {
            href: format!("/produk/{}?pilih={}", slug(&p.brand), p.code),
            art: format!("/art/{}.svg", slug(&p.brand)),
            brand: p.brand.clone(),
            name: p.name.clone(),
            price: p.price.display_spaced(),
        })
        .collect())
}

pub struct NominalView {
    pub code: String,
    pub name: String,
    pub price: String,
    pub available: bool,
}

pub struct NominalGroupView {
    pub label: &'static str,
    pub items: Vec<NominalView>,
}

#[derive(Template)]
#[template(path = "brand.html")]
struct BrandPage {
    t: &'static Texts,
    closed: bool,
    brand: String,
    art: String,
    target_label: &'static str,
    target_inputmode: &'static str,
    min_digits: usize,
    zone_label: Option<&'static str>,
    servers: Vec<(String, String)>,
    hint: &'static str,
    nickname_checked: bool,
    probe: String,
    groups: Vec<NominalGroupView>,
    selected: String,
    target: String,
    zone: String,
    whatsapp: String,
    error: Option<String>,
}

fn hint_for(rule: &TargetRule, t: &Texts) -> &'static str {
    use madd_domain::catalog::ZoneRule;
    let en = t.code == "en";
    match rule {
        TargetRule::Game { zone: ZoneRule::Digits { .. }, .. } if en => {
            "Open your profile in the game: the User ID and Zone ID are under your name, e.g. 123456789 (2345)."
        }
        TargetRule::Game { zone: ZoneRule::Digits { .. }, .. } => {
            "Buka profil di game: User ID dan Zone ID tertulis di bawah nama, contoh 123456789 (2345)."
        }
        TargetRule::Game { zone: ZoneRule::Server(_), .. } if en => {
            "The UID is in a corner of the Paimon/Phone menu; pick your account's server."
        }
        TargetRule::Game { zone: ZoneRule::Server(_), .. } => {
            "UID ada di pojok layar menu Paimon/Phone; pilih server akunmu."
        }
        TargetRule::Game { .. } | TargetRule::FreeText { .. } if en => "The ID is on your in-game profile page.",
        TargetRule::Game { .. } | TargetRule::FreeText { .. } => "ID ada di halaman profil game.",
        TargetRule::Phone if en => "The phone number to top up.",
        TargetRule::Phone => "Nomor HP tujuan pengisian.",
        TargetRule::PlnCustomer if en => {
            "Meter number (11 digits) or customer ID (12 digits), on the kWh meter or a PLN receipt."
        }
        TargetRule::PlnCustomer => {
            "Nomor meter (11 digit) atau ID pelanggan (12 digit) di kWh meter atau struk PLN."
        }
    }
}

/// Groups a product list into the rows of the nominal grid.
pub fn nominal_groups(items: &[Product], t: &Texts) -> Vec<NominalGroupView> {
    let en = t.code == "en";
    let mut groups: BTreeMap<(u8, &'static str), Vec<NominalView>> = BTreeMap::new();
    for p in items {
        let (rank, label) = match p.category {
            Category::Game => {
                let g = NominalGroup::of(&p.name);
                (g as u8, if en { g.label_en() } else { g.label_id() })
            }
            Category::Pulsa => (0, t.pulsa),
            Category::Data => (1, t.data),
            Category::Pln => (0, t.token_tile),
            Category::Voucher => (0, "Voucher"),
        };
        groups.entry((rank, label)).or_default().push(NominalView {
            code: p.code.clone(),
            name: p.name.clone(),
            price: p.price.display_spaced(),
            available: p.sellable(),
        });
    }
    groups
        .into_iter()
        .map(|((_, label), items)| NominalGroupView { label, items })
        .collect()
}

async fn brand_products(app: &App, slug_wanted: &str) -> Result<Vec<Product>, PageError> {
    let items: Vec<Product> = listed(app)
        .await?
        .into_iter()
        .filter(|p| slug(&p.brand) == slug_wanted && p.kind != ServiceKind::Postpaid)
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

fn brand_view(items: &[Product], v: FormValues, t: &'static Texts, closed: bool) -> BrandPage {
    let first = &items[0];
    let rule = TargetRule::for_product(first.category, &first.brand);
    let min_digits = match &rule {
        TargetRule::Game { min_digits, .. } => *min_digits,
        TargetRule::FreeText { .. } => 3,
        TargetRule::Phone => 10,
        TargetRule::PlnCustomer => 11,
    };
    BrandPage {
        t,
        closed,
        brand: first.brand.clone(),
        art: format!("/art/{}.svg", slug(&first.brand)),
        target_label: rule.target_label(),
        target_inputmode: if matches!(rule, TargetRule::FreeText { .. }) {
            "text"
        } else {
            "numeric"
        },
        min_digits,
        zone_label: rule.zone_label(),
        servers: rule
            .servers()
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        hint: hint_for(&rule, t),
        nickname_checked: rule.nickname_code().is_some(),
        probe: items
            .iter()
            .find(|p| p.sellable())
            .unwrap_or(first)
            .code
            .clone(),
        groups: nominal_groups(items, t),
        selected: v.selected,
        target: v.target,
        zone: v.zone,
        whatsapp: v.whatsapp,
        error: v.error,
    }
}

#[derive(Deserialize, Default)]
struct BrandQuery {
    #[serde(default)]
    pilih: String,
}

async fn brand_page(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Path(slug_wanted): Path<String>,
    Query(q): Query<BrandQuery>,
) -> PageResult {
    let build = |app: App, slug: String, selected: String| async move {
        let items = brand_products(&app, &slug).await?;
        Ok(render(&brand_view(
            &items,
            FormValues {
                selected,
                ..FormValues::default()
            },
            t,
            closed,
        )))
    };
    if q.pilih.is_empty() {
        // Only a brand that exists is built (and so kept): an unknown slug answers 404.
        let key = format!("brand:{slug_wanted}:{}:{closed}", t.code);
        let app2 = app.clone();
        return from_snapshot(&app, key, || build(app2, slug_wanted, String::new())).await;
    }
    build(app, slug_wanted, q.pilih).await
}

#[derive(Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub target: String,
    pub zone: Option<String>,
    #[serde(default)]
    pub whatsapp: String,
}

/// A bill's lines on the confirmation card.
pub struct BillLines {
    pub bill: String,
    pub admin: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub t: &'static Texts,
    pub closed: bool,
    pub nickname: Option<String>,
    pub nickname_label: &'static str,
    pub target_label: &'static str,
    pub account: String,
    pub product_name: String,
    pub product_code: String,
    pub back_href: String,
    pub bill: Option<BillLines>,
    pub price: String,
    pub fee: String,
    pub total: String,
    pub whatsapp_masked: String,
    pub target: String,
    pub zone: String,
    pub whatsapp: String,
    pub idempotency_key: String,
    pub same_day: bool,
}

/// Step 2 of the purchase: everything is checked (the nickname or the bill too) and shown
/// before paying.
async fn checkout(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Form(f): Form<CheckoutForm>,
) -> PageResult {
    // A closed store checks no nickname or bill for an order it would refuse anyway.
    crate::service::chat::ensure_open(&app).await?;
    let product = {
        let mut conn = app.db.read().await?;
        products::get(&mut conn, f.product.trim()).await?
    };
    let Some(product) = product.filter(|p| p.enabled) else {
        return Err(AppError::invalid("product_required", "Pilih nominal terlebih dahulu.").into());
    };
    if product.kind == ServiceKind::Postpaid {
        return crate::web::shop::bill_checkout(&app, t, closed, product, f).await;
    }
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
                t,
                closed,
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
        Err(e) => return Ok(again(i18n::account_error(t, &e))),
    };
    let phone = match PhoneNumber::parse(&f.whatsapp) {
        Ok(p) => p,
        Err(e) => return Ok(again(i18n::phone_error(t, &e))),
    };
    let nickname = match nickname::lookup(&app, &rule, &account, LOOKUP_WAIT).await {
        Ok(NicknameAnswer::Found(n)) => Some(n),
        Ok(NicknameAnswer::NotChecked) => None,
        Err(e @ (AppError::NotFound { .. } | AppError::Unavailable { .. })) => {
            return Ok(again(i18n::app_error(t, &e)))
        }
        Err(e) => return Err(e.into()),
    };
    let quote = Quote::new(
        product.price,
        &crate::service::settings::current(&app).await?.customer_fee,
        app.payment.unit_price(),
    );
    let same_day = bought_today(&app, account.target(), &product.code).await?;
    Ok(render(&ConfirmPage {
        t,
        closed,
        nickname,
        nickname_label: t.nickname,
        target_label: rule.target_label(),
        account: account.to_string(),
        product_name: product.name.clone(),
        product_code: product.code.clone(),
        back_href: format!("/produk/{}?pilih={}", slug(&product.brand), product.code),
        bill: None,
        price: quote.price.display_spaced(),
        fee: quote.fee.display_spaced(),
        total: quote.amount_due.display_spaced(),
        whatsapp_masked: phone.masked(),
        target: account.target().to_string(),
        zone: account.zone().unwrap_or_default().to_string(),
        whatsapp: phone.local(),
        // One key per confirmation page: a double tap creates one order.
        idempotency_key: random_token(),
        same_day,
    }))
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Whether the same target bought the same product today (WIB): a likely double purchase.
pub async fn bought_today(app: &App, target: &str, product: &str) -> Result<bool, PageError> {
    let since = madd_domain::time::start_of_day(app.now_ms());
    let mut conn = app.db.read().await?;
    Ok(shop_db::same_target_orders(&mut conn, target, product, since).await? > 0)
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

/// One step of the invoice's status timeline.
pub struct Step {
    pub label: &'static str,
    /// `done`, `now`, `todo` or `bad`.
    pub state: &'static str,
}

/// The timeline the invoice shows for a status: the happy path, bent where the order left it.
pub fn timeline(t: &Texts, status: OrderStatus) -> Vec<Step> {
    use OrderStatus::*;
    let label = |s| i18n::status_label(t, s);
    let path: Vec<(OrderStatus, &'static str)> = match status {
        AwaitingPayment | Paid | Processing | Delivered => vec![
            (AwaitingPayment, "done"),
            (Paid, "done"),
            (Processing, "done"),
            (Delivered, "done"),
        ],
        Underpaid => vec![
            (Underpaid, "bad"),
            (Paid, "todo"),
            (Processing, "todo"),
            (Delivered, "todo"),
        ],
        Expired => vec![(AwaitingPayment, "done"), (Expired, "bad")],
        Failed => vec![
            (AwaitingPayment, "done"),
            (Paid, "done"),
            (Processing, "done"),
            (Failed, "bad"),
        ],
        Refunded => vec![
            (AwaitingPayment, "done"),
            (Paid, "done"),
            (Failed, "done"),
            (Refunded, "done"),
        ],
    };
    let reached = path.iter().position(|(s, _)| *s == status);
    path.iter()
        .enumerate()
        .map(|(i, (s, kind))| Step {
            label: label(*s),
            state: match reached {
                Some(r) if i < r => "done",
                Some(r) if i == r => {
                    if *kind == "bad" {
                        "bad"
                    } else if status == Delivered || status == Refunded {
                        "done"
                    } else {
                        "now"
                    }
                }
                _ => "todo",
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    t: &'static Texts,
    closed: bool,
    code: String,
    status: &'static str,
    status_label: &'static str,
    steps: Vec<Step>,
    product_name: String,
    account: String,
    nickname: Option<String>,
    amount_due: String,
    amount_paid: String,
    amount_paid_raw: i64,
    shortfall: Option<String>,
    awaiting: bool,
    expires: String,
    expires_ms: i64,
    now_ms: i64,
    minutes_left: i64,
    serial: Option<String>,
    token: Option<String>,
    pay_url: Option<String>,
    cs_url: Option<String>,
    live: bool,
}

async fn invoice(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Path(code): Path<String>,
) -> PageResult {
    let order = orders::get(&app, &code).await?;
    let awaiting = order.status.accepts_payment();
    let now = app.now_ms();
    // The CS number comes with the catalogue snapshot (settings move its version).
    let catalogue = catalogue_snapshot::current(&app).await?;
    let cs_url = catalogue.seller_whatsapp.as_ref().map(|seller| {
        let text = format!("{} {}", t.cs_text, order.code);
        format!(
            "https://wa.me/{}?text={}",
            seller.as_str(),
            url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        )
    });
    Ok(render(&InvoicePage {
        t,
        closed,
        code: order.code.to_string(),
        status: order.status.as_str(),
        status_label: i18n::status_label(t, order.status),
        steps: timeline(t, order.status),
        product_name: order.product_name.clone(),
        account: order.account.to_string(),
        nickname: order.nickname.clone(),
        amount_due: order.amount_due.display_spaced(),
        amount_paid: order.amount_paid.display_spaced(),
        amount_paid_raw: order.amount_paid.amount(),
        shortfall: (order.status == OrderStatus::Underpaid)
            .then(|| order.shortfall().display_spaced()),
        awaiting,
        expires: clock::human(order.expires_at),
        expires_ms: order.expires_at,
        now_ms: now,
        minutes_left: ((order.expires_at - now).max(0) + 59_999) / 60_000,
        token: order
            .serial_number
            .as_deref()
            .filter(|_| order.product_code.starts_with("PLN") || order.brand == "PLN")
            .and_then(shopfront::pln_token),
        serial: order.serial_number.clone(),
        pay_url: orders::pay_url(&app, &order),
        cs_url,
        live: !order.status.is_final(),
    }))
}

#[derive(Template)]
#[template(path = "cek.html")]
struct CekPage {
    t: &'static Texts,
    closed: bool,
    code: String,
    error: Option<String>,
}

async fn cek_form(Lang(t): Lang, Closed(closed): Closed) -> Response {
    render(&CekPage {
        t,
        closed,
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
async fn cek(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    Form(f): Form<CekForm>,
) -> PageResult {
    let not_found = || {
        render_status(
            StatusCode::NOT_FOUND,
            &CekPage {
                t,
                closed,
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

    #[test]
    fn timelines() {
        let states = |s| {
            timeline(&i18n::ID, s)
                .into_iter()
                .map(|s| format!("{}:{}", s.label, s.state))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            states(OrderStatus::AwaitingPayment),
            "Menunggu Pembayaran:now Dibayar:todo Diproses:todo Sukses:todo"
        );
        assert_eq!(
            states(OrderStatus::Delivered),
            "Menunggu Pembayaran:done Dibayar:done Diproses:done Sukses:done"
        );
        assert_eq!(
            states(OrderStatus::Underpaid),
            "Kurang Bayar:bad Dibayar:todo Diproses:todo Sukses:todo"
        );
        assert_eq!(
            states(OrderStatus::Expired),
            "Menunggu Pembayaran:done Kedaluwarsa:bad"
        );
    }
}
