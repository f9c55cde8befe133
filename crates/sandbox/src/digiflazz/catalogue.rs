//! The seeded price lists (prepaid and pasca), the documented test cases of development keys,
//! and the deterministic answers about customers: PLN meter owners and postpaid bills. Pure data
//! and pure functions; no state.

mod digits;
mod pasca;
mod plan;
mod pln;
mod prepaid;
mod rc;

pub(crate) use digits::{digits_from, serial, stable_hash};
pub(crate) use pasca::{pasca_bill, test_pasca, Bill, PascaCase};
pub use pasca::{PascaProduct, PASCA};
pub(crate) use plan::{plan_for, test_plan, Plan};
pub use plan::{TEST_BALANCE, TEST_PRICE, TEST_SKU, TEST_SN};
pub use pln::NAMED_METER;
pub(crate) use pln::{pln_inquiry, pln_owner, pln_token_sn};
pub use prepaid::{product, Product, PREPAID};
pub(crate) use rc::{rc_entry, rc_message};

#[cfg(test)]
mod tests;
