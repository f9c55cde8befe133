//! The WhatsApp chat commands: what customers and the seller type, read into [`Command`]s.
//!
//! Pure and forgiving: case, extra spaces and punctuation (`Harga ML!`, `beli ML86-S1,
//! 123456789 (2345)`, `*status* ms-7k3q9xw2`) do not matter; English words are accepted next to
//! the Indonesian ones. Nothing here decides who may run a command (seller commands are parsed
//! for everyone; the store refuses them from other numbers) or touches the catalogue (product
//! codes are only upper-cased; the store looks them up).
//!
//! The guided order flow keeps a [`Pending`] step per number; [`interpret`] reads a message in
//! the light of that step (a bare product code after "beli", a bare game id after the product),
//! while a recognised command always wins, so `menu` or `batal` leave the flow at any point.
use serde::{Deserialize, Serialize};

use crate::catalog::Category;
use crate::order::OrderCode;

mod aliases;
mod arguments;
mod command;
mod replies;
mod words;

pub use aliases::{game_alias, search_aliases};
pub use command::{Command, PriceQuery, Usage};
pub use replies::{help_text, menu_text};

use arguments::{buy, cash_out, check, price_query};
use words::{rest_after_first_word, tokens};

/// Longest message the parser reads; the rest is ignored (WhatsApp allows 65 536 characters).
pub const MAX_INPUT_CHARS: usize = 1_000;

/// Longest text forwarded to the seller with `cs …`.
pub const MAX_SUPPORT_CHARS: usize = 500;

/// Longest token kept as a product code or target.
const MAX_TOKEN_CHARS: usize = 40;

/// A step of the guided order flow, kept per number between messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Pending {
    /// "beli" was sent alone: the product code comes next.
    Product,
    /// The product is known: the game id (and zone) or number comes next.
    Target { product: String },
    /// Everything is known and shown: `ya` creates the order.
    Confirm {
        product: String,
        target: String,
        zone: Option<String>,
        /// Pay from the sender's saldo once the order is made.
        #[serde(default)]
        saldo: bool,
        /// The voucher typed with the order.
        #[serde(default)]
        voucher: Option<String>,
    },
}

/// Reads `text` as a plain command, without any conversation state.
pub fn parse(text: &str) -> Command {
    let original: String = text.chars().take(MAX_INPUT_CHARS).collect();
    let tokens = tokens(&original);
    let Some(first) = tokens.first() else {
        return Command::Menu;
    };
    let word = first.to_lowercase();
    let args = &tokens[1..];
    let lower: Vec<String> = args.iter().map(|t| t.to_lowercase()).collect();
    match word.as_str() {
        "menu" | "help" | "bantuan" | "halo" | "hallo" | "hai" | "hi" | "hello" | "start"
        | "mulai" | "p" | "info" | "ping" => Command::Menu,
        "harga" | "list" | "daftar" | "price" | "prices" | "pricelist" | "pl" | "produk" => {
            Command::Prices(price_query(None, &lower))
        }
        "pulsa" => Command::Prices(price_query(Some(Category::Pulsa), &lower)),
        "data" | "kuota" | "paket" | "internet" => {
            Command::Prices(price_query(Some(Category::Data), &lower))
        }
        "pln" | "token" | "listrik" => Command::Prices(PriceQuery {
            category: Some(Category::Pln),
            brand: None,
        }),
        "voucher" | "streaming" => Command::Prices(price_query(Some(Category::Voucher), &lower)),
        "cek" | "check" | "cekid" | "nick" | "nickname" => check(args, &lower),
        "beli" | "buy" | "order" | "topup" | "isi" => buy(args, &lower),
        "ya" | "y" | "iya" | "yes" | "ok" | "oke" | "okay" | "lanjut" | "setuju" | "benar"
        | "betul" | "confirm" | "konfirmasi" | "gas" | "yup" | "yoi"
            if args.is_empty() =>
        {
            Command::Yes
        }
        "tidak" | "tdk" | "gak" | "ga" | "nggak" | "enggak" | "no" | "n" | "jangan" | "stop"
            if args.is_empty() =>
        {
            Command::No
        }
        "batal" | "cancel" | "batalkan" => {
            if args.is_empty() {
                Command::No
            } else {
                match OrderCode::parse(&args.concat()) {
                    Some(code) => Command::Cancel(code),
                    None => Command::Usage(Usage::Cancel),
                }
            }
        }
        "status" | "lacak" | "track" => {
            if args.is_empty() {
                Command::Status(None)
            } else {
                match OrderCode::parse(&args.concat()) {
                    Some(code) => Command::Status(Some(code)),
                    None => Command::Usage(Usage::Status),
                }
            }
        }
        "tarik" | "withdraw" | "cairkan" => cash_out(&rest_after_first_word(&original)),
        "cs" | "admin" | "komplain" | "complain" | "support" | "tanya" => {
            let rest = rest_after_first_word(&original);
            if !rest.chars().any(char::is_alphanumeric) {
                Command::Usage(Usage::Support)
            } else {
                Command::Support(rest.chars().take(MAX_SUPPORT_CHARS).collect())
            }
        }
        "pesanan" | "orders" | "order2" | "riwayat" | "history" => Command::Orders,
        "saldo" | "balance" | "deposit" if args.is_empty() => Command::Balance,
        // `bayar saldo MS-…`, `bayar MS-… pakai saldo`, `pakai saldo MS-…`.
        "bayar" | "pay" | "pakai" if lower.iter().any(|w| w == "saldo") => {
            let code_words: Vec<&String> = args
                .iter()
                .zip(lower.iter())
                .filter(|(_, l)| !matches!(l.as_str(), "saldo" | "pakai" | "dengan" | "pake"))
                .map(|(a, _)| a)
                .collect();
            match OrderCode::parse(&code_words.iter().map(|s| s.as_str()).collect::<String>()) {
                Some(code) => Command::PayWithSaldo(code),
                None => Command::Usage(Usage::PayWithSaldo),
            }
        }
        "proses" | "process" => match OrderCode::parse(&args.concat()) {
            Some(code) if !args.is_empty() => Command::Process(code),
            _ => Command::Usage(Usage::Process),
        },
        "laporan" | "report" | "rekap" | "omzet" => Command::Report,
        "tutup" | "close" if args.is_empty() => Command::Close,
        "buka" | "open" if args.is_empty() => Command::Open,
        _ => {
            // A bare order code reads as a status question.
            match OrderCode::parse(&tokens.concat()) {
                Some(code) if word.starts_with("ms") => Command::Status(Some(code)),
                _ => Command::Unknown,
            }
        }
    }
}

/// Reads `text` in the light of the guided flow's step.
pub fn interpret(pending: Option<&Pending>, text: &str) -> Command {
    let command = parse(text);
    if command != Command::Unknown {
        return command;
    }
    let clipped: String = text.chars().take(MAX_INPUT_CHARS).collect();
    match pending {
        Some(Pending::Product) => match parse(&format!("beli {clipped}")) {
            c @ Command::Buy { .. } => c,
            _ => Command::Unknown,
        },
        Some(Pending::Target { product }) => match parse(&format!("beli {product} {clipped}")) {
            c @ Command::Buy {
                target: Some(_), ..
            } => c,
            _ => Command::Unknown,
        },
        Some(Pending::Confirm { .. }) | None => Command::Unknown,
    }
}

#[cfg(test)]
mod tests;
