//! `/metrics`: Prometheus text (read with a Prometheus parser) behind its token, whose order,
//! job, request and webhook series move with a purchase — on SQLite and PostgreSQL.

use prometheus_parse::{Scrape, Value};

use crate::common::{TestStore, CUSTOMER};

const TOKEN: &str = "metrics-token-for-the-test";

async fn scrape(s: &TestStore) -> Scrape {
    let answer = s
        .http
        .get(s.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let text = answer.text().await.unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text format")
}

/// The value of the series `name` whose labels include `labels` (0 when absent).
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

both_backends!(
    metrics_are_prometheus_text_behind_a_token_and_follow_a_purchase,
    |env| {
        env.insert("MADD_METRICS_TOKEN".into(), TOKEN.into());
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let anonymous = s.http.get(s.url("/metrics")).send().await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 401);
        let wrong = s
            .http
            .get(s.url("/metrics"))
            .bearer_auth("not-the-token")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 401);

        let before = scrape(&s).await;
        let order = s.order("S5", "081230000041", None).await;
        let code = order["code"].as_str().unwrap().to_string();
        // The invoice's status poll, twice: read once, then shown from memory.
        for _ in 0..2 {
            let (status, _) = s.get_json(&format!("/api/v1/orders/{code}")).await;
            assert_eq!(status, 200);
        }
        let shown = scrape(&s).await;
        assert_eq!(value(&shown, "madd_order_cache_entries", &[]), 1.0);
        let due = order["amount_due"].as_i64().unwrap();
        s.pay(due / s.app().payment.unit_price().amount(), &code)
            .await;
        let (session, csrf) = s.admin_login().await;
        assert_eq!(s.process(&session, &csrf, &code).await, 303);
        s.settle().await;
        // A forged Trakteer webhook is refused.
        let forged = s
            .http
            .post(s.url("/webhooks/trakteer"))
            .header("x-webhook-token", "forged")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 401);
        let after = scrape(&s).await;

        assert_eq!(
            s.order_row(&code).await.status,
            madd_domain::OrderStatus::Delivered
        );
        let delivered = [("status", "delivered")];
        assert_eq!(
            value(&after, "madd_orders", &delivered),
            value(&before, "madd_orders", &delivered) + 1.0
        );
        let created = [("route", "/api/v1/orders"), ("status", "201")];
        assert!(
            value(&after, "madd_http_requests_total", &created)
                > value(&before, "madd_http_requests_total", &created)
        );
        let expiry = [("kind", "expire_order"), ("state", "pending")];
        assert_eq!(
            value(&after, "madd_jobs", &expiry),
            value(&before, "madd_jobs", &expiry) + 1.0,
            "the order's expiry job waits"
        );
        let refused = [("route", "/webhooks/trakteer")];
        assert!(
            value(&after, "madd_webhooks_refused_total", &refused)
                > value(&before, "madd_webhooks_refused_total", &refused)
        );
        assert!(after
            .samples
            .iter()
            .any(|s| s.metric == "madd_http_request_duration_seconds_bucket"
                || matches!(s.value, Value::Histogram(_))));
        assert!(
            !s.inbox(CUSTOMER).is_empty(),
            "the customer was told (the outbox drained)"
        );
        assert_eq!(value(&after, "madd_outbox_queued", &[]), 0.0);
        for from in ["memory", "database"] {
            let views = [("from", from)];
            assert!(
                value(&after, "madd_order_views_total", &views)
                    > value(&before, "madd_order_views_total", &views),
                "order views from {from} are counted"
            );
        }
        assert_eq!(
            value(&after, "madd_order_cache_entries", &[]),
            0.0,
            "paid and delivered since: no longer held"
        );
        s
    }
);
