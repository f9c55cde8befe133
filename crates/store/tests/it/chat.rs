//! Ordering and running the shop by WhatsApp chat, through the store's webhooks (signed Cloud
//! API payloads, Fonnte payloads and the sandbox inbox), on SQLite and PostgreSQL.

use crate::common::{TestStore, CUSTOMER, SELLER};
use madd_domain::OrderStatus;
use madd_sandbox::whatsapp::{sign, Gateway};
use serde_json::json;

const ML_ID: &str = "123456780";
const ML_ZONE: &str = "2345";
const STRANGER: &str = "6281377778888";

pub(crate) fn cloud_body(from: &str, id: &str, text: &str) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281299990001", "phone_number_id": "1234567890"},
            "contacts": [{"profile": {"name": "Budi"}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": "1749416383", "type": "text",
                          "text": {"body": text}}]
        }}]}]
    })
    .to_string()
}

fn status_body(provider_id: &str, status: &str) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281299990001", "phone_number_id": "1234567890"},
            "statuses": [{"id": provider_id, "status": status, "timestamp": "1749416400",
                          "recipient_id": CUSTOMER}]
        }}]}]
    })
    .to_string()
}

/// POSTs a Cloud webhook body signed with the store's app secret (or `signature` as given).
pub(crate) async fn post_cloud(s: &TestStore, body: &str, signature: Option<&str>) -> u16 {
    let secret = s.app().config.whatsapp.app_secret.expose().to_string();
    let signature = signature
        .map(str::to_owned)
        .unwrap_or_else(|| sign(&secret, body.as_bytes()));
    s.http
        .post(s.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A text from `from` through the Cloud webhook, answered before this returns.
pub(crate) async fn cloud_says(s: &TestStore, from: &str, id: &str, text: &str) {
    assert_eq!(post_cloud(s, &cloud_body(from, id, text), None).await, 200);
    s.settle().await;
}

async fn post_fonnte(s: &TestStore, secret: &str, from: &str, id: &str, text: &str) -> u16 {
    s.http
        .post(s.url(&format!("/webhooks/fonnte/{secret}")))
        .json(&json!({
            "device": "6281299990001", "sender": from, "message": text, "member": "",
            "name": "Budi", "inboxid": id, "timestamp": 1749416383
        }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn fonnte_says(s: &TestStore, from: &str, id: &str, text: &str) {
    let secret = s
        .app()
        .config
        .whatsapp
        .fonnte_webhook_secret
        .expose()
        .to_string();
    assert_eq!(post_fonnte(s, &secret, from, id, text).await, 200);
    s.settle().await;
}

/// The last message the store sent to `number`.
pub(crate) fn last_to(s: &TestStore, number: &str) -> String {
    s.inbox(number)
        .last()
        .map(|m| m.body.clone())
        .unwrap_or_default()
}

async fn latest_order_of(s: &TestStore, number: &str) -> String {
    let mut conn = s.app().db.write().await.unwrap();
    sqlx::query_scalar("SELECT code FROM orders WHERE whatsapp = $1 ORDER BY id DESC LIMIT 1")
        .bind(number)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

fn units(s: &TestStore, amount: i64) -> i64 {
    amount / s.app().payment.unit_price().amount()
}

both_backends!(
    customer_orders_by_cloud_chat_and_seller_processes,
    |s: TestStore| async move {
        cloud_says(&s, CUSTOMER, "wamid.c1", "Halo").await;
        assert!(last_to(&s, CUSTOMER).contains("beli ML86-S1"), "menu");

        cloud_says(&s, CUSTOMER, "wamid.c2", "Harga ML!").await;
        let prices = last_to(&s, CUSTOMER);
        assert!(
            prices.contains("ML86-S1") && prices.contains("86 Diamonds"),
            "{prices}"
        );

        cloud_says(&s, CUSTOMER, "wamid.c3", "cek ml 123456780 (2345)").await;
        assert!(last_to(&s, CUSTOMER).contains("Itacimo"), "nickname check");

        cloud_says(&s, CUSTOMER, "wamid.c4", "beli ml86-s1 123456780 2345").await;
        let confirm = last_to(&s, CUSTOMER);
        assert!(
            confirm.contains("Konfirmasi")
                && confirm.contains("Itacimo")
                && confirm.contains("86 Diamonds")
                && confirm.contains("Total"),
            "{confirm}"
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            0,
            "no order before the confirmation"
        );

        cloud_says(&s, CUSTOMER, "wamid.c5", "Ya").await;
        let code = latest_order_of(&s, CUSTOMER).await;
        let order = s.order_row(&code).await;
        assert_eq!(order.status, OrderStatus::AwaitingPayment);
        assert_eq!(order.nickname.as_deref(), Some("Itacimo"));
        let invoice = last_to(&s, CUSTOMER);
        assert!(
            invoice.contains(&code) && invoice.contains("/sandbox/trakteer/"),
            "invoice with pay link: {invoice}"
        );
        assert!(last_to(&s, SELLER).contains(&code), "seller told");
        // The same order on the web.
        let (status, api) = s.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(status, 200);
        assert_eq!(api["status"], "awaiting_payment");

        // Paid through the Trakteer webhook.
        s.pay(units(&s, order.amount_due.amount()), &code).await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Paid);

        // The seller processes it by chat; the serial number reaches the same chat.
        cloud_says(&s, SELLER, "wamid.s1", &format!("proses {code}")).await;
        let done = s.order_row(&code).await;
        assert_eq!(done.status, OrderStatus::Delivered, "{done:?}");
        let serial = done.serial_number.unwrap();
        let delivered = last_to(&s, CUSTOMER);
        assert!(
            delivered.contains(&serial) && delivered.contains(&code),
            "{delivered}"
        );
        assert_eq!(s.sandbox().vip.order_requests(), 1);

        // Processing twice places nothing twice.
        cloud_says(&s, SELLER, "wamid.s2", &format!("proses {code}")).await;
        assert!(
            last_to(&s, SELLER).contains("Sukses"),
            "{}",
            last_to(&s, SELLER)
        );
        assert_eq!(s.sandbox().vip.order_requests(), 1);

        cloud_says(&s, CUSTOMER, "wamid.c6", &format!("status {code}")).await;
        assert!(last_to(&s, CUSTOMER).contains(&serial));
        s
    }
);

both_backends!(
    guided_order_by_fonnte_and_seller_reads_saldo_and_laporan,
    |s: TestStore| async move {
        fonnte_says(&s, CUSTOMER, "f1", "beli").await;
        assert!(last_to(&s, CUSTOMER).contains("kode produk"));
        fonnte_says(&s, CUSTOMER, "f2", "ml86-s1").await;
        assert!(
            last_to(&s, CUSTOMER).contains("Zone ID"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        fonnte_says(&s, CUSTOMER, "f3", "123456780 (2345)").await;
        assert!(last_to(&s, CUSTOMER).contains("Itacimo"));
        fonnte_says(&s, CUSTOMER, "f4", "ok").await;
        let code = latest_order_of(&s, CUSTOMER).await;
        let order = s.order_row(&code).await;
        assert!(last_to(&s, CUSTOMER).contains(&code));

        s.pay(units(&s, order.amount_due.amount()), &code).await;
        // The seller, through the sandbox inbox (Fonnte's webhook this time).
        let sim = &s.sandbox().whatsapp;
        sim.receive_via(Gateway::Fonnte, SELLER, &format!("proses {code}"))
            .await
            .unwrap();
        s.settle().await;
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Delivered);
        assert!(last_to(&s, CUSTOMER).contains("SUKSES"));

        sim.receive_via(Gateway::Fonnte, SELLER, "saldo")
            .await
            .unwrap();
        s.settle().await;
        assert!(
            last_to(&s, SELLER).contains("Saldo VIP Reseller: *Rp"),
            "{}",
            last_to(&s, SELLER)
        );

        // The default inbox path is the signed Cloud webhook.
        sim.receive_from(SELLER, "laporan").await.unwrap();
        s.settle().await;
        let report = last_to(&s, SELLER);
        let price = order.price.to_string();
        assert!(
            report.contains("Hari ini") && report.contains("Sukses: 1") && report.contains(&price),
            "{report}"
        );
        // The month's net profit is the monthly report's, as the dashboard shows it.
        let month = madd_domain::report::Month::containing(s.app().now_ms());
        let monthly = maddstore::service::report::monthly_report(s.app(), month)
            .await
            .unwrap();
        assert!(
            report.contains(&format!(
                "Laba bersih (setelah biaya bayar, deposit & refund): *{}*",
                monthly.net_profit()
            )),
            "{report}"
        );

        sim.receive_from(SELLER, "pesanan").await.unwrap();
        s.settle().await;
        assert!(last_to(&s, SELLER).contains("Tidak ada pesanan"));
        s
    }
);

both_backends!(
    bad_signature_is_refused_and_changes_nothing,
    |s: TestStore| async move {
        let body = cloud_body(CUSTOMER, "wamid.bad", "harga ml");
        assert_eq!(post_cloud(&s, &body, Some("sha256=00")).await, 403);
        let forged = sign("not-the-app-secret", body.as_bytes());
        assert_eq!(post_cloud(&s, &body, Some(&forged)).await, 403);
        let missing = s
            .http
            .post(s.url("/webhooks/whatsapp"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 403);
        // A signed body that was changed afterwards.
        let signed = sign(s.app().config.whatsapp.app_secret.expose(), body.as_bytes());
        let tampered = body.replace("harga ml", "saldo");
        assert_eq!(post_cloud(&s, &tampered, Some(&signed)).await, 403);
        // Fonnte with a wrong secret.
        assert_eq!(
            post_fonnte(&s, "wrong", CUSTOMER, "x1", "harga ml").await,
            404
        );
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM inbound_messages")
                .await,
            0
        );
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM whatsapp_windows")
                .await,
            0
        );
        assert!(s.inbox(CUSTOMER).is_empty());
        s
    }
);

both_backends!(
    same_message_id_twice_is_answered_once,
    |s: TestStore| async move {
        let body = cloud_body(CUSTOMER, "wamid.dup", "harga ff");
        assert_eq!(post_cloud(&s, &body, None).await, 200);
        assert_eq!(post_cloud(&s, &body, None).await, 200);
        s.settle().await;
        assert_eq!(post_cloud(&s, &body, None).await, 200);
        s.settle().await;
        assert_eq!(s.inbox(CUSTOMER).len(), 1, "one reply");

        let secret = s
            .app()
            .config
            .whatsapp
            .fonnte_webhook_secret
            .expose()
            .to_string();
        for _ in 0..3 {
            assert_eq!(post_fonnte(&s, &secret, CUSTOMER, "777", "menu").await, 200);
        }
        s.settle().await;
        assert_eq!(s.inbox(CUSTOMER).len(), 2, "one more reply");
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM inbound_messages")
                .await,
            2
        );
        s
    }
);

both_backends!(
    strangers_seller_commands_are_refused,
    |s: TestStore| async move {
        let order = s.order("ML86-S1", ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        s.pay(units(&s, order["amount_due"].as_i64().unwrap()), &code)
            .await;
        // `saldo` from a customer is their own saldo, never the supplier's balance.
        cloud_says(&s, STRANGER, "wamid.xs", "saldo").await;
        let own = last_to(&s, STRANGER);
        assert!(
            own.contains("Saldo kamu") && !own.contains("supplier"),
            "{own}"
        );
        for (i, text) in [format!("proses {code}"), "laporan".into(), "tutup".into()]
            .iter()
            .enumerate()
        {
            cloud_says(&s, STRANGER, &format!("wamid.x{i}"), text).await;
            assert!(
                last_to(&s, STRANGER).contains("khusus penjual"),
                "{text}: {}",
                last_to(&s, STRANGER)
            );
        }
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Paid);
        assert_eq!(s.sandbox().vip.order_requests(), 0);
        // `tutup` from a stranger did not close the store.
        let (status, _) = s
        .post_json(
            "/api/v1/orders",
            json!({"product": "ML86-S1", "target": ML_ID, "zone": ML_ZONE, "whatsapp": CUSTOMER}),
        )
        .await;
        assert_eq!(status, 201);
        // A stranger cannot cancel someone else's order either.
        let other = latest_order_of(&s, CUSTOMER).await;
        cloud_says(&s, STRANGER, "wamid.x9", &format!("batal {other}")).await;
        assert_eq!(
            s.order_row(&other).await.status,
            OrderStatus::AwaitingPayment
        );
        s
    }
);

both_backends!(
    status_webhooks_move_messages_forward_only,
    |s: TestStore| async move {
        cloud_says(&s, CUSTOMER, "wamid.st", "menu").await;
        let mut conn = s.app().db.write().await.unwrap();
        let (id, provider_id): (i64, String) = sqlx::query_as(
            "SELECT id, provider_id FROM messages WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(CUSTOMER)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let state = |s: &TestStore| {
            let app = s.app().clone();
            async move {
                let mut conn = app.db.write().await.unwrap();
                sqlx::query_scalar::<_, String>("SELECT state FROM messages WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(state(&s).await, "sent");
        assert_eq!(
            post_cloud(&s, &status_body(&provider_id, "delivered"), None).await,
            200
        );
        assert_eq!(state(&s).await, "delivered");
        assert_eq!(
            post_cloud(&s, &status_body(&provider_id, "read"), None).await,
            200
        );
        assert_eq!(state(&s).await, "read");
        // Late or repeated statuses never move it back.
        for late in ["delivered", "sent", "read"] {
            assert_eq!(
                post_cloud(&s, &status_body(&provider_id, late), None).await,
                200
            );
            assert_eq!(state(&s).await, "read", "after a late {late}");
        }
        // A forged status changes nothing.
        let body = status_body(&provider_id, "failed");
        assert_eq!(post_cloud(&s, &body, Some("sha256=beef")).await, 403);
        assert_eq!(state(&s).await, "read");
        s
    }
);

both_backends!(
    closing_the_store_stops_orders_everywhere,
    |s: TestStore| async move {
        cloud_says(&s, SELLER, "wamid.t1", "TUTUP").await;
        assert!(last_to(&s, SELLER).contains("tutup"));
        let (status, body) = s
        .post_json(
            "/api/v1/orders",
            json!({"product": "ML86-S1", "target": ML_ID, "zone": ML_ZONE, "whatsapp": CUSTOMER}),
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "store_closed");
        cloud_says(&s, CUSTOMER, "wamid.t2", "beli ML86-S1 123456780 2345").await;
        assert!(last_to(&s, CUSTOMER).contains("tutup sementara"));
        cloud_says(&s, SELLER, "wamid.t3", "buka").await;
        let (status, _) = s
        .post_json(
            "/api/v1/orders",
            json!({"product": "ML86-S1", "target": ML_ID, "zone": ML_ZONE, "whatsapp": CUSTOMER}),
        )
        .await;
        assert_eq!(status, 201);
        s
    }
);

both_backends!(
    cancel_unpaid_order_and_rate_limits,
    |s: TestStore| async move {
        cloud_says(&s, CUSTOMER, "wamid.b1", "beli FF50-S1 1234567890").await;
        assert!(last_to(&s, CUSTOMER).contains("Budi Gaming"));
        cloud_says(&s, CUSTOMER, "wamid.b2", "ya").await;
        let code = latest_order_of(&s, CUSTOMER).await;
        cloud_says(&s, CUSTOMER, "wamid.b3", &format!("batal {code}")).await;
        assert!(last_to(&s, CUSTOMER).contains("dibatalkan"));
        assert_eq!(s.order_row(&code).await.status, OrderStatus::Expired);
        cloud_says(&s, CUSTOMER, "wamid.b4", &format!("batal {code}")).await;
        assert!(last_to(&s, CUSTOMER).contains("tidak bisa dibatalkan"));

        // Nickname checks: the same account again costs nothing (its answer is cached)…
        cloud_says(&s, CUSTOMER, "wamid.n8", "cek ff 1234567890").await;
        assert!(last_to(&s, CUSTOMER).contains("Budi Gaming"));
        // …new accounts do: one was spent by `beli`; four more pass, the next is refused.
        for i in 0..4 {
            let text = format!("cek ff 12345678{i}0");
            cloud_says(&s, CUSTOMER, &format!("wamid.n{i}"), &text).await;
            assert!(
                last_to(&s, CUSTOMER).contains("Free Fire ID"),
                "{}",
                last_to(&s, CUSTOMER)
            );
        }
        cloud_says(&s, CUSTOMER, "wamid.n9", "cek ff 1234567850").await;
        assert!(
            last_to(&s, CUSTOMER).contains("terlalu sering"),
            "{}",
            last_to(&s, CUSTOMER)
        );

        // Support messages reach the seller.
        cloud_says(
            &s,
            CUSTOMER,
            "wamid.cs",
            "cs: *Halo* admin, diamond saya belum masuk",
        )
        .await;
        assert!(last_to(&s, CUSTOMER).contains("diteruskan"));
        let forwarded = last_to(&s, SELLER);
        assert!(
            forwarded.contains("diamond saya belum masuk") && forwarded.contains("0812"),
            "{forwarded}"
        );
        // Unknown input gets help, never silence.
        let before = s.inbox(CUSTOMER).len();
        cloud_says(&s, CUSTOMER, "wamid.u1", "asdfgh").await;
        assert_eq!(s.inbox(CUSTOMER).len(), before + 1);
        assert!(last_to(&s, CUSTOMER).contains("menu"));
        s
    }
);

both_backends!(
    subscription_handshake,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_WHATSAPP_VERIFY_TOKEN".into(), "verify-me".into());
    },
    |s: TestStore| async move {
        let ok = s
            .http
            .get(s.url(
                "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444",
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(ok.text().await.unwrap(), "1158201444");
        let bad =
            s.http
                .get(s.url(
                    "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1",
                ))
                .send()
                .await
                .unwrap();
        assert_eq!(bad.status().as_u16(), 403);
        s
    }
);

/// The digits of the amount written after `label` (e.g. `Omzet: Rp12.500` → 12500).
fn amount_after(text: &str, label: &str) -> i64 {
    let rest = text
        .split(label)
        .nth(1)
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    let end = rest.find(['\n', '<']).unwrap_or(rest.len());
    let digits: String = rest[..end].chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no amount after {label:?} in {text}"))
}

both_backends!(
    dashboard_and_laporan_show_the_same_figures,
    |env| {
        // An admin fee, so an order's price and what it charged differ.
        env.insert("MADD_FEE_FIXED".into(), "1500".into());
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let (session, csrf) = s.admin_login().await;
        let mut charged = 0;
        let mut cost = 0;
        for target in ["081220000021", "081220000024"] {
            let order = s.order("S5", target, None).await;
            let code = order["code"].as_str().unwrap().to_string();
            let row = s.order_row(&code).await;
            assert!(row.amount_due > row.price, "the fee is charged: {row:?}");
            s.pay(units(&s, row.amount_due.amount()), &code).await;
            assert_eq!(s.process(&session, &csrf, &code).await, 303);
            s.settle().await;
            let row = s.order_row(&code).await;
            assert_eq!(row.status, OrderStatus::Delivered);
            charged += row.amount_due.amount();
            cost += row.supplier_price.unwrap_or(row.cost).amount();
        }
        // One order today that is not delivered counts as created only.
        s.order("S10", "081220000025", None).await;

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
        let tile = |label: &str| {
            // `<b>Rp 12.500</b><span>Omzet hari ini</span>`: the amount just before the label.
            let before = dashboard
                .split(&format!("<span>{label}</span>"))
                .next()
                .unwrap();
            let value = before.rsplit("<b>").next().unwrap();
            let digits: String = value.chars().filter(char::is_ascii_digit).collect();
            digits.parse::<i64>().unwrap()
        };
        s.sandbox()
            .whatsapp
            .receive_from(SELLER, "laporan")
            .await
            .unwrap();
        s.settle().await;
        let laporan = last_to(&s, SELLER);
        let today = laporan.split("Bulan ini").next().unwrap();

        assert_eq!(tile("Omzet hari ini"), charged, "{dashboard}");
        assert_eq!(amount_after(today, "Omzet:"), charged, "{laporan}");
        assert_eq!(tile("Laba kotor hari ini"), charged - cost);
        assert_eq!(amount_after(today, "Laba:"), charged - cost, "{laporan}");
        assert_eq!(amount_after(today, "Sukses:"), 2);
        assert_eq!(amount_after(today, "Pesanan masuk:"), 3);
        s
    }
);

both_backends!(
    price_lists_know_the_sellers_game_names_and_words,
    |s: TestStore| async move {
        maddstore::service::curation::set_game(
            s.app(),
            "Mobile Legends B",
            "Mobile Legends",
            "0",
            "bangbang",
        )
        .await
        .unwrap();
        maddstore::service::curation::set_product(s.app(), "ML86-S1", "86 Diamonds", "0")
            .await
            .unwrap();
        cloud_says(&s, CUSTOMER, "wamid.alias", "harga bangbang").await;
        let answer = last_to(&s, CUSTOMER);
        assert!(answer.contains("ML86-S1"), "{answer}");
        assert!(
            answer.contains("86 Diamonds –"),
            "the seller's name: {answer}"
        );
        assert!(!answer.contains("(78 + 8 Bonus)"), "{answer}");
        cloud_says(&s, CUSTOMER, "wamid.list", "harga").await;
        assert!(
            last_to(&s, CUSTOMER).contains("Mobile Legends,"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        s
    }
);

both_backends!(
    a_customer_reads_and_spends_saldo_by_chat,
    |s: TestStore| async move {
        let owner = madd_domain::PhoneNumber::parse(CUSTOMER).unwrap();
        s.credit_saldo(&owner, 50_000).await;

        cloud_says(&s, CUSTOMER, "wamid.s1", "saldo").await;
        let answer = last_to(&s, CUSTOMER);
        assert!(answer.contains("Saldo kamu: *Rp50.000*"), "{answer}");
        assert!(answer.contains("Dari penjual"), "{answer}");

        let order = s.order("ML86-S1", ML_ID, Some(ML_ZONE)).await;
        let code = order["code"].as_str().unwrap().to_string();
        // Someone else's number cannot pay it from their (or anyone's) saldo.
        cloud_says(&s, STRANGER, "wamid.s2", &format!("bayar saldo {code}")).await;
        assert!(
            last_to(&s, STRANGER).contains("tidak ditemukan"),
            "{}",
            last_to(&s, STRANGER)
        );
        cloud_says(
            &s,
            CUSTOMER,
            "wamid.s3",
            &format!("bayar {code} pakai saldo"),
        )
        .await;
        let answer = last_to(&s, CUSTOMER);
        assert!(
            answer.contains(&format!("*{code}* lunas dengan saldo"))
                || answer.contains("Pembayaran"),
            "{answer}"
        );
        assert_ne!(
            s.order_row(&code).await.status,
            OrderStatus::AwaitingPayment
        );
        cloud_says(&s, CUSTOMER, "wamid.s4", "saldo").await;
        assert!(
            last_to(&s, CUSTOMER).contains("Bayar pesanan"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        // `beli … pakai saldo`: made and paid from saldo in one go.
        cloud_says(
            &s,
            CUSTOMER,
            "wamid.s7",
            &format!("beli ML5-S1 {ML_ID} {ML_ZONE} pakai saldo"),
        )
        .await;
        assert!(
            last_to(&s, CUSTOMER).contains("dibayar dengan saldo"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        cloud_says(&s, CUSTOMER, "wamid.s8", "ya").await;
        assert!(
            s.inbox(CUSTOMER)
                .iter()
                .any(|m| m.body.contains("lunas dengan saldo")),
            "{:?}",
            s.inbox(CUSTOMER)
                .iter()
                .map(|m| &m.body)
                .collect::<Vec<_>>()
        );
        // An order made by chat by someone with saldo says how to pay it with saldo.
        cloud_says(
            &s,
            CUSTOMER,
            "wamid.s5",
            &format!("beli ML5-S1 {ML_ID} {ML_ZONE}"),
        )
        .await;
        cloud_says(&s, CUSTOMER, "wamid.s6", "ya").await;
        assert!(
            s.inbox(CUSTOMER)
                .iter()
                .any(|m| m.body.contains("Balas *bayar saldo MS-")),
            "{:?}",
            s.inbox(CUSTOMER)
                .iter()
                .map(|m| &m.body)
                .collect::<Vec<_>>()
        );
        s
    }
);

both_backends!(
    saldo_is_paid_out_on_request_once_or_refused_with_a_reason,
    |s: TestStore| async move {
        let owner = madd_domain::PhoneNumber::parse(CUSTOMER).unwrap();
        s.credit_saldo(&owner, 50_000).await;
        let balance = |s: &TestStore| {
            let app = s.app().clone();
            let owner = owner.clone();
            async move {
                let mut conn = app.db.read().await.unwrap();
                maddstore::db::wallets::balance_of(&mut conn, &owner)
                    .await
                    .unwrap()
            }
        };

        // More than the saldo: refused at once.
        cloud_says(&s, CUSTOMER, "wamid.t1", "tarik 60000 dana 081234567890").await;
        assert!(
            last_to(&s, CUSTOMER).contains("tidak cukup"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        cloud_says(&s, CUSTOMER, "wamid.t2", "tarik 30.000 dana 0812-3456-7890").await;
        assert!(
            last_to(&s, CUSTOMER).contains("diteruskan ke penjual"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        assert!(
            last_to(&s, SELLER).contains("tarik saldo *Rp30.000*"),
            "{}",
            last_to(&s, SELLER)
        );
        // One open request at a time.
        cloud_says(&s, CUSTOMER, "wamid.t3", "tarik 1000 ovo 081234567890").await;
        assert!(
            last_to(&s, CUSTOMER).contains("Masih ada penarikan"),
            "{}",
            last_to(&s, CUSTOMER)
        );
        assert_eq!(
            balance(&s).await,
            madd_domain::Rupiah::new(50_000),
            "nothing debited yet"
        );

        let (session, csrf) = s.admin_login().await;
        let page = s
            .http
            .get(s.url("/admin/saldo"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("menunggu 0 menit"), "{page}");
        let id = page
            .split("data-pay=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let pay = || {
            s.http
                .post(s.url(&format!("/admin/saldo/{id}/paid")))
                .header("cookie", &session)
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("reference", "DANA-778899"),
                    ("sent", "yes"),
                ])
                .send()
        };
        // Without a reference, or without the seller's tick, nothing is paid.
        for form in [
            [
                ("csrf_token", csrf.as_str()),
                ("reference", " "),
                ("sent", "yes"),
            ],
            [
                ("csrf_token", csrf.as_str()),
                ("reference", "DANA-778899"),
                ("sent", ""),
            ],
        ] {
            let r = s
                .http
                .post(s.url(&format!("/admin/saldo/{id}/paid")))
                .header("cookie", &session)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 422);
        }
        assert_eq!(pay().await.unwrap().status().as_u16(), 303);
        assert_eq!(pay().await.unwrap().status().as_u16(), 409, "paid once");
        s.settle().await;
        assert_eq!(balance(&s).await, madd_domain::Rupiah::new(20_000));
        assert!(
            last_to(&s, CUSTOMER).contains("ref DANA-778899"),
            "{}",
            last_to(&s, CUSTOMER)
        );

        // Another request, refused with a reason: nothing debited.
        cloud_says(&s, CUSTOMER, "wamid.t4", "tarik 20000 gopay 081234567890").await;
        let page = s
            .http
            .get(s.url("/admin/saldo"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let id = page
            .split("data-pay=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let r = s
            .http
            .post(s.url(&format!("/admin/saldo/{id}/refused")))
            .header("cookie", &session)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("reason", "nomor GoPay tidak aktif"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        s.settle().await;
        assert_eq!(balance(&s).await, madd_domain::Rupiah::new(20_000));
        assert!(last_to(&s, CUSTOMER).contains("nomor GoPay tidak aktif"));
        let mut conn = s.app().db.read().await.unwrap();
        let (wrong, owed) = maddstore::db::wallets::audit(&mut conn).await.unwrap();
        assert!(wrong.is_empty());
        assert_eq!(owed, madd_domain::Rupiah::new(20_000));
        drop(conn);
        s
    }
);
