//! DESIGN.md invariant 8: a simulator is mounted only for a provider in sandbox mode, never holds
//! a real secret, and outside the demo its pages need an admin session. Issue 8, point 1: with real
//! Trakteer and sandbox WhatsApp, an anonymous POST to the simulated Trakteer's pay form used to
//! send an authentic webhook and get an order paid, bought and delivered for free.

use crate::common::{Backend, TestStore, CUSTOMER};
use maddstore::startup::SandboxAccess;

const REAL_TOKEN: &str = "real-trakteer-token-9f8e7d";

/// Real Trakteer, sandbox VIP and WhatsApp, served as `serve` serves (pages for admins only).
async fn real_payments_store(backend: Backend) -> TestStore {
    TestStore::start_with(
        backend,
        |env| {
            env.insert("MADD_PAYMENT".into(), "trakteer".into());
            env.insert("MADD_TRAKTEER_WEBHOOK_TOKEN".into(), REAL_TOKEN.into());
            env.insert(
                "MADD_TRAKTEER_PAGE_URL".into(),
                "https://trakteer.id/maddstore".into(),
            );
            env.insert("MADD_ALLOW_MIXED_SANDBOX".into(), "true".into());
        },
        SandboxAccess::AdminOnly,
    )
    .await
}

async fn status_of(s: &TestStore, method: &str, path: &str, cookie: Option<&str>) -> u16 {
    let mut request = match method {
        "GET" => s.http.get(s.url(path)),
        _ => s
            .http
            .post(s.url(path))
            .form(&[("supporter_message", "x"), ("quantity", "1")]),
    };
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn simulated_trakteer_is_gone(backend: Backend) {
    if crate::common::skip(backend) {
        return;
    }
    let s = real_payments_store(backend).await;
    let order = s.order("ML86-S1", "123456780", Some("2345")).await;
    let code = order["code"].as_str().unwrap().to_string();
    assert!(
        order["pay_url"]
            .as_str()
            .unwrap()
            .starts_with("https://trakteer.id/maddstore/tip"),
        "{order}"
    );

    // The exploit: the simulated pay form with the order's code. Nothing answers it.
    let exploit = s
        .http
        .post(s.url("/sandbox/trakteer/maddstore/tip/pay"))
        .form(&[
            (
                "quantity",
                (order["amount_due"].as_i64().unwrap() / 1000).to_string(),
            ),
            ("supporter_message", code.clone()),
            ("display_name", "x".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(exploit.status().as_u16(), 404);
    s.settle().await;
    assert_eq!(s.order_row(&code).await.status.as_str(), "awaiting_payment");
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM payments")
            .await,
        0
    );

    // Every route of the simulated Trakteer, anonymous or not, is absent.
    let (session, _) = s.admin_login().await;
    let routes = [
        ("GET", "/sandbox/trakteer"),
        ("GET", "/sandbox/trakteer/"),
        ("POST", "/sandbox/trakteer/webhook-status"),
        ("GET", "/sandbox/trakteer/maddstore/tip"),
        ("GET", "/sandbox/trakteer/maddstore/tip/embed/modal"),
        ("POST", "/sandbox/trakteer/maddstore/tip/pay"),
        ("POST", "/sandbox/trakteer/maddstore/test-webhook"),
        ("GET", "/sandbox/trakteer/api/v1/public/supports"),
        ("GET", "/sandbox/trakteer/api/v1/public/transactions"),
        ("GET", "/sandbox/trakteer/api/v1/public/current-balance"),
        ("POST", "/sandbox/trakteer/api/v1/public/quantity-given"),
    ];
    for (method, path) in routes {
        for cookie in [None, Some(session.as_str())] {
            let status = status_of(&s, method, path, cookie).await;
            assert!(
                status == 404 || (cookie.is_none() && matches!(status, 303 | 401)),
                "{method} {path} (admin: {}) answered {status}",
                cookie.is_some()
            );
        }
    }

    // The simulator never got the real token.
    assert_ne!(s.sandbox().trakteer.config().webhook_token, REAL_TOKEN);
    s.stop().await;
}

async fn sandbox_pages_need_an_admin(backend: Backend) {
    if crate::common::skip(backend) {
        return;
    }
    let s = real_payments_store(backend).await;
    s.order("ML86-S1", "123456780", Some("2345")).await;
    // The store's own client still reaches the simulated gateway (an API with its own key).
    assert_eq!(s.inbox(CUSTOMER).len(), 1);

    let pages = [
        ("GET", "/sandbox"),
        ("GET", "/sandbox/whatsapp/inbox"),
        ("GET", &format!("/sandbox/whatsapp/inbox/{CUSTOMER}")),
        (
            "GET",
            &format!("/sandbox/whatsapp/api/messages?to={CUSTOMER}"),
        ),
        ("GET", "/sandbox/vip-reseller"),
        ("GET", "/sandbox/vip-reseller/"),
    ];
    for (method, path) in pages {
        let r = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{method} {path}");
        let location = r.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/admin/login"), "{location}");
    }
    for path in [
        "/sandbox/whatsapp/control",
        "/sandbox/vip-reseller/control",
        &format!("/sandbox/whatsapp/inbox/{CUSTOMER}"),
    ] {
        assert_eq!(status_of(&s, "POST", path, None).await, 401, "POST {path}");
    }
    // Anonymous provider-API calls reach the simulator, which refuses them without its key.
    let vip = s
        .http
        .post(s.url("/sandbox/vip-reseller/api/profile"))
        .form(&[("key", "wrong"), ("sign", "wrong")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = vip.json().await.unwrap();
    assert_eq!(body["result"], false, "{body}");

    let (session, _) = s.admin_login().await;
    for (_, path) in pages {
        let want = if path.ends_with('/') { 308 } else { 200 };
        assert_eq!(
            status_of(&s, "GET", path, Some(&session)).await,
            want,
            "GET {path} as admin"
        );
    }
    s.stop().await;
}

/// Issue 26: beside real Trakteer, the WhatsApp simulator's app secret was the published one, so
/// a forged `tutup` from the seller's number closed the shop and a forged `beli … pakai saldo` +
/// `ya` spent a customer's saldo. Every secret in the repository is refused now.
async fn published_secrets_sign_nothing(backend: Backend) {
    if crate::common::skip(backend) {
        return;
    }
    let s = real_payments_store(backend).await;
    let own = s.app().config.whatsapp.app_secret.expose().to_string();
    let published = madd_sandbox::published_secrets();
    assert!(
        !published.contains(&own),
        "this process made its own secret"
    );
    for (i, secret) in published.iter().enumerate() {
        for (from, text) in [
            (crate::common::SELLER, "tutup"),
            (CUSTOMER, "beli ML86-S1 123456780 2345"),
        ] {
            let body = crate::chat::cloud_body(from, &format!("wamid.forged{i}{from}"), text);
            let signature = madd_sandbox::whatsapp::sign(secret, body.as_bytes());
            let status = crate::chat::post_cloud(&s, &body, Some(&signature)).await;
            assert!(
                matches!(status, 401 | 403),
                "signed with {secret:?}: {status}"
            );
        }
    }
    s.settle().await;
    assert_eq!(
        s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM inbound_messages")
            .await,
        0
    );
    assert!(!s.app().catalogue.peek().closed, "the shop is still open");
    // The store's own simulator still talks to it, with the secret only they share.
    let body = crate::chat::cloud_body(CUSTOMER, "wamid.own", "menu");
    let signature = madd_sandbox::whatsapp::sign(&own, body.as_bytes());
    assert_eq!(
        crate::chat::post_cloud(&s, &body, Some(&signature)).await,
        200
    );
    s.stop().await;
}

mod published_secrets_are_refused_beside_real_money {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        published_secrets_sign_nothing(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        published_secrets_sign_nothing(Backend::Postgres).await;
    }
}

mod simulated_trakteer_absent_beside_real_trakteer {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        simulated_trakteer_is_gone(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        simulated_trakteer_is_gone(Backend::Postgres).await;
    }
}

mod sandbox_pages_are_for_admins_outside_the_demo {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        sandbox_pages_need_an_admin(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        sandbox_pages_need_an_admin(Backend::Postgres).await;
    }
}

/// `serve` refuses real providers beside sandbox ones unless told, and says how to fix it.
#[tokio::test]
async fn serve_refuses_a_mix_without_the_setting() {
    let dir = std::env::temp_dir().join(format!("madd-mix-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_maddstore"))
        .arg("serve")
        .env(
            "MADD_DATABASE_URL",
            format!("sqlite://{}", dir.join("mix.db").display()),
        )
        .env("MADD_LISTEN", "127.0.0.1:0")
        .env("MADD_PAYMENT", "trakteer")
        .env("MADD_TRAKTEER_WEBHOOK_TOKEN", REAL_TOKEN)
        .env("MADD_SUPPLIER", "vip-reseller")
        .env("MADD_VIP_API_ID", "id")
        .env("MADD_VIP_API_KEY", "key")
        .env_remove("MADD_WHATSAPP")
        .env_remove("MADD_ALLOW_MIXED_SANDBOX")
        .env_remove("MADD_CONFIG")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "serve started: {stderr}");
    assert!(
        stderr.contains("MADD_WHATSAPP") && stderr.contains("MADD_ALLOW_MIXED_SANDBOX"),
        "{stderr}"
    );
    assert!(!stderr.contains(REAL_TOKEN), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
