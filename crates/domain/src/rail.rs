//! Payment rails — the ways a customer pays an order — and the life of one payment attempt at a
//! gateway rail. An order owes one amount; each attempt asks one rail to collect exactly that
//! amount (a per-order QRIS). What a rail reports is folded into the attempt by [`step`], which
//! never moves a settled attempt backwards, so a duplicate, late or out-of-order report is
//! harmless.

use crate::{PaymentCost, Rupiah};

/// A way to pay, as `MADD_PAYMENTS` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RailId {
    /// A tip on the seller's Trakteer page, paired to the order by its code and amount.
    Trakteer,
    /// A dynamic QRIS per order at Midtrans (Core API).
    Midtrans,
    /// A dynamic QRIS per order at Tripay (closed payment).
    Tripay,
}

impl RailId {
    pub const ALL: [RailId; 3] = [RailId::Trakteer, RailId::Midtrans, RailId::Tripay];

    /// The configuration and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            RailId::Trakteer => "trakteer",
            RailId::Midtrans => "midtrans",
            RailId::Tripay => "tripay",
        }
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            RailId::Trakteer => "Trakteer",
            RailId::Midtrans => "Midtrans QRIS",
            RailId::Tripay => "Tripay QRIS",
        }
    }

    pub fn parse(text: &str) -> Option<RailId> {
        match text.trim().to_ascii_lowercase().as_str() {
            "trakteer" => Some(RailId::Trakteer),
            "midtrans" => Some(RailId::Midtrans),
            "tripay" => Some(RailId::Tripay),
            _ => None,
        }
    }

    /// Whether the rail makes a payment per order (a QRIS with the exact amount) that the store
    /// creates, asks about and closes; Trakteer is paid by a link and paired by code and amount.
    pub fn is_gateway(self) -> bool {
        !matches!(self, RailId::Trakteer)
    }
}

impl std::fmt::Display for RailId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rail keeps and the unit it is paid in, for one configured rail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RailTerms {
    pub rail: RailId,
    pub cut: PaymentCost,
    pub unit: Rupiah,
}

/// Where a payment attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptState {
    /// Recorded, the rail not asked yet or its answer not back: the outcome may be unknown.
    Creating,
    /// The rail made the QRIS; the customer may pay it.
    Open,
    /// The rail says it was paid (confirmed, amount checked).
    Paid,
    /// The rail expired or cancelled it unpaid.
    Expired,
    /// The rail refused it, or it can no longer be paid.
    Failed,
    /// A newer attempt took over (the rail failed over); still payable until it expires, and a
    /// payment on it is never lost.
    Superseded,
}

impl AttemptState {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Creating => "creating",
            AttemptState::Open => "open",
            AttemptState::Paid => "paid",
            AttemptState::Expired => "expired",
            AttemptState::Failed => "failed",
            AttemptState::Superseded => "superseded",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptState> {
        Some(match text {
            "creating" => AttemptState::Creating,
            "open" => AttemptState::Open,
            "paid" => AttemptState::Paid,
            "expired" => AttemptState::Expired,
            "failed" => AttemptState::Failed,
            "superseded" => AttemptState::Superseded,
            _ => return None,
        })
    }

    /// Whether the rail may still report a payment on it.
    pub fn may_be_paid(self) -> bool {
        matches!(
            self,
            AttemptState::Creating | AttemptState::Open | AttemptState::Superseded
        )
    }
}

/// What a rail says about a payment (its webhook or its status API), in our words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RailStatus {
    /// Created, waiting for the customer.
    Pending,
    /// Paid (Midtrans `settlement` with fraud `accept`, Tripay `PAID`).
    Paid,
    /// Expired, cancelled or denied unpaid.
    Expired,
    /// Refused or failed unpaid.
    Failed,
    /// Paid money went back to the payer (after a payment): the seller must look.
    Refunded,
    /// The rail does not know the payment.
    Unknown,
}

impl RailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RailStatus::Pending => "pending",
            RailStatus::Paid => "paid",
            RailStatus::Expired => "expired",
            RailStatus::Failed => "failed",
            RailStatus::Refunded => "refunded",
            RailStatus::Unknown => "unknown",
        }
    }
}

/// What a report does to an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The attempt moves to this state.
    To(AttemptState),
    /// Nothing changes: a duplicate, a late `pending`, or a report that would move backwards.
    Stay,
    /// A payment is reported refunded: the seller must look (the attempt stays paid).
    Review,
}

/// Folds a rail's report into an attempt. A payment is the only way into `Paid`, from any state
/// that may still be paid — or from `Expired`/`Failed` too, because money the rail took after
/// the store gave up is still the customer's money and must be recorded (the late path). Nothing
/// leaves `Paid` but a refund, which is the seller's to look at.
pub fn step(current: AttemptState, reported: RailStatus) -> Step {
    use AttemptState as A;
    use RailStatus as R;
    match (current, reported) {
        (A::Paid, R::Refunded) => Step::Review,
        (A::Paid, _) => Step::Stay,
        (_, R::Paid) => Step::To(A::Paid),
        (A::Creating, R::Pending) => Step::To(A::Open),
        (A::Creating | A::Open | A::Superseded, R::Expired) => Step::To(A::Expired),
        (A::Creating | A::Open | A::Superseded, R::Failed) => Step::To(A::Failed),
        _ => Step::Stay,
    }
}

/// The reference an attempt is known by at the rail: the order code and the attempt's number
/// (`MS-7K3Q9XW2-1`), never reused, so a late report for attempt 1 is never taken for attempt 2.
pub fn merchant_ref(order_code: &str, number: i64) -> String {
    format!("{order_code}-{number}")
}

/// The order code and attempt number in a merchant reference made by [`merchant_ref`].
pub fn parse_merchant_ref(text: &str) -> Option<(&str, i64)> {
    let (code, number) = text.rsplit_once('-')?;
    let number: i64 = number.parse().ok()?;
    (number > 0 && !code.is_empty()).then_some((code, number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bps;

    #[test]
    fn names_round_trip() {
        for r in RailId::ALL {
            assert_eq!(RailId::parse(r.as_str()), Some(r));
        }
        for s in [
            AttemptState::Creating,
            AttemptState::Open,
            AttemptState::Paid,
            AttemptState::Expired,
            AttemptState::Failed,
            AttemptState::Superseded,
        ] {
            assert_eq!(AttemptState::parse(s.as_str()), Some(s));
        }
        assert_eq!(RailId::parse("ovo"), None);
        assert!(!RailId::Trakteer.is_gateway() && RailId::Midtrans.is_gateway());
    }

    #[test]
    fn a_paid_attempt_never_moves_back() {
        for r in [
            RailStatus::Pending,
            RailStatus::Expired,
            RailStatus::Failed,
            RailStatus::Unknown,
            RailStatus::Paid,
        ] {
            assert_eq!(step(AttemptState::Paid, r), Step::Stay, "{r:?}");
        }
        assert_eq!(step(AttemptState::Paid, RailStatus::Refunded), Step::Review);
    }

    #[test]
    fn money_after_expiry_is_still_recorded() {
        for s in [
            AttemptState::Creating,
            AttemptState::Open,
            AttemptState::Superseded,
            AttemptState::Expired,
            AttemptState::Failed,
        ] {
            assert_eq!(
                step(s, RailStatus::Paid),
                Step::To(AttemptState::Paid),
                "{s:?}"
            );
        }
        assert_eq!(step(AttemptState::Expired, RailStatus::Pending), Step::Stay);
        assert_eq!(step(AttemptState::Open, RailStatus::Pending), Step::Stay);
        assert_eq!(
            step(AttemptState::Creating, RailStatus::Pending),
            Step::To(AttemptState::Open)
        );
    }

    #[test]
    fn merchant_refs_round_trip() {
        let r = merchant_ref("MS-7K3Q9XW2", 2);
        assert_eq!(r, "MS-7K3Q9XW2-2");
        assert_eq!(parse_merchant_ref(&r), Some(("MS-7K3Q9XW2", 2)));
        assert_eq!(parse_merchant_ref("MS-7K3Q9XW2"), None);
        assert_eq!(parse_merchant_ref("MS-X-0"), None);
    }

    #[test]
    fn the_quotes_floor_holds_on_every_rail() {
        let midtrans = RailTerms {
            rail: RailId::Midtrans,
            cut: PaymentCost {
                rate: Bps::new(70),
                fixed: Rupiah::ZERO,
            },
            unit: Rupiah::new(1),
        };
        let tripay = RailTerms {
            rail: RailId::Tripay,
            cut: PaymentCost {
                rate: Bps::new(70),
                fixed: Rupiah::new(750),
            },
            unit: Rupiah::new(1),
        };
        let trakteer = RailTerms {
            rail: RailId::Trakteer,
            cut: PaymentCost {
                rate: Bps::new(578),
                fixed: Rupiah::ZERO,
            },
            unit: Rupiah::new(1000),
        };
        // 20 000 kept after 0.7 %: 20 141 (20 141 − ⌈140.987⌉ = 20 000).
        let need = Rupiah::new(20_000);
        assert_eq!(
            crate::quote::Rail::over(&[midtrans]).floor(need),
            Some(Rupiah::new(20_141))
        );
        // Tripay's Rp 750 dominates: 20 896 − (750 + ⌈146.272⌉) = 19 999 → 20 897.
        let both = crate::quote::Rail::over(&[midtrans, tripay])
            .floor(need)
            .unwrap();
        assert_eq!(both, Rupiah::new(20_897));
        assert!(tripay.cut.net(both) >= need && midtrans.cut.net(both) >= need);
        let all = crate::quote::Rail::over(&[midtrans, tripay, trakteer])
            .floor(need)
            .unwrap();
        assert_eq!(all.amount() % 1000, 0);
        for r in [midtrans, tripay, trakteer] {
            assert!(r.cut.net(all) >= need, "{r:?}");
        }
    }
}
