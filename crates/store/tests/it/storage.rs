//! Issue 9's storage guarantees, on SQLite and PostgreSQL: reads never wait for the writer and
//! see a committed order at once; a reader cannot write; concurrent writers (this process and
//! another one on the same file) never meet `SQLITE_BUSY`; the catalogue in memory never changes
//! what an order is charged.

use crate::common::TestStore;
use maddstore::db::Db;
use serde_json::json;

both_backends!(
    a_committed_order_is_read_at_once,
    |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        for i in 0..40 {
            let (status, order) = s
                .post_json(
                    "/api/v1/orders",
                    json!({"product": "S5", "target": format!("0812200{i:05}"), "whatsapp": "0812-3456-7890"}),
                )
                .await;
            assert_eq!(status, 201, "{order}");
            let code = order["code"].as_str().unwrap();
            let (status, read) = s.get_json(&format!("/api/v1/orders/{code}")).await;
            assert_eq!(status, 200, "{read}");
            assert_eq!(read["code"], order["code"]);
            let page = s
                .http
                .get(s.url(&format!("/order/{code}")))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status().as_u16(), 200);
        }
        s
    }
);

both_backends!(
    a_shown_order_changes_the_moment_its_change_commits,
    |s: TestStore| async move {
        // The invoice and its status poll show orders from memory (`db::order_cache`); a buyer
        // polling while the payment lands must see it as soon as the webhook has been answered.
        let order = s.order("S5", "081299999999", None).await;
        let code = order["code"].as_str().unwrap().to_string();
        let status_of = |s: &TestStore| {
            let url = s.url(&format!("/api/v1/orders/{code}"));
            let http = s.http.clone();
            async move {
                let body: serde_json::Value =
                    http.get(url).send().await.unwrap().json().await.unwrap();
                body
            }
        };
        assert_eq!(status_of(&s).await["status"], "awaiting_payment");
        assert!(
            !s.app().db.order_cache.is_empty(),
            "the shown order is held in memory"
        );
        // Pollers keep reading (and refilling the cache) while the payment commits.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let pollers: Vec<_> = (0..4)
            .map(|_| {
                let (url, http) = (s.url(&format!("/order/{code}")), s.http.clone());
                let stop = stop.clone();
                tokio::spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let page = http.get(&url).send().await.unwrap();
                        assert_eq!(page.status().as_u16(), 200);
                    }
                })
            })
            .collect();
        let units = order["amount_due"].as_i64().unwrap() / 1000;
        s.pay(units, &code).await;
        let shown = status_of(&s).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for p in pollers {
            p.await.unwrap();
        }
        assert_ne!(shown["status"], "awaiting_payment", "{shown}");
        assert_eq!(shown["amount_paid"], order["amount_due"], "{shown}");
        let page = s
            .http
            .get(s.url(&format!("/order/{code}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("data-status=\"awaiting_payment\""),
            "the invoice still waits"
        );
        s
    }
);

both_backends!(a_reader_cannot_write, |s: TestStore| async move {
    let mut reader = s.app().db.read().await.unwrap();
    let write = sqlx::query("UPDATE catalogue_version SET version = version + 1")
        .execute(&mut *reader)
        .await;
    assert!(write.is_err(), "a reader connection refused the write");
    s
});

both_backends!(
    a_stale_catalogue_never_changes_what_an_order_is_charged,
    |s: TestStore| async move {
        let listed = |s: &TestStore| {
            let url = s.url("/api/v1/products?category=pulsa");
            let http = s.http.clone();
            async move {
                let body: serde_json::Value =
                    http.get(url).send().await.unwrap().json().await.unwrap();
                body["products"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["code"] == "S5")
                    .map(|p| p["price"].as_i64().unwrap())
                    .unwrap()
            }
        };
        let shown = listed(&s).await;
        // The list revalidates by the catalogue's version.
        let first = s.http.get(s.url("/api/v1/products")).send().await.unwrap();
        let etag = first.headers()["etag"].clone();
        let again = s
            .http
            .get(s.url("/api/v1/products"))
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304);
        // Another process changes the price; this one has not looked yet.
        let new_price = shown + 3_000;
        let mut conn = s.app().db.write().await.unwrap();
        sqlx::query("UPDATE products SET price = $1 WHERE code = 'S5'")
            .bind(new_price)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(
            listed(&s).await,
            shown,
            "the snapshot is stale (as it may be for a second)"
        );
        let (status, order) = s
            .post_json(
                "/api/v1/orders",
                json!({"product": "S5", "target": "081220000001", "whatsapp": "0812-3456-7890"}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        assert_eq!(
            order["price"].as_i64().unwrap(),
            new_price,
            "charged the database's price"
        );
        // The poll brings the snapshot up to date.
        maddstore::service::catalogue_snapshot::reload(s.app())
            .await
            .unwrap();
        s.app().catalogue.invalidate();
        assert_eq!(listed(&s).await, new_price);
        let changed = s
            .http
            .get(s.url("/api/v1/products"))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status().as_u16(), 200, "a new version, a new list");
        // A product switched off since the snapshot was taken is not sold either.
        let mut conn = s.app().db.write().await.unwrap();
        sqlx::query("UPDATE products SET enabled = 0 WHERE code = 'S10'")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let (status, refused) = s
            .post_json(
                "/api/v1/orders",
                json!({"product": "S10", "target": "081220000002", "whatsapp": "0812-3456-7890"}),
            )
            .await;
        assert_eq!(status, 409, "{refused}");
        s
    }
);

both_backends!(
    a_stale_catalogue_never_changes_the_fee_nor_sells_while_closed,
    |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        let order = |target: &'static str| {
            s.post_json(
                "/api/v1/orders",
                json!({"product": "S5", "target": target, "whatsapp": "0812-3456-7890"}),
            )
        };
        let (status, before) = order("081220000011").await;
        assert_eq!(status, 201, "{before}");
        let fee_before = before["fee"].as_i64().unwrap();
        // Another process raises the fixed fee by Rp 2.000; this one has not looked yet.
        let mut conn = s.app().db.write().await.unwrap();
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('fee_fixed', $1, 0) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind((fee_before + 2_000).to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        assert_eq!(
            maddstore::service::catalogue_snapshot::current(s.app())
                .await
                .unwrap()
                .customer_fee
                .fixed
                .amount(),
            s.app().config.customer_fee.fixed.amount(),
            "the snapshot still quotes the old fee"
        );
        let (status, after) = order("081220000012").await;
        assert_eq!(status, 201, "{after}");
        assert!(
            after["fee"].as_i64().unwrap() >= fee_before + 2_000,
            "charged the database's fee: {before} then {after}"
        );
        assert_eq!(
            after["amount_due"].as_i64().unwrap() - after["price"].as_i64().unwrap(),
            after["fee"].as_i64().unwrap()
        );
        // Another process closes the store: no order is taken, though the snapshot says open.
        let mut conn = s.app().db.write().await.unwrap();
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('orders_paused', '1', 0) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        assert!(
            !maddstore::service::catalogue_snapshot::current(s.app())
                .await
                .unwrap()
                .closed
        );
        let (status, refused) = order("081220000013").await;
        assert_eq!(status, 409, "{refused}");
        assert_eq!(refused["error"]["code"], "store_closed");
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE target = '081220000013'")
                .await,
            0
        );
        s
    }
);

/// Two "processes" (two pools on one SQLite file: the store and, say, a CLI command) doing
/// read-then-write transactions at the same time. With deferred transactions one of them fails
/// at once with SQLITE_BUSY (its read snapshot is stale when it wants to write); with
/// `BEGIN IMMEDIATE` each waits its turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sqlite_writers_never_see_busy() {
    let dir = std::env::temp_dir().join(format!("madd-busy-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("busy.db").display());
    let first = Db::connect(&url).await.unwrap();
    first.migrate().await.unwrap();
    let second = Db::connect(&url).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let db = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.map_err(|e| e.to_string())?;
            let n: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM settings")
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| e.to_string())?;
            sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, 0)")
                .bind(format!("k{i}"))
                .bind(n.to_string())
                .execute(&mut *tx)
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("no SQLITE_BUSY");
    }
    let mut conn = first.read().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM settings")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 200);
    drop(conn);
    first.close().await;
    second.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

both_backends!(
    group_commits_keep_every_order_whole,
    |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    },
    |s: TestStore| async move {
        // 60 buyers at once, ten of them the same double-tapped request: the batch that meets a
        // taken key falls back to one-by-one writes, and the key still makes one order.
        let requests = (0..60).map(|i| {
            let key = if i < 10 {
                "same-tap".to_string()
            } else {
                format!("k-{i}")
            };
            let target = if i < 10 {
                "081220009999".to_string()
            } else {
                format!("0812200{i:05}")
            };
            let s = &s;
            async move {
                s.post_json_with_key(
                    "/api/v1/orders",
                    &key,
                    json!({"product": "S5", "target": target, "whatsapp": "0812-3456-7890"})
                        .to_string(),
                )
                .await
            }
        });
        let answers = futures::future::join_all(requests).await;
        let mut same = std::collections::BTreeSet::new();
        for (i, (status, order)) in answers.iter().enumerate() {
            assert!(*status == 201 || *status == 200, "{status} {order}");
            if i < 10 {
                same.insert(order["code"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(same.len(), 1, "one order for the double-tapped key");
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await,
            51
        );
        // Every order whole: two messages, their send jobs, an expiry job, a timeline line.
        assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE \
                 (SELECT COUNT(*) FROM messages m WHERE m.order_id = o.id) <> 2 \
                 OR (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id) <> 1 \
                 OR (SELECT COUNT(*) FROM jobs j WHERE j.kind = 'expire_order' AND j.ref_id = o.id) <> 1"
            )
            .await,
            0
        );
        assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM messages m WHERE NOT EXISTS \
                 (SELECT 1 FROM jobs j WHERE j.kind = 'send_message' AND j.ref_id = m.id)"
            )
            .await,
            0
        );
        s.settle().await;
        assert_eq!(
            s.count("SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE state = 'queued'")
                .await,
            0
        );
        s
    }
);

/// On PostgreSQL the payment-intake lock is per pairing class (amount + message): a payment
/// that could be the one being taken waits for it, any other goes straight on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_intake_waits_only_for_a_payment_it_could_be() {
    use madd_domain::Rupiah;
    use maddstore::db::reconciliation::lock_payment_intake;
    if crate::common::skip(crate::common::Backend::Postgres) {
        return;
    }
    let s = TestStore::start(crate::common::Backend::Postgres, |_| {}).await;
    let db = &s.app().db;
    let mut first = db.begin().await.unwrap();
    lock_payment_intake(
        &mut first,
        db.backend,
        "trakteer",
        Rupiah::new(5_000),
        "MS-AAAA1111",
    )
    .await
    .unwrap();
    // Another class: taken at once.
    let mut other = db.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '2s'")
        .execute(&mut *other)
        .await
        .unwrap();
    lock_payment_intake(
        &mut other,
        db.backend,
        "trakteer",
        Rupiah::new(5_000),
        "MS-BBBB2222",
    )
    .await
    .expect("a payment that cannot pair with the first does not wait");
    other.rollback().await.unwrap();
    // The same class (the message trimmed, as pairing compares it): waits, here until timeout.
    let mut same = db.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '200ms'")
        .execute(&mut *same)
        .await
        .unwrap();
    let waited = lock_payment_intake(
        &mut same,
        db.backend,
        "trakteer",
        Rupiah::new(5_000),
        " MS-AAAA1111 ",
    )
    .await;
    assert!(
        waited.is_err(),
        "a payment that could be the first waits for it"
    );
    same.rollback().await.unwrap();
    first.rollback().await.unwrap();
    s.stop().await;
}
