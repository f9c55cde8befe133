//! The report as CSV, for the seller's spreadsheet.

use super::MonthlyReport;

impl MonthlyReport {
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
pub(super) fn csv_row(out: &mut String, fields: &[&str]) {
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
