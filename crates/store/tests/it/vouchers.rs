//! Vouchers: uses reserved with unpaid orders and given back on expiry, never more than allowed
//! however many checkouts race; the discount on the order, the invoice and the month's report —
//! on SQLite and PostgreSQL.

use crate::common::{unlimited_lookups, TestStore};
use madd_domain::report::LineKey;
use madd_domain::voucher::{Amount, Scope};
use madd_domain::{Bps, Month, OrderStatus, Rupiah};

const ML: &str = "ML86-S1";

async fn used(s: &TestStore, code: &str) -> i64 {
    let mut conn = s.app().db.write().await.unwrap();
    maddstore::db::vouchers::get(&mut conn, code)
        .await
        .unwrap()
        .unwrap()
        .used
}

both_backends!(
    five_uses_raced_by_fifty_checkouts_are_used_five_times_and_come_back_on_expiry,
    unlimited_lookups,
    |s: TestStore| async move {
        s.voucher("LIMA", Amount::Fixed(Rupiah::new(2_000)), |v| {
            v.total_uses = Some(5)
        })
        .await;
        let tries = (0..50).map(|i| {
            let s = &s;
            async move { s.buy(ML, &format!("0812-5555-{i:04}"), "lima").await }
        });
        let answers = futures::future::join_all(tries).await;
        let made: Vec<&serde_json::Value> = answers
            .iter()
            .filter(|(status, _)| *status == 201)
            .map(|(_, body)| body)
            .collect();
        assert_eq!(made.len(), 5, "{answers:?}");
        for (status, body) in answers.iter().filter(|(st, _)| *st != 201) {
            assert_eq!(*status, 422, "{body}");
            assert_eq!(body["error"]["code"], "voucher_used_up", "{body}");
        }
        for order in &made {
            assert_eq!(order["voucher"], "LIMA");
            assert_eq!(order["discount"], 2_000);
        }
        assert_eq!(used(&s, "LIMA").await, 5);
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM voucher_uses WHERE state = 'reserved'")
                .await,
            5
        );

        // Nobody pays: when the orders expire their uses come back, and the voucher sells again.
        s.advance(time::Duration::minutes(61)).await;
        for order in &made {
            let row = s.order_row(order["code"].as_str().unwrap()).await;
            assert_eq!(row.status, OrderStatus::Expired);
        }
        assert_eq!(used(&s, "LIMA").await, 0);
        let (status, again) = s.buy(ML, "0812-5555-9999", "LIMA").await;
        assert_eq!(status, 201, "{again}");
        assert_eq!(used(&s, "LIMA").await, 1);
        s
    }
);

both_backends!(
    limits_per_number_first_order_scope_and_floor,
    unlimited_lookups,
    |s: TestStore| async move {
        // One use per number.
        s.voucher("SEKALI", Amount::Fixed(Rupiah::new(1_000)), |v| {
            v.per_number = Some(1)
        })
        .await;
        assert_eq!(s.buy(ML, "0812-3456-7890", "SEKALI").await.0, 201);
        let (status, body) = s.buy(ML, "0812-3456-7890", "SEKALI").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("voucher_used_up_for_number"))
        );
        assert_eq!(s.buy(ML, "0812-3456-7891", "SEKALI").await.0, 201);

        // Only for a number that never bought: the first order is paid, the next is refused.
        s.voucher("BARU", Amount::Fixed(Rupiah::new(1_000)), |v| {
            v.first_order_only = true
        })
        .await;
        let (status, first) = s.buy(ML, "0812-7777-0001", "BARU").await;
        assert_eq!(status, 201, "{first}");
        let code = first["code"].as_str().unwrap();
        s.pay(first["amount_due"].as_i64().unwrap() / 1000, code)
            .await;
        let (status, body) = s.buy(ML, "0812-7777-0001", "BARU").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("voucher_first_order_only"))
        );

        // Out of scope, unknown, and the floor: without the seller's leave a voucher never takes
        // the price below cost + the payment cut.
        s.voucher("PULSA", Amount::Fixed(Rupiah::new(1_000)), |v| {
            v.scope = Scope::Category(madd_domain::Category::Pulsa)
        })
        .await;
        let (status, body) = s.buy(ML, "0812-7777-0002", "PULSA").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("voucher_out_of_scope"))
        );
        let (status, body) = s.buy(ML, "0812-7777-0002", "NGAWUR").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("voucher_unknown"))
        );
        s.voucher(
            "SETENGAH",
            Amount::Percent {
                rate: Bps::new(5_000),
                cap: None,
            },
            |v| v.below_cost = false,
        )
        .await;
        // Mobile Legends 86 is priced at its floor already: nothing can come off.
        let (status, body) = s.buy(ML, "0812-7777-0003", "SETENGAH").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("voucher_nothing_off"))
        );
        // 1048 diamonds have room: half is asked, only down to the floor is given.
        const BIG: &str = "ML1048-S1";
        let product = {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::products::get(&mut conn, BIG)
                .await
                .unwrap()
                .unwrap()
        };
        let (status, half) = s.buy(BIG, "0812-7777-0003", "SETENGAH").await;
        assert_eq!(status, 201, "{half} {product:?}");
        let sold_for = half["price"].as_i64().unwrap();
        assert!(
            sold_for >= product.cost.amount() && sold_for < product.price.amount(),
            "sold for {sold_for}, cost {}, list {}",
            product.cost,
            product.price
        );
        assert_eq!(
            half["discount"].as_i64().unwrap() + sold_for,
            product.price.amount()
        );
        assert_eq!(sold_for % 1000, 0, "whole payment units");
        // The confirmation card says why half was not half, above the pay button.
        let card = s
            .http
            .post(s.url("/checkout"))
            .form(&[
                ("product", BIG),
                ("target", "123456780"),
                ("zone", "2345"),
                ("whatsapp", "0812-7777-0004"),
                ("voucher", "SETENGAH"),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let note = card
            .split("id=\"discount-note\">")
            .nth(1)
            .and_then(|t| t.split("</dd>").next())
            .unwrap_or_else(|| panic!("no note on the card: {card}"));
        assert!(note.contains("modal"), "the floor is why: {note}");
        assert!(
            card.find("id=\"apply-voucher\"").unwrap() < card.find("id=\"place\"").unwrap(),
            "the voucher field comes before the pay button"
        );
        s
    }
);

both_backends!(
    a_months_vouchers_are_a_line_of_the_report_that_adds_up,
    unlimited_lookups,
    |s: TestStore| async move {
        s.voucher("HEMAT2", Amount::Fixed(Rupiah::new(2_000)), |_| {})
            .await;
        s.voucher("HEMAT3", Amount::Fixed(Rupiah::new(3_000)), |_| {})
            .await;
        let mut due = 0;
        let mut list = 0;
        for (v, number) in [
            ("HEMAT2", "0812-1111-0001"),
            ("HEMAT3", "0812-1111-0002"),
            ("", "0812-1111-0003"),
        ] {
            let (status, order) = s.buy(ML, number, v).await;
            assert_eq!(status, 201, "{order}");
            let code = order["code"].as_str().unwrap().to_string();
            s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
                .await;
            maddstore::service::fulfilment::process(s.app(), &code, "test")
                .await
                .unwrap();
            s.settle().await;
            let row = s.order_row(&code).await;
            assert_eq!(row.status, OrderStatus::Delivered);
            due += row.amount_due.amount();
            list += row.amount_due.amount() + row.discount.amount();
        }
        let report = maddstore::service::report::monthly_report(
            s.app(),
            Month::containing(s.app().now_ms()),
        )
        .await
        .unwrap();
        // List price 3 × the product's; discounts 2 000 + 3 000; received = list − discounts.
        assert_eq!(report.amount(LineKey::ListSales).amount(), list);
        assert_eq!(report.amount(LineKey::Discounts).amount(), -5_000);
        assert_eq!(report.amount(LineKey::Sales).amount(), due);
        assert_eq!(list - 5_000, due);
        // The items (not the subtotals) still add up to the net profit.
        let items: i64 = report
            .lines
            .iter()
            .take_while(|l| l.key != LineKey::NetProfit)
            .filter(|l| !l.total)
            .map(|l| l.amount.amount())
            .sum();
        assert_eq!(items, report.net_profit().amount());
        let by_code: Vec<(String, i64, i64)> = report
            .vouchers
            .iter()
            .map(|v| (v.code.clone(), v.orders, v.discounts.amount()))
            .collect();
        assert_eq!(
            by_code,
            vec![("HEMAT2".into(), 1, 2_000), ("HEMAT3".into(), 1, 3_000)]
        );
        let ml = report
            .products
            .iter()
            .find(|p| p.product_code == ML)
            .unwrap();
        assert_eq!(ml.discounts.amount(), 5_000);
        s
    }
);

both_backends!(
    a_voucher_in_chat_is_shown_then_taken_with_the_order,
    |s: TestStore| async move {
        s.voucher("CHAT2", Amount::Fixed(Rupiah::new(2_000)), |v| {
            v.total_uses = Some(1)
        })
        .await;
        let sim = &s.sandbox().whatsapp;
        sim.receive_from(
            crate::common::CUSTOMER,
            "beli ML86-S1 123456780 2345 kode chat2",
        )
        .await
        .unwrap();
        s.settle().await;
        let shown = s
            .inbox(crate::common::CUSTOMER)
            .last()
            .map(|m| m.body.clone())
            .unwrap_or_default();
        assert!(shown.contains("Voucher CHAT2: − Rp"), "{shown}");
        assert_eq!(used(&s, "CHAT2").await, 0, "shown, not yet taken");
        sim.receive_from(crate::common::CUSTOMER, "ya")
            .await
            .unwrap();
        s.settle().await;
        assert_eq!(used(&s, "CHAT2").await, 1);
        let discounted = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE voucher = 'CHAT2' AND discount = 2000")
            .await;
        assert_eq!(discounted, 1);
        // Used up: the next chat order with it is told so and nothing is made.
        sim.receive_from(
            crate::common::CUSTOMER,
            "beli ML86-S1 123456780 2345 kode CHAT2",
        )
        .await
        .unwrap();
        s.settle().await;
        let refused = s
            .inbox(crate::common::CUSTOMER)
            .last()
            .map(|m| m.body.clone())
            .unwrap_or_default();
        assert!(refused.contains("habis"), "{refused}");
        s
    }
);
