//! Under a storm of abandoned anonymous requests, money and the seller come first: every
//! authentic payment webhook is recorded once (answered at once, or told to retry and recorded
//! on the retry) and the seller's dashboard answers throughout. On SQLite and PostgreSQL.

use std::sync::Arc;

use serde_json::json;

use crate::common::{Backend, TestStore};
use crate::hang_up::{raw_request, send, Leave};

const STORM: usize = 4_000;
const CONNECTIONS: usize = 300;
const WEBHOOKS: usize = 100;

fn webhook(n: usize, code: &str, due: i64) -> String {
    json!({"transaction_id": format!("0000{n:04}-0000-4000-8000-00000000beef"), "type": "tip",
           "supporter_name": "Budi", "supporter_message": code, "unit": "Koin",
           "quantity": due / 1000, "price": due, "net_amount": due * 9 / 10,
           "created_at": "2026-11-25T14:50:10+07:00"})
    .to_string()
}

async fn storm_beside_webhooks(backend: Backend) {
    if crate::common::skip(backend) {
        return;
    }
    let s = TestStore::start(backend, |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    })
    .await;
    let mut codes = Vec::new();
    for i in 0..WEBHOOKS {
        let (status, order) = s
            .post_json(
                "/api/v1/orders",
                json!({"product": "S5", "target": format!("08122{i:07}"), "whatsapp": format!("08133{i:07}")}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        codes.push((
            order["code"].as_str().unwrap().to_string(),
            order["amount_due"].as_i64().unwrap(),
        ));
    }
    let (session, _) = s.admin_login().await;
    let addr = s.running.as_ref().unwrap().addr;
    // Anonymous lookups of accounts nobody knows, each abandoned once sent.
    let limit = Arc::new(tokio::sync::Semaphore::new(CONNECTIONS));
    let storm = tokio::spawn(async move {
        let mut tasks = Vec::with_capacity(STORM);
        for i in 0..STORM {
            let body = json!({"product": "ML86-S1", "target": format!("7{i:08}"), "zone": "2345"})
                .to_string();
            let (head, body) = raw_request("/api/v1/nickname", "", &body, Leave::AfterRequest);
            let permit = limit.clone().acquire_owned().await.unwrap();
            tasks.push(tokio::spawn(async move {
                send(addr, &head, &body, Leave::AfterRequest).await;
                drop(permit);
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    // Meanwhile the webhooks, each retried while it is told to (as Trakteer retries a 5xx), and
    // the seller's dashboard.
    let token = s.app().config.trakteer.webhook_token.expose().to_string();
    let (mut retried, mut dashboard_ok) = (0, 0);
    for (n, (code, due)) in codes.iter().enumerate() {
        loop {
            let r = s
                .http
                .post(s.url("/webhooks/trakteer"))
                .header("x-webhook-token", &token)
                .header("content-type", "application/json")
                .body(webhook(n, code, *due))
                .send()
                .await
                .unwrap();
            match r.status().as_u16() {
                200 => break,
                503 => retried += 1,
                other => panic!("webhook {n}: {other}"),
            }
        }
        if n % 10 == 0 {
            let r = s
                .http
                .get(s.url("/admin"))
                .header("cookie", &session)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "the dashboard during the storm");
            dashboard_ok += 1;
        }
    }
    storm.await.unwrap();
    s.settle().await;
    assert_eq!(dashboard_ok, WEBHOOKS / 10);
    assert!(
        retried < WEBHOOKS * 5,
        "webhooks mostly get in: {retried} retries"
    );
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
            .await,
        WEBHOOKS as i64,
        "each payment once"
    );
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE status = 'paid'")
            .await,
        WEBHOOKS as i64
    );
    s.stop().await;
}

mod a_storm_of_abandoned_lookups_beside_payment_webhooks {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        storm_beside_webhooks(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        storm_beside_webhooks(Backend::Postgres).await;
    }
}
