//! Madd Store's domain: pure Rust, no async, no I/O. Everything here is decided by its inputs
//! (the clock and randomness are passed in), so it is tested exhaustively in unit tests.

pub mod attempt;
pub mod catalog;
pub mod chat;
pub mod h2h;
pub mod money;
pub mod offer;
pub mod order;
pub mod payment_suggestions;
pub mod phone;
pub mod pricing;
pub mod qris;
pub mod quote;
pub mod rail;
pub mod receipt;
pub mod reconcile;
pub mod refund;
pub mod report;
pub mod review;
pub mod storefront;
pub mod supplier_failure;
pub mod text;
pub mod time;
pub mod voucher;

pub use catalog::{AccountError, Category, GameAccount, ServiceKind, TargetRule};
pub use money::{Bps, Rounding, Rupiah};
pub use offer::{Offer, SupplierId};
pub use order::{OrderCode, OrderStatus, Settlement, SupplierStatus};
pub use phone::{Operator, PhoneError, PhoneNumber};
pub use pricing::{floor_price, PaymentCost};
pub use pricing::{CustomerFee, Markup, Tier};
pub use quote::Quote;
pub use rail::{RailId, RailStatus, RailTerms};
pub use receipt::Receipt;
pub use refund::RefundMethod;
pub use report::{DepositFee, Month, MonthlyReport};
