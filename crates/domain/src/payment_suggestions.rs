//! Which open orders an unmatched payment may belong to, for the seller to pick with one tap: a
//! customer who deleted the order code from Trakteer's message still paid about what was owed.
//!
//! Rule (written down because the seller acts on it): an order is suggested when what it still
//! owes is within 10 % of the payment's gross (at least Rp 2.000 either way, for small orders and
//! Trakteer's whole units), nearest amount first, then newest; at most `max` of them.

use crate::Rupiah;

/// An order that can still take a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOrder {
    /// What is still owed (amount due minus what was paid).
    pub owed: Rupiah,
    pub created_at: i64,
}

/// The smallest distance that still counts as close.
const MIN_SLACK: i64 = 2_000;

/// Indexes into `open` of the orders to suggest for a payment of `gross`, best first.
pub fn suggest(gross: Rupiah, open: &[OpenOrder], max: usize) -> Vec<usize> {
    let slack = (gross.amount() / 10).max(MIN_SLACK);
    let mut close: Vec<(i64, i64, usize)> = open
        .iter()
        .enumerate()
        .filter(|(_, o)| o.owed.is_positive())
        .map(|(i, o)| ((o.owed.amount() - gross.amount()).abs(), -o.created_at, i))
        .filter(|(distance, _, _)| *distance <= slack)
        .collect();
    close.sort_unstable();
    close.into_iter().take(max).map(|(_, _, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(owed: i64, created_at: i64) -> OpenOrder {
        OpenOrder {
            owed: Rupiah::new(owed),
            created_at,
        }
    }

    #[test]
    fn nearest_amount_first_then_newest() {
        let orders = [
            open(25_000, 1),
            open(24_000, 2),
            open(25_000, 3),
            open(40_000, 4),
            open(0, 5),
        ];
        assert_eq!(suggest(Rupiah::new(25_000), &orders, 3), [2, 0, 1]);
        assert_eq!(suggest(Rupiah::new(25_000), &orders, 1), [2]);
    }

    #[test]
    fn far_amounts_and_settled_orders_are_not_suggested() {
        let orders = [open(12_000, 1), open(0, 2), open(-5, 3)];
        // 10 % of Rp 100.000 is Rp 10.000: Rp 12.000 is far.
        assert!(suggest(Rupiah::new(100_000), &orders, 3).is_empty());
        // Small payments get Rp 2.000 of slack.
        assert_eq!(suggest(Rupiah::new(10_000), &orders, 3), [0]);
        assert!(suggest(Rupiah::new(9_999), &orders, 3).is_empty());
    }
}
