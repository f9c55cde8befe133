//! The Tripay simulator over real HTTP, mounted under `/sandbox/tripay` as in the demo, checked
//! against `shared/specs/tripay.md`, with a small axum receiver standing in for the store's
//! callback endpoint.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use madd_sandbox::qris;
use madd_sandbox::tripay::{
    hmac_hex, Config, FailBody, FailNext, Faults, Outcome, Status, TripaySim,
};
use serde_json::{json, Value};
use tokio::net::TcpListener;

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// One callback as the store saw it: headers and the raw bytes.
#[derive(Clone, Debug)]
struct Call {
    event: Option<String>,
    signature: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Call {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// The store's callback endpoint: records every call, answers the queued replies then
/// `{"success":true}`.
#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<Mutex<Vec<Call>>>,
    replies: Arc<Mutex<VecDeque<(u16, &'static str)>>>,
}

impl Receiver {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn answer(&self, replies: &[(u16, &'static str)]) {
        self.replies.lock().unwrap().extend(replies);
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (axum::http::StatusCode, String) {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string());
    receiver.calls.lock().unwrap().push(Call {
        event: header("x-callback-event"),
        signature: header("x-callback-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
    });
    let (status, reply) = receiver
        .replies
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((200, r#"{"success":true}"#));
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        reply.to_string(),
    )
}

struct Setup {
    sim: TripaySim,
    /// `http://127.0.0.1:port/sandbox/tripay`
    base: String,
    /// `{base}/api-sandbox`
    api: String,
    receiver: Receiver,
    http: reqwest::Client,
    key: String,
    private_key: String,
}

async fn setup_with(config: impl FnOnce(&mut Config)) -> Setup {
    let receiver = Receiver::default();
    let app = Router::new()
        .route("/callback", post(receive))
        .with_state(receiver.clone());
    let callback = format!("{}/callback", serve(app).await);
    let mut c = Config {
        callback_url: Some(callback),
        ..Config::for_tests()
    };
    config(&mut c);
    let sim = TripaySim::new(c.clone());
    let base = format!(
        "{}/sandbox/tripay",
        serve(Router::new().nest("/sandbox/tripay", sim.router())).await
    );
    Setup {
        sim,
        api: format!("{base}/api-sandbox"),
        base,
        receiver,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        key: c.api_key,
        private_key: c.private_key,
    }
}

async fn setup() -> Setup {
    setup_with(|_| {}).await
}

/// The spec's §4.1 request for `merchant_ref` and `amount`, correctly signed.
fn example(s: &Setup, merchant_ref: &str, amount: i64) -> Value {
    json!({
        "method": "QRIS2",
        "merchant_ref": merchant_ref,
        "amount": amount,
        "customer_name": "Pelanggan Madd Store",
        "customer_email": "orders@maddstore.example",
        "customer_phone": "081234567890",
        "order_items": [{"sku": "ML86", "name": "Mobile Legends 86 Diamonds", "price": amount, "quantity": 1}],
        "return_url": "https://maddstore.example/order/MS-7K3Q9XW2",
        "expired_time": now() + 3_600,
        "signature": hmac_hex(&s.private_key, format!("T12345{merchant_ref}{amount}").as_bytes()),
    })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Setup {
    async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.api))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn get_api(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.api))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn create(&self, merchant_ref: &str, amount: i64) -> Value {
        let (status, body) = self
            .post_json("/transaction/create", &example(self, merchant_ref, amount))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["success"], true, "{body}");
        body["data"].clone()
    }

    /// Pays through the JSON control route, then waits for every callback attempt.
    async fn control(&self, reference: &str, action: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/control/{reference}/{action}", self.base))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap();
        self.sim.wait_callbacks().await;
        (status, body)
    }
}

fn verifies(private_key: &str, call: &Call) -> bool {
    call.signature.as_deref() == Some(hmac_hex(private_key, &call.body).as_str())
}

// ------------------------------------------------------------------------------ create

#[tokio::test]
async fn create_by_json_answers_as_the_spec_shows() {
    let s = setup().await;
    let expires = now() + 3_600;
    let mut request = example(&s, "MS-7K3Q9XW2-1", 20_000);
    request["expired_time"] = json!(expires);
    let (status, body) = s.post_json("/transaction/create", &request).await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["success"].clone(), body["message"].clone()),
        (json!(true), json!(""))
    );
    let data = &body["data"];
    let reference = data["reference"].as_str().unwrap();
    assert!(
        reference.starts_with("DEV-T12345") && reference.len() == 21,
        "{reference}"
    );
    assert_eq!(data["merchant_ref"], "MS-7K3Q9XW2-1");
    assert_eq!(data["payment_selection_type"], "static");
    assert_eq!(data["payment_method"], "QRIS2");
    assert_eq!(data["payment_name"], "QRIS");
    assert_eq!(data["status"], "UNPAID");
    assert_eq!(data["amount"], 20_000);
    assert_eq!(data["fee_merchant"], 890);
    assert_eq!(data["fee_customer"], 0);
    assert_eq!(data["total_fee"], 890);
    assert_eq!(data["amount_received"], 19_110);
    assert_eq!(data["expired_time"], expires);
    assert_eq!(data["pay_code"], Value::Null);
    assert_eq!(data["order_items"][0]["subtotal"], 20_000);
    assert_eq!(
        data["checkout_url"],
        format!("/sandbox/tripay/checkout/{reference}")
    );
    let payload = data["qr_string"].as_str().unwrap();
    let parsed = qris::parse(payload).unwrap();
    assert_eq!(parsed.amount, Some(20_000));
    assert!(
        payload.contains("540520000"),
        "integer amount in tag 54: {payload}"
    );
    assert_eq!(parsed.reference.as_deref(), Some("MS-7K3Q9XW2-1"));
    assert_eq!(parsed.merchant_name, "MADD STORE SANDBOX");

    // The picture behind qr_url is an SVG of the same transaction.
    let qr_url = data["qr_url"].as_str().unwrap();
    let root = s.base.trim_end_matches("/sandbox/tripay");
    let response = s.http.get(format!("{root}{qr_url}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(response.text().await.unwrap().starts_with("<svg"));

    let tx = s.sim.transaction("MS-7K3Q9XW2-1").unwrap();
    assert_eq!((tx.status, tx.total_fee), (Status::Unpaid, 890));
}

#[tokio::test]
async fn create_by_form_encoding_like_the_php_example() {
    let s = setup().await;
    let signature = hmac_hex(&s.private_key, b"T12345MS-7K3Q9XW2-120000");
    assert_eq!(
        signature,
        "1a78298447cc5473e2ec99f6bdd94fd8ab4291cf31d0829b3776b89eba5c5edd"
    );
    let expires = (now() + 7_200).to_string();
    let form = [
        ("method", "QRIS2"),
        ("merchant_ref", "MS-7K3Q9XW2-1"),
        ("amount", "20000"),
        ("customer_name", "Pelanggan Madd Store"),
        ("customer_email", "orders@maddstore.example"),
        ("order_items[0][sku]", "ML86"),
        ("order_items[0][name]", "Mobile Legends 86 Diamonds"),
        ("order_items[0][price]", "20000"),
        ("order_items[0][quantity]", "1"),
        ("callback_url", "https://maddstore.example/webhooks/tripay"),
        ("expired_time", expires.as_str()),
        ("signature", signature.as_str()),
    ];
    let response = s
        .http
        .post(format!("{}/transaction/create", s.api))
        .bearer_auth(&s.key)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], true, "{body}");
    let data = &body["data"];
    assert_eq!(
        (data["amount"].clone(), data["fee_merchant"].clone()),
        (json!(20_000), json!(890))
    );
    assert_eq!(
        data["callback_url"],
        "https://maddstore.example/webhooks/tripay"
    );
    assert_eq!(data["order_items"][0]["name"], "Mobile Legends 86 Diamonds");
    let parsed = qris::parse(data["qr_string"].as_str().unwrap()).unwrap();
    assert_eq!(parsed.amount, Some(20_000));
}

#[tokio::test]
async fn the_sandbox_text_replaces_the_payload_unless_asked() {
    let s = setup_with(|c| c.sandbox_valid_qr = false).await;
    let data = s.create("MS-SANDBOX-1", 20_000).await;
    assert_eq!(data["qr_string"], "SANDBOX MODE");
    // The image still shows a real code.
    let tx = s.sim.transaction("MS-SANDBOX-1").unwrap();
    assert!(qris::parse(tx.qr_payload.as_deref().unwrap()).is_ok());
}

#[tokio::test]
async fn refusals_come_as_json_with_tripays_messages() {
    let s = setup().await;
    let mut bad = example(&s, "MS-7K3Q9XW2-1", 20_000);
    bad["signature"] = json!("ec8bbbf2e14d1011c5437e82098753c62e4d91f46cb861986f54b6ee2f156ef6");
    let (status, body) = s.post_json("/transaction/create", &bad).await;
    assert_eq!((status, body["success"].clone()), (400, json!(false)));
    assert_eq!(body["message"], "Invalid signature");

    for amount in [500, 6_000_000] {
        let (_, body) = s
            .post_json("/transaction/create", &example(&s, "MS-RANGE-1", amount))
            .await;
        assert_eq!(body["success"], false);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("Amount out of range"),
            "{body}"
        );
    }
    let mut decimals = example(&s, "MS-DEC-1", 20_000);
    decimals["amount"] = json!("20000.00");
    let (_, body) = s.post_json("/transaction/create", &decimals).await;
    assert_eq!(body["message"], "The amount must be an integer.");

    let mut items = example(&s, "MS-ITEMS-1", 20_000);
    items["order_items"][0]["price"] = json!(19_000);
    let (_, body) = s.post_json("/transaction/create", &items).await;
    assert!(
        body["message"].as_str().unwrap().contains("does not match"),
        "{body}"
    );

    let mut unknown = example(&s, "MS-METHOD-1", 20_000);
    unknown["method"] = json!("BITCOIN");
    let (_, body) = s.post_json("/transaction/create", &unknown).await;
    assert_eq!(body["success"], false);

    let response = s
        .http
        .post(format!("{}/transaction/create", s.api))
        .bearer_auth(&s.key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], false);

    let huge = "x".repeat(100_000);
    let response = s
        .http
        .post(format!("{}/transaction/create", s.api))
        .bearer_auth(&s.key)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(s.sim.transactions().is_empty());
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_refused_on_both_prefixes() {
    let s = setup().await;
    for prefix in ["/api", "/api-sandbox"] {
        for key in [Some("DEV-wrong"), None] {
            let mut request = s
                .http
                .get(format!("{}{prefix}/merchant/payment-channel", s.base));
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401);
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                body,
                json!({"success": false, "message": "Invalid API Key"})
            );
        }
        let response = s
            .http
            .get(format!("{}{prefix}/merchant/payment-channel", s.base))
            .bearer_auth(&s.key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

// ------------------------------------------------------------------------- channels, fees

#[tokio::test]
async fn channels_and_fees_as_documented() {
    let s = setup().await;
    let (_, body) = s.get_api("/merchant/payment-channel").await;
    let list = body["data"].as_array().unwrap();
    let codes: Vec<&str> = list.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["QRIS2", "QRIS", "QRISC", "BRIVA"]);
    let qris2 = &list[0];
    assert_eq!(qris2["fee_merchant"], json!({"flat": 750, "percent": 0.7}));
    assert_eq!(qris2["fee_customer"], json!({"flat": 0, "percent": 0}));
    assert_eq!(qris2["total_fee"], json!({"flat": 750, "percent": "0.70"}));
    assert_eq!(
        (
            qris2["minimum_amount"].clone(),
            qris2["maximum_amount"].clone()
        ),
        (json!(1_000), json!(5_000_000))
    );
    assert_eq!(qris2["active"], true);

    let (_, body) = s
        .get_api("/merchant/fee-calculator?amount=100000&code=QRIS")
        .await;
    assert_eq!(
        body["data"],
        json!([{"code": "QRIS", "name": "QRIS by ShopeePay",
                "fee": {"flat": 750, "percent": "0.70", "min": null, "max": null},
                "total_fee": {"merchant": 1450, "customer": 0}}])
    );
    let (_, all) = s.get_api("/merchant/fee-calculator?amount=5000").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 4);
    assert_eq!(all["data"][0]["total_fee"]["merchant"], 785);

    s.sim.set_faults(Faults {
        channel_inactive: true,
        ..Faults::default()
    });
    let (_, body) = s.get_api("/merchant/payment-channel?code=QRIS2").await;
    assert_eq!(body["data"][0]["active"], false);
    let (_, body) = s
        .post_json("/transaction/create", &example(&s, "MS-OFF-1", 20_000))
        .await;
    assert_eq!(body["message"], "Payment channel is not active");
}

#[tokio::test]
async fn a_fee_on_the_buyer_grows_the_amount() {
    let s = setup_with(|c| c.fee_on_customer = true).await;
    let (_, channels) = s.get_api("/merchant/payment-channel").await;
    assert_eq!(channels["data"][0]["fee_customer"]["flat"], 750);
    let data = s.create("MS-FEE-1", 120_000).await;
    assert_eq!(
        (data["amount"].clone(), data["fee_customer"].clone()),
        (json!(121_590), json!(1_590))
    );
    assert_eq!(
        (data["total_fee"].clone(), data["amount_received"].clone()),
        (json!(1_590), json!(120_000))
    );
}

// ------------------------------------------------------------------------------ callbacks

#[tokio::test]
async fn a_paid_callback_is_signed_over_the_exact_bytes() {
    let s = setup().await;
    let data = s.create("MS-PAID-1", 20_000).await;
    let reference = data["reference"].as_str().unwrap();
    let (status, answer) = s.control(reference, "pay").await;
    assert_eq!(
        (status, answer["data"]["status"].clone()),
        (200, json!("PAID"))
    );
    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.event.as_deref(), Some("payment_status"));
    assert_eq!(call.content_type.as_deref(), Some("application/json"));
    assert!(verifies(&s.private_key, call));
    let text = String::from_utf8(call.body.clone()).unwrap();
    assert!(text.starts_with(&format!("{{\"reference\":\"{reference}\",\"merchant_ref\":\"MS-PAID-1\",\"payment_method\":\"QRIS\",\"payment_method_code\":\"QRIS2\",")), "{text}");
    assert!(
        !text.contains(' ') && !text.contains('\n'),
        "compact: {text}"
    );
    let body = call.json();
    assert_eq!(body["total_amount"], 20_000);
    assert_eq!(body["total_fee"], 890);
    assert_eq!(body["is_closed_payment"], 1);
    assert_eq!(body["status"], "PAID");
    assert!(body["paid_at"].as_i64().unwrap() >= now() - 5);

    let log = s.sim.deliveries();
    assert_eq!(log.len(), 1);
    assert!(log[0].succeeded && log[0].attempt == 1);
    assert_eq!(log[0].body.as_bytes(), call.body.as_slice());
    let (_, json_log) = {
        let response = s
            .http
            .get(format!("{}/callbacks", s.base))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(json_log[0]["outcome"]["kind"], "replied");
    assert_eq!(json_log[0]["signature"], call.signature.clone().unwrap());
}

#[tokio::test]
async fn a_reply_without_success_true_is_retried_three_more_times() {
    let s = setup().await;
    let data = s.create("MS-RETRY-1", 20_000).await;
    s.receiver.answer(&[
        (200, r#"{"success":false}"#),
        (200, "OK"),
        (500, r#"{"success":true}"#),
        (200, r#"{"success":false}"#),
        (200, r#"{"success":true}"#),
    ]);
    s.control(data["reference"].as_str().unwrap(), "pay").await;
    let log = s.sim.deliveries();
    assert_eq!(
        log.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(log.iter().all(|d| !d.succeeded));
    assert_eq!(s.receiver.calls().len(), 4);
    // Every retry is the same bytes with the same signature.
    let calls = s.receiver.calls();
    assert!(calls
        .iter()
        .all(|c| c.body == calls[0].body && c.signature == calls[0].signature));
}

#[tokio::test]
async fn a_late_answer_after_one_failure_stops_the_retries() {
    let s = setup().await;
    let data = s.create("MS-RETRY-2", 20_000).await;
    s.receiver.answer(&[(503, "")]);
    s.control(data["reference"].as_str().unwrap(), "pay").await;
    let log = s.sim.deliveries();
    assert_eq!(log.len(), 2);
    assert!(!log[0].succeeded && log[1].succeeded);
}

#[tokio::test]
async fn status_changes_each_send_a_callback() {
    let s = setup().await;
    let expired = s.create("MS-EXP-1", 20_000).await;
    let reference = expired["reference"].as_str().unwrap();
    s.control(reference, "expire").await;
    let (status, body) = s.control(reference, "pay").await;
    assert_eq!(status, 409, "{body}");
    s.control(reference, "late_pay").await;
    s.control(reference, "refund").await;
    s.control(reference, "resend").await;
    let statuses: Vec<String> = s
        .receiver
        .calls()
        .iter()
        .map(|c| c.json()["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["EXPIRED", "PAID", "REFUND", "REFUND"]);
    let failed = s.create("MS-FAIL-1", 20_000).await;
    s.control(failed["reference"].as_str().unwrap(), "fail")
        .await;
    assert_eq!(
        s.receiver.calls().last().unwrap().json()["status"],
        "FAILED"
    );
    let (status, _) = s.control("DEV-UNKNOWN", "pay").await;
    assert_eq!(status, 404);
}

impl Setup {
    /// Creates a transaction, sets `faults`, pays it and answers the callbacks that came.
    async fn pay_with(&self, merchant_ref: &str, faults: Faults) -> Vec<Call> {
        self.sim.set_faults(faults);
        let data = self.create(merchant_ref, 20_000).await;
        let before = self.receiver.calls().len();
        self.control(data["reference"].as_str().unwrap(), "pay")
            .await;
        self.receiver.calls()[before..].to_vec()
    }
}

#[tokio::test]
async fn byte_and_header_knobs_behave() {
    let s = setup().await;
    let calls = s
        .pay_with(
            "MS-DUP-1",
            Faults {
                duplicate: true,
                ..Faults::default()
            },
        )
        .await;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].body, calls[1].body);

    let calls = s
        .pay_with(
            "MS-TAMPER-1",
            Faults {
                tamper: true,
                ..Faults::default()
            },
        )
        .await;
    assert!(calls.len() == 1 && !verifies(&s.private_key, &calls[0]));

    let calls = s
        .pay_with(
            "MS-AMOUNT-1",
            Faults {
                bad_amount: true,
                ..Faults::default()
            },
        )
        .await;
    assert!(verifies(&s.private_key, &calls[0]));
    assert_ne!(calls[0].json()["total_amount"], 20_000);

    let calls = s
        .pay_with(
            "MS-EVENT-1",
            Faults {
                wrong_event: true,
                ..Faults::default()
            },
        )
        .await;
    assert!(verifies(&s.private_key, &calls[0]));
    assert_ne!(calls[0].event.as_deref(), Some("payment_status"));

    let calls = s
        .pay_with(
            "MS-SLASH-1",
            Faults {
                escape_slashes: true,
                ..Faults::default()
            },
        )
        .await;
    let text = String::from_utf8(calls[0].body.clone()).unwrap();
    assert!(text.contains(r#""note":"QRIS\/ShopeePay""#), "{text}");
    assert!(verifies(&s.private_key, &calls[0]));
    // A verifier that re-serialises the parsed body hashes other bytes.
    let reserialised = serde_json::to_vec(&calls[0].json()).unwrap();
    assert_ne!(
        hmac_hex(&s.private_key, &reserialised),
        calls[0].signature.clone().unwrap()
    );
}

#[tokio::test]
async fn order_and_loss_knobs_behave() {
    let s = setup().await;
    let calls = s
        .pay_with(
            "MS-REORDER-1",
            Faults {
                reorder: true,
                ..Faults::default()
            },
        )
        .await;
    let statuses: Vec<Value> = calls.iter().map(|c| c.json()["status"].clone()).collect();
    assert_eq!(statuses, [json!("PAID"), json!("EXPIRED")]);
    assert!(calls.iter().all(|c| verifies(&s.private_key, c)));
    assert_eq!(
        s.sim.transaction("MS-REORDER-1").unwrap().status,
        Status::Paid
    );

    let calls = s
        .pay_with(
            "MS-DROP-1",
            Faults {
                drop_first: 1,
                ..Faults::default()
            },
        )
        .await;
    assert!(calls.is_empty());
    let dropped = s.sim.deliveries().into_iter().last().unwrap();
    assert_eq!(
        (dropped.merchant_ref.as_str(), dropped.outcome),
        ("MS-DROP-1", Outcome::Dropped)
    );
    assert_eq!(s.sim.faults().drop_first, 0);
    let calls = s.pay_with("MS-AFTER-DROP-1", Faults::default()).await;
    assert_eq!(calls.len(), 1);

    let calls = s
        .pay_with(
            "MS-DROPALL-1",
            Faults {
                drop_all: true,
                ..Faults::default()
            },
        )
        .await;
    assert!(calls.is_empty());
}

#[tokio::test]
async fn a_quiet_payment_sends_nothing_and_only_polling_finds_it() {
    let s = setup().await;
    let data = s.create("MS-QUIET-1", 20_000).await;
    let reference = data["reference"].as_str().unwrap();
    s.sim.pay_quietly("MS-QUIET-1").await.unwrap();
    s.sim.wait_callbacks().await;
    assert!(s.receiver.calls().is_empty() && s.sim.deliveries().is_empty());
    let (_, detail) = s
        .get_api(&format!("/transaction/detail?reference={reference}"))
        .await;
    assert_eq!(detail["data"]["status"], "PAID");
}

// ------------------------------------------------------------------- detail, status, list

#[tokio::test]
async fn detail_status_and_listing_follow_the_payment() {
    let s = setup().await;
    let data = s.create("MS-DETAIL-1", 20_000).await;
    let reference = data["reference"].as_str().unwrap();
    let (_, detail) = s
        .get_api(&format!("/transaction/detail?reference={reference}"))
        .await;
    assert_eq!(
        (
            detail["data"]["status"].clone(),
            detail["data"]["paid_at"].clone()
        ),
        (json!("UNPAID"), Value::Null)
    );
    s.sim.pay(reference).await.unwrap();
    let (_, detail) = s
        .get_api(&format!("/transaction/detail?reference={reference}"))
        .await;
    assert_eq!(detail["data"]["status"], "PAID");
    let paid_at: i64 = detail["data"]["paid_at"].as_str().unwrap().parse().unwrap();
    assert!(paid_at >= now() - 5);
    let (_, prose) = s
        .get_api(&format!("/transaction/check-status?reference={reference}"))
        .await;
    assert_eq!(
        prose,
        json!({"success": true, "message": "Status transaksi saat ini PAID"})
    );
    let (status, missing) = s
        .get_api("/transaction/detail?reference=DEV-T12345000000XXXXX")
        .await;
    assert_eq!((status, missing["success"].clone()), (404, json!(false)));

    s.create("MS-DETAIL-2", 30_000).await;
    let (_, list) = s
        .get_api("/merchant/transactions?merchant_ref=MS-DETAIL-1")
        .await;
    let items = list["data"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["reference"], reference);
    assert_eq!(items[0]["status"], "PAID");
    assert_eq!(items[0]["paid_at"], paid_at);
    assert!(items[0]["created_at"].is_i64() && items[0]["expired_at"].is_i64());
    assert_eq!(list["pagination"]["total_records"], 1);

    let (_, none) = s
        .get_api("/merchant/transactions?merchant_ref=MS-NOPE-1")
        .await;
    assert_eq!(none["data"], json!([]));
    let (_, page) = s
        .get_api("/merchant/transactions?per_page=1&page=2&sort=asc")
        .await;
    assert_eq!(page["data"][0]["merchant_ref"], "MS-DETAIL-2");
    assert_eq!(page["pagination"]["last_page"], 2);
    assert_eq!(page["pagination"]["previous_page"], 1);
    let (_, unpaid) = s.get_api("/merchant/transactions?status=UNPAID").await;
    assert_eq!(unpaid["data"].as_array().unwrap().len(), 1);
}

// --------------------------------------------------------------------------- API faults

#[tokio::test]
async fn a_failed_create_may_still_have_made_the_transaction() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        fail_next: Some(FailNext {
            count: 1,
            http: 500,
            body: FailBody::None,
            created: true,
        }),
        ..Faults::default()
    });
    let response = s
        .http
        .post(format!("{}/transaction/create", s.api))
        .bearer_auth(&s.key)
        .json(&example(&s, "MS-LOST-1", 20_000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert!(response.text().await.unwrap().is_empty());
    let (_, list) = s
        .get_api("/merchant/transactions?merchant_ref=MS-LOST-1")
        .await;
    assert_eq!(list["data"][0]["merchant_ref"], "MS-LOST-1");
    assert_eq!(s.sim.faults().fail_next, None);

    for (body, content_type) in [
        (FailBody::Html, "text/html"),
        (FailBody::JsonError, "application/json"),
    ] {
        s.sim.set_faults(Faults {
            fail_next: Some(FailNext {
                count: 1,
                http: 502,
                body,
                created: false,
            }),
            ..Faults::default()
        });
        let response = s
            .http
            .post(format!("{}/transaction/create", s.api))
            .bearer_auth(&s.key)
            .json(&example(&s, "MS-NOT-MADE-1", 20_000))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 502);
        assert_eq!(response.headers()["content-type"], content_type);
    }
    assert!(s.sim.transaction("MS-NOT-MADE-1").is_none());
}

#[tokio::test]
async fn ip_block_hang_and_latency() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        ip_block: true,
        ..Faults::default()
    });
    let (status, body) = s.get_api("/merchant/payment-channel").await;
    assert_eq!(status, 403);
    assert_eq!(
        body["message"],
        "Unauthorized IP (127.0.0.1). Please add this IP to your merchant Whitelist IP (T12345)"
    );
    s.sim.set_faults(Faults {
        hang: true,
        ..Faults::default()
    });
    let hung = s
        .http
        .get(format!("{}/merchant/payment-channel", s.api))
        .bearer_auth(&s.key)
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());
    s.sim.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let started = std::time::Instant::now();
    let (status, _) = s.get_api("/merchant/payment-channel").await;
    assert!(status == 200 && started.elapsed() >= Duration::from_millis(150));
    s.sim.set_faults(Faults {
        auth_fail: true,
        ..Faults::default()
    });
    let (status, body) = s.get_api("/merchant/payment-channel").await;
    assert_eq!(
        (status, body["message"].clone()),
        (401, json!("Invalid API Key"))
    );
}

#[tokio::test]
async fn the_knobs_are_json_over_http() {
    let s = setup().await;
    let response = s
        .http
        .post(format!("{}/faults", s.base))
        .json(&json!({"tamper": true, "fail_next": {"count": 2, "http": 503, "body": "html"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let faults = s.sim.faults();
    assert!(faults.tamper);
    assert_eq!(faults.fail_next.unwrap().body, FailBody::Html);
    let shown: Value = s
        .http
        .get(format!("{}/faults", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["tamper"], true);
    let response = s
        .http
        .post(format!("{}/faults", s.base))
        .body("{\"tamper\": \"maybe\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], false);
    s.http
        .post(format!("{}/faults", s.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(s.sim.faults(), Faults::default());
}

// ----------------------------------------------------------------------------- the pages

#[tokio::test]
async fn the_checkout_page_pays_with_plain_forms() {
    let s = setup().await;
    let data = s.create("MS-PAGE-1", 20_000).await;
    let reference = data["reference"].as_str().unwrap();
    let page = s
        .http
        .get(format!("{}/checkout/{reference}", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("MADD STORE SANDBOX") && page.contains("Rp 20.000"));
    assert!(page.contains("<svg class=\"qr\"") && page.contains("sisa "));
    for label in [">Bayar<", ">Gagal<", ">Kedaluwarsa<"] {
        assert!(page.contains(label), "{label}");
    }
    assert!(!page.contains("<script"));

    let list = s
        .http
        .get(format!("{}/checkout", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&format!("/sandbox/tripay/checkout/{reference}")));

    let payload = data["qr_string"].as_str().unwrap();
    let checked = s
        .http
        .get(format!("{}/checkout/{reference}", s.base))
        .query(&[("qris", payload)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(checked.contains("CRC cocok") && checked.contains("sama dengan tagihan"));

    let response = s
        .http
        .post(format!("{}/control/{reference}/pay", s.base))
        .form(&[("from", "page")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/sandbox/tripay/checkout/{reference}").as_str()
    );
    s.sim.wait_callbacks().await;
    assert_eq!(s.receiver.calls().len(), 1);
    let page = s
        .http
        .get(format!("{}/checkout/{reference}", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(">Refund<") && page.contains("PAID"));
    let missing = s
        .http
        .get(format!("{}/checkout/DEV-NOPE", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
