use super::rc::RCS;
use super::*;
use crate::vip::catalogue::Catalogue as VipCatalogue;

/// Each Digiflazz SKU with a VIP Reseller counterpart, and that counterpart's code.
const VIP_COUNTERPARTS: &[(&str, &str)] = &[
    ("ML5", "ML5-S1"),
    ("ML12", "ML12-S1"),
    ("ML14", "ML14-S14"),
    ("ML28", "ML28-S1"),
    ("ML86", "ML86-S1"),
    ("ML172", "ML172-S1"),
    ("ML257", "ML257-S1"),
    ("ML344", "ML344-S1"),
    ("ML429", "ML429-S1"),
    ("ML706", "ML706-S1"),
    ("ML1048", "ML1048-S1"),
    ("ML2195", "ML2195-S1"),
    ("MLWDP", "MLWDP-S1"),
    ("FF5", "FF5-S1"),
    ("FF50", "FF50-S1"),
    ("FF70", "FF70-S1"),
    ("FF140", "FF140-S1"),
    ("FF355", "FF355-S1"),
    ("FF720", "FF720-S1"),
    ("FFMM", "FFMM-S1"),
    ("GI60", "GI60-S1"),
    ("GI330", "GI330-S1"),
    ("GI1090", "GI1090-S1"),
    ("GI2240", "GI2240-S1"),
    ("GI8080", "GI8080-S1"),
    ("GIWELKIN", "GIWELKIN-S1"),
    ("HSR60", "HSR60-S1"),
    ("HSR330", "HSR330-S1"),
    ("HSREXP", "HSREXP-S1"),
    ("PUBG60", "PUBG60-S1"),
    ("PUBG325", "PUBG325-S1"),
    ("PUBG660", "PUBG660-S1"),
    ("VAL420", "VAL420-S1"),
    ("VAL700", "VAL700-S1"),
    ("VAL1375", "VAL1375-S1"),
    ("TSEL5", "S5"),
    ("TSEL10", "S10"),
    ("TSEL25", "S25"),
    ("TSEL50", "S50"),
    ("TSEL100", "S100"),
    ("ISAT5", "I5"),
    ("ISAT10", "I10"),
    ("ISAT25", "I25"),
    ("ISAT50", "I50"),
    ("ISAT100", "I100"),
    ("XL5", "X5"),
    ("XL10", "X10"),
    ("XL25", "X25"),
    ("XL50", "X50"),
    ("XL100", "X100"),
    ("AXIS5", "AX5"),
    ("AXIS10", "AX10"),
    ("AXIS25", "AX25"),
    ("AXIS50", "AX50"),
    ("AXIS100", "AX100"),
    ("TRI5", "T5"),
    ("TRI10", "T10"),
    ("TRI25", "T25"),
    ("TRI50", "T50"),
    ("TRI100", "T100"),
    ("SMART5", "SM5"),
    ("SMART10", "SM10"),
    ("SMART25", "SM25"),
    ("SMART50", "SM50"),
    ("SMART100", "SM100"),
    ("BYU5", "BYU5"),
    ("BYU10", "BYU10"),
    ("BYU25", "BYU25"),
    ("BYU50", "BYU50"),
    ("BYU100", "BYU100"),
    ("TSELFL1", "TSELFL1"),
    ("TSELFL5", "TSELFL5"),
    ("ISATF5", "ISATF5"),
    ("XLHR3", "XLDHR3"),
    ("XLHR6", "XLDHR6"),
    ("AXBRO2", "AXBRO2"),
    ("TRIAON6", "TRIAON6"),
    ("PLN20", "PLN20"),
    ("PLN50", "PLN50"),
    ("PLN100", "PLN100"),
    ("PLN200", "PLN200"),
    ("DANA10", "DANA10"),
    ("DANA20", "DANA20"),
    ("DANA50", "DANA50"),
    ("GOPAY10", "GOPAY10"),
    ("GOPAY20", "GOPAY20"),
    ("GOPAY50", "GOPAY50"),
];

/// The first number in a product name, thousands dots dropped: `Telkomsel 10.000` → 10000,
/// `86 Diamonds (78 + 8 Bonus)` → 86.
fn nominal(name: &str) -> Option<i64> {
    let start = name.find(|c: char| c.is_ascii_digit())?;
    let digits: String = name[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn vip_item(code: &str) -> (String, i64) {
    let vip = VipCatalogue::seeded();
    if let Some(g) = vip.game(code) {
        return (g.name.to_string(), g.prices.for_level("Premium"));
    }
    let p = vip
        .prepaid(code)
        .unwrap_or_else(|| panic!("no VIP item {code}"));
    (p.name.clone(), p.prices.for_level("Premium"))
}

#[test]
fn skus_are_unique_and_prices_positive() {
    let mut skus: Vec<String> = PREPAID.iter().map(|p| p.sku.to_ascii_lowercase()).collect();
    let n = skus.len();
    skus.sort();
    skus.dedup();
    assert_eq!(skus.len(), n);
    assert!(PREPAID.iter().all(|p| p.price > 0));
    assert!(
        !skus.contains(&TEST_SKU.to_string()),
        "xld10 is a dev-key SKU only"
    );
}

#[test]
fn counterparts_have_the_same_nominal_and_a_price_one_to_four_percent_off() {
    let (mut cheaper, mut dearer) = (0, 0);
    for (sku, code) in VIP_COUNTERPARTS {
        let ours = product(sku).unwrap_or_else(|| panic!("no {sku}"));
        let (vip_name, vip_price) = vip_item(code);
        assert_eq!(
            nominal(ours.product_name),
            nominal(&vip_name),
            "{sku} {} vs {code} {vip_name}",
            ours.product_name
        );
        let diff = (ours.price - vip_price) as f64 / vip_price as f64 * 100.0;
        assert!(
            (1.0..=4.5).contains(&diff.abs()),
            "{sku}: {} vs VIP {vip_price} ({diff:.2} %)",
            ours.price
        );
        if diff < 0.0 {
            cheaper += 1;
        } else {
            dearer += 1;
        }
    }
    assert!(
        cheaper > 10 && dearer > 10,
        "{cheaper} cheaper, {dearer} dearer"
    );
}

#[test]
fn most_of_vips_catalogue_is_covered() {
    let vip = VipCatalogue::seeded();
    let total = vip.games.len() + vip.prepaid.len();
    assert!(
        VIP_COUNTERPARTS.len() * 10 >= total * 8,
        "{} of {total}",
        VIP_COUNTERPARTS.len()
    );
    // A few items VIP lacks.
    for sku in ["MLTP", "FF1450", "PUBG1800", "OVO10"] {
        assert!(product(sku).is_some(), "{sku}");
        assert!(!VIP_COUNTERPARTS.iter().any(|(s, _)| s == &sku));
    }
}

#[test]
fn one_seller_off_and_one_out_of_stock() {
    let off: Vec<&str> = PREPAID
        .iter()
        .filter(|p| !p.seller_product_status)
        .map(|p| p.sku)
        .collect();
    assert_eq!(off, ["FF720"]);
    let empty: Vec<&str> = PREPAID
        .iter()
        .filter(|p| !p.unlimited_stock && p.stock == 0)
        .map(|p| p.sku)
        .collect();
    assert_eq!(empty, ["PUBG660"]);
    assert!(
        product("val1375").unwrap().available(),
        "limited but in stock"
    );
    assert_eq!(product("pln50").unwrap().pln_nominal(), Some(50_000));
    assert_eq!(product("TSEL10").unwrap().pln_nominal(), None);
}

#[test]
fn outcomes_by_the_last_two_digits() {
    assert_eq!(plan_for("081234567832"), Plan::Fail("02"));
    assert_eq!(plan_for("081234567833"), Plan::Pending(true));
    assert_eq!(plan_for("081234567834"), Plan::Pending(false));
    assert_eq!(plan_for("081234567802"), Plan::Succeed);
    assert_eq!(plan_for("2"), Plan::Succeed);
    assert_eq!(plan_for(""), Plan::Succeed);
    assert_eq!(test_plan("087800001231"), Plan::Fail("54"));
}

#[test]
fn pln_inquiry_rules() {
    let named = pln_inquiry("32123456789").unwrap();
    assert_eq!(named.name, "BUDI SANTOSO");
    assert_eq!(named.segment_power, "R1 /000001300");
    assert!(pln_inquiry("12345678909").is_none());
    assert!(pln_inquiry("1234567890").is_none());
    assert!(pln_inquiry("1234567890123").is_none());
    assert!(pln_inquiry("1234567890a").is_none());
    let a = pln_inquiry("14234567890").unwrap();
    assert_eq!(a, pln_inquiry("14234567890").unwrap(), "stable");
    assert_eq!(a.name, a.name.to_uppercase());
    assert!(["R1 /000000900", "R1 /000001300", "R1 /000002200"].contains(&a.segment_power.as_str()));
    assert_eq!(a.meter_no, "14234567890");
    assert_eq!(a.subscriber_id.len(), 12);
    let idpel = pln_inquiry("523456789012").unwrap();
    assert_eq!(idpel.subscriber_id, "523456789012");
    assert_eq!(idpel.meter_no.len(), 11);
}

#[test]
fn pln_token_sn_shape() {
    let sn = pln_token_sn("ref-1", "32123456789", 20_000);
    assert_eq!(sn, pln_token_sn("ref-1", "32123456789", 20_000));
    let parts: Vec<&str> = sn.split('/').collect();
    assert_eq!(parts.len(), 5, "{sn}");
    assert_eq!(parts[0].len(), 24);
    assert_eq!(parts[0].chars().filter(char::is_ascii_digit).count(), 20);
    assert_eq!(&parts[1..], ["BUDI-SANTOSO", "R1", "1300VA", "13.8KWH"]);
    assert_ne!(sn, pln_token_sn("ref-2", "32123456789", 20_000));
    assert_eq!(serial("r").len(), 16);
    assert_ne!(serial("r"), serial("s"));
}

#[test]
fn documented_pasca_test_bills() {
    let PascaCase::Bill(one, Plan::Succeed) = test_pasca("530000000001") else {
        panic!("one bill")
    };
    assert_eq!(
        (one.admin(), one.price(), one.selling_price()),
        (2_500, 10_000, 11_000)
    );
    let PascaCase::Bill(two, Plan::Succeed) = test_pasca("530000000002") else {
        panic!("two bills")
    };
    assert_eq!(
        (two.admin(), two.price(), two.selling_price()),
        (5_000, 23_000, 25_000)
    );
    assert_eq!(test_pasca("530000000003"), PascaCase::NoBill("02"));
    assert!(matches!(
        test_pasca("530000000006"),
        PascaCase::Bill(_, Plan::Fail("02"))
    ));
    assert!(
        matches!(test_pasca("630000000002"), PascaCase::Bill(b, Plan::Pending(true)) if b.sheets.len() == 2)
    );
    assert!(matches!(
        test_pasca("630000000006"),
        PascaCase::Bill(_, Plan::Pending(false))
    ));
}

#[test]
fn production_pasca_bills() {
    let PascaCase::Bill(bill, Plan::Succeed) = pasca_bill("531234560001", "202601") else {
        panic!("a bill")
    };
    assert_eq!(bill.sheets[0].nilai_tagihan, 45_037);
    assert_eq!(bill.selling_price(), 47_537);
    assert_eq!(bill.price(), 46_537);
    assert_eq!(
        pasca_bill("531234560009", "202601"),
        PascaCase::NoBill("54")
    );
    assert_eq!(pasca_bill("53123456001", "202601"), PascaCase::NoBill("54"));
    assert!(matches!(
        pasca_bill("531234560033", "202601"),
        PascaCase::Bill(_, Plan::Pending(true))
    ));
}

#[test]
fn the_rc_table() {
    let mut codes: Vec<&str> = RCS.iter().map(|(c, _, _)| *c).collect();
    codes.dedup();
    assert_eq!(codes.len(), RCS.len());
    let formed: Vec<&str> = RCS.iter().filter(|r| r.2).map(|r| r.0).collect();
    assert_eq!(
        formed,
        [
            "00", "01", "02", "03", "50", "51", "52", "53", "54", "55", "57", "58", "59", "60",
            "70", "71", "72", "73", "74", "84", "85", "86", "99"
        ]
    );
    assert_eq!(rc_message("41"), "Signature Anda salah");
    assert!(rc_entry("46").is_none());
}
