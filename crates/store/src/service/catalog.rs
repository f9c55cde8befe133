//! The catalogue: pulled from the supplier, priced with the store's markup.

use madd_domain::{Category, ServiceKind};

use crate::app::App;
use crate::db::products::{self, Product};
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
}

/// Pulls the supplier's catalogue and stores it with the store's prices. `progress(done, total)`
/// is called as products are written.
pub async fn sync(app: &App, mut progress: impl FnMut(usize, usize)) -> AppResult<SyncReport> {
    let services = app
        .supplier
        .services()
        .await
        .map_err(|e| AppError::Unavailable {
            code: "supplier_unavailable",
            message: format!("Katalog supplier tidak bisa diambil: {e}"),
        })?;
    let now = app.now_ms();
    let unit = app.payment.unit_price();
    let total = services.len();
    let mut report = SyncReport {
        total,
        ..SyncReport::default()
    };
    let mut tx = app.db.begin().await?;
    // Markup rules and the margin guard (see `service::pricing`).
    let rules = crate::service::pricing::PriceRules::load(&mut tx, &app.config, unit).await?;
    for (i, s) in services.iter().enumerate() {
        let category = category_of(s);
        // Postpaid bills have no list price: the bill decides (cost 0 → price 0 until inquired).
        let price = rules.price(s.cost, category, &s.brand, &s.code).price;
        let existing = products::get(&mut tx, &s.code).await?;
        crate::service::pricing::record_change(
            &mut tx,
            existing.as_ref(),
            &s.code,
            s.cost,
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
            cost: s.cost,
            price,
            available: s.available,
            enabled: existing.map(|p| p.enabled).unwrap_or(true),
            note: s.note.clone(),
            updated_at: now,
            // The seller's names live in their own tables; the upsert leaves them alone.
            shown: Default::default(),
        };
        if product.available {
            report.available += 1;
        }
        products::upsert(&mut tx, &product).await?;
        progress(i + 1, total);
    }
    report.marked_unavailable = products::mark_missing_unavailable(&mut tx, now).await?;
    tx.commit().await?;
    app.catalogue.invalidate();
    tracing::info!(total, available = report.available, "catalogue synced");
    Ok(report)
}
