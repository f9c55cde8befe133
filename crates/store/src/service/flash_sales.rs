//! Flash sales: a lower price for one product, for a window, for a stock of units. Each unpaid
//! order holds a unit (taken in the order's own transaction, never more than the stock) and gives
//! it back if it expires; the storefront shows the price, a countdown and what is left.

use crate::app::App;
use crate::db::flash_sales;
pub use crate::db::flash_sales::NewFlashSale;
use crate::error::{AppError, AppResult};

/// The seller's new sale.
pub async fn create(app: &App, sale: &NewFlashSale<'_>) -> AppResult<i64> {
    let &NewFlashSale {
        product_code,
        price,
        starts_at,
        ends_at,
        stock,
        actor,
    } = sale;
    if ends_at <= starts_at {
        return Err(AppError::invalid(
            "flash_sale_window",
            "Akhir flash sale harus setelah mulainya.",
        ));
    }
    if stock < 1 {
        return Err(AppError::invalid(
            "flash_sale_stock",
            "Stok flash sale minimal 1.",
        ));
    }
    let mut tx = app.db.begin().await?;
    let Some(product) = crate::db::products::get(&mut tx, product_code.trim()).await? else {
        return Err(AppError::not_found("product_not_found", "Produk"));
    };
    if !price.is_positive() || price >= product.price {
        return Err(AppError::invalid(
            "flash_sale_price",
            format!(
                "Harga flash sale harus di bawah harga normal ({}).",
                product.price.display_spaced()
            ),
        ));
    }
    // A sale is a price like any other: never below the floor every quote holds.
    let rules = crate::service::pricing::PriceRules::load(&mut tx, app).await?;
    if let Some(floor) = rules.floor(product.cost).filter(|f| price < *f) {
        return Err(AppError::invalid(
            "flash_sale_below_floor",
            format!(
                "Harga flash sale minimal {} (modal + potongan pembayaran + markup minimum).",
                floor.display_spaced()
            ),
        ));
    }
    if price.amount() % app.unit().amount().max(1) != 0 {
        return Err(AppError::invalid(
            "flash_sale_price",
            format!(
                "Harga flash sale harus kelipatan {}.",
                app.unit().display_spaced()
            ),
        ));
    }
    if flash_sales::overlapping(&mut tx, &product.code, starts_at, ends_at).await? > 0 {
        return Err(AppError::conflict(
            "flash_sale_overlap",
            "Produk ini sudah punya flash sale pada waktu itu.",
        ));
    }
    let sale = NewFlashSale {
        product_code: &product.code,
        ..*sale
    };
    let id = flash_sales::insert(&mut tx, &sale, app.now_ms()).await?;
    tx.commit().await?;
    app.catalogue.invalidate();
    tracing::info!(product = %product.code, %price, stock, %actor, "flash sale created");
    Ok(id)
}
