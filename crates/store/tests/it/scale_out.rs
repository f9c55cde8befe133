//! The store pointed at outside servers by configuration, and several store processes sharing
//! one PostgreSQL database.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::common::{Backend, TestStore, CUSTOMER};
use madd_domain::OrderStatus;
use madd_sandbox::Profile;
use maddstore::clock::Clock;
use maddstore::config::Config;
use maddstore::startup::{self, StartOptions};

/// A second store process on the first one's database, speaking to the first one's sandbox as if
/// it were the real VIP Reseller, Trakteer and Fonnte (`MADD_SUPPLIER=vip-reseller`, …).
async fn second_process(first: &TestStore) -> startup::Running {
    let sandbox = first.sandbox();
    let vip = sandbox.vip.config();
    let wa = sandbox.whatsapp.config();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set("MADD_DATABASE_URL", first.database_url.clone());
    set("MADD_LISTEN", listener.local_addr().unwrap().to_string());
    set("MADD_SELLER_WHATSAPP", crate::common::SELLER.into());
    set("MADD_SUPPLIER", "vip-reseller".into());
    set("MADD_VIP_API_URL", first.url("/sandbox/vip-reseller/api"));
    set("MADD_VIP_API_ID", vip.api_id.clone());
    set("MADD_VIP_API_KEY", vip.api_key.clone());
    set("MADD_VIP_PRICE_TIER", vip.level.to_lowercase());
    set("MADD_PAYMENT", "trakteer".into());
    set(
        "MADD_TRAKTEER_PAGE_URL",
        first.url("/sandbox/trakteer/maddstore"),
    );
    set(
        "MADD_TRAKTEER_WEBHOOK_TOKEN",
        first
            .app()
            .config
            .trakteer
            .webhook_token
            .expose()
            .to_string(),
    );
    set(
        "MADD_TRAKTEER_API_URL",
        first.url("/sandbox/trakteer/api/v1/public/"),
    );
    set("MADD_WHATSAPP", "fonnte".into());
    set(
        "MADD_WHATSAPP_API_URL",
        first.url("/sandbox/whatsapp/fonnte"),
    );
    set("MADD_WHATSAPP_TOKEN", wa.fonnte_token.clone());
    let config = Config::from_sources(None, &env).unwrap();
    assert!(
        !config.uses_sandbox(),
        "the second process talks to 'outside' servers only"
    );
    startup::start(
        config,
        listener,
        StartOptions {
            clock: Arc::new(first.clock.clone()) as Arc<dyn Clock>,
            workers: 2,
            sandbox_profile: Profile::Tests,
            sandbox_access: startup::SandboxAccess::Open,
            mount_all_simulators: false,
        },
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgres_place_one_supplier_order() {
    if std::env::var("MADD_TEST_POSTGRES").as_deref() == Ok("skip") {
        return;
    }
    let a = TestStore::start(Backend::Postgres, |_| {}).await;
    let b = second_process(&a).await;

    // Ordered on A, paid through B's webhook, processed by clicks on both.
    let (status, order) = a
        .post_json(
            "/api/v1/orders",
            serde_json::json!({"product": "ML86-S1", "target": "123456780", "zone": "2345", "whatsapp": CUSTOMER}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let code = order["code"].as_str().unwrap().to_string();
    a.settle().await;
    // B answers the same order: the state lives in the shared database.
    let r: serde_json::Value = a
        .http
        .get(b.url(&format!("/api/v1/orders/{code}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["code"], code.as_str());

    a.sandbox()
        .trakteer
        .set_webhook_url(Some(b.url("/webhooks/trakteer")));
    a.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
        .await;
    assert_eq!(a.order_row(&code).await.status, OrderStatus::Paid);

    let (session, csrf) = a.admin_login().await;
    let clicks = (0..20).map(|i| {
        let url = if i % 2 == 0 {
            a.url(&format!("/admin/orders/{code}/process"))
        } else {
            b.url(&format!("/admin/orders/{code}/process"))
        };
        a.http
            .post(url)
            .header("cookie", &session)
            .form(&[("csrf_token", csrf.as_str())])
            .send()
    });
    let answers = futures::future::join_all(clicks).await;
    let ok = answers
        .iter()
        .filter(|r| r.as_ref().unwrap().status().as_u16() == 303)
        .count();
    assert_eq!(ok, 1, "one click wins across both processes");

    // Both processes run workers; A's harness drains too.
    a.settle().await;
    for _ in 0..200 {
        if a.order_row(&code).await.status == OrderStatus::Delivered {
            break;
        }
        a.settle().await;
        tokio::task::yield_now().await;
    }
    let row = a.order_row(&code).await;
    assert_eq!(row.status, OrderStatus::Delivered, "{row:?}");
    assert_eq!(a.sandbox().vip.order_requests(), 1);
    assert_eq!(
        a.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
            .await,
        1
    );
    b.stop().await;
    a.stop().await;
}

both_backends!(
    cloud_api_sends_templates_outside_the_window_and_text_inside,
    |env: &mut BTreeMap<String, String>| {
        env.insert("MADD_WHATSAPP".into(), "cloud".into());
        env.insert(
            "MADD_WHATSAPP_API_URL".into(),
            "{base}/sandbox/whatsapp/cloud/v23.0".into(),
        );
        env.insert("MADD_WHATSAPP_TOKEN".into(), "test-cloud-token".into());
        env.insert("MADD_WHATSAPP_PHONE_NUMBER_ID".into(), "1234567890".into());
    },
    |s: TestStore| async move {
        let order = s.order("ML86-S1", "123456780", Some("2345")).await;
        let code = order["code"].as_str().unwrap().to_string();
        // The customer never wrote to the store: the invoice goes out as the approved template,
        // with the same facts as parameters.
        let first = s.inbox(CUSTOMER);
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0].kind, "template");
        assert_eq!(first[0].template_name.as_deref(), Some("order_created"));
        assert_eq!(first[0].params[0], code);
        assert!(first[0]
            .params
            .iter()
            .any(|p| p.contains("/sandbox/trakteer/maddstore/tip")));

        // The customer writes (the store learns it from the inbound webhook): now free text.
        let customer = madd_domain::PhoneNumber::parse(CUSTOMER).unwrap();
        {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::messages::touch_window(&mut conn, &customer, s.app().now_ms())
                .await
                .unwrap();
        }
        s.sandbox().whatsapp.open_window(CUSTOMER);
        s.pay(order["amount_due"].as_i64().unwrap() / 1000, &code)
            .await;
        let last = s.inbox(CUSTOMER).into_iter().last().unwrap();
        assert_eq!(last.kind, "text");
        assert!(last.body.contains("sudah kami terima"), "{}", last.body);
        s
    }
);
