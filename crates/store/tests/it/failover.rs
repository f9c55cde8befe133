//! Two suppliers: VIP Reseller and Digiflazz behind it (or before it), one purchase per order,
//! never two suppliers in flight — on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use crate::common::{TestStore, CUSTOMER};
use madd_domain::{OrderStatus, SupplierId};
use madd_sandbox::digiflazz::Fault as DfFault;
use madd_sandbox::vip::Fault as VipFault;
use maddstore::db::supplier_attempts::{self, Attempt};
use serde_json::json;

const ML: &str = "ML86-S1";
const DF_ML: &str = "ML86";
/// The named sandbox account (zone 2345 only).
const ML_ID: &str = "123456780";
/// An account of any zone (a generated nickname).
const ML_OTHER: &str = "123456781";

fn both(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_SUPPLIERS".into(), "vip-reseller,digiflazz".into());
}

async fn first(s: &TestStore, supplier: SupplierId, sku: &str) {
    maddstore::service::offers::put_first(s.app(), ML, Some((supplier, sku)))
        .await
        .unwrap();
}

/// A paid Mobile Legends order for `zone` (Digiflazz reads the id and zone as one number, so the
/// zone's last two digits choose its outcome in the sandbox).
async fn paid_order(s: &TestStore, zone: &str) -> String {
    let id = if zone == "2345" { ML_ID } else { ML_OTHER };
    let order = s.order(ML, id, Some(zone)).await;
    let code = order["code"].as_str().unwrap().to_string();
    s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
        .await;
    assert_eq!(s.order_row(&code).await.status, OrderStatus::Paid);
    code
}

async fn process(s: &TestStore, code: &str) {
    maddstore::service::fulfilment::process(s.app(), code, "test")
        .await
        .unwrap();
    s.settle().await;
}

async fn attempts(s: &TestStore, code: &str) -> Vec<Attempt> {
    let order = s.order_row(code).await;
    let mut conn = s.app().db.write().await.unwrap();
    supplier_attempts::for_order(&mut conn, order.id)
        .await
        .unwrap()
}

async fn events(s: &TestStore, code: &str) -> String {
    let order = s.order_row(code).await;
    let mut conn = s.app().db.write().await.unwrap();
    maddstore::db::order_events::events(&mut conn, order.id)
        .await
        .unwrap()
        .iter()
        .map(|e| format!("{} {}\n", e.kind, e.detail))
        .collect()
}

both_backends!(
    vip_fails_definitively_and_digiflazz_delivers,
    both,
    |s: TestStore| async move {
        first(&s, SupplierId::VipReseller, ML).await;
        let code = paid_order(&s, "2345").await;
        s.sandbox().vip.set_fault(VipFault::FailOrders);
        process(&s, &code).await;

        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        // One purchase at each: VIP's failed (and refunded), Digiflazz's delivered.
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        let df = s.sandbox().digiflazz.transactions();
        assert_eq!(df.len(), 1, "{df:?}");
        assert_eq!(df[0].ref_id, format!("{code}-2"));
        assert_eq!(df[0].customer_no, format!("{ML_ID}2345"));
        let tried = attempts(&s, &code).await;
        assert_eq!(tried.len(), 2, "{tried:?}");
        assert_eq!(
            (tried[0].supplier, tried[0].state.as_str()),
            (SupplierId::VipReseller, "failed")
        );
        assert!(tried[0].trxid.as_deref().unwrap().starts_with("VP"));
        assert_eq!(
            (tried[1].supplier, tried[1].state.as_str()),
            (SupplierId::Digiflazz, "delivered")
        );
        assert_eq!(tried[1].sku, DF_ML);
        // The order carries Digiflazz's purchase: its cost is what the report counts.
        assert_eq!(order.supplier, Some(SupplierId::Digiflazz));
        assert_eq!(order.supplier_price.map(|p| p.amount()), Some(df[0].price));
        assert_eq!(order.serial_number.as_deref(), Some(df[0].sn.as_str()));
        let timeline = events(&s, &code).await;
        assert!(
            timeline.contains("Gagal di VIP Reseller") && timeline.contains("dicoba di Digiflazz"),
            "{timeline}"
        );
        // The seller's order page lists both attempts.
        let (session, _) = s.admin_login().await;
        let page = s
            .http
            .get(s.url(&format!("/admin/orders/{code}")))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let attempts_table = page
            .split("Percobaan supplier")
            .nth(1)
            .expect("the attempts table");
        for seen in [
            "VIP Reseller",
            "Digiflazz",
            tried[0].trxid.as_deref().unwrap(),
            &format!("{code}-2"),
            "gagal",
            "sukses",
        ] {
            assert!(attempts_table.contains(seen), "{seen} in {attempts_table}");
        }
        let month = madd_domain::Month::containing(s.app().now_ms());
        let report = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(
            report
                .amount(madd_domain::report::LineKey::SupplierCost)
                .amount(),
            -df[0].price,
            "the report's supplier cost is Digiflazz's"
        );
        // The customer heard of the delivery once, never of a failure.
        let inbox = s.inbox(CUSTOMER);
        assert_eq!(
            inbox.iter().filter(|m| m.body.contains("SUKSES")).count(),
            1
        );
        assert!(!inbox.iter().any(|m| m.body.contains("GAGAL")), "{inbox:?}");
        s
    }
);

both_backends!(
    a_vip_timeout_is_reconciled_with_vip_before_anything_else,
    both,
    |s: TestStore| async move {
        first(&s, SupplierId::VipReseller, ML).await;
        let code = paid_order(&s, "2345").await;
        // VIP takes the order but the answer is lost.
        s.sandbox().vip.set_fault(VipFault::DropOrderAnswer);
        process(&s, &code).await;
        s.sandbox().vip.clear_fault();
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Processing);
        s.advance(time::Duration::seconds(30)).await;

        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        assert_eq!(s.sandbox().vip.order_requests(), 1, "VIP bought it once");
        assert_eq!(
            s.sandbox().digiflazz.counts().transaction_calls,
            0,
            "Digiflazz is never asked while VIP's outcome is unknown"
        );
        assert_eq!(attempts(&s, &code).await.len(), 1);
        s
    }
);

both_backends!(
    digiflazz_pending_ends_by_webhook_or_by_a_recheck,
    both,
    |s: TestStore| async move {
        // Zone ..33: Digiflazz answers Pending and holds it until released.
        first(&s, SupplierId::Digiflazz, DF_ML).await;
        let by_webhook = paid_order(&s, "2333").await;
        process(&s, &by_webhook).await;
        assert_eq!(
            s.order_row(&by_webhook).await.status,
            OrderStatus::Processing
        );
        let reference = format!("{by_webhook}-1");
        assert!(s.sandbox().digiflazz.release(&reference, true));
        s.settle().await;
        let order = s.order_row(&by_webhook).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");

        // The webhook never comes: the store asks again (same ref_id) after a minute.
        s.sandbox().digiflazz.set_drop_webhooks(true);
        let by_recheck = paid_order(&s, "4433").await;
        process(&s, &by_recheck).await;
        let reference = format!("{by_recheck}-1");
        assert!(s.sandbox().digiflazz.release(&reference, true));
        s.settle().await;
        assert_eq!(
            s.order_row(&by_recheck).await.status,
            OrderStatus::Processing,
            "no re-check within the minute Digiflazz asks for"
        );
        s.advance(time::Duration::seconds(61)).await;
        let order = s.order_row(&by_recheck).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        // Each order is one Digiflazz transaction, whatever was sent again; VIP never asked.
        assert_eq!(s.sandbox().digiflazz.transactions().len(), 2);
        assert_eq!(s.sandbox().vip.order_requests(), 0);

        // Pending, then Gagal (zone ..34): on to VIP, which delivers.
        s.sandbox().digiflazz.set_drop_webhooks(false);
        let failing = paid_order(&s, "4434").await;
        process(&s, &failing).await;
        assert!(s
            .sandbox()
            .digiflazz
            .release(&format!("{failing}-1"), false));
        s.settle().await;
        let order = s.order_row(&failing).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        assert_eq!(order.supplier, Some(SupplierId::VipReseller));
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        s
    }
);

both_backends!(
    forged_and_duplicated_digiflazz_webhooks_change_nothing,
    both,
    |s: TestStore| async move {
        first(&s, SupplierId::Digiflazz, DF_ML).await;
        s.sandbox().digiflazz.set_duplicate_webhooks(true);
        let code = paid_order(&s, "2333").await;
        process(&s, &code).await;
        let reference = format!("{code}-1");

        // A forged "Sukses": wrong secret, then no signature at all.
        let body = json!({"data": {"ref_id": reference, "status": "Sukses", "rc": "00",
            "sn": "FORGED", "price": 1, "customer_no": "x", "buyer_sku_code": DF_ML}})
        .to_string();
        for signature in [
            Some(madd_sandbox::digiflazz::webhook_signature(
                "guess",
                body.as_bytes(),
            )),
            None,
        ] {
            let mut request = s
                .http
                .post(s.url("/webhooks/digiflazz"))
                .header("X-Digiflazz-Event", "update")
                .body(body.clone());
            if let Some(sig) = signature {
                request = request.header("X-Hub-Signature", sig);
            }
            assert_eq!(request.send().await.unwrap().status().as_u16(), 401);
        }
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Processing);

        // The real one, delivered twice: one delivery, one message.
        assert!(s.sandbox().digiflazz.release(&reference, true));
        s.settle().await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered);
        assert_ne!(order.serial_number.as_deref(), Some("FORGED"));
        // A late, authentic "Gagal" for a delivered transaction moves nothing back.
        let late = json!({"data": {"ref_id": reference, "status": "Gagal", "rc": "02",
            "message": "Transaksi Gagal", "price": 0}})
        .to_string();
        let secret = s.app().config.digiflazz.webhook_secret.expose().to_string();
        let r = s
            .http
            .post(s.url("/webhooks/digiflazz"))
            .header("X-Digiflazz-Event", "update")
            .header(
                "X-Hub-Signature",
                madd_sandbox::digiflazz::webhook_signature(&secret, late.as_bytes()),
            )
            .body(late)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        s.settle().await;
        let after = s.order_row(&code).await;
        assert_eq!(after.status, OrderStatus::Delivered);
        assert_eq!(after.serial_number, order.serial_number);
        let delivered = s
            .inbox(CUSTOMER)
            .iter()
            .filter(|m| m.body.contains("SUKSES"))
            .count();
        assert_eq!(delivered, 1);
        assert_eq!(attempts(&s, &code).await.len(), 1);
        s
    }
);

both_backends!(
    twenty_concurrent_clicks_buy_once_across_both_suppliers,
    both,
    |s: TestStore| async move {
        first(&s, SupplierId::VipReseller, ML).await;
        s.sandbox().vip.set_fault(VipFault::FailOrders);
        let code = paid_order(&s, "2345").await;
        let clicks = (0..20).map(|_| {
            let app = s.app().clone();
            let code = code.clone();
            tokio::spawn(async move {
                maddstore::service::fulfilment::process(&app, &code, "seller")
                    .await
                    .is_ok()
            })
        });
        let won = futures::future::join_all(clicks)
            .await
            .into_iter()
            .filter(|r| *r.as_ref().unwrap())
            .count();
        assert_eq!(won, 1);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        // VIP's one (failed) purchase, then Digiflazz's one.
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        assert_eq!(s.sandbox().digiflazz.counts().transactions, 1);
        s
    }
);

both_backends!(
    a_kill_between_attempt_and_answer_never_brings_in_the_other_supplier,
    both,
    |s: TestStore| async move {
        first(&s, SupplierId::Digiflazz, DF_ML).await;
        let code = paid_order(&s, "2345").await;
        // Digiflazz processes the transaction; the store never hears back (as if killed
        // between "attempt started" and the answer), not even by webhook.
        s.sandbox().digiflazz.set_fault(DfFault::DropAnswer);
        s.sandbox().digiflazz.set_drop_webhooks(true);
        process(&s, &code).await;
        assert_eq!(s.sandbox().digiflazz.counts().transactions, 1);
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Processing);
        assert!(order.placement_started_at.is_some() && order.supplier_trxid.is_none());

        // The store stops dead and starts again: it asks Digiflazz again under the same ref_id
        // (a minute after the last call), never VIP.
        let s = s.kill_and_restart(both).await;
        s.settle().await;
        s.advance(time::Duration::seconds(61)).await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        let df = s.sandbox().digiflazz.transactions();
        assert_eq!(df.len(), 1, "{df:?}");
        assert_eq!(df[0].ref_id, format!("{code}-1"), "the same reference");
        assert_eq!(s.sandbox().vip.order_requests(), 0);
        assert_eq!(attempts(&s, &code).await.len(), 1);
        s
    }
);
