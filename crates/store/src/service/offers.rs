//! The seller's hand on the offers: which supplier product delivers which store product, which
//! offer is tried first, and which suppliers are paused. Each change reprices the products it
//! touches at once (the price follows the offer tried first).

use madd_domain::SupplierId;

use crate::app::App;
use crate::db::offers;
use crate::error::{AppError, AppResult};
use crate::service::catalog::refresh_products;

/// Puts `first` (a supplier and SKU among the product's offers) first for `product_code`;
/// `None`: back to cheapest first.
pub async fn put_first(
    app: &App,
    product_code: &str,
    first: Option<(SupplierId, &str)>,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    if let Some((supplier, sku)) = first {
        let offer = offers::get(&mut tx, supplier, sku).await?;
        if offer.and_then(|o| o.product_code).as_deref() != Some(product_code) {
            return Err(AppError::invalid(
                "offer_not_of_product",
                "Penawaran itu bukan milik produk ini.",
            ));
        }
    }
    offers::set_first(&mut tx, product_code, first).await?;
    refresh_products(app, &mut tx, &[product_code.to_string()]).await?;
    tx.commit().await?;
    Ok(())
}

/// The seller matches a supplier product to a store product (or unmatches it, `None`); kept
/// across syncs.
pub async fn set_match(
    app: &App,
    supplier: SupplierId,
    sku: &str,
    product_code: Option<&str>,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let Some(offer) = offers::get(&mut tx, supplier, sku).await? else {
        return Err(AppError::not_found("offer_not_found", "Penawaran"));
    };
    if let Some(code) = product_code {
        if crate::db::products::get(&mut tx, code).await?.is_none() {
            return Err(AppError::not_found("product_not_found", "Produk"));
        }
    }
    if !offers::set_seller_match(&mut tx, supplier, sku, product_code).await? {
        return Err(AppError::conflict(
            "offer_is_the_product",
            "Produk ini dibuat dari penawaran itu; pasangannya tidak bisa diubah.",
        ));
    }
    let mut touched: Vec<String> = offer.product_code.into_iter().collect();
    touched.extend(product_code.map(str::to_owned));
    refresh_products(app, &mut tx, &touched).await?;
    tx.commit().await?;
    Ok(())
}

/// Pauses a supplier (no new attempt goes there; orders already there finish) or resumes it.
pub async fn set_paused(
    app: &App,
    supplier: SupplierId,
    paused: bool,
    actor: &str,
) -> AppResult<()> {
    if app.suppliers.get(supplier).is_none() {
        return Err(AppError::not_found("supplier_not_found", "Supplier"));
    }
    let mut tx = app.db.begin().await?;
    offers::set_paused(&mut tx, supplier, paused, actor, app.now_ms()).await?;
    let codes: Vec<String> = crate::db::products::list(&mut tx, None)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    refresh_products(app, &mut tx, &codes).await?;
    tx.commit().await?;
    tracing::info!(%supplier, paused, %actor, "supplier pause changed");
    Ok(())
}
