//! Stopping the real binary with SIGTERM: in-flight requests are answered and the job in hand
//! finishes before the process exits; a job that outlasts `MADD_SHUTDOWN_GRACE_SECONDS` is cut
//! off and its lease released, so the process still exits in bounded time and the job runs again
//! at once after a restart.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

struct Demo {
    child: Child,
    base: String,
    db: std::path::PathBuf,
    dir: std::path::PathBuf,
}

async fn demo(grace_seconds: u64) -> Demo {
    let dir = std::env::temp_dir().join(crate::common::random_name());
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("demo.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_maddstore"))
        .args(["demo", "--db-file"])
        .arg(&db)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MADD_LISTEN", "127.0.0.1:0")
        .env("MADD_LOG", "warn")
        .env("MADD_LOOKUP_RATE_PER_MINUTE", "0")
        .env("MADD_SHUTDOWN_GRACE_SECONDS", grace_seconds.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start maddstore demo");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("Storefront") {
                return line
                    .split_whitespace()
                    .last()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        }
        panic!("the demo ended before printing its storefront");
    })
    .await
    .expect("the demo starts within two minutes");
    // Keep reading so the demo never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Demo {
        child,
        base,
        db,
        dir,
    }
}

async fn slow_supplier(http: &reqwest::Client, base: &str, ms: u64) {
    let r = http
        .post(format!("{base}/sandbox/vip-reseller/control"))
        .json(&json!({"action": "set_fault", "fault": "slow", "slow_ms": ms}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// How many requests the simulated VIP has received.
async fn supplier_requests(http: &reqwest::Client, base: &str) -> u64 {
    let counts: serde_json::Value = http
        .get(format!("{base}/sandbox/vip-reseller/control/counts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    counts["requests"].as_u64().unwrap()
}

/// A Mobile Legends nickname check, sent in the background.
fn ask_nickname(
    http: &reqwest::Client,
    base: &str,
    target: &'static str,
) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    let request = http
        .post(format!("{base}/api/v1/nickname"))
        .json(&json!({"product": "ML86-S1", "target": target, "zone": "2345"}));
    tokio::spawn(request.send())
}

fn sigterm(child: &Child) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_what_is_in_flight_then_exits() {
    let mut d = demo(25).await;
    let http = reqwest::Client::new();
    slow_supplier(&http, &d.base, 2_000).await;
    // A nickname check: answered by a worker's supplier call that takes two seconds.
    let asking = ask_nickname(&http, &d.base, "123456780");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = Instant::now();
    sigterm(&d.child);
    let answer = asking
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(answer.status().as_u16(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["nickname"], "Itacimo");
    let status = tokio::time::timeout(Duration::from_secs(30), d.child.wait())
        .await
        .expect("the store exits after finishing")
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(stopping.elapsed() < Duration::from_secs(25));
    assert!(
        http.get(format!("{}/healthz", d.base))
            .send()
            .await
            .is_err(),
        "nothing listens any more"
    );
    let _ = std::fs::remove_dir_all(&d.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_longer_than_the_grace_is_cut_off_and_its_lease_released() {
    let mut d = demo(1).await;
    let http = reqwest::Client::new();
    // The supplier hangs longer than the grace: the lookup job is still in the worker's hand.
    slow_supplier(&http, &d.base, 15_000).await;
    let before = supplier_requests(&http, &d.base).await;
    let asking = ask_nickname(&http, &d.base, "123456781");
    let db_url = format!("sqlite://{}?mode=ro", d.db.display());
    // Wait until a worker holds the lookup job.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut conn = sqlx::SqliteConnection::connect(&db_url).await.unwrap();
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'lookup_nickname' AND locked_until IS NOT NULL",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        // Claimed, and its supplier call already in the simulator's hands (a job stopped
        // before it sends its request would meet a closed server instead).
        if held > 0 && supplier_requests(&http, &d.base).await > before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the lookup job was never claimed and sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stopping = Instant::now();
    sigterm(&d.child);
    let status = tokio::time::timeout(Duration::from_secs(10), d.child.wait())
        .await
        .expect("the store exits soon after its grace")
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(
        stopping.elapsed() < Duration::from_secs(8),
        "{:?}",
        stopping.elapsed()
    );
    let _ = asking.await;
    // The interrupted job is free again, due at once.
    let mut conn = sqlx::SqliteConnection::connect(&db_url).await.unwrap();
    let (held, pending): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(locked_until IS NOT NULL), 0), COUNT(*) FROM jobs \
         WHERE kind = 'lookup_nickname' AND state = 'pending'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (held, pending),
        (0, 1),
        "the lookup waits, unleased, for the next run"
    );
    let _ = std::fs::remove_dir_all(&d.dir);
}
