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

/// Longest message the parser reads; the rest is ignored (WhatsApp allows 65 536 characters).
pub const MAX_INPUT_CHARS: usize = 1_000;

/// Longest text forwarded to the seller with `cs …`.
pub const MAX_SUPPORT_CHARS: usize = 500;

/// Longest token kept as a product code or target.
const MAX_TOKEN_CHARS: usize = 40;

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

/// Splits a message into words: whitespace and punctuation separate, except the characters
/// that live inside codes and ids (`-` in `ML86-S1`, `_` in `os_asia`, `#` in Riot ids, `+` in
/// `+62…`). Overlong tokens are cut.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';'
                    | ':'
                    | '!'
                    | '?'
                    | '.'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '/'
                    | '\\'
                    | '"'
                    | '\''
                    | '`'
                    | '*'
                    | '~'
                    | '='
                    | '<'
                    | '>'
                    | '|'
            )
    })
    .filter(|t| !t.is_empty() && t.chars().any(|c| c.is_alphanumeric()))
    .map(|t| t.chars().take(MAX_TOKEN_CHARS).collect())
    .collect()
}

/// The original text after the first word, trimmed (what `cs …` forwards).
fn rest_after_first_word(text: &str) -> String {
    let start = text
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, _)| i);
    let Some(start) = start else {
        return String::new();
    };
    let after = &text[start..];
    let end = after
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map(|(i, _)| i)
        .unwrap_or(after.len());
    after[end..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '-' | '.'))
        .trim()
        .to_string()
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

/// Game aliases → the brand name the store's catalogue starts with. Two-word aliases first.
const GAMES: &[(&[&str], &str)] = &[
    (&["mobile", "legends"], "Mobile Legends"),
    (&["mobile", "legend"], "Mobile Legends"),
    (&["free", "fire"], "Free Fire"),
    (&["genshin", "impact"], "Genshin Impact"),
    (&["honkai", "star", "rail"], "Honkai Star Rail"),
    (&["call", "of", "duty"], "Call of Duty"),
    (&["arena", "of", "valor"], "Arena of Valor"),
    (&["higgs", "domino"], "Higgs Domino"),
    (&["honor", "of", "kings"], "Honor of Kings"),
    (&["hok"], "Honor of Kings"),
    (&["ml"], "Mobile Legends"),
    (&["mlbb"], "Mobile Legends"),
    (&["mobilelegends"], "Mobile Legends"),
    (&["mobile"], "Mobile Legends"),
    (&["ff"], "Free Fire"),
    (&["freefire"], "Free Fire"),
    (&["gi"], "Genshin Impact"),
    (&["genshin"], "Genshin Impact"),
    (&["hsr"], "Honkai Star Rail"),
    (&["honkai"], "Honkai Star Rail"),
    (&["pubg"], "PUBG"),
    (&["pubgm"], "PUBG"),
    (&["valo"], "Valorant"),
    (&["valorant"], "Valorant"),
    (&["cod"], "Call of Duty"),
    (&["codm"], "Call of Duty"),
    (&["aov"], "Arena of Valor"),
    (&["higgs"], "Higgs Domino"),
];

/// Operator aliases → the brand name of its pulsa and data products.
const OPERATORS: &[(&[&str], &str)] = &[
    (&["by", "u"], "by.U"),
    (&["telkomsel"], "Telkomsel"),
    (&["tsel"], "Telkomsel"),
    (&["simpati"], "Telkomsel"),
    (&["indosat"], "Indosat"),
    (&["isat"], "Indosat"),
    (&["im3"], "Indosat"),
    (&["ooredoo"], "Indosat"),
    (&["xl"], "XL"),
    (&["axis"], "Axis"),
    (&["tri"], "Tri"),
    (&["three"], "Tri"),
    (&["3"], "Tri"),
    (&["smartfren"], "Smartfren"),
    (&["sf"], "Smartfren"),
    (&["byu"], "by.U"),
];

/// The alias at the start of `words`: (canonical name, words used).
fn alias(table: &[(&[&str], &'static str)], words: &[String]) -> Option<(&'static str, usize)> {
    table.iter().find_map(|(alias, name)| {
        (words.len() >= alias.len() && alias.iter().zip(words).all(|(a, w)| *a == w))
            .then_some((*name, alias.len()))
    })
}

/// The words people search a brand by (`Mobile Legends B` → `ml mlbb mobile legends …`): the
/// chat's aliases, so the storefront's search and the chat's price lists know the same names.
pub fn search_aliases(brand: &str) -> String {
    let brand = brand.to_lowercase();
    let mut out: Vec<String> = Vec::new();
    for (alias, name) in GAMES.iter().chain(OPERATORS) {
        if brand.starts_with(&name.to_lowercase()) {
            let words = alias.join(" ");
            if !out.contains(&words) {
                out.push(words);
            }
        }
    }
    out.join(" ")
}

/// A game brand for `cek`/price lists (`ml` → `Mobile Legends`).
pub fn game_alias(word: &str) -> Option<&'static str> {
    let words: Vec<String> = tokens(&word.to_lowercase());
    match alias(GAMES, &words) {
        Some((name, used)) if used == words.len() => Some(name),
        _ => None,
    }
}

fn price_query(category: Option<Category>, words: &[String]) -> PriceQuery {
    // `harga pulsa telkomsel` = `pulsa telkomsel`.
    if category.is_none() {
        if let Some(first) = words.first() {
            let explicit = match first.as_str() {
                "game" | "games" => Some(Category::Game),
                "pulsa" => Some(Category::Pulsa),
                "data" | "kuota" | "paket" | "internet" => Some(Category::Data),
                "pln" | "token" | "listrik" => Some(Category::Pln),
                "voucher" | "streaming" => Some(Category::Voucher),
                _ => None,
            };
            if explicit.is_some() {
                return price_query(explicit, &words[1..]);
            }
        }
    }
    if words.is_empty() {
        return PriceQuery {
            category,
            brand: None,
        };
    }
    if let Some((name, used)) = alias(GAMES, words) {
        if used == words.len() && matches!(category, None | Some(Category::Game)) {
            return PriceQuery {
                category: Some(Category::Game),
                brand: Some(name.to_string()),
            };
        }
    }
    if let Some((name, used)) = alias(OPERATORS, words) {
        if used == words.len() {
            return PriceQuery {
                category,
                brand: Some(name.to_string()),
            };
        }
    }
    PriceQuery {
        category,
        brand: Some(words.join(" ")),
    }
}

fn check(args: &[String], lower: &[String]) -> Command {
    if let Some((game, used)) = alias(GAMES, lower) {
        let rest = &args[used..];
        return match split_target(rest) {
            Some((target, zone)) => Command::CheckId {
                game: game.to_string(),
                target,
                zone,
            },
            None => Command::Usage(Usage::CheckId),
        };
    }
    if !args.is_empty() {
        if let Some(code) = OrderCode::parse(&args.concat()) {
            if lower[0].starts_with("ms") {
                return Command::CheckOrder(code);
            }
        }
    }
    Command::Usage(Usage::CheckId)
}

/// `tarik 50000 dana 081234567890` (also `tarik saldo 50.000 …`, `tarik Rp50.000 …`): read from
/// the raw text, split on spaces only, so `50.000` stays one amount and `a.n. Budi` one account.
fn cash_out(rest: &str) -> Command {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let skip = usize::from(
        words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("saldo")),
    );
    let (Some(amount), Some(method)) = (words.get(skip), words.get(skip + 1)) else {
        return Command::Usage(Usage::CashOut);
    };
    let amount = crate::Rupiah::parse_typed(amount);
    let method = match method.to_lowercase().as_str() {
        "transfer" | "rekening" | "bca" | "bri" | "bni" | "mandiri" | "bsi" => {
            Ok(crate::RefundMethod::Bank)
        }
        m => m.parse::<crate::RefundMethod>(),
    };
    let account: String = words[(skip + 2).min(words.len())..]
        .join(" ")
        .chars()
        .take(60)
        .collect();
    match (amount, method) {
        (Ok(amount), Ok(method))
            if amount.is_positive()
                && method != crate::RefundMethod::Saldo
                && account.chars().any(|c| c.is_ascii_digit()) =>
        {
            Command::CashOut {
                amount,
                method,
                account,
            }
        }
        _ => Command::Usage(Usage::CashOut),
    }
}

fn buy(args: &[String], lower: &[String]) -> Command {
    // `… kode PROMO` and `… pakai saldo` (or a last `saldo`), in either order at the end.
    let mut args = args.to_vec();
    let mut lower = lower.to_vec();
    let mut voucher = None;
    let mut saldo = false;
    loop {
        match lower.as_slice() {
            [.., a, b] if a == "pakai" && b == "saldo" => {
                saldo = true;
                args.truncate(args.len() - 2);
                lower.truncate(lower.len() - 2);
            }
            [.., b] if b == "saldo" => {
                saldo = true;
                args.truncate(args.len() - 1);
                lower.truncate(lower.len() - 1);
            }
            [.., k, _] if (k == "kode" || k == "voucher" || k == "promo") && voucher.is_none() => {
                voucher = args.last().map(|v| v.to_uppercase());
                args.truncate(args.len() - 2);
                lower.truncate(lower.len() - 2);
            }
            _ => break,
        }
    }
    let Some(product) = args.first() else {
        return Command::Buy {
            product: None,
            target: None,
            zone: None,
            saldo,
            voucher,
        };
    };
    if !is_product_code(product) {
        return Command::Usage(Usage::Buy);
    }
    let product = Some(product.to_uppercase());
    match split_target(&args[1..]) {
        Some((target, zone)) => Command::Buy {
            product,
            target: Some(target),
            zone,
            saldo,
            voucher,
        },
        None if args.len() == 1 => Command::Buy {
            product,
            target: None,
            zone: None,
            saldo,
            voucher,
        },
        None => Command::Usage(Usage::Buy),
    }
}

fn is_product_code(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_alphabetic())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// `123456789 2345` → target and zone; one token → no zone; a phone number typed in groups
/// (`0812 3456 7890`) → the last group as the "zone", which the store joins back to the target
/// when the product takes no zone. `None` for no tokens or more than four.
fn split_target(args: &[String]) -> Option<(String, Option<String>)> {
    match args {
        [] => None,
        [target] => Some((target.clone(), None)),
        [init @ .., zone] if args.len() <= 4 => Some((init.join(" "), Some(zone.clone()))),
        _ => None,
    }
}

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

#[cfg(test)]
mod tests;
