use super::*;
use madd_domain::Bps;

#[test]
fn public_url_follows_the_bound_address_unless_set() {
    let mut c = Config::from_sources(None, &env(&[("MADD_LISTEN", "127.0.0.1:0")])).unwrap();
    assert!(!c.public_url_set);
    c.use_bound_address("127.0.0.1:43210".parse().unwrap());
    assert_eq!(c.public_url.as_str(), "http://127.0.0.1:43210/");
    assert_eq!(c.link("/order/MS-1"), "http://127.0.0.1:43210/order/MS-1");
    let mut any = Config::from_sources(None, &env(&[("MADD_LISTEN", "0.0.0.0:0")])).unwrap();
    any.use_bound_address("0.0.0.0:8081".parse().unwrap());
    assert_eq!(any.public_url.as_str(), "http://127.0.0.1:8081/");
    let mut set = Config::from_sources(
        None,
        &env(&[
            ("MADD_LISTEN", "127.0.0.1:0"),
            ("MADD_PUBLIC_URL", "https://toko.example"),
        ]),
    )
    .unwrap();
    set.use_bound_address("127.0.0.1:43210".parse().unwrap());
    assert_eq!(set.public_url.as_str(), "https://toko.example/");
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_mix_of_real_and_sandbox_providers_needs_saying_so() {
    let real_money = [
        ("MADD_PAYMENT", "trakteer"),
        ("MADD_TRAKTEER_WEBHOOK_TOKEN", "t"),
        ("MADD_SUPPLIER", "vip-reseller"),
        ("MADD_VIP_API_ID", "id"),
        ("MADD_VIP_API_KEY", "key"),
    ];
    let mixed = Config::from_sources(None, &env(&real_money)).unwrap();
    assert_eq!(
        mixed.simulators(),
        madd_sandbox::Simulators {
            vip: false,
            digiflazz: false,
            trakteer: false,
            midtrans: false,
            tripay: false,
            whatsapp: true
        }
    );
    let err = mixed.check_sandbox_mix().unwrap_err().to_string();
    assert!(
        err.contains("MADD_WHATSAPP") && err.contains("MADD_ALLOW_MIXED_SANDBOX"),
        "{err}"
    );
    let mut allowed = real_money.to_vec();
    allowed.push(("MADD_ALLOW_MIXED_SANDBOX", "true"));
    let allowed = Config::from_sources(None, &env(&allowed)).unwrap();
    assert!(allowed.check_sandbox_mix().is_ok());
    // All sandbox (the default) and all real are not mixes.
    assert!(Config::from_sources(None, &env(&[]))
        .unwrap()
        .check_sandbox_mix()
        .is_ok());
    let mut all_real = real_money.to_vec();
    all_real.extend([("MADD_WHATSAPP", "fonnte"), ("MADD_WHATSAPP_TOKEN", "w")]);
    let all_real = Config::from_sources(None, &env(&all_real)).unwrap();
    assert!(!all_real.uses_sandbox());
    assert!(all_real.check_sandbox_mix().is_ok());
    assert!(Config::from_sources(None, &env(&[("MADD_ALLOW_MIXED_SANDBOX", "maybe")])).is_err());
}

#[test]
fn defaults_are_the_embedded_store() {
    let c = Config::from_sources(None, &env(&[("PATH", "/bin")])).unwrap();
    assert_eq!(c.database_url, "sqlite://maddstore.db");
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(c.fulfilment, Fulfilment::Manual);
    assert!(c.uses_sandbox());
    assert_eq!(c.markup.rate, Bps::new(1000));
    assert_eq!(c.markup.min, Rupiah::new(500));
    assert_eq!(c.trakteer.unit_price, Rupiah::new(1000));
    assert_eq!(c.payment_window_minutes, 60);
    assert_eq!(c.link("/order/MS-1"), "http://127.0.0.1:8080/order/MS-1");
}

#[test]
fn environment_wins_over_the_file() {
    let dir = std::env::temp_dir().join(format!("madd-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.toml");
    std::fs::write(
        &path,
        "fulfilment = \"auto\"\nmarkup_percent = 12.5\nlisten = \"0.0.0.0:9000\"\n\
         [whatsapp_templates]\norder_created = \"invoice_v2\"\n",
    )
    .unwrap();
    let c = Config::from_sources(Some(&path), &env(&[("MADD_LISTEN", "127.0.0.1:7000")])).unwrap();
    assert_eq!(c.fulfilment, Fulfilment::Auto);
    assert_eq!(c.markup.rate, Bps::new(1250));
    assert_eq!(c.listen.port(), 7000);
    assert_eq!(c.whatsapp.templates["order_created"], "invoice_v2");
}

#[test]
fn typos_and_bad_values_are_errors() {
    let e = Config::from_sources(None, &env(&[("MADD_FULFILMNET", "auto")])).unwrap_err();
    assert!(e.to_string().contains("MADD_FULFILMNET"), "{e}");
    let e = Config::from_sources(None, &env(&[("MADD_FULFILMENT", "sometimes")])).unwrap_err();
    assert!(e.to_string().contains("manual, auto"), "{e}");
    let e = Config::from_sources(None, &env(&[("MADD_MARKUP_PERCENT", "ten")])).unwrap_err();
    assert!(e.to_string().contains("MADD_MARKUP_PERCENT"), "{e}");
    let e = Config::from_sources(None, &env(&[("MADD_TRAKTEER_UNIT_PRICE", "0")])).unwrap_err();
    assert!(e.to_string().contains("at least 1"), "{e}");
    let e = Config::from_sources(None, &env(&[("MADD_SELLER_WHATSAPP", "021555")])).unwrap_err();
    assert!(e.to_string().contains("MADD_SELLER_WHATSAPP"), "{e}");
    let e = Config::from_sources(None, &env(&[("MADD_DATABASE_URL", "mysql://x")])).unwrap_err();
    assert!(e.to_string().contains("sqlite://"), "{e}");
}

#[test]
fn live_providers_need_their_credentials() {
    let e = Config::from_sources(None, &env(&[("MADD_SUPPLIER", "vip-reseller")])).unwrap_err();
    assert!(e.to_string().contains("MADD_VIP_API_ID"), "{e}");
    let e = Config::from_sources(None, &env(&[("MADD_WHATSAPP", "cloud")])).unwrap_err();
    assert!(e.to_string().contains("MADD_WHATSAPP_TOKEN"), "{e}");
    let c = Config::from_sources(
        None,
        &env(&[
            ("MADD_WHATSAPP", "fonnte"),
            ("MADD_WHATSAPP_TOKEN", "tok"),
            ("MADD_SUPPLIER", "vip-reseller"),
            ("MADD_VIP_API_ID", "id"),
            ("MADD_VIP_API_KEY", "key"),
            ("MADD_PAYMENT", "trakteer"),
            ("MADD_TRAKTEER_WEBHOOK_TOKEN", "t"),
        ]),
    )
    .unwrap();
    assert_eq!(c.whatsapp.api_url.as_str(), "https://api.fonnte.com/");
    assert!(!c.uses_sandbox());
    assert!(!format!("{c:?}").contains("key\""), "secrets are redacted");
}

#[test]
fn unknown_file_keys_are_errors() {
    let dir = std::env::temp_dir().join(format!("madd-cfg2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.toml");
    std::fs::write(&path, "databse_url = \"x\"\n").unwrap();
    let e = Config::from_sources(Some(&path), &BTreeMap::new()).unwrap_err();
    assert!(matches!(e, ConfigError::UnknownKey(k) if k == "databse_url"));
}

/// The packaged configuration (`packaging/maddstore.toml`, installed as
/// `/etc/maddstore/maddstore.toml`) names every key and loads as it is.
#[test]
fn the_packaged_configuration_lists_every_key_and_loads() {
    let text = include_str!("../../../../packaging/maddstore.toml");
    for key in KEYS {
        let listed = text.lines().any(|l| {
            let l = l.trim_start_matches('#').trim_start();
            l.starts_with(&format!("{key} ="))
        });
        assert!(listed, "{key} is missing from packaging/maddstore.toml");
    }
    let dir = std::env::temp_dir().join(format!("madd-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("maddstore.toml");
    std::fs::write(&path, text).unwrap();
    let c = Config::from_sources(Some(&path), &BTreeMap::new()).expect("the packaged file loads");
    assert_eq!(c.database_url, "sqlite:///var/lib/maddstore/maddstore.db");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suppliers_are_listed_in_priority_order_simulated_unless_named_alone() {
    use madd_domain::SupplierId::{Digiflazz, VipReseller};
    // The default: both simulators (the demo shows failover).
    let c = Config::from_sources(None, &env(&[])).unwrap();
    assert_eq!(c.supplier, SupplierChoice::Sandbox);
    assert_eq!(c.suppliers, vec![VipReseller, Digiflazz]);
    assert!(c.simulators().vip && c.simulators().digiflazz);
    // MADD_SUPPLIER alone names the one real supplier.
    let c = Config::from_sources(
        None,
        &env(&[
            ("MADD_SUPPLIER", "vip-reseller"),
            ("MADD_VIP_API_ID", "id"),
            ("MADD_VIP_API_KEY", "key"),
        ]),
    )
    .unwrap();
    assert_eq!(
        (c.supplier, c.suppliers.clone()),
        (SupplierChoice::Live, vec![VipReseller])
    );
    // MADD_SUPPLIERS alone: the real services, in that order, each with its credentials.
    let both = [
        ("MADD_SUPPLIERS", "digiflazz, vip-reseller"),
        ("MADD_VIP_API_ID", "id"),
        ("MADD_VIP_API_KEY", "key"),
        ("MADD_DIGIFLAZZ_USERNAME", "buyer"),
        ("MADD_DIGIFLAZZ_API_KEY", "dev-123"),
        ("MADD_DIGIFLAZZ_WEBHOOK_SECRET", "s"),
    ];
    let c = Config::from_sources(None, &env(&both)).unwrap();
    assert_eq!(c.supplier, SupplierChoice::Live);
    assert_eq!(c.suppliers, vec![Digiflazz, VipReseller]);
    assert!(c.digiflazz.testing, "a dev- key is a development key");
    assert!(!c.simulators().any() || c.simulators().trakteer);
    let missing = Config::from_sources(None, &env(&both[..3])).unwrap_err();
    assert!(
        missing.to_string().contains("MADD_DIGIFLAZZ_USERNAME"),
        "{missing}"
    );
    // With MADD_SUPPLIER=sandbox beside it, the listed suppliers are simulated.
    let c = Config::from_sources(
        None,
        &env(&[
            ("MADD_SUPPLIER", "sandbox"),
            ("MADD_SUPPLIERS", "digiflazz"),
        ]),
    )
    .unwrap();
    assert_eq!(
        (c.supplier, c.suppliers.clone()),
        (SupplierChoice::Sandbox, vec![Digiflazz])
    );
    assert!(!c.simulators().vip && c.simulators().digiflazz);
    for bad in [" , ", "vip-reseller,vip-reseller", "tokopedia"] {
        assert!(
            Config::from_sources(None, &env(&[("MADD_SUPPLIERS", bad)])).is_err(),
            "{bad:?}"
        );
    }
    // A real supplier named alone that is not in the list is a contradiction.
    assert!(Config::from_sources(
        None,
        &env(&[
            ("MADD_SUPPLIER", "digiflazz"),
            ("MADD_SUPPLIERS", "vip-reseller")
        ])
    )
    .is_err());
}

#[test]
fn a_live_whatsapp_with_a_published_secret_is_refused() {
    let mut live = vec![
        ("MADD_WHATSAPP", "cloud"),
        ("MADD_WHATSAPP_TOKEN", "a-real-token"),
        ("MADD_WHATSAPP_PHONE_NUMBER_ID", "1"),
    ];
    let published = madd_sandbox::published_secrets();
    assert!(
        published.iter().any(|p| p == "sandbox-app-secret"),
        "{published:?}"
    );
    for secret in &published {
        let mut vars = live.clone();
        vars.push(("MADD_WHATSAPP_APP_SECRET", secret));
        let config = Config::from_sources(None, &env(&vars)).unwrap();
        let err = config.check_published_secrets().unwrap_err().to_string();
        assert!(err.contains("MADD_WHATSAPP_APP_SECRET"), "{err}");
    }
    live.push(("MADD_WHATSAPP_APP_SECRET", "the-one-meta-gave-us"));
    let config = Config::from_sources(None, &env(&live)).unwrap();
    assert!(config.check_published_secrets().is_ok());
    // The simulator's own values are fine when it is the simulator that is used.
    assert!(Config::from_sources(None, &env(&[]))
        .unwrap()
        .check_published_secrets()
        .is_ok());
}
