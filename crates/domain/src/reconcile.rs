//! Finding an order of unknown outcome in the supplier's list (vip-reseller.md §5, DESIGN.md
//! invariant 9). VIP takes no client reference, so an attempt whose answer was lost is looked for
//! in `type=status&limit=n` (newest first, no timestamps). Two pure rules decide:
//!
//! - [`OrderedService::matches`] + [`same_account`]: which listed order can be ours — the same
//!   target and zone, and the same service on whole words (never "any order of that account",
//!   never a substring: `5 Diamonds` is not `2195 Diamonds`);
//! - [`lookback`]: whether the list seen so far provably reaches back past the attempt's start,
//!   must be asked again with a larger `limit`, or cannot be resolved (hand it to the seller).

/// A service name as words: lowercase, split on everything that is not a letter or a digit.
/// `"Mobile Legends B - 86 Diamonds (78 + 8 Bonus)"` → `mobile legends b 86 diamonds 78 8 bonus`.
pub fn service_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// What the store asked the supplier for, as the store's order row holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderedService<'a> {
    /// The supplier's service code (`ML86-S1`).
    pub code: &'a str,
    /// The catalogue/brand name (`Mobile Legends B`).
    pub brand: &'a str,
    /// The product name (`86 Diamonds (78 + 8 Bonus)`).
    pub name: &'a str,
}

impl OrderedService<'_> {
    /// Whether a listed order's `service` names this service. VIP shows games as
    /// `"{game} - {name}"` and prepaid/postpaid items by name; a code is accepted too. The word
    /// sequences must be equal (a listed service with no words never matches).
    pub fn matches(&self, listed: &str) -> bool {
        let listed = service_words(listed);
        if listed.is_empty() {
            return false;
        }
        let brand_name = format!("{} - {}", self.brand, self.name);
        [self.code, brand_name.as_str(), self.name]
            .iter()
            .any(|form| service_words(form) == listed)
    }
}

/// Whether a listed order is for the same account: the same target and the same zone (no zone is
/// the same as an empty one; surrounding blanks are ignored).
pub fn same_account(
    target: &str,
    zone: Option<&str>,
    listed_target: &str,
    listed_zone: Option<&str>,
) -> bool {
    let norm = |z: Option<&str>| z.unwrap_or("").trim().to_string();
    target.trim() == listed_target.trim() && norm(zone) == norm(listed_zone)
}

/// What one look at the supplier's list (newest first) tells about an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookback {
    /// The first `n` listed orders are every order that can be the attempt's: the attempt, if it
    /// reached the supplier, is among them.
    Covered(usize),
    /// Not far enough back yet: ask again with a larger limit.
    Wider,
    /// The list cannot be shown to reach the attempt's start: nobody can tell from it whether the
    /// attempt bought anything.
    Unresolved,
}

/// Decides from one answer to `limit = asked`:
/// - `listed`: how many orders came back;
/// - `first_anchor`: the position of the first listed order the store itself recorded before the
///   attempt started (it, and everything listed after it, is older than the attempt);
/// - `recorded_before`: whether the store recorded any order of this kind before the attempt
///   started (then a complete list must show it; a list that ends without it was cut by the
///   supplier, not exhausted);
/// - `cap`: the largest limit the store asks for.
pub fn lookback(
    listed: usize,
    asked: u32,
    first_anchor: Option<usize>,
    recorded_before: bool,
    cap: u32,
) -> Lookback {
    if let Some(anchor) = first_anchor {
        return Lookback::Covered(anchor.min(listed));
    }
    let exhausted = listed < asked as usize;
    if exhausted {
        if recorded_before {
            Lookback::Unresolved
        } else {
            Lookback::Covered(listed)
        }
    } else if asked >= cap {
        Lookback::Unresolved
    } else {
        Lookback::Wider
    }
}

/// The next, larger limit of `ladder` (ascending) after `asked`; `None` past the last.
pub fn next_limit(ladder: &[u32], asked: u32) -> Option<u32> {
    ladder.iter().copied().find(|&l| l > asked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ML5: OrderedService = OrderedService {
        code: "ML5-S1",
        brand: "Mobile Legends B",
        name: "5 Diamonds",
    };
    const ML86: OrderedService = OrderedService {
        code: "ML86-S1",
        brand: "Mobile Legends B",
        name: "86 Diamonds (78 + 8 Bonus)",
    };

    #[test]
    fn words_are_lowercase_alphanumeric_runs() {
        assert_eq!(
            service_words("Mobile Legends B - 86 Diamonds (78 + 8 Bonus)"),
            ["mobile", "legends", "b", "86", "diamonds", "78", "8", "bonus"]
        );
        assert_eq!(service_words("  ML5-S1 "), ["ml5", "s1"]);
        assert!(service_words(" - ( ) ").is_empty());
        assert_eq!(
            service_words("Token PLN 20.000"),
            ["token", "pln", "20", "000"]
        );
    }

    #[test]
    fn the_forms_vip_sends_match() {
        // Games in status answers and callbacks: "{game} - {name}".
        assert!(ML86.matches("Mobile Legends B - 86 Diamonds (78 + 8 Bonus)"));
        // Spacing, case and punctuation do not matter; words do.
        assert!(ML86.matches("mobile legends b – 86 diamonds [78+8 bonus]"));
        // By name alone (prepaid items), and by code.
        assert!(ML86.matches("86 Diamonds (78 + 8 Bonus)"));
        assert!(ML86.matches("ml86-s1"));
        let pln = OrderedService {
            code: "PLN20",
            brand: "PLN",
            name: "Token PLN 20.000",
        };
        assert!(pln.matches("Token PLN 20.000"));
        assert!(!pln.matches("Token PLN 200.000"));
    }

    #[test]
    fn other_products_never_match() {
        // The substring trap of issue 8: "5 Diamonds" is inside "2195 Diamonds".
        assert!(!ML5.matches("Mobile Legends B - 2195 Diamonds (1860 + 335 Bonus)"));
        assert!(!ML5.matches("Mobile Legends B - 86 Diamonds (78 + 8 Bonus)"));
        assert!(!ML86.matches("Mobile Legends B - 5 Diamonds"));
        // The same name in another game is another service.
        assert!(!ML5.matches("Free Fire - 5 Diamonds"));
        // A prefix or a part is not the service.
        assert!(!ML86.matches("Mobile Legends B - 86 Diamonds"));
        assert!(!ML86.matches("Mobile Legends B"));
        assert!(!ML86.matches("ML86"));
        assert!(!ML86.matches(""));
        assert!(!ML86.matches(" - "));
    }

    #[test]
    fn the_account_must_be_the_same() {
        assert!(same_account(
            "123456780",
            Some("2345"),
            "123456780",
            Some("2345")
        ));
        assert!(same_account("0812", None, "0812", Some("")));
        assert!(same_account(" 0812 ", None, "0812", None));
        assert!(!same_account(
            "123456780",
            Some("2345"),
            "123456780",
            Some("2346")
        ));
        assert!(!same_account("123456780", Some("2345"), "123456780", None));
        assert!(!same_account(
            "123456780",
            Some("2345"),
            "12345678",
            Some("2345")
        ));
    }

    #[test]
    fn lookback_rules() {
        // An anchor ends the search wherever it is, full page or not.
        assert_eq!(lookback(50, 50, Some(7), true, 500), Lookback::Covered(7));
        assert_eq!(lookback(20, 50, Some(0), true, 500), Lookback::Covered(0));
        assert_eq!(
            lookback(500, 500, Some(499), true, 500),
            Lookback::Covered(499)
        );
        // A short list is everything — unless the store knows an older order it does not show.
        assert_eq!(lookback(30, 50, None, false, 500), Lookback::Covered(30));
        assert_eq!(lookback(0, 50, None, false, 500), Lookback::Covered(0));
        assert_eq!(lookback(30, 50, None, true, 500), Lookback::Unresolved);
        // A full page without an anchor: look further, up to the cap.
        assert_eq!(lookback(50, 50, None, true, 500), Lookback::Wider);
        assert_eq!(lookback(200, 200, None, false, 500), Lookback::Wider);
        assert_eq!(lookback(500, 500, None, false, 500), Lookback::Unresolved);
    }

    #[test]
    fn limits_grow_along_the_ladder() {
        let ladder = [50, 100, 200, 500];
        assert_eq!(next_limit(&ladder, 50), Some(100));
        assert_eq!(next_limit(&ladder, 200), Some(500));
        assert_eq!(next_limit(&ladder, 500), None);
        assert_eq!(next_limit(&ladder, 0), Some(50));
    }

    fn name() -> impl Strategy<Value = String> {
        "[A-Za-z0-9 ()+.-]{0,24}"
    }

    proptest! {
        /// Whatever the names, the brand-qualified and plain names match themselves, and a
        /// service matches only when its words equal one of the three forms.
        #[test]
        fn matching_is_word_equality(brand in name(), product in name(), code in "[A-Z0-9-]{0,10}", listed in name()) {
            let s = OrderedService { code: &code, brand: &brand, name: &product };
            let full = format!("{brand} - {product}");
            if !service_words(&full).is_empty() {
                prop_assert!(s.matches(&full));
                prop_assert!(s.matches(&full.to_uppercase()));
            }
            let expected = !service_words(&listed).is_empty()
                && [code.as_str(), full.as_str(), product.as_str()]
                    .iter()
                    .any(|f| service_words(f) == service_words(&listed));
            prop_assert_eq!(s.matches(&listed), expected);
        }

        /// Adding a word to a service (a bigger nominal, another bonus) never keeps the match.
        #[test]
        fn an_extra_word_breaks_the_match(product in "[a-z0-9 ]{1,20}", extra in "[a-z0-9]{1,5}", front in any::<bool>()) {
            let s = OrderedService { code: "X-1", brand: "Game", name: &product };
            let listed = if front { format!("{extra} {product}") } else { format!("{product} {extra}") };
            let listed_words = service_words(&listed);
            prop_assume!(listed_words != service_words("X-1"));
            prop_assume!(listed_words != service_words(&format!("Game - {product}")));
            prop_assert!(!s.matches(&listed));
        }

        /// A covered answer never claims more than was listed, and an anchor always covers.
        #[test]
        fn lookback_is_bounded(listed in 0usize..600, asked in 1u32..600, anchor in proptest::option::of(0usize..600), recorded in any::<bool>()) {
            let listed = listed.min(asked as usize);
            let anchor = anchor.filter(|&a| a < listed);
            match lookback(listed, asked, anchor, recorded, 500) {
                Lookback::Covered(n) => {
                    prop_assert!(n <= listed);
                    if anchor.is_none() {
                        prop_assert!(listed < asked as usize && !recorded);
                    }
                }
                Lookback::Wider => prop_assert!(anchor.is_none() && listed == asked as usize && asked < 500),
                Lookback::Unresolved => prop_assert!(anchor.is_none()),
            }
        }
    }
}
