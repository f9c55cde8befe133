//! The fixed texts the chat answers with: the menu and the short help.

/// The menu text (customers); the seller's commands are added for the seller.
pub fn menu_text(shop: &str, seller: bool) -> String {
    let mut text = format!(
        "Halo kak! 👋 Selamat datang di *{shop}*.\n\n\
         *harga ml* / *list ff* / *pulsa telkomsel* – daftar harga\n\
         *cek ml 123456789 2345* – cek nickname\n\
         *beli ML86-S1 123456789 2345* – pesan (atau ketik *beli* saja; voucher: *… kode PROMO*)\n\
         *status MS-XXXXXXXX* – status pesanan\n\
         *batal MS-XXXXXXXX* – batalkan pesanan yang belum dibayar\n\
         *saldo* – saldo kamu · *beli … pakai saldo* / *bayar saldo MS-XXXXXXXX* – bayar dengan saldo\n\
         *tarik 50000 dana 0812…* – tarik saldo ke e-wallet/rekening\n\
         *cs pesan* – hubungi admin"
    );
    if seller {
        text.push_str(
            "\n\n*Penjual:* *saldo* (saldo supplier) · *pesanan* · *proses MS-…* · *cek MS-…* · *laporan* · \
             *tutup* / *buka*",
        );
    }
    text
}

/// The short help for input nobody understood.
pub fn help_text() -> &'static str {
    "Maaf kak, perintahnya belum kami pahami 🙏\nKetik *menu* untuk melihat daftar perintah, \
     misalnya *harga ml* atau *beli ML86-S1 123456789 2345*."
}
