//! The monthly profit report: what the store really earned in a month, line by line.
//!
//! The seller's plan wrote the month as "(deposit + 1.4% admin fee + Rp 2.000 + 25–30%) − gross
//! profit = profit", which subtracts the profit from the costs. The correct order is:
//!
//! ```text
//!   Penjualan (sales)                      + Σ amount due of orders delivered this month
//! + Kelebihan bayar (overpayments)         + Σ (paid − due) of those orders, where positive
//! − Kelebihan bayar dikembalikan          − Σ overpayments returned to customers (see below)
//! + Uang masuk pesanan refund              + Σ amount paid of orders refunded this month
//! − Refund ke pelanggan (refunds)          − Σ amount returned for those orders
//! − Modal supplier (supplier cost)         − Σ what the supplier charged for the delivered orders
//! − Potongan pembayaran (payment fees)     − Σ (gross − net) of the payments of those orders
//! − Biaya deposit (deposit fees)           − Σ fee of the supplier top-ups made this month
//! = Laba bersih (net profit)
//! − Biaya layanan website (service fee)    − share × net profit (nothing when net profit ≤ 0)
//! = Laba pemilik (owner's profit)
//! ```
//!
//! Rules (every amount is whole rupiah, so every sum is exact):
//! - An order belongs to the month (and day, in WIB) it was **closed**: delivered, or refunded.
//!   Orders still open at the month's end (paid, processing, failed but not yet refunded) are in
//!   the month they close in.
//! - **Overpayments** on delivered orders are income: the store keeps them unless the seller
//!   returns them. A **returned overpayment** is subtracted in the month (and day) of the later of
//!   the return and the order's closing: a return made after the month was closed lands in the
//!   month the money left (an old month is never rewritten), and a return made while the order
//!   was still open waits for the month its overpayment is counted in. Returns on orders that are
//!   not closed yet are in no month; returns on refunded orders lower that order's income the same
//!   way (the refund itself can only give back what the return left).
//! - **Refunds**: the money a refunded order brought in is listed, and what was returned is
//!   subtracted; what is left (e.g. an admin fee the seller kept) is profit, and the payment fee
//!   Trakteer kept on the refunded money is a cost like any other.
//! - **Underpaid-then-expired money** and **unmatched payments** are customers' money the store
//!   holds, not income: they are not in the sum, and the report shows them as a note so the
//!   seller returns or attaches them. When attached to an order they count with that order.
//! - The supplier cost is what the supplier charged for the order (its answer), else the catalogue
//!   cost when the order was made. Failed supplier orders are refunded by the supplier and cost
//!   nothing.
//! - Payment fees are `gross − net` of each payment (Trakteer's own `net_amount`); a payment
//!   without a net figure adds no fee and is counted in a note.
//! - Deposit fees are stored on each deposit when it is recorded (method's `rate × amount`,
//!   rounded half up, `+ fixed`), so changing the settings never rewrites an old month.
//! - The service fee is `share × net profit`, rounded half up to the rupiah, and zero when the
//!   month made no profit.
//!
//! The days and products tables split the same figures: their columns add up exactly to the
//! month's lines (deposit fees and the service fee are not per product).
use serde::Serialize;

use crate::money::{Bps, Rupiah};

mod csv;
mod input;
mod month;
mod summary;
mod tally;

pub use input::{
    Closed, CreditFee, DepositFee, DepositFigures, Held, OrderFigures, OverpaymentReturn,
    ReportInput, SaldoLiability,
};
pub use month::{Month, ParseMonthError};
pub use summary::{Line, LineKey};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub day: u8,
    pub delivered: i64,
    pub refunded: i64,
    /// Sales + overpayments − returned overpayments + refunded orders' money − refunds.
    pub income: Rupiah,
    /// Negative, like the summary's costs.
    pub supplier_cost: Rupiah,
    pub payment_fees: Rupiah,
    pub deposit_fees: Rupiah,
    /// `income + supplier_cost + payment_fees + deposit_fees`.
    pub net: Rupiah,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProductRow {
    pub product_code: String,
    pub product_name: String,
    pub delivered: i64,
    pub refunded: i64,
    pub income: Rupiah,
    pub supplier_cost: Rupiah,
    pub payment_fees: Rupiah,
    /// `income + supplier_cost + payment_fees` (before deposit and service fees).
    pub margin: Rupiah,
    /// Voucher discounts on its delivered orders (already out of `income`).
    pub discounts: Rupiah,
}

/// One voucher's delivered orders in the month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VoucherRow {
    pub code: String,
    pub orders: i64,
    pub discounts: Rupiah,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthlyReport {
    pub month: Month,
    pub lines: Vec<Line>,
    pub days: Vec<DayRow>,
    pub products: Vec<ProductRow>,
    /// Vouchers used on delivered orders, by code.
    pub vouchers: Vec<VoucherRow>,
    /// Facts outside the sum the seller should see (held money, unknown fees).
    pub notes: Vec<String>,
    pub service_share: Bps,
    pub saldo: SaldoLiability,
}

impl MonthlyReport {
    pub fn amount(&self, key: LineKey) -> Rupiah {
        self.lines
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.amount)
            .unwrap_or_default()
    }

    pub fn net_profit(&self) -> Rupiah {
        self.amount(LineKey::NetProfit)
    }

    pub fn owner_profit(&self) -> Rupiah {
        self.amount(LineKey::OwnerProfit)
    }
}

/// Builds the month's report. Orders and deposits outside the month are ignored.
pub fn build(input: &ReportInput) -> MonthlyReport {
    let (totals, tables) = tally::tally(input);
    MonthlyReport {
        month: input.month,
        lines: summary::lines(&totals, input.service_share),
        days: tables.days,
        products: tables.products,
        vouchers: tables.vouchers,
        notes: summary::notes(input, totals.without_net),
        service_share: input.service_share,
        saldo: input.saldo,
    }
}

#[cfg(test)]
mod tests;
