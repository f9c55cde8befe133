//! WhatsApp numbers, stored in one canonical form: digits only, starting `62` (the `wa_id` form).

use std::fmt;

use serde::{Deserialize, Serialize};

/// An Indonesian mobile number that can receive WhatsApp, e.g. `6281234567890`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("isi nomor WhatsApp (contoh 0812-3456-7890)")]
    Empty,
    #[error("nomor WhatsApp hanya boleh berisi angka, spasi, + dan -")]
    InvalidCharacters,
    #[error("{0} adalah nomor telepon rumah/kantor, bukan nomor WhatsApp seluler")]
    Landline(String),
    #[error("{0} adalah nomor layanan (0800/0809), bukan nomor WhatsApp")]
    ServiceNumber(String),
    #[error("nomor WhatsApp harus nomor seluler Indonesia (contoh 0812-3456-7890)")]
    NotMobile,
}

impl PhoneNumber {
    /// Normalises what a person typed (`0812-3456-7890`, `+62 812…`, `0062…`, `812…`) into
    /// `62…` and accepts it only if it is an Indonesian mobile: `^628[1-9][0-9]{7,10}$`.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'))
        {
            return Err(PhoneError::InvalidCharacters);
        }
        let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
        let canonical = if let Some(rest) = digits.strip_prefix("0062") {
            format!("62{}", rest.trim_start_matches('0'))
        } else if let Some(rest) = digits.strip_prefix("62") {
            // `+62 0812…` → `620812…` → drop the trunk zero
            format!("62{}", rest.strip_prefix('0').unwrap_or(rest))
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("62{rest}")
        } else if digits.starts_with('8') && (9..=12).contains(&digits.len()) {
            format!("62{digits}")
        } else {
            digits.clone()
        };
        if is_mobile(&canonical) {
            return Ok(PhoneNumber(canonical));
        }
        let local = canonical
            .strip_prefix("62")
            .map(|r| format!("0{r}"))
            .unwrap_or_else(|| digits.clone());
        if local.starts_with("0800") || local.starts_with("0809") {
            Err(PhoneError::ServiceNumber(local))
        } else if local.starts_with('0') && !local.starts_with("08") && local.len() >= 8 {
            Err(PhoneError::Landline(local))
        } else {
            Err(PhoneError::NotMobile)
        }
    }

    /// `6281234567890`
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `081234567890`: the form Indonesian suppliers and people use.
    pub fn local(&self) -> String {
        format!("0{}", &self.0[2..])
    }

    /// The last four digits, used with an order code to look an order up.
    pub fn last_four(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// `0812-3456-7890`: the full number grouped for reading, so its owner can spot a typo.
    pub fn grouped(&self) -> String {
        let local = self.local();
        let (head, rest) = local.split_at(4);
        let (middle, tail) = rest.split_at(rest.len().min(4));
        if tail.is_empty() {
            format!("{head}-{middle}")
        } else {
            format!("{head}-{middle}-{tail}")
        }
    }

    /// `0812****7890`, for pages where the full number is not needed.
    pub fn masked(&self) -> String {
        let local = self.local();
        let n = local.len();
        format!("{}{}{}", &local[..4], "*".repeat(n - 8), &local[n - 4..])
    }
}

fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 12
        && b.len() <= 15
        && s.starts_with("628")
        && (b'1'..=b'9').contains(&b[3])
        && b.iter().all(u8::is_ascii_digit)
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The operator of an Indonesian mobile number, recognised by its prefix.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operator {
    Telkomsel,
    ByU,
    Indosat,
    Xl,
    Axis,
    Tri,
    Smartfren,
}

impl Operator {
    /// Recognises the operator from the first four digits of the local form (`0812…`).
    /// by.U numbers (0851) are Telkomsel's network but sold as their own brand.
    pub fn of(number: &PhoneNumber) -> Option<Operator> {
        let local = number.local();
        let prefix = &local[..4];
        Some(match prefix {
            "0851" => Operator::ByU,
            "0811" | "0812" | "0813" | "0821" | "0822" | "0823" | "0852" | "0853" => {
                Operator::Telkomsel
            }
            "0814" | "0815" | "0816" | "0855" | "0856" | "0857" | "0858" => Operator::Indosat,
            "0817" | "0818" | "0819" | "0859" | "0877" | "0878" => Operator::Xl,
            "0831" | "0832" | "0833" | "0838" => Operator::Axis,
            "0895" | "0896" | "0897" | "0898" | "0899" => Operator::Tri,
            "0881" | "0882" | "0883" | "0884" | "0885" | "0886" | "0887" | "0888" | "0889" => {
                Operator::Smartfren
            }
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Operator::Telkomsel => "Telkomsel",
            Operator::ByU => "by.U",
            Operator::Indosat => "Indosat",
            Operator::Xl => "XL",
            Operator::Axis => "Axis",
            Operator::Tri => "Tri",
            Operator::Smartfren => "Smartfren",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_vectors_normalise_to_one_form() {
        for input in [
            "0812-3456-7890",
            "+62 812 3456 7890",
            "62812 3456 7890",
            "+62 0812 3456 7890",
            "0062 812 3456 7890",
            "812 3456 7890",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).unwrap().as_str(),
                "6281234567890",
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_whatsapp_mobile() {
        assert!(matches!(
            PhoneNumber::parse("021-5551234"),
            Err(PhoneError::Landline(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("0800-1234567"),
            Err(PhoneError::ServiceNumber(_))
        ));
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(
            PhoneNumber::parse("0812abc"),
            Err(PhoneError::InvalidCharacters)
        );
        assert_eq!(PhoneNumber::parse("0812"), Err(PhoneError::NotMobile));
        assert_eq!(
            PhoneNumber::parse("0802-3456-7890"),
            Err(PhoneError::NotMobile)
        );
        assert_eq!(
            PhoneNumber::parse("0812345678901234"),
            Err(PhoneError::NotMobile)
        );
    }

    #[test]
    fn local_and_masked_forms() {
        let n = PhoneNumber::parse("0812-3456-7890").unwrap();
        assert_eq!(n.local(), "081234567890");
        assert_eq!(n.last_four(), "7890");
        assert_eq!(n.masked(), "0812****7890");
        assert_eq!(n.grouped(), "0812-3456-7890");
        assert_eq!(
            PhoneNumber::parse("08123456789").unwrap().grouped(),
            "0812-3456-789"
        );
        assert_eq!(
            PhoneNumber::parse("0812345678901").unwrap().grouped(),
            "0812-3456-78901"
        );
    }

    #[test]
    fn operators_by_prefix() {
        let op = |s: &str| Operator::of(&PhoneNumber::parse(s).unwrap());
        assert_eq!(op("081234567890"), Some(Operator::Telkomsel));
        assert_eq!(op("085155512345"), Some(Operator::ByU));
        assert_eq!(op("085712345678"), Some(Operator::Indosat));
        assert_eq!(op("087812345678"), Some(Operator::Xl));
        assert_eq!(op("083812345678"), Some(Operator::Axis));
        assert_eq!(op("089612345678"), Some(Operator::Tri));
        assert_eq!(op("088112345678"), Some(Operator::Smartfren));
        assert_eq!(op("084012345678"), None);
    }

    proptest! {
        #[test]
        fn every_accepted_number_is_canonical(s in "[0-9 +()-]{0,20}") {
            if let Ok(n) = PhoneNumber::parse(&s) {
                prop_assert!(is_mobile(n.as_str()));
                // normalising again is a fixed point
                prop_assert_eq!(PhoneNumber::parse(n.as_str()).unwrap(), n.clone());
                prop_assert_eq!(PhoneNumber::parse(&n.local()).unwrap(), n);
            }
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = PhoneNumber::parse(&s);
        }
    }
}
