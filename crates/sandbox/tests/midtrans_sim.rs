//! The Midtrans simulator over real HTTP: mounted under `/sandbox/midtrans` as in the demo, with
//! a small axum receiver standing in for the store's notification endpoint.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use madd_sandbox::midtrans::{
    signature, Config, FailNext, Faults, HttpMode, MidtransSim, TxStatus,
};
use madd_sandbox::qris;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const KEY: &str = "SB-Mid-server-MaddStoreExample123";
/// `base64(KEY + ":")`, the spec's worked example (§1).
const AUTH: &str = "Basic U0ItTWlkLXNlcnZlci1NYWRkU3RvcmVFeGFtcGxlMTIzOg==";

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// One notification as the store saw it: `User-Agent` and body.
type Call = (String, Value);

/// The store's notification endpoint: records every call, answers the queued statuses then 200.
#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<Mutex<Vec<Call>>>,
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    fn answer(&self, statuses: &[u16]) {
        self.statuses.lock().unwrap().extend(statuses);
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn bodies(&self) -> Vec<Value> {
        self.calls().into_iter().map(|(_, body)| body).collect()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> StatusCode {
    let agent = headers
        .get("user-agent")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    receiver.calls.lock().unwrap().push((agent, body));
    let status = receiver.statuses.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

struct Setup {
    sim: MidtransSim,
    /// `http://127.0.0.1:port/sandbox/midtrans`
    base: String,
    receiver: Receiver,
    notify_url: String,
    http: reqwest::Client,
}

async fn setup() -> Setup {
    let receiver = Receiver::default();
    let app = Router::new()
        .route("/webhooks/midtrans", post(receive))
        .with_state(receiver.clone());
    let notify_url = format!("{}/webhooks/midtrans", serve(app).await);
    let sim = MidtransSim::new(Config::for_tests());
    let app = Router::new().nest("/sandbox/midtrans", sim.router());
    let base = format!("{}/sandbox/midtrans", serve(app).await);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Setup {
        sim,
        base,
        receiver,
        notify_url,
        http,
    }
}

/// The spec's charge body (§2.1) for `order_id` and `gross`.
fn charge_body(order_id: &str, gross: i64) -> Value {
    json!({
        "payment_type": "qris",
        "transaction_details": {"order_id": order_id, "gross_amount": gross},
        "item_details": [{"id": "ML86", "price": gross, "quantity": 1, "name": "Mobile Legends 86 Diamonds"}],
        "customer_details": {"first_name": "Pelanggan", "phone": "+6281234567890"},
        "qris": {"acquirer": "gopay"},
        "custom_expiry": {"expiry_duration": 60, "unit": "minute"}
    })
}

impl Setup {
    async fn charge_with(&self, body: &Value, key: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/v2/charge", self.base))
            .header("Authorization", AUTH)
            .header("X-Override-Notification", &self.notify_url)
            .json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn charge(&self, order_id: &str, gross: i64) -> Value {
        let (http, body) = self.charge_with(&charge_body(order_id, gross), None).await;
        assert_eq!(http, 200, "{body}");
        assert_eq!(body["status_code"], "201", "{body}");
        body
    }

    async fn call(&self, method: &str, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url),
        };
        let response = request.header("Authorization", AUTH).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn control(&self, id: &str, action: &str) -> (u16, Value) {
        self.call("POST", &format!("/control/{id}/{action}")).await
    }
}

/// The signature a notification or status answer must carry, from its own strings.
fn signed_right(body: &Value) -> bool {
    let text = |k: &str| body[k].as_str().unwrap().to_string();
    body["signature_key"]
        == signature(
            &text("order_id"),
            &text("status_code"),
            &text("gross_amount"),
            KEY,
        )
        .as_str()
}

// ---------------------------------------------------------------- charge

#[tokio::test]
async fn a_charge_answers_a_qris_for_the_exact_amount() {
    let s = setup().await;
    let body = s.charge("MS-7K3Q9XW2-1", 20_000).await;
    assert_eq!(body["status_message"], "QRIS transaction is created");
    assert_eq!(body["transaction_status"], "pending");
    assert_eq!(body["gross_amount"], "20000.00");
    assert_eq!(body["order_id"], "MS-7K3Q9XW2-1");
    assert_eq!(body["acquirer"], "gopay");
    assert_eq!(body["merchant_id"], "G123456789");
    assert!(body["expiry_time"].as_str().unwrap().len() == 19);
    let payload = body["qr_string"].as_str().unwrap();
    let parsed = qris::parse(payload).expect("the CRC checks out");
    assert!(parsed.dynamic);
    assert_eq!(parsed.amount, Some(20_000));
    assert_eq!(parsed.merchant_name, "MADD STORE SANDBOX");
    assert_eq!(parsed.reference.as_deref(), Some("MS-7K3Q9XW2-1"));
    assert!(payload.contains("540820000.00"), "Midtrans-style amount");

    let actions = body["actions"].as_array().unwrap();
    let qr_url = actions
        .iter()
        .find(|a| a["name"] == "generate-qr-code")
        .unwrap()["url"]
        .as_str()
        .unwrap();
    let id = body["transaction_id"].as_str().unwrap();
    assert_eq!(qr_url, format!("{}/v2/qris/{id}/qr-code", s.base));
    let image = s.http.get(qr_url).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert!(image.text().await.unwrap().starts_with("<svg"));

    let tx = s.sim.transaction("MS-7K3Q9XW2-1").unwrap();
    assert_eq!((tx.status, tx.gross_amount), (TxStatus::Pending, 20_000));
    assert_eq!(tx.qr_string, payload);
    assert_eq!(tx.notification_urls, std::slice::from_ref(&s.notify_url));
}

#[tokio::test]
async fn a_wrong_key_gets_a_401_body() {
    let s = setup().await;
    let response = s
        .http
        .post(format!("{}/v2/charge", s.base))
        .basic_auth("SB-Mid-server-wrong", Some(""))
        .json(&charge_body("MS-A-1", 20_000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "body_only");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status_code"], "401");
    assert!(s.sim.transactions().is_empty());
    // Without the colon the header is not Midtrans's either.
    let response = s
        .http
        .get(format!("{}/v2/MS-A-1/status", s.base))
        .header(
            "Authorization",
            format!("Basic {}", "U0ItTWlkLXNlcnZlci1NYWRkU3RvcmVFeGFtcGxlMTIz"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap()["status_code"],
        "401"
    );
}

#[tokio::test]
async fn an_order_id_in_use_gets_406_until_it_ends() {
    let s = setup().await;
    s.charge("MS-B-1", 20_000).await;
    let (_, again) = s.charge_with(&charge_body("MS-B-1", 20_000), None).await;
    assert_eq!(again["status_code"], "406");
    let (_, expired) = s.call("POST", "/v2/MS-B-1/expire").await;
    assert_eq!(expired["status_code"], "407");
    s.charge("MS-B-1", 20_000).await;
    s.sim.pay("MS-B-1").await.unwrap();
    let (_, paid) = s.charge_with(&charge_body("MS-B-1", 20_000), None).await;
    assert_eq!(paid["status_code"], "406");
    assert_eq!(s.sim.transactions().len(), 2);
}

#[tokio::test]
async fn items_that_do_not_add_up_get_400_with_the_message() {
    let s = setup().await;
    let mut body = charge_body("MS-C-1", 20_000);
    body["item_details"][0]["price"] = json!(19_000);
    let (http, answer) = s.charge_with(&body, None).await;
    assert_eq!(http, 200);
    assert_eq!(answer["status_code"], "400");
    let messages = answer["validation_messages"].as_array().unwrap();
    assert!(messages
        .iter()
        .any(|m| m == "transaction_details.gross_amount is not equal to the sum of item_details"));

    let mut decimals = charge_body("MS-C-2", 20_000);
    decimals["transaction_details"]["gross_amount"] = json!(20_000.5);
    assert_eq!(s.charge_with(&decimals, None).await.1["status_code"], "400");
    let mut card = charge_body("MS-C-3", 20_000);
    card["payment_type"] = json!("credit_card");
    assert_eq!(s.charge_with(&card, None).await.1["status_code"], "402");
    let mut symbol = charge_body("MS/C/4", 20_000);
    symbol["item_details"] = Value::Null;
    assert_eq!(s.charge_with(&symbol, None).await.1["status_code"], "400");
    let garbage = s
        .http
        .post(format!("{}/v2/charge", s.base))
        .header("Authorization", AUTH)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.json::<Value>().await.unwrap()["status_code"], "413");
    assert!(s.sim.transactions().is_empty());
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let s = setup().await;
    let body = charge_body("MS-D-1", 5_000);
    let (_, first) = s.charge_with(&body, Some("key-1")).await;
    let (_, second) = s.charge_with(&body, Some("key-1")).await;
    assert_eq!(first["status_code"], "201");
    assert_eq!(first, second);
    let (_, other) = s.charge_with(&body, Some("key-2")).await;
    assert_eq!(other["status_code"], "406");
}

// ---------------------------------------------------------------- notifications

#[tokio::test]
async fn pending_and_settlement_notifications_arrive_signed() {
    let s = setup().await;
    let charge = s.charge("MS-7K3Q9XW2-1", 20_000).await;
    s.sim.wait_notifications().await;
    let (_, answer) = s.control("MS-7K3Q9XW2-1", "pay").await;
    assert_eq!(answer["transaction"]["transaction_status"], "settlement");
    s.sim.wait_notifications().await;

    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|(agent, _)| agent == "Veritrans"));
    let (pending, settled) = (&calls[0].1, &calls[1].1);
    assert_eq!(pending["transaction_status"], "pending");
    assert_eq!(pending["status_code"], "201");
    assert_eq!(pending["transaction_id"], charge["transaction_id"]);
    assert_eq!(pending["gross_amount"], "20000.00");
    assert_eq!(
        pending["signature_key"],
        signature("MS-7K3Q9XW2-1", "201", "20000.00", KEY).as_str()
    );
    assert_eq!(settled["transaction_status"], "settlement");
    assert_eq!(settled["status_code"], "200");
    assert_eq!(settled["fraud_status"], "accept");
    assert!(settled["settlement_time"].is_string() && settled["issuer"].is_string());
    assert!(signed_right(pending) && signed_right(settled));

    let (_, status) = s.call("GET", "/v2/MS-7K3Q9XW2-1/status").await;
    assert_eq!(status["status_code"], "200");
    assert_eq!(status["transaction_status"], "settlement");
    assert!(signed_right(&status));
    let log: Vec<Value> = s
        .http
        .get(format!("{}/notifications", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["reply_status"], 200);
}

#[tokio::test]
async fn a_503_reply_is_retried() {
    let s = setup().await;
    s.receiver.answer(&[503]);
    s.charge("MS-E-1", 20_000).await;
    s.sim.wait_notifications().await;
    let log = s.sim.deliveries();
    let attempts: Vec<(u32, Option<u16>)> =
        log.iter().map(|d| (d.attempt, d.reply_status)).collect();
    assert_eq!(attempts, [(1, Some(503)), (2, Some(200))]);
    assert_eq!(s.receiver.calls().len(), 2);

    // A 500 gets one retry only; a 404 two.
    s.receiver.answer(&[500, 500, 404, 404, 404]);
    s.charge("MS-E-2", 20_000).await;
    s.sim.wait_notifications().await;
    s.charge("MS-E-3", 20_000).await;
    s.sim.wait_notifications().await;
    let count = |order: &str| {
        s.sim
            .deliveries()
            .iter()
            .filter(|d| d.order_id == order)
            .count()
    };
    assert_eq!((count("MS-E-2"), count("MS-E-3")), (2, 3));
}

#[tokio::test]
async fn notification_knobs_duplicate_tamper_and_change_the_amount() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        duplicate: true,
        ..Faults::default()
    });
    s.charge("MS-F-1", 20_000).await;
    s.sim.wait_notifications().await;
    let bodies = s.receiver.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1]);

    s.sim.set_faults(Faults {
        tamper: true,
        ..Faults::default()
    });
    s.charge("MS-F-2", 20_000).await;
    s.sim.wait_notifications().await;
    let tampered = s.receiver.bodies().pop().unwrap();
    assert_eq!(tampered["order_id"], "MS-F-2");
    assert!(!signed_right(&tampered));

    s.sim.set_faults(Faults {
        bad_amount: true,
        ..Faults::default()
    });
    s.charge("MS-F-3", 20_000).await;
    s.sim.wait_notifications().await;
    let changed = s.receiver.bodies().pop().unwrap();
    assert_eq!(changed["gross_amount"], "21000.00");
    assert!(signed_right(&changed), "valid signature, another amount");
}

#[tokio::test]
async fn lost_and_reordered_notifications() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        drop_first: 1,
        ..Faults::default()
    });
    s.charge("MS-G-1", 20_000).await;
    s.sim.wait_notifications().await;
    let log = s.sim.deliveries();
    assert!(log[0].dropped && log[1].succeeded());
    assert_eq!(s.receiver.calls().len(), 1);

    s.sim.set_faults(Faults {
        reorder: true,
        ..Faults::default()
    });
    s.charge("MS-G-2", 20_000).await;
    s.sim.wait_notifications().await;
    assert_eq!(s.receiver.calls().len(), 1, "pending held back");
    s.sim.pay("MS-G-2").await.unwrap();
    s.sim.wait_notifications().await;
    let order: Vec<Value> = s.receiver.bodies()[1..]
        .iter()
        .map(|b| b["transaction_status"].clone())
        .collect();
    assert_eq!(order, [json!("settlement"), json!("pending")]);

    s.sim.set_faults(Faults::default());
    s.charge("MS-G-3", 20_000).await;
    s.sim.wait_notifications().await;
    let before = s.receiver.calls().len();
    s.sim.settle_quietly("MS-G-3").await.unwrap();
    s.sim.wait_notifications().await;
    assert_eq!(s.receiver.calls().len(), before, "settled without a word");
    assert_eq!(
        s.sim.transaction("MS-G-3").unwrap().status,
        TxStatus::Settlement
    );
}

// ---------------------------------------------------------------- status, expire, cancel

#[tokio::test]
async fn an_unknown_id_is_a_404_body_with_http_200_or_404() {
    let s = setup().await;
    let (http, body) = s.call("GET", "/v2/MS-NOPE-1/status").await;
    assert_eq!((http, body["status_code"].as_str()), (200, Some("404")));
    assert_eq!(body["status_message"], "Transaction doesn't exist.");
    s.sim.set_faults(Faults {
        http_mode: HttpMode::Mirror,
        ..Faults::default()
    });
    let (http, body) = s.call("GET", "/v2/MS-NOPE-1/status").await;
    assert_eq!((http, body["status_code"].as_str()), (404, Some("404")));
}

#[tokio::test]
async fn expire_answers_407_and_a_settled_one_412() {
    let s = setup().await;
    let charge = s.charge("MS-H-1", 20_000).await;
    let id = charge["transaction_id"].as_str().unwrap();
    let (http, body) = s.call("POST", &format!("/v2/{id}/expire")).await;
    assert_eq!(http, 200);
    assert_eq!(body["status_code"], "407");
    assert_eq!(body["status_message"], "Success, transaction has expired");
    assert_eq!(body["transaction_status"], "expire");
    let (_, status) = s.call("GET", "/v2/MS-H-1/status").await;
    assert_eq!(
        (
            status["status_code"].as_str(),
            status["transaction_status"].as_str()
        ),
        (Some("407"), Some("expire"))
    );
    s.sim.wait_notifications().await;
    let last = s.receiver.bodies().pop().unwrap();
    assert_eq!(
        (
            last["transaction_status"].as_str(),
            last["status_code"].as_str()
        ),
        (Some("expire"), Some("202"))
    );
    assert!(signed_right(&last));

    s.charge("MS-H-2", 20_000).await;
    s.sim.pay("MS-H-2").await.unwrap();
    let (_, refused) = s.call("POST", "/v2/MS-H-2/expire").await;
    assert_eq!(refused["status_code"], "412");
    let (_, refused) = s.call("POST", "/v2/MS-H-2/cancel").await;
    assert_eq!(refused["status_code"], "412");
    s.sim.set_faults(Faults {
        http_mode: HttpMode::Mirror,
        ..Faults::default()
    });
    let (http, _) = s.call("POST", "/v2/MS-H-2/expire").await;
    assert_eq!(http, 412);

    s.charge("MS-H-3", 20_000).await;
    let (_, cancelled) = s.call("POST", "/v2/MS-H-3/cancel").await;
    assert_eq!(
        (
            cancelled["status_code"].as_str(),
            cancelled["transaction_status"].as_str()
        ),
        (Some("200"), Some("cancel"))
    );
}

#[tokio::test]
async fn a_transaction_expires_on_its_own_at_its_expiry_time() {
    let s = setup().await;
    let mut body = charge_body("MS-I-1", 20_000);
    body["custom_expiry"] = json!({"expiry_duration": 1, "unit": "second"});
    let (_, answer) = s.charge_with(&body, None).await;
    assert_eq!(answer["status_code"], "201");
    for _ in 0..100 {
        if s.sim.transaction("MS-I-1").unwrap().status == TxStatus::Expire {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        s.sim.transaction("MS-I-1").unwrap().status,
        TxStatus::Expire
    );
    s.sim.wait_notifications().await;
    assert_eq!(
        s.receiver.bodies().pop().unwrap()["transaction_status"],
        "expire"
    );
}

// ---------------------------------------------------------------- API faults

#[tokio::test]
async fn fail_next_with_created_answers_500_yet_makes_the_transaction() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        fail_next: Some(FailNext {
            count: 1,
            status: 500,
            created: true,
        }),
        ..Faults::default()
    });
    let (_, body) = s
        .charge_with(&charge_body("MS-J-1", 20_000), Some("key-j"))
        .await;
    assert_eq!(body["status_code"], "500");
    let (_, status) = s.call("GET", "/v2/MS-J-1/status").await;
    assert_eq!(status["transaction_status"], "pending");
    // The retry with the same key gets the answer that was lost.
    let (_, retry) = s
        .charge_with(&charge_body("MS-J-1", 20_000), Some("key-j"))
        .await;
    assert_eq!(retry["status_code"], "201");
    assert_eq!(retry["transaction_id"], status["transaction_id"]);

    s.sim.set_faults(Faults {
        fail_next: Some(FailNext {
            count: 1,
            status: 502,
            created: false,
        }),
        ..Faults::default()
    });
    let response = s
        .http
        .post(format!("{}/v2/charge", s.base))
        .header("Authorization", AUTH)
        .json(&charge_body("MS-J-2", 20_000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert!(response.json::<Value>().await.is_err(), "an HTML page");
    assert!(s.sim.transaction("MS-J-2").is_none());
}

#[tokio::test]
async fn account_knobs_refuse_and_deny() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        qris_disabled: true,
        ..Faults::default()
    });
    let (_, body) = s.charge_with(&charge_body("MS-K-1", 20_000), None).await;
    assert_eq!(body["status_code"], "402");
    s.sim.set_faults(Faults {
        force_deny: true,
        omit_qr_string: true,
        ..Faults::default()
    });
    let (_, body) = s.charge_with(&charge_body("MS-K-2", 20_000), None).await;
    assert_eq!(body["transaction_status"], "deny");
    assert!(body.get("qr_string").is_none());
    s.sim.set_faults(Faults {
        old_host_in_actions: true,
        ..Faults::default()
    });
    let (_, body) = s.charge_with(&charge_body("MS-K-3", 20_000), None).await;
    let url = body["actions"][0]["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://api.veritrans.co.id/v2/qris/"),
        "{url}"
    );
    s.sim.set_faults(Faults {
        auth_fail: true,
        ..Faults::default()
    });
    let (_, body) = s.call("GET", "/v2/MS-K-2/status").await;
    assert_eq!(body["status_code"], "401");
}

// ---------------------------------------------------------------- pages and knobs

#[tokio::test]
async fn the_pay_page_reads_a_pasted_payload_and_its_buttons_work() {
    let s = setup().await;
    let charge = s.charge("MS-L-1", 20_000).await;
    let payload = charge["qr_string"].as_str().unwrap();
    let html = s
        .http
        .get(format!("{}/qris", s.base))
        .query(&[("q", payload)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("CRC cocok"), "{html}");
    assert!(html.contains("Rp 20.000") && html.contains("MADD STORE SANDBOX"));
    for label in [">Bayar<", ">Tolak<", ">Kedaluwarsa<", ">Batalkan<"] {
        assert!(html.contains(label), "{label}");
    }
    let broken = payload.replace("20000.00", "20001.00");
    let html = s
        .http
        .get(format!("{}/qris", s.base))
        .query(&[("q", broken.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("QR tidak bisa dibaca"));

    let id = charge["transaction_id"].as_str().unwrap();
    let response = s
        .http
        .post(format!("{}/control/{id}/pay", s.base))
        .form(&[("dari", "halaman")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/sandbox/midtrans/qris?pesan="));
    assert_eq!(s.sim.transaction(id).unwrap().status, TxStatus::Settlement);
    let html = s
        .http
        .get(format!("{}/qris", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(">Refund<"));
    let (http, body) = s.control(id, "pay").await;
    assert_eq!((http, body["ok"].as_bool()), (409, Some(false)));
    let (http, _) = s.control("MS-NOPE", "pay").await;
    assert_eq!(http, 404);
}

#[tokio::test]
async fn faults_are_read_and_set_as_json() {
    let s = setup().await;
    let set: Value = s
        .http
        .post(format!("{}/faults", s.base))
        .json(&json!({"http_mode": "mirror", "drop_all": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["http_mode"], "mirror");
    let read: Value = s
        .http
        .get(format!("{}/faults", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read, set);
    assert!(s.sim.faults().drop_all);
    let reset = s
        .http
        .post(format!("{}/faults", s.base))
        .form(&[("reset", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 303);
    assert_eq!(s.sim.faults(), Faults::default());
}
