//! Verified reviews: what a review may say (1–5 stars, at most 280 characters of text) and how
//! the game page shows it (stars as ★, the reviewer's number masked, the average).

/// The longest review text, in characters.
pub const MAX_TEXT: usize = 280;

/// What is wrong with a submitted review, each beside its field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewErrors {
    pub stars: Option<&'static str>,
    pub text: Option<&'static str>,
}

impl ReviewErrors {
    pub fn is_empty(&self) -> bool {
        self.stars.is_none() && self.text.is_none()
    }
}

/// A review that may be stored: its stars and its cleaned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub stars: u8,
    pub text: String,
}

/// Checks a submitted form: `stars` must be a whole number 1–5; `text` (optional) is cleaned with
/// [`crate::text::clean`] and may hold at most [`MAX_TEXT`] characters — a longer one is refused,
/// not cut, so the customer sees what would be lost.
pub fn parse(stars: &str, text: &str) -> Result<Review, ReviewErrors> {
    let mut errors = ReviewErrors::default();
    let stars = match stars.trim().parse::<u8>() {
        Ok(n @ 1..=5) => Some(n),
        Ok(_) => {
            errors.stars = Some("Pilih 1 sampai 5 bintang.");
            None
        }
        Err(_) if stars.trim().is_empty() => {
            errors.stars = Some("Pilih jumlah bintang.");
            None
        }
        Err(_) => {
            errors.stars = Some("Pilih 1 sampai 5 bintang.");
            None
        }
    };
    let text = crate::text::clean(text, usize::MAX);
    let text = text.trim();
    if text.chars().count() > MAX_TEXT {
        errors.text = Some("Ulasan paling banyak 280 karakter.");
    }
    match stars {
        Some(stars) if errors.is_empty() => Ok(Review {
            stars,
            text: text.to_string(),
        }),
        _ => Err(errors),
    }
}

/// `★★★★☆` for 4 stars (values outside 0–5 are clamped).
pub fn stars_line(stars: i64) -> String {
    let full = stars.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

/// A reviewer's WhatsApp number for a public page: `6281234567890` (or `081234567890`) →
/// `0812****7890`: the operator prefix and the last four digits, the middle starred. Anything
/// that is not a plausible number is starred whole, never shown.
pub fn mask_whatsapp(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let local = if let Some(rest) = digits.strip_prefix("62") {
        format!("0{rest}")
    } else {
        digits
    };
    let n = local.len();
    if n < 9 || !local.starts_with('0') {
        return "****".to_string();
    }
    format!("{}{}{}", &local[..4], "*".repeat(n - 8), &local[n - 4..])
}

/// The average of `sum` stars over `count` reviews with one decimal, Indonesian style (`4,5`);
/// `None` without reviews. Integer arithmetic: rounded half up.
pub fn average(sum: i64, count: i64) -> Option<String> {
    if count <= 0 {
        return None;
    }
    let tenths = (sum * 10 * 2 + count) / (count * 2);
    Some(format!("{},{}", tenths / 10, tenths % 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_must_be_one_to_five() {
        assert_eq!(parse("5", "mantap").unwrap().stars, 5);
        assert_eq!(parse(" 1 ", "").unwrap().stars, 1);
        for bad in ["0", "6", "-1", "x", "4.5", "300"] {
            assert!(parse(bad, "").unwrap_err().stars.is_some(), "{bad}");
        }
        assert_eq!(
            parse("", "").unwrap_err().stars,
            Some("Pilih jumlah bintang.")
        );
    }

    #[test]
    fn text_is_cleaned_and_bounded_not_cut() {
        let r = parse("4", "  cepat\u{0}  ").unwrap();
        assert_eq!(r.text, "cepat");
        assert_eq!(
            parse("4", &"é".repeat(280)).unwrap().text.chars().count(),
            280
        );
        let e = parse("4", &"x".repeat(2_000)).unwrap_err();
        assert!(e.text.is_some() && e.stars.is_none());
        let both = parse("0", &"x".repeat(281)).unwrap_err();
        assert!(both.text.is_some() && both.stars.is_some());
    }

    #[test]
    fn numbers_are_masked() {
        assert_eq!(mask_whatsapp("6281234567890"), "0812****7890");
        assert_eq!(mask_whatsapp("081234567890"), "0812****7890");
        assert_eq!(mask_whatsapp("62812345678901"), "0812*****8901");
        assert_eq!(mask_whatsapp("6281234567"), "0812*4567");
        assert_eq!(mask_whatsapp("628123456"), "****");
        assert_eq!(mask_whatsapp("12"), "****");
        assert_eq!(mask_whatsapp(""), "****");
        assert!(!mask_whatsapp("6281234567890").contains("3456"));
    }

    #[test]
    fn stars_and_average() {
        assert_eq!(stars_line(4), "★★★★☆");
        assert_eq!(stars_line(9), "★★★★★");
        assert_eq!(stars_line(-1), "☆☆☆☆☆");
        assert_eq!(average(0, 0), None);
        assert_eq!(average(9, 2).as_deref(), Some("4,5"));
        assert_eq!(average(14, 3).as_deref(), Some("4,7"));
        assert_eq!(average(5, 1).as_deref(), Some("5,0"));
        assert_eq!(average(13, 3).as_deref(), Some("4,3"));
    }
}
