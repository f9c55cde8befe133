//! From the supplier's price to what the customer pays.
//!
//! Rules, in order (all rounding is upward, so rounding never costs the store money):
//! 1. `markup = max(ceil(cost × markup_rate), markup_min)`;
//! 2. `price = round_up(cost + markup, unit)` — `unit` is the payment unit (Trakteer's unit price),
//!    so the item alone is always payable exactly;
//! 3. what a buyer pays for it — tier, flash sale, voucher, fee, floor — is decided by
//!    [`crate::quote`].

use serde::{Deserialize, Serialize};

use crate::money::{Bps, Rounding, Rupiah};

/// How the store turns a supplier cost into a selling price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markup {
    pub rate: Bps,
    pub min: Rupiah,
}

impl Markup {
    pub fn sell_price(&self, cost: Rupiah, unit: Rupiah) -> Rupiah {
        let markup = self.rate.of(cost, Rounding::Up).max(self.min);
        (cost + markup).round_up_to(unit)
    }
}

/// The admin fee charged to the customer on top of the item price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFee {
    pub rate: Bps,
    pub fixed: Rupiah,
}

/// What the payment channel keeps of each payment (Trakteer's platform share + the method's fee):
/// `ceil(amount × rate) + fixed`, rounded up so the estimate never flatters the margin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCost {
    pub rate: Bps,
    pub fixed: Rupiah,
}

impl PaymentCost {
    pub fn of(&self, amount: Rupiah) -> Rupiah {
        self.rate.of(amount, Rounding::Up) + self.fixed
    }

    /// What the seller keeps of `amount`.
    pub fn net(&self, amount: Rupiah) -> Rupiah {
        amount - self.of(amount)
    }
}

/// The margin guard: the smallest payable price (a multiple of `unit`) whose net, after the
/// payment channel's cut, still covers `cost`. The catalogue never sells below it, however the
/// markup rules are set, so a supplier price rise can never turn sales into losses.
///
/// `None` when no price can cover the cost (a channel rate of 100 % or more).
pub fn floor_price(cost: Rupiah, payment: &PaymentCost, unit: Rupiah) -> Option<Rupiah> {
    let keep = 10_000i128 - i128::from(payment.rate.value());
    if keep <= 0 {
        return None;
    }
    // Exact bound p ≥ (cost + fixed) / (1 − rate), then settle the rounding by stepping.
    let need = i128::from((cost + payment.fixed).amount().max(0));
    let approx = (need * 10_000 + keep - 1) / keep;
    let mut p = Rupiah::new(i64::try_from(approx).ok()?).round_up_to(unit);
    while payment.net(p) < cost {
        p += unit;
    }
    while p >= unit && payment.net(p - unit) >= cost {
        p -= unit;
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const UNIT: Rupiah = Rupiah::new(1000);

    #[test]
    fn default_markup_worked_examples() {
        let m = Markup {
            rate: Bps::new(1000),
            min: Rupiah::new(500),
        };
        // 3 310 + max(331, 500) = 3 810 → 4 000
        assert_eq!(m.sell_price(Rupiah::new(3310), UNIT), Rupiah::new(4000));
        // 195 695 + 19 570 (19 569.5 rounded up) = 215 265 → 216 000
        assert_eq!(
            m.sell_price(Rupiah::new(195_695), UNIT),
            Rupiah::new(216_000)
        );
    }

    #[test]
    fn margin_guard_worked_example() {
        // 5.78 % (Trakteer 5 % + QRIS 0.78 %): a 10 000 cost needs 10 614 gross → 11 000.
        let qris = PaymentCost {
            rate: Bps::new(578),
            fixed: Rupiah::ZERO,
        };
        assert_eq!(
            floor_price(Rupiah::new(10_000), &qris, UNIT),
            Some(Rupiah::new(11_000))
        );
        assert_eq!(qris.net(Rupiah::new(11_000)), Rupiah::new(10_364));
        assert_eq!(
            floor_price(Rupiah::new(0), &PaymentCost::default(), UNIT),
            Some(Rupiah::ZERO)
        );
        let all = PaymentCost {
            rate: Bps::new(10_000),
            fixed: Rupiah::ZERO,
        };
        assert_eq!(floor_price(Rupiah::new(1), &all, UNIT), None);
    }

    proptest! {
        #[test]
        fn floor_price_is_the_smallest_that_covers_cost(
            cost in 0i64..50_000_000, rate in 0u32..3_000, fixed in 0i64..5_000,
            unit in prop::sample::select(vec![1i64, 100, 500, 1000, 5000])
        ) {
            let unit = Rupiah::new(unit);
            let pc = PaymentCost { rate: Bps::new(rate), fixed: Rupiah::new(fixed) };
            let p = floor_price(Rupiah::new(cost), &pc, unit).unwrap();
            prop_assert_eq!(p.amount() % unit.amount(), 0);
            prop_assert!(pc.net(p).amount() >= cost);
            if p >= unit {
                prop_assert!(pc.net(p - unit).amount() < cost);
            }
        }

        #[test]
        fn price_covers_cost_plus_markup_and_is_payable(
            cost in 1i64..50_000_000, rate in 0u32..5_000, min in 0i64..10_000,
            unit in prop::sample::select(vec![1i64, 100, 500, 1000, 5000])
        ) {
            let unit = Rupiah::new(unit);
            let m = Markup { rate: Bps::new(rate), min: Rupiah::new(min) };
            let price = m.sell_price(Rupiah::new(cost), unit);
            prop_assert!(price.amount() >= cost + min);
            prop_assert_eq!(price.amount() % unit.amount(), 0);
        }
    }
}

/// Who is buying, for the price: guests pay the catalogue price, signed-in customers are
/// members, and resellers are numbers the seller approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Guest,
    Member,
    Reseller,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Guest, Tier::Member, Tier::Reseller];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Guest => "guest",
            Tier::Member => "member",
            Tier::Reseller => "reseller",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Tier::Guest => "Tamu",
            Tier::Member => "Member",
            Tier::Reseller => "Reseller",
        }
    }

    pub fn parse(text: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }
}
