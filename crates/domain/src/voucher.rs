//! Vouchers: a code that takes an amount off the item price of one order.
//!
//! Rules (money depends on them, so they are written down here and tested below):
//! - **Amount**: a percentage of the item price (rounded down to the rupiah) capped at `cap`, or a
//!   fixed amount; never more than the price itself.
//! - **Payable**: the discount is rounded *down* to the payment unit (Trakteer's unit price), so
//!   the discounted price stays a whole number of units, as every price is.
//! - **Floor**: unless the seller allows it for this voucher, the discounted price never goes
//!   below `floor` — the smallest price that still covers the supplier cost and the payment
//!   channel's cut (`pricing::floor_price`); the discount shrinks to fit, and a voucher that would
//!   give nothing is refused.
//! - **Eligibility**: active, inside its window (`starts_at <= now < ends_at`), the item price at
//!   least `min_purchase`, the product inside its scope, and — checked against storage, not here —
//!   uses left in total and for the buyer's number, and "first order only".
//! - Codes are case-insensitive: stored and compared in upper case, letters, digits and `-`.

use crate::catalog::Category;
use crate::money::{Bps, Rounding, Rupiah};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// Basis points of the price, at most `cap` when set.
    Percent {
        rate: Bps,
        cap: Option<Rupiah>,
    },
    Fixed(Rupiah),
}

/// Which products a voucher applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Category(Category),
    /// A game (or brand) as the storefront names it, compared case-insensitively.
    Game(String),
    Product(String),
}

impl Scope {
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Category(_) => "category",
            Scope::Game(_) => "game",
            Scope::Product(_) => "product",
        }
    }

    pub fn value(&self) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Category(c) => c.as_str().to_string(),
            Scope::Game(g) | Scope::Product(g) => g.clone(),
        }
    }

    pub fn parse(kind: &str, value: &str) -> Option<Scope> {
        let value = value.trim();
        match kind {
            "all" => Some(Scope::All),
            "category" => value.parse().ok().map(Scope::Category),
            "game" if !value.is_empty() => Some(Scope::Game(value.to_string())),
            "product" if !value.is_empty() => Some(Scope::Product(value.to_string())),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voucher {
    pub code: String,
    pub amount: Amount,
    pub min_purchase: Rupiah,
    pub scope: Scope,
    pub starts_at: i64,
    pub ends_at: i64,
    /// Uses in total (`None`: unlimited).
    pub total_uses: Option<i64>,
    /// Uses per WhatsApp number (`None`: unlimited).
    pub per_number: Option<i64>,
    pub first_order_only: bool,
    /// The seller lets this voucher take the price below cost + fees.
    pub below_cost: bool,
    pub active: bool,
}

/// The product an order is for, as far as a voucher cares.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub code: &'a str,
    pub category: Category,
    /// The game as the storefront names it, and the supplier's brand.
    pub game: &'a str,
    pub brand: &'a str,
    pub price: Rupiah,
    /// The lowest price that covers cost and the payment cut (`pricing::floor_price`).
    pub floor: Rupiah,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VoucherError {
    #[error("Kode voucher tidak dikenal.")]
    Unknown,
    #[error("Voucher ini sedang tidak berlaku.")]
    NotActive,
    #[error("Voucher ini belum berlaku.")]
    NotYet,
    #[error("Voucher ini sudah berakhir.")]
    Ended,
    #[error("Voucher ini berlaku untuk pembelian minimal {0}.")]
    BelowMinimum(Rupiah),
    #[error("Voucher ini tidak berlaku untuk produk ini.")]
    OutOfScope,
    #[error("Harga produk ini sudah paling rendah; voucher tidak bisa dipakai.")]
    NothingOff,
    #[error("Kuota voucher ini sudah habis.")]
    UsedUp,
    #[error("Voucher ini sudah kamu pakai sebanyak batasnya.")]
    UsedUpForNumber,
    #[error("Voucher ini hanya untuk pembelian pertama.")]
    NotFirstOrder,
}

impl VoucherError {
    pub fn code(&self) -> &'static str {
        match self {
            VoucherError::Unknown => "voucher_unknown",
            VoucherError::NotActive | VoucherError::NotYet | VoucherError::Ended => {
                "voucher_not_valid_now"
            }
            VoucherError::BelowMinimum(_) => "voucher_below_minimum",
            VoucherError::OutOfScope => "voucher_out_of_scope",
            VoucherError::NothingOff => "voucher_nothing_off",
            VoucherError::UsedUp => "voucher_used_up",
            VoucherError::UsedUpForNumber => "voucher_used_up_for_number",
            VoucherError::NotFirstOrder => "voucher_first_order_only",
        }
    }
}

/// A code as typed, cleaned: upper case, letters, digits and `-`, 3–20 of them.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed.trim().to_uppercase();
    let ok = (3..=20).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(code)
}

impl Voucher {
    /// What the voucher says it takes off `price` (its percentage up to its cap, or its fixed
    /// amount), before the price floor and the payment unit have their say.
    pub fn nominal(&self, price: Rupiah) -> Rupiah {
        match self.amount {
            Amount::Percent { rate, cap } => {
                let off = rate.of(price, Rounding::Down);
                cap.map_or(off, |c| off.min(c))
            }
            Amount::Fixed(a) => a,
        }
        .min(price)
        .max(Rupiah::ZERO)
    }

    /// How much this voucher takes off `item` at `now` (`unit`: the payment unit), or why not.
    /// Limits of uses are checked by storage, which knows them (`UsedUp`, `UsedUpForNumber`,
    /// `NotFirstOrder`).
    pub fn discount(
        &self,
        item: &Item<'_>,
        now: i64,
        unit: Rupiah,
    ) -> Result<Rupiah, VoucherError> {
        if !self.active {
            return Err(VoucherError::NotActive);
        }
        if now < self.starts_at {
            return Err(VoucherError::NotYet);
        }
        if now >= self.ends_at {
            return Err(VoucherError::Ended);
        }
        if item.price < self.min_purchase {
            return Err(VoucherError::BelowMinimum(self.min_purchase));
        }
        let in_scope = match &self.scope {
            Scope::All => true,
            Scope::Category(c) => *c == item.category,
            Scope::Game(g) => {
                g.eq_ignore_ascii_case(item.game) || g.eq_ignore_ascii_case(item.brand)
            }
            Scope::Product(p) => p.eq_ignore_ascii_case(item.code),
        };
        if !in_scope {
            return Err(VoucherError::OutOfScope);
        }
        let raw = self.nominal(item.price);
        let room = if self.below_cost {
            item.price
        } else {
            (item.price - item.floor).max(Rupiah::ZERO)
        };
        let off = round_down_to(raw.min(room), unit);
        if off.is_positive() {
            Ok(off)
        } else {
            Err(VoucherError::NothingOff)
        }
    }
}

fn round_down_to(amount: Rupiah, unit: Rupiah) -> Rupiah {
    if !unit.is_positive() {
        return amount;
    }
    Rupiah::new(amount.amount().div_euclid(unit.amount()) * unit.amount())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: Rupiah = Rupiah::new(1000);

    fn voucher(amount: Amount) -> Voucher {
        Voucher {
            code: "HEMAT".into(),
            amount,
            min_purchase: Rupiah::ZERO,
            scope: Scope::All,
            starts_at: 0,
            ends_at: 100,
            total_uses: Some(5),
            per_number: Some(1),
            first_order_only: false,
            below_cost: false,
            active: true,
        }
    }

    fn item(price: i64, floor: i64) -> Item<'static> {
        Item {
            code: "ML86-S1",
            category: Category::Game,
            game: "Mobile Legends",
            brand: "Mobile Legends B",
            price: Rupiah::new(price),
            floor: Rupiah::new(floor),
        }
    }

    #[test]
    fn percent_is_rounded_down_capped_and_kept_payable() {
        let v = voucher(Amount::Percent {
            rate: Bps::new(1000),
            cap: Some(Rupiah::new(5_000)),
        });
        // 10 % of 22 000 = 2 200 → 2 000 (whole units).
        assert_eq!(
            v.discount(&item(22_000, 0), 1, UNIT),
            Ok(Rupiah::new(2_000))
        );
        // 10 % of 90 000 = 9 000, capped at 5 000.
        assert_eq!(
            v.discount(&item(90_000, 0), 1, UNIT),
            Ok(Rupiah::new(5_000))
        );
        let fixed = voucher(Amount::Fixed(Rupiah::new(50_000)));
        assert_eq!(
            fixed.discount(&item(22_000, 0), 1, UNIT),
            Ok(Rupiah::new(22_000))
        );
    }

    #[test]
    fn the_floor_holds_unless_the_seller_lets_it_go() {
        let mut v = voucher(Amount::Fixed(Rupiah::new(5_000)));
        // Price 22 000, floor 20 000: only 2 000 can come off.
        assert_eq!(
            v.discount(&item(22_000, 20_000), 1, UNIT),
            Ok(Rupiah::new(2_000))
        );
        assert_eq!(
            v.discount(&item(20_000, 20_000), 1, UNIT),
            Err(VoucherError::NothingOff)
        );
        // A floor of 20 500 leaves 1 500 of room: one unit.
        assert_eq!(
            v.discount(&item(22_000, 20_500), 1, UNIT),
            Ok(Rupiah::new(1_000))
        );
        v.below_cost = true;
        assert_eq!(
            v.discount(&item(20_000, 20_000), 1, UNIT),
            Ok(Rupiah::new(5_000))
        );
    }

    #[test]
    fn window_minimum_scope_and_switch() {
        let mut v = voucher(Amount::Fixed(Rupiah::new(1_000)));
        assert_eq!(
            v.discount(&item(10_000, 0), -1, UNIT),
            Err(VoucherError::NotYet)
        );
        assert_eq!(
            v.discount(&item(10_000, 0), 100, UNIT),
            Err(VoucherError::Ended)
        );
        v.min_purchase = Rupiah::new(20_000);
        assert_eq!(
            v.discount(&item(10_000, 0), 1, UNIT),
            Err(VoucherError::BelowMinimum(Rupiah::new(20_000)))
        );
        v.min_purchase = Rupiah::ZERO;
        v.scope = Scope::Category(Category::Pulsa);
        assert_eq!(
            v.discount(&item(10_000, 0), 1, UNIT),
            Err(VoucherError::OutOfScope)
        );
        v.scope = Scope::Game("mobile legends".into());
        assert!(v.discount(&item(10_000, 0), 1, UNIT).is_ok());
        v.scope = Scope::Product("ml86-s1".into());
        assert!(v.discount(&item(10_000, 0), 1, UNIT).is_ok());
        v.active = false;
        assert_eq!(
            v.discount(&item(10_000, 0), 1, UNIT),
            Err(VoucherError::NotActive)
        );
    }

    #[test]
    fn codes_are_cleaned() {
        assert_eq!(normalize_code(" hemat-10 ").as_deref(), Some("HEMAT-10"));
        assert_eq!(normalize_code("ab"), None);
        assert_eq!(normalize_code("DISKON 10"), None);
        assert_eq!(normalize_code("x\0yz"), None);
        assert_eq!(
            Scope::parse("category", "pulsa"),
            Some(Scope::Category(Category::Pulsa))
        );
        assert_eq!(Scope::parse("game", " "), None);
    }
}
