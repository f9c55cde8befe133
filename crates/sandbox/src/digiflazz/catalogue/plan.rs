//! How a transaction ends: decided by the customer number, or by the documented test cases
//! of a development key.

/// The development key's test product (`xld10`, Rp 10 000) and its documented numbers.
pub const TEST_SKU: &str = "xld10";
pub const TEST_PRICE: i64 = 10_000;
/// What the documented test cases report as the balance before (and after a failure).
pub const TEST_BALANCE: i64 = 1_000_000;
/// The SN of a successful test transaction, as documented.
pub const TEST_SN: &str = "1234567890";

/// How a new transaction ends, decided when it is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Sukses at once.
    Succeed,
    /// Gagal at once with this rc (nothing kept from the balance).
    Fail(&'static str),
    /// Pending, then Sukses (`true`) or Gagal (`false`) after `pending_for` or a release.
    Pending(bool),
    /// Pending with another rc than `03` (a forced `99`), then Sukses.
    PendingAs(&'static str),
}

impl Plan {
    /// Whether the transaction keeps its price from the balance when it starts.
    pub fn charges(self) -> bool {
        !matches!(self, Plan::Fail(_))
    }
}

/// The outcome of a seeded-catalogue transaction by the last two digits of `customer_no`.
pub(crate) fn plan_for(customer_no: &str) -> Plan {
    let last_two = customer_no
        .len()
        .checked_sub(2)
        .and_then(|i| customer_no.get(i..))
        .unwrap_or("");
    match last_two {
        "32" => Plan::Fail("02"),
        "33" => Plan::Pending(true),
        "34" => Plan::Pending(false),
        _ => Plan::Succeed,
    }
}

/// The documented prepaid test cases (`xld10`); any other number is rc 54 (formed, Gagal).
pub(crate) fn test_plan(customer_no: &str) -> Plan {
    match customer_no {
        "087800001230" => Plan::Succeed,
        "087800001232" => Plan::Fail("02"),
        "087800001233" => Plan::Pending(true),
        "087800001234" => Plan::Pending(false),
        _ => Plan::Fail("54"),
    }
}
