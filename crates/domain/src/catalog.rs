//! What the store sells and what each product needs from the customer.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::phone::PhoneNumber;

/// Storefront categories (`?category=` in the JSON API).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Game,
    Pulsa,
    Data,
    Pln,
    Voucher,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Game,
        Category::Pulsa,
        Category::Data,
        Category::Pln,
        Category::Voucher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Game => "game",
            Category::Pulsa => "pulsa",
            Category::Data => "data",
            Category::Pln => "pln",
            Category::Voucher => "voucher",
        }
    }

    /// The storefront's Indonesian label.
    pub fn label(self) -> &'static str {
        match self {
            Category::Game => "Games",
            Category::Pulsa => "Pulsa",
            Category::Data => "Paket Data",
            Category::Pln => "PLN",
            Category::Voucher => "Voucher & Streaming",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name '{0}'")]
pub struct UnknownName(pub String);

/// Which family of supplier endpoints serves a product (VIP: `game-feature`, `prepaid`, `postpaid`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    Game,
    Prepaid,
    Postpaid,
}

impl ServiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Game => "game",
            ServiceKind::Prepaid => "prepaid",
            ServiceKind::Postpaid => "postpaid",
        }
    }
}

impl FromStr for ServiceKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s {
            "game" => Ok(ServiceKind::Game),
            "prepaid" => Ok(ServiceKind::Prepaid),
            "postpaid" => Ok(ServiceKind::Postpaid),
            _ => Err(UnknownName(s.to_string())),
        }
    }
}

/// The servers a Genshin Impact account can live on (VIP's `additional_target`).
pub const GENSHIN_SERVERS: &[(&str, &str)] = &[
    ("os_asia", "Asia"),
    ("os_usa", "America"),
    ("os_euro", "Europe"),
    ("os_cht", "TW, HK, MO"),
];

/// The servers of Honkai: Star Rail.
pub const HSR_SERVERS: &[(&str, &str)] = &[
    ("prod_official_asia", "Asia"),
    ("prod_official_usa", "America"),
    ("prod_official_eur", "Europe"),
    ("prod_official_cht", "TW, HK, MO"),
];

/// What a product needs as its destination, and how to check it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetRule {
    /// A game account: a numeric user id of `min..=max` digits, maybe a zone or a server.
    Game {
        /// VIP's `get-nickname` code (`mobile-legends`, …), when the nickname can be checked.
        nickname_code: Option<&'static str>,
        min_digits: usize,
        max_digits: usize,
        zone: ZoneRule,
    },
    /// A game whose id is not numeric (e.g. a Riot ID `name#tag`).
    FreeText { nickname_code: Option<&'static str> },
    /// A mobile number (pulsa, data, e-money, vouchers sent by SMS).
    Phone,
    /// A PLN meter number (11 digits) or customer id (12 digits).
    PlnCustomer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZoneRule {
    None,
    /// Mobile Legends' zone id.
    Digits {
        min: usize,
        max: usize,
    },
    /// One of a fixed list of servers.
    Server(&'static [(&'static str, &'static str)]),
}

impl TargetRule {
    /// The rule for a supplier product, decided by its brand (the VIP `game` field) and category.
    pub fn for_product(category: Category, brand: &str) -> TargetRule {
        let b = brand.to_ascii_lowercase();
        match category {
            Category::Pulsa | Category::Data | Category::Voucher => TargetRule::Phone,
            Category::Pln => TargetRule::PlnCustomer,
            Category::Game => {
                let game = |code, min, max, zone| TargetRule::Game {
                    nickname_code: Some(code),
                    min_digits: min,
                    max_digits: max,
                    zone,
                };
                if b.starts_with("mobile legends") {
                    game("mobile-legends", 5, 12, ZoneRule::Digits { min: 4, max: 5 })
                } else if b.starts_with("free fire") {
                    game("free-fire", 6, 12, ZoneRule::None)
                } else if b.starts_with("genshin") {
                    game("genshin-impact", 9, 10, ZoneRule::Server(GENSHIN_SERVERS))
                } else if b.starts_with("honkai star rail") {
                    game("honkai-star-rail", 9, 10, ZoneRule::Server(HSR_SERVERS))
                } else if b.starts_with("pubg") {
                    game("pubgm", 5, 12, ZoneRule::None)
                } else if b.starts_with("call of duty") {
                    game("call-of-duty-mobile", 6, 20, ZoneRule::None)
                } else if b.starts_with("arena of valor") {
                    game("arena-of-valor", 6, 20, ZoneRule::None)
                } else if b.starts_with("higgs domino") {
                    game("higgs-domino", 5, 12, ZoneRule::None)
                } else if b.starts_with("valorant") {
                    TargetRule::FreeText {
                        nickname_code: Some("valorant"),
                    }
                } else {
                    TargetRule::Game {
                        nickname_code: None,
                        min_digits: 4,
                        max_digits: 20,
                        zone: ZoneRule::None,
                    }
                }
            }
        }
    }

    pub fn nickname_code(&self) -> Option<&'static str> {
        match self {
            TargetRule::Game { nickname_code, .. } | TargetRule::FreeText { nickname_code } => {
                *nickname_code
            }
            _ => None,
        }
    }

    /// The field label the storefront shows for the target.
    pub fn target_label(&self) -> &'static str {
        match self {
            TargetRule::Game { .. } | TargetRule::FreeText { .. } => "User ID",
            TargetRule::Phone => "Nomor HP",
            TargetRule::PlnCustomer => "No. Meter / ID Pelanggan",
        }
    }

    /// The zone/server label, or `None` when the product needs no zone.
    pub fn zone_label(&self) -> Option<&'static str> {
        match self {
            TargetRule::Game {
                zone: ZoneRule::Digits { .. },
                ..
            } => Some("Zone ID"),
            TargetRule::Game {
                zone: ZoneRule::Server(_),
                ..
            } => Some("Server"),
            _ => None,
        }
    }

    pub fn servers(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            TargetRule::Game {
                zone: ZoneRule::Server(s),
                ..
            } => s,
            _ => &[],
        }
    }
}

/// A validated destination: a game account, a phone number or a PLN customer number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GameAccount {
    target: String,
    zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{label} wajib diisi")]
    MissingTarget { label: &'static str },
    #[error("{label} harus berupa angka {min}–{max} digit")]
    BadDigits {
        label: &'static str,
        min: usize,
        max: usize,
    },
    #[error("{label} wajib diisi")]
    MissingZone { label: &'static str },
    #[error("Zone ID harus berupa angka {min}–{max} digit")]
    BadZone { min: usize, max: usize },
    #[error("server tidak dikenal; pilih salah satu: {choices}")]
    UnknownServer { choices: String },
    #[error("produk ini tidak memakai zone/server")]
    UnexpectedZone,
    #[error("{0}")]
    Phone(#[from] crate::phone::PhoneError),
    #[error("nomor meter/ID pelanggan PLN harus 11 atau 12 digit angka")]
    BadPlnNumber,
    #[error("User ID terlalu panjang atau berisi karakter yang tidak diizinkan")]
    BadFreeText,
}

impl AccountError {
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::MissingTarget { .. } | AccountError::BadDigits { .. } => "invalid_target",
            AccountError::MissingZone { .. } => "zone_required",
            AccountError::BadZone { .. }
            | AccountError::UnknownServer { .. }
            | AccountError::UnexpectedZone => "invalid_zone",
            AccountError::Phone(_) => "invalid_phone",
            AccountError::BadPlnNumber => "invalid_pln_number",
            AccountError::BadFreeText => "invalid_target",
        }
    }
}

/// `123456780 (2345)` → (`123456780`, `2345`): an ID with its zone, as Mobile Legends shows it.
pub fn split_pasted(s: &str) -> Option<(&str, &str)> {
    let (target, rest) = s.split_once('(')?;
    let zone = rest.trim().strip_suffix(')').unwrap_or(rest).trim();
    let target = target.trim();
    (!target.is_empty() && !zone.is_empty()).then_some((target, zone))
}

fn digits_only(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Products whose destination is not a game account take no zone.
fn refuse_zone(zone: Option<&str>) -> Result<(), AccountError> {
    match zone {
        Some(_) => Err(AccountError::UnexpectedZone),
        None => Ok(()),
    }
}

/// The zone a game account needs (`rule` names it in the error), checked against `zone_rule`.
fn parse_zone(
    rule: &TargetRule,
    zone_rule: &ZoneRule,
    zone: Option<&str>,
) -> Result<Option<String>, AccountError> {
    match (zone_rule, zone) {
        (ZoneRule::None, None) => Ok(None),
        (ZoneRule::None, Some(_)) => Err(AccountError::UnexpectedZone),
        (ZoneRule::Digits { .. }, None) | (ZoneRule::Server(_), None) => {
            Err(AccountError::MissingZone {
                label: rule.zone_label().unwrap_or("Zone"),
            })
        }
        (ZoneRule::Digits { min, max }, Some(z)) => {
            let z = digits_only(z);
            if z.len() < *min || z.len() > *max || !z.chars().all(|c| c.is_ascii_digit()) {
                return Err(AccountError::BadZone {
                    min: *min,
                    max: *max,
                });
            }
            Ok(Some(z))
        }
        (ZoneRule::Server(servers), Some(z)) => parse_server(servers, z).map(Some),
    }
}

/// A server typed by its code (`os_asia`) or its name (`Asia`), any case.
fn parse_server(servers: &[(&str, &str)], typed: &str) -> Result<String, AccountError> {
    let wanted = typed.to_ascii_lowercase();
    servers
        .iter()
        .find(|(code, name)| *code == wanted || name.to_ascii_lowercase() == wanted)
        .map(|(code, _)| code.to_string())
        .ok_or_else(|| AccountError::UnknownServer {
            choices: servers
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl GameAccount {
    /// Checks a target (and zone) against the product's rule. Spaces are forgiven; zones in
    /// parentheses, as Mobile Legends shows them (`(2345)`), are accepted.
    pub fn parse(
        rule: &TargetRule,
        target: &str,
        zone: Option<&str>,
    ) -> Result<GameAccount, AccountError> {
        let zone = zone
            .map(|z| {
                z.trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .trim()
            })
            .filter(|z| !z.is_empty());
        let label = rule.target_label();
        let target = target.trim();
        if target.is_empty() {
            return Err(AccountError::MissingTarget { label });
        }
        match rule {
            TargetRule::Game {
                min_digits,
                max_digits,
                zone: zone_rule,
                ..
            } => {
                // The whole "123456780 (2345)" pasted from the game's profile into the ID.
                let (target, zone) = match (zone_rule, zone) {
                    (ZoneRule::Digits { .. }, None) => match split_pasted(target) {
                        Some((t, z)) => (t, Some(z)),
                        None => (target, None),
                    },
                    _ => (target, zone),
                };
                let t = digits_only(target);
                if t.len() < *min_digits
                    || t.len() > *max_digits
                    || !t.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(AccountError::BadDigits {
                        label,
                        min: *min_digits,
                        max: *max_digits,
                    });
                }
                let zone = parse_zone(rule, zone_rule, zone)?;
                Ok(GameAccount { target: t, zone })
            }
            TargetRule::FreeText { .. } => {
                refuse_zone(zone)?;
                if target.chars().count() > 40 || target.chars().any(|c| c.is_control()) {
                    return Err(AccountError::BadFreeText);
                }
                Ok(GameAccount {
                    target: target.to_string(),
                    zone: None,
                })
            }
            TargetRule::Phone => {
                refuse_zone(zone)?;
                let phone = PhoneNumber::parse(target)?;
                Ok(GameAccount {
                    target: phone.local(),
                    zone: None,
                })
            }
            TargetRule::PlnCustomer => {
                refuse_zone(zone)?;
                let t = digits_only(target);
                if !(11..=12).contains(&t.len()) || !t.chars().all(|c| c.is_ascii_digit()) {
                    return Err(AccountError::BadPlnNumber);
                }
                Ok(GameAccount {
                    target: t,
                    zone: None,
                })
            }
        }
    }

    /// Rebuilds an account that was validated before (read back from storage).
    pub fn from_trusted(target: String, zone: Option<String>) -> GameAccount {
        GameAccount { target, zone }
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn zone(&self) -> Option<&str> {
        self.zone.as_deref()
    }
}

impl fmt::Display for GameAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.zone {
            Some(z) => write!(f, "{} ({z})", self.target),
            None => f.write_str(&self.target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ml() -> TargetRule {
        TargetRule::for_product(Category::Game, "Mobile Legends B")
    }

    #[test]
    fn an_id_pasted_with_its_zone_is_split() {
        for pasted in [
            "123456780 (2345)",
            "123456780(2345)",
            " 123456780 ( 2345 ) ",
            "123456780 (2345",
        ] {
            let a = GameAccount::parse(&ml(), pasted, None).unwrap();
            assert_eq!(
                (a.target(), a.zone()),
                ("123456780", Some("2345")),
                "{pasted}"
            );
            let a = GameAccount::parse(&ml(), pasted, Some("")).unwrap();
            assert_eq!(
                a.zone(),
                Some("2345"),
                "an empty zone field is no zone: {pasted}"
            );
        }
        // A zone typed in its own field wins; the ID must then be digits.
        assert!(matches!(
            GameAccount::parse(&ml(), "123456780 (2345)", Some("2345")),
            Err(AccountError::BadDigits { .. })
        ));
        assert_eq!(split_pasted("(2345)"), None);
        assert_eq!(split_pasted("123456780"), None);
    }

    #[test]
    fn mobile_legends_needs_id_and_zone() {
        let a = GameAccount::parse(&ml(), " 123 456 789 ", Some("(2345)")).unwrap();
        assert_eq!(a.target(), "123456789");
        assert_eq!(a.zone(), Some("2345"));
        assert_eq!(a.to_string(), "123456789 (2345)");
        assert_eq!(
            GameAccount::parse(&ml(), "123456789", None),
            Err(AccountError::MissingZone { label: "Zone ID" })
        );
        assert!(matches!(
            GameAccount::parse(&ml(), "12a456789", Some("2345")),
            Err(AccountError::BadDigits { .. })
        ));
        assert!(matches!(
            GameAccount::parse(&ml(), "123456789", Some("23")),
            Err(AccountError::BadZone { .. })
        ));
        assert_eq!(ml().nickname_code(), Some("mobile-legends"));
        assert_eq!(ml().zone_label(), Some("Zone ID"));
    }

    #[test]
    fn genshin_takes_a_server_by_code_or_name() {
        let rule = TargetRule::for_product(Category::Game, "Genshin Impact");
        let a = GameAccount::parse(&rule, "812345678", Some("Asia")).unwrap();
        assert_eq!(a.zone(), Some("os_asia"));
        let a = GameAccount::parse(&rule, "812345678", Some("os_euro")).unwrap();
        assert_eq!(a.zone(), Some("os_euro"));
        assert!(matches!(
            GameAccount::parse(&rule, "812345678", Some("mars")),
            Err(AccountError::UnknownServer { .. })
        ));
    }

    #[test]
    fn free_fire_has_no_zone() {
        let rule = TargetRule::for_product(Category::Game, "Free Fire");
        assert!(GameAccount::parse(&rule, "1234567890", None).is_ok());
        assert_eq!(
            GameAccount::parse(&rule, "1234567890", Some("1")),
            Err(AccountError::UnexpectedZone)
        );
        assert_eq!(rule.zone_label(), None);
    }

    #[test]
    fn phone_and_pln_targets() {
        let a = GameAccount::parse(&TargetRule::Phone, "+62 812-3456-7890", None).unwrap();
        assert_eq!(a.target(), "081234567890");
        assert!(GameAccount::parse(&TargetRule::Phone, "021555123", None).is_err());
        let p = GameAccount::parse(&TargetRule::PlnCustomer, "5300 1234 5678", None).unwrap();
        assert_eq!(p.target(), "530012345678");
        assert_eq!(
            GameAccount::parse(&TargetRule::PlnCustomer, "12345", None),
            Err(AccountError::BadPlnNumber)
        );
        assert_eq!(
            GameAccount::parse(&TargetRule::Phone, "   ", None),
            Err(AccountError::MissingTarget { label: "Nomor HP" })
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(t in ".{0,30}", z in proptest::option::of(".{0,10}")) {
            for rule in [ml(), TargetRule::Phone, TargetRule::PlnCustomer,
                         TargetRule::for_product(Category::Game, "Genshin Impact"),
                         TargetRule::for_product(Category::Game, "Valorant")] {
                if let Ok(a) = GameAccount::parse(&rule, &t, z.as_deref()) {
                    prop_assert!(!a.target().is_empty());
                }
            }
        }
    }
}

/// A PLN meter's owner as the customer reads it before paying: `BUDI SANTOSO · R1/1300 VA` from
/// the name and Digiflazz's `segment_power` (`R1 /000001300`). A segment that does not read as
/// tariff and power is shown as it came.
pub fn pln_owner(name: &str, segment_power: &str) -> String {
    let name = crate::text::clean(name.trim(), 60);
    let segment = segment_power.trim();
    let shown = match segment.split_once('/') {
        Some((tariff, power)) => {
            let tariff = tariff.trim();
            let digits = power.trim().trim_start_matches('0');
            if !tariff.is_empty()
                && !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
            {
                format!("{tariff}/{digits} VA")
            } else {
                crate::text::clean(segment, 30)
            }
        }
        None => crate::text::clean(segment, 30),
    };
    if shown.is_empty() {
        name
    } else {
        format!("{name} · {shown}")
    }
}

#[cfg(test)]
mod pln_owner_tests {
    use super::pln_owner;

    #[test]
    fn name_tariff_and_power_read_as_a_customer_expects() {
        assert_eq!(
            pln_owner("BUDI SANTOSO", "R1 /000001300"),
            "BUDI SANTOSO · R1/1300 VA"
        );
        assert_eq!(pln_owner(" DAVID ", "R1M/900"), "DAVID · R1M/900 VA");
        assert_eq!(pln_owner("SITI", ""), "SITI");
        assert_eq!(pln_owner("SITI", "B2 / -"), "SITI · B2 / -");
    }
}
