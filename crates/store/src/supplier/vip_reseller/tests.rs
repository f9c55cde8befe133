//! The client's parsing and signing, on VIP's documented payloads.

use super::*;

#[test]
fn tiers_parse_case_insensitively() {
    assert_eq!("Premium".parse::<PriceTier>(), Ok(PriceTier::Premium));
    assert_eq!(" SPECIAL ".parse::<PriceTier>(), Ok(PriceTier::Special));
    assert_eq!("basic".parse::<PriceTier>(), Ok(PriceTier::Basic));
    assert!("gold".parse::<PriceTier>().is_err());
    assert_eq!(PriceTier::Special.as_str(), "special");
}

#[test]
fn amounts_from_numbers_and_strings() {
    let amount = |v: Value| amount_of(&v);
    assert_eq!(amount(serde_json::json!(3310)), Ok(Rupiah::new(3310)));
    assert_eq!(
        amount(serde_json::json!("195695")),
        Ok(Rupiah::new(195_695))
    );
    assert_eq!(amount(serde_json::json!("3310.00")), Ok(Rupiah::new(3310)));
    assert_eq!(amount(serde_json::json!(3310.0)), Ok(Rupiah::new(3310)));
    assert_eq!(amount(serde_json::json!("-5")), Ok(Rupiah::new(-5)));
    assert!(amount(serde_json::json!("1.000")).is_err());
    assert!(amount(serde_json::json!("3310.5")).is_err());
    assert!(amount(serde_json::json!(3310.5)).is_err());
    assert!(amount(serde_json::json!("")).is_err());
    assert!(amount(serde_json::json!("12a")).is_err());
    assert!(amount(serde_json::json!(null)).is_err());
}

#[test]
fn signature_is_md5_of_id_and_key() {
    // md5("abc") is a published test vector.
    assert_eq!(
        signature("a", &Secret::new("bc")),
        "900150983cd24fb0d6963f7d28e17f72"
    );
}

#[test]
fn request_problems_are_not_missing_accounts() {
    for m in [
        "API Key not registered.",
        "API Signature not valid.",
        "IP 1.2.3.4 is not permitted",
        "Ada pemeliharaan sistem API, coba lagi nanti.",
        "Masih ada parameter yang kosong.",
        "Layanan tidak ditemukan atau saat ini tidak tersedia.",
    ] {
        assert!(is_request_problem(m), "{m}");
    }
    for m in [
        "ID tidak ditemukan.",
        "Nickname not found",
        "Zip invalid",
        "",
    ] {
        assert!(!is_request_problem(m), "{m}");
    }
}

#[test]
fn base_url_gets_a_trailing_slash() {
    let make = |base: &str| {
        VipReseller::new(
            VipConfig {
                base_url: base.parse().unwrap(),
                api_id: "id".into(),
                api_key: Secret::new("key"),
                tier: PriceTier::Basic,
            },
            reqwest::Client::new(),
        )
    };
    for base in ["https://vip.example/api", "https://vip.example/api/"] {
        let client = make(base);
        assert_eq!(
            client.base.join("profile").unwrap().as_str(),
            "https://vip.example/api/profile"
        );
    }
    let client = make("https://vip.example/");
    assert_eq!(
        client.base.join("prepaid").unwrap().as_str(),
        "https://vip.example/prepaid"
    );
}

#[test]
fn scrub_removes_key_and_sign() {
    let client = VipReseller::new(
        VipConfig {
            base_url: "https://vip.example/api/".parse().unwrap(),
            api_id: "id".into(),
            api_key: Secret::new("s3cr3t"),
            tier: PriceTier::Basic,
        },
        reqwest::Client::new(),
    );
    let sign = signature("id", &Secret::new("s3cr3t"));
    let out = client.scrub(format!("echo key=s3cr3t&sign={sign}"));
    assert_eq!(out, "echo key=[redacted]&sign=[redacted]");
}
