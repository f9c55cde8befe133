//! The Trakteer simulator over real HTTP: mounted under `/sandbox/trakteer` as in the demo, with a
//! small axum receiver standing in for the store's webhook endpoint.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use madd_sandbox::trakteer::{
    Config, DeliveryOutcome, PayError, PayRequest, PaymentMethod, TrakteerSim,
};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::offset;
use time::OffsetDateTime;
use tokio::net::TcpListener;

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// One webhook as the store saw it: the `X-Webhook-Token` header and the body.
type Call = (Option<String>, Value);

/// The store's webhook endpoint: records every call, answers the queued statuses then 200.
#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<Mutex<Vec<Call>>>,
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(receiver.clone());
        let url = format!("{}/webhook", serve(app).await);
        (receiver, url)
    }

    fn answer(&self, statuses: &[u16]) {
        self.statuses.lock().unwrap().extend(statuses);
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> StatusCode {
    let token = headers
        .get("X-Webhook-Token")
        .map(|v| v.to_str().unwrap().to_string());
    receiver.calls.lock().unwrap().push((token, body));
    let status = receiver.statuses.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

struct Setup {
    sim: TrakteerSim,
    /// `http://127.0.0.1:port/sandbox/trakteer`
    base: String,
    receiver: Receiver,
    http: reqwest::Client,
}

async fn setup() -> Setup {
    let (receiver, webhook_url) = Receiver::start().await;
    let sim = TrakteerSim::new(Config {
        webhook_url: Some(webhook_url),
        ..Config::for_tests()
    });
    let app = Router::new().nest("/sandbox/trakteer", sim.router());
    let base = format!("{}/sandbox/trakteer", serve(app).await);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Setup {
        sim,
        base,
        receiver,
        http,
    }
}

fn tip(quantity: i64, message: &str) -> PayRequest {
    PayRequest {
        quantity,
        display_name: "Budi".into(),
        message: message.into(),
        method: "qris".into(),
        email: None,
    }
}

// ---------------------------------------------------------------- tip page and form

#[tokio::test]
async fn tip_page_shows_the_link_values_escaped() {
    let s = setup().await;
    let url = format!(
        "{}/maddstore/tip?quantity=52&step=2&display_name=Budi%20%3Cb%3E&supporter_message=MS-7K3Q9XW2%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&payment_method=gopay",
        s.base
    );
    let response = s.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("value=\"52\""), "{html}");
    assert!(html.contains("Rp 52.000"));
    assert!(html.contains("1 Koin = <strong>Rp 1.000</strong>"));
    assert!(html.contains("Traktir Madd Store"));
    assert!(html.contains("value=\"Budi &lt;b&gt;\""));
    assert!(html.contains("MS-7K3Q9XW2&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("value=\"gopay\" checked"));
    assert!(html.contains("action=\"/sandbox/trakteer/maddstore/tip/pay\""));
    assert!(html.contains(">Bayar</button>"));

    let modal = s
        .http
        .get(format!("{}/maddstore/tip/embed/modal?quantity=3", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(modal.status(), 200);
    assert!(modal.text().await.unwrap().contains("value=\"3\""));

    let other = s
        .http
        .get(format!("{}/someoneelse/tip?quantity=1", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn paying_through_the_form_records_and_delivers_a_production_shaped_webhook() {
    let s = setup().await;
    // The link asked for 5, the customer changed it to 3 (an underpayment).
    let response = s
        .http
        .post(format!("{}/maddstore/tip/pay", s.base))
        .form(&[
            ("quantity", "3"),
            ("display_name", "Budi & Sari"),
            ("supporter_message", "MS-7K3Q9XW2"),
            ("payment_method", "qris"),
            ("email", "budi@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Pembayaran berhasil"));

    let supports = s.sim.supports();
    assert_eq!(supports.len(), 1);
    let support = &supports[0];
    assert!(html.contains(&support.transaction_id));
    assert!(html.contains("Budi &amp; Sari"));
    assert_eq!(support.quantity, 3);
    assert_eq!(support.total, 3000);
    // 5 % of 3 000 = 150; 0,78 % of 3 000 = 23,4 → 23.
    assert_eq!((support.platform_fee, support.method_fee), (150, 23));
    assert_eq!(support.net_amount, 2827);
    assert_eq!(support.method, PaymentMethod::Qris);
    assert_eq!(support.supporter_email.as_deref(), Some("budi@example.com"));
    assert_eq!(support.created_at.offset(), offset!(+7));

    s.sim.wait_delivered(&support.transaction_id).await;
    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 1);
    let (token, body) = &calls[0];
    assert_eq!(token.as_deref(), Some("test-webhook-token"));
    assert_eq!(body["type"], "tip");
    assert_eq!(body["transaction_id"], support.transaction_id.as_str());
    assert_eq!(
        body["quantity"], "3",
        "production sends quantity as a string"
    );
    assert_eq!(body["price"], 3000);
    assert_eq!(body["net_amount"], 2827);
    assert_eq!(body["media"], Value::Null);
    assert_eq!(body["unit"], "Koin");
    assert_eq!(body["supporter_name"], "Budi & Sari");
    assert_eq!(body["supporter_message"], "MS-7K3Q9XW2");
    assert!(body["unit_icon"].is_string() && body["supporter_avatar"].is_string());
    let created = body["created_at"].as_str().unwrap();
    assert!(created.ends_with("+07:00"), "{created}");
    assert_eq!(
        OffsetDateTime::parse(created, &Rfc3339).unwrap(),
        support.created_at
    );

    let deliveries = s.sim.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].attempt, 1);
    assert_eq!(deliveries[0].outcome, DeliveryOutcome::Status(200));
    assert!(!deliveries[0].is_test);
}

#[tokio::test]
async fn other_methods_have_their_own_fee() {
    let s = setup().await;
    let support = s
        .sim
        .pay(PayRequest {
            method: "gopay".into(),
            ..tip(10, "x")
        })
        .unwrap();
    // 5 % + 2 % of 10 000.
    assert_eq!(support.net_amount, 10_000 - 500 - 200);
}

#[tokio::test]
async fn a_bad_form_is_refused_without_recording() {
    let s = setup().await;
    for form in [
        [("quantity", "0"), ("payment_method", "qris")],
        [("quantity", "tiga"), ("payment_method", "qris")],
        [("quantity", "1"), ("payment_method", "bitcoin")],
    ] {
        let response = s
            .http
            .post(format!("{}/maddstore/tip/pay", s.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("Pembayaran gagal"));
    }
    assert!(s.sim.supports().is_empty());
    assert_eq!(s.sim.pay(tip(0, "x")), Err(PayError::Quantity(0)));
    assert_eq!(
        s.sim.pay(PayRequest {
            method: "cash".into(),
            ..tip(1, "x")
        }),
        Err(PayError::UnknownMethod("cash".into()))
    );
}

// ---------------------------------------------------------------- delivery

#[tokio::test]
async fn failing_webhook_is_retried_three_times_then_given_up() {
    let s = setup().await;
    s.receiver.answer(&[500, 500, 500, 500]);
    let support = s.sim.pay(tip(1, "MS-1")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;

    let attempts: Vec<(u32, Option<u16>)> = s
        .sim
        .deliveries_for(&support.transaction_id)
        .iter()
        .map(|d| (d.attempt, d.status()))
        .collect();
    assert_eq!(
        attempts,
        vec![
            (1, Some(500)),
            (2, Some(500)),
            (3, Some(500)),
            (4, Some(500))
        ]
    );
    assert_eq!(s.receiver.calls().len(), 4);
    assert!(s.sim.webhook_enabled(), "one failed event is not enough");
}

#[tokio::test]
async fn a_retry_that_succeeds_stops_the_retries() {
    let s = setup().await;
    s.receiver.answer(&[503, 302]);
    let support = s.sim.pay(tip(1, "MS-1")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;
    let outcomes: Vec<_> = s
        .sim
        .deliveries_for(&support.transaction_id)
        .into_iter()
        .map(|d| (d.attempt, d.succeeded()))
        .collect();
    assert_eq!(outcomes, vec![(1, false), (2, false), (3, true)]);
}

#[tokio::test]
async fn three_failed_events_switch_the_webhook_off() {
    let s = setup().await;
    s.receiver.answer(&[500; 12]);
    for _ in 0..3 {
        let support = s.sim.pay(tip(1, "x")).unwrap();
        s.sim.wait_delivered(&support.transaction_id).await;
    }
    assert!(!s.sim.webhook_enabled());
    let quiet = s.sim.pay(tip(1, "x")).unwrap();
    s.sim.wait_delivered(&quiet.transaction_id).await;
    assert!(s.sim.deliveries_for(&quiet.transaction_id).is_empty());

    s.sim.set_webhook_enabled(true);
    let again = s.sim.pay(tip(1, "x")).unwrap();
    s.sim.wait_delivered(&again.transaction_id).await;
    assert!(s.sim.deliveries_for(&again.transaction_id)[0].succeeded());
}

#[tokio::test]
async fn an_unreachable_store_is_a_failure_too() {
    let s = setup().await;
    // Port 1 is privileged and unused: the connection is refused at once.
    s.sim
        .set_webhook_url(Some("http://127.0.0.1:1/webhook".into()));
    let support = s.sim.pay(tip(1, "x")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;
    let deliveries = s.sim.deliveries_for(&support.transaction_id);
    assert_eq!(deliveries.len(), 4);
    assert!(deliveries
        .iter()
        .all(|d| matches!(d.outcome, DeliveryOutcome::Failed(_))));
}

#[tokio::test]
async fn duplicate_copies_carry_the_same_transaction() {
    let s = setup().await;
    s.sim.set_duplicate_deliveries(2);
    let support = s.sim.pay(tip(2, "MS-2")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;
    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|(_, body)| body == &calls[0].1));
    assert_eq!(
        calls[0].1["transaction_id"],
        support.transaction_id.as_str()
    );
    let mut copies: Vec<u32> = s.sim.deliveries().iter().map(|d| d.copy).collect();
    copies.sort_unstable();
    assert_eq!(copies, vec![0, 1, 2]);
}

#[tokio::test]
async fn token_changes_and_missing_url_are_honoured() {
    let s = setup().await;
    s.sim.set_webhook_token("rotated".into());
    let support = s.sim.pay(tip(1, "x")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;
    assert_eq!(s.receiver.calls()[0].0.as_deref(), Some("rotated"));

    s.sim.set_webhook_url(None);
    let silent = s.sim.pay(tip(1, "x")).unwrap();
    s.sim.wait_delivered(&silent.transaction_id).await;
    assert_eq!(s.receiver.calls().len(), 1);
    assert_eq!(s.sim.supports().len(), 2);
}

#[tokio::test]
async fn test_webhook_sends_the_documented_example_and_records_no_support() {
    let s = setup().await;
    let response = s
        .http
        .post(format!("{}/maddstore/test-webhook", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/sandbox/trakteer");
    s.sim.wait_all_delivered().await;

    let id = s.sim.send_test_webhook();
    assert!(id.starts_with("test-"));
    s.sim.wait_delivered(&id).await;

    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 2);
    let (token, body) = &calls[1];
    assert_eq!(token.as_deref(), Some("test-webhook-token"));
    assert_eq!(body["transaction_id"], id.as_str());
    assert_eq!(body["type"], "tip");
    assert_eq!(body["supporter_name"], "Egis");
    assert_eq!(body["quantity"], 1);
    assert_eq!(body["price"], 1000);
    assert_eq!(body["net_amount"], 950);
    assert_eq!(body["media"]["gif"], "3oEduQAsYcJKQH2XsI");
    assert!(calls[0].1["transaction_id"]
        .as_str()
        .unwrap()
        .starts_with("test-"));
    assert!(s.sim.supports().is_empty());
    assert!(s.sim.deliveries().iter().all(|d| d.is_test));
}

#[tokio::test]
async fn webhook_switched_off_leaves_only_the_api() {
    let s = setup().await;
    s.sim.set_webhook_enabled(false);
    let support = s.sim.pay(tip(4, "MS-7K3Q9XW2")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;
    assert!(s.receiver.calls().is_empty());
    assert!(s.sim.deliveries().is_empty());

    let page: Value = api_get(&s, "/supports?include=order_id", "test-api-key")
        .await
        .1;
    assert_eq!(page["result"]["data"][0]["support_message"], "MS-7K3Q9XW2");
    assert_eq!(page["result"]["data"][0]["amount"], 4000);
}

// ---------------------------------------------------------------- public API

async fn api_get(s: &Setup, path_and_query: &str, key: &str) -> (u16, Value) {
    let response = s
        .http
        .get(format!("{}/api/v1/public{path_and_query}", s.base))
        .header("key", key)
        .header("Accept", "application/json")
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn api_needs_the_key() {
    let s = setup().await;
    for key in ["", "wrong", "TEST-API-KEY", "test-api-ke"] {
        let (status, body) = api_get(&s, "/supports", key).await;
        assert_eq!(status, 401, "key {key:?}");
        assert_eq!(
            body,
            json!({"status": "error", "status_code": 401, "result": null, "message": "Unauthenticated."})
        );
    }
    let response = s
        .http
        .get(format!("{}/api/v1/public/current-balance", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (status, body) = api_get(&s, "/supports", "test-api-key").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "success");
    assert_eq!(body["status_code"], 200);
    assert_eq!(body["message"], "OK");
}

#[tokio::test]
async fn supports_are_paged_newest_first_with_includes() {
    let s = setup().await;
    let mut ids = Vec::new();
    for q in 1..=5 {
        let support = s
            .sim
            .pay(PayRequest {
                email: Some("budi@example.com".into()),
                ..tip(q, &format!("MS-{q}"))
            })
            .unwrap();
        ids.push(support);
    }

    let (_, first) = api_get(
        &s,
        "/supports?limit=2&page=1&include=net_amount,payment_method,order_id,supporter_email,is_guest",
        "test-api-key",
    )
    .await;
    let data = first["result"]["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    let newest = &ids[4];
    assert_eq!(data[0]["creator_name"], "Budi");
    assert_eq!(data[0]["support_message"], "MS-5");
    assert_eq!(data[0]["quantity"], 5);
    assert_eq!(data[0]["amount"], 5000);
    assert_eq!(data[0]["unit_name"], "Koin");
    assert_eq!(data[0]["status"], "success");
    assert_eq!(data[0]["net_amount"], newest.net_amount);
    assert_eq!(data[0]["payment_method"], "qris");
    assert_eq!(data[0]["order_id"], newest.order_id.as_str());
    assert_ne!(newest.order_id, newest.transaction_id);
    assert_eq!(data[0]["supporter_email"], "budi@example.com");
    assert_eq!(data[0]["is_guest"], true);
    assert_eq!(data[1]["support_message"], "MS-4");
    let updated = data[0]["updated_at"].as_str().unwrap();
    let expected = newest.created_at;
    assert_eq!(
        updated,
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            expected.year(),
            u8::from(expected.month()),
            expected.day(),
            expected.hour(),
            expected.minute(),
            expected.second()
        )
    );
    assert_eq!(
        first["result"]["meta"]["pagination"],
        json!({"total": 5, "count": 2, "per_page": 2, "current_page": 1, "total_pages": 3, "links": {}})
    );

    let (_, last) = api_get(&s, "/supports?limit=2&page=3", "test-api-key").await;
    let data = last["result"]["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["support_message"], "MS-1");
    assert!(data[0].get("net_amount").is_none(), "only when included");
    assert!(data[0].get("order_id").is_none());

    let (_, beyond) = api_get(&s, "/supports?limit=2&page=9", "test-api-key").await;
    assert_eq!(beyond["result"]["data"], json!([]));
    assert_eq!(beyond["result"]["meta"]["pagination"]["total"], 5);

    let (_, defaults) = api_get(&s, "/supports?limit=abc", "test-api-key").await;
    assert_eq!(defaults["result"]["meta"]["pagination"]["per_page"], 10);
    assert_eq!(defaults["result"]["data"].as_array().unwrap().len(), 5);

    let net: i64 = ids.iter().map(|s| s.net_amount).sum();
    let (_, balance) = api_get(&s, "/current-balance", "test-api-key").await;
    assert_eq!(balance["result"], format!("{net}.00"));

    let (_, given) = api_get(&s, "/transactions", "test-api-key").await;
    assert_eq!(given["result"]["data"], json!([]));

    let response = s
        .http
        .post(format!("{}/api/v1/public/quantity-given", s.base))
        .header("key", "test-api-key")
        .form(&[("email", "BUDI@example.com")])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["result"], 15);
    let response = s
        .http
        .post(format!("{}/api/v1/public/quantity-given", s.base))
        .header("key", "test-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
}

// ---------------------------------------------------------------- control page

#[tokio::test]
async fn control_page_lists_supports_and_deliveries_without_secrets() {
    let s = setup().await;
    s.receiver.answer(&[500]);
    let support = s.sim.pay(tip(7, "<i>MS-7</i>")).unwrap();
    s.sim.wait_delivered(&support.transaction_id).await;

    let html = s
        .http
        .get(&s.base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&support.transaction_id));
    assert!(html.contains("&lt;i&gt;MS-7&lt;/i&gt;"));
    assert!(html.contains("HTTP 500") && html.contains("HTTP 200"));
    assert!(html.contains("action=\"/sandbox/trakteer/maddstore/test-webhook\""));
    assert!(!html.contains("test-webhook-token") && !html.contains("test-api-key"));

    let response = s
        .http
        .post(format!("{}/webhook-status", s.base))
        .form(&[("enabled", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(!s.sim.webhook_enabled());
}
