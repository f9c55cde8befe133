//! Which tier a buyer pays: a guest unless signed in (the web, the API) or writing from the
//! number itself (the chat); a reseller when the seller approved the number, or — with
//! `reseller_auto_spend` set — when the member's delivered orders of the last 30 days reach it.

use madd_domain::{PhoneNumber, Rupiah, Tier};

use crate::app::App;
use crate::db::pricing::RuleScope;
use crate::db::{tiers, Conn};
use crate::error::{AppError, AppResult};
use crate::service::settings;

/// The tier of an order for `whatsapp`, placed by `buyer` (the signed-in customer or the chat's
/// sender; `None`: a guest). Only the number's own owner gets its tier.
pub async fn tier_of(
    app: &App,
    conn: &mut Conn,
    buyer: Option<&PhoneNumber>,
    whatsapp: &PhoneNumber,
    now: i64,
) -> AppResult<Tier> {
    if buyer != Some(whatsapp) {
        return Ok(Tier::Guest);
    }
    if tiers::is_reseller(conn, whatsapp.as_str()).await? {
        return Ok(Tier::Reseller);
    }
    let threshold = settings::on(conn, &app.config).await?.reseller_auto_spend;
    if threshold.is_positive()
        && tiers::spent_since(conn, whatsapp.as_str(), now - 30 * 24 * 60 * 60 * 1000).await?
            >= threshold
    {
        return Ok(Tier::Reseller);
    }
    Ok(Tier::Member)
}

/// The seller approves a reseller.
pub async fn approve(app: &App, typed: &str, note: &str, actor: &str) -> AppResult<PhoneNumber> {
    let number = PhoneNumber::parse(typed)
        .map_err(|e| AppError::invalid("invalid_whatsapp", e.to_string()))?;
    let mut conn = app.db.write().await?;
    tiers::approve(
        &mut conn,
        number.as_str(),
        &madd_domain::text::clean(note, 80),
        actor,
        app.now_ms(),
    )
    .await?;
    tracing::info!(reseller = %number.as_str(), %actor, "reseller approved");
    Ok(number)
}

/// A tier's markup rule from the seller (percent and minimum).
pub async fn set_rule(
    app: &App,
    tier: Tier,
    scope: RuleScope,
    target: &str,
    rate_bps: i64,
    min_markup: Rupiah,
) -> AppResult<()> {
    if tier == Tier::Guest {
        return Err(AppError::invalid(
            "tier_guest",
            "Harga tamu diatur di Harga (aturan markup biasa).",
        ));
    }
    if scope != RuleScope::Default && target.trim().is_empty() {
        return Err(AppError::invalid(
            "tier_target",
            "Isi kategori, brand atau kode produk.",
        ));
    }
    if !(0..=10_000).contains(&rate_bps) || min_markup.is_negative() {
        return Err(AppError::invalid(
            "tier_rate",
            "Markup 0–100% dan minimal tidak negatif.",
        ));
    }
    let mut conn = app.db.write().await?;
    tiers::set_rule(
        &mut conn,
        &tiers::TierRule {
            tier,
            scope,
            target: if scope == RuleScope::Default {
                String::new()
            } else {
                target.trim().to_string()
            },
            rate_bps,
            min_markup,
        },
        app.now_ms(),
    )
    .await?;
    Ok(())
}
