//! Customer saldo (issue 13, first part), on SQLite and PostgreSQL: a paid order the supplier
//! refuses for good is refunded to the customer's saldo at once and once; saldo pays later orders
//! fully or partly (the rest through Trakteer); racing spends never overdraw; the ledger always
//! sums to every balance.

use std::collections::BTreeMap;

use crate::common::{TestStore, CUSTOMER, SELLER};
use madd_domain::{OrderStatus, PhoneNumber, Rupiah};
use maddstore::db::wallets::{self, EntryKind, Moved, Movement};
use maddstore::service::saldo;

fn saldo_store(env: &mut BTreeMap<String, String>) {
    env.insert("MADD_FAILED_REFUND".into(), "saldo".into());
    env.insert("MADD_FULFILMENT".into(), "auto".into());
}

fn customer() -> PhoneNumber {
    PhoneNumber::parse(CUSTOMER).unwrap()
}

fn units(order: &serde_json::Value) -> i64 {
    order["amount_due"].as_i64().unwrap() / 1000
}

fn code_of(order: &serde_json::Value) -> String {
    order["code"].as_str().unwrap().to_string()
}

async fn balance(s: &TestStore) -> Rupiah {
    let mut conn = s.app().db.read().await.unwrap();
    wallets::balance_of(&mut conn, &customer()).await.unwrap()
}

async fn ledger_adds_up(s: &TestStore) -> Rupiah {
    let mut conn = s.app().db.read().await.unwrap();
    let (wrong, owed) = wallets::audit(&mut conn).await.unwrap();
    assert!(
        wrong.is_empty(),
        "balances that are not their entries' sum: {wrong:?}"
    );
    owed
}

both_backends!(
    a_paid_order_the_supplier_refuses_is_refunded_to_saldo_once,
    saldo_store,
    |s: TestStore| async move {
        // Ids ending in 2: the sandbox supplier refuses the order for good.
        let order = s.order("ML86-S1", "123456782", Some("2345")).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Refunded);
        assert_eq!(row.refund_method.as_deref(), Some("saldo"));
        assert_eq!(balance(&s).await, row.amount_paid);

        let told = s.inbox(CUSTOMER);
        let refund_messages: Vec<_> = told
            .iter()
            .filter(|m| m.body.contains("kembalikan ke *saldo*"))
            .collect();
        assert_eq!(refund_messages.len(), 1, "{told:?}");
        assert!(refund_messages[0]
            .body
            .contains(&row.amount_paid.to_string()));
        assert!(
            !told
                .iter()
                .any(|m| m.body.contains("Admin akan segera menghubungi")),
            "no 'we will contact you' when the money is already back"
        );
        assert!(s
            .inbox(SELLER)
            .iter()
            .any(|m| m.body.contains("dikembalikan otomatis ke saldo")));

        // The same failure reported again refunds nothing more.
        let again = s.order_row(&code).await;
        let mut tx = s.app().db.begin().await.unwrap();
        assert_eq!(
            saldo::credit::refund_failed(s.app(), &mut tx, &again, s.app().now_ms())
                .await
                .unwrap(),
            None
        );
        tx.commit().await.unwrap();
        s.settle().await;
        assert_eq!(balance(&s).await, row.amount_paid);

        // The invoice says where the money is.
        let invoice = s
            .http
            .get(s.url(&format!("/order/{code}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(invoice.contains("id=\"refund-saldo\""), "{invoice}");
        let (_, api) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(api["refund"]["method"], "saldo", "{api}");
        assert_eq!(api["refund"]["amount"], row.amount_paid.amount(), "{api}");
        assert_eq!(ledger_adds_up(&s).await, row.amount_paid);
        // The dashboard's checks say the same.
        maddstore::service::store_checks::job(s.app())
            .await
            .unwrap();
        let checks = maddstore::service::store_checks::latest(s.app())
            .await
            .unwrap()
            .unwrap();
        let line = checks.checks.iter().find(|c| c.name == "saldo").unwrap();
        assert!(!line.failed(), "{line:?}");
        assert!(
            format!("{line:?}").contains(&row.amount_paid.to_string()),
            "{line:?}"
        );
        s
    }
);

both_backends!(
    saldo_pays_an_order_fully_or_partly_and_only_its_owner_may,
    saldo_store,
    |s: TestStore| async move {
        let owner = customer();
        let now = s.app().now_ms();
        let mut tx = s.app().db.begin().await.unwrap();
        let credited = wallets::apply(
            &mut tx,
            &Movement {
                owner: &owner,
                amount: Rupiah::new(30_000),
                kind: EntryKind::Manual,
                order_id: None,
                note: "test",
                actor: "admin:seller",
            },
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(credited, Moved::Done(Rupiah::new(30_000)));

        // Fully: the order is paid at once, no Trakteer.
        let first = s.order("ML86-S1", "123456780", Some("2345")).await;
        let due = Rupiah::new(first["amount_due"].as_i64().unwrap());
        let paid = saldo::pay_order(s.app(), &owner, &code_of(&first))
            .await
            .unwrap();
        assert_eq!(paid.taken, due);
        assert_eq!(paid.rest, Rupiah::ZERO);
        assert_eq!(paid.balance, Rupiah::new(30_000) - due);
        s.settle().await;
        assert_ne!(
            s.order_row(&code_of(&first)).await.status,
            OrderStatus::AwaitingPayment
        );

        // A stranger cannot spend someone's saldo on someone's order, nor learn it exists.
        let stranger = PhoneNumber::parse("6281377778888").unwrap();
        let second = s.order("ML86-S1", "123456780", Some("2345")).await;
        let e = saldo::pay_order(s.app(), &stranger, &code_of(&second))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "order_not_found");

        // Partly: what saldo covers now, the rest through Trakteer.
        let left = Rupiah::new(30_000) - due;
        let partly = saldo::pay_order(s.app(), &owner, &code_of(&second))
            .await
            .unwrap();
        assert_eq!(partly.taken, left);
        assert_eq!(partly.balance, Rupiah::ZERO);
        assert_eq!(partly.status, OrderStatus::Underpaid);
        let rest = partly.rest;
        s.settle().await;
        s.pay(
            rest.amount() / 1000 + i64::from(rest.amount() % 1000 != 0),
            &code_of(&second),
        )
        .await;
        let row = s.order_row(&code_of(&second)).await;
        assert!(
            matches!(
                row.status,
                OrderStatus::Paid | OrderStatus::Processing | OrderStatus::Delivered
            ),
            "{:?}",
            row.status
        );
        // Saldo once per order: a second try finds nothing to pay.
        assert!(saldo::pay_order(s.app(), &owner, &code_of(&second))
            .await
            .is_err());
        assert_eq!(ledger_adds_up(&s).await, Rupiah::ZERO);
        s
    }
);

both_backends!(
    racing_spends_never_overdraw,
    |env: &mut BTreeMap<String, String>| {
        saldo_store(env);
        // Fifty orders from one client in a second.
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let owner = customer();
        // Balance for exactly 10 orders.
        let one = s.order("ML5-S1", "123456780", Some("2345")).await;
        let price = Rupiah::new(one["amount_due"].as_i64().unwrap());
        s.credit_saldo(&owner, price.checked_mul(10).unwrap().amount())
            .await;
        let mut codes = vec![code_of(&one)];
        for _ in 0..49 {
            codes.push(code_of(&s.order("ML5-S1", "123456780", Some("2345")).await));
        }
        let spends = codes.iter().map(|code| {
            let app = s.app().clone();
            let owner = owner.clone();
            let code = code.clone();
            tokio::spawn(async move { saldo::pay_order(&app, &owner, &code).await })
        });
        let results = futures::future::join_all(spends).await;
        let paid = results
            .into_iter()
            .filter(|r| matches!(r, Ok(Ok(p)) if p.rest == Rupiah::ZERO))
            .count();
        assert_eq!(paid, 10);
        assert_eq!(balance(&s).await, Rupiah::ZERO);
        assert_eq!(ledger_adds_up(&s).await, Rupiah::ZERO);
        s
    }
);

both_backends!(
    the_seller_refunds_to_saldo_and_overpayments_go_there_on_delivery,
    |s: TestStore| async move {
        // "Ask me first": the failed order waits for the seller, who picks saldo.
        let order = s.order("ML86-S1", "123456782", Some("2345")).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        let (session, csrf) = s.admin_login().await;
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Failed);
        assert_eq!(balance(&s).await, Rupiah::ZERO);
        maddstore::service::refunds::refund(
            s.app(),
            &code,
            "admin:seller",
            madd_domain::RefundMethod::Saldo,
            None,
            "",
        )
        .await
        .unwrap();
        s.settle().await;
        let paid = s.order_row(&code).await.amount_paid;
        assert_eq!(balance(&s).await, paid);
        assert!(s
            .inbox(CUSTOMER)
            .iter()
            .any(|m| m.body.contains("masuk ke *saldo*")));
        s
    }
);

both_backends!(
    an_overpayment_goes_to_saldo_when_the_order_is_delivered,
    saldo_store,
    |s: TestStore| async move {
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = code_of(&order);
        // One Trakteer unit more than the bill.
        s.pay(units(&order) + 1, &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Delivered, "{row:?}");
        let over = row.amount_paid - row.amount_due;
        assert!(over.is_positive());
        assert_eq!(balance(&s).await, over);
        // Nothing is left to give back by hand.
        let left = maddstore::service::overpayment::of_order(s.app(), row.id)
            .await
            .unwrap()
            .open();
        assert_eq!(left, Rupiah::ZERO);
        assert_eq!(ledger_adds_up(&s).await, over);
        s
    }
);

// Signing in with a WhatsApp code, the wallet, and an API order paid from saldo; a wrong code
// five times locks the number's sign-in; a code is never left readable once sent.
both_backends!(
    sign_in_by_whatsapp_code_then_pay_an_api_order_with_saldo,
    |env: &mut BTreeMap<String, String>| {
        saldo_store(env);
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let owner = customer();
        s.credit_saldo(&owner, 100_000).await;

        let (status, _) = s
            .post_json(
                "/api/v1/otp",
                serde_json::json!({"whatsapp": "0812-3456-7890"}),
            )
            .await;
        assert_eq!(status, 202);
        s.settle().await;
        let sent = s.inbox(CUSTOMER);
        let body = &sent.last().unwrap().body;
        let code: String = body
            .split('*')
            .nth(1)
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(code.len(), 6, "{body}");
        // Once sent, the code is no longer readable in the store (dashboard, backups).
        let stored: Vec<String> = {
            let mut conn = s.app().db.read().await.unwrap();
            sqlx::query_scalar("SELECT body FROM messages WHERE kind = 'sign_in_code'")
                .fetch_all(&mut *conn)
                .await
                .unwrap()
        };
        assert!(stored.iter().all(|b| !b.contains(&code)), "{stored:?}");

        // Without a session: no wallet.
        let (status, _) = s.get_json("/api/v1/wallet").await;
        assert_eq!(status, 401);
        let (status, body) = s
            .post_json(
                "/api/v1/session",
                serde_json::json!({"whatsapp": "081234567890", "code": code}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let token = body["token"].as_str().unwrap().to_string();
        // Once only.
        let (status, _) = s
            .post_json(
                "/api/v1/session",
                serde_json::json!({"whatsapp": "081234567890", "code": code}),
            )
            .await;
        assert_eq!(status, 422);

        let wallet = s
            .http
            .get(s.url("/api/v1/wallet"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(wallet["balance"], 100_000);
        assert_eq!(wallet["entries"][0]["kind"], "manual");

        // An order paid from saldo at once.
        let r = s
            .http
            .post(s.url("/api/v1/orders"))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"product": "ML86-S1", "target": "123456780",
                "zone": "2345", "whatsapp": "081234567890", "pay_with": "saldo"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let order: serde_json::Value = r.json().await.unwrap();
        assert_eq!(order["amount_paid"], order["amount_due"], "{order}");
        assert_ne!(order["status"], "awaiting_payment");
        // The timeline names who paid: saldo, not the payment rail.
        let paid_by: String = {
            let mut conn = s.app().db.write().await.unwrap();
            sqlx::query_scalar(
                "SELECT e.actor FROM order_events e JOIN orders o ON o.id = e.order_id \
                 WHERE o.code = $1 AND e.kind = 'paid'",
            )
            .bind(order["code"].as_str().unwrap())
            .fetch_one(&mut *conn)
            .await
            .unwrap()
        };
        assert_eq!(paid_by, "saldo");
        // Someone else's number cannot be paid for with this saldo.
        let r = s
            .http
            .post(s.url("/api/v1/orders"))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"product": "ML86-S1", "target": "123456780",
                "zone": "2345", "whatsapp": "081377778888", "pay_with": "saldo"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);

        // Five wrong codes from one address lock that address out, even for the right code.
        let (status, _) = s
            .post_json(
                "/api/v1/otp",
                serde_json::json!({"whatsapp": "081234567890"}),
            )
            .await;
        assert_eq!(status, 202);
        s.settle().await;
        let right: String = s
            .inbox(CUSTOMER)
            .iter()
            .rev()
            .find(|m| m.body.starts_with("Kode masuk"))
            .unwrap()
            .body
            .split('*')
            .nth(1)
            .unwrap()
            .to_string();
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        for _ in 0..5 {
            let (status, _) = s
                .post_json(
                    "/api/v1/session",
                    serde_json::json!({"whatsapp": "081234567890", "code": wrong}),
                )
                .await;
            assert_eq!(status, 422);
        }
        let (status, _) = s
            .post_json(
                "/api/v1/session",
                serde_json::json!({"whatsapp": "081234567890", "code": right}),
            )
            .await;
        assert_eq!(status, 429, "locked");
        let (status, _) = s
            .post_json(
                "/api/v1/otp",
                serde_json::json!({"whatsapp": "081234567890"}),
            )
            .await;
        assert_eq!(status, 429, "no new code while locked");
        // The lock is this address's: the owner's own device still signs in with the code.
        let r = s
            .http
            .post(s.url("/api/v1/session"))
            .header("x-forwarded-for", "203.0.113.7")
            .json(&serde_json::json!({"whatsapp": "081234567890", "code": right}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
        assert_eq!(
            ledger_adds_up(&s).await,
            Rupiah::new(100_000) - Rupiah::new(order["amount_due"].as_i64().unwrap())
        );
        s
    }
);

both_backends!(
    a_late_payment_for_an_item_no_longer_sold_goes_to_saldo,
    saldo_store,
    |s: TestStore| async move {
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = code_of(&order);
        s.advance(time::Duration::minutes(61)).await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Expired);
        {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::products::set_enabled(&mut conn, "ML86-S1", false)
                .await
                .unwrap();
        }
        s.pay(units(&order), &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Expired);
        assert_eq!(balance(&s).await, row.amount_paid);
        assert!(s
            .inbox(CUSTOMER)
            .iter()
            .any(|m| m.body.contains("masuk ke *saldo*")));
        assert_eq!(ledger_adds_up(&s).await, row.amount_paid);
        s
    }
);

both_backends!(
    the_monthly_report_shows_saldo_as_a_liability_that_adds_up,
    |env: &mut BTreeMap<String, String>| {
        saldo_store(env);
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let owner = customer();
        s.credit_saldo(&owner, 50_000).await;
        // A refused order: 22.000 back into saldo.
        let failed = s.order("ML86-S1", "123456782", Some("2345")).await;
        s.pay(units(&failed), &code_of(&failed)).await;
        let refunded = s.order_row(&code_of(&failed)).await.amount_paid;
        // The next order paid from saldo and delivered.
        let bought = s.order("ML86-S1", "123456780", Some("2345")).await;
        let spent = saldo::pay_order(s.app(), &owner, &code_of(&bought))
            .await
            .unwrap()
            .taken;
        s.settle().await;
        assert_eq!(
            s.order_row(&code_of(&bought)).await.status,
            OrderStatus::Delivered
        );
        // 10.000 paid out.
        let id = saldo::request_cash_out(
            s.app(),
            &owner,
            Rupiah::new(10_000),
            madd_domain::RefundMethod::Dana,
            "081234567890",
        )
        .await
        .unwrap();
        saldo::pay_cash_out(s.app(), id, "ref-1", "admin:seller")
            .await
            .unwrap();
        // A 30.000 top-up paid on Trakteer.
        let token = s.sign_in(CUSTOMER).await;
        let r = s
            .http
            .post(s.url("/api/v1/wallet/topup"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"amount": 30_000}))
            .send()
            .await
            .unwrap();
        let topup: serde_json::Value = r.json().await.unwrap();
        s.pay(30, topup["code"].as_str().unwrap()).await;

        // Trakteer's cut on each payment that came in (the refused order's and the top-up's).
        let cuts: i64 = {
            let mut conn = s.app().db.read().await.unwrap();
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(gross - net), 0) AS BIGINT) FROM payments \
                 WHERE provider = 'trakteer'",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap()
        };
        assert!(cuts > 0);
        let bought_row = s.order_row(&code_of(&bought)).await;
        let supplier = bought_row.supplier_price.unwrap();

        let month = madd_domain::Month::containing(s.app().now_ms());
        let r = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(r.saldo.opening, Rupiah::ZERO);
        assert_eq!(
            r.saldo.credits,
            Rupiah::new(50_000) + refunded + Rupiah::new(30_000)
        );
        assert_eq!(r.saldo.debits, spent + Rupiah::new(10_000));
        assert_eq!(
            r.saldo.closing,
            Rupiah::new(50_000) + refunded + Rupiah::new(30_000) - spent - Rupiah::new(10_000)
        );
        assert_eq!(r.saldo.closing, ledger_adds_up(&s).await);
        // The order paid from saldo is a sale like any other; the refunded one nets to nothing.
        let sales = madd_domain::report::LineKey::Sales;
        assert_eq!(
            r.amount(sales),
            Rupiah::new(bought["amount_due"].as_i64().unwrap())
        );
        let refunds = r.amount(madd_domain::report::LineKey::Refunds);
        let received = r.amount(madd_domain::report::LineKey::RefundedReceived);
        assert_eq!(refunds + received, Rupiah::ZERO, "{refunds} / {received}");
        // By hand: the saldo-paid sale, what VIP charged for it, and Trakteer's cuts — nothing
        // else moved the store's own money this month.
        use madd_domain::report::LineKey;
        assert_eq!(r.amount(LineKey::SupplierCost), Rupiah::ZERO - supplier);
        assert_eq!(r.amount(LineKey::PaymentFees), Rupiah::new(-cuts));
        assert_eq!(
            r.net_profit(),
            Rupiah::new(bought["amount_due"].as_i64().unwrap()) - supplier - Rupiah::new(cuts)
        );
        s
    }
);

both_backends!(
    a_failure_reported_twice_refunds_once,
    saldo_store,
    |s: TestStore| async move {
        // Ids ending in 3: the supplier holds the order; then it fails it by its callback.
        let order = s.order("ML86-S1", "123456783", Some("2345")).await;
        let code = code_of(&order);
        s.pay(units(&order), &code).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Processing);
        let trxid = row.supplier_trxid.clone().unwrap();
        assert!(s.sandbox().vip.release(&trxid, false));
        s.settle().await;
        s.advance(time::Duration::seconds(10)).await;
        let row = s.order_row(&code).await;
        assert_eq!(row.status, OrderStatus::Refunded, "{row:?}");
        // The same failure again, by the store's own status check: nothing more moves.
        let _ = maddstore::service::fulfilment::recheck(s.app(), &code).await;
        s.settle().await;
        s.advance(time::Duration::seconds(10)).await;
        assert_eq!(balance(&s).await, row.amount_paid);
        let refund_messages = s
            .inbox(CUSTOMER)
            .iter()
            .filter(|m| m.body.contains("kembalikan ke *saldo*"))
            .count();
        assert_eq!(refund_messages, 1);
        assert_eq!(ledger_adds_up(&s).await, row.amount_paid);
        s
    }
);

both_backends!(
    the_seller_puts_an_unmatched_payment_into_saldo_and_its_cut_is_a_cost,
    saldo_store,
    |s: TestStore| async move {
        // A payment that names no order and matches none.
        let support = s.pay(7, "buat saldo ya kak").await;
        let payment = {
            let mut conn = s.app().db.read().await.unwrap();
            maddstore::db::payments::list(&mut conn, None, None, 10)
                .await
                .unwrap()
                .into_iter()
                .find(|p| p.transaction_id == support.transaction_id)
                .unwrap()
        };
        assert_eq!(
            payment.state,
            maddstore::db::payments::PaymentState::Unmatched
        );
        let (session, csrf) = s.admin_login().await;
        let credit = || {
            s.http
                .post(s.url(&format!("/admin/payments/{}/saldo", payment.id)))
                .header("cookie", &session)
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("whatsapp", "0812-3456-7890"),
                ])
                .send()
        };
        assert_eq!(credit().await.unwrap().status().as_u16(), 303);
        assert_eq!(credit().await.unwrap().status().as_u16(), 409, "once");
        s.settle().await;
        assert_eq!(balance(&s).await, payment.gross);
        assert!(s
            .inbox(CUSTOMER)
            .iter()
            .any(|m| m.body.contains("masukkan ke *saldo*")));
        // The books: the gross is owed to the customer; Trakteer's cut is the store's cost.
        let month = madd_domain::Month::containing(s.app().now_ms());
        let r = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        let cut = payment.gross - payment.net.unwrap_or(payment.gross);
        assert!(cut.is_positive());
        assert_eq!(
            r.amount(madd_domain::report::LineKey::PaymentFees),
            Rupiah::ZERO - cut
        );
        assert_eq!(r.net_profit(), Rupiah::ZERO - cut);
        assert_eq!(r.saldo.closing, payment.gross);
        assert_eq!(ledger_adds_up(&s).await, payment.gross);
        s
    }
);

both_backends!(
    a_top_up_paid_on_trakteer_lands_in_saldo_and_never_pays_an_order,
    |env: &mut BTreeMap<String, String>| {
        saldo_store(env);
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let token = s.sign_in(CUSTOMER).await;
        // An unpaid order of the same amount is waiting: the top-up's payment must not pay it.
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let amount = order["amount_due"].as_i64().unwrap();
        let topup = |amount: i64| {
            s.http
                .post(s.url("/api/v1/wallet/topup"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"amount": amount}))
                .send()
        };
        assert_eq!(
            topup(5_000).await.unwrap().status().as_u16(),
            422,
            "below the minimum"
        );
        assert_eq!(
            topup(10_500).await.unwrap().status().as_u16(),
            422,
            "not whole units"
        );
        let r = topup(amount).await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let body: serde_json::Value = r.json().await.unwrap();
        let code = body["code"].as_str().unwrap().to_string();
        assert!(body["pay_url"].as_str().unwrap().contains(&code));

        // Trakteer delivers the webhook twice: credited once.
        s.sandbox().trakteer.set_duplicate_deliveries(2);
        s.pay(amount / 1000, &code).await;
        assert_eq!(balance(&s).await, Rupiah::new(amount));
        assert_eq!(
            s.order_row(&code_of(&order)).await.status,
            OrderStatus::AwaitingPayment,
            "the order of the same amount is untouched"
        );
        assert!(s
            .inbox(CUSTOMER)
            .iter()
            .any(|m| m.body.contains("Isi saldo")));

        // The books: owed to the customer; Trakteer's cut is the store's cost.
        let month = madd_domain::Month::containing(s.app().now_ms());
        let r = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert_eq!(r.saldo.credits, Rupiah::new(amount));
        assert!(r
            .amount(madd_domain::report::LineKey::PaymentFees)
            .is_negative());
        assert_eq!(ledger_adds_up(&s).await, Rupiah::new(amount));
        s
    }
);

/// The worker dies (kill -9) while the supplier is being asked about a paid order it will refuse:
/// after the restart the placement resumes, the refusal is recorded and the money goes to saldo
/// — once, with one message.
async fn refund_survives_a_crash(backend: crate::common::Backend) {
    use std::time::{Duration, Instant};
    if crate::common::skip(backend) {
        return;
    }
    let config = |env: &mut BTreeMap<String, String>| {
        saldo_store(env);
        env.insert("MADD_INSTANCE".into(), "saldo-crash-test".into());
    };
    let s = TestStore::start(backend, config).await;
    let order = s.order("ML86-S1", "123456782", Some("2345")).await;
    let code = code_of(&order);
    s.sandbox()
        .vip
        .set_fault(madd_sandbox::vip::Fault::Slow(Duration::from_secs(600)));
    let support = s
        .sandbox()
        .trakteer
        .pay(madd_sandbox::trakteer::PayRequest {
            quantity: units(&order),
            display_name: "Budi".into(),
            message: code.clone(),
            method: "qris".into(),
            email: None,
        })
        .unwrap();
    s.sandbox()
        .trakteer
        .wait_delivered(&support.transaction_id)
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.order_row(&code).await.placement_started_at.is_none() {
        assert!(Instant::now() < deadline, "the placement never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let s = s.kill_and_restart(config).await;
    s.sandbox().vip.clear_fault();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        s.settle().await;
        if s.order_row(&code).await.status == OrderStatus::Refunded {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the refund never happened after the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let paid = s.order_row(&code).await.amount_paid;
    assert_eq!(balance(&s).await, paid);
    assert_eq!(ledger_adds_up(&s).await, paid);
    let told = s
        .inbox(CUSTOMER)
        .iter()
        .filter(|m| m.body.contains("kembalikan ke *saldo*"))
        .count();
    assert_eq!(told, 1);
    s.stop().await;
}

mod a_refund_to_saldo_survives_a_crash {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        refund_survives_a_crash(crate::common::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        refund_survives_a_crash(crate::common::Backend::Postgres).await;
    }
}

both_backends!(
    a_signed_in_customer_asks_for_a_cash_out_on_the_web,
    |env: &mut BTreeMap<String, String>| {
        saldo_store(env);
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let owner = customer();
        s.credit_saldo(&owner, 40_000).await;
        let token = s.sign_in(CUSTOMER).await;
        let cookie = format!("madd_customer={token}");
        let page = s
            .http
            .get(s.url("/akun"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Rp 40.000") && page.contains("id=\"cash-out\""),
            "{page}"
        );
        let ask = |amount: &'static str| {
            s.http
                .post(s.url("/akun/tarik"))
                .header("cookie", &cookie)
                .form(&[
                    ("amount", amount),
                    ("method", "dana"),
                    ("account", "0812-3456-7890"),
                ])
                .send()
        };
        assert_eq!(
            ask("50.000").await.unwrap().status().as_u16(),
            409,
            "more than the saldo"
        );
        let r = ask("25.000").await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/akun?tarik=1");
        // Without a session: refused.
        let r = s
            .http
            .post(s.url("/akun/tarik"))
            .form(&[("amount", "1000"), ("method", "dana"), ("account", "0812")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        s.settle().await;
        assert!(s
            .inbox(crate::common::SELLER)
            .iter()
            .any(|m| m.body.contains("tarik saldo *Rp25.000*")));
        assert_eq!(
            balance(&s).await,
            Rupiah::new(40_000),
            "debited only when paid out"
        );
        s
    }
);

/// What the customer's right code gets after strangers guessed, from `address`.
async fn session_from(s: &TestStore, address: &str, code: &str) -> u16 {
    s.http
        .post(s.url("/api/v1/session"))
        .header("x-forwarded-for", address)
        .json(&serde_json::json!({"whatsapp": CUSTOMER, "code": code}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

both_backends!(
    fifty_strangers_cannot_lock_the_owner_out,
    |s: TestStore| async move {
        let r = s
            .http
            .post(s.url("/api/v1/otp"))
            .header("x-forwarded-for", "198.51.100.1")
            .json(&serde_json::json!({"whatsapp": CUSTOMER}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 202);
        s.settle().await;
        let right = s
            .inbox(CUSTOMER)
            .iter()
            .rev()
            .find_map(|m| m.body.strip_prefix("Kode masuk Madd Store: *"))
            .and_then(|rest| rest.split('*').next())
            .expect("a code")
            .to_string();
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        for i in 0..50 {
            let status = session_from(&s, &format!("192.0.2.{}", i + 1), wrong).await;
            assert_eq!(status, 422, "stranger {i}");
        }
        // The owner, from a new address, signs in with the right code.
        assert_eq!(session_from(&s, "203.0.113.50", &right).await, 200);
        // A stranger's requests for new codes count against the stranger…
        let otp = |address: &'static str| {
            let s = &s;
            async move {
                s.http
                    .post(s.url("/api/v1/otp"))
                    .header("x-forwarded-for", address)
                    .json(&serde_json::json!({"whatsapp": CUSTOMER}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        for _ in 0..3 {
            assert_eq!(otp("192.0.2.200").await, 202);
        }
        assert_eq!(
            otp("192.0.2.200").await,
            429,
            "the stranger's fourth request"
        );
        // …and the owner still gets a code on their own device.
        assert_eq!(otp("203.0.113.50").await, 202);
        s
    }
);
