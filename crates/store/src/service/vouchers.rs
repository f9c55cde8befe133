//! Vouchers: the seller creates them; customers type them at checkout (web, API, chat), where
//! `service::quote` prices them and reserves a use with the unpaid order (given back if it is
//! never paid; rules in `madd_domain::voucher`).

use madd_domain::voucher::{self, Voucher};

use crate::app::App;
use crate::db::vouchers;
use crate::error::{AppError, AppResult};

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
