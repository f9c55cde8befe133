//! What each payment rail costs the seller (issue 23), on both databases: a month with orders
//! paid through Midtrans, Tripay and Trakteer gives exactly the hand-computed payment-cost lines,
//! and no price is below cost + the minimum markup after **any** configured rail's cut.

use crate::common::{TestStore, CUSTOMER};
use madd_domain::report::LineKey;
use madd_domain::{Bps, Month, OrderStatus, PaymentCost, RailId, Rupiah};

const ML: &str = "ML86-S1";

fn three_rails(env: &mut std::collections::BTreeMap<String, String>) {
    env.insert("MADD_PAYMENT".into(), "sandbox".into());
    env.insert("MADD_PAYMENTS".into(), "midtrans,tripay,trakteer".into());
    env.insert("MADD_FULFILMENT".into(), "auto".into());
}

async fn pause(s: &TestStore, rail: RailId) {
    let mut conn = s.app().db.write().await.unwrap();
    maddstore::db::payment_attempts::set_paused(&mut conn, rail, Some(s.app().now_ms()))
        .await
        .unwrap();
}

/// Orders ML86 and answers its code, amount due and the rail its payment was made at.
async fn order(s: &TestStore) -> (String, i64, String) {
    let (status, order) = s.buy(ML, CUSTOMER, "").await;
    assert_eq!(status, 201, "{order}");
    let code = order["code"].as_str().unwrap().to_string();
    s.settle().await;
    let (_, view) = s.get_json(&format!("/api/v1/orders/{code}")).await;
    let rail = view["payment"]["rail"].as_str().unwrap_or("").to_string();
    (code, order["amount_due"].as_i64().unwrap(), rail)
}

fn ceil_bps(amount: i64, bps: i64) -> i64 {
    (amount * bps + 9_999) / 10_000
}

fn round_bps(amount: i64, bps: i64) -> i64 {
    (amount * bps + 5_000) / 10_000
}

both_backends!(
    a_month_through_three_rails_books_exact_payment_costs,
    three_rails,
    |s: TestStore| async move {
        let (m_code, m_due, rail) = order(&s).await;
        assert_eq!(rail, "midtrans");
        s.sandbox()
            .midtrans
            .pay(&format!("{m_code}-1"))
            .await
            .unwrap();
        pause(&s, RailId::Midtrans).await;
        let (t_code, t_due, rail) = order(&s).await;
        assert_eq!(rail, "tripay");
        s.sandbox()
            .tripay
            .pay(&format!("{t_code}-1"))
            .await
            .unwrap();
        pause(&s, RailId::Tripay).await;
        let (k_code, k_due, rail) = order(&s).await;
        assert_eq!(rail, "trakteer");
        assert_eq!(
            k_due % 1000,
            0,
            "Trakteer is a rail: amounts are whole units"
        );
        s.pay(k_due / 1000, &k_code).await;
        s.settle().await;
        for code in [&m_code, &t_code, &k_code] {
            assert_eq!(
                s.order_row(code).await.status,
                OrderStatus::Delivered,
                "{code}"
            );
        }

        // By hand: Midtrans 0.7 % rounded up; Tripay Rp 750 + 0.7 % rounded up (its callback's
        // total_fee); Trakteer 5 % + 0.78 %, each rounded half up (its webhook's net_amount).
        let midtrans = ceil_bps(m_due, 70);
        let tripay = 750 + ceil_bps(t_due, 70);
        let trakteer = round_bps(k_due, 500) + round_bps(k_due, 78);
        let month = Month::containing(s.app().now_ms());
        let lines = maddstore::service::report::payment_costs_by_rail(s.app(), month)
            .await
            .unwrap();
        let got: Vec<(String, i64, i64, Option<i64>)> = lines
            .iter()
            .map(|l| {
                (
                    l.rail.clone(),
                    l.gross.amount(),
                    l.fees.amount(),
                    l.trakteer_would_cost.map(Rupiah::amount),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "midtrans".into(),
                    m_due,
                    midtrans,
                    Some(ceil_bps(m_due, 578))
                ),
                ("trakteer".into(), k_due, trakteer, None),
                ("tripay".into(), t_due, tripay, Some(ceil_bps(t_due, 578))),
            ]
        );
        let report = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(
            report.amount(LineKey::PaymentFees).amount().abs(),
            midtrans + tripay + trakteer
        );
        // The report page shows the split.
        let (session, _) = s.admin_login().await;
        let html = s
            .http
            .get(s.url(&format!("/admin/reports/{month}")))
            .header("cookie", session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("id=\"rail-costs\"") && html.contains("Tripay QRIS"),
            "{html}"
        );
        s
    }
);

both_backends!(
    no_price_is_below_cost_and_markup_after_any_rails_cut,
    three_rails,
    |s: TestStore| async move {
        let mut conn = s.app().db.write().await.unwrap();
        let products = maddstore::db::products::list(&mut conn, None)
            .await
            .unwrap();
        drop(conn);
        let cuts = [
            PaymentCost {
                rate: Bps::new(70),
                fixed: Rupiah::ZERO,
            },
            PaymentCost {
                rate: Bps::new(70),
                fixed: Rupiah::new(750),
            },
            PaymentCost {
                rate: Bps::new(578),
                fixed: Rupiah::ZERO,
            },
        ];
        let mut checked = 0;
        for p in products
            .iter()
            .filter(|p| p.cost.is_positive() && p.sellable())
        {
            for cut in &cuts {
                assert!(
                    cut.net(p.price) >= p.cost + Rupiah::new(500),
                    "{} at {} loses on {cut:?} (cost {})",
                    p.code,
                    p.price,
                    p.cost
                );
            }
            checked += 1;
        }
        assert!(checked > 20, "{checked}");
        s
    }
);
