//! Vouchers: the seller creates them, customers type them at checkout (web, API, chat), and each
//! use is reserved with the unpaid order and given back if it expires (rules in
//! `madd_domain::voucher`).

use madd_domain::voucher::{self, Voucher, VoucherError};
use madd_domain::{floor_price, PhoneNumber, Rupiah};

use crate::app::App;
use crate::db::products::Product;
use crate::db::vouchers;
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::service::settings;

/// A voucher applied to one order: its code and what it takes off the item price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub code: String,
    pub discount: Rupiah,
}

fn refused(e: VoucherError) -> AppError {
    AppError::invalid(e.code(), e.to_string())
}

/// The voucher's discount for `product` bought by `whatsapp`, checked against everything but
/// without taking a use (the confirmation page).
pub async fn check(
    app: &App,
    conn: &mut Conn,
    typed: &str,
    product: &Product,
    whatsapp: &PhoneNumber,
) -> AppResult<Applied> {
    let code = voucher::normalize_code(typed).ok_or_else(|| refused(VoucherError::Unknown))?;
    let Some(row) = vouchers::get(conn, &code).await? else {
        return Err(refused(VoucherError::Unknown));
    };
    let discount = discount_for(app, conn, &row.voucher, product).await?;
    if row.voucher.total_uses.is_some_and(|t| row.used >= t) {
        return Err(refused(VoucherError::UsedUp));
    }
    limits_for_number(conn, &row.voucher, whatsapp).await?;
    Ok(Applied { code, discount })
}

/// In the order's own transaction: checks the voucher again and takes a use (the conditional
/// update that makes racing checkouts safe). The caller records the use once the order exists.
pub async fn take(
    app: &App,
    tx: &mut Conn,
    typed: &str,
    product: &Product,
    whatsapp: &PhoneNumber,
) -> AppResult<Applied> {
    let code = voucher::normalize_code(typed).ok_or_else(|| refused(VoucherError::Unknown))?;
    let Some(row) = vouchers::get(tx, &code).await? else {
        return Err(refused(VoucherError::Unknown));
    };
    let discount = discount_for(app, tx, &row.voucher, product).await?;
    if !vouchers::take_use(tx, &code).await? {
        return Err(refused(VoucherError::UsedUp));
    }
    // After the use is taken, the voucher row is this transaction's (PostgreSQL locks it until
    // commit; SQLite has one writer): a second checkout by the same number waits and sees this one.
    limits_for_number(tx, &row.voucher, whatsapp).await?;
    Ok(Applied { code, discount })
}

async fn discount_for(
    app: &App,
    conn: &mut Conn,
    v: &Voucher,
    product: &Product,
) -> AppResult<Rupiah> {
    let unit = app.payment.unit_price();
    let payment = settings::on(conn, &app.config).await?.payment_cost;
    let floor = floor_price(product.cost, &payment, unit).unwrap_or(product.price);
    let item = voucher::Item {
        code: &product.code,
        category: product.category,
        game: product.game(),
        brand: &product.brand,
        price: product.price,
        floor,
    };
    v.discount(&item, app.now_ms(), unit).map_err(refused)
}

async fn limits_for_number(conn: &mut Conn, v: &Voucher, whatsapp: &PhoneNumber) -> AppResult<()> {
    if let Some(per) = v.per_number {
        if vouchers::uses_by_number(conn, &v.code, whatsapp.as_str()).await? >= per {
            return Err(refused(VoucherError::UsedUpForNumber));
        }
    }
    if v.first_order_only && vouchers::has_bought(conn, whatsapp.as_str()).await? {
        return Err(refused(VoucherError::NotFirstOrder));
    }
    Ok(())
}

/// The seller's new voucher.
pub async fn create(app: &App, v: Voucher, actor: &str) -> AppResult<()> {
    if v.ends_at <= v.starts_at {
        return Err(AppError::invalid(
            "voucher_window",
            "Akhir berlaku harus setelah mulainya.",
        ));
    }
    if let voucher::Amount::Percent { rate, .. } = v.amount {
        if rate.value() == 0 || rate.value() > 10_000 {
            return Err(AppError::invalid(
                "voucher_rate",
                "Persen diskon harus antara 0 dan 100.",
            ));
        }
    }
    if let voucher::Amount::Fixed(a) = v.amount {
        if !a.is_positive() {
            return Err(AppError::invalid(
                "voucher_amount",
                "Potongan harus lebih dari 0.",
            ));
        }
    }
    if v.total_uses.is_some_and(|n| n < 1) || v.per_number.is_some_and(|n| n < 1) {
        return Err(AppError::invalid(
            "voucher_uses",
            "Batas pemakaian minimal 1 (kosongkan untuk tanpa batas).",
        ));
    }
    let mut conn = app.db.write().await?;
    if !vouchers::insert(&mut conn, &v, actor, app.now_ms()).await? {
        return Err(AppError::conflict(
            "voucher_exists",
            format!("Kode {} sudah ada.", v.code),
        ));
    }
    tracing::info!(code = %v.code, %actor, "voucher created");
    Ok(())
}
