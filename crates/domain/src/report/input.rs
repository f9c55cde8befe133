//! What the report is built from: the month's closed orders, deposits, returns and held money.

use serde::Serialize;

use super::Month;
use crate::money::{Bps, Rounding, Rupiah};

/// How a supplier deposit's fee is estimated: `rate × amount` (half up) `+ fixed` per top-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DepositFee {
    pub rate: Bps,
    pub fixed: Rupiah,
}

impl DepositFee {
    /// GoPay, as the seller's plan has it: about 0.7% plus Rp 2.000 per top-up.
    pub const GOPAY: DepositFee = DepositFee {
        rate: Bps::new(70),
        fixed: Rupiah::new(2_000),
    };

    pub fn of(&self, amount: Rupiah) -> Rupiah {
        self.rate.of(amount, Rounding::HalfUp) + self.fixed
    }
}

/// How an order was closed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Closed {
    Delivered,
    Refunded,
}

/// One closed order, as the report needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFigures {
    pub code: String,
    pub product_code: String,
    pub product_name: String,
    pub closed: Closed,
    /// When it was delivered or refunded (unix ms).
    pub closed_at: i64,
    pub amount_due: Rupiah,
    pub amount_paid: Rupiah,
    /// What the supplier charged (delivered orders); ignored for refunded ones.
    pub supplier_cost: Rupiah,
    /// What was returned to the customer (refunded orders).
    pub refund_amount: Rupiah,
    /// Σ (gross − net) of the order's payments that carry a net figure.
    pub payment_fee: Rupiah,
    /// Payments of this order without a net figure (no fee known).
    pub payments_without_net: i64,
    /// What a voucher took off the list price (`amount_due` is after it), and the voucher.
    pub discount: Rupiah,
    pub voucher: Option<String>,
}

/// One supplier top-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositFigures {
    pub at: i64,
    pub method: String,
    pub amount: Rupiah,
    pub fee: Rupiah,
}

/// An overpayment given back to the customer of a closed order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverpaymentReturn {
    pub product_code: String,
    pub product_name: String,
    /// When the return counts: the later of the return and the order's closing (unix ms).
    pub counted_at: i64,
    pub amount: Rupiah,
}

impl OverpaymentReturn {
    /// The instant a return made at `returned_at` on an order closed at `closed_at` counts.
    pub fn counted_at(returned_at: i64, closed_at: i64) -> i64 {
        returned_at.max(closed_at)
    }
}

/// Customers' saldo over the month: money the store holds for them and owes them, never income.
/// `closing = opening + credits − debits` (credits: refunds, overpayments and late payments put
/// into saldo; debits: orders paid from saldo and cash-outs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SaldoLiability {
    pub opening: Rupiah,
    pub credits: Rupiah,
    pub debits: Rupiah,
    pub closing: Rupiah,
}

impl SaldoLiability {
    pub fn new(opening: Rupiah, credits: Rupiah, debits: Rupiah) -> SaldoLiability {
        SaldoLiability {
            opening,
            credits,
            debits,
            closing: opening + credits - debits,
        }
    }
}

/// Money the store holds for customers (not income), for the report's notes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Held {
    pub count: i64,
    pub gross: Rupiah,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportInput {
    pub month: Month,
    pub orders: Vec<OrderFigures>,
    pub deposits: Vec<DepositFigures>,
    /// Overpayments returned to customers (only those counted this month are used).
    pub overpaid_returns: Vec<OverpaymentReturn>,
    /// Underpaid orders that expired this month with money on them.
    pub expired_held: Held,
    /// Payments received this month that are still unmatched.
    pub unmatched: Held,
    /// The website's service fee, as a share of the month's net profit.
    pub service_share: Bps,
    /// Customers' saldo over the month (shown beside the lines, never in them).
    pub saldo: SaldoLiability,
    /// Payments put into a customer's saldo (no order): Trakteer's cut on them is the store's
    /// cost when they are credited, like the cut on an order's payment.
    pub saldo_credit_fees: Vec<CreditFee>,
}

/// Trakteer's cut on a payment credited to saldo, and when it was credited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditFee {
    pub at: i64,
    pub fee: Rupiah,
}
