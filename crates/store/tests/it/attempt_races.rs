//! A supplier's outcome applied once, whichever path brings it and however often (DESIGN.md
//! invariant 12): the answer and the webhook (or callback) of the same definite failure at the
//! same moment, the webhook repeated ten times at once, a late word on an attempt the order has
//! moved on from — and the watchdog for the supplier that never finishes (invariant 13). Each on
//! SQLite and PostgreSQL.

use std::collections::BTreeMap;

use crate::common::{unlimited_lookups, TestStore, CUSTOMER, SELLER};
use madd_domain::attempt::AttemptState;
use madd_domain::{OrderStatus, SupplierId};
use madd_sandbox::vip::Fault as VipFault;
use maddstore::db::supplier_attempts;
use serde_json::json;

const ML: &str = "ML86-S1";
const DF_ML: &str = "ML86";
const ORDERS: usize = 50;

fn both_auto(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_SUPPLIERS".into(), "vip-reseller,digiflazz".into());
    env.insert("MADD_FULFILMENT".into(), "auto".into());
    unlimited_lookups(env);
}

async fn first(s: &TestStore, supplier: SupplierId, sku: &str) {
    maddstore::service::offers::put_first(s.app(), ML, Some((supplier, sku)))
        .await
        .unwrap();
}

/// `n` paid orders for Mobile Legends accounts `1234567{i:02}1` (VIP delivers ids ending in 1)
/// in `zone` (Digiflazz reads id + zone, so the zone's last two digits choose its outcome: `32`
/// fails at once, with its webhook). Fulfilment is automatic: each is placed as it is paid,
/// while the next ones are being paid.
async fn paid_orders(s: &TestStore, n: usize, zone: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for i in 0..n {
        let order = s.order(ML, &format!("1234567{i:02}1"), Some(zone)).await;
        let code = order["code"].as_str().unwrap().to_string();
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
            .await;
        codes.push(code);
    }
    s.settle().await;
    codes
}

/// Every order delivered once by `second` after one failed attempt at `first`, and told once.
async fn each_delivered_once_by_the_second(
    s: &TestStore,
    codes: &[String],
    first: SupplierId,
    second: SupplierId,
) {
    let inbox = s.inbox(CUSTOMER);
    for code in codes {
        let order = s.order_row(code).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        assert_eq!(order.supplier, Some(second), "{code}");
        let tried = {
            let mut conn = s.app().db.write().await.unwrap();
            supplier_attempts::for_order(&mut conn, order.id)
                .await
                .unwrap()
        };
        let states: Vec<_> = tried.iter().map(|a| (a.supplier, a.state)).collect();
        assert_eq!(
            states,
            vec![
                (first, AttemptState::Failed),
                (second, AttemptState::Delivered)
            ],
            "{code}"
        );
        let told = inbox
            .iter()
            .filter(|m| m.body.contains(code.as_str()) && m.body.contains("SUKSES"))
            .count();
        assert_eq!(told, 1, "{code}: delivered messages");
        assert!(
            !inbox
                .iter()
                .any(|m| m.body.contains(code.as_str()) && m.body.contains("GAGAL")),
            "{code}: a failure was told"
        );
    }
    let stuck = s
        .count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE status = 'processing'")
        .await;
    assert_eq!(stuck, 0);
    let contradictions = s
        .count("SELECT CAST(COUNT(*) AS BIGINT) FROM order_events WHERE kind = 'contradiction'")
        .await;
    assert_eq!(contradictions, 0);
}

/// Digiflazz asked once per order, always for attempt `attempt`.
fn digiflazz_asked_once_each(s: &TestStore, codes: &[String], attempt: i64) {
    let transactions = s.sandbox().digiflazz.transactions();
    assert_eq!(transactions.len(), codes.len(), "{transactions:?}");
    for code in codes {
        let mine: Vec<_> = transactions
            .iter()
            .filter(|t| t.ref_id.starts_with(code.as_str()))
            .collect();
        assert_eq!(mine.len(), 1, "{code}: {mine:?}");
        assert_eq!(mine[0].ref_id, format!("{code}-{attempt}"));
    }
    assert_eq!(
        s.sandbox().digiflazz.counts().transaction_calls,
        codes.len(),
        "one /transaction call per order"
    );
}

async fn digiflazz_first_then_vip(s: &TestStore, copies: u8) {
    first(s, SupplierId::Digiflazz, DF_ML).await;
    s.sandbox().digiflazz.set_webhook_copies(copies);
    let codes = paid_orders(s, ORDERS, "2332").await;
    each_delivered_once_by_the_second(s, &codes, SupplierId::Digiflazz, SupplierId::VipReseller)
        .await;
    digiflazz_asked_once_each(s, &codes, 1);
    assert_eq!(s.sandbox().vip.order_requests(), ORDERS);
}

async fn vip_first_then_digiflazz(s: &TestStore, copies: u8) {
    first(s, SupplierId::VipReseller, ML).await;
    s.sandbox().vip.set_fault(VipFault::FailOrders);
    s.sandbox().vip.set_callback_copies(copies);
    let codes = paid_orders(s, ORDERS, "2345").await;
    each_delivered_once_by_the_second(s, &codes, SupplierId::VipReseller, SupplierId::Digiflazz)
        .await;
    digiflazz_asked_once_each(s, &codes, 2);
    assert_eq!(s.sandbox().vip.order_requests(), ORDERS);
}

both_backends!(
    digiflazz_answers_and_webhooks_a_failure_at_once_and_vip_delivers,
    both_auto,
    |s: TestStore| async move {
        digiflazz_first_then_vip(&s, 1).await;
        s
    }
);

both_backends!(
    the_same_failure_webhooked_ten_times_at_once_fails_over_once,
    both_auto,
    |s: TestStore| async move {
        digiflazz_first_then_vip(&s, 10).await;
        s
    }
);

both_backends!(
    vip_fails_by_callback_and_recheck_at_once_and_digiflazz_delivers,
    both_auto,
    |s: TestStore| async move {
        vip_first_then_digiflazz(&s, 1).await;
        s
    }
);

both_backends!(
    vip_callback_ten_times_at_once_fails_over_once,
    both_auto,
    |s: TestStore| async move {
        vip_first_then_digiflazz(&s, 10).await;
        s
    }
);

async fn signed_digiflazz_webhook(s: &TestStore, body: &str) {
    let secret = s.app().config.digiflazz.webhook_secret.expose().to_string();
    let r = s
        .http
        .post(s.url("/webhooks/digiflazz"))
        .header("X-Digiflazz-Event", "update")
        .header(
            "X-Hub-Signature",
            madd_sandbox::digiflazz::webhook_signature(&secret, body.as_bytes()),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

both_backends!(
    a_late_word_on_attempt_one_after_attempt_two_delivered_changes_nothing,
    both_auto,
    |s: TestStore| async move {
        first(&s, SupplierId::Digiflazz, DF_ML).await;
        let codes = paid_orders(&s, 1, "2332").await;
        let code = &codes[0];
        let delivered = s.order_row(code).await;
        assert_eq!(delivered.status, OrderStatus::Delivered);
        let events_before = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM order_events")
            .await;
        let messages_before = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages")
            .await;

        // The same failure again, late: nothing at all.
        let gagal = json!({"data": {"ref_id": format!("{code}-1"), "customer_no": "x",
            "buyer_sku_code": DF_ML, "status": "Gagal", "rc": "02",
            "message": "Transaksi Gagal", "price": 0}})
        .to_string();
        for _ in 0..3 {
            signed_digiflazz_webhook(&s, &gagal).await;
        }
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM order_events")
                .await,
            events_before
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages")
                .await,
            messages_before
        );

        // A "Sukses" for the attempt that failed: the order keeps VIP's delivery, the customer
        // hears nothing new, and the seller is asked to look — once, however often it comes.
        let sukses = json!({"data": {"ref_id": format!("{code}-1"), "customer_no": "x",
            "buyer_sku_code": DF_ML, "status": "Sukses", "rc": "00", "sn": "LATE-SN",
            "message": "Transaksi Sukses", "price": 1}})
        .to_string();
        for _ in 0..3 {
            signed_digiflazz_webhook(&s, &sukses).await;
        }
        s.settle().await;
        let after = s.order_row(code).await;
        assert_eq!(after.status, OrderStatus::Delivered);
        assert_eq!(after.serial_number, delivered.serial_number);
        assert_eq!(after.supplier, Some(SupplierId::VipReseller));
        let delivered_told = s
            .inbox(CUSTOMER)
            .iter()
            .filter(|m| m.body.contains("SUKSES"))
            .count();
        assert_eq!(delivered_told, 1);
        let alerts: Vec<_> = s
            .inbox(SELLER)
            .into_iter()
            .filter(|m| m.body.contains("dua kali"))
            .collect();
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(alerts[0].body.contains(code.as_str()));
        s
    }
);

both_backends!(
    a_supplier_that_never_finishes_is_put_before_the_seller_once,
    both_auto,
    |s: TestStore| async move {
        first(&s, SupplierId::VipReseller, ML).await;
        // VIP takes the order and never finishes it (ids ending in 3), and sends nothing more.
        let order = s.order(ML, "123456783", Some("2345")).await;
        let code = order["code"].as_str().unwrap().to_string();
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
            .await;
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Processing);
        let overdue = |s: &TestStore| {
            s.inbox(SELLER)
                .into_iter()
                .filter(|m| m.body.contains("belum terkirim"))
                .count()
        };
        s.advance(time::Duration::minutes(14)).await;
        assert_eq!(overdue(&s), 0, "not before the seller's time");
        s.advance(time::Duration::minutes(2)).await;
        assert_eq!(overdue(&s), 1);
        s.advance(time::Duration::minutes(30)).await;
        assert_eq!(overdue(&s), 1, "one alert per order");
        // Nothing was bought twice, and the customer's invoice still says it is being processed.
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        assert_eq!(s.sandbox().digiflazz.counts().transaction_calls, 0);
        let (_, shown) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(shown["status"], "processing");
        // On the seller's Perlu tindakan.
        let (session, _) = s.admin_login().await;
        let dashboard = s
            .http
            .get(s.url("/admin"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let needed = dashboard
            .split("Perlu tindakan")
            .nth(1)
            .expect("the Perlu tindakan list");
        assert!(needed.contains(code.as_str()), "{needed}");
        s
    }
);
