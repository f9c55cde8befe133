//! The seeded catalogue and the deterministic answers about accounts: game nicknames and PLN
//! postpaid bills. Pure data and pure functions; no state.
use serde_json::{json, Value};

mod accounts;
mod games;
mod prepaid;

pub(crate) use accounts::{
    digits_from, nickname, pln_bill, Bill, NicknameAnswer, NAMED_ACCOUNTS, PLN_POSTPAID_CODE,
    PLN_POSTPAID_NAME,
};
use games::game_items;
use prepaid::prepaid_items;

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

#[cfg(test)]
mod tests;
