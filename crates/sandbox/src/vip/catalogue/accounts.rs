//! The simulated accounts behind VIP's nickname and PLN bill checks: which ids are valid, the names they answer with, and the bills of postpaid customers.

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
pub(crate) enum IdRule {
    Digits(usize, usize),
    /// A Riot ID `name#tag`.
    RiotId,
}

pub(crate) enum ZoneRule {
    None,
    Digits(usize, usize),
    Server(&'static [&'static str]),
}

pub(crate) const GENSHIN_SERVERS: &[&str] = &["os_asia", "os_usa", "os_euro", "os_cht"];

pub(crate) const HSR_SERVERS: &[&str] = &[
    "prod_official_asia",
    "prod_official_usa",
    "prod_official_eur",
    "prod_official_cht",
];

pub(crate) fn nickname_rule(code: &str) -> Option<(IdRule, ZoneRule)> {
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
pub(crate) fn generated_nickname(parts: &[&str]) -> String {
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
