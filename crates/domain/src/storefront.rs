//! Storefront decisions that need no I/O: how nominals are grouped, which pulsa brand belongs to
//! an operator, what a postpaid bill costs the customer, how a PLN token is shown, and where the
//! customer's "today" begins.

use crate::phone::Operator;

/// A row of the nominal grid on a product page.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NominalGroup {
    /// Diamonds, UC, crystals, coins…: the game's currency.
    Currency,
    /// Weekly passes, memberships, battle passes.
    Pass,
    /// Anything else (bundles, vouchers, packages).
    Other,
}

impl NominalGroup {
    /// Decides the group from the product name (`Weekly Diamond Pass` is a pass, not diamonds).
    pub fn of(name: &str) -> NominalGroup {
        let n = name.to_lowercase();
        const PASS: &[&str] = &[
            "pass",
            "membership",
            "member",
            "twilight",
            "starlight",
            "welkin",
            "blessing",
            "langganan",
        ];
        const CURRENCY: &[&str] = &[
            "diamond", " uc", "genesis", "crystal", "shard", "coin", "koin", "point", " vp", "cp",
            "token", "gem", "chip",
        ];
        if PASS.iter().any(|w| n.contains(w)) {
            NominalGroup::Pass
        } else if CURRENCY
            .iter()
            .any(|w| n.contains(w) || n.starts_with(w.trim()))
        {
            NominalGroup::Currency
        } else {
            NominalGroup::Other
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            NominalGroup::Currency => "Top up",
            NominalGroup::Pass => "Pass & Membership",
            NominalGroup::Other => "Lainnya",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            NominalGroup::Currency => "Top up",
            NominalGroup::Pass => "Passes & memberships",
            NominalGroup::Other => "Other",
        }
    }
}

/// Whether a supplier brand (`Telkomsel`, `by.U`, `XL Axiata`, `Three`) sells for `operator`.
pub fn brand_is_operator(brand: &str, operator: Operator) -> bool {
    let b: String = brand
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    match operator {
        Operator::Telkomsel => b.starts_with("telkomsel") || b.starts_with("simpati"),
        Operator::ByU => b.starts_with("byu"),
        Operator::Indosat => b.starts_with("indosat") || b.starts_with("im3"),
        Operator::Xl => b == "xl" || b.starts_with("xlaxiata") || b.starts_with("xldata"),
        Operator::Axis => b.starts_with("axis"),
        Operator::Tri => b == "tri" || b.starts_with("three") || b.starts_with("tri"),
        Operator::Smartfren => b.starts_with("smartfren"),
    }
}

/// A delivered PLN token in 4-digit groups (`1234 5678 9012 3456 7890`), when the serial number
/// starts with the 20 token digits (separators of any kind are ignored). `None` otherwise.
pub fn pln_token(serial: &str) -> Option<String> {
    let head = serial.split('/').next().unwrap_or("");
    let digits: String = head.chars().filter(char::is_ascii_digit).collect();
    let only_digits_and_separators = head
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    if digits.len() != 20 || !only_digits_and_separators {
        return None;
    }
    let groups: Vec<&str> = (0..5).map(|i| &digits[i * 4..i * 4 + 4]).collect();
    Some(groups.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::PhoneNumber;

    #[test]
    fn groups() {
        assert_eq!(
            NominalGroup::of("86 Diamonds (78 + 8 Bonus)"),
            NominalGroup::Currency
        );
        assert_eq!(NominalGroup::of("Weekly Diamond Pass"), NominalGroup::Pass);
        assert_eq!(NominalGroup::of("Twilight Pass"), NominalGroup::Pass);
        assert_eq!(NominalGroup::of("60 UC"), NominalGroup::Currency);
        assert_eq!(
            NominalGroup::of("Blessing of the Welkin Moon"),
            NominalGroup::Pass
        );
        assert_eq!(NominalGroup::of("Starter Bundle"), NominalGroup::Other);
    }

    #[test]
    fn operators_find_their_brands() {
        let op = |n: &str| Operator::of(&PhoneNumber::parse(n).unwrap()).unwrap();
        assert!(brand_is_operator("Telkomsel", op("0812-3456-7890")));
        assert!(!brand_is_operator("by.U", op("0812-3456-7890")));
        assert!(brand_is_operator("by.U", op("0851-2345-6789")));
        assert!(brand_is_operator("XL", op("0817-1234-5678")));
        assert!(!brand_is_operator("Axis", op("0817-1234-5678")));
        assert!(brand_is_operator("Axis", op("0838-1234-5678")));
        assert!(brand_is_operator("Tri", op("0896-1234-5678")));
        assert!(brand_is_operator("Indosat", op("0857-1234-5678")));
        assert!(brand_is_operator("Smartfren", op("0881-1234-5678")));
    }

    #[test]
    fn tokens_in_groups_of_four() {
        assert_eq!(
            pln_token("1234-5678-9012-3456-7890").as_deref(),
            Some("1234 5678 9012 3456 7890")
        );
        assert_eq!(
            pln_token("12345678901234567890/BUDI/R1/900VA/32.5").as_deref(),
            Some("1234 5678 9012 3456 7890")
        );
        assert_eq!(pln_token("SN-ML-1234"), None);
        assert_eq!(pln_token("1234"), None);
    }
}
