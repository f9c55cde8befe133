//! The store's core flow and the invariants of DESIGN.md, each on SQLite and PostgreSQL.

use crate::common::{TestStore, CUSTOMER, SELLER};
use madd_domain::OrderStatus;
use madd_sandbox::vip::Fault;
use maddstore::db::order_status;
use serde_json::json;

const ML: &str = "ML86-S1";
const ML_ID: &str = "123456780";
const ML_ZONE: &str = "2345";

fn code_of(order: &serde_json::Value) -> String {
    order["code"].as_str().unwrap().to_string()
}

fn units(order: &serde_json::Value) -> i64 {
    order["amount_due"].as_i64().unwrap() / 1000
}

both_backends!(mobile_legends_end_to_end, |s: TestStore| async move {
    // The nickname is shown before paying.
    let (status, nick) = s
        .post_json(
            "/api/v1/nickname",
            json!({"product": ML, "target": ML_ID, "zone": ML_ZONE}),
        )
        .await;
    assert_eq!(status, 200, "{nick}");
    assert_eq!(nick["nickname"], "Itacimo");

    let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
    let code = code_of(&order);
    assert_eq!(order["status"], "awaiting_payment");
    assert_eq!(order["nickname"], "Itacimo");
    assert_eq!(
        order["price"].as_i64().unwrap() + order["fee"].as_i64().unwrap(),
        order["amount_due"].as_i64().unwrap()
    );
    let pay_url = order["pay_url"].as_str().unwrap();
    assert!(
        pay_url.contains("/sandbox/trakteer/maddstore/tip?quantity="),
        "{pay_url}"
    );
    assert!(
        pay_url.contains(&format!("supporter_message={code}")),
        "{pay_url}"
    );

    // Step 1 and 2: the invoice to the customer, the new-order notice to the seller.
    let customer = s.inbox(CUSTOMER);
    assert_eq!(customer.len(), 1, "{customer:?}");
    assert!(
        customer[0].body.contains(&code) && customer[0].body.contains(pay_url),
        "{}",
        customer[0].body
    );
    let seller = s.inbox(SELLER);
    assert_eq!(seller.len(), 1);
    assert!(
        seller[0].body.contains(&format!("/admin/orders/{code}")),
        "{}",
        seller[0].body
    );

    // Step 3: the customer pays on Trakteer; the webhook settles the order.
    s.pay(units(&order), &code).await;
    let paid = s.order_row(&code).await;
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(
        paid.amount_paid.amount(),
        order["amount_due"].as_i64().unwrap()
    );
    assert!(s
        .inbox(CUSTOMER)
        .iter()
        .any(|m| m.body.contains("sudah kami terima")));

    // Step 4: the seller processes it; the supplier delivers; the customer gets the SN.
    let (session, csrf) = s.admin_login().await;
    assert_eq!(s.process(&session, &csrf, &code).await, 303);
    s.settle().await;
    let done = s.order_row(&code).await;
    assert_eq!(done.status, OrderStatus::Delivered, "{done:?}");
    let serial = done.serial_number.clone().expect("serial number");
    assert_eq!(s.sandbox().vip.order_requests(), 1);
    let delivered = s.inbox(CUSTOMER).into_iter().last().unwrap();
    assert!(
        delivered.body.contains(&serial) && delivered.body.contains("SUKSES"),
        "{}",
        delivered.body
    );
    let (_, api) = s.get_json(&format!("/api/v1/orders/{code}")).await;
    assert_eq!(api["status"], "delivered");
    assert_eq!(api["serial_number"], serial.as_str());
    assert!(api["pay_url"].is_null());
    s
});

both_backends!(
    same_webhook_twenty_times_records_one_payment,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        let body = json!({
            "created_at": "2026-11-25T14:50:10+07:00",
            "transaction_id": "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "type": "tip",
            "supporter_name": "Budi",
            "supporter_message": code,
            "media": null,
            "unit": "Koin",
            "quantity": units(&order).to_string(),
            "price": order["amount_due"],
            "net_amount": order["amount_due"].as_i64().unwrap() * 9422 / 10000,
        });
        let token = s.app().config.trakteer.webhook_token.expose().to_string();
        let send = || {
            s.http
                .post(s.url("/webhooks/trakteer"))
                .header("x-webhook-token", &token)
                .json(&body)
                .send()
        };
        for _ in 0..10 {
            assert_eq!(send().await.unwrap().status().as_u16(), 200);
        }
        let concurrent: Vec<_> = (0..10).map(|_| send()).collect();
        for r in futures::future::join_all(concurrent).await {
            assert_eq!(r.unwrap().status().as_u16(), 200);
        }
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
                .await,
            1
        );
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Paid);
        assert_eq!(
            row.amount_paid.amount(),
            order["amount_due"].as_i64().unwrap()
        );
        assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE kind = 'payment_received'"
            )
            .await,
            1
        );
        assert_eq!(
            s.inbox(CUSTOMER).len(),
            2,
            "invoice and one payment confirmation"
        );
        s
    }
);

both_backends!(
    wrong_webhook_token_changes_nothing,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        let body = json!({"transaction_id": "x-1", "type": "tip", "supporter_message": code, "quantity": 100, "price": 100000, "net_amount": 95000});
        for token in [Some("wrong"), None, Some("")] {
            let mut req = s.http.post(s.url("/webhooks/trakteer")).json(&body);
            if let Some(t) = token {
                req = req.header("x-webhook-token", t);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status().as_u16(), 401);
        }
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
                .await,
            0
        );
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );
        s
    }
);

both_backends!(
    test_webhook_is_recorded_but_never_settles,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        let id = s.sandbox().trakteer.send_test_webhook();
        s.sandbox().trakteer.wait_delivered(&id).await;
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments WHERE state = 'test'")
                .await,
            1
        );
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );
        s
    }
);

both_backends!(
    underpayment_then_the_rest_ends_paid,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        let due = units(&order);
        assert!(due >= 2);
        // The customer edits the message a little, and pays one unit short.
        s.pay(
            due - 1,
            &format!("ini {} ya kak", code.to_lowercase().replace('-', " ")),
        )
        .await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Underpaid);
        assert_eq!(row.shortfall().amount(), 1000);
        let short = s
            .inbox(CUSTOMER)
            .into_iter()
            .find(|m| m.body.contains("kurang"))
            .expect("shortfall message");
        assert!(short.body.contains("Rp1.000"), "{}", short.body);
        assert!(
            short.body.contains("quantity=1&"),
            "pay-the-rest link: {}",
            short.body
        );
        let (_, api) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(api["shortfall"], 1000);
        assert!(api["pay_url"].as_str().unwrap().contains("quantity=1&"));

        s.pay(1, &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Paid);
        assert_eq!(row.amount_paid, row.amount_due);
        s
    }
);

both_backends!(
    twenty_concurrent_process_clicks_place_one_order,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        let (session, csrf) = s.admin_login().await;
        let clicks: Vec<_> = (0..20).map(|_| s.process(&session, &csrf, &code)).collect();
        let statuses = futures::future::join_all(clicks).await;
        assert_eq!(
            statuses.iter().filter(|&&c| c == 303).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|&c| c == 303 || c == 409),
            "{statuses:?}"
        );
        s.settle().await;
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        assert_eq!(s.sandbox().vip.orders().len(), 1);
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        // Processing again is refused.
        assert_eq!(s.process(&session, &csrf, &code).await, 409);
        s
    }
);

both_backends!(
    lost_supplier_answer_is_reconciled_not_reordered,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        // The supplier takes the order but its answer never reaches us (a crash between the call and
        // our commit looks the same from here).
        s.sandbox().vip.set_fault(Fault::DropOrderAnswer);
        maddstore::service::fulfilment::process(s.app(), &code, "test")
            .await
            .unwrap();
        s.settle().await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Processing);
        assert!(row.supplier_trxid.is_none());
        assert!(row.placement_started_at.is_some());
        assert_eq!(s.sandbox().vip.order_requests(), 1);

        s.sandbox().vip.clear_fault();
        s.advance(time::Duration::minutes(1)).await;
        let row = s.order_row(&code).await;
        assert_eq!(s.sandbox().vip.order_requests(), 1, "never placed twice");
        let sim_orders = s.sandbox().vip.orders();
        assert_eq!(sim_orders.len(), 1);
        assert_eq!(
            row.supplier_trxid.as_deref(),
            Some(sim_orders[0].trxid.as_str())
        );
        assert_eq!(row.status, OrderStatus::Delivered);
        s
    }
);

both_backends!(
    a_killed_placement_is_found_through_the_status_list,
    |s: TestStore| async move {
        use maddstore::supplier::PlaceOrder;
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        let row = s.order_row(&code).await;
        // What a killed process leaves: the order claimed, the attempt marked, the supplier order
        // made, nothing recorded of its answer, and the placement job still queued.
        {
            let mut tx = s.app().db.begin().await.unwrap();
            assert!(
                order_status::claim_for_processing(&mut tx, row.id, false, s.app().now_ms())
                    .await
                    .unwrap()
            );
            assert!(
                order_status::mark_placement_started(&mut tx, row.id, 0, s.app().now_ms())
                    .await
                    .unwrap()
            );
            maddstore::jobs::queue::schedule(
                &mut tx,
                maddstore::jobs::queue::JobKind::PlaceOrder,
                row.id,
                s.app().now_ms(),
                s.app().now_ms(),
                None,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        s.app()
            .suppliers
            .primary()
            .place_order(&PlaceOrder {
                reference: "MS-OUTSIDE-1".into(),
                kind: row.kind,
                service: row.product_code.clone(),
                target: ML_ID.into(),
                zone: Some(ML_ZONE.into()),
            })
            .await
            .unwrap();
        s.settle().await;
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Delivered);
        assert_eq!(
            row.supplier_trxid.as_deref(),
            Some(s.sandbox().vip.orders()[0].trxid.as_str())
        );
        s
    }
);

both_backends!(
    messages_survive_a_gateway_outage,
    |s: TestStore| async move {
        s.sandbox().whatsapp.set_outage(true);
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        assert!(s.inbox(CUSTOMER).is_empty());
        let queued = s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = 'queued' AND attempts >= 1").await;
        assert_eq!(queued, 2, "invoice and seller notice wait for the gateway");
        // Still down after a few retries.
        s.advance(time::Duration::seconds(20)).await;
        assert!(s.inbox(CUSTOMER).is_empty());
        s.sandbox().whatsapp.set_outage(false);
        s.advance(time::Duration::minutes(2)).await;
        let inbox = s.inbox(CUSTOMER);
        assert_eq!(inbox.len(), 1, "sent exactly once after the outage");
        assert!(inbox[0].body.contains(&code));
        assert_eq!(s.inbox(SELLER).len(), 1);
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = 'sent'")
                .await,
            2
        );
        s
    }
);

both_backends!(
    a_permanent_gateway_outage_ends_visible_as_failed,
    |s: TestStore| async move {
        s.sandbox().whatsapp.set_outage(true);
        s.order(ML, ML_ID, Some(ML_ZONE)).await;
        for _ in 0..12 {
            s.advance(time::Duration::minutes(31)).await;
        }
        let all = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages")
            .await;
        assert!(
            all >= 2,
            "invoice and seller notice (and the expiry notice)"
        );
        assert_eq!(s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = 'failed' AND last_error IS NOT NULL").await, all);
        assert_eq!(s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE kind = 'send_message' AND state = 'dead'").await, all);
        assert!(s.inbox(CUSTOMER).is_empty());
        s
    }
);

both_backends!(
    supplier_error_fails_the_order_and_alerts_the_seller,
    |s: TestStore| async move {
        // A user id ending in 2: the sandbox supplier answers `error` ("Nomor tujuan salah.").
        let order = s.order(ML, "123456782", Some(ML_ZONE)).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        maddstore::service::fulfilment::process(s.app(), &code, "test")
            .await
            .unwrap();
        s.settle().await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Failed);
        assert_eq!(row.failure_reason.as_deref(), Some("Nomor tujuan salah."));
        assert!(s
            .inbox(SELLER)
            .iter()
            .any(|m| m.body.contains("GAGAL") && m.body.contains(&code)));
        assert!(s
            .inbox(CUSTOMER)
            .iter()
            .any(|m| m.body.contains("gagal diproses")));
        s
    }
);

both_backends!(
    automatic_fulfilment_delivers_without_the_seller,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_FULFILMENT".into(), "auto".into());
    },
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Delivered, "{row:?}");
        assert_eq!(s.sandbox().vip.order_requests(), 1);
        s
    }
);

both_backends!(
    unpaid_orders_expire_after_the_window,
    |s: TestStore| async move {
        let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let code = code_of(&order);
        s.advance(time::Duration::minutes(59)).await;
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );
        s.advance(time::Duration::minutes(2)).await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Expired);
        assert!(s
            .inbox(CUSTOMER)
            .iter()
            .any(|m| m.body.contains("kedaluwarsa")));
        // Paid late while the item still sells at that price: the order is taken up again.
        s.pay(units(&order), &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Paid, "{row:?}");

        // Paid late for an item the seller no longer sells: kept, the seller told, nothing placed.
        let other = s.order(ML, ML_ID, Some(ML_ZONE)).await;
        let other_code = code_of(&other);
        s.advance(time::Duration::minutes(61)).await;
        assert_eq!(s.order_row(&other_code).await.status, OrderStatus::Expired);
        {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::products::set_enabled(&mut conn, ML, false)
                .await
                .unwrap();
        }
        s.pay(units(&other), &other_code).await;
        let row = s.order_row(&other_code).await;
        assert_eq!(row.status, OrderStatus::Expired);
        assert!(row.amount_paid.is_positive());
        assert!(s
            .inbox(SELLER)
            .iter()
            .any(|m| m.body.contains("Kedaluwarsa")));
        s
    }
);

both_backends!(
    the_same_idempotency_key_returns_the_same_order,
    |s: TestStore| async move {
        let body =
            json!({"product": ML, "target": ML_ID, "zone": ML_ZONE, "whatsapp": "0812-3456-7890"});
        let send = || {
            s.http
                .post(s.url("/api/v1/orders"))
                .header("idempotency-key", "tap-1")
                .json(&body)
                .send()
        };
        let first = send().await.unwrap();
        assert_eq!(first.status().as_u16(), 201);
        let first: serde_json::Value = first.json().await.unwrap();
        let again = send().await.unwrap();
        assert_eq!(again.status().as_u16(), 200);
        let again: serde_json::Value = again.json().await.unwrap();
        assert_eq!(first["code"], again["code"]);
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            1
        );
        s
    }
);

both_backends!(
    bad_input_gets_clear_errors_and_creates_nothing,
    |s: TestStore| async move {
        let cases = [
            (
                json!({"product": ML, "target": ML_ID, "whatsapp": "0812-3456-7890"}),
                422,
                "zone_required",
            ),
            (
                json!({"product": ML, "target": "12ab", "zone": ML_ZONE, "whatsapp": "0812-3456-7890"}),
                422,
                "invalid_target",
            ),
            (
                json!({"product": ML, "target": ML_ID, "zone": ML_ZONE, "whatsapp": "021-555-1234"}),
                422,
                "invalid_whatsapp",
            ),
            (
                json!({"product": "NOPE", "target": ML_ID, "zone": ML_ZONE, "whatsapp": "0812-3456-7890"}),
                404,
                "product_not_found",
            ),
            (
                json!({"product": ML, "target": "912345678", "zone": ML_ZONE, "whatsapp": "0812-3456-7890"}),
                404,
                "account_not_found",
            ),
            (json!({"product": ML}), 422, "invalid_json"),
        ];
        for (body, status, code) in cases {
            let (got, answer) = s.post_json("/api/v1/orders", body.clone()).await;
            assert_eq!(got, status, "{body} → {answer}");
            assert_eq!(answer["error"]["code"], code, "{answer}");
            assert!(answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            0
        );
        let (status, _) = s.get_json("/api/v1/orders/MS-ZZZZZZZZ").await;
        assert_eq!(status, 404);
        s
    }
);

both_backends!(
    vip_callback_needs_its_signature,
    |s: TestStore| async move {
        let order = s.order(ML, "123456783", Some(ML_ZONE)).await; // ends in 3: stays processing
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        maddstore::service::fulfilment::process(s.app(), &code, "test")
            .await
            .unwrap();
        s.settle().await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Processing);
        let trxid = row.supplier_trxid.clone().unwrap();
        let forged = json!({"data": {"trxid": trxid, "data": "123456783", "zone": ML_ZONE, "service": "x", "status": "success", "note": "FAKE-SN", "price": 1}});
        let r = s
            .http
            .post(s.url("/webhooks/vip-reseller"))
            .header("x-client-signature", "nope")
            .json(&forged)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Processing);
        // The real supplier finishing it arrives by its signed callback.
        assert!(s.sandbox().vip.release(&trxid, true));
        s.settle().await;
        // Callbacks are delivered by a sandbox task; polling would also catch it.
        s.advance(time::Duration::seconds(10)).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Delivered);
        assert_ne!(row.serial_number.as_deref(), Some("FAKE-SN"));
        s
    }
);

both_backends!(
    supplier_lookups_are_rate_limited_per_client,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "4".into()); // bursts of 2
    },
    |s: TestStore| async move {
        let ask = |forwarded_for: &'static str| {
            s.http
                .post(s.url("/api/v1/nickname"))
                .header("x-forwarded-for", forwarded_for)
                .json(&json!({"product": ML, "target": ML_ID, "zone": ML_ZONE}))
                .send()
        };
        assert_eq!(ask("203.0.113.7").await.unwrap().status().as_u16(), 200);
        assert_eq!(ask("203.0.113.7").await.unwrap().status().as_u16(), 200);
        let refused = ask("203.0.113.7").await.unwrap();
        assert_eq!(refused.status().as_u16(), 429);
        assert!(refused.headers().contains_key("retry-after"));
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_many_requests");
        // Another customer behind the same local proxy has a bucket of their own.
        assert_eq!(ask("198.51.100.9").await.unwrap().status().as_u16(), 200);
        // Reading orders and products is never limited.
        for _ in 0..5 {
            assert_eq!(s.get_json("/api/v1/products").await.0, 200);
        }
        s
    }
);

/// By default the seller hears of an order once it is paid (abandoned checkouts stay quiet), with
/// the reply that processes it; `seller_notice = all` (the tests' setting) tells of every order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seller_hears_of_paid_orders_only_by_default() {
    let s = TestStore::start(crate::common::Backend::Sqlite, |env| {
        env.remove("MADD_SELLER_NOTICE");
    })
    .await;
    let abandoned = s.order(ML, ML_ID, Some(ML_ZONE)).await;
    let order = s.order(ML, ML_ID, Some(ML_ZONE)).await;
    s.settle().await;
    assert_eq!(s.inbox(CUSTOMER).len(), 2, "both invoices went out");
    assert!(s.inbox(SELLER).is_empty(), "no notice for unpaid orders");

    let code = code_of(&order);
    s.pay(units(&order), &code).await;
    let seller = s.inbox(SELLER);
    assert_eq!(seller.len(), 1, "{seller:?}");
    assert!(seller[0].body.contains(&code), "{}", seller[0].body);
    assert!(
        seller[0].body.contains(&format!("balas *proses {code}*")),
        "{}",
        seller[0].body
    );
    assert!(!seller[0].body.contains(&code_of(&abandoned)));
    s.stop().await;
}
