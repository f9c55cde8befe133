//! The WhatsApp simulator over real HTTP, mounted under a prefix like the demo does.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use madd_sandbox::whatsapp::{Config, Gateway, WhatsAppSim};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

const CUSTOMER: &str = "6281234567890";

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    format!("http://{addr}")
}

struct Harness {
    sim: WhatsAppSim,
    base: String,
    http: reqwest::Client,
}

impl Harness {
    async fn start(config: Config) -> Harness {
        let sim = WhatsAppSim::new(config);
        let root = serve(Router::new().nest("/sandbox/whatsapp", sim.router())).await;
        Harness {
            sim,
            base: format!("{root}/sandbox/whatsapp"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    fn cloud_url(&self) -> String {
        let id = &self.sim.config().phone_number_id;
        format!("{}/cloud/v23.0/{id}/messages", self.base)
    }

    async fn cloud(&self, body: Value) -> (u16, Value) {
        let token = self.sim.config().cloud_token.clone();
        self.cloud_with(&self.cloud_url(), Some(&token), body).await
    }

    async fn cloud_with(&self, url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.http.post(url).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    async fn fonnte(&self, token: &str, form: &[(&str, &str)]) -> (u16, String) {
        let response = self
            .http
            .post(format!("{}/fonnte/send", self.base))
            .header("authorization", token)
            .form(form)
            .send()
            .await
            .expect("send");
        (
            response.status().as_u16(),
            response.text().await.expect("text"),
        )
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        (
            response.status().as_u16(),
            response.text().await.expect("text"),
        )
    }
}

fn text(to: &str, body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": false, "body": body}
    })
}

fn template(to: &str, name: &str, params: &[&str]) -> Value {
    let parameters: Vec<Value> = params
        .iter()
        .map(|p| json!({"type": "text", "text": p}))
        .collect();
    json!({
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": "id"},
            "components": [{"type": "body", "parameters": parameters}]
        }
    })
}

fn error_code(body: &Value) -> i64 {
    body["error"]["code"].as_i64().unwrap_or_default()
}

#[tokio::test]
async fn text_needs_the_24_hour_window_templates_do_not() {
    let h = Harness::start(Config::for_tests()).await;

    let (status, body) = h.cloud(text(CUSTOMER, "Halo")).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), 131047);
    assert_eq!(body["error"]["message"], "(#131047) Re-engagement message");
    assert_eq!(body["error"]["type"], "OAuthException");
    assert!(body["error"]["fbtrace_id"].is_string());

    let (status, body) = h
        .cloud(template(CUSTOMER, "order_paid", &["MS-7K3Q9", "Rp50.000"]))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": CUSTOMER, "wa_id": CUSTOMER}],
            "messages": [{"id": "wamid.sandbox.1", "message_status": "accepted"}]
        })
    );

    h.sim.open_window("0812-3456-7890");
    let (status, body) = h.cloud(text(CUSTOMER, "Halo *kak*")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["messages"][0]["id"], "wamid.sandbox.2");

    // The window closes 24 hours after the customer's last message.
    h.sim.advance_clock(Duration::from_secs(25 * 3600));
    let (status, body) = h.cloud(text(CUSTOMER, "Halo lagi")).await;
    assert_eq!((status, error_code(&body)), (400, 131047));

    // Writing as the customer reopens it.
    h.sim
        .receive_from("+62 812 3456 7890", "Kak, sudah bayar")
        .await
        .expect("valid number");
    let (status, _) = h.cloud(text(CUSTOMER, "Terima kasih")).await;
    assert_eq!(status, 200);

    let sent = h.sim.messages_to("081234567890");
    let summary: Vec<(&str, &str, &str)> = sent
        .iter()
        .map(|m| (m.id.as_str(), m.kind.as_str(), m.body.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "wamid.sandbox.1",
                "template",
                "order_paid: MS-7K3Q9 | Rp50.000"
            ),
            ("wamid.sandbox.2", "text", "Halo *kak*"),
            ("wamid.sandbox.3", "text", "Terima kasih"),
        ]
    );
    assert_eq!(sent[0].template_name.as_deref(), Some("order_paid"));
    assert_eq!(sent[0].params, vec!["MS-7K3Q9", "Rp50.000"]);
    assert!(sent.iter().all(|m| m.gateway == Gateway::Cloud));
    assert_eq!(h.sim.attempts(), 5);
    assert_eq!(h.sim.inbound().len(), 1);
    assert_eq!(h.sim.inbound()[0].from, CUSTOMER);
}

#[tokio::test]
async fn cloud_refuses_bad_credentials_and_bad_requests() {
    let h = Harness::start(Config::for_tests()).await;
    h.sim.open_window(CUSTOMER);
    let good = text(CUSTOMER, "Halo");

    let (status, body) = h.cloud_with(&h.cloud_url(), None, good.clone()).await;
    assert_eq!((status, error_code(&body)), (401, 190));
    let (status, body) = h
        .cloud_with(&h.cloud_url(), Some("wrong"), good.clone())
        .await;
    assert_eq!((status, error_code(&body)), (401, 190));

    let token = h.sim.config().cloud_token.clone();
    let unknown_id = format!("{}/cloud/v23.0/999/messages", h.base);
    let (status, body) = h.cloud_with(&unknown_id, Some(&token), good.clone()).await;
    assert_eq!((status, error_code(&body)), (400, 100));
    let id = &h.sim.config().phone_number_id;
    let no_version = format!("{}/cloud/latest/{id}/messages", h.base);
    let (status, body) = h.cloud_with(&no_version, Some(&token), good).await;
    assert_eq!((status, error_code(&body)), (400, 2500));

    let long = "a".repeat(4097);
    let mut no_product = text(CUSTOMER, "x");
    no_product["messaging_product"] = json!("sms");
    for bad in [
        no_product,
        text(CUSTOMER, &long),
        text(CUSTOMER, ""),
        text("081234567890", "local form"),
        template(CUSTOMER, "order_paid", &["two\nlines"]),
        template(CUSTOMER, "order_paid", &[""]),
        json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "image"}),
    ] {
        let (status, body) = h.cloud(bad.clone()).await;
        assert_eq!((status, error_code(&body)), (400, 100), "{bad}");
    }
    // Exactly 4096 characters (not bytes) is fine.
    let (status, _) = h.cloud(text(CUSTOMER, &"é".repeat(4096))).await;
    assert_eq!(status, 200);

    let (status, body) = h
        .cloud(template("6281234560000", "order_paid", &["x"]))
        .await;
    assert_eq!((status, error_code(&body)), (400, 131026));

    assert_eq!(h.sim.messages().len(), 1);
    assert_eq!(h.sim.attempts(), 13);
}

#[tokio::test]
async fn outage_and_rate_limit_knobs() {
    let h = Harness::start(Config::for_tests()).await;
    let fonnte_token = h.sim.config().fonnte_token.clone();
    let msg = template(CUSTOMER, "order_created", &["MS-1"]);

    h.sim.set_outage(true);
    let (status, body) = h.cloud(msg.clone()).await;
    assert_eq!(status, 503);
    assert!(body["error"]["code"].is_i64());
    let (status, _) = h
        .fonnte(&fonnte_token, &[("target", CUSTOMER), ("message", "x")])
        .await;
    assert_eq!(status, 500);

    // The same knobs over HTTP, as a form and as JSON.
    let control = format!("{}/control", h.base);
    let response = h
        .http
        .post(&control)
        .form(&[("outage", "false"), ("rate_limit_next", "2")])
        .send()
        .await
        .expect("control");
    assert_eq!(response.status(), 200);
    for _ in 0..2 {
        let (status, body) = h.cloud(msg.clone()).await;
        assert_eq!((status, error_code(&body)), (429, 130429));
    }
    let (status, _) = h.cloud(msg.clone()).await;
    assert_eq!(status, 200);

    let response = h
        .http
        .post(&control)
        .json(&json!({"open_window": "0812-3456-7890"}))
        .send()
        .await
        .expect("control");
    assert_eq!(response.status(), 200);
    assert!(h.sim.window_open(CUSTOMER));
    let (status, _) = h.cloud(text(CUSTOMER, "now allowed")).await;
    assert_eq!(status, 200);

    let response = h
        .http
        .post(&control)
        .json(&json!({"open_window": "not a number"}))
        .send()
        .await
        .expect("control");
    assert_eq!(response.status(), 400);
    assert_eq!(h.sim.attempts(), 6);
}

#[tokio::test]
async fn fonnte_refuses_with_http_200_and_status_false() {
    let h = Harness::start(Config::for_tests()).await;
    let token = h.sim.config().fonnte_token.clone();

    let (status, body) = h
        .fonnte("wrong", &[("target", CUSTOMER), ("message", "x")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json"),
        json!({"reason": "invalid token", "status": false})
    );
    let (_, body) = h
        .fonnte(
            &format!("Bearer {token}"),
            &[("target", CUSTOMER), ("message", "x")],
        )
        .await;
    assert!(body.contains("invalid token"), "{body}");

    for form in [
        vec![("message", "x")],
        vec![("target", CUSTOMER)],
        vec![("target", "6281234560000"), ("message", "x")],
        vec![("target", "12"), ("message", "x")],
    ] {
        let (status, body) = h.fonnte(&token, &form).await;
        let body: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(status, 200);
        assert_eq!(body["status"], false, "{form:?}");
        assert!(body["reason"].is_string());
    }
    assert!(h.sim.messages().is_empty());
    assert_eq!(h.sim.attempts(), 6);
}

#[tokio::test]
async fn fonnte_sends_free_text_to_several_targets() {
    let h = Harness::start(Config::for_tests()).await;
    let token = h.sim.config().fonnte_token.clone();
    let (status, body) = h
        .fonnte(
            &token,
            &[
                ("target", "0812-3456-7890,085712345678|Sari|VIP"),
                ("message", "Pesanan *MS-7K3Q9* diterima"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["status"], true);
    assert_eq!(body["detail"], "success! message in queue");
    assert_eq!(body["id"], json!([100000001, 100000002]));
    assert_eq!(body["target"], json!([CUSTOMER, "6285712345678"]));
    assert!(body["requestid"].is_u64());

    // No 24-hour window on Fonnte: both went out without the customers writing first.
    let sent = h.sim.messages_to(CUSTOMER);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].id, "100000001");
    assert_eq!(sent[0].gateway, Gateway::Fonnte);
    assert_eq!(sent[0].kind, "text");
    assert_eq!(sent[0].body, "Pesanan *MS-7K3Q9* diterima");

    let (status, json) = h.get("/api/messages?to=085712345678").await;
    assert_eq!(status, 200);
    let listed: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["to"], "6285712345678");
    assert_eq!(listed[0]["gateway"], "fonnte");
}

#[tokio::test]
async fn inbox_pages_escape_and_format_what_was_sent() {
    let h = Harness::start(Config::for_tests()).await;
    h.sim.open_window(CUSTOMER);
    let (status, _) = h
        .cloud(text(
            CUSTOMER,
            "<script>alert(1)</script> *Lunas* cek https://toko.test/o/MS-1",
        ))
        .await;
    assert_eq!(status, 200);
    let (status, _) = h
        .cloud(template(
            CUSTOMER,
            "order_paid",
            &["<img src=x>", "Rp50.000"],
        ))
        .await;
    assert_eq!(status, 200);

    let (status, page) = h.get("/inbox").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"inbox/6281234567890\""), "{page}");
    assert!(page.contains("2 pesan terkirim"), "{page}");
    assert!(page.contains("Kirim sebagai pelanggan"));

    let (status, page) = h.get("/inbox/0812-3456-7890").await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<img src=x>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;img src=x&gt;"));
    assert!(page.contains("<b>Lunas</b>"));
    assert!(page.contains("<a href=\"https://toko.test/o/MS-1\""));
    assert!(page.contains("order_paid"));
    assert!(page.contains("Cloud API"));
    assert!(page.contains("name=\"viewport\""));
    assert!(page.contains("Jendela 24 jam terbuka"));

    let (status, _) = h.get("/inbox/not-a-number").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn inbox_form_writes_as_the_customer() {
    let h = Harness::start(Config::for_tests()).await;
    let response = h
        .http
        .post(format!("{}/inbox/{CUSTOMER}", h.base))
        .form(&[("text", "Halo <b>admin</b>"), ("name", "Budi")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"].to_str().ok(), Some(CUSTOMER));
    assert!(h.sim.window_open(CUSTOMER));
    let inbound = h.sim.inbound();
    assert_eq!(inbound.len(), 1);
    assert_eq!(
        (inbound[0].name.as_str(), inbound[0].text.as_str()),
        ("Budi", "Halo <b>admin</b>")
    );
    assert_eq!(inbound[0].id, "wamid.sandbox.in.1");

    let (_, page) = h.get(&format!("/inbox/{CUSTOMER}")).await;
    assert!(page.contains("Halo &lt;b&gt;admin&lt;/b&gt;"), "{page}");

    // From the list page, for a number without a conversation yet.
    let response = h
        .http
        .post(format!("{}/inbox", h.base))
        .form(&[("number", "0857-1234-5678"), ("text", "Mau pesan")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"].to_str().ok(),
        Some("inbox/6285712345678")
    );
    let response = h
        .http
        .post(format!("{}/inbox", h.base))
        .form(&[("number", "abc"), ("text", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
}

type Received = (String, Option<String>, Bytes);

/// A stand-in for the store's webhook endpoints: records the path, the signature header and the
/// raw body of every POST.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel::<Received>();
    let record = |path: &'static str| {
        let tx = tx.clone();
        post(move |headers: HeaderMap, body: Bytes| async move {
            let signature = headers
                .get("x-hub-signature-256")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let _ = tx.send((path.to_owned(), signature, body));
            "ok"
        })
    };
    let router = Router::new()
        .route("/status", record("/status"))
        .route("/inbound", record("/inbound"))
        .route("/fonnte", record("/fonnte"));
    (serve(router).await, rx)
}

fn signature_valid(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a webhook within 5 s")
        .expect("channel open")
}

#[tokio::test]
async fn status_webhooks_are_signed_like_meta() {
    let (hooks, mut rx) = receiver().await;
    let config = Config {
        status_webhook_url: Some(format!("{hooks}/status")),
        ..Config::for_tests()
    };
    let secret = config.app_secret.clone();
    let h = Harness::start(config).await;

    let (status, body) = h
        .cloud(template(CUSTOMER, "order_created", &["MS-1"]))
        .await;
    assert_eq!(status, 200);
    let wamid = body["messages"][0]["id"].as_str().expect("id").to_owned();

    let mut seen = Vec::new();
    for _ in 0..2 {
        let (path, signature, raw) = next(&mut rx).await;
        assert_eq!(path, "/status");
        assert!(signature_valid(&secret, &raw, signature.as_deref()));
        assert!(!signature_valid("other-secret", &raw, signature.as_deref()));
        let payload: Value = serde_json::from_slice(&raw).expect("json");
        assert_eq!(payload["object"], "whatsapp_business_account");
        let change = &payload["entry"][0]["changes"][0];
        assert_eq!(change["field"], "messages");
        let st = &change["value"]["statuses"][0];
        assert_eq!(st["id"], wamid.as_str());
        assert_eq!(st["recipient_id"], CUSTOMER);
        assert!(st["timestamp"]
            .as_str()
            .is_some_and(|t| t.parse::<i64>().is_ok()));
        seen.push(st["status"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(seen, ["sent", "delivered"]);
    assert_eq!(h.sim.messages()[0].status, "delivered");
}

#[tokio::test]
async fn customer_messages_reach_the_store_as_cloud_and_fonnte_webhooks() {
    let (hooks, mut rx) = receiver().await;
    let config = Config {
        inbound_webhook_url: Some(format!("{hooks}/inbound")),
        fonnte_webhook_url: Some(format!("{hooks}/fonnte")),
        ..Config::for_tests()
    };
    let secret = config.app_secret.clone();
    let phone_number_id = config.phone_number_id.clone();
    let h = Harness::start(config).await;

    let message = h
        .sim
        .receive_from("0812-3456-7890", "Kak, pesanan saya?")
        .await
        .expect("valid number");

    let (path, signature, raw) = next(&mut rx).await;
    assert_eq!(path, "/inbound");
    assert!(signature_valid(&secret, &raw, signature.as_deref()));
    let payload: Value = serde_json::from_slice(&raw).expect("json");
    let value = &payload["entry"][0]["changes"][0]["value"];
    assert_eq!(
        value["metadata"]["phone_number_id"],
        phone_number_id.as_str()
    );
    assert_eq!(value["contacts"][0]["wa_id"], CUSTOMER);
    let m = &value["messages"][0];
    assert_eq!(m["id"], message.id.as_str());
    assert_eq!(m["from"], CUSTOMER);
    assert_eq!(m["type"], "text");
    assert_eq!(m["text"]["body"], "Kak, pesanan saya?");
    assert_eq!(
        m["timestamp"],
        json!(message.at.unix_timestamp().to_string())
    );

    let (path, signature, raw) = next(&mut rx).await;
    assert_eq!(path, "/fonnte");
    assert_eq!(signature, None);
    let payload: Value = serde_json::from_slice(&raw).expect("json");
    assert_eq!(payload["sender"], CUSTOMER);
    assert_eq!(payload["message"], "Kak, pesanan saya?");
    assert_eq!(payload["inboxid"], 1);
    assert!(payload["device"].is_string());
}

#[tokio::test]
async fn the_inbox_keeps_the_latest_messages_and_counts_them_all() {
    // A demo left running must not keep every message it ever sent.
    let h = Harness::start(Config::for_tests()).await;
    let token = h.sim.config().fonnte_token.clone();
    let many = madd_sandbox::whatsapp::KEEP_MESSAGES + 25;
    let targets: Vec<String> = (0..many).map(|i| format!("62812{i:07}1")).collect();
    let (status, body) = h
        .fonnte(
            &token,
            &[("target", &targets.join(",")), ("message", "promo")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h.sim.sent_total(), many);
    let kept = h.sim.messages();
    assert_eq!(kept.len(), madd_sandbox::whatsapp::KEEP_MESSAGES);
    assert_eq!(
        kept.first().map(|m| m.to.as_str()),
        Some(targets[25].as_str())
    );
    assert_eq!(
        kept.last().map(|m| m.to.as_str()),
        targets.last().map(String::as_str)
    );
    assert!(h.sim.messages_to(&targets[0]).is_empty(), "the oldest left");
}
