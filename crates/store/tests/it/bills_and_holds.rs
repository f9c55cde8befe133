//! The money core's promises about what a sale keeps and what an order holds, on SQLite and
//! PostgreSQL: a month of PLN bills paid through Trakteer's 5.78 % cut leaves the store its
//! minimum markup on each (they were once sold below cost); a voucher use and a flash-sale unit
//! are reserved with an unpaid order, given back with the same timeline lines whether it expires
//! or its customer cancels it in the chat, and spent for good when it is paid.

use crate::chat::cloud_says;
use crate::common::TestStore;
use madd_domain::report::LineKey;
use madd_domain::voucher::Amount;
use madd_domain::{Month, OrderStatus, Rupiah};

/// Trakteer's cut on `gross` as the settings estimate it: 5.78 %, rounded up.
fn cut(gross: i64) -> i64 {
    (gross * 578 + 9_999) / 10_000
}

both_backends!(
    a_month_of_bills_at_trakteers_cut_keeps_the_minimum_markup_on_each,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_FULFILMENT".into(), "auto".into());
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        // Customer numbers ending in 1: the sandbox has a bill for each, and pays it.
        let mut expected_margin = 0;
        for (i, number) in ["123456789011", "123456789021", "123456789031"]
            .iter()
            .enumerate()
        {
            let order = s.order("PLNPASCA", number, None).await;
            let code = order["code"].as_str().unwrap().to_string();
            let row = s.order_row(&code).await;
            let (price, total) = (row.amount_due.amount(), row.cost.amount());
            // By hand: the smallest multiple of Rp 1 000 whose net after the cut covers the
            // bill's total plus the Rp 500 minimum markup.
            let by_hand = (1..)
                .map(|k| k * 1_000)
                .find(|p| p - cut(*p) >= total + 500)
                .unwrap();
            assert_eq!(price, by_hand, "bill {i}: total {total}");
            s.pay(price / 1_000, &code).await;
            s.settle().await;
            assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
            expected_margin += price - cut(price) - total;
        }
        assert!(expected_margin >= 3 * 500, "{expected_margin}");
        let report = maddstore::service::report::monthly_report(
            s.app(),
            Month::containing(s.app().now_ms()),
        )
        .await
        .unwrap();
        let sales = report.amount(LineKey::Sales).amount();
        let cost = report.amount(LineKey::SupplierCost).amount();
        let fees = report.amount(LineKey::PaymentFees).amount();
        assert!(
            cost < 0 && fees < 0,
            "costs are negative lines: {cost} {fees}"
        );
        assert_eq!(
            sales + cost + fees,
            expected_margin,
            "sales {sales} cost {cost} fees {fees}"
        );
        assert!(report.net_profit().amount() >= 0);
        s
    }
);

async fn held(s: &TestStore, table: &str, code: &str) -> String {
    let mut conn = s.app().db.write().await.unwrap();
    sqlx::query_scalar(&format!(
        "SELECT h.state FROM {table} h JOIN orders o ON o.id = h.order_id WHERE o.code = $1"
    ))
    .bind(code)
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

async fn events(s: &TestStore, code: &str) -> Vec<(String, String)> {
    let mut conn = s.app().db.write().await.unwrap();
    sqlx::query_as(
        "SELECT e.actor, e.kind FROM order_events e JOIN orders o ON o.id = e.order_id \
         WHERE o.code = $1 ORDER BY e.id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

both_backends!(
    holds_come_back_alike_on_expiry_and_chat_batal_and_are_spent_when_paid,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
        env.insert("MADD_MARKUP_PERCENT".into(), "30".into());
    },
    |s: TestStore| async move {
        const ML: &str = "ML86-S1";
        const FF: &str = "ML172-S1";
        s.voucher("HEMAT", Amount::Fixed(Rupiah::new(1_000)), |_| {})
            .await;
        let list = {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::products::get(&mut conn, ML)
                .await
                .unwrap()
                .unwrap()
                .price
        };
        let now = s.app().now_ms();
        let sale = maddstore::service::flash_sales::NewFlashSale {
            product_code: ML,
            price: list - Rupiah::new(1_000),
            starts_at: now,
            ends_at: now + 86_400_000,
            stock: 10,
            actor: "admin:test",
        };
        maddstore::service::flash_sales::create(s.app(), &sale)
            .await
            .unwrap();
        let numbers = ["6281355550001", "6281355550002", "6281355550003"];
        let mut orders = Vec::new();
        for number in numbers {
            // One order on the sale, one with the voucher, for each number.
            let (status, on_sale) = s.buy(ML, number, "").await;
            assert_eq!(status, 201, "{on_sale}");
            let (status, with_voucher) = s.buy(FF, number, "HEMAT").await;
            assert_eq!(status, 201, "{with_voucher}");
            orders.push((
                on_sale["code"].as_str().unwrap().to_string(),
                with_voucher["code"].as_str().unwrap().to_string(),
            ));
        }
        // The first number cancels both in the chat; the second pays both; the third lets them
        // expire.
        for (i, code) in [&orders[0].0, &orders[0].1].into_iter().enumerate() {
            cloud_says(
                &s,
                numbers[0],
                &format!("wamid.batal{i}"),
                &format!("batal {code}"),
            )
            .await;
        }
        for code in [&orders[1].0, &orders[1].1] {
            let due = s.order_row(code).await.amount_due.amount();
            s.pay(due / 1_000, code).await;
        }
        s.advance(time::Duration::minutes(61)).await;
        s.settle().await;

        let kinds = |evs: &[(String, String)]| evs.iter().map(|e| e.1.clone()).collect::<Vec<_>>();
        for (cancelled, expired, table, line) in [
            (
                &orders[0].0,
                &orders[2].0,
                "flash_sale_holds",
                "flash_sale_released",
            ),
            (
                &orders[0].1,
                &orders[2].1,
                "voucher_uses",
                "voucher_released",
            ),
        ] {
            assert_eq!(s.order_row(cancelled).await.status, OrderStatus::Expired);
            assert_eq!(s.order_row(expired).await.status, OrderStatus::Expired);
            assert_eq!(held(&s, table, cancelled).await, "released");
            assert_eq!(held(&s, table, expired).await, "released");
            let (c, e) = (events(&s, cancelled).await, events(&s, expired).await);
            assert_eq!(kinds(&c), kinds(&e), "the same timeline lines: {c:?} {e:?}");
            assert!(kinds(&c).contains(&line.to_string()), "{c:?}");
            assert_eq!(c.last().unwrap().0, "customer", "{c:?}");
        }
        assert_eq!(held(&s, "flash_sale_holds", &orders[1].0).await, "spent");
        assert_eq!(held(&s, "voucher_uses", &orders[1].1).await, "spent");
        // What went back is on sale again: only the paid unit is gone.
        let taken = s
            .count("SELECT CAST(SUM(taken) AS BIGINT) FROM flash_sales")
            .await;
        assert_eq!(taken, 1);
        let used = s
            .count("SELECT CAST(SUM(used) AS BIGINT) FROM vouchers")
            .await;
        assert_eq!(used, 1);
        s
    }
);
