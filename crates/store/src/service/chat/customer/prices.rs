//! Price lists: the overview of brands, and one brand's products at the sender's own prices.

use super::*;

pub(in crate::service::chat) async fn price_list(
    app: &App,
    ctx: &Ctx,
    q: &PriceQuery,
) -> AppResult<Answer> {
    let all = {
        let mut conn = app.db.write().await?;
        products::list(&mut conn, q.category).await?
    };
    // The sender's own prices (a member's or a reseller's), as their order would be charged.
    let tier = {
        let mut conn = app.db.read().await?;
        crate::service::tiers::tier_of(app, &mut conn, Some(&ctx.sender), &ctx.sender, app.now_ms())
            .await?
    };
    let sellable: Vec<_> = all.into_iter().filter(|p| p.sellable()).collect();
    let Some(brand) = &q.brand else {
        return Ok(Answer::text(overview(&sellable)));
    };
    let wanted = brand.to_lowercase();
    let matching: Vec<_> = sellable
        .iter()
        .filter(|p| {
            // The game as the seller named it, the supplier's brand, or one of the seller's
            // aliases for the game (the storefront's search uses the same).
            [p.game(), p.brand.as_str()].iter().any(|name| {
                let b = name.to_lowercase();
                b.starts_with(&wanted) || b.contains(&wanted) || wanted.contains(&b)
            }) || p
                .shown
                .aliases
                .to_lowercase()
                .split_whitespace()
                .any(|alias| alias == wanted)
        })
        .collect();
    if matching.is_empty() {
        return Ok(Answer::text(format!(
            "Produk *{}* belum tersedia. Ketik *harga* untuk melihat semua kategori.",
            clean(brand, 40)
        )));
    }
    let rules = {
        let mut conn = app.db.read().await?;
        crate::service::pricing::PriceRules::load(&mut conn, app).await?
    };
    // The rules once for the whole list, not once per product.
    let priced: Vec<_> = matching
        .iter()
        .take(MAX_PRICE_LINES)
        .map(|p| {
            let mut mine = (*p).clone();
            if tier != madd_domain::Tier::Guest {
                mine.price = rules
                    .price_for(tier, p.cost, p.category, &p.brand, &p.code)
                    .min(p.price);
            }
            mine
        })
        .collect();
    Ok(Answer::text(price_text(brand, tier, &matching, &priced)))
}

/// Without a brand: which brands each category has.
fn overview(sellable: &[products::Product]) -> String {
    let mut text = String::from("📋 *Daftar produk*\n");
    for category in Category::ALL {
        let mut brands: Vec<&str> = sellable
            .iter()
            .filter(|p| p.category == category)
            .map(|p| p.game())
            .collect();
        brands.sort_unstable();
        brands.dedup();
        if brands.is_empty() {
            continue;
        }
        text.push_str(&format!("\n*{}*: {}", category.label(), brands.join(", ")));
    }
    text.push_str(
        "\n\nKetik *harga <nama>* untuk daftar harga, misalnya *harga ml* atau *pulsa telkomsel*.",
    );
    text
}

/// The list itself: `priced` (the sender's prices) beside `matching` (the list prices), grouped
/// by game when several match, and how to order the first.
fn price_text(
    brand: &str,
    tier: madd_domain::Tier,
    matching: &[&products::Product],
    priced: &[products::Product],
) -> String {
    let mut text = format!("📋 *Harga {}*\n", clean(brand, 40));
    if priced
        .iter()
        .zip(matching)
        .any(|(mine, list)| mine.price < list.price)
    {
        text.push_str(&format!(
            "_Harga {} untuk nomor ini._\n",
            tier.label_id().to_lowercase()
        ));
    }
    let mut last_brand = "";
    for p in priced {
        if p.game() != last_brand && matching.iter().any(|o| o.game() != p.game()) {
            text.push_str(&format!("\n_{}_\n", clean(p.game(), 40)));
            last_brand = p.game();
        }
        text.push_str(&format!(
            "• *{}* {} – {}\n",
            p.code,
            clean(p.label(), 60),
            p.price
        ));
    }
    if matching.len() > MAX_PRICE_LINES {
        text.push_str(&format!(
            "…dan {} lainnya di web.\n",
            matching.len() - MAX_PRICE_LINES
        ));
    }
    let example = matching[0];
    let rule = TargetRule::for_product(example.category, &example.brand);
    let how = match rule.zone_label() {
        Some(_) => format!("*beli {} 123456789 2345*", example.code),
        None => format!("*beli {} <{}>*", example.code, rule.target_label()),
    };
    text.push_str(&format!("\nPesan: {how}"));
    text
}
