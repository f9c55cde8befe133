//! The catalogue: pulled from the suppliers, priced with the store's markup.

use madd_domain::offer::{self, MatchKey};
use madd_domain::{Category, Rupiah, ServiceKind, SupplierId};

use crate::app::App;
use crate::db::products::{self, Product};
use crate::db::{offers, Conn};
use crate::error::{AppError, AppResult};
use crate::supplier::SupplierService;

/// Where a supplier product belongs on the storefront.
pub fn category_of(service: &SupplierService) -> Category {
    match service.kind {
        ServiceKind::Game => {
            // VIP lists streaming subscriptions among game services.
            let brand = service.brand.to_ascii_lowercase();
            if [
                "netflix", "spotify", "youtube", "vidio", "disney", "viu", "wetv",
            ]
            .iter()
            .any(|s| brand.contains(s))
            {
                Category::Voucher
            } else {
                Category::Game
            }
        }
        ServiceKind::Postpaid => Category::Pln,
        ServiceKind::Prepaid => match service.prepaid_type.as_deref().unwrap_or("") {
            "pulsa-reguler" | "pulsa-transfer" => Category::Pulsa,
            "paket-internet" | "paket-telepon" | "paket-lainnya" => Category::Data,
            "token-pln" => Category::Pln,
            _ => Category::Voucher,
        },
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub total: usize,
    pub available: usize,
    pub marked_unavailable: u64,
    /// Other suppliers' products written as offers, and how many belong to a store product.
    pub offers: usize,
    pub matched: usize,
    /// Suppliers whose list could not be read this time (their offers stay as they were).
    pub failed: Vec<String>,
}

/// Pulls every supplier's catalogue: the primary supplier's products are the store's products;
/// every supplier product is an offer, matched to a store product on brand, nominal and
/// category (`madd_domain::offer`). Each product is then priced from the offer the store would
/// try first. `progress(done, total)` is called as products are written.
pub async fn sync(app: &App, mut progress: impl FnMut(usize, usize)) -> AppResult<SyncReport> {
    let primary = app.suppliers.primary().clone();
    let services = primary
        .services()
        .await
        .map_err(|e| AppError::Unavailable {
            code: "supplier_unavailable",
            message: format!("Katalog supplier tidak bisa diambil: {e}"),
        })?;
    let (others, failed) = other_catalogues(app, primary.id()).await;
    let now = app.now_ms();
    let total = services.len();
    let mut report = SyncReport {
        total,
        failed,
        ..SyncReport::default()
    };
    let mut tx = app.db.begin().await?;
    for s in &services {
        offers::upsert_listed(
            &mut tx,
            &offer_row(primary.id(), s, Some(&s.code), offers::OWN),
            now,
        )
        .await?;
    }
    offers::mark_missing_unavailable(&mut tx, primary.id(), now).await?;
    // The store's products, by what makes two supplier products the same.
    let keys: Vec<(MatchKey, Rupiah, bool, String)> = services
        .iter()
        .filter_map(|s| {
            MatchKey::of(category_of(s), &s.brand, &s.name)
                .map(|k| (k, s.cost, s.available, s.code.clone()))
        })
        .collect();
    for (supplier, list) in &others {
        let (written, matched) = write_offers(&mut tx, *supplier, list, &keys, now).await?;
        report.offers += written;
        report.matched += matched;
    }
    report.available = write_products(app, &mut tx, &services, now, &mut progress).await?;
    report.marked_unavailable = products::mark_missing_unavailable(&mut tx, now).await?;
    tx.commit().await?;
    app.catalogue.invalidate();
    tracing::info!(
        total,
        available = report.available,
        offers = report.offers,
        matched = report.matched,
        "catalogue synced"
    );
    Ok(report)
}

type Catalogue = Vec<SupplierService>;

/// Every supplier's list but the primary's; one that cannot be read is named in the second half
/// instead of failing the sync (its offers stay as they were).
async fn other_catalogues(
    app: &App,
    primary: SupplierId,
) -> (Vec<(SupplierId, Catalogue)>, Vec<String>) {
    let mut others = Vec::new();
    let mut failed = Vec::new();
    for supplier in app.suppliers.all() {
        if supplier.id() == primary {
            continue;
        }
        match supplier.services().await {
            Ok(list) => others.push((supplier.id(), list)),
            Err(e) => {
                tracing::warn!(supplier = %supplier.id(), error = %e, "a supplier's catalogue could not be read");
                failed.push(format!("{}: {e}", supplier.id().label()));
            }
        }
    }
    (others, failed)
}

/// Writes another supplier's list as offers and matches them to the store's products (`keys`).
/// Answers how many offers were written and how many belong to a store product.
async fn write_offers(
    conn: &mut Conn,
    supplier: SupplierId,
    list: &[SupplierService],
    keys: &[(MatchKey, Rupiah, bool, String)],
    now: i64,
) -> AppResult<(usize, usize)> {
    let (mut written, mut matched) = (0, 0);
    // One offer per product and supplier: the best of several matching SKUs.
    let mut taken: std::collections::HashMap<String, (Rupiah, bool, String)> =
        std::collections::HashMap::new();
    for s in list {
        offers::upsert_listed(conn, &offer_row(supplier, s, None, offers::NONE), now).await?;
        written += 1;
        if let Some(code) = MatchKey::of(category_of(s), &s.brand, &s.name)
            .and_then(|k| offer::best_match(&k, keys).cloned())
        {
            let better = taken
                .get(&code)
                .is_none_or(|(cost, available, _)| (!s.available, s.cost) < (!*available, *cost));
            if better {
                taken.insert(code, (s.cost, s.available, s.code.clone()));
            }
        }
    }
    let chosen: std::collections::HashMap<&str, &str> = taken
        .iter()
        .map(|(code, (_, _, sku))| (sku.as_str(), code.as_str()))
        .collect();
    for s in list {
        let product = chosen.get(s.code.as_str()).copied();
        if product.is_some() {
            matched += 1;
        }
        offers::set_auto_match(conn, supplier, &s.code, product).await?;
    }
    offers::mark_missing_unavailable(conn, supplier, now).await?;
    Ok((written, matched))
}

/// Products: named after the primary supplier, priced from the offer tried first. Answers how
/// many are available.
async fn write_products(
    app: &App,
    conn: &mut Conn,
    services: &[SupplierService],
    now: i64,
    progress: &mut impl FnMut(usize, usize),
) -> AppResult<usize> {
    let rules = crate::service::pricing::PriceRules::load(conn, app).await?;
    let configured = app.suppliers.ids();
    let paused = offers::paused(conn).await?;
    let mut available = 0;
    for (i, s) in services.iter().enumerate() {
        let category = category_of(s);
        let listed: Vec<_> = offers::for_product(conn, &s.code)
            .await?
            .iter()
            .map(offers::OfferRow::offer)
            .collect();
        let first = offer::first_offer(
            &listed,
            &offer::Suppliers {
                configured: &configured,
                paused: &paused,
            },
        );
        let cost = first.map(|o| o.cost).unwrap_or(s.cost);
        // Postpaid bills have no list price: the bill decides (cost 0 → price 0 until inquired).
        let price = rules.price(cost, category, &s.brand, &s.code).price;
        let existing = products::get(conn, &s.code).await?;
        crate::service::pricing::record_change(
            conn,
            existing.as_ref(),
            &s.code,
            cost,
            price,
            "sinkron supplier",
            now,
        )
        .await?;
        let product = Product {
            code: s.code.clone(),
            name: s.name.clone(),
            brand: s.brand.clone(),
            category,
            kind: s.kind,
            prepaid_type: s.prepaid_type.clone(),
            cost,
            price,
            available: first.is_some(),
            enabled: existing.map(|p| p.enabled).unwrap_or(true),
            note: s.note.clone(),
            updated_at: now,
            // The seller's names live in their own tables; the upsert leaves them alone.
            shown: Default::default(),
        };
        if product.available {
            available += 1;
        }
        products::upsert(conn, &product).await?;
        progress(i + 1, services.len());
    }
    Ok(available)
}

/// A supplier product as an offer row (`product_code` and how it is matched for a new row).
fn offer_row(
    supplier: SupplierId,
    s: &SupplierService,
    product_code: Option<&str>,
    matched_by: &str,
) -> offers::OfferRow {
    offers::OfferRow {
        supplier,
        sku: s.code.clone(),
        product_code: product_code.map(str::to_owned),
        brand: s.brand.clone(),
        name: s.name.clone(),
        category: category_of(s),
        cost: s.cost,
        available: s.available,
        matched_by: matched_by.to_string(),
        rank: None,
        note: s.note.clone(),
        updated_at: 0,
    }
}

/// Prices `codes` again from their offers, after the seller changed a match, the first offer or
/// paused a supplier: cost from the offer tried first, unavailable when none is usable.
pub async fn refresh_products(
    app: &App,
    tx: &mut crate::db::Conn,
    codes: &[String],
) -> AppResult<()> {
    let now = app.now_ms();
    let rules = crate::service::pricing::PriceRules::load(tx, app).await?;
    let configured = app.suppliers.ids();
    let paused = offers::paused(tx).await?;
    for code in codes {
        let Some(p) = products::get(tx, code).await? else {
            continue;
        };
        let listed: Vec<_> = offers::for_product(tx, code)
            .await?
            .iter()
            .map(offers::OfferRow::offer)
            .collect();
        if listed.is_empty() {
            continue;
        }
        let first = offer::first_offer(
            &listed,
            &offer::Suppliers {
                configured: &configured,
                paused: &paused,
            },
        );
        let cost = first.map(|o| o.cost).unwrap_or(p.cost);
        let price = rules.price(cost, p.category, &p.brand, &p.code).price;
        crate::service::pricing::record_change(
            tx,
            Some(&p),
            code,
            cost,
            price,
            "penawaran supplier",
            now,
        )
        .await?;
        products::upsert(
            tx,
            &Product {
                cost,
                price,
                available: first.is_some(),
                updated_at: p.updated_at,
                ..p
            },
        )
        .await?;
    }
    app.catalogue.invalidate();
    Ok(())
}
