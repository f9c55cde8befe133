//! The one place a buyer's price is decided: the confirmation card, the chat, the JSON API,
//! order creation and (through the stored order) the invoice all show what [`quote`] returns.
//!
//! Rules, in order (every rounding is written here; none costs the store money):
//! 1. **Floor** = [`floor_price`]`(cost + markup_min, cut, unit)` for every configured rail (the
//!    largest: [`Rail::floor`]): the smallest payable price
//!    whose net, after the payment rail's cut, still covers the supplier cost plus the store's
//!    minimum markup. It holds for every product kind, postpaid bills included.
//! 2. **List price**: the catalogue price (stored by `pricing` when the cost was last synced), or
//!    for a bill `round_up(total + markup_min, unit)`; raised to the floor if it is below (a cost
//!    or a setting changed since the catalogue was priced).
//! 3. **Tier price**: the buyer's tier's own price, never above the list price, never below the
//!    floor.
//! 4. **Flash sale**: when a sale runs (with units left) and its price is below the tier price,
//!    the sale price, raised to the floor; a sale that the floor raises to the tier price is no
//!    sale. A voucher cannot be used with a sale.
//! 5. **Voucher**: its discount off the tier price ([`Voucher::discount`]: rounded down to the
//!    unit, shrunk so the price stays at the floor unless the seller let this voucher go below
//!    cost). Vouchers do not apply to bills.
//! 6. **Fee and total**: `fee = ceil(price × fee_rate) + fee_fixed`, then
//!    `amount_due = round_up(price + fee, unit)` with the rounding surplus added to the fee, so
//!    `price + fee == amount_due == units × unit`.

use serde::Serialize;

use crate::money::{Rounding, Rupiah};
use crate::pricing::{floor_price, CustomerFee, PaymentCost, Tier};
use crate::voucher::{Item, Voucher, VoucherError};

/// What the payment rails keep of a payment and the unit it is paid in. An order is priced
/// before it is known which rail takes the money (a rail may fail over to the next), so the
/// floor holds for every configured rail: `cut` is the first's, `also` the others'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rail {
    pub cut: PaymentCost,
    pub unit: Rupiah,
    pub also: [Option<PaymentCost>; 2],
}

impl Rail {
    /// One rail.
    pub fn single(cut: PaymentCost, unit: Rupiah) -> Rail {
        Rail {
            cut,
            unit,
            also: [None, None],
        }
    }

    /// The configured rails in order (at most three), in the largest unit among them.
    pub fn over(terms: &[crate::RailTerms]) -> Rail {
        let unit = terms.iter().map(|t| t.unit).max().unwrap_or(Rupiah::new(1));
        let mut cuts = terms.iter().map(|t| t.cut);
        Rail {
            cut: cuts.next().unwrap_or_default(),
            unit,
            also: [cuts.next(), cuts.next()],
        }
    }

    /// The smallest price, in whole units, whose net after **every** rail's cut covers `need`
    /// (a rail's net only grows with the price, so the largest of their floors works for all).
    /// `None` when a rail's rate leaves nothing.
    pub fn floor(&self, need: Rupiah) -> Option<Rupiah> {
        let mut floor = floor_price(need, &self.cut, self.unit)?;
        for cut in self.also.iter().flatten() {
            floor = floor.max(floor_price(need, cut, self.unit)?);
        }
        Some(floor)
    }
}

/// What is being bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priced {
    /// A catalogue product: its list (guest) price and the buyer's tier price.
    Product { list: Rupiah, tier_price: Rupiah },
    /// A postpaid bill: the supplier's inquired total is also the cost.
    Bill,
}

/// A voucher the buyer typed, with the product as the voucher's scope sees it (its `price` and
/// `floor` are set by [`quote`]).
#[derive(Clone, Debug)]
pub struct VoucherAsk<'a> {
    pub voucher: &'a Voucher,
    pub item: Item<'a>,
    pub now: i64,
}

/// Everything that decides a price.
#[derive(Clone, Debug)]
pub struct Ask<'a> {
    pub priced: Priced,
    /// The supplier cost (a bill's inquired total).
    pub cost: Rupiah,
    pub tier: Tier,
    /// A running flash sale's price (with units left).
    pub sale: Option<Rupiah>,
    pub voucher: Option<VoucherAsk<'a>>,
    pub rail: Rail,
    pub fee: CustomerFee,
    pub markup_min: Rupiah,
}

/// Every line of a buyer's price and the floor it respects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The guest price.
    pub list: Rupiah,
    pub tier: Tier,
    /// What this buyer's tier pays before a sale or voucher (the list price for a guest).
    pub tier_price: Rupiah,
    /// The flash-sale price, when a sale applies.
    pub sale: Option<Rupiah>,
    pub voucher_discount: Rupiah,
    /// What the voucher itself promised (its percentage or amount): more than
    /// `voucher_discount` when the floor or the payment unit held it back, which the card says.
    pub voucher_nominal: Rupiah,
    /// The item price the buyer pays: tier price, less the sale or the voucher.
    pub price: Rupiah,
    pub fee: Rupiah,
    pub amount_due: Rupiah,
    /// How many payment units settle `amount_due`.
    pub units: i64,
    pub floor: Rupiah,
}

impl Quote {
    /// What the sale or the voucher took off the tier price.
    pub fn discount(&self) -> Rupiah {
        self.tier_price - self.price
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("{0}")]
    Voucher(VoucherError),
    #[error("Voucher tidak bisa dipakai bersama harga flash sale.")]
    VoucherWithSale,
}

impl QuoteError {
    pub fn code(&self) -> &'static str {
        match self {
            QuoteError::Voucher(e) => e.code(),
            QuoteError::VoucherWithSale => "voucher_with_flash_sale",
        }
    }
}

/// The buyer's price (rules in the module docs).
pub fn quote(ask: &Ask<'_>) -> Result<Quote, QuoteError> {
    let unit = ask.rail.unit;
    let markup_min = ask.markup_min.max(Rupiah::ZERO);
    let floor = ask
        .rail
        .floor(ask.cost + markup_min)
        .unwrap_or_else(|| (ask.cost + markup_min).round_up_to(unit));
    let (list, tier_price) = match ask.priced {
        Priced::Product { list, tier_price } => {
            let list = list.max(floor);
            (list, tier_price.min(list).max(floor))
        }
        Priced::Bill => {
            let list = (ask.cost + markup_min).round_up_to(unit).max(floor);
            (list, list)
        }
    };
    let sale = ask
        .sale
        .filter(|s| *s < tier_price)
        .map(|s| s.max(floor))
        .filter(|s| *s < tier_price);
    let voucher_nominal = match (&ask.voucher, sale) {
        (Some(v), None) => v.voucher.nominal(tier_price),
        _ => Rupiah::ZERO,
    };
    let voucher_discount = match (&ask.voucher, sale, ask.priced) {
        (None, _, _) => Rupiah::ZERO,
        (Some(_), Some(_), _) => return Err(QuoteError::VoucherWithSale),
        (Some(_), None, Priced::Bill) => return Err(QuoteError::Voucher(VoucherError::OutOfScope)),
        (Some(v), None, Priced::Product { .. }) => {
            let item = Item {
                price: tier_price,
                floor,
                ..v.item.clone()
            };
            v.voucher
                .discount(&item, v.now, unit)
                .map_err(QuoteError::Voucher)?
        }
    };
    let price = sale.unwrap_or(tier_price) - voucher_discount;
    let (fee, amount_due) = charge(price, &ask.fee, unit);
    Ok(Quote {
        list,
        tier: ask.tier,
        tier_price,
        sale,
        voucher_discount,
        voucher_nominal,
        price,
        fee,
        amount_due,
        units: amount_due.units_of(unit),
        floor,
    })
}

/// The customer fee on `price` and the total, rounded up to the unit (surplus to the fee).
fn charge(price: Rupiah, fee: &CustomerFee, unit: Rupiah) -> (Rupiah, Rupiah) {
    let raw_fee = fee.rate.of(price, Rounding::Up) + fee.fixed;
    let amount_due = (price + raw_fee).round_up_to(unit);
    (amount_due - price, amount_due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Category;
    use crate::money::Bps;
    use crate::voucher::{Amount, Scope};
    use proptest::prelude::*;

    const UNIT: Rupiah = Rupiah::new(1000);

    fn trakteer() -> Rail {
        Rail::single(
            PaymentCost {
                rate: Bps::new(578),
                fixed: Rupiah::ZERO,
            },
            UNIT,
        )
    }

    fn ask(list: i64, tier_price: i64, cost: i64) -> Ask<'static> {
        Ask {
            priced: Priced::Product {
                list: Rupiah::new(list),
                tier_price: Rupiah::new(tier_price),
            },
            cost: Rupiah::new(cost),
            tier: Tier::Guest,
            sale: None,
            voucher: None,
            rail: trakteer(),
            fee: CustomerFee::default(),
            markup_min: Rupiah::new(500),
        }
    }

    fn voucher(amount: Amount, below_cost: bool) -> Voucher {
        Voucher {
            code: "HEMAT".into(),
            amount,
            min_purchase: Rupiah::ZERO,
            scope: Scope::All,
            starts_at: 0,
            ends_at: i64::MAX,
            total_uses: None,
            per_number: None,
            first_order_only: false,
            below_cost,
            active: true,
        }
    }

    fn item() -> Item<'static> {
        Item {
            code: "ML86",
            category: Category::Game,
            game: "Mobile Legends",
            brand: "MOBILE LEGENDS",
            price: Rupiah::ZERO,
            floor: Rupiah::ZERO,
        }
    }

    #[test]
    fn a_bill_at_trakteers_cut_is_priced_above_cost_plus_cut() {
        // The bill: Rp 382 000 at 5.78 %. The old rule (total + 500 → 383 000) kept
        // 383 000 − 22 138 = 360 862: Rp 21 138 below cost.
        let q = quote(&Ask {
            priced: Priced::Bill,
            ..ask(0, 0, 382_000)
        })
        .unwrap();
        // (382 000 + 500) / 0.9422 = 405 964.8 → 406 000, and 405 000 would not cover it.
        assert_eq!(q.floor, Rupiah::new(406_000));
        assert_eq!((q.list, q.price, q.amount_due), (q.floor, q.floor, q.floor));
        assert!(trakteer().cut.net(q.price) >= Rupiah::new(382_500));
        assert!(trakteer().cut.net(q.price - UNIT) < Rupiah::new(382_500));
    }

    #[test]
    fn a_sale_below_the_floor_is_raised_to_it_and_one_at_the_tier_price_is_none() {
        // Cost 10 000: floor (10 500 / 0.9422 = 11 144) → 12 000.
        let mut a = ask(13_000, 13_000, 10_000);
        a.sale = Some(Rupiah::new(9_000));
        let q = quote(&a).unwrap();
        assert_eq!(
            (q.sale, q.price),
            (Some(Rupiah::new(12_000)), Rupiah::new(12_000))
        );
        assert_eq!(q.discount(), Rupiah::new(1_000));
        a.priced = Priced::Product {
            list: Rupiah::new(12_000),
            tier_price: Rupiah::new(12_000),
        };
        let q = quote(&a).unwrap();
        assert_eq!((q.sale, q.price), (None, Rupiah::new(12_000)));
    }

    #[test]
    fn a_tier_price_is_never_above_the_list_nor_below_the_floor() {
        let q = quote(&ask(20_000, 25_000, 10_000)).unwrap();
        assert_eq!(q.tier_price, Rupiah::new(20_000));
        let q = quote(&ask(20_000, 5_000, 10_000)).unwrap();
        assert_eq!(q.tier_price, Rupiah::new(12_000));
        // A stale list price below today's floor is raised too.
        let q = quote(&ask(11_000, 11_000, 10_000)).unwrap();
        assert_eq!(
            (q.list, q.price),
            (Rupiah::new(12_000), Rupiah::new(12_000))
        );
    }

    #[test]
    fn a_voucher_shrinks_to_the_floor_unless_allowed_below_cost() {
        let v = voucher(Amount::Fixed(Rupiah::new(5_000)), false);
        let mut a = ask(15_000, 15_000, 10_000);
        a.voucher = Some(VoucherAsk {
            voucher: &v,
            item: item(),
            now: 1,
        });
        let q = quote(&a).unwrap();
        assert_eq!(
            (q.voucher_discount, q.price),
            (Rupiah::new(3_000), Rupiah::new(12_000))
        );
        let loose = voucher(Amount::Fixed(Rupiah::new(5_000)), true);
        a.voucher = Some(VoucherAsk {
            voucher: &loose,
            item: item(),
            now: 1,
        });
        assert_eq!(quote(&a).unwrap().price, Rupiah::new(10_000));
        a.sale = Some(Rupiah::new(13_000));
        assert_eq!(quote(&a), Err(QuoteError::VoucherWithSale));
        a.sale = None;
        a.priced = Priced::Bill;
        assert_eq!(
            quote(&a),
            Err(QuoteError::Voucher(VoucherError::OutOfScope))
        );
    }

    #[test]
    fn the_fee_takes_the_rounding_surplus() {
        let mut a = ask(216_000, 216_000, 190_000);
        a.fee = CustomerFee {
            rate: Bps::new(70),
            fixed: Rupiah::ZERO,
        };
        let q = quote(&a).unwrap();
        // 0.7 % of 216 000 = 1 512 → due 217 512 → 218 000.
        assert_eq!(
            (q.fee, q.amount_due, q.units),
            (Rupiah::new(2_000), Rupiah::new(218_000), 218)
        );
    }

    proptest! {
        #[test]
        fn every_quote_is_payable_and_at_least_the_floor(
            cost in 1i64..5_000_000, list_over in 0i64..200_000, tier_off in 0i64..200_000,
            sale_off in prop::option::of(0i64..300_000), pct in prop::option::of(1u32..10_000),
            fixed_off in 0i64..100_000, rate in 0u32..2_000, min in 0i64..5_000,
            fee_rate in 0u32..500, fee_fixed in 0i64..3_000, bill in any::<bool>(),
            unit in prop::sample::select(vec![1i64, 100, 500, 1000]),
        ) {
            let unit = Rupiah::new(unit);
            let list = Rupiah::new(cost + list_over).round_up_to(unit);
            let v = voucher(match pct {
                Some(p) => Amount::Percent { rate: Bps::new(p), cap: None },
                None => Amount::Fixed(Rupiah::new(fixed_off)),
            }, false);
            let a = Ask {
                priced: if bill { Priced::Bill } else {
                    Priced::Product { list, tier_price: (list - Rupiah::new(tier_off)).round_up_to(unit) }
                },
                cost: Rupiah::new(cost),
                tier: Tier::Member,
                sale: sale_off.map(|o| (list - Rupiah::new(o)).round_up_to(unit)),
                voucher: (sale_off.is_none() && !bill).then(|| VoucherAsk { voucher: &v, item: item(), now: 1 }),
                rail: Rail::single(PaymentCost { rate: Bps::new(rate), fixed: Rupiah::ZERO }, unit),
                fee: CustomerFee { rate: Bps::new(fee_rate), fixed: Rupiah::new(fee_fixed) },
                markup_min: Rupiah::new(min),
            };
            let q = match quote(&a) {
                Ok(q) => q,
                Err(QuoteError::Voucher(VoucherError::NothingOff)) => return Ok(()),
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            };
            prop_assert!(q.price >= q.floor);
            prop_assert!(a.rail.cut.net(q.price).amount() >= cost + min);
            prop_assert!(q.price <= q.tier_price && q.tier_price <= q.list);
            prop_assert_eq!(q.price + q.fee, q.amount_due);
            prop_assert_eq!(q.units * unit.amount(), q.amount_due.amount());
            prop_assert_eq!(q.price.amount() % unit.amount(), 0);
        }
    }
}
