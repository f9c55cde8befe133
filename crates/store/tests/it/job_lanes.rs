//! Issue 8, points 7 and 8: jobs run in lanes that never wait for each other (a hanging WhatsApp
//! gateway slows only messages), and a store killed mid-job resumes that job as soon as it is
//! started again — on SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use crate::common::{Backend, TestStore};
use madd_sandbox::trakteer::PayRequest;
use madd_sandbox::vip::Fault;
use serde_json::json;

async fn hanging_gateway(backend: Backend) {
    if crate::common::skip(backend) {
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
    if crate::common::skip(backend) {
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

/// A lane looks for its own work by index, whatever the other lanes have queued: with thousands
/// of WhatsApp messages due and an expiry job per unpaid order, every lane's claim and
/// next-due statement seeks `jobs_pending_kind` / `jobs_leased` and never walks `jobs_due` or
/// the table (SQLite's plan; the claim without lanes is the drain's and may).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lane_finds_its_work_by_index_whatever_the_backlog() {
    use maddstore::db::jobs::{claim, claim_sql, next_due, next_due_sql};
    use maddstore::db::Backend as DbBackend;
    use maddstore::jobs::queue::Lane;

    let s = TestStore::start(Backend::Sqlite, |_| {}).await;
    let now = s.app().now_ms();
    let mut conn = s.app().db.write().await.unwrap();
    // A backlog: due messages, and expiry jobs an hour out.
    for (kind, run_at) in [
        ("send_message", now - 1_000),
        ("expire_order", now + 3_600_000),
    ] {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
             INSERT INTO jobs (kind, ref_id, payload, state, run_at, attempts, max_attempts, \
             created_at, updated_at) SELECT $1, i, '{}', 'pending', $2 + i, 0, 10, $3, $3 FROM n",
        )
        .bind(kind)
        .bind(run_at)
        .bind(now)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    for lane in Lane::ALL {
        let kinds = lane.kinds();
        for sql in [
            claim_sql(DbBackend::Sqlite, Some(&kinds)),
            next_due_sql(Some(&kinds)),
        ] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut plan = sqlx::query(&explain);
            if sql.contains("$3") {
                plan = plan.bind("w").bind(now + 30_000).bind(now);
            }
            let rows = plan.fetch_all(&mut *conn).await.unwrap();
            let lines: Vec<String> = rows
                .iter()
                .map(|r| sqlx::Row::get::<String, _>(r, 3))
                .collect();
            for line in &lines {
                assert!(
                    !line.contains("jobs_due") && !line.starts_with("SCAN jobs"),
                    "{lane:?} walks the backlog: {lines:?}\n{sql}"
                );
            }
        }
    }
    // And the statements answer right: the interactive lane has nothing due, the orders lane's
    // next job is the first expiry, the messages lane claims the oldest message.
    let interactive = Lane::Interactive.kinds();
    assert!(claim(
        &mut conn,
        DbBackend::Sqlite,
        "w",
        now,
        30_000,
        Some(&interactive)
    )
    .await
    .unwrap()
    .is_none());
    assert_eq!(
        next_due(&mut conn, Some(&Lane::Orders.kinds()))
            .await
            .unwrap(),
        Some(now + 3_600_000 + 1)
    );
    let messages = Lane::Messages.kinds();
    let job = claim(
        &mut conn,
        DbBackend::Sqlite,
        "w",
        now,
        30_000,
        Some(&messages),
    )
    .await
    .unwrap()
    .expect("a due message");
    assert_eq!((job.kind.as_str(), job.ref_id), ("send_message", Some(1)));
    // A leased job comes due when its lease runs out, not before.
    assert_eq!(
        next_due(&mut conn, Some(&messages)).await.unwrap(),
        Some(now - 1_000 + 2)
    );
    drop(conn);
    s.stop().await;
}
