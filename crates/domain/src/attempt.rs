//! One attempt to buy an order from a supplier, and what each report about it does.
//!
//! An attempt hears about its outcome from up to four paths — the answer to the request, the
//! supplier's webhook or callback, a status re-check and the look-back of reconciliation — and
//! two of them at the same moment is the normal case (Digiflazz sends the webhook of an instant
//! failure while it answers the request). Every path turns what it heard into a [`Report`] for
//! one attempt number, and [`step`] decides, from the attempt's state alone, what it changes.
//! Storage applies the step with a compare-and-set on the attempt's state, so of two paths that
//! report the same end only one moves the attempt — and only that one acts on the order.
//!
//! ```text
//!   started ──pending──► pending ──delivered──► delivered
//!      │                    │
//!      └──────failed────────┴──────────────────► failed ──(seller retries)──► failed_earlier
//! ```
//! A finished attempt never moves again: a repeat changes nothing, and a report that contradicts
//! the end (a "delivered" for an attempt the store already moved on from) is for the seller.

use crate::money::Rupiah;

/// Where an attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptState {
    /// The request is being (or was) sent; no answer recorded yet.
    Started,
    /// The supplier has the transaction and has not finished it.
    Pending,
    Delivered,
    /// Definitely nothing delivered: refused, or a final error.
    Failed,
    /// Failed, and then the seller retried the order: kept for the timeline, no longer rules its
    /// offer out.
    FailedEarlier,
}

impl AttemptState {
    pub const ALL: [AttemptState; 5] = [
        AttemptState::Started,
        AttemptState::Pending,
        AttemptState::Delivered,
        AttemptState::Failed,
        AttemptState::FailedEarlier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Started => "started",
            AttemptState::Pending => "pending",
            AttemptState::Delivered => "delivered",
            AttemptState::Failed => "failed",
            AttemptState::FailedEarlier => "failed_earlier",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptState> {
        AttemptState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The seller's word for it.
    pub fn label_id(self) -> &'static str {
        match self {
            AttemptState::Started => "dikirim",
            AttemptState::Pending => "diproses",
            AttemptState::Delivered => "sukses",
            AttemptState::Failed => "gagal",
            AttemptState::FailedEarlier => "gagal (sebelum diulang)",
        }
    }

    /// Whether nothing can move the attempt any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            AttemptState::Delivered | AttemptState::Failed | AttemptState::FailedEarlier
        )
    }
}

impl std::fmt::Display for AttemptState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a path learnt about an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// The supplier holds the transaction and is still working on it.
    Pending {
        trxid: String,
        note: String,
        price: Option<Rupiah>,
    },
    /// Delivered: `serial` is what the customer receives.
    Delivered {
        trxid: String,
        serial: String,
        price: Option<Rupiah>,
    },
    /// Definitely nothing delivered. `trxid` when the supplier made (and then failed) a
    /// transaction; `customer_error` when the destination itself is wrong (another supplier would
    /// fail too); `retryable` when the seller can fix the cause (balance, maintenance).
    Failed {
        trxid: Option<String>,
        reason: String,
        customer_error: bool,
        retryable: bool,
    },
}

impl Report {
    pub fn trxid(&self) -> Option<&str> {
        match self {
            Report::Pending { trxid, .. } | Report::Delivered { trxid, .. } => Some(trxid),
            Report::Failed { trxid, .. } => trxid.as_deref(),
        }
    }

    /// The state this report would move an attempt to.
    pub fn state(&self) -> AttemptState {
        match self {
            Report::Pending { .. } => AttemptState::Pending,
            Report::Delivered { .. } => AttemptState::Delivered,
            Report::Failed { .. } => AttemptState::Failed,
        }
    }
}

/// What applying a report does to the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: a repeat, or a report about an attempt that has already ended the same way.
    Nothing,
    /// The transaction is recorded on the order (first sight) or its progress noted.
    Progress,
    /// The order is delivered.
    Deliver,
    /// On to the next offer — or, when none is left or the destination is wrong, the order fails
    /// (and the refund rule applies).
    MoveOn,
    /// The supplier now says something other than how the attempt ended (delivered after it
    /// failed, or failed after it delivered): money may have moved twice, so the seller looks.
    /// The attempt keeps its end.
    Contradiction,
}

/// A report's step: the attempt's state after it, and what it does to the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub to: AttemptState,
    pub effect: Effect,
}

/// What `report` does to an attempt that is `state`.
pub fn step(state: AttemptState, report: &Report) -> Step {
    use AttemptState as S;
    let stay = |effect| Step { to: state, effect };
    match (state, report.state()) {
        (S::Started | S::Pending, S::Pending) => Step {
            to: S::Pending,
            effect: Effect::Progress,
        },
        (S::Started | S::Pending, S::Delivered) => Step {
            to: S::Delivered,
            effect: Effect::Deliver,
        },
        (S::Started | S::Pending, _) => Step {
            to: S::Failed,
            effect: Effect::MoveOn,
        },
        // A finished attempt keeps its end.
        (S::Delivered, S::Delivered | S::Pending) => stay(Effect::Nothing),
        (S::Failed | S::FailedEarlier, S::Failed | S::Pending) => stay(Effect::Nothing),
        (S::Delivered, _) | (S::Failed | S::FailedEarlier, _) => stay(Effect::Contradiction),
    }
}

/// The reference attempt `n` of order `code` is sent under: unique per order, stable across
/// retries of the same attempt (Digiflazz's `ref_id`).
pub fn reference(code: &str, attempt: i64) -> String {
    format!("{code}-{attempt}")
}

/// The attempt number a reference names, if it is one of `code`'s.
pub fn attempt_of(code: &str, reference: &str) -> Option<i64> {
    reference
        .strip_prefix(code)?
        .strip_prefix('-')?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports() -> Vec<Report> {
        vec![
            Report::Pending {
                trxid: "T1".into(),
                note: String::new(),
                price: None,
            },
            Report::Delivered {
                trxid: "T1".into(),
                serial: "SN".into(),
                price: Some(Rupiah::new(10)),
            },
            Report::Failed {
                trxid: None,
                reason: "gagal".into(),
                customer_error: false,
                retryable: false,
            },
        ]
    }

    #[test]
    fn an_open_attempt_moves_to_what_it_hears() {
        for open in [AttemptState::Started, AttemptState::Pending] {
            let [pending, delivered, failed] = &reports()[..] else {
                unreachable!()
            };
            assert_eq!(step(open, pending).effect, Effect::Progress);
            assert_eq!(
                step(open, delivered),
                Step {
                    to: AttemptState::Delivered,
                    effect: Effect::Deliver
                }
            );
            assert_eq!(
                step(open, failed),
                Step {
                    to: AttemptState::Failed,
                    effect: Effect::MoveOn
                }
            );
        }
    }

    #[test]
    fn the_same_end_told_twice_acts_once() {
        for report in reports() {
            let first = step(AttemptState::Started, &report);
            let again = step(first.to, &report);
            if first.to.is_finished() {
                assert_eq!(again.effect, Effect::Nothing, "{report:?}");
                assert_eq!(again.to, first.to);
            }
        }
    }

    #[test]
    fn a_finished_attempt_never_moves() {
        for state in AttemptState::ALL.into_iter().filter(|s| s.is_finished()) {
            for report in reports() {
                let s = step(state, &report);
                assert_eq!(s.to, state, "{state} {report:?}");
                assert!(
                    matches!(s.effect, Effect::Nothing | Effect::Contradiction),
                    "{state} {report:?}"
                );
            }
        }
        // A late "pending" is only late; a late "delivered" for a failed attempt is not.
        let [pending, delivered, failed] = &reports()[..] else {
            unreachable!()
        };
        assert_eq!(step(AttemptState::Failed, pending).effect, Effect::Nothing);
        assert_eq!(
            step(AttemptState::Failed, delivered).effect,
            Effect::Contradiction
        );
        assert_eq!(
            step(AttemptState::Delivered, failed).effect,
            Effect::Contradiction
        );
    }

    #[test]
    fn states_and_references_read_back() {
        for s in AttemptState::ALL {
            assert_eq!(AttemptState::parse(s.as_str()), Some(s));
        }
        assert_eq!(AttemptState::parse("done"), None);
        let r = reference("MS-7K3Q9XW2", 3);
        assert_eq!(r, "MS-7K3Q9XW2-3");
        assert_eq!(attempt_of("MS-7K3Q9XW2", &r), Some(3));
        assert_eq!(attempt_of("MS-7K3Q9XW2", "MS-7K3Q9XW2-0"), None);
        assert_eq!(attempt_of("MS-7K3Q9XW2", "MS-OTHER-1"), None);
    }
}
