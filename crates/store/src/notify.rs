//! What the store says, to whom, at each step. Pure text building: the outbox stores and sends.
//! Every notice has a plain text (Fonnte, or the Cloud API inside the 24-hour window) and the same
//! facts as ordered template parameters (the Cloud API outside the window).

use madd_domain::{GameAccount, OrderCode, Rupiah};

/// The message kind of a sign-in code (its text is hidden on the dashboard and blanked once sent).
pub const SIGN_IN_CODE: &str = "sign_in_code";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Customer,
    Seller,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Customer => "customer",
            Audience::Seller => "seller",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub audience: Audience,
    /// Also the default Cloud API template name.
    pub kind: &'static str,
    pub text: String,
    pub params: Vec<String>,
}

/// The facts about an order that messages mention.
#[derive(Clone, Debug)]
pub struct OrderFacts<'a> {
    pub code: &'a OrderCode,
    /// The product as the customer saw it on the storefront (the seller's name for it).
    pub product_name: String,
    pub account: &'a GameAccount,
    pub nickname: Option<&'a str>,
    pub amount_due: Rupiah,
    /// The price lines the confirmation card showed (a bill's invoice says its total only).
    pub receipt: Option<madd_domain::Receipt>,
    /// `/order/{code}` on the public URL.
    pub track_url: String,
    /// `/admin/orders/{code}` on the public URL.
    pub admin_url: String,
}

impl OrderFacts<'_> {
    fn account_line(&self) -> String {
        match self.nickname {
            Some(n) => format!("{} – {}", self.account, one_line(n)),
            None => self.account.to_string(),
        }
    }
}

/// Names typed by strangers (nicknames, supporter names) go into messages on one line and
/// without WhatsApp formatting characters, so they cannot fake a second message part.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            '*' | '_' | '~' | '`' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .chars()
        .take(60)
        .collect()
}

/// `qris`: the pay link is the invoice with the order's own QRIS (else Trakteer's page).
pub fn order_created(f: &OrderFacts, pay_url: &str, expires: &str, qris: bool) -> Notice {
    let how = if qris {
        "scan QRIS di halaman ini (semua aplikasi bank/e-wallet)"
    } else {
        "lewat Trakteer (QRIS/e-wallet)"
    };
    Notice {
        audience: Audience::Customer,
        kind: "order_created",
        text: format!(
            "Halo kak! Pesanan *{code}* sudah kami terima.\n\n\
             Produk: {product}\nAkun: {account}\n{lines}\n\n\
             Bayar sebelum {expires} {how}:\n{pay_url}\n\n\
             Pantau pesanan: {track}",
            code = f.code,
            product = f.product_name,
            account = f.account_line(),
            lines = match &f.receipt {
                Some(r) => r.text(),
                None => format!("Total: *{}*", f.amount_due),
            },
            track = f.track_url,
        ),
        params: vec![
            f.code.to_string(),
            f.product_name.to_string(),
            f.account_line(),
            f.amount_due.to_string(),
            pay_url.to_string(),
            expires.to_string(),
        ],
    }
}

pub fn seller_new_order(f: &OrderFacts, customer: &str) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_new_order",
        text: format!(
            "🛒 Pesanan baru *{code}*\n{product}\nAkun: {account}\nTotal: {total}\nWA: {customer}\n\
             Menunggu pembayaran.\n{admin}",
            code = f.code,
            product = f.product_name,
            account = f.account_line(),
            total = f.amount_due,
            admin = f.admin_url,
        ),
        params: vec![
            f.code.to_string(),
            f.product_name.to_string(),
            f.account_line(),
            f.amount_due.to_string(),
            customer.to_string(),
            f.admin_url.clone(),
        ],
    }
}

pub fn payment_received(f: &OrderFacts, paid: Rupiah, auto: bool) -> Notice {
    let next = if auto {
        "Pesanan langsung kami proses."
    } else {
        "Pesanan segera kami proses."
    };
    Notice {
        audience: Audience::Customer,
        kind: "payment_received",
        text: format!(
            "✅ Pembayaran {paid} untuk pesanan *{code}* sudah kami terima. {next}\n\
             Pantau pesanan: {track}",
            code = f.code,
            track = f.track_url,
        ),
        params: vec![f.code.to_string(), paid.to_string(), f.track_url.clone()],
    }
}

pub fn payment_short(
    f: &OrderFacts,
    paid: Rupiah,
    shortfall: Rupiah,
    pay_rest_url: &str,
) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "payment_short",
        text: format!(
            "Pembayaran untuk pesanan *{code}* baru {paid} dari {total}: *kurang {shortfall}*.\n\
             Bayar kekurangannya di sini:\n{pay_rest_url}\n\nPantau pesanan: {track}",
            code = f.code,
            total = f.amount_due,
            track = f.track_url,
        ),
        params: vec![
            f.code.to_string(),
            paid.to_string(),
            f.amount_due.to_string(),
            shortfall.to_string(),
            pay_rest_url.to_string(),
        ],
    }
}

/// The seller's notice of a payment: this payment (what came in and what the store keeps of it)
/// and the order's running total are told apart, so each amount means one thing.
pub fn seller_payment(
    f: &OrderFacts,
    this_payment: Rupiah,
    net: Option<Rupiah>,
    paid_total: Rupiah,
    fully_paid: bool,
    auto: bool,
) -> Notice {
    let state = match (fully_paid, auto) {
        (true, true) => "LUNAS – diproses otomatis.".to_string(),
        (true, false) => format!(
            "LUNAS – balas *proses {}* atau buka link lalu tekan Proses.",
            f.code
        ),
        (false, _) => format!(
            "KURANG BAYAR {} – pelanggan diminta melunasi.",
            f.amount_due - paid_total
        ),
    };
    let net = net.map(|n| format!(", bersih {n}")).unwrap_or_default();
    let total = if paid_total == this_payment {
        String::new()
    } else {
        format!(" Total dibayar {paid_total}.")
    };
    Notice {
        audience: Audience::Seller,
        kind: "seller_payment_received",
        text: format!(
            "💰 Pembayaran *{code}* masuk {this_payment}{net} (tagihan {due}).{total} {state}\n{admin}",
            code = f.code,
            due = f.amount_due,
            admin = f.admin_url,
        ),
        params: vec![
            f.code.to_string(),
            paid_total.to_string(),
            f.amount_due.to_string(),
            state,
            f.admin_url.clone(),
        ],
    }
}

/// `review_url` (`/ulasan/{code}/{token}`, see `service::reviews`) is the free text's last line
/// only: the Cloud API template's parameters stay the four they were, so an approved template
/// keeps working unchanged.
pub fn order_delivered(f: &OrderFacts, serial: &str, review_url: &str) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "order_delivered",
        text: format!(
            "🎉 Pesanan *{code}* SUKSES!\n{product}\nAkun: {account}\nSN: *{serial}*\n\n\
             Terima kasih sudah belanja di Madd Store 🙏\n{track}\n\nBeri ulasan: {review_url}",
            code = f.code,
            product = f.product_name,
            account = f.account_line(),
            track = f.track_url,
        ),
        params: vec![
            f.code.to_string(),
            f.product_name.to_string(),
            f.account_line(),
            serial.to_string(),
        ],
    }
}

/// A paid order the supplier could not fill, refunded to the customer's saldo at once.
pub fn refunded_to_saldo(f: &OrderFacts, amount: Rupiah, balance: Rupiah) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "refunded_to_saldo",
        text: format!(
            "Mohon maaf, pesanan *{code}* ({product}) gagal diproses penyedia. Dana *{amount}* \
             sudah kami kembalikan ke *saldo* kakak (saldo sekarang {balance}).\n\
             Pakai untuk belanja lagi: pesan di web (masuk di menu Akun) atau balas *beli … pakai \
             saldo* / *bayar saldo MS-…* di chat ini. Mau ditarik? Balas *tarik <jumlah> \
             <gopay/dana/ovo/bank> <nomor>*.\n{track}",
            code = f.code,
            product = f.product_name,
            track = f.track_url,
        ),
        params: vec![
            f.code.to_string(),
            f.product_name.clone(),
            amount.to_string(),
            balance.to_string(),
        ],
    }
}

/// The seller put money of an order into the customer's saldo (a refund or an overpayment).
pub fn credited_to_saldo(f: &OrderFacts, amount: Rupiah, balance: Rupiah) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "credited_to_saldo",
        text: format!(
            "💰 *{amount}* dari pesanan *{code}* masuk ke *saldo* kakak (saldo sekarang {balance}).\n\
             Pakai untuk belanja lagi: buat pesanan, lalu balas *bayar saldo MS-…* di chat ini.",
            code = f.code,
        ),
        params: vec![f.code.to_string(), amount.to_string(), balance.to_string()],
    }
}

/// A customer asked for saldo to be paid out.
pub fn seller_cash_out(
    amount: Rupiah,
    method: &str,
    account: &str,
    customer: &str,
    admin: &str,
) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_cash_out",
        text: format!(
            "🏦 Permintaan tarik saldo *{amount}* ke {method} {account} dari {customer}.\n\
             Kirim dananya, lalu tandai dibayar (atau tolak dengan alasan): {admin}",
            account = one_line(account),
        ),
        params: vec![
            amount.to_string(),
            method.to_string(),
            one_line(account),
            admin.to_string(),
        ],
    }
}

/// A payment that matched no order, put into the customer's saldo by the seller.
pub fn payment_to_saldo(amount: Rupiah, balance: Rupiah) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "payment_to_saldo",
        text: format!(
            "💰 Pembayaran *{amount}* kakak di Trakteer kami masukkan ke *saldo* (saldo sekarang \
             {balance}). Pakai untuk belanja: buat pesanan, lalu balas *bayar saldo MS-…*."
        ),
        params: vec![amount.to_string(), balance.to_string()],
    }
}

pub fn topped_up(amount: Rupiah, balance: Rupiah) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "topped_up",
        text: format!(
            "✅ Isi saldo *{amount}* berhasil. Saldo kakak sekarang *{balance}*. Pakai: buat \
             pesanan, lalu balas *bayar saldo MS-…*."
        ),
        params: vec![amount.to_string(), balance.to_string()],
    }
}

pub fn cash_out_paid(
    amount: Rupiah,
    method: &str,
    account: &str,
    reference: &str,
    balance: Rupiah,
) -> Notice {
    let reference = if reference.is_empty() {
        String::new()
    } else {
        format!(" (ref {})", one_line(reference))
    };
    Notice {
        audience: Audience::Customer,
        kind: "cash_out_paid",
        text: format!(
            "✅ Penarikan saldo *{amount}* sudah dikirim ke {method} {account}{reference}. \
             Sisa saldo {balance}.",
            account = one_line(account),
        ),
        params: vec![amount.to_string(), balance.to_string()],
    }
}

pub fn cash_out_refused(amount: Rupiah, reason: &str) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "cash_out_refused",
        text: format!(
            "Maaf kak, penarikan saldo *{amount}* belum bisa diproses: {}. Saldo kakak tetap utuh.",
            one_line(reason)
        ),
        params: vec![amount.to_string(), one_line(reason)],
    }
}

pub fn order_failed(f: &OrderFacts) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "order_failed",
        text: format!(
            "Mohon maaf, pesanan *{code}* ({product}) gagal diproses oleh sistem kami. \
             Admin akan segera menghubungi kakak untuk pengembalian dana atau pengiriman ulang.\n{track}",
            code = f.code,
            product = f.product_name,
            track = f.track_url,
        ),
        params: vec![f.code.to_string(), f.product_name.to_string()],
    }
}

pub fn seller_order_failed(
    f: &OrderFacts,
    reason: &str,
    retryable: bool,
    refunded_to_saldo: Option<Rupiah>,
) -> Notice {
    let action = match (retryable, refunded_to_saldo) {
        (true, _) => "Bisa diulang setelah masalahnya beres (mis. isi saldo).".to_string(),
        (false, Some(amount)) => {
            format!("{amount} sudah dikembalikan otomatis ke saldo pelanggan.")
        }
        (false, None) => "Perlu refund ke pelanggan.".to_string(),
    };
    Notice {
        audience: Audience::Seller,
        kind: "seller_order_failed",
        text: format!(
            "⚠️ Pesanan *{code}* GAGAL di supplier: {reason}\n{action}\n{admin}",
            code = f.code,
            reason = one_line(reason),
            admin = f.admin_url,
        ),
        params: vec![f.code.to_string(), one_line(reason), f.admin_url.clone()],
    }
}

pub fn seller_order_stuck(f: &OrderFacts, detail: &str) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_order_stuck",
        text: format!(
            "⚠️ Pesanan *{code}*: status di supplier belum bisa dipastikan ({detail}). \
             Cek manual di VIP sebelum memproses ulang.\n{admin}",
            code = f.code,
            detail = one_line(detail),
            admin = f.admin_url,
        ),
        params: vec![f.code.to_string(), one_line(detail), f.admin_url.clone()],
    }
}

/// A supplier reports an attempt's end differently from how the store recorded it (delivered
/// after it failed, or failed after it delivered): money may have moved twice.
pub fn seller_supplier_contradiction(
    f: &OrderFacts,
    supplier: &str,
    attempt: i64,
    (said, recorded): (&str, &str),
) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_supplier_contradiction",
        text: format!(
            "⚠️ Pesanan *{code}*: {supplier} kini melaporkan percobaan {attempt} *{said}*, \
             padahal tercatat {recorded}. Mungkin terbeli dua kali: cek di {supplier}.\n{admin}",
            code = f.code,
            admin = f.admin_url,
        ),
        params: vec![
            f.code.to_string(),
            supplier.to_string(),
            attempt.to_string(),
            said.to_string(),
            recorded.to_string(),
            f.admin_url.clone(),
        ],
    }
}

/// A paid order neither delivered nor refunded within the seller's watchdog time.
pub fn seller_order_overdue(f: &OrderFacts, status: &str, minutes: i64) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_order_overdue",
        text: format!(
            "⏰ Pesanan *{code}* ({product}) sudah dibayar {minutes} menit lalu tapi belum \
             terkirim atau di-refund (status: {status}). Sudah masuk *Perlu tindakan*:\n{admin}",
            code = f.code,
            product = f.product_name,
            admin = f.admin_url,
        ),
        params: vec![
            f.code.to_string(),
            f.product_name.to_string(),
            minutes.to_string(),
            status.to_string(),
            f.admin_url.clone(),
        ],
    }
}

pub fn order_expired(f: &OrderFacts) -> Notice {
    Notice {
        audience: Audience::Customer,
        kind: "order_expired",
        text: format!(
            "Pesanan *{code}* ({product}) kedaluwarsa karena belum dibayar. \
             Silakan buat pesanan baru bila masih ingin membeli.",
            code = f.code,
            product = f.product_name,
        ),
        params: vec![f.code.to_string(), f.product_name.to_string()],
    }
}

pub fn seller_refund_needed(f: &OrderFacts, paid: Rupiah) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_refund_needed",
        text: format!(
            "⚠️ Pesanan *{code}* kedaluwarsa dengan pembayaran sebagian {paid}. \
             Kembalikan dana ke pelanggan.\n{admin}",
            code = f.code,
            admin = f.admin_url,
        ),
        params: vec![f.code.to_string(), paid.to_string(), f.admin_url.clone()],
    }
}

pub fn seller_unmatched_payment(
    amount: Rupiah,
    supporter: &str,
    message: &str,
    review_url: &str,
) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_unmatched_payment",
        text: format!(
            "❓ Pembayaran Trakteer {amount} dari {supporter} tidak cocok dengan pesanan mana pun \
             (pesan: \"{message}\"). Cocokkan manual: {review_url}",
            supporter = one_line(supporter),
            message = one_line(message),
        ),
        params: vec![
            amount.to_string(),
            one_line(supporter),
            one_line(message),
            review_url.to_string(),
        ],
    }
}

pub fn seller_late_payment(f: &OrderFacts, amount: Rupiah, status_label: &str) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_late_payment",
        text: format!(
            "❓ Pembayaran {amount} masuk untuk pesanan *{code}* yang berstatus {status_label}. \
             Periksa dan kembalikan bila perlu.\n{admin}",
            code = f.code,
            admin = f.admin_url,
        ),
        params: vec![
            f.code.to_string(),
            amount.to_string(),
            status_label.to_string(),
            f.admin_url.clone(),
        ],
    }
}

/// A gateway reported money the store will not act on by itself (an amount that differs from
/// the order's, a payment for no attempt we know, a refund): the seller looks.
pub fn seller_payment_review(
    rail: &str,
    amount: Rupiah,
    what: &str,
    reason: &str,
    review_url: &str,
) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_payment_review",
        text: format!(
            "⚠️ Pembayaran {rail} {amount} ({what}) perlu dicek: {reason}.\n{review_url}",
            what = one_line(what),
            reason = one_line(reason),
        ),
        params: vec![
            rail.to_string(),
            amount.to_string(),
            one_line(what),
            one_line(reason),
            review_url.to_string(),
        ],
    }
}

/// The supplier balance crossed below the seller's threshold (sent once per crossing).
pub fn seller_low_balance(
    supplier: madd_domain::SupplierId,
    balance: Rupiah,
    threshold: Rupiah,
    deposits_url: &str,
) -> Notice {
    Notice {
        audience: Audience::Seller,
        kind: "seller_low_balance",
        text: format!(
            "⚠️ Saldo {} tinggal {balance} (batas {threshold}). Isi saldo agar pesanan \
             tidak gagal.\n{deposits_url}",
            supplier.label()
        ),
        params: vec![
            balance.to_string(),
            threshold.to_string(),
            deposits_url.to_string(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madd_domain::{Category, TargetRule};

    fn facts<'a>(
        code: &'a OrderCode,
        account: &'a GameAccount,
        nickname: Option<&'a str>,
    ) -> OrderFacts<'a> {
        OrderFacts {
            code,
            product_name: "86 Diamonds".into(),
            account,
            nickname,
            amount_due: Rupiah::new(22_000),
            receipt: None,
            track_url: "http://s/order/MS-7K3Q9XW2".into(),
            admin_url: "http://s/admin/orders/MS-7K3Q9XW2".into(),
        }
    }

    #[test]
    fn a_seller_payment_notice_keeps_this_payment_and_the_total_apart() {
        let code = OrderCode::parse("MS-7K3Q9XW2").unwrap();
        let rule = TargetRule::for_product(Category::Game, "Mobile Legends B");
        let account = GameAccount::parse(&rule, "123456780", Some("2345")).unwrap();
        let f = facts(&code, &account, None);
        // The rest of an underpaid order: Rp 7.000 now (Rp 6.595 net), Rp 22.000 in all.
        let n = seller_payment(
            &f,
            Rupiah::new(7_000),
            Some(Rupiah::new(6_595)),
            Rupiah::new(22_000),
            true,
            false,
        );
        assert!(
            n.text.contains("masuk Rp7.000, bersih Rp6.595"),
            "{}",
            n.text
        );
        assert!(n.text.contains("Total dibayar Rp22.000"), "{}", n.text);
        assert!(n.text.contains("balas *proses MS-7K3Q9XW2*"), "{}", n.text);
        // A first payment short of the bill: no total to repeat, the shortfall said.
        let n = seller_payment(
            &f,
            Rupiah::new(15_000),
            None,
            Rupiah::new(15_000),
            false,
            false,
        );
        assert!(!n.text.contains("Total dibayar"), "{}", n.text);
        assert!(n.text.contains("KURANG BAYAR Rp7.000"), "{}", n.text);
    }

    #[test]
    fn invoice_carries_code_account_amount_and_links() {
        let code = OrderCode::parse("MS-7K3Q9XW2").unwrap();
        let rule = TargetRule::for_product(Category::Game, "Mobile Legends B");
        let account = GameAccount::parse(&rule, "123456780", Some("2345")).unwrap();
        let n = order_created(
            &facts(&code, &account, Some("Itacimo")),
            "http://pay",
            "25/11/2026 16:00 WIB",
            false,
        );
        assert_eq!(n.audience, Audience::Customer);
        for needle in [
            "MS-7K3Q9XW2",
            "86 Diamonds",
            "123456780 (2345) – Itacimo",
            "Rp22.000",
            "http://pay",
            "http://s/order/MS-7K3Q9XW2",
        ] {
            assert!(n.text.contains(needle), "{needle} in {}", n.text);
        }
        assert_eq!(n.params[0], "MS-7K3Q9XW2");
        assert_eq!(n.params[3], "Rp22.000");
    }

    #[test]
    fn strangers_text_cannot_break_the_message() {
        let code = OrderCode::parse("MS-7K3Q9XW2").unwrap();
        let account = GameAccount::from_trusted("1".into(), None);
        let n = order_delivered(
            &facts(&code, &account, Some("*bold*\nSN: 999")),
            "1234",
            "http://s/ulasan/MS-7K3Q9XW2/ab12",
        );
        assert!(n.text.contains("Akun: 1 – bold  SN: 999\n"), "{}", n.text);
        // The review link is the text's last line; the template's parameters are unchanged.
        assert!(n
            .text
            .ends_with("\n\nBeri ulasan: http://s/ulasan/MS-7K3Q9XW2/ab12"));
        assert_eq!(n.params.len(), 4);
        let n = payment_short(
            &facts(&code, &account, None),
            Rupiah::new(10_000),
            Rupiah::new(12_000),
            "http://rest",
        );
        assert!(n.text.contains("kurang Rp12.000"));
        assert!(n.text.contains("http://rest"));
    }
}
