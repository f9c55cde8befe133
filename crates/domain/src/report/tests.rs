use super::csv::csv_row;
use super::*;
use proptest::prelude::*;
use time::{Date, Month as TimeMonth};

fn ms(y: i32, m: u8, d: u8, h: u8) -> i64 {
    let date = Date::from_calendar_date(y, TimeMonth::try_from(m).unwrap(), d).unwrap();
    let t = date
        .with_hms(h, 0, 0)
        .unwrap()
        .assume_offset(crate::time::WIB);
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[test]
fn months_are_wib() {
    let m = Month::parse("2026-03").unwrap();
    assert_eq!(m.to_string(), "2026-03");
    assert_eq!(m.days(), 31);
    assert_eq!(Month::parse("2028-02").unwrap().days(), 29);
    assert_eq!(m.day_of(ms(2026, 3, 1, 0)), Some(1));
    assert_eq!(m.day_of(ms(2026, 3, 31, 23)), Some(31));
    assert_eq!(m.day_of(ms(2026, 4, 1, 0)), None);
    assert_eq!(m.day_of(ms(2026, 2, 28, 23)), None);
    // 1 March 00:30 WIB is still 28 February in UTC.
    assert_eq!(Month::containing(ms(2026, 3, 1, 0) + 30 * 60_000), m);
    assert_eq!(m.next(), Month::parse("2026-04").unwrap());
    assert_eq!(
        Month::parse("2026-01").unwrap().prev().to_string(),
        "2025-12"
    );
    assert_eq!(m.label_id(), "Maret 2026");
    for bad in ["2026-3", "2026-13", "26-03", "abcd-ef", "", "2026-00"] {
        assert!(Month::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn gopay_deposit_fee() {
    // 0.7% of 1 000 000 = 7 000, + 2 000.
    assert_eq!(
        DepositFee::GOPAY.of(Rupiah::new(1_000_000)),
        Rupiah::new(9_000)
    );
    // 0.7% of 250 050 = 1 750.35 → 1 750.
    assert_eq!(
        DepositFee::GOPAY.of(Rupiah::new(250_050)),
        Rupiah::new(3_750)
    );
    assert_eq!(DepositFee::default().of(Rupiah::new(500_000)), Rupiah::ZERO);
}

fn order(
    closed: Closed,
    day: u8,
    due: i64,
    paid: i64,
    cost: i64,
    refund: i64,
    fee: i64,
) -> OrderFigures {
    OrderFigures {
        code: format!("MS-{day}{due}"),
        product_code: format!("P{}", due / 1000),
        product_name: format!("Produk {}", due / 1000),
        closed,
        closed_at: ms(2026, 3, day, 10),
        amount_due: Rupiah::new(due),
        amount_paid: Rupiah::new(paid),
        supplier_cost: Rupiah::new(cost),
        refund_amount: Rupiah::new(refund),
        payment_fee: Rupiah::new(fee),
        payments_without_net: 0,
        discount: Rupiah::ZERO,
        voucher: None,
    }
}

#[test]
fn worked_example() {
    let input = ReportInput {
        month: Month::parse("2026-03").unwrap(),
        orders: vec![
            order(Closed::Delivered, 2, 20_000, 20_000, 17_500, 0, 1_156),
            order(Closed::Delivered, 2, 20_000, 21_000, 17_500, 0, 1_214),
            order(Closed::Refunded, 5, 50_000, 50_000, 0, 48_000, 2_890),
            // Another month: ignored.
            OrderFigures {
                closed_at: ms(2026, 4, 1, 0),
                ..order(Closed::Delivered, 9, 99_000, 99_000, 1, 0, 1)
            },
        ],
        deposits: vec![DepositFigures {
            at: ms(2026, 3, 1, 8),
            method: "gopay".into(),
            amount: Rupiah::new(100_000),
            fee: DepositFee::GOPAY.of(Rupiah::new(100_000)),
        }],
        overpaid_returns: vec![],
        expired_held: Held {
            count: 1,
            gross: Rupiah::new(5_000),
        },
        unmatched: Held::default(),
        saldo: SaldoLiability::default(),
        saldo_credit_fees: Vec::new(),
        service_share: Bps::new(2500),
    };
    let r = build(&input);
    assert_eq!(r.amount(LineKey::Sales), Rupiah::new(40_000));
    assert_eq!(r.amount(LineKey::Overpaid), Rupiah::new(1_000));
    assert_eq!(r.amount(LineKey::RefundedReceived), Rupiah::new(50_000));
    assert_eq!(r.amount(LineKey::Refunds), Rupiah::new(-48_000));
    assert_eq!(r.amount(LineKey::SupplierCost), Rupiah::new(-35_000));
    assert_eq!(r.amount(LineKey::PaymentFees), Rupiah::new(-5_260));
    assert_eq!(r.amount(LineKey::DepositFees), Rupiah::new(-2_700));
    // 40 000 + 1 000 + 50 000 − 48 000 − 35 000 − 5 260 − 2 700 = 40
    assert_eq!(r.net_profit(), Rupiah::new(40));
    assert_eq!(r.amount(LineKey::ServiceFee), Rupiah::new(-10));
    assert_eq!(r.owner_profit(), Rupiah::new(30));
    assert_eq!(r.notes.len(), 1);
    assert_eq!(r.days[1].delivered, 2);
    assert_eq!(r.days[1].net, Rupiah::new(41_000 - 35_000 - 2_370));
    assert_eq!(r.products.len(), 2);
    let csv = r.to_csv();
    assert!(csv.starts_with("bagian,kunci,keterangan,jumlah,penjelasan\n"));
    assert!(
        csv.contains("ringkasan,net_profit,Laba bersih,40,"),
        "{csv}"
    );
    assert!(
        csv.contains("2026-03-02,2,0,41000,-35000,-2370,0,3630\n"),
        "{csv}"
    );
}

#[test]
fn a_loss_pays_no_service_fee() {
    let r = build(&ReportInput {
        month: Month::parse("2026-03").unwrap(),
        orders: vec![order(Closed::Delivered, 3, 10_000, 10_000, 11_000, 0, 500)],
        deposits: vec![],
        overpaid_returns: vec![],
        expired_held: Held::default(),
        unmatched: Held::default(),
        saldo: SaldoLiability::default(),
        saldo_credit_fees: Vec::new(),
        service_share: Bps::new(3000),
    });
    assert_eq!(r.net_profit(), Rupiah::new(-1_500));
    assert_eq!(r.amount(LineKey::ServiceFee), Rupiah::ZERO);
    assert_eq!(r.owner_profit(), Rupiah::new(-1_500));
}

#[test]
fn csv_quotes_and_defuses_formulas() {
    let mut s = String::new();
    csv_row(
        &mut s,
        &["=HYPERLINK(1)", "a,b", "say \"hi\"", "-500", "-x"],
    );
    assert_eq!(s, "'=HYPERLINK(1),\"a,b\",\"say \"\"hi\"\"\",-500,'-x\n");
}

#[test]
fn returned_overpayments_count_when_both_happened() {
    let ret = |closed: i64, returned: i64, amount: i64| OverpaymentReturn {
        product_code: "P20".into(),
        product_name: "Produk 20".into(),
        counted_at: OverpaymentReturn::counted_at(returned, closed),
        amount: Rupiah::new(amount),
    };
    let input = ReportInput {
        month: Month::parse("2026-03").unwrap(),
        // Delivered 2 March with 1 000 overpaid.
        orders: vec![order(
            Closed::Delivered,
            2,
            20_000,
            21_000,
            17_500,
            0,
            1_214,
        )],
        deposits: vec![],
        overpaid_returns: vec![
            // Returned on 4 March: March, day 4.
            ret(ms(2026, 3, 2, 10), ms(2026, 3, 4, 9), 600),
            // Returned on 28 February while the order was still open: counts on 2 March.
            ret(ms(2026, 3, 2, 10), ms(2026, 2, 28, 9), 300),
            // Returned in April for a March order: April's (March is not rewritten).
            ret(ms(2026, 3, 2, 10), ms(2026, 4, 2, 9), 100),
        ],
        expired_held: Held::default(),
        unmatched: Held::default(),
        saldo: SaldoLiability::default(),
        saldo_credit_fees: Vec::new(),
        service_share: Bps::new(2500),
    };
    let r = build(&input);
    assert_eq!(r.amount(LineKey::Overpaid), Rupiah::new(1_000));
    assert_eq!(r.amount(LineKey::OverpaidReturned), Rupiah::new(-900));
    // 20 000 + 1 000 − 900 − 17 500 − 1 214 = 1 386
    assert_eq!(r.net_profit(), Rupiah::new(1_386));
    assert_eq!(r.days[1].income, Rupiah::new(21_000 - 300));
    assert_eq!(r.days[3].income, Rupiah::new(-600));
    assert_eq!(r.days[3].net, Rupiah::new(-600));
    assert_eq!(r.products[0].margin, Rupiah::new(1_386));
    assert!(r.to_csv().contains(
        "ringkasan,overpaid_returned,Kelebihan bayar dikembalikan,-900,2 kali kelebihan bayar"
    ));
    let april = build(&ReportInput {
        month: Month::parse("2026-04").unwrap(),
        ..input
    });
    assert_eq!(april.amount(LineKey::OverpaidReturned), Rupiah::new(-100));
    assert_eq!(april.net_profit(), Rupiah::new(-100));
}

fn arb_order() -> impl Strategy<Value = OrderFigures> {
    (
        any::<bool>(),
        1u8..=31,
        0i64..5_000_000,
        0i64..100_000,
        0i64..5_000_000,
        0i64..5_000_000,
        0i64..200_000,
        0u8..5,
    )
        .prop_map(
            |(delivered, day, due, over, cost, refund, fee, product)| OrderFigures {
                code: format!("MS-{day}"),
                product_code: format!("P{product}"),
                product_name: format!("Produk {product}"),
                closed: if delivered {
                    Closed::Delivered
                } else {
                    Closed::Refunded
                },
                closed_at: ms(2026, 3, day, 12),
                amount_due: Rupiah::new(due),
                amount_paid: Rupiah::new(due + over),
                supplier_cost: Rupiah::new(cost),
                refund_amount: Rupiah::new(refund.min(due + over)),
                payment_fee: Rupiah::new(fee),
                payments_without_net: 0,
                discount: Rupiah::ZERO,
                voucher: None,
            },
        )
}

proptest! {
    #[test]
    fn lines_days_and_products_add_up(
        orders in prop::collection::vec(arb_order(), 0..40),
        deposits in prop::collection::vec((1u8..=31, 0i64..10_000_000, any::<bool>()), 0..10),
        share in 0u32..=10_000,
        returns in prop::collection::vec((1u8..=31, 0i64..100_000, 0u8..5), 0..10),
    ) {
        let returns: Vec<OverpaymentReturn> = returns.into_iter().map(|(day, amount, product)| OverpaymentReturn {
            product_code: format!("P{product}"),
            product_name: format!("Produk {product}"),
            counted_at: ms(2026, 3, day, 11),
            amount: Rupiah::new(amount),
        }).collect();
        let deposits: Vec<DepositFigures> = deposits.into_iter().map(|(day, amount, gopay)| {
            let fee = if gopay { DepositFee::GOPAY } else { DepositFee::default() };
            DepositFigures { at: ms(2026, 3, day, 9), method: "x".into(), amount: Rupiah::new(amount), fee: fee.of(Rupiah::new(amount)) }
        }).collect();
        let r = build(&ReportInput {
            month: Month::parse("2026-03").unwrap(),
            orders: orders.clone(),
            deposits,
            overpaid_returns: returns,
            expired_held: Held::default(),
            unmatched: Held::default(),
            saldo: SaldoLiability::default(),
        saldo_credit_fees: Vec::new(),
            service_share: Bps::new(share),
        });
        let items: Rupiah = r.lines.iter().take_while(|l| l.key != LineKey::NetProfit).map(|l| l.amount).sum();
        prop_assert_eq!(items, r.net_profit());
        prop_assert_eq!(r.net_profit() + r.amount(LineKey::ServiceFee), r.owner_profit());
        let service = -r.amount(LineKey::ServiceFee);
        prop_assert!(service >= Rupiah::ZERO);
        if r.net_profit().is_positive() {
            prop_assert!(service <= r.net_profit());
            // Half up: within half a rupiah of the exact share.
            let exact = r.net_profit().amount() as i128 * share as i128;
            prop_assert!((service.amount() as i128 * 10_000 - exact).abs() <= 5_000);
        }
        let day_net: Rupiah = r.days.iter().map(|d| d.net).sum();
        prop_assert_eq!(day_net, r.net_profit());
        let day_fees: Rupiah = r.days.iter().map(|d| d.deposit_fees).sum();
        prop_assert_eq!(day_fees, r.amount(LineKey::DepositFees));
        let margin: Rupiah = r.products.iter().map(|p| p.margin).sum();
        prop_assert_eq!(margin, r.net_profit() - r.amount(LineKey::DepositFees));
        let supplier: Rupiah = r.products.iter().map(|p| p.supplier_cost).sum();
        prop_assert_eq!(supplier, r.amount(LineKey::SupplierCost));
        let counted: i64 = r.products.iter().map(|p| p.delivered + p.refunded).sum();
        prop_assert_eq!(counted, orders.len() as i64);
    }
}

#[test]
fn trakteers_cut_on_a_payment_put_into_saldo_is_a_cost_that_day() {
    let month = Month::parse("2026-03").unwrap();
    let at = month.start_ms() + 3 * 86_400_000 + 3_600_000;
    let r = build(&ReportInput {
        month,
        orders: Vec::new(),
        deposits: Vec::new(),
        overpaid_returns: Vec::new(),
        expired_held: Held::default(),
        unmatched: Held::default(),
        service_share: Bps::ZERO,
        saldo: SaldoLiability::new(Rupiah::ZERO, Rupiah::new(10_000), Rupiah::ZERO),
        saldo_credit_fees: vec![CreditFee {
            at,
            fee: Rupiah::new(578),
        }],
    });
    assert_eq!(r.amount(LineKey::PaymentFees), Rupiah::new(-578));
    assert_eq!(r.net_profit(), Rupiah::new(-578));
    assert_eq!(r.days[3].payment_fees, Rupiah::new(-578));
    let days: Rupiah = r.days.iter().map(|d| d.net).sum();
    assert_eq!(days, r.net_profit());
    assert_eq!(r.saldo.closing, Rupiah::new(10_000));
}
