//! `maddstore demo` keeps what a seller tried across restarts — the orders and the admin login —
//! and `--fresh` starts over (a new database and a new password).

use serde_json::json;

use crate::browser::{start_demo_at, TempDir};

async fn order_status(url: &str, code: &str) -> u16 {
    reqwest::get(format!("{url}/api/v1/orders/{code}"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_keeps_its_orders_and_login_unless_fresh() {
    let dir = TempDir::new("demo-kept");
    let db = dir.0.join("demo.db");
    let (mut first, url, password) = start_demo_at(&db, false, &[]).await;
    let order: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/orders"))
        .json(&json!({"product": "S5", "target": "081299990011", "whatsapp": "0812-3456-7890"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = order["code"].as_str().expect("an order code").to_string();
    first.kill().await.unwrap();
    first.wait().await.unwrap();

    let (mut second, url, again) = start_demo_at(&db, false, &[]).await;
    assert_eq!(again, password, "the same login after a restart");
    assert_eq!(
        order_status(&url, &code).await,
        200,
        "the order is still there"
    );
    second.kill().await.unwrap();
    second.wait().await.unwrap();

    let (mut fresh, url, new_password) = start_demo_at(&db, true, &[]).await;
    assert_ne!(new_password, password, "--fresh makes a new login");
    assert_eq!(order_status(&url, &code).await, 404, "--fresh starts over");
    fresh.kill().await.unwrap();
}
