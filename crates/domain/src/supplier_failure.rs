//! What a customer may read about a supplier's refusal. Suppliers answer in their own words
//! ("Transaksi Gagal (rc 02)", "Nomor Tujuan Salah", "Saldo tidak cukup", "SKU tidak aktif");
//! the seller reads those as they are, the customer reads one plain cause — or none, when the
//! words say nothing the customer can act on or should see (the seller's own deposit, our
//! product mapping).

/// A refusal's cause in the customer's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The number or game account does not exist or has the wrong number of digits.
    WrongTarget,
    /// The number belongs to another operator than the product's.
    WrongOperator,
    /// The operator blocked the number, or it is outside the product's area.
    Blocked,
    /// The product is out of stock, disturbed, in its daily cut-off, or not offered now.
    Unavailable,
    /// A package that must be unregistered first, or a PLN kWh limit.
    TargetLimit,
}

/// The cause a supplier's words name, lower-cased and matched on the phrases Indonesian
/// suppliers use (VIP Reseller's notes, Digiflazz's rc messages); `None` when they name nothing
/// for the customer.
pub fn classify(supplier_text: &str) -> Option<Cause> {
    let t = supplier_text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    // The seller's own affairs first: never the customer's business.
    if has(&[
        "saldo",
        "deposit",
        "signature",
        "ip anda",
        "sku",
        // The seller's account at the supplier, not the customer's game account.
        "akun diblokir",
        "akun belum",
        "akun tidak dapat",
        "buyer",
    ]) {
        return None;
    }
    if has(&["prefix", "operator"]) {
        return Some(Cause::WrongOperator);
    }
    if has(&["diblokir", "blokir", "di luar wilayah", "cluster"]) {
        return Some(Cause::Blocked);
    }
    if has(&[
        "nomor tujuan salah",
        "tujuan salah",
        "digit",
        "tidak ditemukan",
        "not found",
        "invalid id",
        "id salah",
        "user id",
        "nomor salah",
    ]) {
        return Some(Cause::WrongTarget);
    }
    if has(&["unreg", "kwh"]) {
        return Some(Cause::TargetLimit);
    }
    if has(&[
        "stok",
        "gangguan",
        "cut off",
        "cut-off",
        "cutoff",
        "tidak tersedia",
        "tidak stabil",
        "maintenance",
        "pemeliharaan",
        "timeout",
        "time out",
    ]) {
        return Some(Cause::Unavailable);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppliers_words_become_one_plain_cause() {
        let cases = [
            ("Transaksi Gagal (rc 02)", None),
            ("Saldo tidak cukup", None),
            ("SKU tidak ditemukan / non-aktif", None),
            ("IP Anda tidak kami kenali: 103.18.34.217", None),
            ("Nomor Tujuan Salah", Some(Cause::WrongTarget)),
            ("ID akun tidak ditemukan", Some(Cause::WrongTarget)),
            ("Akun diblokir oleh seller", None),
            ("Jumlah digit kurang/lebih", Some(Cause::WrongTarget)),
            ("Prefix tidak sesuai operator", Some(Cause::WrongOperator)),
            ("Nomor Tujuan Diblokir", Some(Cause::Blocked)),
            ("Tujuan di luar wilayah/cluster", Some(Cause::Blocked)),
            ("Stok habis", Some(Cause::Unavailable)),
            ("Produk sedang gangguan", Some(Cause::Unavailable)),
            ("Sedang Cut Off", Some(Cause::Unavailable)),
            ("Lakukan unreg paket dahulu", Some(Cause::TargetLimit)),
            ("kWh melebihi batas", Some(Cause::TargetLimit)),
        ];
        for (text, cause) in cases {
            assert_eq!(classify(text), cause, "{text}");
        }
    }
}
