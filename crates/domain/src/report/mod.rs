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
use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use time::{Date, Month as TimeMonth};

use crate::money::{Bps, Rounding, Rupiah};
use crate::time::at;

mod month;
pub use month::{Month, ParseMonthError};

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

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKey {
    ListSales,
    Discounts,
    Sales,
    Overpaid,
    OverpaidReturned,
    RefundedReceived,
    Refunds,
    SupplierCost,
    PaymentFees,
    DepositFees,
    NetProfit,
    ServiceFee,
    OwnerProfit,
}

impl LineKey {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKey::ListSales => "list_sales",
            LineKey::Discounts => "discounts",
            LineKey::Sales => "sales",
            LineKey::Overpaid => "overpaid",
            LineKey::OverpaidReturned => "overpaid_returned",
            LineKey::RefundedReceived => "refunded_received",
            LineKey::Refunds => "refunds",
            LineKey::SupplierCost => "supplier_cost",
            LineKey::PaymentFees => "payment_fees",
            LineKey::DepositFees => "deposit_fees",
            LineKey::NetProfit => "net_profit",
            LineKey::ServiceFee => "service_fee",
            LineKey::OwnerProfit => "owner_profit",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            LineKey::ListSales => "Penjualan harga daftar",
            LineKey::Discounts => "Diskon (voucher & flash sale)",
            LineKey::Sales => "Penjualan (pesanan sukses)",
            LineKey::Overpaid => "Kelebihan bayar",
            LineKey::OverpaidReturned => "Kelebihan bayar dikembalikan",
            LineKey::RefundedReceived => "Uang masuk pesanan refund",
            LineKey::Refunds => "Refund ke pelanggan",
            LineKey::SupplierCost => "Modal supplier",
            LineKey::PaymentFees => "Potongan pembayaran (Trakteer/QRIS)",
            LineKey::DepositFees => "Biaya deposit",
            LineKey::NetProfit => "Laba bersih",
            LineKey::ServiceFee => "Biaya layanan website",
            LineKey::OwnerProfit => "Laba pemilik",
        }
    }
}

/// One line of the summary: a signed amount (costs are negative) and one sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub key: LineKey,
    pub amount: Rupiah,
    pub explanation: String,
    /// A subtotal (net profit, owner's profit) rather than an item.
    pub total: bool,
}

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

    /// The report as CSV: three blocks (summary, days, products) separated by a blank line.
    /// Amounts are plain signed integers of rupiah, so a spreadsheet can add them up.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        out.push_str("bagian,kunci,keterangan,jumlah,penjelasan\n");
        for l in &self.lines {
            csv_row(
                &mut out,
                &[
                    "ringkasan",
                    l.key.as_str(),
                    l.key.label_id(),
                    &l.amount.amount().to_string(),
                    &l.explanation,
                ],
            );
        }
        out.push('\n');
        out.push_str(
            "tanggal,sukses,refund,pendapatan,modal_supplier,potongan_pembayaran,biaya_deposit,laba\n",
        );
        for d in &self.days {
            csv_row(
                &mut out,
                &[
                    &format!("{}-{:02}", self.month, d.day),
                    &d.delivered.to_string(),
                    &d.refunded.to_string(),
                    &d.income.amount().to_string(),
                    &d.supplier_cost.amount().to_string(),
                    &d.payment_fees.amount().to_string(),
                    &d.deposit_fees.amount().to_string(),
                    &d.net.amount().to_string(),
                ],
            );
        }
        out.push('\n');
        out.push_str(
            "kode_produk,produk,sukses,refund,pendapatan,modal_supplier,potongan_pembayaran,margin\n",
        );
        for p in &self.products {
            csv_row(
                &mut out,
                &[
                    &p.product_code,
                    &p.product_name,
                    &p.delivered.to_string(),
                    &p.refunded.to_string(),
                    &p.income.amount().to_string(),
                    &p.supplier_cost.amount().to_string(),
                    &p.payment_fees.amount().to_string(),
                    &p.margin.amount().to_string(),
                ],
            );
        }
        out
    }
}

/// One CSV record (RFC 4180 quoting). Text that a spreadsheet would run as a formula (a product
/// name from the supplier starting with `=`, `+`, `-`, `@`) is prefixed with `'`; numbers are
/// written by us and never are.
fn csv_row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let numeric = !f.is_empty()
            && f.trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit());
        let text = if !numeric && f.starts_with(['=', '+', '-', '@']) {
            format!("'{f}")
        } else {
            (*f).to_string()
        };
        if text.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&text.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&text);
        }
    }
    out.push('\n');
}

/// Builds the month's report. Orders and deposits outside the month are ignored.
pub fn build(input: &ReportInput) -> MonthlyReport {
    let month = input.month;
    let mut days: Vec<DayRow> = (1..=month.days())
        .map(|day| DayRow {
            day,
            ..DayRow::default()
        })
        .collect();
    let mut products: BTreeMap<String, ProductRow> = BTreeMap::new();

    let (mut sales, mut overpaid, mut refunded_in, mut refunds) =
        (Rupiah::ZERO, Rupiah::ZERO, Rupiah::ZERO, Rupiah::ZERO);
    let (mut supplier, mut pay_fees, mut dep_fees) = (Rupiah::ZERO, Rupiah::ZERO, Rupiah::ZERO);
    let (mut n_delivered, mut n_refunded, mut without_net) = (0i64, 0i64, 0i64);
    let mut discounts = Rupiah::ZERO;
    let mut by_voucher: std::collections::BTreeMap<String, VoucherRow> =
        std::collections::BTreeMap::new();

    for o in &input.orders {
        let Some(day) = month.day_of(o.closed_at) else {
            continue;
        };
        let d = &mut days[usize::from(day - 1)];
        let p = products
            .entry(o.product_code.clone())
            .or_insert_with(|| ProductRow {
                product_code: o.product_code.clone(),
                product_name: o.product_name.clone(),
                ..ProductRow::default()
            });
        let (income, cost) = match o.closed {
            Closed::Delivered => {
                let over = (o.amount_paid - o.amount_due).max(Rupiah::ZERO);
                sales += o.amount_due;
                discounts += o.discount;
                p.discounts += o.discount;
                if let Some(code) = &o.voucher {
                    let v = by_voucher
                        .entry(code.clone())
                        .or_insert_with(|| VoucherRow {
                            code: code.clone(),
                            ..VoucherRow::default()
                        });
                    v.orders += 1;
                    v.discounts += o.discount;
                }
                overpaid += over;
                supplier += o.supplier_cost;
                n_delivered += 1;
                d.delivered += 1;
                p.delivered += 1;
                (o.amount_due + over, o.supplier_cost)
            }
            Closed::Refunded => {
                refunded_in += o.amount_paid;
                refunds += o.refund_amount;
                n_refunded += 1;
                d.refunded += 1;
                p.refunded += 1;
                (o.amount_paid - o.refund_amount, Rupiah::ZERO)
            }
        };
        pay_fees += o.payment_fee;
        without_net += o.payments_without_net;
        d.income += income;
        d.supplier_cost -= cost;
        d.payment_fees -= o.payment_fee;
        p.income += income;
        p.supplier_cost -= cost;
        p.payment_fees -= o.payment_fee;
    }
    let (mut returned, mut n_returned) = (Rupiah::ZERO, 0i64);
    for r in &input.overpaid_returns {
        let Some(day) = month.day_of(r.counted_at) else {
            continue;
        };
        returned += r.amount;
        n_returned += 1;
        days[usize::from(day - 1)].income -= r.amount;
        let p = products
            .entry(r.product_code.clone())
            .or_insert_with(|| ProductRow {
                product_code: r.product_code.clone(),
                product_name: r.product_name.clone(),
                ..ProductRow::default()
            });
        p.income -= r.amount;
    }
    let mut credited_fees = false;
    for c in &input.saldo_credit_fees {
        let Some(day) = month.day_of(c.at) else {
            continue;
        };
        pay_fees += c.fee;
        credited_fees = true;
        days[usize::from(day - 1)].payment_fees -= c.fee;
    }
    let mut n_deposits = 0i64;
    let mut deposited = Rupiah::ZERO;
    for dep in &input.deposits {
        let Some(day) = month.day_of(dep.at) else {
            continue;
        };
        dep_fees += dep.fee;
        deposited += dep.amount;
        n_deposits += 1;
        days[usize::from(day - 1)].deposit_fees -= dep.fee;
    }
    for d in &mut days {
        d.net = d.income + d.supplier_cost + d.payment_fees + d.deposit_fees;
    }
    let products: Vec<ProductRow> = products
        .into_values()
        .map(|mut p| {
            p.margin = p.income + p.supplier_cost + p.payment_fees;
            p
        })
        .collect();

    let net = sales + overpaid - returned + refunded_in - refunds - supplier - pay_fees - dep_fees;
    let service = if net.is_positive() {
        input.service_share.of(net, Rounding::HalfUp)
    } else {
        Rupiah::ZERO
    };
    let owner = net - service;

    let line = |key, amount, explanation: String, total| Line {
        key,
        amount,
        explanation,
        total,
    };
    let mut lines = Vec::new();
    if discounts.is_positive() {
        // Sales at list price − discounts = sales received: the two items replace the one.
        lines.push(line(
            LineKey::ListSales,
            sales + discounts,
            format!(
                "Harga daftar + biaya admin dari {n_delivered} pesanan sukses, sebelum diskon."
            ),
            false,
        ));
        lines.push(line(
            LineKey::Discounts,
            -discounts,
            "Potongan voucher dan harga flash sale pada pesanan sukses bulan ini (rincian per voucher dan per produk di bawah)."
                .into(),
            false,
        ));
    }
    lines.extend(vec![
        line(
            LineKey::Sales,
            sales,
            if discounts.is_positive() {
                "Penjualan diterima: harga daftar dikurangi diskon.".to_string()
            } else {
                format!(
                    "Harga + biaya admin yang ditagih untuk {n_delivered} pesanan yang sukses bulan ini."
                )
            },
            discounts.is_positive(),
        ),
        line(
            LineKey::Overpaid,
            overpaid,
            "Uang lebih yang dibayar pelanggan pada pesanan sukses; masuk laba selama tidak dikembalikan."
                .into(),
            false,
        ),
        line(
            LineKey::OverpaidReturned,
            -returned,
            format!(
                "{n_returned} kali kelebihan bayar dikembalikan ke pelanggan; dihitung di bulan pengembalian atau di bulan pesanannya selesai bila lebih lambat."
            ),
            false,
        ),
        line(
            LineKey::RefundedReceived,
            refunded_in,
            format!("Uang yang sempat dibayar untuk {n_refunded} pesanan yang direfund bulan ini."),
            false,
        ),
        line(
            LineKey::Refunds,
            -refunds,
            "Uang yang dikembalikan ke pelanggan untuk pesanan yang direfund.".into(),
            false,
        ),
        line(
            LineKey::SupplierCost,
            -supplier,
            "Harga yang dipotong supplier (VIP Reseller) untuk pesanan yang sukses.".into(),
            false,
        ),
        line(
            LineKey::PaymentFees,
            -pay_fees,
            if credited_fees {
                "Selisih bruto − neto dari Trakteer (biaya platform + metode bayar) atas pembayaran pesanan di atas dan pembayaran yang dimasukkan ke saldo pelanggan."
            } else {
                "Selisih bruto − neto dari Trakteer (biaya platform + metode bayar) atas pembayaran pesanan di atas."
            }
            .into(),
            false,
        ),
        line(
            LineKey::DepositFees,
            -dep_fees,
            format!(
                "Biaya {n_deposits} kali isi saldo supplier bulan ini (total deposit {deposited}), menurut metodenya."
            ),
            false,
        ),
        line(
            LineKey::NetProfit,
            net,
            "Jumlah semua baris di atas: uang yang benar-benar tersisa bulan ini.".into(),
            true,
        ),
        line(
            LineKey::ServiceFee,
            -service,
            format!(
                "{} dari laba bersih (dibulatkan ke rupiah terdekat); nol bila tidak ada laba.",
                input.service_share
            ),
            false,
        ),
        line(
            LineKey::OwnerProfit,
            owner,
            "Laba bersih dikurangi biaya layanan website: bagian pemilik toko.".into(),
            true,
        ),
    ]);

    let mut notes = Vec::new();
    if input.expired_held.count > 0 {
        notes.push(format!(
            "{} pesanan kurang bayar kedaluwarsa bulan ini dengan uang masuk {} — uang pelanggan, bukan pendapatan: kembalikan atau cocokkan ke pesanan.",
            input.expired_held.count, input.expired_held.gross
        ));
    }
    if input.unmatched.count > 0 {
        notes.push(format!(
            "{} pembayaran belum cocok dengan pesanan ({}) — tidak dihitung sampai dicocokkan.",
            input.unmatched.count, input.unmatched.gross
        ));
    }
    if without_net > 0 {
        notes.push(format!(
            "{without_net} pembayaran tanpa angka neto dari Trakteer: potongannya dihitung nol."
        ));
    }

    if input.saldo.closing.is_positive() {
        notes.push(format!(
            "Saldo pelanggan di akhir bulan {}: uang mereka yang dipegang toko (utang), bukan laba.",
            input.saldo.closing
        ));
    }

    MonthlyReport {
        month,
        lines,
        days,
        products,
        vouchers: by_voucher.into_values().collect(),
        notes,
        service_share: input.service_share,
        saldo: input.saldo,
    }
}

#[cfg(test)]
mod tests;
