//! A crowd ordering by chat must not stop the web checkout: a chat reply never holds a lookup
//! worker while it waits for a lookup, and a quick *ya* waits for the confirmation it answers.
//! On SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use crate::chat::{cloud_body, post_cloud};
use crate::common::TestStore;
use serde_json::json;

/// Game accounts nobody looked up before (not starting with 9: the sandbox knows those not).
fn account(i: usize, web: bool) -> String {
    format!("{}{i:04}5670", if web { 5 } else { 6 })
}

both_backends!(
    twenty_chat_orders_beside_twenty_web_orders,
    |env: &mut std::collections::BTreeMap<String, String>| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        // (Numbers ending in 0000 are not on WhatsApp in the sandbox.)
        let senders: Vec<String> = (1..=20).map(|i| format!("62813666{i:05}")).collect();
        let chat = senders.iter().enumerate().map(|(i, from)| {
            let s = &s;
            async move {
                let beli = format!("beli ML86-S1 {} 2345", account(i, false));
                let started = Instant::now();
                assert_eq!(
                    post_cloud(s, &cloud_body(from, &format!("wamid.b{i}"), &beli), None).await,
                    200
                );
                // The customer answers before the confirmation could have arrived.
                assert_eq!(
                    post_cloud(s, &cloud_body(from, &format!("wamid.y{i}"), "ya"), None).await,
                    200
                );
                started
            }
        });
        let web =
            (0..20).map(|i| {
                let s = &s;
                async move {
                    let started = Instant::now();
                    let r = s
                    .http
                    .post(s.url("/api/v1/orders"))
                    .json(&json!({"product": "ML86-S1", "target": account(i, true), "zone": "2345",
                                  "whatsapp": format!("62813777{:05}", i + 1)}))
                    .send()
                    .await
                    .unwrap();
                    (
                        r.status().as_u16(),
                        started.elapsed(),
                        r.text().await.unwrap(),
                    )
                }
            });
        let (_, web) = futures::future::join(
            futures::future::join_all(chat),
            futures::future::join_all(web),
        )
        .await;
        for (status, took, body) in &web {
            assert_eq!(*status, 201, "{body}");
            // Measured, not slept for: a web order never waited on the chat's lookups (they
            // once held the lane's only worker for 8 s each, and web orders timed out at 10 s).
            assert!(*took < Duration::from_secs(5), "a web order took {took:?}");
        }
        s.settle().await;
        for (i, from) in senders.iter().enumerate() {
            let inbox = s.inbox(from);
            let texts: Vec<&str> = inbox.iter().map(|m| m.body.as_str()).collect();
            let confirm = texts.iter().position(|t| t.contains("Konfirmasi pesanan"));
            let invoice = texts.iter().position(|t| t.contains("MS-"));
            assert!(
                matches!((confirm, invoice), (Some(c), Some(o)) if c < o),
                "sender {i}: the confirmation, then the order made by the early ya: {texts:?}"
            );
            assert!(
                !texts.iter().any(|t| t.contains("menunggu konfirmasi")),
                "sender {i}: {texts:?}"
            );
        }
        let chat_orders = s
            .count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE whatsapp LIKE '62813666%'")
            .await;
        assert_eq!(chat_orders, 20);
        s
    }
);
