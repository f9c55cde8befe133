//! Per-order QRIS at Midtrans and Tripay beside Trakteer (issue 23), on both databases: the QR
//! for the exact amount, the one payment intake (forged, duplicated, late, wrong-amount and lost
//! notifications), failover between rails, and the customer who paid twice.

use crate::common::{TestStore, CUSTOMER};
use madd_domain::OrderStatus;
use serde_json::{json, Value};

const ML: &str = "ML86-S1";

fn rails(first: &'static str) -> impl FnOnce(&mut std::collections::BTreeMap<String, String>) {
    move |env| {
        env.insert("MADD_PAYMENT".into(), "sandbox".into());
        let list = match first {
            "tripay" => "tripay,midtrans",
            _ => "midtrans,tripay",
        };
        env.insert("MADD_PAYMENTS".into(), list.into());
        env.insert("MADD_FULFILMENT".into(), "auto".into());
        env.insert("MADD_FAILED_REFUND".into(), "saldo".into());
        env.insert("MADD_PAYMENT_CREATE_TIMEOUT_MS".into(), "400".into());
    }
}

/// An order whose QRIS has been made; its code and the API's view of it.
async fn ordered(s: &TestStore) -> (String, Value) {
    let (status, order) = s.buy(ML, CUSTOMER, "").await;
    assert_eq!(status, 201, "{order}");
    let code = order["code"].as_str().unwrap().to_string();
    s.settle().await;
    let (status, view) = s.get_json(&format!("/api/v1/orders/{code}")).await;
    assert_eq!(status, 200, "{view}");
    (code, view)
}

fn payment_ref(view: &Value) -> String {
    view["payment"]["ref"]
        .as_str()
        .expect("a payment")
        .to_string()
}

async fn payments(s: &TestStore, code: &str) -> i64 {
    s.count(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE o.code = '{code}'"
    ))
    .await
}

both_backends!(
    midtrans_first_shows_the_exact_qris_and_delivers_when_paid,
    rails("midtrans"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        let due = view["amount_due"].as_i64().unwrap();
        assert_eq!(view["payment"]["rail"], "midtrans", "{view}");
        let text = view["payment"]["qr_string"].as_str().unwrap();
        let qr = madd_domain::qris::parse(text).expect("a valid QRIS with its CRC");
        assert!(qr.dynamic);
        assert_eq!(qr.amount, Some(due));
        let merchant_ref = payment_ref(&view);
        assert_eq!(merchant_ref, format!("{code}-1"));
        // The simulator holds the same payload for the same amount.
        let tx = s.sandbox().midtrans.transaction(&merchant_ref).unwrap();
        assert_eq!((tx.qr_string.as_str(), tx.gross_amount), (text, due));
        // The invoice draws it (no Trakteer steps).
        let page = s
            .http
            .get(s.url(&format!("/order/{code}")))
            .send()
            .await
            .unwrap();
        let html = page.text().await.unwrap();
        assert!(
            html.contains("id=\"qris-code\"") && html.contains("<svg"),
            "{html}"
        );
        assert!(!html.contains("Bayar di Trakteer"));
        // A `pending` notification for the open QRIS changes nothing: it is acknowledged
        // without asking Midtrans for the status (the first one may beat the create's answer,
        // and then it is asked); the settlement is confirmed before it counts.
        s.sandbox().midtrans.wait_notifications().await;
        s.settle().await;
        let asked = s.sandbox().midtrans.status_requests();
        s.sandbox().midtrans.resend(&merchant_ref).await.unwrap();
        s.sandbox().midtrans.wait_notifications().await;
        s.settle().await;
        assert_eq!(s.sandbox().midtrans.status_requests(), asked);

        s.sandbox().midtrans.pay(&merchant_ref).await.unwrap();
        s.settle().await;
        assert!(s.sandbox().midtrans.status_requests() > asked);
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        assert_eq!(order.amount_paid.amount(), due);
        assert_eq!(payments(&s, &code).await, 1);
        // The seller's timeline names the rail the money came through, in Indonesian.
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
        assert!(page.contains("<b>midtrans ("), "{page}");
        assert!(!page.contains("<b>trakteer ("), "{page}");
        assert!(
            !page.contains("<b>system</b>"),
            "actors in Indonesian: {page}"
        );
        s
    }
);

both_backends!(
    tripay_first_shows_its_qris_and_books_its_fee,
    rails("tripay"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        let due = view["amount_due"].as_i64().unwrap();
        assert_eq!(view["payment"]["rail"], "tripay", "{view}");
        let qr = madd_domain::qris::parse(view["payment"]["qr_string"].as_str().unwrap()).unwrap();
        assert_eq!(qr.amount, Some(due));
        s.sandbox().tripay.pay(&payment_ref(&view)).await.unwrap();
        s.settle().await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered);
        // Tripay's own fee from its callback: Rp 750 + 0.7 % rounded up.
        let fee = 750 + (due * 70 + 9_999) / 10_000;
        let net: i64 = s
            .count(&format!(
                "SELECT p.net FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.code = '{code}'"
            ))
            .await;
        assert_eq!(net, due - fee);
        s
    }
);

both_backends!(
    a_forged_notification_is_refused_and_a_hundred_copies_pay_once,
    rails("midtrans"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        let merchant_ref = payment_ref(&view);
        // Forged: a settlement with a made-up signature.
        let tx = s.sandbox().midtrans.transaction(&merchant_ref).unwrap();
        let forged = json!({"transaction_status": "settlement", "status_code": "200",
            "order_id": merchant_ref, "transaction_id": tx.transaction_id,
            "gross_amount": tx.gross_text(), "signature_key": "00".repeat(64),
            "payment_type": "qris", "fraud_status": "accept"});
        let r = s
            .http
            .post(s.url("/webhooks/midtrans"))
            .json(&forged)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        s.settle().await;
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );

        // The real settlement, lost on its way, then delivered 100 times at once.
        let mut faults = s.sandbox().midtrans.faults();
        faults.drop_all = true;
        s.sandbox().midtrans.set_faults(faults);
        s.sandbox().midtrans.pay(&merchant_ref).await.unwrap();
        s.sandbox().midtrans.wait_notifications().await;
        let settlement = s
            .sandbox()
            .midtrans
            .deliveries()
            .into_iter()
            .map(|d| d.body)
            .find(|b| b.contains("\"settlement\""))
            .expect("the settlement notification");
        let sends = (0..100).map(|_| {
            s.http
                .post(s.url("/webhooks/midtrans"))
                .header("content-type", "application/json")
                .body(settlement.clone())
                .send()
        });
        for r in futures::future::join_all(sends).await {
            assert_eq!(r.unwrap().status(), 200);
        }
        s.settle().await;
        assert_eq!(payments(&s, &code).await, 1);
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered);
        assert_eq!(
            order.amount_paid.amount(),
            view["amount_due"].as_i64().unwrap()
        );
        let paid_events = s
            .count(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM order_events e JOIN orders o ON o.id = e.order_id \
                 WHERE o.code = '{code}' AND e.kind = 'paid'"
            ))
            .await;
        assert_eq!(paid_events, 1);

        // A late `pending` after the settlement: it stays paid.
        let pending = s
            .sandbox()
            .midtrans
            .deliveries()
            .into_iter()
            .map(|d| d.body)
            .find(|b| b.contains("\"pending\""))
            .expect("the pending notification");
        let r = s
            .http
            .post(s.url("/webhooks/midtrans"))
            .header("content-type", "application/json")
            .body(pending)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        assert_eq!(payments(&s, &code).await, 1);
        s
    }
);

both_backends!(
    an_amount_that_differs_is_kept_for_the_seller_not_paid,
    rails("tripay"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        let mut faults = s.sandbox().tripay.faults();
        faults.bad_amount = true;
        s.sandbox().tripay.set_faults(faults);
        s.sandbox().tripay.pay(&payment_ref(&view)).await.unwrap();
        s.settle().await;
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );
        let kept = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments WHERE provider = 'tripay' AND state = 'unmatched'")
            .await;
        assert_eq!(kept, 1);
        let seller = s.inbox(crate::common::SELLER);
        assert!(
            seller.iter().any(|m| m.body.contains("perlu dicek")),
            "{seller:?}"
        );
        s
    }
);

both_backends!(
    a_lost_notification_is_found_by_the_checks,
    rails("midtrans"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        s.sandbox()
            .midtrans
            .settle_quietly(&payment_ref(&view))
            .await
            .unwrap();
        s.settle().await;
        assert_eq!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );
        s.advance(time::Duration::minutes(2)).await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered, "{order:?}");
        assert_eq!(payments(&s, &code).await, 1);
        s
    }
);

both_backends!(
    midtrans_down_fails_over_to_tripay_and_a_double_payment_goes_to_saldo,
    rails("midtrans"),
    |s: TestStore| async move {
        let mut faults = s.sandbox().midtrans.faults();
        // Midtrans answers 500 but made the QRIS anyway: the outcome is unknown to the store.
        faults.fail_next = Some(madd_sandbox::midtrans::FailNext {
            count: 1,
            status: 500,
            created: true,
        });
        s.sandbox().midtrans.set_faults(faults);
        let (code, view) = ordered(&s).await;
        assert_eq!(view["payment"]["rail"], "tripay", "{view}");
        assert_eq!(payment_ref(&view), format!("{code}-2"));
        let html = s
            .http
            .get(s.url(&format!("/order/{code}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Tripay QRIS"), "{html}");
        // The customer pays both codes.
        s.sandbox().tripay.pay(&format!("{code}-2")).await.unwrap();
        s.sandbox()
            .midtrans
            .pay(&format!("{code}-1"))
            .await
            .unwrap();
        s.settle().await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered);
        assert_eq!(payments(&s, &code).await, 2);
        let owner = madd_domain::PhoneNumber::parse(CUSTOMER).unwrap();
        let wallet = maddstore::service::saldo::wallet(s.app(), &owner)
            .await
            .unwrap();
        assert_eq!(
            wallet.balance.amount(),
            view["amount_due"].as_i64().unwrap()
        );
        // A further rail failure within the rest time skips Midtrans at once.
        let (_, again) = ordered(&s).await;
        assert_eq!(again["payment"]["rail"], "tripay");
        s
    }
);

both_backends!(
    a_gateway_that_hangs_is_passed_over,
    rails("midtrans"),
    |s: TestStore| async move {
        let mut faults = s.sandbox().midtrans.faults();
        faults.hang = true;
        s.sandbox().midtrans.set_faults(faults);
        let (_, view) = ordered(&s).await;
        assert_eq!(view["payment"]["rail"], "tripay", "{view}");
        s
    }
);

both_backends!(
    saldo_pays_part_and_a_new_qris_asks_for_the_rest,
    rails("midtrans"),
    |s: TestStore| async move {
        let owner = madd_domain::PhoneNumber::parse(CUSTOMER).unwrap();
        s.credit_saldo(&owner, 5_000).await;
        let (code, view) = ordered(&s).await;
        let due = view["amount_due"].as_i64().unwrap();
        assert_eq!(view["payment"]["amount"].as_i64(), Some(due));
        maddstore::service::saldo::pay_order(s.app(), &owner, &code)
            .await
            .unwrap();
        s.settle().await;
        let (_, view) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(view["status"], "underpaid", "{view}");
        assert_eq!(
            view["payment"]["amount"].as_i64(),
            Some(due - 5_000),
            "{view}"
        );
        assert_eq!(payment_ref(&view), format!("{code}-2"));
        let qr = madd_domain::qris::parse(view["payment"]["qr_string"].as_str().unwrap()).unwrap();
        assert_eq!(qr.amount, Some(due - 5_000));
        s.sandbox()
            .midtrans
            .pay(&format!("{code}-2"))
            .await
            .unwrap();
        s.settle().await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::Delivered);
        assert_eq!(order.amount_paid.amount(), due);
        s
    }
);

both_backends!(
    a_wrong_amount_then_the_right_one_never_strands_the_attempt,
    rails("tripay"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        let merchant_ref = payment_ref(&view);
        let mut faults = s.sandbox().tripay.faults();
        faults.bad_amount = true;
        s.sandbox().tripay.set_faults(faults.clone());
        s.sandbox().tripay.pay(&merchant_ref).await.unwrap();
        s.settle().await;
        // The same payment told again with its true amount (the gateway's resend): it was kept
        // for review the first time, so it is neither counted twice nor marked paid unsettled.
        faults.bad_amount = false;
        s.sandbox().tripay.set_faults(faults);
        s.sandbox().tripay.resend(&merchant_ref).await.unwrap();
        s.settle().await;
        let order = s.order_row(&code).await;
        let attempt_state: String = {
            let mut conn = s.app().db.write().await.unwrap();
            sqlx::query_scalar("SELECT state FROM payment_attempts WHERE merchant_ref = $1")
                .bind(&merchant_ref)
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        };
        assert!(
            order.status == OrderStatus::AwaitingPayment && attempt_state != "paid",
            "{:?} with the attempt {attempt_state}",
            order.status
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments WHERE provider = 'tripay'")
                .await,
            1
        );
        s
    }
);

both_backends!(
    an_attempt_left_creating_by_a_crash_gets_the_customer_a_new_qris,
    rails("midtrans"),
    |s: TestStore| async move {
        let (code, view) = ordered(&s).await;
        let first = payment_ref(&view);
        // What a process that stopped between asking Midtrans and reading its answer leaves:
        // attempt 1 `creating`, no reference, no QR text (Midtrans made the QRIS all the same).
        {
            let mut conn = s.app().db.write().await.unwrap();
            sqlx::query(
                "UPDATE payment_attempts SET state = 'creating', reference = NULL, \
                 qr_string = NULL, qr_url = NULL WHERE merchant_ref = $1",
            )
            .bind(&first)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        maddstore::service::rails::forget(s.app(), s.order_row(&code).await.id);
        let (_, view) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(view["payment"]["state"], "creating", "{view}");
        // The checks find it at Midtrans by our reference, set it aside and make a new QRIS.
        s.advance(time::Duration::minutes(2)).await;
        let (_, view) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(payment_ref(&view), format!("{code}-2"), "{view}");
        assert!(view["payment"]["qr_string"].as_str().is_some(), "{view}");
        // The first one is still watched, and a payment on it still counts.
        s.sandbox().midtrans.pay(&first).await.unwrap();
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        s
    }
);
