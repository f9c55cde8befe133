//! The summary: the month's lines, from sales down to the owner's profit, and the notes on
//! money outside the sum.

use serde::Serialize;

use super::tally::Totals;
use super::ReportInput;
use crate::money::{Bps, Rounding, Rupiah};

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

fn line(key: LineKey, amount: Rupiah, explanation: impl Into<String>, total: bool) -> Line {
    Line {
        key,
        amount,
        explanation: explanation.into(),
        total,
    }
}

/// The summary lines, in the order the module's formula writes them.
pub(super) fn lines(t: &Totals, service_share: Bps) -> Vec<Line> {
    let mut lines = sales_lines(t);
    lines.extend(income_lines(t));
    lines.extend(cost_lines(t));
    lines.extend(profit_lines(t.net(), service_share));
    lines
}

fn sales_lines(t: &Totals) -> Vec<Line> {
    let n_delivered = t.n_delivered;
    if !t.discounts.is_positive() {
        return vec![line(
            LineKey::Sales,
            t.sales,
            format!(
                "Harga + biaya admin yang ditagih untuk {n_delivered} pesanan yang sukses bulan ini."
            ),
            false,
        )];
    }
    // Sales at list price − discounts = sales received: the two items replace the one.
    vec![
        line(
            LineKey::ListSales,
            t.sales + t.discounts,
            format!(
                "Harga daftar + biaya admin dari {n_delivered} pesanan sukses, sebelum diskon."
            ),
            false,
        ),
        line(
            LineKey::Discounts,
            -t.discounts,
            "Potongan voucher dan harga flash sale pada pesanan sukses bulan ini (rincian per voucher dan per produk di bawah).",
            false,
        ),
        line(
            LineKey::Sales,
            t.sales,
            "Penjualan diterima: harga daftar dikurangi diskon.",
            true,
        ),
    ]
}

fn income_lines(t: &Totals) -> [Line; 4] {
    let (n_returned, n_refunded) = (t.n_returned, t.n_refunded);
    [
        line(
            LineKey::Overpaid,
            t.overpaid,
            "Uang lebih yang dibayar pelanggan pada pesanan sukses; masuk laba selama tidak dikembalikan.",
            false,
        ),
        line(
            LineKey::OverpaidReturned,
            -t.returned,
            format!(
                "{n_returned} kali kelebihan bayar dikembalikan ke pelanggan; dihitung di bulan pengembalian atau di bulan pesanannya selesai bila lebih lambat."
            ),
            false,
        ),
        line(
            LineKey::RefundedReceived,
            t.refunded_in,
            format!("Uang yang sempat dibayar untuk {n_refunded} pesanan yang direfund bulan ini."),
            false,
        ),
        line(
            LineKey::Refunds,
            -t.refunds,
            "Uang yang dikembalikan ke pelanggan untuk pesanan yang direfund.",
            false,
        ),
    ]
}

fn cost_lines(t: &Totals) -> [Line; 3] {
    let (n_deposits, deposited) = (t.n_deposits, t.deposited);
    [
        line(
            LineKey::SupplierCost,
            -t.supplier,
            "Harga yang dipotong supplier (VIP Reseller) untuk pesanan yang sukses.",
            false,
        ),
        line(
            LineKey::PaymentFees,
            -t.pay_fees,
            if t.credited_fees {
                "Selisih bruto − neto dari Trakteer (biaya platform + metode bayar) atas pembayaran pesanan di atas dan pembayaran yang dimasukkan ke saldo pelanggan."
            } else {
                "Selisih bruto − neto dari Trakteer (biaya platform + metode bayar) atas pembayaran pesanan di atas."
            },
            false,
        ),
        line(
            LineKey::DepositFees,
            -t.dep_fees,
            format!(
                "Biaya {n_deposits} kali isi saldo supplier bulan ini (total deposit {deposited}), menurut metodenya."
            ),
            false,
        ),
    ]
}

fn profit_lines(net: Rupiah, service_share: Bps) -> [Line; 3] {
    let service = if net.is_positive() {
        service_share.of(net, Rounding::HalfUp)
    } else {
        Rupiah::ZERO
    };
    [
        line(
            LineKey::NetProfit,
            net,
            "Jumlah semua baris di atas: uang yang benar-benar tersisa bulan ini.",
            true,
        ),
        line(
            LineKey::ServiceFee,
            -service,
            format!(
                "{service_share} dari laba bersih (dibulatkan ke rupiah terdekat); nol bila tidak ada laba."
            ),
            false,
        ),
        line(
            LineKey::OwnerProfit,
            net - service,
            "Laba bersih dikurangi biaya layanan website: bagian pemilik toko.",
            true,
        ),
    ]
}

/// Facts outside the sum the seller should act on: held money, unknown fees, owed saldo.
pub(super) fn notes(input: &ReportInput, without_net: i64) -> Vec<String> {
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
    notes
}
