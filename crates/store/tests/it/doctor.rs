//! `maddstore doctor` on the real binary: green in sandbox mode; with live VIP credentials it
//! asks VIP (here the sandbox's VIP, spoken to as the real one) and turns red, with the fix,
//! when the credentials are wrong.

use std::process::Output;

use crate::common::{Backend, TestStore};

fn doctor(vars: &[(&str, String)]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_maddstore"));
    cmd.arg("doctor")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MADD_LOG", "warn");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("run maddstore doctor")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_the_database_and_live_credentials() {
    let s = TestStore::start(Backend::Sqlite, |_| {}).await;
    let db = ("MADD_DATABASE_URL", s.database_url.clone());

    let out = tokio::task::spawn_blocking({
        let db = db.clone();
        move || doctor(&[db])
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✓ database: reachable"), "{text}");
    assert!(!text.contains('✗'), "{text}");

    let vip = s.sandbox().vip.config();
    let live = |key: String| {
        vec![
            db.clone(),
            ("MADD_SUPPLIER", "vip-reseller".to_string()),
            ("MADD_VIP_API_URL", s.url("/sandbox/vip-reseller/api")),
            ("MADD_VIP_API_ID", vip.api_id.clone()),
            ("MADD_VIP_API_KEY", key),
            ("MADD_PUBLIC_URL", "https://toko.example".to_string()),
        ]
    };
    let good = live(vip.api_key.clone());
    let out = tokio::task::spawn_blocking(move || doctor(&good))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("✓ supplier vip-reseller: VIP Reseller answers"),
        "{text}"
    );
    // toko.example is not this store: the webhooks would not reach it (a warning).
    assert!(
        text.contains("! webhooks: https://toko.example/healthz"),
        "{text}"
    );

    let bad = live("not-the-key".to_string());
    let out = tokio::task::spawn_blocking(move || doctor(&bad))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("✗ supplier"), "{text}");
    assert!(text.contains("whitelist"), "the fix is printed: {text}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_asks_the_whatsapp_gateway_with_the_live_token() {
    let s = TestStore::start(Backend::Sqlite, |_| {}).await;
    let wa = s.sandbox().whatsapp.config().clone();
    let base = vec![
        ("MADD_DATABASE_URL", s.database_url.clone()),
        ("MADD_PUBLIC_URL", "https://toko.example".to_string()),
    ];
    let run = |extra: Vec<(&'static str, String)>| {
        let mut vars = base.clone();
        vars.extend(extra);
        tokio::task::spawn_blocking(move || {
            let out = doctor(&vars);
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
    };
    let cloud = |token: &str| {
        vec![
            ("MADD_WHATSAPP", "cloud".to_string()),
            (
                "MADD_WHATSAPP_API_URL",
                s.url("/sandbox/whatsapp/cloud/v23.0"),
            ),
            ("MADD_WHATSAPP_TOKEN", token.to_string()),
            ("MADD_WHATSAPP_PHONE_NUMBER_ID", wa.phone_number_id.clone()),
        ]
    };
    let fonnte = |token: &str| {
        vec![
            ("MADD_WHATSAPP", "fonnte".to_string()),
            ("MADD_WHATSAPP_API_URL", s.url("/sandbox/whatsapp/fonnte")),
            ("MADD_WHATSAPP_TOKEN", token.to_string()),
        ]
    };

    let (ok, text) = run(cloud(&wa.cloud_token)).await.unwrap();
    assert!(ok, "{text}");
    assert!(text.contains("✓ whatsapp: Cloud API sends as"), "{text}");

    // Pointed at this store (plain http is a failure of its own), the webhook check passes.
    let mut here = cloud(&wa.cloud_token);
    here.push(("MADD_PUBLIC_URL", s.url("/")));
    let (_, text) = run(here).await.unwrap();
    assert!(text.contains("✓ webhooks:"), "{text}");

    let (ok, text) = run(cloud("expired-token")).await.unwrap();
    assert!(!ok, "{text}");
    assert!(text.contains("✗ whatsapp"), "{text}");
    assert!(
        text.contains("MADD_WHATSAPP_TOKEN"),
        "the fix names the key: {text}"
    );
    assert!(
        !text.contains("expired-token"),
        "the token is never printed: {text}"
    );

    let (ok, text) = run(fonnte(&wa.fonnte_token)).await.unwrap();
    assert!(ok, "{text}");
    assert!(text.contains("✓ whatsapp: Fonnte device"), "{text}");

    s.sandbox().whatsapp.set_device_disconnected(true);
    let (ok, text) = run(fonnte(&wa.fonnte_token)).await.unwrap();
    assert!(!ok, "{text}");
    assert!(
        text.contains("✗ whatsapp") && text.contains("QR"),
        "a disconnected device is a failure with its fix: {text}"
    );
    s.stop().await;
}

/// The dashboard shows the same checks, made by a job with the store's own clients (at start,
/// periodically, and when the seller taps "Periksa sekarang"): a disconnected WhatsApp device turns
/// them red on the dashboard, with the fix on the settings page, and green again once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_store_checks() {
    let s = TestStore::start(Backend::Sqlite, |env| {
        env.insert("MADD_WHATSAPP".into(), "fonnte".into());
        env.insert(
            "MADD_WHATSAPP_API_URL".into(),
            "{base}/sandbox/whatsapp/fonnte".into(),
        );
        env.insert("MADD_WHATSAPP_TOKEN".into(), "test-fonnte-token".into());
    })
    .await;
    let (session, csrf) = s.admin_login().await;
    let page = |path: &'static str| {
        let session = session.clone();
        let http = s.http.clone();
        let url = s.url(path);
        async move {
            let r = http
                .get(url)
                .header("cookie", session)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            r.text().await.unwrap()
        }
    };
    let check_now = || async {
        let r = s
            .http
            .post(s.url("/admin/settings/checks"))
            .header("cookie", &session)
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        s.settle().await;
    };

    // Which checks the dashboard says failed (the test store's public URL is plain http, so that
    // one fails throughout).
    let failed = |dashboard: &str| -> Vec<String> {
        dashboard
            .split("Pemeriksaan toko gagal: ")
            .nth(1)
            .and_then(|rest| rest.split(".</span>").next())
            .map(|names| names.split(", ").map(str::to_owned).collect())
            .unwrap_or_default()
    };

    // The checks ran at start.
    s.settle().await;
    let settings = page("/admin/settings").await;
    assert!(
        settings.contains("Fonnte device 6281299990001 is connected"),
        "{settings}"
    );
    assert_eq!(failed(&page("/admin").await), ["Alamat publik"]);

    s.sandbox().whatsapp.set_device_disconnected(true);
    check_now().await;
    assert_eq!(failed(&page("/admin").await), ["WhatsApp", "Alamat publik"]);
    let settings = page("/admin/settings").await;
    assert!(
        settings.contains("scan the QR code"),
        "the fix is shown: {settings}"
    );
    assert!(
        !settings.contains("test-fonnte-token"),
        "no secret on the page"
    );

    s.sandbox().whatsapp.set_device_disconnected(false);
    check_now().await;
    assert_eq!(failed(&page("/admin").await), ["Alamat publik"]);
    s.stop().await;
}
