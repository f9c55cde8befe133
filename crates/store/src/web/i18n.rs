//! The storefront's two languages: Indonesian (default) and English, chosen with the
//! `madd_lang` cookie (`/bahasa/en`, `/bahasa/id`). Messages from services and validation stay
//! Indonesian; the page around them follows the choice.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use madd_domain::OrderStatus;

pub const COOKIE: &str = "madd_lang";

/// Every fixed text of the storefront pages, in one language.
pub struct Texts {
    pub code: &'static str,
    pub other_code: &'static str,
    pub other_name: &'static str,
    pub nav_track: &'static str,
    pub nav_account: &'static str,
    // The account page: sign-in by WhatsApp code, saldo, own orders.
    pub account_title: &'static str,
    pub account_intro: &'static str,
    pub send_code: &'static str,
    pub code_label: &'static str,
    pub code_sent: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub saldo: &'static str,
    pub saldo_history: &'static str,
    pub my_orders: &'static str,
    pub pay_with_saldo: &'static str,
    pub top_up: &'static str,
    pub cash_out: &'static str,
    pub cash_out_sent: &'static str,
    pub cash_out_amount: &'static str,
    pub cash_out_method: &'static str,
    pub cash_out_account: &'static str,
    pub top_up_label: &'static str,
    pub footer: &'static str,
    pub hero_title: &'static str,
    pub hero_text: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_results: &'static str,
    pub no_results: &'static str,
    pub popular: &'static str,
    pub from: &'static str,
    pub out_of_stock: &'static str,
    pub sold_out: &'static str,
    pub cat_games: &'static str,
    pub cat_pulsa: &'static str,
    pub cat_pln: &'static str,
    pub cat_voucher: &'static str,
    pub pulsa_tile: &'static str,
    pub token_tile: &'static str,
    pub bill_tile: &'static str,
    pub catalogue_empty: &'static str,
    pub step_enter: &'static str,
    pub step_choose: &'static str,
    pub step_whatsapp: &'static str,
    pub whatsapp_label: &'static str,
    pub where_id: &'static str,
    pub continue_button: &'static str,
    pub checking_id: &'static str,
    pub nickname: &'static str,
    pub confirm_title: &'static str,
    pub product: &'static str,
    pub price: &'static str,
    pub fee: &'static str,
    /// The folded pay steps' title on the invoice.
    pub pay_how: &'static str,
    pub total: &'static str,
    pub pay_button: &'static str,
    pub change: &'static str,
    pub working: &'static str,
    pub same_day_warning: &'static str,
    pub account: &'static str,
    pub paid: &'static str,
    pub still_owed: &'static str,
    pub pay_before: &'static str,
    pub time_left: &'static str,
    pub pay_trakteer: &'static str,
    /// The invoice's own QRIS (a gateway's, for the exact amount).
    pub qris_title: &'static str,
    pub qris_scan: &'static str,
    pub qris_merchant: &'static str,
    pub qris_download: &'static str,
    pub qris_download_hint: &'static str,
    pub qris_preparing: &'static str,
    pub qris_hosted: &'static str,
    pub pay_rest: &'static str,
    pub pay_note: &'static str,
    pub scan_qr: &'static str,
    /// Numbered payment steps on the invoice (the amount and the code are added by the page).
    pub pay_steps: [&'static str; 4],
    pub underpaid_note: &'static str,
    pub serial: &'static str,
    pub token: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub ask_cs: &'static str,
    pub auto_update: &'static str,
    pub cs_text: &'static str,
    /// The first line of a chat from the floating CS button.
    pub cs_hello: &'static str,
    /// The floating CS button's label.
    pub cs_button: &'static str,
    pub phone_label: &'static str,
    pub phone_hint: &'static str,
    pub check_operator: &'static str,
    pub operator: &'static str,
    pub operator_unknown: &'static str,
    pub pulsa_title: &'static str,
    pub pulsa: &'static str,
    pub data: &'static str,
    pub bill_title: &'static str,
    pub customer_no: &'static str,
    pub bill_hint: &'static str,
    pub check_bill: &'static str,
    pub customer_name: &'static str,
    pub bill: &'static str,
    pub pln_admin: &'static str,
    pub store_fee: &'static str,
    pub track_title: &'static str,
    pub order_code: &'static str,
    pub last4: &'static str,
    pub track_button: &'static str,
    pub oops: &'static str,
    pub back: &'static str,
    /// The banner on every storefront page while the seller has closed the store (`tutup`).
    pub closed_banner: &'static str,
    // A paid order that failed, or was refunded: what happened and what happens next.
    pub failed_title: &'static str,
    pub failed_temporary: &'static str,
    pub failed_rejected: &'static str,
    pub failed_supplier_says: &'static str,
    /// A supplier's refusal in the customer's terms (`madd_domain::supplier_failure::Cause`).
    pub cause_wrong_target: &'static str,
    pub cause_wrong_operator: &'static str,
    pub cause_blocked: &'static str,
    pub cause_unavailable: &'static str,
    pub cause_target_limit: &'static str,
    pub failed_money_safe: &'static str,
    pub failed_next: &'static str,
    pub failed_cs: &'static str,
    pub failed_cs_text: &'static str,
    pub refunded_title: &'static str,
    pub refunded_via: &'static str,
    /// A refund to saldo: where the money is and how to use it.
    pub refunded_saldo: &'static str,
    /// A paid order waiting for the seller in manual mode: the wait, then the seller's hours.
    pub manual_wait: &'static str,
    pub seller_hours: &'static str,
    pub processing_wait: &'static str,
}

pub static ID: Texts = Texts {
    code: "id",
    other_code: "en",
    other_name: "English",
    nav_track: "Cek Pesanan",
    nav_account: "Akun",
    account_title: "Akun saya",
    account_intro: "Masuk dengan nomor WhatsApp-mu: kami kirim kode 6 angka lewat WhatsApp. Tanpa kata sandi.",
    send_code: "Kirim kode",
    code_label: "Kode dari WhatsApp",
    code_sent: "Kode dikirim ke WhatsApp",
    sign_in: "Masuk",
    sign_out: "Keluar",
    saldo: "Saldo",
    saldo_history: "Riwayat saldo",
    my_orders: "Pesanan saya",
    pay_with_saldo: "Bayar pakai saldo",
    top_up: "Isi saldo",
    cash_out: "Tarik saldo",
    cash_out_sent: "Permintaan tarik terkirim ke penjual; saldo dipotong saat dananya dikirim, kabarnya lewat WhatsApp.",
    cash_out_amount: "Jumlah",
    cash_out_method: "Ke",
    cash_out_account: "Nomor e-wallet / rekening",
    top_up_label: "Isi saldo lewat Trakteer (Rp 10.000 – 1.000.000)",
    footer: "Madd Store · Top up game, pulsa, data & PLN · Bayar QRIS/e-wallet lewat Trakteer",
    hero_title: "Top up cepat, bayar QRIS",
    hero_text: "Diamond, UC, Genesis Crystal, pulsa, paket data dan token PLN. Nickname dicek sebelum bayar, status dikirim lewat WhatsApp.",
    search_label: "Cari game atau produk",
    search_button: "Cari",
    search_results: "Hasil pencarian",
    no_results: "Tidak ada produk yang cocok.",
    popular: "Produk populer",
    from: "mulai",
    out_of_stock: "stok kosong",
    sold_out: "Kosong",
    cat_games: "Games",
    cat_pulsa: "Pulsa & Data",
    cat_pln: "PLN",
    cat_voucher: "Voucher & Streaming",
    pulsa_tile: "Pulsa & Paket Data",
    token_tile: "Token PLN",
    bill_tile: "Tagihan PLN",
    catalogue_empty: "Katalog belum disinkronkan. Jalankan maddstore sync.",
    step_enter: "1. Masukkan",
    step_choose: "2. Pilih nominal",
    step_whatsapp: "3. Nomor WhatsApp",
    whatsapp_label: "WhatsApp untuk invoice & status",
    where_id: "Di mana ID saya?",
    continue_button: "Lanjut",
    checking_id: "Mengecek ID…",
    nickname: "Nickname",
    confirm_title: "Konfirmasi pesanan",
    product: "Produk",
    price: "Harga",
    fee: "Biaya admin",
    pay_how: "Cara bayar, langkah demi langkah",
    total: "Total bayar",
    pay_button: "Buat pesanan & bayar",
    change: "Ubah pesanan",
    working: "Memproses…",
    same_day_warning: "Nomor/ID ini sudah membeli produk yang sama hari ini. Pastikan ini bukan pembelian ganda.",
    account: "Akun",
    paid: "Dibayar",
    still_owed: "Kurang",
    pay_before: "Bayar sebelum",
    time_left: "Sisa waktu",
    pay_trakteer: "Bayar di Trakteer",
    qris_title: "Bayar dengan QRIS",
    qris_scan: "Pindai dengan aplikasi bank atau e-wallet apa saja (GoPay, DANA, OVO, ShopeePay, m-banking). Jumlahnya sudah terisi.",
    qris_merchant: "Nama penerima di aplikasimu",
    qris_download: "Simpan QRIS",
    qris_download_hint: "Bayar dari HP ini: simpan gambarnya, lalu buka dari galeri di aplikasi e-wallet atau m-banking.",
    qris_preparing: "Menyiapkan QRIS untuk pesananmu… halaman ini akan menampilkannya sebentar lagi.",
    qris_hosted: "Buka halaman pembayaran",
    pay_rest: "Bayar kekurangan via Trakteer",
    pay_note: "Jangan ubah pesan dukungan di Trakteer: kode pesanan dipakai untuk mencocokkan pembayaran.",
    scan_qr: "Bukan QRIS: pindai dengan kamera HP lain untuk membuka halaman bayar di sana.",
    pay_steps: [
        "Tekan “Bayar di Trakteer”. Trakteer menghitung dalam “koin”: 1 koin = Rp 1.000, jumlahnya sudah diisi.",
        "Biarkan “pesan dukungan” apa adanya: isinya kode pesananmu.",
        "Pilih QRIS, GoPay, DANA, OVO atau ShopeePay, lalu bayar.",
        "Selesai bayar? Kembali ke halaman ini (link-nya juga ada di WhatsApp-mu): status berubah sendiri.",
    ],
    underpaid_note: "Pembayaran kurang. Bayar sisanya agar pesanan diproses.",
    serial: "SN",
    token: "Token listrik",
    copy: "Salin",
    copied: "Tersalin",
    ask_cs: "Tanya CS via WhatsApp",
    auto_update: "Status diperbarui otomatis.",
    cs_text: "Halo Madd Store, saya mau tanya pesanan",
    cs_hello: "Halo Madd Store, saya mau tanya",
    cs_button: "Chat CS",
    phone_label: "Nomor HP",
    phone_hint: "Operator dikenali dari awalan nomor (0812 Telkomsel, 0857 Indosat, 0817 XL, …).",
    check_operator: "Cek operator",
    operator: "Operator",
    operator_unknown: "Operator nomor ini tidak dikenali. Periksa kembali nomornya.",
    pulsa_title: "Pulsa & Paket Data",
    pulsa: "Pulsa",
    data: "Paket Data",
    bill_title: "Tagihan PLN Pascabayar",
    customer_no: "ID Pelanggan",
    bill_hint: "ID pelanggan 12 digit ada di struk atau tagihan PLN bulan lalu. Tagihan dicek dulu sebelum bayar.",
    check_bill: "Cek tagihan",
    customer_name: "Nama pelanggan",
    bill: "Tagihan",
    pln_admin: "Admin PLN",
    store_fee: "Biaya layanan",
    track_title: "Cek pesanan",
    order_code: "Kode pesanan",
    last4: "4 digit terakhir nomor WhatsApp",
    track_button: "Cek",
    oops: "Ups!",
    back: "Kembali",
    closed_banner: "Toko sedang tutup sementara. Kamu tetap bisa melihat produk dan mengecek pesanan, tapi pesanan baru belum bisa dibuat. Coba lagi nanti ya.",
    failed_title: "Pesanan gagal diproses",
    failed_temporary: "Ada gangguan sementara di penyedia saat pesanan ini diproses.",
    failed_rejected: "Penyedia menolak pesanan ini.",
    failed_supplier_says: "Keterangan penyedia",
    cause_wrong_target: "nomor atau ID tujuan tidak ditemukan atau jumlah digitnya salah",
    cause_wrong_operator: "nomor tujuan bukan dari operator produk ini",
    cause_blocked: "nomor tujuan diblokir operator atau di luar wilayah produk ini",
    cause_unavailable: "produk sedang kosong atau gangguan di operator",
    cause_target_limit: "nomor tujuan masih punya paket aktif atau melewati batas (mis. kWh PLN)",
    failed_money_safe: "Pembayaranmu aman: kami sudah menerima",
    failed_next: "Penjual akan mengirim ulang pesanan ini atau mengembalikan dana penuh dalam 1×24 jam, dan mengabarimu lewat WhatsApp. Tidak perlu membayar lagi.",
    failed_cs: "Hubungi CS soal pesanan ini",
    failed_cs_text: "Halo Madd Store, pesanan saya gagal. Mohon dibantu kirim ulang atau refund:",
    refunded_title: "Dana sudah dikembalikan",
    refunded_via: "Dikembalikan lewat",
    refunded_saldo: "Dana dikembalikan ke saldo nomor WhatsApp-mu, langsung bisa dipakai: masuk di menu Akun (kode dikirim lewat WhatsApp) lalu pilih “Bayar pakai saldo” saat memesan, atau balas “bayar saldo” dengan kode pesanan di chat WhatsApp toko. Mau ditarik? Balas “tarik 50000 dana 0812…” di chat yang sama.",
    manual_wait: "Pembayaran diterima. Penjual memproses pesanan satu per satu, biasanya dalam 15 menit; di luar jam layanan, pada jam buka berikutnya. Kabar selanjutnya dikirim lewat WhatsApp.",
    seller_hours: "Jam layanan",
    processing_wait: "Pesanan sedang diproses penyedia, biasanya selesai dalam 1–5 menit. Halaman ini diperbarui sendiri.",
};

pub static EN: Texts = Texts {
    code: "en",
    other_code: "id",
    other_name: "Bahasa Indonesia",
    nav_track: "Track order",
    nav_account: "Account",
    account_title: "My account",
    account_intro: "Sign in with your WhatsApp number: we send a 6-digit code by WhatsApp. No password.",
    send_code: "Send code",
    code_label: "Code from WhatsApp",
    code_sent: "Code sent to WhatsApp",
    sign_in: "Sign in",
    sign_out: "Sign out",
    saldo: "Saldo",
    saldo_history: "Saldo history",
    my_orders: "My orders",
    pay_with_saldo: "Pay with saldo",
    top_up: "Top up",
    cash_out: "Cash out",
    cash_out_sent: "Your request went to the seller; the saldo is debited when the money is sent, and you hear on WhatsApp.",
    cash_out_amount: "Amount",
    cash_out_method: "To",
    cash_out_account: "E-wallet number / bank account",
    top_up_label: "Top up through Trakteer (Rp 10,000 – 1,000,000)",
    footer: "Madd Store · Game top-ups, mobile credit, data & PLN · Pay by QRIS/e-wallet through Trakteer",
    hero_title: "Fast top-ups, pay by QRIS",
    hero_text: "Diamonds, UC, Genesis Crystals, mobile credit, data plans and PLN tokens. Your nickname is checked before you pay; updates arrive on WhatsApp.",
    search_label: "Search games or products",
    search_button: "Search",
    search_results: "Search results",
    no_results: "No matching products.",
    popular: "Popular",
    from: "from",
    out_of_stock: "out of stock",
    sold_out: "Sold out",
    cat_games: "Games",
    cat_pulsa: "Credit & Data",
    cat_pln: "PLN electricity",
    cat_voucher: "Vouchers & Streaming",
    pulsa_tile: "Credit & data plans",
    token_tile: "PLN token",
    bill_tile: "PLN bill",
    catalogue_empty: "The catalogue is not synced yet. Run maddstore sync.",
    step_enter: "1. Enter your",
    step_choose: "2. Choose an amount",
    step_whatsapp: "3. WhatsApp number",
    whatsapp_label: "WhatsApp for the invoice and updates",
    where_id: "Where is my ID?",
    continue_button: "Continue",
    checking_id: "Checking ID…",
    nickname: "Nickname",
    confirm_title: "Confirm your order",
    product: "Product",
    price: "Price",
    fee: "Admin fee",
    pay_how: "How to pay, step by step",
    total: "Total",
    pay_button: "Place order & pay",
    change: "Change order",
    working: "Working…",
    same_day_warning: "This number/ID already bought the same product today. Make sure this is not a double purchase.",
    account: "Account",
    paid: "Paid",
    still_owed: "Still owed",
    pay_before: "Pay before",
    time_left: "Time left",
    pay_trakteer: "Pay on Trakteer",
    qris_title: "Pay with QRIS",
    qris_scan: "Scan with any bank or e-wallet app (GoPay, DANA, OVO, ShopeePay, mobile banking). The amount is filled in.",
    qris_merchant: "Payee name in your app",
    qris_download: "Save the QRIS",
    qris_download_hint: "Paying from this phone: save the picture, then open it from the gallery in your e-wallet or banking app.",
    qris_preparing: "Preparing the QRIS for your order… it will show on this page in a moment.",
    qris_hosted: "Open the payment page",
    pay_rest: "Pay the rest with Trakteer",
    pay_note: "Do not change the support message on Trakteer: the order code matches your payment.",
    scan_qr: "Not a QRIS code: scan it with another phone's camera to open the payment page there.",
    pay_steps: [
        "Tap “Pay on Trakteer”. Trakteer counts in “koin” (units): 1 koin = Rp 1,000, already filled in.",
        "Leave the “pesan dukungan” (support message) as it is: it holds your order code.",
        "Choose QRIS, GoPay, DANA, OVO or ShopeePay and pay.",
        "Paid? Come back to this page (the link is in your WhatsApp too): the status changes by itself.",
    ],
    underpaid_note: "The payment was short. Pay the rest to have the order processed.",
    serial: "SN",
    token: "Electricity token",
    copy: "Copy",
    copied: "Copied",
    ask_cs: "Ask support on WhatsApp",
    auto_update: "The status updates by itself.",
    cs_text: "Hello Madd Store, I have a question about order",
    cs_hello: "Hello Madd Store, I have a question",
    cs_button: "Chat with us",
    phone_label: "Phone number",
    phone_hint: "The operator is recognised from the prefix (0812 Telkomsel, 0857 Indosat, 0817 XL, …).",
    check_operator: "Find operator",
    operator: "Operator",
    operator_unknown: "This number's operator is not recognised. Please check the number.",
    pulsa_title: "Mobile credit & data",
    pulsa: "Credit",
    data: "Data plans",
    bill_title: "PLN postpaid bill",
    customer_no: "Customer ID",
    bill_hint: "The 12-digit customer ID is on last month's PLN receipt. The bill is shown before you pay.",
    check_bill: "Check bill",
    customer_name: "Customer name",
    bill: "Bill",
    pln_admin: "PLN admin fee",
    store_fee: "Service fee",
    track_title: "Track an order",
    order_code: "Order code",
    last4: "Last 4 digits of the WhatsApp number",
    track_button: "Track",
    oops: "Oops!",
    back: "Back",
    closed_banner: "The store is closed for now. You can still browse products and track orders, but new orders can't be placed yet. Please try again later.",
    failed_title: "The order could not be completed",
    failed_temporary: "The provider had a temporary problem while processing this order.",
    failed_rejected: "The provider refused this order.",
    failed_supplier_says: "The provider says",
    cause_wrong_target: "the number or ID was not found, or has the wrong number of digits",
    cause_wrong_operator: "the number is not from this product's operator",
    cause_blocked: "the number is blocked by its operator or outside the product's area",
    cause_unavailable: "the product is out of stock or disturbed at the operator",
    cause_target_limit: "the number still has an active package or is over a limit (e.g. PLN kWh)",
    failed_money_safe: "Your payment is safe: we received",
    failed_next: "The seller will send the order again or refund you in full within 24 hours, and will tell you on WhatsApp. You don't need to pay again.",
    failed_cs: "Contact support about this order",
    failed_cs_text: "Hello Madd Store, my order failed. Please resend or refund it:",
    refunded_title: "Your money was refunded",
    refunded_via: "Refunded via",
    refunded_saldo: "The money went back to the saldo of your WhatsApp number, ready to use: sign in under Account (the code comes by WhatsApp) and choose “Pay with saldo” when you order, or reply “bayar saldo” with the order's code in the store's WhatsApp chat. Want it paid out? Reply “tarik 50000 dana 0812…” in the same chat.",
    manual_wait: "Payment received. The seller processes orders one by one, usually within 15 minutes; outside service hours, at the next opening. Updates come on WhatsApp.",
    seller_hours: "Service hours",
    processing_wait: "The provider is processing the order; it usually takes 1–5 minutes. This page updates itself.",
};

/// The visitor's language, from the `madd_lang` cookie (Indonesian unless it says `en`).
#[derive(Copy, Clone)]
pub struct Lang(pub &'static Texts);

impl Lang {
    pub fn from_cookie_header(header: Option<&str>) -> Lang {
        let en = header
            .unwrap_or("")
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .any(|(k, v)| k == COOKIE && v == "en");
        Lang(if en { &EN } else { &ID })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_cookie_header(
            parts
                .headers
                .get(header::COOKIE)
                .and_then(|v| v.to_str().ok()),
        ))
    }
}

/// An order status in the page's language.
pub fn status_label(t: &Texts, s: OrderStatus) -> &'static str {
    if t.code == "id" {
        return s.label_id();
    }
    match s {
        OrderStatus::AwaitingPayment => "Awaiting payment",
        OrderStatus::Underpaid => "Underpaid",
        OrderStatus::Paid => "Paid",
        OrderStatus::Processing => "Processing",
        OrderStatus::Delivered => "Success",
        OrderStatus::Failed => "Failed",
        OrderStatus::Refunded => "Refunded",
        OrderStatus::Expired => "Expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_picks_the_language() {
        assert_eq!(Lang::from_cookie_header(None).0.code, "id");
        assert_eq!(
            Lang::from_cookie_header(Some("a=b; madd_lang=en")).0.code,
            "en"
        );
        assert_eq!(Lang::from_cookie_header(Some("madd_lang=fr")).0.code, "id");
        assert_eq!(status_label(&EN, OrderStatus::Delivered), "Success");
        assert_eq!(status_label(&ID, OrderStatus::Delivered), "Sukses");
    }
}

/// A validation error about the customer's account/number in the page's language (the domain's
/// own texts are Indonesian).
pub fn account_error(t: &Texts, e: &madd_domain::AccountError) -> String {
    use madd_domain::AccountError as E;
    if t.code == "id" {
        return madd_domain::text::capitalise(&e.to_string());
    }
    match e {
        E::MissingTarget { label } | E::MissingZone { label } => {
            format!("{} is required", english_label(label))
        }
        E::BadDigits { label, min, max } => {
            format!("{} must be {min}–{max} digits", english_label(label))
        }
        E::BadZone { min, max } => format!("Zone ID must be {min}–{max} digits"),
        E::UnknownServer { choices } => format!("Unknown server; choose one of: {choices}"),
        E::UnexpectedZone => "This product takes no zone or server".into(),
        E::Phone(p) => phone_error(t, p),
        E::BadPlnNumber => "A PLN meter or customer number has 11 or 12 digits".into(),
        E::BadFreeText => "The user ID is too long or has characters that are not allowed".into(),
    }
}

fn english_label(label: &str) -> &str {
    match label {
        "Nomor HP" => "Phone number",
        "No. Meter / ID Pelanggan" => "Meter / customer number",
        other => other,
    }
}

/// A WhatsApp-number error in the page's language.
pub fn phone_error(t: &Texts, e: &madd_domain::PhoneError) -> String {
    use madd_domain::PhoneError as E;
    if t.code == "id" {
        // Shown beside the WhatsApp field; each message names the number it is about.
        return madd_domain::text::capitalise(&e.to_string());
    }
    match e {
        E::Empty => "The WhatsApp number is required".into(),
        E::InvalidCharacters => "A WhatsApp number has only digits, spaces, + and -".into(),
        E::Landline(n) => format!("{n} is a landline, not a WhatsApp mobile number"),
        E::ServiceNumber(n) => {
            format!("{n} is a service number (0800/0809), not a WhatsApp number")
        }
        E::NotMobile => {
            "The WhatsApp number must be an Indonesian mobile number (e.g. 0812-3456-7890)".into()
        }
    }
}

/// A service error shown to a customer, in the page's language (by its code; anything without
/// an English text keeps the Indonesian one).
pub fn app_error(t: &Texts, e: &crate::error::AppError) -> String {
    if t.code == "id" {
        return e.public_message();
    }
    match e.code() {
        "account_not_found" => {
            "No game account with this ID was found: check the ID (and zone) on your in-game profile."
                .into()
        }
        "nickname_unavailable" => {
            "The ID check is unavailable right now. Please try again shortly.".into()
        }
        "bill_not_found" => "No bill was found for this number (it may already be paid).".into(),
        "inquiry_unavailable" => {
            "The bill check is unavailable right now. Please try again shortly.".into()
        }
        "product_not_found" => "Product not found.".into(),
        "product_required" => "Please pick a nominal first.".into(),
        "product_unavailable" => "This item is out of stock. Please pick another one.".into(),
        "order_not_found" => "Order not found.".into(),
        "store_closed" => t.closed_banner.into(),
        "too_many_requests" => "Too many attempts. Please try again in a few minutes.".into(),
        "busy" => "The server is busy. Please try again in a few seconds.".into(),
        "internal_error" => "Something went wrong on our side. Please try again shortly.".into(),
        _ => e.public_message(),
    }
}

#[cfg(test)]
mod error_text_tests {
    use super::*;
    use madd_domain::{AccountError, PhoneError};

    #[test]
    fn errors_follow_the_language() {
        let e = AccountError::BadDigits {
            label: "Nomor HP",
            min: 10,
            max: 13,
        };
        assert_eq!(account_error(&EN, &e), "Phone number must be 10–13 digits");
        assert!(account_error(&ID, &e).starts_with("Nomor HP harus"));
        let p = PhoneError::Landline("0215551234".into());
        assert_eq!(
            phone_error(&EN, &p),
            "0215551234 is a landline, not a WhatsApp mobile number"
        );
        assert_eq!(
            phone_error(&ID, &p),
            "0215551234 adalah nomor telepon rumah/kantor, bukan nomor WhatsApp seluler"
        );
        assert_eq!(
            phone_error(&ID, &PhoneError::Empty),
            "Isi nomor WhatsApp (contoh 0812-3456-7890)"
        );
        let a = crate::error::AppError::not_found("account_not_found", "Akun");
        assert_eq!(
            app_error(&EN, &a),
            "No game account with this ID was found: check the ID (and zone) on your in-game profile."
        );
        assert_eq!(app_error(&ID, &a), a.public_message());
    }
}
