//! How money goes back to a customer: refunds of failed orders and returns of overpayments use
//! the same list, shown on the order page and checked when the seller submits it.

use std::fmt;
use std::str::FromStr;

use crate::catalog::UnknownName;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RefundMethod {
    /// The customer's saldo (store credit), usable at once.
    Saldo,
    GoPay,
    Dana,
    Ovo,
    Bank,
    Other,
}

impl RefundMethod {
    pub const ALL: [RefundMethod; 6] = [
        RefundMethod::Saldo,
        RefundMethod::GoPay,
        RefundMethod::Dana,
        RefundMethod::Ovo,
        RefundMethod::Bank,
        RefundMethod::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundMethod::Saldo => "saldo",
            RefundMethod::GoPay => "gopay",
            RefundMethod::Dana => "dana",
            RefundMethod::Ovo => "ovo",
            RefundMethod::Bank => "bank",
            RefundMethod::Other => "other",
        }
    }

    /// What the seller reads.
    pub fn label(self) -> &'static str {
        match self {
            RefundMethod::Saldo => "Saldo pelanggan",
            RefundMethod::GoPay => "GoPay",
            RefundMethod::Dana => "DANA",
            RefundMethod::Ovo => "OVO",
            RefundMethod::Bank => "Transfer bank",
            RefundMethod::Other => "Lainnya",
        }
    }
}

impl fmt::Display for RefundMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RefundMethod {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        RefundMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in RefundMethod::ALL {
            assert_eq!(m.as_str().parse::<RefundMethod>(), Ok(m));
        }
        assert!("cash".parse::<RefundMethod>().is_err());
    }
}
