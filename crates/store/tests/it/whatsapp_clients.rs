//! The WhatsApp clients against wiremock servers answering with the payloads of
//! `specs/whatsapp.md` (not the sandbox's), and the pure webhook helpers.

use std::collections::HashMap;
use std::time::Duration;

use hmac::{Hmac, Mac};
use madd_domain::PhoneNumber;
use maddstore::messenger::cloud::{self, CloudApi, CloudConfig};
use maddstore::messenger::fonnte::{self, Fonnte, FonnteConfig};
use maddstore::messenger::{Accepted, Messenger, OutgoingMessage, SendError};
use maddstore::secret::Secret;
use serde_json::{json, Value};
use sha2::Sha256;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "EAAG-test-token-123";
const MESSAGES_PATH: &str = "/v23.0/106540352242922/messages";

fn http() -> reqwest::Client {
    http_timeout(Duration::from_secs(5))
}

/// For the timeout cases: short, so the tests stay fast.
fn http_timeout(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("client")
}

fn cloud(server: &MockServer) -> CloudApi {
    cloud_with(server, http())
}

fn cloud_with(server: &MockServer, http: reqwest::Client) -> CloudApi {
    let api_url = format!("{}/v23.0", server.uri()).parse().expect("url");
    CloudApi::new(
        CloudConfig {
            api_url,
            phone_number_id: "106540352242922".into(),
            token: Secret::new(TOKEN),
            template_language: "id".into(),
            template_names: HashMap::from([("payment_received".into(), "order_paid".into())]),
        },
        http,
    )
}

fn message(kind: &str, window_open: bool) -> OutgoingMessage {
    OutgoingMessage {
        to: PhoneNumber::parse("0812-3456-7890").expect("phone"),
        kind: kind.into(),
        text: "Pembayaran *MS-7K3Q9* sebesar Rp50.000 sudah kami terima.".into(),
        params: vec!["MS-7K3Q9".into(), "Rp50.000".into()],
        window_open,
        reference: maddstore::messenger::reference(42),
    }
}

fn meta_success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": "6281234567890", "wa_id": "6281234567890"}],
        "messages": [{"id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjA="}]
    }))
}

fn meta_error(http_status: u16, code: i64, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(http_status).set_body_json(json!({
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": "details here"},
            "fbtrace_id": "AbCdEf123"
        }
    }))
}

fn expected_text_body(body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"preview_url": false, "body": body},
        "biz_opaque_callback_data": "madd-message-42"
    })
}

fn expected_template_body(name: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "to": "6281234567890",
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": "id"},
            "components": [{"type": "body", "parameters": [
                {"type": "text", "text": "MS-7K3Q9"},
                {"type": "text", "text": "Rp50.000"}
            ]}]
        },
        "biz_opaque_callback_data": "madd-message-42"
    })
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("json body"))
        .collect()
}

#[tokio::test]
async fn cloud_sends_text_inside_the_window_with_bearer_token() {
    let server = MockServer::start().await;
    let msg = message("payment_received", true);
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(expected_text_body(&msg.text)))
        .respond_with(meta_success())
        .expect(1)
        .mount(&server)
        .await;

    let accepted = cloud(&server).send(&msg).await.expect("accepted");
    assert_eq!(
        accepted,
        Accepted {
            provider_id: Some("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjA=".into())
        }
    );
}

#[tokio::test]
async fn cloud_sends_the_configured_template_outside_the_window() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(expected_template_body("order_paid")))
        .respond_with(meta_success())
        .expect(1)
        .mount(&server)
        .await;

    let accepted = cloud(&server)
        .send(&message("payment_received", false))
        .await
        .expect("accepted");
    assert!(accepted.provider_id.is_some());
}

#[tokio::test]
async fn cloud_template_name_defaults_to_the_kind_and_params_are_cleaned() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(meta_success())
        .mount(&server)
        .await;
    let mut msg = message("order_created", false);
    msg.params = vec!["Budi\nSantoso".into(), "".into()];
    cloud(&server).send(&msg).await.expect("accepted");

    let sent = bodies(&server).await;
    assert_eq!(sent[0]["template"]["name"], "order_created");
    assert_eq!(
        sent[0]["template"]["components"][0]["parameters"],
        json!([{"type": "text", "text": "Budi Santoso"}, {"type": "text", "text": "-"}])
    );

    // A template without variables carries no components at all.
    msg.params.clear();
    cloud(&server).send(&msg).await.expect("accepted");
    let sent = bodies(&server).await;
    assert!(sent[1]["template"].get("components").is_none());
}

#[tokio::test]
async fn cloud_falls_back_to_the_template_when_the_window_turns_out_closed() {
    let server = MockServer::start().await;
    let msg = message("payment_received", true);
    Mock::given(method("POST"))
        .and(body_json(expected_text_body(&msg.text)))
        .respond_with(meta_error(400, 131047, "(#131047) Re-engagement message"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_json(expected_template_body("order_paid")))
        .respond_with(meta_success())
        .expect(1)
        .mount(&server)
        .await;

    let accepted = cloud(&server).send(&msg).await.expect("accepted");
    assert!(accepted.provider_id.is_some());
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["type"], "text");
    assert_eq!(sent[1]["type"], "template");
}

#[tokio::test]
async fn cloud_truncates_long_text_on_a_char_boundary() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(meta_success())
        .mount(&server)
        .await;
    let mut msg = message("order_delivered", true);
    msg.text = "é".repeat(5000);
    cloud(&server).send(&msg).await.expect("accepted");
    let body = bodies(&server).await[0]["text"]["body"]
        .as_str()
        .expect("body")
        .to_owned();
    assert_eq!(body.chars().count(), cloud::MAX_TEXT_CHARS);
}

#[tokio::test]
async fn cloud_tolerates_a_trailing_slash_in_the_api_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .respond_with(meta_success())
        .expect(1)
        .mount(&server)
        .await;
    let api = CloudApi::new(
        CloudConfig {
            api_url: format!("{}/v23.0/", server.uri()).parse().expect("url"),
            phone_number_id: "106540352242922".into(),
            token: Secret::new(TOKEN),
            template_language: "id".into(),
            template_names: HashMap::new(),
        },
        http(),
    );
    api.send(&message("x", false)).await.expect("accepted");
}

async fn cloud_outcome(response: ResponseTemplate, window_open: bool) -> SendError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    cloud(&server)
        .send(&message("payment_received", window_open))
        .await
        .expect_err("refused")
}

#[tokio::test]
async fn cloud_maps_errors_to_what_the_outbox_should_do() {
    let cases: Vec<(ResponseTemplate, &str)> = vec![
        (
            meta_error(400, 130429, "(#130429) Rate limit hit"),
            "temporary",
        ),
        (
            meta_error(429, 130429, "(#130429) Rate limit hit"),
            "temporary",
        ),
        (ResponseTemplate::new(429), "temporary"),
        (meta_error(500, 1, "An unknown error occurred"), "temporary"),
        (
            ResponseTemplate::new(503).set_body_string("<html>"),
            "temporary",
        ),
        (
            meta_error(400, 131026, "(#131026) Message Undeliverable"),
            "permanent",
        ),
        (
            meta_error(401, 190, "Error validating access token"),
            "unauthorized",
        ),
        (
            meta_error(400, 190, "Error validating access token"),
            "unauthorized",
        ),
        (ResponseTemplate::new(401), "unauthorized"),
        (
            meta_error(400, 100, "(#100) Invalid parameter"),
            "permanent",
        ),
        (ResponseTemplate::new(404), "permanent"),
    ];
    for (response, expected) in cases {
        let got = cloud_outcome(response, false).await;
        let kind = match &got {
            SendError::Temporary(_) => "temporary",
            SendError::Permanent(_) => "permanent",
            SendError::Unauthorized(_) => "unauthorized",
            SendError::Unanswered(_) => "unanswered",
        };
        assert_eq!(kind, expected, "{got}");
    }
}

#[tokio::test]
async fn cloud_error_details_carry_meta_facts_but_never_the_token() {
    let got = cloud_outcome(
        meta_error(
            401,
            190,
            &format!("Malformed access token {TOKEN} (session expired)"),
        ),
        true,
    )
    .await;
    let SendError::Unauthorized(detail) = got else {
        panic!("expected Unauthorized, got {got:?}");
    };
    assert!(detail.contains("190"), "{detail}");
    assert!(detail.contains("AbCdEf123"), "{detail}");
    assert!(!detail.contains(TOKEN), "{detail}");
}

#[tokio::test]
async fn cloud_template_refused_with_131047_is_permanent_not_a_loop() {
    let got = cloud_outcome(
        meta_error(400, 131047, "(#131047) Re-engagement message"),
        true,
    )
    .await;
    assert!(matches!(got, SendError::Permanent(_)), "{got:?}");
}

#[tokio::test]
async fn cloud_timeouts_are_unanswered_and_connection_failures_temporary() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(meta_success().set_delay(Duration::from_secs(1)))
        .mount(&server)
        .await;
    let got = cloud_with(&server, http_timeout(Duration::from_millis(100)))
        .send(&message("x", false))
        .await
        .expect_err("timed out");
    // Meta may have taken it: the status report with our reference will say.
    assert!(
        matches!(got, SendError::Unanswered(ref d) if d.contains("timeout")),
        "{got:?}"
    );

    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let api = CloudApi::new(
        CloudConfig {
            api_url: format!("http://127.0.0.1:{port}/v23.0")
                .parse()
                .expect("url"),
            phone_number_id: "1".into(),
            token: Secret::new(TOKEN),
            template_language: "id".into(),
            template_names: HashMap::new(),
        },
        http(),
    );
    let got = api.send(&message("x", false)).await.expect_err("no server");
    assert!(matches!(got, SendError::Temporary(_)), "{got:?}");
}

// --- Fonnte ---------------------------------------------------------------------------------

const FONNTE_TOKEN: &str = "fonnte-raw-token";

fn fonnte(server: &MockServer) -> Fonnte {
    Fonnte::new(
        FonnteConfig {
            api_url: server.uri().parse().expect("url"),
            token: Secret::new(FONNTE_TOKEN),
        },
        http(),
    )
}

fn form_of(request: &Request) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(&request.body).expect("form body")
}

#[tokio::test]
async fn fonnte_posts_the_form_with_the_raw_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("authorization", FONNTE_TOKEN))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "detail": "success! message in queue",
            "id": [142223099],
            "process": "pending",
            "quota": {"6285700000001": {"details": "deduced from total quota", "quota": 999, "remaining": 998, "used": 1}},
            "requestid": 369052479,
            "status": true,
            "target": ["6281234567890"]
        })))
        .expect(1)
        .mount(&server)
        .await;

    // Fonnte has no templates: the text goes out even outside the window.
    let msg = message("payment_received", false);
    let accepted = fonnte(&server).send(&msg).await.expect("accepted");
    assert_eq!(accepted.provider_id.as_deref(), Some("142223099"));

    let requests = server.received_requests().await.unwrap_or_default();
    let form = form_of(&requests[0]);
    assert_eq!(form["target"], "6281234567890");
    assert_eq!(form["message"], msg.text);
    assert_eq!(form["countryCode"], "62");
    assert_eq!(form.len(), 3);
}

async fn fonnte_outcome(response: ResponseTemplate) -> SendError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    fonnte(&server)
        .send(&message("x", true))
        .await
        .expect_err("refused")
}

fn status_false(reason: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"reason": reason, "status": false}))
}

#[tokio::test]
async fn fonnte_status_false_is_an_error_even_with_http_200() {
    let cases = [
        (status_false("invalid token"), "unauthorized"),
        (status_false("token invalid"), "unauthorized"),
        (
            status_false("request invalid on disconnected device"),
            "temporary",
        ),
        (status_false("insufficient quota"), "temporary"),
        (status_false("target invalid"), "permanent"),
        (status_false("something unexpected"), "temporary"),
        (ResponseTemplate::new(500), "temporary"),
        (
            ResponseTemplate::new(502).set_body_string("Bad Gateway"),
            "temporary",
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
            "temporary",
        ),
    ];
    for (response, expected) in cases {
        let got = fonnte_outcome(response).await;
        let kind = match &got {
            SendError::Temporary(_) => "temporary",
            SendError::Permanent(_) => "permanent",
            SendError::Unauthorized(_) => "unauthorized",
            SendError::Unanswered(_) => "unanswered",
        };
        assert_eq!(kind, expected, "{got}");
        assert!(!got.to_string().contains(FONNTE_TOKEN));
    }
}

#[tokio::test]
async fn fonnte_timeout_is_temporary() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": true, "id": [1]}))
                .set_delay(Duration::from_secs(1)),
        )
        .mount(&server)
        .await;
    let client = Fonnte::new(
        FonnteConfig {
            api_url: server.uri().parse().expect("url"),
            token: Secret::new(FONNTE_TOKEN),
        },
        http_timeout(Duration::from_millis(100)),
    );
    let got = client.send(&message("x", true)).await.expect_err("timeout");
    assert!(
        matches!(got, SendError::Temporary(ref d) if d.contains("timeout")),
        "{got:?}"
    );
}

#[test]
fn fonnte_incoming_accepts_numbers_or_strings_and_forms() {
    let json_body = br#"{"device":"6285700000001","sender":"6281234567890","message":"halo kak",
        "member":"","name":"Budi","location":"","url":"","filename":"","extension":"",
        "inboxid":98765,"timestamp":1749416383}"#;
    let got = fonnte::parse_incoming(json_body).expect("parsed");
    assert_eq!(
        got,
        fonnte::FonnteIncoming {
            device: "6285700000001".into(),
            sender: "6281234567890".into(),
            message: "halo kak".into(),
            name: Some("Budi".into()),
            timestamp: Some(1749416383),
            inboxid: Some("98765".into()),
        }
    );

    let strings = br#"{"device":"6285700000001","sender":"6281234567890","message":"x",
        "inboxid":"98766","timestamp":"1749416390"}"#;
    let got = fonnte::parse_incoming(strings).expect("parsed");
    assert_eq!(got.inboxid.as_deref(), Some("98766"));
    assert_eq!(got.timestamp, Some(1749416390));
    assert_eq!(got.name, None);

    let form =
        b"device=6285700000001&sender=6281234567890&message=halo+kak%21&timestamp=1749416383";
    let got = fonnte::parse_incoming(form).expect("parsed");
    assert_eq!(got.message, "halo kak!");
    assert_eq!(got.timestamp, Some(1749416383));

    assert!(fonnte::parse_incoming(br#"{"message":"no sender"}"#).is_err());
    assert!(fonnte::parse_incoming(b"{not json").is_err());
}

// --- Cloud webhook --------------------------------------------------------------------------

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn signature_verification() {
    let secret = Secret::new("app-secret");
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let good = sign("app-secret", body);
    assert!(cloud::verify_signature(&secret, body, Some(&good)));
    assert!(cloud::verify_signature(
        &secret,
        body,
        Some(&good.to_uppercase().replace("SHA256=", "sha256="))
    ));
    // Any change to the body, the secret or the header fails.
    assert!(!cloud::verify_signature(&secret, b"{}", Some(&good)));
    assert!(!cloud::verify_signature(
        &Secret::new("other"),
        body,
        Some(&good)
    ));
    assert!(!cloud::verify_signature(&secret, body, None));
    assert!(!cloud::verify_signature(&secret, body, Some("")));
    let bare_hex = good.trim_start_matches("sha256=");
    assert!(!cloud::verify_signature(&secret, body, Some(bare_hex)));
    assert!(!cloud::verify_signature(
        &secret,
        body,
        Some(&format!("sha1={bare_hex}"))
    ));
    assert!(!cloud::verify_signature(
        &secret,
        body,
        Some("sha256=not-hex")
    ));
    assert!(!cloud::verify_signature(
        &secret,
        body,
        Some(&good[..good.len() - 2])
    ));
    assert!(!cloud::verify_signature(
        &Secret::default(),
        body,
        Some(&sign("", body))
    ));
}

#[test]
fn subscription_handshake() {
    let token = Secret::new("verify-me");
    assert_eq!(
        cloud::verify_subscription(
            &token,
            Some("subscribe"),
            Some("verify-me"),
            Some("1158201444")
        ),
        Some("1158201444".into())
    );
    for (mode, presented, challenge) in [
        (Some("subscribe"), Some("wrong"), Some("1")),
        (Some("unsubscribe"), Some("verify-me"), Some("1")),
        (None, Some("verify-me"), Some("1")),
        (Some("subscribe"), None, Some("1")),
        (Some("subscribe"), Some("verify-me"), None),
        (Some("subscribe"), Some("verify-me"), Some("")),
    ] {
        assert_eq!(
            cloud::verify_subscription(&token, mode, presented, challenge),
            None,
            "{mode:?} {presented:?} {challenge:?}"
        );
    }
    assert_eq!(
        cloud::verify_subscription(&Secret::default(), Some("subscribe"), Some(""), Some("1")),
        None
    );
}

#[test]
fn webhook_messages_from_the_spec_payload() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":
        {"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
        "contacts":[{"profile":{"name":"Budi"},"wa_id":"6281234567890"}],
        "messages":[{"from":"6281234567890","id":"wamid.IN1","timestamp":"1749416383","type":"text",
        "text":{"body":"Kak, pesanan MS-7K3Q9 sudah dibayar"}}]}}]}]}"#;
    let events = cloud::parse_webhook(body).expect("parsed");
    assert_eq!(
        events.messages,
        vec![cloud::InboundMessage {
            id: "wamid.IN1".into(),
            from: "6281234567890".into(),
            name: Some("Budi".into()),
            timestamp: 1749416383,
            text: Some("Kak, pesanan MS-7K3Q9 sudah dibayar".into()),
            kind: "text".into(),
        }]
    );
    assert!(events.statuses.is_empty());
}

#[test]
fn webhook_statuses_buttons_and_several_entries() {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "1", "changes": [
                {"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "statuses": [
                        {"id": "wamid.OUT1", "status": "delivered", "timestamp": "1749416400",
                         "recipient_id": "6281234567890",
                         "biz_opaque_callback_data": "madd-message-7"},
                        {"id": "wamid.OUT2", "status": "failed", "timestamp": "1749416401",
                         "recipient_id": "6281234567890",
                         "errors": [{"code": 131047, "title": "Re-engagement message",
                                     "message": "Re-engagement message",
                                     "error_data": {"details": "more than 24 hours"}}]}
                    ]
                }},
                {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
            ]},
            {"id": "2", "changes": [
                {"field": "messages", "value": {
                    "contacts": [{"profile": {"name": "Sari"}, "wa_id": "6285712345678"}],
                    "messages": [
                        {"from": "6285712345678", "id": "wamid.IN2", "timestamp": 1749416500,
                         "type": "button", "button": {"text": "Cek pesanan", "payload": "x"}},
                        {"from": "6285712345678", "id": "wamid.IN3", "timestamp": "1749416501",
                         "type": "interactive",
                         "interactive": {"type": "button_reply",
                                         "button_reply": {"id": "b1", "title": "Ya"}}},
                        {"from": "6285712345678", "id": "wamid.IN4", "type": "image",
                         "image": {"id": "m1", "caption": "bukti transfer"}},
                        {"from": "6285712345678", "id": "wamid.IN5", "timestamp": "soon",
                         "type": "sticker", "sticker": {"id": "s1"}},
                        {"from": "6285712345678", "type": "text", "text": {"body": "no id"}}
                    ]
                }}
            ]}
        ]
    });
    let events = cloud::parse_webhook(body.to_string().as_bytes()).expect("parsed");

    assert_eq!(
        events.statuses,
        vec![
            cloud::StatusUpdate {
                id: "wamid.OUT1".into(),
                status: "delivered".into(),
                timestamp: 1749416400,
                recipient_id: "6281234567890".into(),
                errors: vec![],
                reference: Some("madd-message-7".into()),
            },
            cloud::StatusUpdate {
                id: "wamid.OUT2".into(),
                status: "failed".into(),
                timestamp: 1749416401,
                recipient_id: "6281234567890".into(),
                errors: vec![(131047, "Re-engagement message".into())],
                reference: None,
            },
        ]
    );

    let summary: Vec<(&str, Option<&str>, &str, i64)> = events
        .messages
        .iter()
        .map(|m| {
            (
                m.id.as_str(),
                m.text.as_deref(),
                m.kind.as_str(),
                m.timestamp,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("wamid.IN2", Some("Cek pesanan"), "button", 1749416500),
            ("wamid.IN3", Some("Ya"), "interactive", 1749416501),
            ("wamid.IN4", Some("bukti transfer"), "image", 0),
            ("wamid.IN5", None, "sticker", 0),
        ]
    );
    assert!(events
        .messages
        .iter()
        .all(|m| m.name.as_deref() == Some("Sari")));
}

#[test]
fn webhook_rejects_what_is_not_json() {
    assert!(cloud::parse_webhook(b"not json").is_err());
    assert_eq!(
        cloud::parse_webhook(br#"{"object":"whatsapp_business_account"}"#).expect("parsed"),
        cloud::CloudEvents::default()
    );
}

// --- Against the sandbox --------------------------------------------------------------------

/// The clients and the simulator agree on the wire format: the 131047 fallback, the window, the
/// error mapping and Fonnte's form all work end to end.
#[tokio::test]
async fn clients_work_against_the_sandbox_gateway() {
    use madd_sandbox::whatsapp::{Config, WhatsAppSim};

    let sim = WhatsAppSim::new(Config::for_tests());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = axum::Router::new().nest("/wa", sim.router());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let config = sim.config().clone();

    let cloud_config = |token: &str| CloudConfig {
        api_url: format!("http://{addr}/wa/cloud/v23.0")
            .parse()
            .expect("url"),
        phone_number_id: config.phone_number_id.clone(),
        token: Secret::new(token),
        template_language: "id".into(),
        template_names: HashMap::new(),
    };
    let api = CloudApi::new(cloud_config(&config.cloud_token), http());

    // The store thinks the window is open, the gateway knows better: the template goes out.
    let accepted = api
        .send(&message("payment_received", true))
        .await
        .expect("accepted");
    assert_eq!(accepted.provider_id.as_deref(), Some("wamid.sandbox.1"));
    let sent = sim.messages_to(CUSTOMER_NUMBER);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].template_name.as_deref(), Some("payment_received"));
    assert_eq!(sent[0].params, vec!["MS-7K3Q9", "Rp50.000"]);

    sim.open_window(CUSTOMER_NUMBER);
    api.send(&message("payment_received", true))
        .await
        .expect("accepted");
    assert_eq!(sim.messages_to(CUSTOMER_NUMBER)[1].kind, "text");

    sim.rate_limit_next(1);
    let got = api.send(&message("x", false)).await.expect_err("limited");
    assert!(matches!(got, SendError::Temporary(_)), "{got:?}");
    sim.set_outage(true);
    let got = api.send(&message("x", false)).await.expect_err("down");
    assert!(matches!(got, SendError::Temporary(_)), "{got:?}");
    sim.set_outage(false);
    let got = CloudApi::new(cloud_config("expired"), http())
        .send(&message("x", false))
        .await
        .expect_err("bad token");
    assert!(matches!(got, SendError::Unauthorized(_)), "{got:?}");
    let mut unreachable = message("x", false);
    unreachable.to = PhoneNumber::parse("0812-3456-0000").expect("phone");
    let got = api.send(&unreachable).await.expect_err("not on WhatsApp");
    assert!(matches!(got, SendError::Permanent(_)), "{got:?}");

    let fonnte_client = |token: &str| {
        Fonnte::new(
            FonnteConfig {
                api_url: format!("http://{addr}/wa/fonnte").parse().expect("url"),
                token: Secret::new(token),
            },
            http(),
        )
    };
    let accepted = fonnte_client(&config.fonnte_token)
        .send(&message("x", false))
        .await
        .expect("accepted");
    assert_eq!(accepted.provider_id.as_deref(), Some("100000001"));
    let got = fonnte_client("wrong")
        .send(&message("x", false))
        .await
        .expect_err("bad token");
    assert!(matches!(got, SendError::Unauthorized(_)), "{got:?}");
    let got = fonnte_client(&config.fonnte_token)
        .send(&unreachable)
        .await
        .expect_err("not on WhatsApp");
    assert!(matches!(got, SendError::Permanent(_)), "{got:?}");
}

const CUSTOMER_NUMBER: &str = "6281234567890";
