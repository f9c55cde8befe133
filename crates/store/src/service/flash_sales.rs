//! Flash sales: a lower price for one product, for a window, for a stock of units. Each unpaid
//! order holds a unit (taken in the order's own transaction, never more than the stock) and gives
//! it back if it expires; the storefront shows the price, a countdown and what is left.

use madd_domain::Rupiah;

use crate::app::App;
use crate::db::flash_sales::{self, FlashSale};
use crate::db::products::Product;
use crate::db::Conn;
use crate::error::{AppError, AppResult};

/// The price an order of `product` would get at `now`: the running sale's (with units left),
/// else the list price.
pub async fn offer(conn: &mut Conn, product: &Product, now: i64) -> AppResult<Option<FlashSale>> {
    Ok(flash_sales::running(conn, &product.code, now)
        .await?
        .filter(|s| s.left() > 0 && s.price < product.price))
}

/// In the order's transaction: holds a unit of the product's running sale. `Ok(None)`: no sale
/// runs (the list price applies); an error when the sale ran out.
pub async fn take(tx: &mut Conn, product: &Product, now: i64) -> AppResult<Option<FlashSale>> {
    let Some(sale) = flash_sales::running(tx, &product.code, now).await? else {
        return Ok(None);
    };
    if sale.price >= product.price {
        // A sale above today's list price is no sale.
        return Ok(None);
    }
    if !flash_sales::take_unit(tx, sale.id, now).await? {
        return Err(AppError::conflict(
            "flash_sale_sold_out",
            format!(
                "Stok flash sale {} sudah habis. Harga normalnya {}.",
                product.label(),
                product.price.display_spaced()
            ),
        ));
    }
    Ok(Some(sale))
}

/// The seller's new sale.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    app: &App,
    product_code: &str,
    price: Rupiah,
    starts_at: i64,
    ends_at: i64,
    stock: i64,
    actor: &str,
) -> AppResult<i64> {
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
    if price.amount() % app.payment.unit_price().amount().max(1) != 0 {
        return Err(AppError::invalid(
            "flash_sale_price",
            format!(
                "Harga flash sale harus kelipatan {}.",
                app.payment.unit_price().display_spaced()
            ),
        ));
    }
    if flash_sales::overlapping(&mut tx, &product.code, starts_at, ends_at).await? > 0 {
        return Err(AppError::conflict(
            "flash_sale_overlap",
            "Produk ini sudah punya flash sale pada waktu itu.",
        ));
    }
    let id = flash_sales::insert(
        &mut tx,
        &product.code,
        price,
        starts_at,
        ends_at,
        stock,
        actor,
        app.now_ms(),
    )
    .await?;
    tx.commit().await?;
    app.catalogue.invalidate();
    tracing::info!(product = %product.code, %price, stock, %actor, "flash sale created");
    Ok(id)
}
