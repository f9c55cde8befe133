//! The seeded catalogue and the deterministic answers about accounts: game nicknames and PLN
//! postpaid bills. Pure data and pure functions; no state.
use serde_json::{json, Value};

mod accounts;
pub(crate) use accounts::{
    digits_from, nickname, pln_bill, Bill, NicknameAnswer, NAMED_ACCOUNTS, PLN_POSTPAID_CODE,
    PLN_POSTPAID_NAME,
};

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
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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

#[cfg(test)]
mod tests;
