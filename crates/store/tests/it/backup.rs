//! `maddstore backup` and `maddstore restore` on the real binary: a backup taken while orders
//! are being written holds every order acknowledged before it began, and a store started on the
//! restored file serves each of them; restore refuses to replace a serving store's database.

use std::collections::BTreeSet;
use std::process::Output;

use crate::common::{Backend, TestStore};
use serde_json::json;

fn maddstore(database_url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_maddstore"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MADD_DATABASE_URL", database_url)
        .env("MADD_LOG", "warn")
        .output()
        .expect("run maddstore")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_writes_restores_every_acknowledged_order() {
    let s = TestStore::start(Backend::Sqlite, |env| {
        env.insert("MADD_LOOKUP_RATE_PER_MINUTE".into(), "0".into());
    })
    .await;
    let dir = std::env::temp_dir().join(crate::common::random_name());
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("backup.db");

    // Orders keep coming while the backup is taken: the writer runs until told to stop, and
    // the backup starts once some orders are in.
    let (count_tx, mut count_rx) = tokio::sync::watch::channel(0usize);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let http = s.http.clone();
        let url = s.url("/api/v1/orders");
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Acquire) || acknowledged.len() < 40 {
                i += 1;
                let answer = http
                    .post(&url)
                    .json(&json!({"product": "S5", "target": format!("0812300{i:05}"), "whatsapp": "0812-3456-7890"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status().as_u16(), 201);
                let body: serde_json::Value = answer.json().await.unwrap();
                acknowledged.push((
                    std::time::Instant::now(),
                    body["code"].as_str().unwrap().to_string(),
                ));
                count_tx.send_replace(acknowledged.len());
            }
            acknowledged
        })
    };
    count_rx.wait_for(|n| *n >= 20).await.unwrap();
    let began = std::time::Instant::now();
    let url = s.database_url.clone();
    let target = copy.to_string_lossy().into_owned();
    let out = tokio::task::spawn_blocking(move || maddstore(&url, &["backup", &target]))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop.store(true, std::sync::atomic::Ordering::Release);
    let acknowledged = writer.await.unwrap();
    let before: BTreeSet<String> = acknowledged
        .iter()
        .filter(|(at, _)| *at < began)
        .map(|(_, code)| code.clone())
        .collect();
    assert!(
        !before.is_empty(),
        "orders were acknowledged before the backup began"
    );
    assert!(
        before.len() < acknowledged.len(),
        "and more came during or after it"
    );

    // The serving store's database cannot be replaced under it.
    let out = maddstore(&s.database_url, &["restore", &copy.to_string_lossy()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is serving"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nor is a backup written over an existing file.
    let out = maddstore(&s.database_url, &["backup", &copy.to_string_lossy()]);
    assert!(!out.status.success());

    // Restored into a new place, a store serves every order acknowledged before the backup.
    let restored = format!("sqlite://{}", dir.join("restored.db").display());
    let out = maddstore(&restored, &["restore", &copy.to_string_lossy()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = TestStore::start(Backend::Sqlite, |env| {
        env.insert("MADD_DATABASE_URL".into(), restored.clone());
    })
    .await;
    for code in &before {
        let (status, order) = r.get_json(&format!("/api/v1/orders/{code}")).await;
        assert_eq!(status, 200, "{code}: {order}");
    }
    let in_copy = r
        .count("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE target LIKE '0812300%'")
        .await as usize;
    assert!(in_copy >= before.len() && in_copy <= acknowledged.len());
    r.stop().await;
    s.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The daily backup: today's copy is made once (a whole, migrated database), the oldest of our
/// files beyond the count are deleted, anything else in the folder is left alone, and the
/// dashboard's checks name the newest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_backs_itself_up_daily_and_keeps_the_newest() {
    let dir = std::env::temp_dir().join(format!("madd-daily-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for old in [
        "maddstore-2026-01-01.db",
        "maddstore-2026-01-02.db",
        "maddstore-2026-01-03.db",
    ] {
        std::fs::write(dir.join(old), b"old").unwrap();
    }
    std::fs::write(dir.join("notes.txt"), b"the seller's own file").unwrap();
    let d = dir.display().to_string();
    let s = crate::common::TestStore::start(crate::common::Backend::Sqlite, move |env| {
        env.insert("MADD_BACKUP_DIR".into(), d);
        env.insert("MADD_BACKUP_KEEP".into(), "2".into());
    })
    .await;
    s.order("ML86-S1", "123456780", Some("2345")).await;
    let now = s.app().now_ms();
    let made = maddstore::service::daily_backup::run(s.app(), &dir, now)
        .await
        .unwrap()
        .expect("today's backup is made");
    assert_eq!(
        made.file_name().unwrap().to_str().unwrap(),
        maddstore::service::daily_backup::file_name(now)
    );
    maddstore::backup::check(&made).await.unwrap();
    // Once a day: a second run makes nothing.
    assert!(maddstore::service::daily_backup::run(s.app(), &dir, now)
        .await
        .unwrap()
        .is_none());
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    let mut expected = vec![
        "maddstore-2026-01-03.db".to_string(),
        maddstore::service::daily_backup::file_name(now),
        "notes.txt".to_string(),
    ];
    expected.sort();
    assert_eq!(left, expected);

    // The copy holds the order.
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}?mode=ro",
        made.display()
    ))
    .await
    .unwrap();
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(orders, 1);

    maddstore::service::store_checks::job(s.app())
        .await
        .unwrap();
    let checks = maddstore::service::store_checks::latest(s.app())
        .await
        .unwrap()
        .unwrap();
    let backups = checks
        .checks
        .iter()
        .find(|c| c.name == "backups")
        .expect("a backups line");
    assert!(
        format!("{:?}", backups.outcome)
            .contains(&maddstore::service::daily_backup::file_name(now)),
        "{backups:?}"
    );
    s.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
