//! Suppliers: each configured supplier's balance and pause switch, the products that can be
//! bought from more than one of them (which offer is tried first, and the seller's choice), and
//! the supplier products not yet matched to a store product.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::SupplierId;
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::{offers, products};
use crate::error::AppError;
use crate::service::balance::balance_views;
use crate::web::admin::view::{first_of, group_offers, invalid, span_id};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageError, PageResult};

/// At most this many products with several offers, and this many unmatched offers, are listed.
pub const LIST_CAP: usize = 200;

struct SupplierCard {
    id: &'static str,
    label: &'static str,
    balance: String,
    /// "Dicek 12 Mar 10.00 (5 menit lalu)", empty before the first check.
    checked: String,
    error: Option<String>,
    low: bool,
    threshold: String,
    paused: bool,
}

struct OfferView {
    supplier: &'static str,
    label: &'static str,
    sku: String,
    name: String,
    cost: String,
    available: bool,
    matched: &'static str,
    /// The offer the store tries first (the product's price follows its cost).
    first: bool,
    /// Put first by the seller.
    ranked: bool,
    /// Matched on sync or by the seller: can be unmatched.
    can_unmatch: bool,
}

struct ProductOffers {
    code: String,
    name: String,
    /// The seller chose the first offer (not the cheapest rule).
    ranked: bool,
    offers: Vec<OfferView>,
}

#[derive(Template)]
#[template(path = "admin/suppliers.html")]
struct SuppliersPage {
    csrf: String,
    flash: Option<String>,
    cards: Vec<SupplierCard>,
    products: Vec<ProductOffers>,
    /// Products with several offers not listed (over the cap).
    products_more: usize,
    unmatched: Vec<OfferView>,
    unmatched_more: usize,
    cap: usize,
    /// The search (product code or name, SKU), as typed.
    q: String,
    /// Only what needs the seller: offers out of stock, products whose first offer is.
    perlu: bool,
    /// Every product code with its name, for the pairing field's picker.
    picker: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub(crate) struct SuppliersQuery {
    done: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    perlu: String,
}

/// What the page lists: everything, or what the search and the attention filter keep.
struct Filter {
    words: String,
    attention: bool,
}

impl Filter {
    fn matches(&self, code: &str, name: &str, offers: &[&offers::OfferRow]) -> bool {
        let text_ok = self.words.is_empty()
            || code.to_lowercase().contains(&self.words)
            || name.to_lowercase().contains(&self.words)
            || offers
                .iter()
                .any(|o| o.sku.to_lowercase().contains(&self.words) || o.name.to_lowercase().contains(&self.words));
        text_ok && (!self.attention || offers.iter().any(|o| !o.available))
    }
}

/// How an offer came to its product, as the seller reads it.
pub(crate) fn matched_label(matched_by: &str) -> &'static str {
    match matched_by {
        offers::OWN => "asal produk",
        offers::AUTO => "otomatis",
        offers::SELLER => "oleh penjual",
        _ => "belum dipasangkan",
    }
}

fn offer_view(o: &offers::OfferRow, first: bool) -> OfferView {
    OfferView {
        supplier: o.supplier.as_str(),
        label: o.supplier.label(),
        sku: o.sku.clone(),
        name: o.name.clone(),
        cost: o.cost.display_spaced(),
        available: o.available,
        matched: matched_label(&o.matched_by),
        first,
        ranked: o.rank.is_some(),
        can_unmatch: o.product_code.is_some()
            && matches!(o.matched_by.as_str(), offers::AUTO | offers::SELLER),
    }
}

pub(crate) async fn suppliers_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(query): Query<SuppliersQuery>,
) -> PageResult {
    let filter = Filter {
        words: query.q.trim().to_lowercase().chars().take(60).collect(),
        attention: query.perlu == "1",
    };
    let views = balance_views(&app).await?;
    let configured = app.suppliers.ids();
    let now = app.now_ms();
    let mut conn = app.db.read().await?;
    let paused = offers::paused(&mut conn).await?;
    let all = offers::all(&mut conn).await?;
    let picker = crate::web::admin::view::product_picker(&mut conn).await?;
    drop(conn);
    let names: HashMap<String, String> = picker.iter().cloned().collect();

    let cards = views
        .into_iter()
        .map(|v| SupplierCard {
            id: v.supplier.as_str(),
            label: v.supplier.label(),
            balance: v
                .known
                .map(|(_, b)| b.display_spaced())
                .unwrap_or_else(|| "belum diketahui".into()),
            checked: v
                .known
                .map(|(at, _)| format!("Dicek {} ({} lalu)", clock::human(at), span_id(now - at)))
                .unwrap_or_default(),
            error: v.last.and_then(|c| c.error),
            low: v.low,
            threshold: v.threshold.display_spaced(),
            paused: paused.contains(&v.supplier),
        })
        .collect();

    let (grouped, unmatched) = group_offers(all);
    let several: Vec<_> = grouped
        .into_iter()
        .filter(|(code, list)| {
            let name = names.get(code).map_or("", String::as_str);
            list.len() >= 2 && filter.matches(code, name, &list.iter().collect::<Vec<_>>())
        })
        .collect();
    let products_more = several.len().saturating_sub(LIST_CAP);
    let products = several
        .into_iter()
        .take(LIST_CAP)
        .map(|(code, list)| {
            let first = first_of(&list, &configured, &paused);
            ProductOffers {
                name: names.get(&code).cloned().unwrap_or_default(),
                ranked: list.iter().any(|o| o.rank.is_some()),
                offers: list
                    .iter()
                    .map(|o| {
                        let is_first = first
                            .as_ref()
                            .is_some_and(|(s, k)| *s == o.supplier && *k == o.sku);
                        offer_view(o, is_first)
                    })
                    .collect(),
                code,
            }
        })
        .collect();
    let unmatched: Vec<_> = unmatched
        .into_iter()
        .filter(|o| filter.matches("", "", &[o]))
        .collect();
    let unmatched_more = unmatched.len().saturating_sub(LIST_CAP);
    let unmatched = unmatched
        .iter()
        .take(LIST_CAP)
        .map(|o| offer_view(o, false))
        .collect();

    Ok(render(&SuppliersPage {
        csrf: s.csrf_token.clone(),
        flash: query.done.as_deref().map(flash_text),
        cards,
        products,
        products_more,
        unmatched,
        unmatched_more,
        cap: LIST_CAP,
        q: query.q.chars().take(60).collect(),
        perlu: filter.attention,
        picker,
    }))
}

fn flash_text(done: &str) -> String {
    match done {
        "paused" => "Supplier dijeda: pesanan baru tidak dikirim ke sana.",
        "resumed" => "Supplier dilanjutkan.",
        "first" => "Urutan penawaran disimpan; harga produk ikut penawaran pertama.",
        "cheapest" => "Penawaran kembali diurutkan dari yang termurah.",
        "matched" => "Penawaran dipasangkan ke produk.",
        "unmatched" => "Penawaran dilepas dari produknya.",
        _ => "Selesai.",
    }
    .to_string()
}

fn supplier_of(text: &str) -> Result<SupplierId, PageError> {
    SupplierId::parse(text).ok_or_else(|| invalid(format!("Supplier '{text}' tidak dikenal")))
}

#[derive(Deserialize)]
pub(crate) struct PauseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    paused: String,
}

pub(crate) async fn pause(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<PauseForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let supplier = supplier_of(&f.supplier)?;
    let paused = match f.paused.trim() {
        "true" => true,
        "false" => false,
        _ => return Err(invalid("Pilih jeda atau lanjutkan")),
    };
    crate::service::offers::set_paused(&app, supplier, paused, &s.actor()).await?;
    let done = if paused { "paused" } else { "resumed" };
    Ok(Redirect::to(&format!("/admin/suppliers?done={done}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct FirstForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    sku: String,
}

/// One offer first for its product, or (no supplier) back to cheapest first.
pub(crate) async fn put_first(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<FirstForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let product = f.product.trim();
    let mut conn = app.db.read().await?;
    let exists = products::get(&mut conn, product).await?.is_some();
    drop(conn);
    if !exists {
        return Err(AppError::not_found("product_not_found", "Produk").into());
    }
    let first = if f.supplier.trim().is_empty() {
        None
    } else {
        Some((supplier_of(&f.supplier)?, f.sku.trim()))
    };
    crate::service::offers::put_first(&app, product, first).await?;
    tracing::info!(%product, supplier = %f.supplier, sku = %f.sku, actor = %s.actor(), "offer order changed");
    let done = if first.is_some() { "first" } else { "cheapest" };
    Ok(Redirect::to(&format!(
        "/admin/suppliers?done={done}#{}",
        url::form_urlencoded::byte_serialize(product.as_bytes()).collect::<String>()
    ))
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct MatchForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    product: String,
}

/// The seller pairs a supplier product with a store product (or, no product, unpairs it).
pub(crate) async fn set_match(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<MatchForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let supplier = supplier_of(&f.supplier)?;
    let product = Some(f.product.trim()).filter(|p| !p.is_empty());
    crate::service::offers::set_match(&app, supplier, f.sku.trim(), product).await?;
    tracing::info!(%supplier, sku = %f.sku, product = ?product, actor = %s.actor(), "offer matched");
    let done = if product.is_some() {
        "matched"
    } else {
        "unmatched"
    };
    Ok(Redirect::to(&format!("/admin/suppliers?done={done}")).into_response())
}
