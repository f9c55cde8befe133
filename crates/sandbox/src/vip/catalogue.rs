//! The seeded catalogue and the deterministic answers about accounts: game nicknames and PLN
//! postpaid bills. Pure data and pure functions; no state.

use serde_json::{json, Value};

/// VIP's three price columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prices {
    pub basic: i64,
    pub premium: i64,
    pub special: i64,
}

impl Prices {
    const fn new(basic: i64, premium: i64, special: i64) -> Prices {
        Prices {
            basic,
            premium,
            special,
        }
    }

    /// Premium 1.5 % and Special 2.5 % under Basic, as VIP's levels roughly are.
    const fn from_basic(basic: i64) -> Prices {
        Prices::new(basic, basic - basic * 15 / 1000, basic - basic * 25 / 1000)
    }

    /// The price an account of `level` pays; an unknown level pays Basic.
    pub fn for_level(&self, level: &str) -> i64 {
        match level.trim().to_ascii_lowercase().as_str() {
            "premium" => self.premium,
            "special" => self.special,
            _ => self.basic,
        }
    }

    pub fn to_json(self) -> Value {
        json!({"basic": self.basic, "premium": self.premium, "special": self.special})
    }
}

#[derive(Clone, Debug)]
pub(crate) struct GameItem {
    pub code: &'static str,
    pub game: &'static str,
    pub name: &'static str,
    pub prices: Prices,
    pub available: bool,
    /// Whether delivery needs `data_zone` (Mobile Legends zone, Genshin/HSR server).
    pub needs_zone: bool,
}

impl GameItem {
    /// How status answers name the service: `Mobile Legends B - 1048 Diamonds`.
    pub fn display_name(&self) -> String {
        format!("{} - {}", self.game, self.name)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "code": self.code,
            "game": self.game,
            "name": self.name,
            "price": self.prices.to_json(),
            "server": "1",
            "status": status_str(self.available),
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct PrepaidItem {
    pub brand: &'static str,
    pub code: String,
    pub name: String,
    pub note: &'static str,
    pub prices: Prices,
    pub available: bool,
    pub multi_trx: bool,
    pub maintenance: &'static str,
    pub category: &'static str,
    pub type_slug: &'static str,
}

impl PrepaidItem {
    pub fn to_json(&self) -> Value {
        json!({
            "brand": self.brand,
            "code": self.code,
            "name": self.name,
            "note": self.note,
            "price": self.prices.to_json(),
            "status": status_str(self.available),
            "multi_trx": self.multi_trx,
            // Sic: VIP's field name.
            "maintenace": self.maintenance,
            "category": self.category,
            "prepost": "prepaid",
            "type": self.type_slug,
        })
    }
}

fn status_str(available: bool) -> &'static str {
    if available {
        "available"
    } else {
        "empty"
    }
}

pub(crate) struct Catalogue {
    pub games: Vec<GameItem>,
    pub prepaid: Vec<PrepaidItem>,
}

impl Catalogue {
    pub fn seeded() -> Catalogue {
        Catalogue {
            games: game_items(),
            prepaid: prepaid_items(),
        }
    }

    pub fn game(&self, code: &str) -> Option<&GameItem> {
        self.games
            .iter()
            .find(|g| g.code.eq_ignore_ascii_case(code))
    }

    pub fn prepaid(&self, code: &str) -> Option<&PrepaidItem> {
        self.prepaid
            .iter()
            .find(|p| p.code.eq_ignore_ascii_case(code))
    }
}

fn game_items() -> Vec<GameItem> {
    const ML: &str = "Mobile Legends B";
    let item = |code, game, name, prices, needs_zone| GameItem {
        code,
        game,
        name,
        prices,
        available: true,
        needs_zone,
    };
    let b = Prices::from_basic;
    let mut items = vec![
        // The spec's own example, prices as recorded.
        item(
            "ML14-S14",
            "Mobile Legends A",
            "14 Diamonds ( 13 + 1 Bonus )",
            Prices::new(3310, 3260, 3235),
            true,
        ),
        item("ML5-S1", ML, "5 Diamonds", b(1_420), true),
        item("ML12-S1", ML, "12 Diamonds (11 + 1 Bonus)", b(3_350), true),
        item("ML28-S1", ML, "28 Diamonds (25 + 3 Bonus)", b(7_690), true),
        item("ML86-S1", ML, "86 Diamonds (78 + 8 Bonus)", b(20_210), true),
        item(
            "ML172-S1",
            ML,
            "172 Diamonds (156 + 16 Bonus)",
            b(40_420),
            true,
        ),
        item(
            "ML257-S1",
            ML,
            "257 Diamonds (234 + 23 Bonus)",
            b(60_310),
            true,
        ),
        item(
            "ML344-S1",
            ML,
            "344 Diamonds (312 + 32 Bonus)",
            b(80_840),
            true,
        ),
        item(
            "ML429-S1",
            ML,
            "429 Diamonds (390 + 39 Bonus)",
            b(100_730),
            true,
        ),
        item(
            "ML706-S1",
            ML,
            "706 Diamonds (625 + 81 Bonus)",
            b(161_680),
            true,
        ),
        // Premium price 195 695: the spec's example order.
        item("ML1048-S1", ML, "1048 Diamonds", b(198_675), true),
        item(
            "ML2195-S1",
            ML,
            "2195 Diamonds (1860 + 335 Bonus)",
            b(402_300),
            true,
        ),
        item("MLWDP-S1", ML, "Weekly Diamond Pass", b(27_150), true),
        item("FF5-S1", "Free Fire", "5 Diamonds", b(900), false),
        item("FF50-S1", "Free Fire", "50 Diamonds", b(7_300), false),
        item("FF70-S1", "Free Fire", "70 Diamonds", b(9_450), false),
        item("FF140-S1", "Free Fire", "140 Diamonds", b(18_700), false),
        item("FF355-S1", "Free Fire", "355 Diamonds", b(46_300), false),
        item("FF720-S1", "Free Fire", "720 Diamonds", b(92_500), false),
        item(
            "FFMM-S1",
            "Free Fire",
            "Membership Mingguan",
            b(28_900),
            false,
        ),
        item(
            "GI60-S1",
            "Genshin Impact",
            "60 Genesis Crystals",
            b(12_900),
            true,
        ),
        item(
            "GI330-S1",
            "Genshin Impact",
            "300 + 30 Genesis Crystals",
            b(63_500),
            true,
        ),
        item(
            "GI1090-S1",
            "Genshin Impact",
            "980 + 110 Genesis Crystals",
            b(190_000),
            true,
        ),
        item(
            "GI2240-S1",
            "Genshin Impact",
            "1980 + 260 Genesis Crystals",
            b(379_000),
            true,
        ),
        item(
            "GIWELKIN-S1",
            "Genshin Impact",
            "Blessing of the Welkin Moon",
            b(63_500),
            true,
        ),
        item(
            "HSR60-S1",
            "Honkai Star Rail",
            "60 Oneiric Shard",
            b(12_900),
            true,
        ),
        item(
            "HSR330-S1",
            "Honkai Star Rail",
            "300 + 30 Oneiric Shard",
            b(63_500),
            true,
        ),
        item(
            "HSREXP-S1",
            "Honkai Star Rail",
            "Express Supply Pass",
            b(63_500),
            true,
        ),
        item("PUBG60-S1", "PUBGM INDO", "60 UC", b(14_300), false),
        item("PUBG325-S1", "PUBGM INDO", "325 UC", b(71_000), false),
        item("PUBG660-S1", "PUBGM INDO", "660 UC", b(142_000), false),
        item("VAL420-S1", "Valorant", "420 Points", b(47_500), false),
        item("VAL700-S1", "Valorant", "700 Points", b(76_000), false),
        item("VAL1375-S1", "Valorant", "1375 Points", b(148_000), false),
    ];
    // Out of stock: listed, but orders are refused.
    items.push(GameItem {
        available: false,
        ..item(
            "GI8080-S1",
            "Genshin Impact",
            "6480 + 1600 Genesis Crystals",
            b(1_265_000),
            true,
        )
    });
    items
}

/// `5.000`
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn prepaid_items() -> Vec<PrepaidItem> {
    let mut items = Vec::new();
    // (brand, code prefix, fixed fee, per-mille fee, daily maintenance window)
    let operators: [(&str, &str, i64, i64, &str); 7] = [
        ("Telkomsel", "S", 400, 3, "23:45 - 00:15"),
        ("Indosat", "I", 250, 8, "23:30 - 00:30"),
        ("XL", "X", 300, 6, "23:44 - 00:16"),
        ("Axis", "AX", 300, 6, "23:44 - 00:16"),
        ("Tri", "T", 200, 10, "-"),
        ("Smartfren", "SM", 150, 12, "-"),
        ("by.U", "BYU", 350, 4, "23:45 - 00:15"),
    ];
    for (brand, prefix, fixed, per_mille, window) in operators {
        for nominal in [5_000, 10_000, 25_000, 50_000, 100_000] {
            items.push(PrepaidItem {
                brand,
                code: format!("{prefix}{}", nominal / 1000),
                name: format!("{brand} {}", thousands(nominal)),
                note: "-",
                prices: Prices::from_basic(nominal + fixed + nominal * per_mille / 1000),
                available: true,
                multi_trx: true,
                maintenance: window,
                category: "Pulsa Reguler",
                type_slug: "pulsa-reguler",
            });
        }
    }

    let data = |brand, code: &str, name: &str, category, basic, window| PrepaidItem {
        brand,
        code: code.to_string(),
        name: name.to_string(),
        note: "-",
        prices: Prices::from_basic(basic),
        available: true,
        multi_trx: true,
        maintenance: window,
        category,
        type_slug: "paket-internet",
    };
    items.extend([
        data(
            "XL",
            "XLDHR3",
            "XL HOTROD 3 GB / 30 Hari",
            "Hotrod",
            27_500,
            "23:44 - 00:16",
        ),
        data(
            "XL",
            "XLDHR6",
            "XL HOTROD 6 GB / 30 Hari",
            "Hotrod",
            45_000,
            "23:44 - 00:16",
        ),
        data(
            "Telkomsel",
            "TSELFL1",
            "Telkomsel Data Flash 1 GB / 7 Hari",
            "Data Flash",
            12_500,
            "23:45 - 00:15",
        ),
        data(
            "Telkomsel",
            "TSELFL5",
            "Telkomsel Data Flash 5 GB / 30 Hari",
            "Data Flash",
            55_000,
            "23:45 - 00:15",
        ),
        data(
            "Indosat",
            "ISATF5",
            "Indosat Freedom Internet 5 GB / 30 Hari",
            "Freedom Internet",
            33_000,
            "23:30 - 00:30",
        ),
        data(
            "Axis",
            "AXBRO2",
            "Axis Bronet 2 GB / 30 Hari",
            "Bronet",
            20_500,
            "-",
        ),
        PrepaidItem {
            available: false,
            ..data(
                "Tri",
                "TRIAON6",
                "Tri AlwaysOn 6 GB / 30 Hari",
                "AlwaysOn",
                30_000,
                "-",
            )
        },
    ]);

    for nominal in [20_000, 50_000, 100_000, 200_000] {
        items.push(PrepaidItem {
            brand: "PLN",
            code: format!("PLN{}", nominal / 1000),
            name: format!("Token PLN {}", thousands(nominal)),
            note: "Masukkan nomor meter atau ID pelanggan",
            prices: Prices::from_basic(nominal + 150),
            available: true,
            multi_trx: false,
            maintenance: "23:00 - 00:30",
            category: "Token PLN",
            type_slug: "token-pln",
        });
    }

    for (brand, prefix, category, fee) in [
        ("DANA", "DANA", "Saldo DANA", 900),
        ("GoPay", "GOPAY", "Saldo GoPay", 1_000),
    ] {
        for nominal in [10_000, 20_000, 50_000] {
            items.push(PrepaidItem {
                brand,
                code: format!("{prefix}{}", nominal / 1000),
                name: format!("{brand} {}", thousands(nominal)),
                note: "-",
                prices: Prices::from_basic(nominal + fee),
                available: true,
                multi_trx: true,
                maintenance: "-",
                category,
                type_slug: "saldo-emoney",
            });
        }
    }

    for (brand, code, name, basic) in [
        ("Vidio", "VIDIOPLAT30", "Vidio Platinum 30 Hari", 39_000),
        ("Viu", "VIUPREM30", "Viu Premium 30 Hari", 30_000),
    ] {
        items.push(PrepaidItem {
            brand,
            code: code.to_string(),
            name: name.to_string(),
            note: "Kode voucher dikirim di SN",
            prices: Prices::from_basic(basic),
            available: true,
            multi_trx: false,
            maintenance: "-",
            category: "Streaming",
            type_slug: "streaming-tv",
        });
    }
    items
}

/// FNV-1a: a stable hash (unlike `DefaultHasher`, it never changes between Rust releases), so
/// generated nicknames, bills and serial numbers are the same on every run.
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// `n` decimal digits drawn deterministically from `seed`.
pub(crate) fn digits_from(seed: &str, n: usize) -> String {
    let mut state = stable_hash(&[seed]);
    (0..n)
        .map(|_| {
            // xorshift64: cheap, deterministic, good enough for fake serial numbers
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'0' + (state % 10) as u8)
        })
        .collect()
}

/// How a game's `get-nickname` target is checked.
enum IdRule {
    Digits(usize, usize),
    /// A Riot ID `name#tag`.
    RiotId,
}

enum ZoneRule {
    None,
    Digits(usize, usize),
    Server(&'static [&'static str]),
}

const GENSHIN_SERVERS: &[&str] = &["os_asia", "os_usa", "os_euro", "os_cht"];
const HSR_SERVERS: &[&str] = &[
    "prod_official_asia",
    "prod_official_usa",
    "prod_official_eur",
    "prod_official_cht",
];

fn nickname_rule(code: &str) -> Option<(IdRule, ZoneRule)> {
    Some(match code {
        "mobile-legends" => (IdRule::Digits(5, 12), ZoneRule::Digits(4, 5)),
        "free-fire" => (IdRule::Digits(6, 12), ZoneRule::None),
        "pubgm" => (IdRule::Digits(5, 12), ZoneRule::None),
        "genshin-impact" => (IdRule::Digits(9, 10), ZoneRule::Server(GENSHIN_SERVERS)),
        "honkai-star-rail" => (IdRule::Digits(9, 10), ZoneRule::Server(HSR_SERVERS)),
        "valorant" => (IdRule::RiotId, ZoneRule::None),
        "call-of-duty-mobile" | "arena-of-valor" => (IdRule::Digits(6, 20), ZoneRule::None),
        "higgs-domino" | "pointblank" => (IdRule::Digits(5, 12), ZoneRule::None),
        _ => return None,
    })
}

/// Accounts with a fixed nickname: (game code, user id, zone, nickname).
pub(crate) const NAMED_ACCOUNTS: &[(&str, &str, Option<&str>, &str)] = &[
    ("mobile-legends", "123456780", Some("2345"), "Itacimo"),
    (
        "mobile-legends",
        "123666660",
        Some("6666"),
        "<script>alert(1)</script>",
    ),
    ("free-fire", "1234567890", None, "Budi Gaming"),
    ("pubgm", "5123456780", None, "Sultan_PUBG"),
    ("genshin-impact", "800000001", Some("os_asia"), "Aether"),
    (
        "honkai-star-rail",
        "800000002",
        Some("prod_official_asia"),
        "Trailblazer",
    ),
];

pub(crate) enum NicknameAnswer {
    Found {
        name: String,
        /// Mobile Legends adds the account's country.
        country: Option<(&'static str, &'static str)>,
    },
    NotFound,
    /// The game needs a zone/server and none was sent.
    MissingZone,
    UnknownGame,
}

/// The deterministic nickname of a game account (see the module docs of `vip`).
pub(crate) fn nickname(code: &str, target: &str, zone: Option<&str>) -> NicknameAnswer {
    let Some((id_rule, zone_rule)) = nickname_rule(code) else {
        return NicknameAnswer::UnknownGame;
    };
    let id_ok = match id_rule {
        IdRule::Digits(min, max) => {
            (min..=max).contains(&target.len()) && target.bytes().all(|b| b.is_ascii_digit())
        }
        IdRule::RiotId => {
            target.chars().count() <= 40
                && matches!(target.split_once('#'), Some((n, t)) if !n.is_empty() && !t.is_empty())
        }
    };
    let zone_ok = match (&zone_rule, zone) {
        (ZoneRule::None, _) => true,
        (_, None) => return NicknameAnswer::MissingZone,
        (ZoneRule::Digits(min, max), Some(z)) => {
            (*min..=*max).contains(&z.len()) && z.bytes().all(|b| b.is_ascii_digit())
        }
        (ZoneRule::Server(servers), Some(z)) => servers.contains(&z),
    };
    if !id_ok || !zone_ok || target.starts_with('9') {
        return NicknameAnswer::NotFound;
    }
    let zone = match zone_rule {
        ZoneRule::None => None,
        _ => zone,
    };
    let country = (code == "mobile-legends").then_some(("ID", "Indonesia"));
    if let Some(&(_, _, named_zone, name)) = NAMED_ACCOUNTS
        .iter()
        .find(|(c, id, _, _)| *c == code && *id == target)
    {
        // A known id with the wrong zone is not that account.
        return if named_zone == zone {
            NicknameAnswer::Found {
                name: name.to_string(),
                country,
            }
        } else {
            NicknameAnswer::NotFound
        };
    }
    if let IdRule::RiotId = id_rule {
        return NicknameAnswer::Found {
            name: target.to_string(),
            country,
        };
    }
    NicknameAnswer::Found {
        name: generated_nickname(&[code, target, zone.unwrap_or("")]),
        country,
    }
}

/// `Rakadi42`-like names from a stable hash.
fn generated_nickname(parts: &[&str]) -> String {
    const SYLLABLES: &[&str] = &[
        "ra", "ka", "di", "mas", "sa", "tri", "ay", "bi", "ma", "no", "ri", "ta", "yu", "ga",
        "zel", "lin",
    ];
    let h = stable_hash(parts);
    let syllable = |shift: u32| SYLLABLES[((h >> shift) % SYLLABLES.len() as u64) as usize];
    let mut name = format!("{}{}{}", syllable(0), syllable(8), syllable(16));
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{name}{}", (h >> 32) % 100)
}

pub(crate) const PLN_POSTPAID_CODE: &str = "PLNPASCA";
pub(crate) const PLN_POSTPAID_NAME: &str = "PLN Pascabayar";
pub(crate) const PLN_POSTPAID_ADMIN: i64 = 2_500;

pub(crate) struct Bill {
    pub name: &'static str,
    pub bill: i64,
    pub admin: i64,
}

impl Bill {
    pub fn total(&self) -> i64 {
        self.bill + self.admin
    }
}

/// The PLN postpaid bill of a customer number: 11–12 digits not ending in `9`; the amount is
/// `45 000 + 37 × (last four digits)`, the name picked by a stable hash.
pub(crate) fn pln_bill(customer_no: &str) -> Option<Bill> {
    const NAMES: &[&str] = &[
        "BUDI SANTOSO",
        "SITI RAHAYU",
        "AGUS SETIAWAN",
        "DEWI LESTARI",
        "RUDI HARTONO",
        "NUR AINI",
        "HENDRA WIJAYA",
        "RINA MARLINA",
    ];
    if !(11..=12).contains(&customer_no.len())
        || !customer_no.bytes().all(|b| b.is_ascii_digit())
        || customer_no.ends_with('9')
    {
        return None;
    }
    let last_four: i64 = customer_no[customer_no.len() - 4..].parse().ok()?;
    let name = NAMES[(stable_hash(&[customer_no]) % NAMES.len() as u64) as usize];
    Some(Bill {
        name,
        bill: 45_000 + 37 * last_four,
        admin: PLN_POSTPAID_ADMIN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_cheaper_for_higher_levels() {
        let c = Catalogue::seeded();
        for p in c
            .games
            .iter()
            .map(|g| g.prices)
            .chain(c.prepaid.iter().map(|p| p.prices))
        {
            assert!(p.basic > p.premium && p.premium > p.special, "{p:?}");
        }
        assert_eq!(c.game("ML1048-S1").unwrap().prices.premium, 195_695);
        assert_eq!(Prices::from_basic(1000).for_level("Special"), 975);
        assert_eq!(Prices::from_basic(1000).for_level("gold"), 1000);
    }

    #[test]
    fn codes_are_unique() {
        let c = Catalogue::seeded();
        let mut codes: Vec<String> = c
            .games
            .iter()
            .map(|g| g.code.to_string())
            .chain(c.prepaid.iter().map(|p| p.code.clone()))
            .collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }

    #[test]
    fn names_and_thousands() {
        assert_eq!(thousands(5_000), "5.000");
        assert_eq!(thousands(100_000), "100.000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1.234.567");
    }

    #[test]
    fn generated_things_are_stable() {
        assert_eq!(digits_from("VP1", 20), digits_from("VP1", 20));
        assert_ne!(digits_from("VP1", 20), digits_from("VP2", 20));
        assert_eq!(digits_from("x", 20).len(), 20);
        let a = nickname("free-fire", "123456789", None);
        let b = nickname("free-fire", "123456789", None);
        match (a, b) {
            (NicknameAnswer::Found { name: a, .. }, NicknameAnswer::Found { name: b, .. }) => {
                assert_eq!(a, b)
            }
            _ => panic!("expected a nickname"),
        }
    }

    #[test]
    fn bills() {
        assert!(pln_bill("531234567899").is_none());
        assert!(pln_bill("5312").is_none());
        let bill = pln_bill("531234560001").unwrap();
        assert_eq!(bill.bill, 45_037);
        assert_eq!(bill.total(), 47_537);
    }
}
