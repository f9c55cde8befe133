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
    assert!(text.contains("✓ supplier: VIP Reseller answers"), "{text}");

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
