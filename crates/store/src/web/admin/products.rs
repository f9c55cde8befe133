//! Products: the catalogue with its prices and stock, switching one off, syncing from VIP, and
//! the storefront's curation (games as customers know them, products' names and order).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::Category;
use serde::Deserialize;

use crate::app::App;
use crate::db::{catalogue_names, offers, products};
use crate::error::AppError;
use crate::service::catalog_sync::{self, Requested};
use crate::service::curation;
use crate::service::pricing::PriceRules;
use crate::web::admin::view::{first_of, group_offers, invalid, non_empty, CsrfForm};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct ProductRowView {
    code: String,
    name: String,
    /// The seller's name for it (empty: the supplier's) and its place on the game's page.
    label: String,
    position: i64,
    brand: String,
    category: &'static str,
    cost: String,
    price: String,
    margin: String,
    rule: String,
    guarded: bool,
    available: bool,
    enabled: bool,
    /// With 2+ offers: "2 penawaran · Digiflazz" (how many, and whose is tried first).
    offers: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/products.html")]
struct ProductsPage {
    csrf: String,
    flash: Option<String>,
    products: Vec<ProductRowView>,
    sync: crate::web::admin::view::SyncView,
    categories: Vec<(&'static str, &'static str)>,
    category: String,
    q: String,
}

#[derive(Deserialize)]
pub(crate) struct ProductsQuery {
    category: Option<String>,
    q: Option<String>,
    done: Option<String>,
}

pub(crate) async fn products_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<ProductsQuery>,
) -> PageResult {
    let category = match non_empty(&q.category) {
        Some(c) => Some(
            c.parse::<Category>()
                .map_err(|_| invalid("Kategori tidak dikenal"))?,
        ),
        None => None,
    };
    let sync = crate::web::admin::view::sync_view(&app).await?;
    let mut conn = app.db.write().await?;
    let rules = PriceRules::load(&mut conn, &app).await?;
    let list = products::list(&mut conn, category).await?;
    let paused = offers::paused(&mut conn).await?;
    let (by_product, _) = group_offers(offers::all(&mut conn).await?);
    drop(conn);
    let configured = app.suppliers.ids();
    let offers_note = |code: &str| {
        let list = by_product.get(code).filter(|l| l.len() >= 2)?;
        Some(match first_of(list, &configured, &paused) {
            Some((supplier, _)) => format!("{} penawaran · {}", list.len(), supplier.label()),
            None => format!("{} penawaran", list.len()),
        })
    };
    let needle = non_empty(&q.q).map(str::to_lowercase);
    let rows = list
        .into_iter()
        .filter(|p| {
            needle.as_ref().is_none_or(|n| {
                p.code.to_lowercase().contains(n)
                    || p.name.to_lowercase().contains(n)
                    || p.label().to_lowercase().contains(n)
                    || p.brand.to_lowercase().contains(n)
                    || p.game().to_lowercase().contains(n)
            })
        })
        .take(500)
        .map(|p| {
            let priced = rules.price(p.cost, p.category, &p.brand, &p.code);
            ProductRowView {
                offers: offers_note(&p.code),
                margin: (rules.rail.cut.net(p.price) - p.cost).display_spaced(),
                label: p.shown.label.clone(),
                position: p.shown.position,
                code: p.code,
                name: p.name,
                brand: p.brand,
                category: p.category.as_str(),
                cost: p.cost.display_spaced(),
                price: p.price.display_spaced(),
                rule: priced.rule,
                guarded: priced.guarded,
                available: p.available,
                enabled: p.enabled,
            }
        })
        .collect();
    Ok(render(&ProductsPage {
        csrf: s.csrf_token.clone(),
        flash: q
            .done
            .as_deref()
            .and_then(crate::web::admin::view::sync_flash),
        products: rows,
        sync,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        category: category.map(|c| c.as_str().to_string()).unwrap_or_default(),
        q: q.q.unwrap_or_default(),
    }))
}

pub(crate) async fn product_toggle(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let mut conn = app.db.write().await?;
    let product = products::get(&mut conn, &code)
        .await?
        .ok_or_else(|| AppError::not_found("product_not_found", "Produk"))?;
    products::set_enabled(&mut conn, &code, !product.enabled).await?;
    app.catalogue.invalidate();
    tracing::info!(%code, enabled = !product.enabled, actor = %s.actor(), "product toggled");
    Ok(Redirect::to("/admin/products").into_response())
}

pub(crate) async fn sync_now(
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

#[derive(Deserialize)]
pub(crate) struct ProductNameForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    position: String,
}

/// A product's name and place on its game's page.
pub(crate) async fn product_name(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<ProductNameForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    curation::set_product(&app, &code, &f.label, &f.position).await?;
    tracing::info!(%code, actor = %s.actor(), "product renamed");
    Ok(Redirect::to("/admin/products?done=renamed").into_response())
}

struct GameRowView {
    brand: String,
    /// The game's slug (its page and art) and its picture as the storefront shows it.
    slug: String,
    art: String,
    uploaded: bool,
    category: String,
    products: i64,
    game: String,
    position: i64,
    aliases: String,
}

#[derive(Template)]
#[template(path = "admin/catalogue.html")]
struct CataloguePage {
    csrf: String,
    flash: Option<String>,
    games: Vec<GameRowView>,
}

/// `/admin/catalogue`: every supplier brand and the game customers see it as.
pub(crate) async fn catalogue_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<crate::web::admin::view::DoneQuery>,
) -> PageResult {
    let mut conn = app.db.read().await?;
    let games = catalogue_names::games(&mut conn).await?;
    drop(conn);
    let catalogue = crate::service::catalogue_snapshot::current(&app).await?;
    Ok(render(&CataloguePage {
        csrf: s.csrf_token.clone(),
        flash: q
            .done
            .filter(|d| d == "saved")
            .map(|_| "Etalase disimpan; toko menampilkannya dalam sedetik.".to_string()),
        games: games
            .into_iter()
            .map(|(g, category, products)| {
                let slug =
                    madd_domain::text::slug(if g.game.is_empty() { &g.brand } else { &g.game });
                GameRowView {
                    art: catalogue.art_url(&slug),
                    uploaded: catalogue.art_versions.contains_key(&slug),
                    slug,
                    brand: g.brand,
                    category: category
                        .parse::<Category>()
                        .map(|c| c.label().to_string())
                        .unwrap_or(category),
                    products,
                    game: g.game,
                    position: g.position,
                    aliases: g.aliases,
                }
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct GameForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    brand: String,
    #[serde(default)]
    game: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    aliases: String,
}

pub(crate) async fn catalogue_game(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<GameForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    curation::set_game(&app, &f.brand, &f.game, &f.position, &f.aliases).await?;
    tracing::info!(brand = %f.brand, actor = %s.actor(), "game curated");
    Ok(Redirect::to("/admin/catalogue?done=saved").into_response())
}

/// A game's picture: a PNG, JPEG or WebP file from the seller's phone.
pub(crate) async fn catalogue_art(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    // A body that is not an upload form carries no token this handler can read: refused as any
    // form without its token is.
    let Ok(mut form) = form else {
        return Err(AppError::Forbidden("invalid CSRF token").into());
    };
    let (mut csrf, mut slug, mut remove, mut bytes) =
        (String::new(), String::new(), false, Vec::new());
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| invalid(format!("Unggahan terputus: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "csrf_token" => csrf = field.text().await.unwrap_or_default(),
            "slug" => slug = field.text().await.unwrap_or_default(),
            "remove" => remove = true,
            "art" => {
                // Read in chunks so an oversized file is refused without being held whole.
                let mut field = field;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| invalid(format!("Unggahan terputus: {e}")))?
                {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > curation::MAX_ART_BYTES {
                        return Err(invalid(format!(
                            "Gambar paling besar {} KB",
                            curation::MAX_ART_BYTES / 1024
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    s.check_csrf(&csrf)?;
    if remove {
        curation::remove_art(&app, &slug).await?;
    } else {
        curation::set_art(&app, &slug, &bytes).await?;
    }
    tracing::info!(%slug, remove, actor = %s.actor(), "game art changed");
    Ok(Redirect::to("/admin/catalogue?done=saved").into_response())
}
