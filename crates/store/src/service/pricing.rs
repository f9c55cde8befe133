//! Selling prices: markup rules by category / brand / product (the most specific wins, else the
//! default markup from the settings), rounded up to the Trakteer unit, and never below the margin
//! guard's floor (cost + the minimum markup + the payment channel's cut, the same floor every
//! quote holds), so a supplier price rise never makes a sale lose money.

use madd_domain::{Category, Markup, Rupiah};

use crate::app::App;
use crate::db::pricing::{MarkupRule, RuleScope};
use crate::db::{Conn, DbResult};
use crate::service::settings;

/// The scopes of the store's own markup rules, most specific first.
pub const SCOPES: [RuleScope; 3] = [RuleScope::Product, RuleScope::Brand, RuleScope::Category];

/// Everything a price depends on besides the cost.
#[derive(Clone, Debug)]
pub struct PriceRules {
    pub default: Markup,
    pub rules: Vec<MarkupRule>,
    /// Members' and resellers' own rules (`db::tiers`).
    pub tier_rules: Vec<crate::db::tiers::TierRule>,
    /// The configured rails' cuts and unit: the floor holds on each (the first rail's cut is the
    /// margin the seller is shown).
    pub rail: madd_domain::quote::Rail,
}

/// A price and how it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priced {
    pub price: Rupiah,
    /// `produk X`, `brand Y`, `kategori Z` or `bawaan`.
    pub rule: String,
    /// The margin guard raised the price above what the markup gave.
    pub guarded: bool,
}

impl PriceRules {
    pub async fn load(conn: &mut Conn, app: &App) -> DbResult<PriceRules> {
        let s = settings::on(conn, &app.config).await?;
        Ok(PriceRules {
            default: s.markup,
            rules: crate::db::pricing::markup_rules(conn).await?,
            tier_rules: crate::db::tiers::rules(conn).await?,
            rail: app.rail(s.payment_cost),
        })
    }

    /// The margin guard, as [`madd_domain::quote`] applies it to every order: cost plus the
    /// store's minimum markup, after the payment cut, rounded up to the unit.
    pub fn floor(&self, cost: Rupiah) -> Option<Rupiah> {
        self.rail.floor(cost + self.default.min.max(Rupiah::ZERO))
    }

    fn find(&self, scope: RuleScope, target: &str) -> Option<&MarkupRule> {
        self.rules
            .iter()
            .find(|r| r.scope == scope && r.target.eq_ignore_ascii_case(target))
    }

    pub fn markup_for(&self, category: Category, brand: &str, code: &str) -> (Markup, String) {
        let as_markup = |r: &MarkupRule| Markup {
            rate: madd_domain::Bps::new(u32::try_from(r.rate_bps).unwrap_or(0)),
            min: r.min_markup,
        };
        if let Some(r) = self.find(RuleScope::Product, code) {
            return (as_markup(r), format!("produk {code}"));
        }
        if let Some(r) = self.find(RuleScope::Brand, brand) {
            return (as_markup(r), format!("brand {brand}"));
        }
        if let Some(r) = self.find(RuleScope::Category, category.as_str()) {
            return (as_markup(r), format!("kategori {}", category.as_str()));
        }
        (self.default, "bawaan".into())
    }

    /// The selling price for a supplier cost. A cost of zero (postpaid: the bill decides) stays 0.
    pub fn price(&self, cost: Rupiah, category: Category, brand: &str, code: &str) -> Priced {
        let (markup, rule) = self.markup_for(category, brand, code);
        if !cost.is_positive() {
            return Priced {
                price: cost,
                rule,
                guarded: false,
            };
        }
        let marked = markup.sell_price(cost, self.rail.unit);
        let floor = self.floor(cost).unwrap_or(marked);
        Priced {
            price: marked.max(floor),
            rule,
            guarded: floor > marked,
        }
    }
}

impl PriceRules {
    /// The price `tier` pays (rules in migration 0021): a tier with a rule that fits (its own,
    /// most specific first: product, brand, category, default) is priced by it, a reseller also
    /// by the members' rules, and the lowest of those and the guest price wins — a member never
    /// pays more than a guest. The margin guard holds for every tier.
    pub fn price_for(
        &self,
        tier: madd_domain::Tier,
        cost: Rupiah,
        category: Category,
        brand: &str,
        code: &str,
    ) -> Rupiah {
        use madd_domain::Tier;
        let guest = self.price(cost, category, brand, code).price;
        if !cost.is_positive() {
            return guest;
        }
        let tiers: &[Tier] = match tier {
            Tier::Guest => &[],
            Tier::Member => &[Tier::Member],
            Tier::Reseller => &[Tier::Reseller, Tier::Member],
        };
        let mut best = guest;
        for t in tiers {
            let rule = |scope: RuleScope, target: &str| {
                self.tier_rules.iter().find(|r| {
                    r.tier == *t && r.scope == scope && r.target.eq_ignore_ascii_case(target)
                })
            };
            let Some(r) = rule(RuleScope::Product, code)
                .or_else(|| rule(RuleScope::Brand, brand))
                .or_else(|| rule(RuleScope::Category, category.as_str()))
                .or_else(|| rule(RuleScope::Default, ""))
            else {
                continue;
            };
            let markup = Markup {
                rate: madd_domain::Bps::new(u32::try_from(r.rate_bps).unwrap_or(0)),
                min: r.min_markup,
            };
            let marked = markup.sell_price(cost, self.rail.unit);
            let floor = self.floor(cost).unwrap_or(marked);
            best = best.min(marked.max(floor));
        }
        best
    }
}

/// Writes a price-history row when a product's cost or price changes (or it is new).
pub async fn record_change(
    conn: &mut Conn,
    existing: Option<&crate::db::products::Product>,
    code: &str,
    cost: Rupiah,
    price: Rupiah,
    reason: &str,
    now: i64,
) -> DbResult<()> {
    if existing.is_some_and(|p| p.cost == cost && p.price == price) {
        return Ok(());
    }
    let change = crate::db::pricing::NewPriceChange {
        product_code: code,
        at: now,
        old_cost: existing.map(|p| p.cost),
        new_cost: cost,
        old_price: existing.map(|p| p.price),
        new_price: price,
        reason,
    };
    crate::db::pricing::insert_price_change(conn, &change).await
}

/// Prices every product again from its stored cost (after a rule or fee change); no supplier
/// call. Answers how many prices changed.
pub async fn reprice(app: &crate::app::App, reason: &str) -> crate::error::AppResult<usize> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let rules = PriceRules::load(&mut tx, app).await?;
    let mut changed = 0;
    for p in crate::db::products::list(&mut tx, None).await? {
        let priced = rules.price(p.cost, p.category, &p.brand, &p.code);
        if priced.price != p.price {
            record_change(
                &mut tx,
                Some(&p),
                &p.code,
                p.cost,
                priced.price,
                reason,
                now,
            )
            .await?;
            crate::db::pricing::set_product_price(&mut tx, &p.code, priced.price, now).await?;
            changed += 1;
        }
    }
    tx.commit().await?;
    app.catalogue.invalidate();
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use madd_domain::{Bps, PaymentCost};

    fn rules() -> PriceRules {
        PriceRules {
            default: Markup {
                rate: Bps::new(1000),
                min: Rupiah::new(500),
            },
            tier_rules: Vec::new(),
            rules: vec![
                MarkupRule {
                    id: 1,
                    scope: RuleScope::Brand,
                    target: "Mobile Legends".into(),
                    rate_bps: 500,
                    min_markup: Rupiah::new(1000),
                },
                MarkupRule {
                    id: 2,
                    scope: RuleScope::Product,
                    target: "ML86".into(),
                    rate_bps: 0,
                    min_markup: Rupiah::ZERO,
                },
                MarkupRule {
                    id: 3,
                    scope: RuleScope::Category,
                    target: "pulsa".into(),
                    rate_bps: 200,
                    min_markup: Rupiah::ZERO,
                },
            ],
            rail: madd_domain::quote::Rail::single(
                PaymentCost {
                    rate: Bps::new(578),
                    fixed: Rupiah::ZERO,
                },
                Rupiah::new(1000),
            ),
        }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let r = rules();
        let p = r.price(Rupiah::new(20_000), Category::Game, "mobile legends", "ML5");
        // 5 % of 20 000 = 1 000 → 21 000; the floor for 5.78 % is 21 227 → 22 000.
        assert_eq!(p.rule, "brand mobile legends");
        assert_eq!(p.price, Rupiah::new(22_000));
        assert!(p.guarded);
        let p = r.price(Rupiah::new(20_000), Category::Game, "Free Fire", "FF5");
        assert_eq!(p.rule, "bawaan");
        assert_eq!(p.price, Rupiah::new(22_000));
        assert!(!p.guarded);
        let p = r.price(Rupiah::new(10_000), Category::Pulsa, "Telkomsel", "T10");
        assert_eq!(p.rule, "kategori pulsa");
    }

    #[test]
    fn a_zero_markup_is_still_guarded() {
        let r = rules();
        let p = r.price(
            Rupiah::new(19_000),
            Category::Game,
            "Mobile Legends",
            "ML86",
        );
        assert_eq!(p.rule, "produk ML86");
        // The floor: 19 000 / 0.9422 = 20 165.6 → 21 000.
        assert_eq!(p.price, Rupiah::new(21_000));
        assert!(p.guarded);
        assert!(r.rail.cut.net(p.price) >= Rupiah::new(19_000));
    }

    #[test]
    fn tiers_pay_their_own_price_never_more_than_a_guest() {
        use crate::db::tiers::TierRule;
        use madd_domain::Tier;
        let mut r = rules();
        // No payment cut here, so the margin guard sits at the cost and the markups show.
        r.rail.cut = PaymentCost::default();
        let cost = Rupiah::new(100_000);
        // Free Fire falls under the default 10 %: a guest pays 110 000.
        let guest = r.price(cost, Category::Game, "FF", "FF1").price;
        assert_eq!(guest, Rupiah::new(110_000));
        // No tier rules: everyone pays the guest price.
        assert_eq!(
            r.price_for(Tier::Reseller, cost, Category::Game, "FF", "FF1"),
            guest
        );
        r.tier_rules = vec![
            TierRule {
                tier: Tier::Member,
                scope: RuleScope::Default,
                target: String::new(),
                rate_bps: 800,
                min_markup: Rupiah::ZERO,
            },
            TierRule {
                tier: Tier::Reseller,
                scope: RuleScope::Category,
                target: "game".into(),
                rate_bps: 700,
                min_markup: Rupiah::ZERO,
            },
        ];
        let member = r.price_for(Tier::Member, cost, Category::Game, "FF", "FF1");
        let reseller = r.price_for(Tier::Reseller, cost, Category::Game, "FF", "FF1");
        assert_eq!(
            (member, reseller),
            (Rupiah::new(108_000), Rupiah::new(107_000))
        );
        // The reseller's rule fits only games: elsewhere the members' rule is theirs too.
        assert_eq!(
            r.price_for(Tier::Reseller, cost, Category::Voucher, "Netflix", "NF1"),
            r.price_for(Tier::Member, cost, Category::Voucher, "Netflix", "NF1")
        );
        // A tier rule dearer than the guest's is no use: the guest price holds.
        r.tier_rules[0].rate_bps = 5000;
        assert_eq!(
            r.price_for(Tier::Member, cost, Category::Voucher, "Netflix", "NF1"),
            r.price(cost, Category::Voucher, "Netflix", "NF1").price
        );
        // The margin guard holds for every tier.
        r.rail.cut = PaymentCost {
            rate: madd_domain::Bps::new(578),
            fixed: Rupiah::ZERO,
        };
        r.tier_rules[1].rate_bps = 0;
        let floor = r.floor(cost).unwrap();
        assert!(r.price_for(Tier::Reseller, cost, Category::Game, "FF", "FF1") >= floor);
    }
}
