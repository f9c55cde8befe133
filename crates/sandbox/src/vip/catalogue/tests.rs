use super::prepaid::thousands;
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
