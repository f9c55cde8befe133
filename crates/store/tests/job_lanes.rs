//! Issue 8, points 7 and 8: jobs run in lanes that never wait for each other (a hanging WhatsApp
//! gateway slows only messages), and a store killed mid-job resumes that job as soon as it is
//! started again — on SQLite and PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use common::{Backend, TestStore};
use madd_sandbox::trakteer::PayRequest;
use madd_sandbox::vip::Fault;
use serde_json::json;

async fn hanging_gateway(backend: Backend) {
    if common::skip(backend) {
        return;
    }
    let s = TestStore::start(backend, |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    })
    .await;
    // The gateway hangs longer than the store waits for it (20 s), and messages queue up.
    s.sandbox()
        .whatsapp
        .set_delay(Some(Duration::from_secs(60)));
    for i in 0..4 {
        let (status, body) = s
            .post_json(
                "/api/v1/orders",
                json!({"product": "S5", "target": format!("0812200000{i:02}"), "whatsapp": "0812-3456-7890"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // A customer checks game accounts meanwhile: each answer comes at once.
    for (target, zone) in [
        ("123456780", "2345"),
        ("987654321", "1234"),
        ("555000111", "4321"),
    ] {
        let started = Instant::now();
        let (status, body) = s
            .post_json(
                "/api/v1/nickname",
                json!({"product": "ML86-S1", "target": target, "zone": zone}),
            )
            .await;
        let took = started.elapsed();
        assert!(status == 200 || status == 404, "{status} {body}");
        assert!(took < Duration::from_secs(2), "lookup took {took:?}");
    }
    // The messages are still waiting for the gateway, not lost.
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = 'queued'")
            .await,
        8
    );
    s.sandbox().whatsapp.set_delay(None);
    // Stopping would wait for the hanging sends; a kill is what a test may do here.
    let s = s.kill_and_restart(|_| {}).await;
    s.stop().await;
}

async fn killed_placement_resumes(backend: Backend) {
    if common::skip(backend) {
        return;
    }
    let config = |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_FULFILMENT".into(), "auto".into());
        env.insert("MADD_INSTANCE".into(), "resume-test".into());
    };
    let s = TestStore::start(backend, config).await;
    let (status, order) = s
        .post_json(
            "/api/v1/orders",
            json!({"product": "S5", "target": "081220000010", "whatsapp": "0812-3456-7890"}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let code = order["code"].as_str().unwrap().to_string();
    // The supplier takes its time; the payment makes the background worker place the order.
    s.sandbox()
        .vip
        .set_fault(Fault::Slow(Duration::from_secs(600)));
    let support = s
        .sandbox()
        .trakteer
        .pay(PayRequest {
            quantity: order["amount_due"].as_i64().unwrap() / 1000,
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
    // Bounded wait until the worker is inside the supplier call.
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.order_row(&code).await.placement_started_at.is_none() {
        assert!(Instant::now() < deadline, "the placement never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // kill -9, then start again on the same database (the clock has not moved: a lease that
    // was not released would hold the job until it ran out).
    let restarted_at = Instant::now();
    let s = s.kill_and_restart(config).await;
    let deadline = restarted_at + Duration::from_secs(10);
    loop {
        let row = s.order_row(&code).await;
        if row.supplier_trxid.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the interrupted placement did not resume within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let resumed_in = restarted_at.elapsed();
    eprintln!("placement resumed {resumed_in:?} after the restart");
    s.settle().await;
    assert_eq!(
        s.order_row(&code).await.status,
        madd_domain::OrderStatus::Delivered
    );
    s.stop().await;
}

mod a_hanging_gateway_slows_only_messages {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        hanging_gateway(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        hanging_gateway(Backend::Postgres).await;
    }
}

mod a_killed_store_resumes_its_placement_at_once {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        killed_placement_resumes(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        killed_placement_resumes(Backend::Postgres).await;
    }
}
