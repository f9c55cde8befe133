//! The spec's worked examples (§1 Basic header, §2.2 charge answer, §3.2 notifications, §3.3
//! digests), the status table and the amount rule; the charge answer is served by wiremock.

use std::sync::Arc;
use std::time::Duration;

use madd_domain::{Bps, PaymentCost, RailStatus, Rupiah};
use reqwest::Method;
use serde_json::{json, Value};
use time::macros::datetime;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::api::{charge_body, order_time};
use super::notification::signature;
use super::{parse_gross, rail_status, wib_millis, Midtrans, MidtransConfig};
use crate::clock::ManualClock;
use crate::payment::gateway::{Gateway, GatewayError, NewPayment, WebhookError};
use crate::secret::Secret;

const KEY: &str = "SB-Mid-server-MaddStoreExample123";

const PENDING: &str = r#"{"transaction_time":"2026-01-01 10:00:05","transaction_status":"pending","transaction_id":"5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f",
 "status_message":"midtrans payment notification","status_code":"201",
 "signature_key":"daa26e3446317e2ebc9f648e884f65d01d72be659e73351ecf30a7c5d88bec89761fef09f98b00a6bf40807d7707f0784b3bd7ce11468c86b606ca4b8441ea4f",
 "payment_type":"qris","order_id":"MS-7K3Q9XW2-1","merchant_id":"G123456789","gross_amount":"20000.00",
 "fraud_status":"accept","currency":"IDR","acquirer":"gopay"}"#;

const SETTLEMENT: &str = r#"{"transaction_type":"off-us","transaction_time":"2026-01-01 10:00:05","transaction_status":"settlement",
 "transaction_id":"5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f","status_message":"midtrans payment notification","status_code":"200",
 "signature_key":"3e50cad6d6e8ccdaab0ee790cafee7cf04f24576b527941845c2e66b25d37ef4365eeade4ce264160b6ed4f4def0d58caf2d595f50fb46895bfd1a6144d85bca",
 "settlement_time":"2026-01-01 10:05:00","payment_type":"qris","order_id":"MS-7K3Q9XW2-1","merchant_id":"G123456789",
 "issuer":"dana","gross_amount":"20000.00","fraud_status":"accept","currency":"IDR","acquirer":"gopay"}"#;

fn client(base: &str, key: &str) -> Midtrans {
    Midtrans::new(
        MidtransConfig {
            api_url: base.parse().unwrap(),
            server_key: Secret::new(key),
            acquirer: "gopay".into(),
            cost: PaymentCost {
                rate: Bps::new(70),
                fixed: Rupiah::ZERO,
            },
            create_timeout: Duration::from_secs(5),
        },
        reqwest::Client::new(),
    )
}

fn payment() -> NewPayment {
    NewPayment {
        merchant_ref: "MS-7K3Q9XW2-1".into(),
        amount: Rupiah::new(20_000),
        item_code: "ML86".into(),
        item_name: "Mobile Legends 86 Diamonds".into(),
        customer_name: "Pelanggan".into(),
        customer_phone: Some("+6281234567890".into()),
        // 2026-01-01 11:00:00 WIB.
        expires_at_ms: 1_767_240_000_000,
        notify_url: "https://maddstore.example/webhooks/midtrans".into(),
        return_url: "https://maddstore.example/o/MS-7K3Q9XW2".into(),
    }
}

#[test]
fn the_digests_of_the_spec() {
    let digest = |code: &str, gross: &str| signature("MS-7K3Q9XW2-1", code, gross, KEY);
    assert_eq!(digest("201", "20000.00"), "daa26e3446317e2ebc9f648e884f65d01d72be659e73351ecf30a7c5d88bec89761fef09f98b00a6bf40807d7707f0784b3bd7ce11468c86b606ca4b8441ea4f");
    assert_eq!(digest("200", "20000.00"), "3e50cad6d6e8ccdaab0ee790cafee7cf04f24576b527941845c2e66b25d37ef4365eeade4ce264160b6ed4f4def0d58caf2d595f50fb46895bfd1a6144d85bca");
    assert_eq!(digest("202", "20000.00"), "32f1f3aeb6c2571a5253609bcfb044f9249a18d3fa68f1b135852e43eaea1164f5b9a60564ecad80cf9b7c12018bb01349d5eaf526c1a10940bff821b8b6c76c");
    // The amount re-formatted as an integer gives another digest: never do that.
    assert_eq!(digest("200", "20000"), "692a1a699e4fd4c2359be280b122a87336c99c84b194c31af960526d11df24aff7da87b2205b16be2d6788a42a64f6500c0c797332e66c5f8f7d154de4e70f66");
    assert_eq!(
        signature("1111", "200", "100000.00", "askvnoibnosifnboseofinbofinfgbiufglnbfg"),
        "edc076b21793ebe3e17926350f5b8ae67d902fe657b3d0aa31b932d5c127e2375d308a2bc94f3265ac2d80a1f181a79b997ac178a236fcff35af263fc4d4c231"
    );
}

#[test]
fn the_basic_header_is_the_key_and_an_empty_password() {
    let header = |key: &str| {
        let request = client("https://api.sandbox.midtrans.com", key)
            .request(Method::GET, &["v2", "x", "status"])
            .build()
            .unwrap();
        assert_eq!(
            request.url().as_str(),
            "https://api.sandbox.midtrans.com/v2/x/status"
        );
        request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        header(KEY),
        "Basic U0ItTWlkLXNlcnZlci1NYWRkU3RvcmVFeGFtcGxlMTIzOg=="
    );
    assert_eq!(
        header("SB-Mid-server-abc123cde456"),
        "Basic U0ItTWlkLXNlcnZlci1hYmMxMjNjZGU0NTY6"
    );
    // A base with a path prefix (the simulator) keeps it; ids are one path segment each.
    let request = client("http://127.0.0.1:9/sandbox/midtrans/", KEY)
        .request(Method::POST, &["v2", "a/b", "expire"])
        .build()
        .unwrap();
    assert_eq!(request.url().path(), "/sandbox/midtrans/v2/a%2Fb/expire");
}

#[test]
fn the_spec_notifications_verify_and_read() {
    let midtrans = client("https://api.sandbox.midtrans.com", KEY);
    let headers = axum::http::HeaderMap::new();
    let pending = midtrans.verify(&headers, PENDING.as_bytes()).unwrap();
    assert_eq!(pending.reference, "5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f");
    assert_eq!(pending.merchant_ref.as_deref(), Some("MS-7K3Q9XW2-1"));
    assert_eq!(
        (pending.status, pending.gross),
        (RailStatus::Pending, Rupiah::new(20_000))
    );
    assert_eq!((pending.paid_at_ms, pending.fee), (None, None));
    assert_eq!(pending.raw, PENDING);
    let settled = midtrans.verify(&headers, SETTLEMENT.as_bytes()).unwrap();
    assert_eq!(settled.status, RailStatus::Paid);
    assert_eq!(
        settled.paid_at_ms,
        Some(datetime!(2026-01-01 10:05:00 +7).unix_timestamp() * 1000)
    );
}

#[test]
fn a_tampered_notification_is_refused() {
    let midtrans = client("https://api.sandbox.midtrans.com", KEY);
    let headers = axum::http::HeaderMap::new();
    let verify = |body: &str| midtrans.verify(&headers, body.as_bytes());
    assert_eq!(
        verify(&SETTLEMENT.replace("20000.00", "2000.00")),
        Err(WebhookError::Forged)
    );
    assert_eq!(
        verify(&SETTLEMENT.replace("MS-7K3Q9XW2-1", "MS-7K3Q9XW2-2")),
        Err(WebhookError::Forged)
    );
    assert_eq!(
        verify(&SETTLEMENT.replace("\"status_code\":\"200\"", "\"status_code\":\"201\"")),
        Err(WebhookError::Forged)
    );
    let mut unsigned: Value = serde_json::from_str(SETTLEMENT).unwrap();
    unsigned.as_object_mut().unwrap().remove("signature_key");
    assert_eq!(verify(&unsigned.to_string()), Err(WebhookError::Forged));
    // Signed over the re-formatted amount: what a careless sender would make.
    let mut reformatted: Value = serde_json::from_str(SETTLEMENT).unwrap();
    reformatted["signature_key"] = json!(signature("MS-7K3Q9XW2-1", "200", "20000", KEY));
    assert_eq!(verify(&reformatted.to_string()), Err(WebhookError::Forged));
    let other_key = client("https://api.sandbox.midtrans.com", "SB-Mid-server-other");
    assert_eq!(
        other_key.verify(&headers, SETTLEMENT.as_bytes()),
        Err(WebhookError::Forged)
    );
    // Upper-case hex is the same signature.
    let upper = SETTLEMENT.replace("3e50cad6d6e8ccdaab0e", "3E50CAD6D6E8CCDAAB0E");
    assert!(verify(&upper).is_ok());
    assert!(matches!(
        verify("{not json"),
        Err(WebhookError::Unreadable(_))
    ));
    assert!(matches!(verify("[1]"), Err(WebhookError::Unreadable(_))));
    // The status is not signed: it still verifies, which is why the store re-queries.
    let forged_status = PENDING.replace("\"pending\"", "\"settlement\"");
    assert_eq!(verify(&forged_status).unwrap().status, RailStatus::Paid);
}

#[test]
fn statuses_map_to_the_store_s_words() {
    let table = [
        ("settlement", None, RailStatus::Paid),
        ("settlement", Some("accept"), RailStatus::Paid),
        ("SETTLEMENT", Some("ACCEPT"), RailStatus::Paid),
        ("settlement", Some("deny"), RailStatus::Failed),
        ("settlement", Some("challenge"), RailStatus::Pending),
        ("pending", Some("accept"), RailStatus::Pending),
        ("PENDING", None, RailStatus::Pending),
        ("expire", None, RailStatus::Expired),
        ("cancel", None, RailStatus::Expired),
        ("deny", None, RailStatus::Expired),
        ("failure", None, RailStatus::Failed),
        ("refund", None, RailStatus::Refunded),
        ("partial_refund", None, RailStatus::Refunded),
        ("chargeback", None, RailStatus::Refunded),
        ("something_new", None, RailStatus::Unknown),
    ];
    for (status, fraud, expected) in table {
        assert_eq!(rail_status(status, fraud), expected, "{status} {fraud:?}");
    }
}

#[test]
fn amounts_are_whole_rupiah_only() {
    assert_eq!(parse_gross("20000.00"), Some(Rupiah::new(20_000)));
    assert_eq!(parse_gross("20000"), Some(Rupiah::new(20_000)));
    for bad in [
        "20000.50",
        "20000.0",
        "20.000",
        "-1",
        "",
        ".00",
        "2e4",
        " 20000",
        "99999999999999999999",
    ] {
        assert_eq!(parse_gross(bad), None, "{bad}");
    }
}

#[test]
fn the_charge_body_carries_the_exact_amount_and_the_store_s_expiry() {
    let now = datetime!(2026-01-01 10:00:00 +7);
    let mut new = payment();
    new.item_name = "x".repeat(80);
    new.customer_phone = None;
    let body = charge_body(&new, "gopay", now);
    assert_eq!(
        body["transaction_details"],
        json!({"order_id": "MS-7K3Q9XW2-1", "gross_amount": 20000})
    );
    let item = &body["item_details"][0];
    assert_eq!(
        (item["price"].as_i64(), item["quantity"].as_i64()),
        (Some(20_000), Some(1))
    );
    assert_eq!(item["name"].as_str().unwrap().chars().count(), 50);
    assert_eq!(body["customer_details"], json!({"first_name": "Pelanggan"}));
    assert_eq!(
        body["custom_expiry"],
        json!({"order_time": "2026-01-01 10:00:00 +0700", "expiry_duration": 60, "unit": "minute"})
    );
    assert_eq!(
        order_time(datetime!(2026-01-01 03:00:30 UTC)),
        "2026-01-01 10:00:30 +0700"
    );
    // Never less than a minute, whole minutes rounded down (Midtrans never outlives the store).
    new.expires_at_ms = now.unix_timestamp() * 1000 + 20_000;
    assert_eq!(
        charge_body(&new, "gopay", now)["custom_expiry"]["expiry_duration"],
        1
    );
    new.expires_at_ms = now.unix_timestamp() * 1000 + 119_999;
    assert_eq!(
        charge_body(&new, "gopay", now)["custom_expiry"]["expiry_duration"],
        1
    );
    assert_eq!(
        wib_millis("2026-01-01 10:00:00"),
        Some(now.unix_timestamp() * 1000)
    );
    assert_eq!(wib_millis("01/01/2026"), None);
}

/// §2.2's answer, served with HTTP 200 as the docs' OpenAPI shows it.
const CHARGE_ANSWER: &str = r#"{
  "status_code": "201",
  "status_message": "QRIS transaction is created",
  "transaction_id": "5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f",
  "order_id": "MS-7K3Q9XW2-1",
  "merchant_id": "G123456789",
  "gross_amount": "20000.00",
  "currency": "IDR",
  "payment_type": "qris",
  "transaction_time": "2026-01-01 10:00:05",
  "transaction_status": "pending",
  "fraud_status": "accept",
  "acquirer": "gopay",
  "actions": [
    { "name": "generate-qr-code-v2", "method": "GET",
      "url": "https://api.sandbox.midtrans.com/v4/qris/A1202601011000005cXyZ/qr-code" },
    { "name": "generate-qr-code", "method": "GET",
      "url": "https://api.sandbox.midtrans.com/v2/qris/5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f/qr-code" }
  ],
  "qr_string": "00020101021226…6304D2AC",
  "expiry_time": "2026-01-01 11:00:00"
}"#;

#[tokio::test]
async fn the_spec_charge_answer_is_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/charge"))
        .and(header(
            "authorization",
            "Basic U0ItTWlkLXNlcnZlci1NYWRkU3RvcmVFeGFtcGxlMTIzOg==",
        ))
        .and(header(
            "x-override-notification",
            "https://maddstore.example/webhooks/midtrans",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(CHARGE_ANSWER, "application/json"))
        .mount(&server)
        .await;
    let clock = ManualClock::new(datetime!(2026-01-01 10:00:00 +7));
    let midtrans = client(&server.uri(), KEY).with_clock(Arc::new(clock));
    let created = midtrans.create(&payment()).await.unwrap();
    assert_eq!(created.reference, "5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f");
    assert_eq!(
        created.qr_string.as_deref(),
        Some("00020101021226…6304D2AC")
    );
    assert_eq!(
        created.qr_url.as_deref(),
        Some(
            "https://api.sandbox.midtrans.com/v2/qris/5c6f2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f/qr-code"
        )
    );
    assert_eq!(created.checkout_url, None);
    assert_eq!(created.expires_at_ms, Some(payment().expires_at_ms));
    assert_eq!(
        (created.amount, created.fee, created.fee_customer),
        (Rupiah::new(20_000), None, Rupiah::ZERO)
    );

    let requests = server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(sent["custom_expiry"]["expiry_duration"], 60);
    assert_eq!(
        sent["custom_expiry"]["order_time"],
        "2026-01-01 10:00:00 +0700"
    );
    assert_eq!(sent["qris"]["acquirer"], "gopay");
    assert_eq!(sent["customer_details"]["phone"], "+6281234567890");
    let key = requests[0]
        .headers
        .get("idempotency-key")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(uuid::Uuid::parse_str(key).is_ok());
}

#[tokio::test]
async fn answers_are_judged_by_their_body() {
    let server = MockServer::start().await;
    let answer = |http: u16, body: Value| ResponseTemplate::new(http).set_body_json(body);
    let cases = [
        (
            200,
            json!({"status_code": "400", "status_message": "One or more parameters in the payload is invalid.", "validation_messages": ["transaction_details.gross_amount is not equal to the sum of item_details"]}),
            true,
        ),
        (
            400,
            json!({"status_code": "406", "status_message": "order_id has been paid and utilized, please use another order ID"}),
            true,
        ),
        (
            200,
            json!({"status_code": "202", "transaction_status": "deny", "status_message": "denied"}),
            true,
        ),
        (
            200,
            json!({"status_code": "500", "status_message": "Internal Server Error"}),
            false,
        ),
        (
            500,
            json!({"status_code": "500", "status_message": "Internal Server Error"}),
            false,
        ),
        (200, json!({"status_code": "429"}), false),
        (
            200,
            json!({"status_code": "201", "transaction_status": "pending", "order_id": "MS-7K3Q9XW2-1", "gross_amount": "20000.50", "transaction_id": "t"}),
            false,
        ),
    ];
    for (http, body, refused) in cases {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(answer(http, body.clone()))
            .mount(&server)
            .await;
        let result = client(&server.uri(), KEY).create(&payment()).await;
        match result {
            Err(GatewayError::Refused(reason)) => {
                assert!(refused, "{body}: {reason}");
                assert!(!reason.contains(KEY));
            }
            Err(GatewayError::Unknown(_)) => assert!(!refused, "{body}"),
            Ok(created) => panic!("{body}: {created:?}"),
        }
    }
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    let result = client(&server.uri(), KEY).create(&payment()).await;
    assert!(
        matches!(result, Err(GatewayError::Unknown(_))),
        "{result:?}"
    );
}
