//! The Trakteer adapter against the payloads in `specs/trakteer.md`: pay links, webhook parsing,
//! token check, and the public API through wiremock.

use madd_domain::{OrderCode, Rupiah};
use maddstore::payment::trakteer::{
    parse_webhook, token_matches, PriceReading, Trakteer, TrakteerConfig, WebhookError,
};
use maddstore::payment::{PaymentApiError, PaymentChannel, RecentPayments};
use maddstore::secret::Secret;
use serde_json::json;
use time::macros::datetime;
use url::Url;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const UNIT: Rupiah = Rupiah::new(1000);

fn trakteer(page_url: &str, api_url: &str) -> Trakteer {
    Trakteer::new(
        TrakteerConfig {
            page_url: Url::parse(page_url).unwrap(),
            unit_price: UNIT,
            api_url: Url::parse(api_url).unwrap(),
            api_key: Secret::new("api-key-123"),
        },
        reqwest::Client::new(),
    )
}

fn code() -> OrderCode {
    OrderCode::parse("MS-7K3Q9XW2").unwrap()
}

fn query_of(link: &str) -> Vec<(String, String)> {
    Url::parse(link)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

// ---------------------------------------------------------------- pay links

#[test]
fn pay_link_carries_units_code_and_name() {
    let t = trakteer(
        "https://trakteer.id/maddstore",
        "https://api.trakteer.id/v1/public/",
    );
    let link = t.pay_url(&code(), Rupiah::new(52_000), "Budi");
    assert_eq!(
        link,
        "https://trakteer.id/maddstore/tip?quantity=52&step=2&display_name=Budi\
         &supporter_message=MS-7K3Q9XW2&payment_method=qris"
    );
    // An amount that is not a multiple of the unit is rounded up to whole units.
    let link = t.pay_url(&code(), Rupiah::new(3_810), "Budi");
    assert_eq!(query_of(&link)[0], ("quantity".into(), "4".into()));
}

#[test]
fn pay_link_works_with_trailing_slash_and_path_prefix() {
    for page in [
        "https://trakteer.id/maddstore/",
        "http://127.0.0.1:8080/sandbox/trakteer/maddstore",
        "http://127.0.0.1:8080/sandbox/trakteer/maddstore/",
    ] {
        let t = trakteer(page, "https://api.trakteer.id/v1/public");
        let link = Url::parse(&t.pay_url(&code(), Rupiah::new(1000), "x")).unwrap();
        let expected_path = format!(
            "{}/tip",
            Url::parse(page).unwrap().path().trim_end_matches('/')
        );
        assert_eq!(link.path(), expected_path, "for {page}");
    }
}

#[test]
fn pay_link_encodes_every_value() {
    let t = trakteer(
        "https://trakteer.id/maddstore",
        "https://api.trakteer.id/v1/public/",
    );
    let name = "Budi & Sari 🎮 +=?#/%";
    let link = t.pay_url_for_units(7, &code(), name);
    assert!(
        link.contains("display_name=Budi%20%26%20Sari%20%F0%9F%8E%AE%20%2B%3D%3F%23%2F%25&"),
        "{link}"
    );
    let pairs = query_of(&link);
    assert_eq!(
        pairs,
        vec![
            ("quantity".into(), "7".into()),
            ("step".into(), "2".into()),
            ("display_name".into(), name.into()),
            ("supporter_message".into(), "MS-7K3Q9XW2".into()),
            ("payment_method".into(), "qris".into()),
        ]
    );
    assert_eq!(t.unit_price(), UNIT);
}

// ---------------------------------------------------------------- webhook token

#[test]
fn token_must_be_present_and_exact() {
    let token = Secret::new("whk-s3cret");
    assert!(token_matches(&token, Some("whk-s3cret")));
    assert!(!token_matches(&token, None));
    assert!(!token_matches(&token, Some("")));
    assert!(!token_matches(&token, Some("whk-s3cre")));
    assert!(!token_matches(&token, Some("whk-s3cret ")));
    assert!(!token_matches(&token, Some("WHK-S3CRET")));
    // A store without a configured token accepts nothing.
    assert!(!token_matches(&Secret::default(), Some("")));
}

// ---------------------------------------------------------------- webhook body

const DOCUMENTED_EXAMPLE: &str = r#"{
  "created_at": "2023-07-14T14:50:10+07:00",
  "transaction_id": "test-xxxxxxxx-xxxx-xxxxxxx-xxxxxxxxx",
  "type": "tip",
  "supporter_name": "Egis",
  "supporter_avatar": "https://trakteer.id/images/v2/stats-1.png",
  "supporter_message": "Selalu Berkarya",
  "media": {"gif": "3oEduQAsYcJKQH2XsI", "video": {"type": "tiktok", "id": "z3U0udLH974", "start": 0},
            "voice": "https://edge-cdn.trakteer.id/audio/vn-sample-cat-voice.mp3"},
  "unit": "Kopi",
  "unit_icon": "https://trakteer.id/storage/images/units/uic-example.png",
  "quantity": 1,
  "price": 5000,
  "net_amount": 4750
}"#;

fn production_tip(fields: serde_json::Value) -> Vec<u8> {
    let mut body = json!({
        "created_at": "2024-05-01T12:30:00+07:00",
        "transaction_id": "0b7f5a3e-9d2c-4e61-8f0a-2c5d7e9b1a44",
        "type": "tip",
        "supporter_name": "Budi",
        "supporter_avatar": "https://trakteer.id/images/v2/stats-1.png",
        "supporter_message": "ms 7k3q-9xw2",
        "media": null,
        "unit": "Koin",
        "unit_icon": "https://trakteer.id/storage/images/units/uic-koin.png",
        "quantity": "5",
        "price": 5000,
        "net_amount": 4711
    });
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    serde_json::to_vec(&body).unwrap()
}

#[test]
fn reads_the_documented_example() {
    let tip = parse_webhook(DOCUMENTED_EXAMPLE.as_bytes(), Rupiah::new(5000)).unwrap();
    assert_eq!(tip.transaction_id, "test-xxxxxxxx-xxxx-xxxxxxx-xxxxxxxxx");
    assert!(tip.is_test);
    assert_eq!(tip.created_at, Some(datetime!(2023-07-14 14:50:10 +07:00)));
    assert_eq!(tip.supporter_name, "Egis");
    assert_eq!(tip.supporter_message, "Selalu Berkarya");
    assert_eq!(tip.unit, "Kopi");
    assert_eq!(tip.quantity, 1);
    assert_eq!(tip.price, Rupiah::new(5000));
    assert_eq!(tip.total, Rupiah::new(5000));
    assert_eq!(tip.net_amount, Some(Rupiah::new(4750)));
    assert_eq!(tip.price_reading, PriceReading::Total);
    assert_eq!(tip.raw["media"]["gif"], "3oEduQAsYcJKQH2XsI");
}

#[test]
fn reads_production_shapes() {
    // quantity as a string, media null, UUID id, price the total.
    let tip = parse_webhook(&production_tip(json!({})), UNIT).unwrap();
    assert!(!tip.is_test);
    assert_eq!(tip.transaction_id, "0b7f5a3e-9d2c-4e61-8f0a-2c5d7e9b1a44");
    assert_eq!(tip.quantity, 5);
    assert_eq!(tip.total, Rupiah::new(5000));
    assert_eq!(tip.net_amount, Some(Rupiah::new(4711)));
    assert_eq!(tip.price_reading, PriceReading::Total);
    assert_eq!(tip.supporter_message, "ms 7k3q-9xw2");
    assert!(tip.raw["media"].is_null());
}

#[test]
fn reads_decimal_amounts_without_floats() {
    let tip = parse_webhook(
        &production_tip(json!({"price": 5000.0, "net_amount": "4711.00", "quantity": 5})),
        UNIT,
    )
    .unwrap();
    assert_eq!(tip.price, Rupiah::new(5000));
    assert_eq!(tip.net_amount, Some(Rupiah::new(4711)));

    let tip = parse_webhook(
        &production_tip(json!({"price": "5000.00", "net_amount": 4711.5})),
        UNIT,
    )
    .unwrap();
    assert_eq!(tip.price, Rupiah::new(5000));
    assert_eq!(tip.net_amount, Some(Rupiah::new(4712)), "half rounds up");

    let tip = parse_webhook(&production_tip(json!({"net_amount": null})), UNIT).unwrap();
    assert_eq!(tip.net_amount, None);
}

#[test]
fn unit_price_with_quantity_means_price_per_unit() {
    let tip = parse_webhook(&production_tip(json!({"quantity": 3, "price": 1000})), UNIT).unwrap();
    assert_eq!(tip.price, Rupiah::new(1000));
    assert_eq!(tip.total, Rupiah::new(3000));
    assert_eq!(tip.price_reading, PriceReading::UnitTimesQuantity);
    assert_eq!(tip.price_reading.as_str(), "unit_times_quantity");

    // One unit at the unit price is simply the total.
    let tip = parse_webhook(
        &production_tip(json!({"quantity": "1", "price": 1000})),
        UNIT,
    )
    .unwrap();
    assert_eq!(tip.total, Rupiah::new(1000));
    assert_eq!(tip.price_reading.as_str(), "total");

    // A price that is not the unit price is the total, whatever the quantity.
    let tip = parse_webhook(
        &production_tip(json!({"quantity": "3", "price": 3000})),
        UNIT,
    )
    .unwrap();
    assert_eq!(tip.total, Rupiah::new(3000));
    assert_eq!(tip.price_reading, PriceReading::Total);
}

#[test]
fn test_ids_are_flagged_whatever_the_rest() {
    let tip = parse_webhook(
        &production_tip(json!({"transaction_id": "test-0b7f5a3e-9d2c-4e61"})),
        UNIT,
    )
    .unwrap();
    assert!(tip.is_test);
}

#[test]
fn missing_optional_fields_are_tolerated() {
    let body =
        br#"{"type":"tip","transaction_id":"abc","quantity":2,"price":2000,"extra":{"x":1}}"#;
    let tip = parse_webhook(body, UNIT).unwrap();
    assert_eq!(tip.supporter_name, "");
    assert_eq!(tip.supporter_message, "");
    assert_eq!(tip.created_at, None);
    assert_eq!(tip.net_amount, None);
    assert_eq!(tip.total, Rupiah::new(2000));
}

#[test]
fn malformed_events_say_why() {
    let cases: Vec<(Vec<u8>, WebhookError)> = vec![
        (
            production_tip(json!({"transaction_id": null})),
            WebhookError::MissingField("transaction_id"),
        ),
        (
            production_tip(json!({"transaction_id": ""})),
            WebhookError::MissingField("transaction_id"),
        ),
        (
            production_tip(json!({"type": "follow"})),
            WebhookError::NotATip("\"follow\"".into()),
        ),
        (
            production_tip(json!({"type": null})),
            WebhookError::MissingField("type"),
        ),
        (
            production_tip(json!({"price": null})),
            WebhookError::MissingField("price"),
        ),
        (
            production_tip(json!({"quantity": 0})),
            WebhookError::InvalidField {
                field: "quantity",
                reason: "is not positive (0)".into(),
            },
        ),
        (
            production_tip(json!({"price": "lima ribu"})),
            WebhookError::InvalidField {
                field: "price",
                reason: "is not an amount (lima ribu)".into(),
            },
        ),
        (
            production_tip(json!({"supporter_message": {"text": "hi"}})),
            WebhookError::InvalidField {
                field: "supporter_message",
                reason: "is an object".into(),
            },
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(parse_webhook(&body, UNIT), Err(expected));
    }
    match parse_webhook(b"{not json", UNIT) {
        Err(WebhookError::Malformed(reason)) => assert!(reason.starts_with("not JSON"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- public API

async fn api() -> (MockServer, Trakteer) {
    let server = MockServer::start().await;
    let t = trakteer(
        "https://trakteer.id/maddstore",
        &format!("{}/v1/public/", server.uri()),
    );
    (server, t)
}

fn envelope(result: serde_json::Value) -> serde_json::Value {
    json!({"status": "success", "status_code": 200, "result": result, "message": "OK"})
}

#[tokio::test]
async fn reads_supports_with_headers_and_included_fields() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .and(path("/v1/public/supports"))
        .and(header("key", "api-key-123"))
        .and(header("Accept", "application/json"))
        .and(header("X-Requested-With", "XMLHttpRequest"))
        .and(query_param("limit", "20"))
        .and(query_param("page", "2"))
        .and(query_param(
            "include",
            "net_amount,payment_method,order_id,supporter_email,is_guest",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!({
            "data": [
                {
                    "creator_name": "Budi",
                    "support_message": "MS-7K3Q9XW2",
                    "quantity": 52,
                    "amount": 52000,
                    "unit_name": "Koin",
                    "status": "success",
                    "updated_at": "2024-05-01 12:30:00",
                    "net_amount": 49_000,
                    "payment_method": "qris",
                    "order_id": "0b7f5a3e-9d2c-4e61-8f0a-2c5d7e9b1a44",
                    "supporter_email": null,
                    "is_guest": true
                },
                {
                    "supporter_name": "Sari",
                    "support_message": null,
                    "quantity": "3",
                    "amount": "3000.00",
                    "unit_name": "Koin",
                    "status": "Pending",
                    "updated_at": "2024-05-01 12:00:00"
                }
            ],
            "meta": {"pagination": {"total": 23, "count": 2, "per_page": 20,
                                    "current_page": 2, "total_pages": 2, "links": {}}}
        }))))
        .expect(1)
        .mount(&server)
        .await;

    let page = t.supports(2, 20).await.unwrap();
    assert_eq!(page.payments.len(), 2);
    let first = &page.payments[0];
    assert_eq!(
        first.id.as_deref(),
        Some("0b7f5a3e-9d2c-4e61-8f0a-2c5d7e9b1a44")
    );
    assert_eq!(first.supporter_name, "Budi");
    assert_eq!(first.message, "MS-7K3Q9XW2");
    assert_eq!(first.quantity, 52);
    assert_eq!(first.amount, Rupiah::new(52_000));
    assert_eq!(first.net_amount, Some(Rupiah::new(49_000)));
    assert_eq!(first.payment_method.as_deref(), Some("qris"));
    assert_eq!(first.status, "success");
    assert_eq!(first.updated_at, datetime!(2024-05-01 05:30:00 UTC));
    let second = &page.payments[1];
    assert_eq!(
        second.supporter_name, "Sari",
        "older answers say supporter_name"
    );
    assert_eq!(second.message, "");
    assert_eq!(second.quantity, 3);
    assert_eq!(second.amount, Rupiah::new(3000));
    assert_eq!(second.id, None);
    assert_eq!(second.net_amount, None);
    assert_eq!(second.status, "pending");
    let p = page.pagination.unwrap();
    assert_eq!(
        (p.total, p.current_page, p.total_pages),
        (Some(23), Some(2), Some(2))
    );
}

#[tokio::test]
async fn recent_payments_asks_the_page_and_accepts_total_page() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .and(path("/v1/public/supports"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!({
            "data": [],
            "meta": {"pagination": {"total": 0, "count": 0, "per_page": 20,
                                    "current_page": 1, "total_page": 1}}
        }))))
        .mount(&server)
        .await;
    let page = t.supports(1, 20).await.unwrap();
    assert_eq!(page.pagination.unwrap().total_pages, Some(1));
    assert_eq!(
        t.recent_payments(1).await.unwrap(),
        RecentPayments::default()
    );
}

#[tokio::test]
async fn api_url_without_trailing_slash_reaches_the_same_endpoint() {
    let server = MockServer::start().await;
    let t = trakteer(
        "https://trakteer.id/maddstore",
        &format!("{}/v1/public", server.uri()),
    );
    Mock::given(method("GET"))
        .and(path("/v1/public/current-balance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!("6483.00"))))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(t.current_balance().await.unwrap(), Rupiah::new(6483));
}

#[tokio::test]
async fn balance_as_string_or_number() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .and(path("/v1/public/current-balance"))
        .and(header("key", "api-key-123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!(12500))))
        .mount(&server)
        .await;
    assert_eq!(t.current_balance().await.unwrap(), Rupiah::new(12_500));
}

#[tokio::test]
async fn wrong_key_is_refused() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "status": "error", "status_code": 401, "result": null, "message": "Unauthenticated."
        })))
        .mount(&server)
        .await;
    let err = t.recent_payments(1).await.unwrap_err();
    assert_eq!(
        err,
        PaymentApiError::Refused("supports: HTTP 401: Unauthenticated.".into())
    );
    assert!(!format!("{err:?}").contains("api-key-123"));
}

#[tokio::test]
async fn error_status_in_a_200_is_refused() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "error", "status_code": 400, "result": null, "message": "Invalid include"
        })))
        .mount(&server)
        .await;
    assert_eq!(
        t.current_balance().await.unwrap_err(),
        PaymentApiError::Refused("current-balance: status error: Invalid include".into())
    );
}

#[tokio::test]
async fn server_errors_and_garbage_are_unavailable() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .and(path("/v1/public/supports"))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/public/current-balance"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    assert_eq!(
        t.recent_payments(1).await.unwrap_err(),
        PaymentApiError::Unavailable("supports: HTTP 500".into())
    );
    assert!(matches!(
        t.current_balance().await.unwrap_err(),
        PaymentApiError::Unavailable(m) if m.contains("malformed")
    ));
}

#[tokio::test]
async fn an_unreadable_support_is_reported_without_hiding_the_others() {
    let (server, t) = api().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!({
            "data": [{"creator_name": "Budi", "quantity": 1, "amount": 1000,
                      "status": "success", "updated_at": "kemarin"},
                     {"creator_name": "Sari\u{0}", "quantity": 2, "amount": 2000,
                      "support_message": "MS-7K3Q\u{0}9XW2", "order_id": "o-2",
                      "status": "success", "updated_at": "2024-05-01 12:30:00"}]
        }))))
        .mount(&server)
        .await;
    let listed = t.recent_payments(1).await.unwrap();
    assert_eq!(
        listed.unreadable,
        vec!["support #1: updated_at is not a time (kemarin)".to_string()]
    );
    assert_eq!(listed.payments.len(), 1);
    // Text from the API is cleaned of control characters where it enters the store.
    assert_eq!(listed.payments[0].supporter_name, "Sari");
    assert_eq!(listed.payments[0].message, "MS-7K3Q9XW2");
}

#[tokio::test]
async fn unreachable_api_is_unavailable() {
    // Port 1 is privileged and unused: the connection is refused at once.
    let t = trakteer(
        "https://trakteer.id/maddstore",
        "http://127.0.0.1:1/v1/public/",
    );
    assert!(matches!(
        t.recent_payments(1).await.unwrap_err(),
        PaymentApiError::Unavailable(_)
    ));
}

// ---------------------------------------------------------------- against the simulator

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// What the store's webhook was sent: whether the token matched, and the raw body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(bool, Vec<u8>)>>>;

/// A store's Trakteer webhook that only records what it is sent.
fn recording_store(received: Received) -> axum::Router {
    use axum::body::Bytes;
    use axum::http::HeaderMap;

    let token = Secret::new("test-webhook-token");
    axum::Router::new().route(
        "/webhooks/trakteer",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
            let presented = headers.get("X-Webhook-Token").and_then(|v| v.to_str().ok());
            let authentic = token_matches(&token, presented);
            received.lock().unwrap().push((authentic, body.to_vec()));
            "ok"
        }),
    )
}

/// The store's adapter pointed at the simulator served at `sandbox`.
fn adapter_for(sandbox: &str) -> Trakteer {
    Trakteer::new(
        TrakteerConfig {
            page_url: Url::parse(&format!("{sandbox}/sandbox/trakteer/maddstore")).unwrap(),
            unit_price: UNIT,
            api_url: Url::parse(&format!("{sandbox}/sandbox/trakteer/api/v1/public/")).unwrap(),
            api_key: Secret::new("test-api-key"),
        },
        reqwest::Client::new(),
    )
}

/// The adapter and the sandbox agree: the pay link opens the sandbox's tip page, the sandbox's
/// webhook passes the token check and parses, and its API reads back as the same payment.
#[tokio::test]
async fn adapter_and_simulator_speak_the_same_protocol() {
    use madd_sandbox::trakteer::{Config, PayRequest, TrakteerSim};

    let received = Received::default();
    let store_url = serve(recording_store(received.clone())).await;

    let sim = TrakteerSim::new(Config {
        webhook_url: Some(format!("{store_url}/webhooks/trakteer")),
        ..Config::for_tests()
    });
    let sandbox = serve(axum::Router::new().nest("/sandbox/trakteer", sim.router())).await;
    let trakteer = adapter_for(&sandbox);

    let link = trakteer.pay_url(&code(), Rupiah::new(3_810), "Budi & Sari");
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"4\"") && html.contains("MS-7K3Q9XW2"));
    assert!(html.contains("Budi &amp; Sari"));

    let support = sim
        .pay(PayRequest {
            quantity: 4,
            display_name: "Budi & Sari".into(),
            message: "MS-7K3Q9XW2".into(),
            method: "qris".into(),
            email: None,
        })
        .unwrap();
    sim.wait_delivered(&support.transaction_id).await;

    let (authentic, body) = received.lock().unwrap()[0].clone();
    assert!(authentic);
    let tip = parse_webhook(&body, UNIT).unwrap();
    assert_eq!(tip.transaction_id, support.transaction_id);
    assert!(!tip.is_test);
    assert_eq!(tip.quantity, 4);
    assert_eq!(tip.total, Rupiah::new(4000));
    assert_eq!(tip.price_reading, PriceReading::Total);
    assert_eq!(tip.net_amount, Some(Rupiah::new(support.net_amount)));
    assert_eq!(tip.created_at, Some(support.created_at));
    assert_eq!(
        OrderCode::candidates_in(&tip.supporter_message),
        vec![code()]
    );

    let test_id = sim.send_test_webhook();
    sim.wait_delivered(&test_id).await;
    let (_, body) = received.lock().unwrap()[1].clone();
    assert!(parse_webhook(&body, UNIT).unwrap().is_test);

    let payments = trakteer.recent_payments(1).await.unwrap().payments;
    assert_eq!(payments.len(), 1);
    let paid = &payments[0];
    assert_eq!(paid.id.as_deref(), Some(support.order_id.as_str()));
    assert_eq!(paid.supporter_name, "Budi & Sari");
    assert_eq!(paid.message, "MS-7K3Q9XW2");
    assert_eq!(paid.amount, Rupiah::new(4000));
    assert_eq!(paid.net_amount, Some(Rupiah::new(support.net_amount)));
    assert_eq!(paid.payment_method.as_deref(), Some("qris"));
    assert_eq!(paid.status, "success");
    assert_eq!(paid.updated_at, support.created_at);
    assert_eq!(
        trakteer.current_balance().await.unwrap(),
        Rupiah::new(support.net_amount)
    );

    sim.set_webhook_token("rotated".into());
    let late = sim
        .pay(PayRequest {
            quantity: 1,
            method: "qris".into(),
            ..Default::default()
        })
        .unwrap();
    sim.wait_delivered(&late.transaction_id).await;
    assert!(
        !received.lock().unwrap()[2].0,
        "a wrong token is not authentic"
    );
}
