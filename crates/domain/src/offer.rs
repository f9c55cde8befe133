//! Suppliers and their offers: one store product can be bought from several suppliers, each with
//! its own SKU and cost. Which offer is tried first, which next after a definite failure, and
//! which supplier products are the same product (matched on sync) are decided here, as pure
//! functions.
//!
//! Rules (written down because money depends on them):
//! - **Order of trial**: offers the seller ranked come first, by rank; then the rest, cheapest
//!   first; equal costs follow the configured supplier order (`MADD_SUPPLIERS`). Unavailable
//!   offers, paused suppliers and suppliers not configured are skipped.
//! - **Margin guard on failover**: a fallback offer is used only when its cost is at most the
//!   order's price (what the product sold for, fees aside): a failover never sells at a loss. The
//!   first offer is the one the price was made from, so it always passes.
//! - **Matching**: two supplier products are the same store product when they are of the same
//!   category, their brands agree (one brand's words begin the other's: `Mobile Legends B` and
//!   `MOBILE LEGENDS`) and their nominals agree: the first number in the name, brand words
//!   removed (`86 Diamonds (78 + 8 Bonus)` and `MOBILE LEGENDS 86 Diamond`; `Telkomsel 10.000`
//!   and `TELKOMSEL 10,000`) — for data packages every number, in order (quota and days:
//!   `1 GB / 7 Hari` is not `1 GB / 30 Hari`). A name without numbers never matches
//!   automatically: the seller matches it.

use crate::catalog::Category;
use crate::money::Rupiah;

/// A supplier the store can buy from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SupplierId {
    VipReseller,
    Digiflazz,
}

impl SupplierId {
    pub const ALL: [SupplierId; 2] = [SupplierId::VipReseller, SupplierId::Digiflazz];

    /// The configuration and storage name (`vip-reseller`, `digiflazz`).
    pub fn as_str(self) -> &'static str {
        match self {
            SupplierId::VipReseller => "vip-reseller",
            SupplierId::Digiflazz => "digiflazz",
        }
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            SupplierId::VipReseller => "VIP Reseller",
            SupplierId::Digiflazz => "Digiflazz",
        }
    }

    pub fn parse(text: &str) -> Option<SupplierId> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vip-reseller" | "vip" | "vipreseller" => Some(SupplierId::VipReseller),
            "digiflazz" => Some(SupplierId::Digiflazz),
            _ => None,
        }
    }
}

impl std::fmt::Display for SupplierId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One supplier's way to deliver a store product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub supplier: SupplierId,
    pub sku: String,
    pub cost: Rupiah,
    pub available: bool,
    /// The seller's rank among the product's offers (1 first); `None`: by cost.
    pub rank: Option<i64>,
}

/// Where the store stands with its suppliers when it picks an offer.
#[derive(Clone, Debug, Default)]
pub struct Suppliers<'a> {
    /// Configured, in priority order.
    pub configured: &'a [SupplierId],
    /// Paused by the seller.
    pub paused: &'a [SupplierId],
}

impl Suppliers<'_> {
    fn position(&self, s: SupplierId) -> Option<usize> {
        self.configured.iter().position(|c| *c == s)
    }

    fn usable(&self, s: SupplierId) -> bool {
        self.position(s).is_some() && !self.paused.contains(&s)
    }
}

/// The product's offers in the order the store tries them (usable ones only).
pub fn trial_order<'o>(offers: &'o [Offer], suppliers: &Suppliers<'_>) -> Vec<&'o Offer> {
    let mut usable: Vec<&Offer> = offers
        .iter()
        .filter(|o| o.available && suppliers.usable(o.supplier))
        .collect();
    usable.sort_by_key(|o| {
        (
            o.rank.unwrap_or(i64::MAX),
            o.cost,
            suppliers.position(o.supplier).unwrap_or(usize::MAX),
            o.sku.clone(),
        )
    });
    usable
}

/// The offer the store tries first (its cost makes the price).
pub fn first_offer<'o>(offers: &'o [Offer], suppliers: &Suppliers<'_>) -> Option<&'o Offer> {
    trial_order(offers, suppliers).into_iter().next()
}

/// Why an offer was passed over for an order's next attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Already tried for this order and definitely failed.
    Tried,
    /// Its cost is above the order's price: buying there would sell at a loss.
    AtALoss { cost: Rupiah, price: Rupiah },
}

/// The next offer for an order after the attempts in `tried` (supplier and SKU) definitely
/// failed, with the offers passed over and why. `price` is what the order sold for.
pub fn next_offer<'o>(
    offers: &'o [Offer],
    suppliers: &Suppliers<'_>,
    tried: &[(SupplierId, String)],
    price: Rupiah,
) -> (Option<&'o Offer>, Vec<(&'o Offer, Skipped)>) {
    let mut skipped = Vec::new();
    for offer in trial_order(offers, suppliers) {
        if tried
            .iter()
            .any(|(s, sku)| *s == offer.supplier && *sku == offer.sku)
        {
            skipped.push((offer, Skipped::Tried));
            continue;
        }
        if offer.cost > price {
            skipped.push((
                offer,
                Skipped::AtALoss {
                    cost: offer.cost,
                    price,
                },
            ));
            continue;
        }
        return (Some(offer), skipped);
    }
    (None, skipped)
}

/// What makes two supplier products the same store product (see the module rules).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatchKey {
    pub category: Category,
    pub brand_words: Vec<String>,
    pub numbers: Vec<u64>,
}

impl MatchKey {
    /// `None` when the name carries no number to match on.
    pub fn of(category: Category, brand: &str, name: &str) -> Option<MatchKey> {
        let brand_words = words(brand);
        let name_words: Vec<String> = words(name)
            .into_iter()
            .filter(|w| !brand_words.contains(w))
            .collect();
        let mut numbers: Vec<u64> = numbers(&name_words.join(" "));
        if category != Category::Data {
            // The nominal; what follows is detail (a bonus split, a validity) suppliers word
            // differently.
            numbers.truncate(1);
        }
        if numbers.is_empty() || brand_words.is_empty() {
            return None;
        }
        Some(MatchKey {
            category,
            brand_words,
            numbers,
        })
    }

    pub fn matches(&self, other: &MatchKey) -> bool {
        if self.category != other.category || self.numbers != other.numbers {
            return false;
        }
        // Spellings differ in spaces and dots (`GO PAY`/`GoPay`, `BY.U`/`by.U`) and in variant
        // letters (`Mobile Legends B`): one brand, written solid, begins the other.
        let a = self.brand_words.concat();
        let b = other.brand_words.concat();
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        long.starts_with(&short)
    }
}

/// Lower-case words of letters and digits; `10.000` and `10,000` stay one word.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let grouping = (c == '.' || c == ',')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() || grouping {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The numbers in `text`, thousands separators dropped (`10.000` → 10000; `1,5` stays 1 and 5
/// would be wrong, so a group that is not three digits long ends the number).
fn numbers(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for word in text.split(' ') {
        let mut digits = String::new();
        let mut groups_ok = true;
        let mut in_number = false;
        let mut group_len = 0;
        let mut seen_sep = false;
        for c in word.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                group_len += 1;
                in_number = true;
            } else if (c == '.' || c == ',') && in_number {
                if seen_sep && group_len != 3 {
                    groups_ok = false;
                }
                seen_sep = true;
                group_len = 0;
            } else {
                if in_number {
                    if seen_sep && group_len != 3 {
                        groups_ok = false;
                    }
                    push_number(&mut out, &digits, groups_ok);
                }
                digits.clear();
                in_number = false;
                seen_sep = false;
                groups_ok = true;
                group_len = 0;
            }
        }
        if in_number {
            if seen_sep && group_len != 3 {
                groups_ok = false;
            }
            push_number(&mut out, &digits, groups_ok);
        }
    }
    out
}

fn push_number(out: &mut Vec<u64>, digits: &str, groups_ok: bool) {
    if !groups_ok {
        // `1,5` or `14.5`: a decimal; keep its whole part (names rarely differ only there).
        return;
    }
    if let Ok(n) = digits.parse() {
        out.push(n);
    }
}

/// Among `candidates` (other suppliers' products), the one matching `key`: the cheapest available
/// one, else the cheapest. `None` when none matches.
pub fn best_match<'c, T>(
    key: &MatchKey,
    candidates: &'c [(MatchKey, Rupiah, bool, T)],
) -> Option<&'c T> {
    candidates
        .iter()
        .filter(|(k, ..)| k.matches(key))
        .min_by_key(|(_, cost, available, _)| (!*available, *cost))
        .map(|(.., t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(supplier: SupplierId, sku: &str, cost: i64, available: bool) -> Offer {
        Offer {
            supplier,
            sku: sku.into(),
            cost: Rupiah::new(cost),
            available,
            rank: None,
        }
    }

    const BOTH: [SupplierId; 2] = [SupplierId::VipReseller, SupplierId::Digiflazz];

    #[test]
    fn cheapest_first_then_supplier_order_and_the_sellers_rank_wins() {
        let offers = vec![
            offer(SupplierId::VipReseller, "ML86", 20_000, true),
            offer(SupplierId::Digiflazz, "ML86D", 19_500, true),
        ];
        let s = Suppliers {
            configured: &BOTH,
            paused: &[],
        };
        let order: Vec<&str> = trial_order(&offers, &s)
            .iter()
            .map(|o| o.sku.as_str())
            .collect();
        assert_eq!(order, ["ML86D", "ML86"]);

        // Same cost: the configured order decides.
        let mut same = offers.clone();
        same[1].cost = Rupiah::new(20_000);
        assert_eq!(first_offer(&same, &s).unwrap().sku, "ML86");

        // The seller put VIP first.
        let mut ranked = offers.clone();
        ranked[0].rank = Some(1);
        assert_eq!(first_offer(&ranked, &s).unwrap().sku, "ML86");
    }

    #[test]
    fn paused_unconfigured_and_unavailable_offers_are_never_tried() {
        let offers = vec![
            offer(SupplierId::VipReseller, "A", 10, true),
            offer(SupplierId::Digiflazz, "B", 5, false),
        ];
        let only_vip = [SupplierId::VipReseller];
        let s = Suppliers {
            configured: &only_vip,
            paused: &[],
        };
        assert_eq!(trial_order(&offers, &s).len(), 1);
        let paused = [SupplierId::VipReseller];
        let s = Suppliers {
            configured: &BOTH,
            paused: &paused,
        };
        assert!(trial_order(&offers, &s).is_empty());
    }

    #[test]
    fn failover_skips_tried_offers_and_offers_that_would_sell_at_a_loss() {
        let offers = vec![
            offer(SupplierId::VipReseller, "V", 10_000, true),
            offer(SupplierId::Digiflazz, "D", 10_400, true),
        ];
        let s = Suppliers {
            configured: &BOTH,
            paused: &[],
        };
        let tried = vec![(SupplierId::VipReseller, "V".to_string())];
        let (next, skipped) = next_offer(&offers, &s, &tried, Rupiah::new(11_000));
        assert_eq!(next.unwrap().sku, "D");
        assert_eq!(skipped.len(), 1);
        let (next, skipped) = next_offer(&offers, &s, &tried, Rupiah::new(10_300));
        assert!(next.is_none());
        assert_eq!(
            skipped[1].1,
            Skipped::AtALoss {
                cost: Rupiah::new(10_400),
                price: Rupiah::new(10_300)
            }
        );
        let all = vec![
            (SupplierId::VipReseller, "V".to_string()),
            (SupplierId::Digiflazz, "D".to_string()),
        ];
        assert!(next_offer(&offers, &s, &all, Rupiah::new(99_999))
            .0
            .is_none());
    }

    #[test]
    fn products_match_on_category_brand_and_numbers() {
        let vip = MatchKey::of(Category::Game, "Mobile Legends B", "1048 Diamonds").unwrap();
        let df = MatchKey::of(
            Category::Game,
            "MOBILE LEGENDS",
            "MOBILE LEGENDS 1048 Diamond",
        )
        .unwrap();
        assert!(vip.matches(&df) && df.matches(&vip));
        let other = MatchKey::of(Category::Game, "MOBILE LEGENDS", "Mobile Legends 86").unwrap();
        assert!(!vip.matches(&other));
        let bonus = MatchKey::of(
            Category::Game,
            "Mobile Legends B",
            "86 Diamonds (78 + 8 Bonus)",
        )
        .unwrap();
        assert!(bonus.matches(&other));
        let ff = MatchKey::of(Category::Game, "FREE FIRE", "Free Fire 1048 Diamond").unwrap();
        assert!(!vip.matches(&ff));
        let gopay = MatchKey::of(Category::Voucher, "GoPay", "GoPay 20.000").unwrap();
        let go_pay = MatchKey::of(Category::Voucher, "GO PAY", "GO PAY 20.000").unwrap();
        assert!(gopay.matches(&go_pay));

        let pulsa_vip = MatchKey::of(Category::Pulsa, "Telkomsel", "Telkomsel 10.000").unwrap();
        let pulsa_df = MatchKey::of(Category::Pulsa, "TELKOMSEL", "Telkomsel 10,000").unwrap();
        assert!(pulsa_vip.matches(&pulsa_df));
        assert_eq!(pulsa_vip.numbers, vec![10_000]);
        // Same numbers, another category: no match.
        let data = MatchKey::of(Category::Data, "Telkomsel", "Telkomsel 10.000").unwrap();
        assert!(!pulsa_vip.matches(&data));
        // Nothing to match on.
        assert!(MatchKey::of(Category::Game, "Mobile Legends", "Weekly Diamond Pass").is_none());
        let data_a = MatchKey::of(Category::Data, "XL", "XL Data 1GB 30 Hari").unwrap();
        let data_b = MatchKey::of(Category::Data, "XL", "Xtra 1 GB 7 Hari").unwrap();
        assert_eq!(data_a.numbers, vec![1, 30]);
        assert!(!data_a.matches(&data_b));
        assert_eq!(
            MatchKey::of(Category::Pln, "PLN", "Token 14.5 kWh 20.000")
                .unwrap()
                .numbers,
            vec![20_000]
        );
    }

    #[test]
    fn the_best_match_is_the_cheapest_available() {
        let key = MatchKey::of(Category::Pulsa, "XL", "XL 5.000").unwrap();
        let c = |name: &str, cost: i64, available: bool, id: u8| {
            (
                MatchKey::of(Category::Pulsa, "XL", name).unwrap(),
                Rupiah::new(cost),
                available,
                id,
            )
        };
        let candidates = vec![
            c("XL 5.000", 5_100, false, 1),
            c("XL 5.000", 5_200, true, 2),
            c("XL 10.000", 100, true, 3),
        ];
        assert_eq!(best_match(&key, &candidates), Some(&2));
        assert_eq!(best_match(&key, &candidates[..1]), Some(&1));
    }
}
