use super::*;
use proptest::prelude::*;

fn code() -> OrderCode {
    OrderCode::parse("MS-7K3Q9XW2").unwrap()
}

#[test]
fn menu_and_help_words() {
    for t in ["menu", "MENU", "  Halo!! ", "help", "", "   ", "?", "p"] {
        assert_eq!(parse(t), Command::Menu, "{t:?}");
    }
    assert_eq!(parse("apa kabar"), Command::Unknown);
}

#[test]
fn price_lists() {
    let q = |category, brand: Option<&str>| {
        Command::Prices(PriceQuery {
            category,
            brand: brand.map(str::to_string),
        })
    };
    assert_eq!(
        parse("harga ml"),
        q(Some(Category::Game), Some("Mobile Legends"))
    );
    assert_eq!(
        parse("List FF!"),
        q(Some(Category::Game), Some("Free Fire"))
    );
    assert_eq!(
        parse("price mobile legends"),
        q(Some(Category::Game), Some("Mobile Legends"))
    );
    assert_eq!(
        parse("pulsa telkomsel"),
        q(Some(Category::Pulsa), Some("Telkomsel"))
    );
    assert_eq!(
        parse("harga pulsa tsel"),
        q(Some(Category::Pulsa), Some("Telkomsel"))
    );
    assert_eq!(parse("kuota xl"), q(Some(Category::Data), Some("XL")));
    assert_eq!(parse("pulsa by.u"), q(Some(Category::Pulsa), Some("by.U")));
    assert_eq!(parse("harga"), q(None, None));
    assert_eq!(parse("token listrik"), q(Some(Category::Pln), None));
    assert_eq!(parse("harga netflix"), q(None, Some("netflix")));
}

#[test]
fn nickname_checks() {
    let ml = Command::CheckId {
        game: "Mobile Legends".into(),
        target: "123456789".into(),
        zone: Some("2345".into()),
    };
    assert_eq!(parse("cek ml 123456789 2345"), ml);
    assert_eq!(parse("Cek ML 123456789 (2345)"), ml);
    assert_eq!(parse("cek ml 123456789(2345)"), ml);
    assert_eq!(parse("check mobile legends 123456789 2345"), ml);
    assert_eq!(
        parse("cek ff 1234567890"),
        Command::CheckId {
            game: "Free Fire".into(),
            target: "1234567890".into(),
            zone: None
        }
    );
    assert_eq!(parse("cek ml"), Command::Usage(Usage::CheckId));
    assert_eq!(parse("cek 123456789"), Command::Usage(Usage::CheckId));
    assert_eq!(parse("cek ms-7k3q9xw2"), Command::CheckOrder(code()));
}

#[test]
fn buying() {
    let ml = Command::Buy {
        product: Some("ML86-S1".into()),
        target: Some("123456789".into()),
        zone: Some("2345".into()),
        saldo: false,
        voucher: None,
    };
    assert_eq!(parse("beli ML86-S1 123456789 2345"), ml);
    assert_eq!(parse("Beli ml86-s1, 123456789 (2345)"), ml);
    assert_eq!(parse("BUY  ml86-s1   123456789   2345."), ml);
    assert_eq!(
        parse("beli S10 0812 3456 7890"),
        Command::Buy {
            product: Some("S10".into()),
            target: Some("0812 3456".into()),
            zone: Some("7890".into()),
            saldo: false,
            voucher: None,
        }
    );
    assert_eq!(
        parse("beli"),
        Command::Buy {
            product: None,
            target: None,
            zone: None,
            saldo: false,
            voucher: None,
        }
    );
    assert_eq!(
        parse("beli ML86-S1"),
        Command::Buy {
            product: Some("ML86-S1".into()),
            target: None,
            zone: None,
            saldo: false,
            voucher: None,
        }
    );
    assert_eq!(parse("beli 123 456"), Command::Usage(Usage::Buy));
}

#[test]
fn confirmations_status_cancel_support() {
    assert_eq!(parse("Ya"), Command::Yes);
    assert_eq!(parse("ok!"), Command::Yes);
    assert_eq!(parse("yes"), Command::Yes);
    assert_eq!(parse("tidak"), Command::No);
    assert_eq!(parse("BATAL"), Command::No);
    assert_eq!(parse("batal MS-7K3Q9XW2"), Command::Cancel(code()));
    assert_eq!(parse("batal ms 7k3q 9xw2"), Command::Cancel(code()));
    assert_eq!(parse("batal abc"), Command::Usage(Usage::Cancel));
    assert_eq!(parse("status ms-7k3q9xw2"), Command::Status(Some(code())));
    assert_eq!(parse("*Status* MS-7K3Q9XW2"), Command::Status(Some(code())));
    assert_eq!(parse("MS-7K3Q9XW2"), Command::Status(Some(code())));
    assert_eq!(parse("status"), Command::Status(None));
    assert_eq!(
        parse("cs: Kak, pesanan *saya* belum masuk?"),
        Command::Support("Kak, pesanan *saya* belum masuk?".into())
    );
    assert_eq!(parse("cs"), Command::Usage(Usage::Support));
}

#[test]
fn seller_commands() {
    assert_eq!(parse("saldo"), Command::Balance);
    assert_eq!(parse("Pesanan"), Command::Orders);
    assert_eq!(parse("proses MS-7K3Q9XW2"), Command::Process(code()));
    assert_eq!(parse("proses"), Command::Usage(Usage::Process));
    assert_eq!(parse("laporan"), Command::Report);
    assert_eq!(parse("TUTUP"), Command::Close);
    assert_eq!(parse("buka."), Command::Open);
    assert!(parse("proses MS-7K3Q9XW2").is_seller_only());
    assert!(!parse("cek MS-7K3Q9XW2").is_seller_only());
}

#[test]
fn guided_flow() {
    assert_eq!(
        interpret(Some(&Pending::Product), "ml86-s1"),
        Command::Buy {
            product: Some("ML86-S1".into()),
            target: None,
            zone: None,
            saldo: false,
            voucher: None,
        }
    );
    let target = Pending::Target {
        product: "ML86-S1".into(),
    };
    assert_eq!(
        interpret(Some(&target), "123456789 (2345)"),
        Command::Buy {
            product: Some("ML86-S1".into()),
            target: Some("123456789".into()),
            zone: Some("2345".into()),
            saldo: false,
            voucher: None,
        }
    );
    // Commands win over the flow.
    assert_eq!(interpret(Some(&target), "menu"), Command::Menu);
    assert_eq!(interpret(Some(&target), "batal"), Command::No);
    assert_eq!(interpret(None, "123456789 2345"), Command::Unknown);
    let confirm = Pending::Confirm {
        product: "ML86-S1".into(),
        target: "1".into(),
        zone: None,
        saldo: false,
        voucher: None,
    };
    assert_eq!(interpret(Some(&confirm), "ya"), Command::Yes);
    assert_eq!(interpret(Some(&confirm), "hmm"), Command::Unknown);
    let json = serde_json::to_string(&confirm).unwrap();
    assert_eq!(serde_json::from_str::<Pending>(&json).unwrap(), confirm);
}

#[test]
fn aliases() {
    assert_eq!(game_alias("ML"), Some("Mobile Legends"));
    assert_eq!(game_alias("mobile legends"), Some("Mobile Legends"));
    assert_eq!(game_alias("tetris"), None);
}

fn arb_command() -> impl Strategy<Value = Command> {
    let code = "[0-9A-HJKMNP-TV-Z]{8}".prop_map(|b| OrderCode::parse(&format!("MS-{b}")).unwrap());
    let game = prop::sample::select(vec![
        "Mobile Legends",
        "Free Fire",
        "Genshin Impact",
        "PUBG",
        "Valorant",
    ]);
    let product = "[A-Z]{1,4}[0-9]{0,4}(-S[0-9])?";
    prop_oneof![
        Just(Command::Menu),
        Just(Command::Yes),
        Just(Command::No),
        Just(Command::Orders),
        Just(Command::Balance),
        Just(Command::Report),
        Just(Command::Close),
        Just(Command::Open),
        Just(Command::Unknown),
        prop::sample::select(vec![
            Usage::CheckId,
            Usage::Buy,
            Usage::Status,
            Usage::Cancel,
            Usage::Support,
            Usage::Process,
        ])
        .prop_map(Command::Usage),
        code.clone().prop_map(|c| Command::Status(Some(c))),
        code.clone().prop_map(Command::Cancel),
        code.clone().prop_map(Command::Process),
        code.clone().prop_map(Command::CheckOrder),
        (game, "[0-9]{5,12}", prop::option::of("[0-9]{4,5}")).prop_map(|(g, t, z)| {
            Command::CheckId {
                game: g.to_string(),
                target: t,
                zone: z,
            }
        }),
        (product, "[0-9]{5,12}", prop::option::of("[0-9]{4,5}")).prop_map(|(p, t, z)| {
            Command::Buy {
                product: Some(p),
                target: Some(t),
                zone: z,
                saldo: false,
                voucher: None,
            }
        }),
        "[A-Za-z][A-Za-z0-9 ,?]{0,40}[A-Za-z0-9?]".prop_map(Command::Support),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text);
        let _ = interpret(Some(&Pending::Product), &text);
        let _ = interpret(Some(&Pending::Target { product: "ML86-S1".into() }), &text);
    }

    #[test]
    fn never_panics_on_any_unicode(text in any::<String>()) {
        let _ = parse(&text);
        let _ = interpret(Some(&Pending::Product), &text);
    }

    #[test]
    fn canonical_text_round_trips(command in arb_command()) {
        prop_assert_eq!(parse(&command.to_text()), command);
    }

    #[test]
    fn case_spacing_and_punctuation_do_not_matter(
        command in arb_command(),
        upper in any::<bool>(),
        pad in "[ ]{0,3}",
        end in prop::sample::select(vec!["", ".", "!", " ?", "!!"]),
    ) {
        // Support text is forwarded as typed, so only its command word may change.
        prop_assume!(!matches!(command, Command::Support(_)));
        let text = command.to_text();
        let text = if upper { text.to_uppercase() } else { text };
        let noisy = format!("{pad}{}{end}", text.split(' ').collect::<Vec<_>>().join(&format!(" {pad}")));
        prop_assert_eq!(parse(&noisy), command);
    }

    #[test]
    fn long_input_is_bounded(text in "[a-z ]{0,50}", n in 0usize..5_000) {
        let long = format!("cs {text}{}", "x".repeat(n));
        if let Command::Support(s) = parse(&long) {
            prop_assert!(s.chars().count() <= MAX_SUPPORT_CHARS);
        }
    }
}

#[test]
fn brands_are_found_by_the_names_people_use() {
    let ml = search_aliases("Mobile Legends B");
    for alias in ["ml", "mlbb", "mobile legends"] {
        assert!(
            ml.split(' ').collect::<Vec<_>>().join(" ").contains(alias),
            "{alias}: {ml}"
        );
    }
    assert!(search_aliases("Free Fire").split(' ').any(|w| w == "ff"));
    assert!(search_aliases("PUBG Mobile")
        .split(' ')
        .any(|w| w == "pubg"));
    assert!(search_aliases("Honor of Kings")
        .split(' ')
        .any(|w| w == "hok"));
    assert!(search_aliases("Telkomsel").split(' ').any(|w| w == "tsel"));
    assert_eq!(search_aliases("Some New Game"), "");
    assert_eq!(game_alias("hok"), Some("Honor of Kings"));
}

#[test]
fn paying_with_saldo() {
    let c = code();
    for text in [
        "bayar saldo MS-7K3Q9XW2",
        "Bayar MS-7K3Q9XW2 pakai saldo",
        "pakai saldo ms 7k3q 9xw2",
        "bayar pakai saldo MS-7K3Q9XW2",
    ] {
        assert_eq!(parse(text), Command::PayWithSaldo(c.clone()), "{text}");
    }
    assert_eq!(parse("bayar saldo"), Command::Usage(Usage::PayWithSaldo));
    assert_eq!(parse("saldo"), Command::Balance);
    assert!(
        !Command::Balance.is_seller_only(),
        "customers read their own saldo"
    );
    assert_eq!(
        parse(&Command::PayWithSaldo(c.clone()).to_text()),
        Command::PayWithSaldo(c)
    );
}

#[test]
fn cashing_saldo_out() {
    let want = |amount: i64, method: crate::RefundMethod, account: &str| Command::CashOut {
        amount: crate::Rupiah::new(amount),
        method,
        account: account.into(),
    };
    assert_eq!(
        parse("tarik 50000 dana 081234567890"),
        want(50_000, crate::RefundMethod::Dana, "081234567890")
    );
    assert_eq!(
        parse("Tarik saldo 25.000 BCA 1234567890 a.n. Budi"),
        want(25_000, crate::RefundMethod::Bank, "1234567890 a.n. Budi")
    );
    assert_eq!(
        parse("tarik Rp10.000 gopay 0812 3456 7890"),
        want(10_000, crate::RefundMethod::GoPay, "0812 3456 7890")
    );
    for bad in [
        "tarik",
        "tarik 50000",
        "tarik 50000 dana",
        "tarik nol dana 0812",
        "tarik 5000 saldo 0812",
        "tarik 0 dana 0812",
    ] {
        assert_eq!(parse(bad), Command::Usage(Usage::CashOut), "{bad}");
    }
    let c = want(50_000, crate::RefundMethod::Ovo, "081234567890");
    assert_eq!(parse(&c.to_text()), c);
}

#[test]
fn a_voucher_rides_along_with_an_order() {
    let with = |voucher: &str, saldo: bool| Command::Buy {
        product: Some("ML86-S1".into()),
        target: Some("123456789".into()),
        zone: Some("2345".into()),
        saldo,
        voucher: Some(voucher.into()),
    };
    assert_eq!(
        parse("beli ML86-S1 123456789 2345 kode hemat10"),
        with("HEMAT10", false)
    );
    assert_eq!(
        parse("beli ML86-S1 123456789 2345 kode HEMAT10 pakai saldo"),
        with("HEMAT10", true)
    );
    assert_eq!(
        parse("beli ML86-S1 123456789 2345 pakai saldo voucher HEMAT10"),
        with("HEMAT10", true)
    );
    // The command written back reads the same.
    let c = with("HEMAT10", true);
    assert_eq!(parse(&c.to_text()), c);
}
