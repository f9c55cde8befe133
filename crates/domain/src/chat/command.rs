//! What a chat message means once read: the commands, their usage lines, and their canonical
//! text.

use serde::{Deserialize, Serialize};

use crate::catalog::Category;
use crate::order::OrderCode;

/// What a price list should show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceQuery {
    /// `None`: every category (or the overview when `brand` is `None` too).
    pub category: Option<Category>,
    /// A canonical brand (`Mobile Legends`, `Telkomsel`) or, for names the parser does not know,
    /// the words as typed (lower case); the store matches it against its brands' names.
    pub brand: Option<String>,
}

/// A chat message, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// The menu (also `halo`, `help`, an empty message).
    Menu,
    /// `harga ml`, `list ff`, `pulsa telkomsel`, `harga` (the overview).
    Prices(PriceQuery),
    /// `cek ml 123456789 2345`: the nickname behind a game id. `game` is a canonical brand.
    CheckId {
        game: String,
        target: String,
        zone: Option<String>,
    },
    /// `beli <code> <id> [zone]`; with parts missing, the guided flow asks for them.
    Buy {
        product: Option<String>,
        target: Option<String>,
        zone: Option<String>,
        /// Ended with `pakai saldo`: the sender's saldo pays the order once it is made.
        saldo: bool,
        /// `kode PROMO`: a voucher for the order.
        voucher: Option<String>,
    },
    /// `ya`: go ahead with what is waiting for confirmation.
    Yes,
    /// `tidak` / a bare `batal`: drop what is waiting.
    No,
    /// `status <code>`; without a code, the sender's latest orders.
    Status(Option<OrderCode>),
    /// `batal <code>`: cancel an unpaid order.
    Cancel(OrderCode),
    /// `cs <text>`: forwarded to the seller.
    Support(String),
    /// `pesanan`: the seller's to-do list; a customer's own latest orders.
    Orders,
    /// `cek <code>`: the seller re-checks the supplier; a customer reads the status.
    CheckOrder(OrderCode),
    /// `bayar saldo <code>`: pay the sender's own unpaid order from their saldo.
    PayWithSaldo(OrderCode),
    /// `tarik <jumlah> <ewallet/bank> <nomor/rekening>`: ask the seller to pay saldo out.
    CashOut {
        amount: crate::Rupiah,
        method: crate::RefundMethod,
        account: String,
    },
    /// `saldo`: the seller's supplier balance; a customer's own saldo.
    Balance,
    // --- seller only ---
    /// `proses <code>`: place a paid order with the supplier.
    Process(OrderCode),
    /// `laporan`: today's and this month's figures.
    Report,
    /// `tutup`: stop taking orders.
    Close,
    /// `buka`: take orders again.
    Open,
    /// A known command word with arguments that do not fit: answer with its usage.
    Usage(Usage),
    /// Anything else: answer with a short help.
    Unknown,
}

/// Which command's usage to explain.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Usage {
    CheckId,
    Buy,
    Status,
    Cancel,
    Support,
    Process,
    PayWithSaldo,
    CashOut,
}

impl Usage {
    /// One line in Indonesian: how the command is written.
    pub fn text(self) -> &'static str {
        match self {
            Usage::CheckId => "Format: *cek ml 123456789 2345* (game, ID, zone bila ada)",
            Usage::Buy => "Format: *beli ML86-S1 123456789 2345* (kode produk, ID, zone bila ada)",
            Usage::Status => "Format: *status MS-XXXXXXXX*",
            Usage::Cancel => "Format: *batal MS-XXXXXXXX* (hanya pesanan yang belum dibayar)",
            Usage::Support => "Format: *cs pesan untuk admin*",
            Usage::Process => "Format: *proses MS-XXXXXXXX*",
            Usage::PayWithSaldo => {
                "Format: *bayar saldo MS-XXXXXXXX* (pesanan kamu yang belum dibayar)"
            }
            Usage::CashOut => {
                "Format: *tarik 50000 dana 081234567890* (jumlah, gopay/dana/ovo/bank, nomor \
                 atau rekening)"
            }
        }
    }
}

impl Command {
    /// Commands only the seller's number may run.
    pub fn is_seller_only(&self) -> bool {
        matches!(
            self,
            Command::Process(_) | Command::Report | Command::Close | Command::Open
        )
    }

    /// The canonical text of the command: `parse(c.to_text()) == c` for every command the parser
    /// can produce (the property tests hold it to that).
    pub fn to_text(&self) -> String {
        let join = |parts: &[Option<&str>]| -> String {
            parts
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        };
        match self {
            Command::Menu => "menu".into(),
            Command::Prices(q) => {
                let category = q.category.map(category_word);
                join(&[Some("harga"), category, q.brand.as_deref()])
            }
            Command::CheckId { game, target, zone } => join(&[
                Some("cek"),
                Some(game.as_str()),
                Some(target.as_str()),
                zone.as_deref(),
            ]),
            Command::Buy {
                product,
                target,
                zone,
                saldo,
                voucher,
            } => join(&[
                Some("beli"),
                product.as_deref(),
                target.as_deref(),
                zone.as_deref(),
                voucher.as_ref().map(|_| "kode"),
                voucher.as_deref(),
                saldo.then_some("pakai saldo"),
            ]),
            Command::Yes => "ya".into(),
            Command::No => "tidak".into(),
            Command::Status(code) => join(&[Some("status"), code.as_ref().map(OrderCode::as_str)]),
            Command::Cancel(code) => format!("batal {code}"),
            Command::Support(text) => format!("cs {text}"),
            Command::Orders => "pesanan".into(),
            Command::CheckOrder(code) => format!("cek {code}"),
            Command::Balance => "saldo".into(),
            Command::PayWithSaldo(code) => format!("bayar saldo {code}"),
            Command::CashOut {
                amount,
                method,
                account,
            } => format!("tarik {} {} {account}", amount.amount(), method.as_str()),
            Command::Process(code) => format!("proses {code}"),
            Command::Report => "laporan".into(),
            Command::Close => "tutup".into(),
            Command::Open => "buka".into(),
            Command::Usage(u) => match u {
                Usage::CheckId => "cek".into(),
                Usage::Buy => "beli 123".into(),
                Usage::Status => "status 123".into(),
                Usage::Cancel => "batal 123".into(),
                Usage::Support => "cs".into(),
                Usage::Process => "proses".into(),
                Usage::PayWithSaldo => "bayar saldo".into(),
                Usage::CashOut => "tarik".into(),
            },
            Command::Unknown => "hmm".into(),
        }
    }
}

fn category_word(c: Category) -> &'static str {
    match c {
        Category::Game => "game",
        Category::Pulsa => "pulsa",
        Category::Data => "data",
        Category::Pln => "pln",
        Category::Voucher => "voucher",
    }
}
