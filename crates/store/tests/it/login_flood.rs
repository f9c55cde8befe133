//! DESIGN.md invariant 11 for `/admin/login` (issue 8, points 6 and 9): what strangers can make
//! the login do costs bounded memory and CPU, and failing on purpose locks out only the address
//! that failed — never the seller logging in from elsewhere.
//!
//! Client addresses are chosen with `X-Forwarded-For`, which the store believes only from a
//! loopback peer (a local reverse proxy) — as the test client is.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{Backend, TestStore};
use futures::StreamExt;
use maddstore::web::auth::{LOGIN_BURST, THROTTLE_FAILURES};
use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;

const PASSWORD: &str = "rahasia-admin-123";
/// The login CSRF check is a double-submit cookie: any client can pick its own pair, so the
/// tests (like an attacker) do not need the form first.
const CSRF: &str = "csrf-chosen-by-the-client";

/// One login attempt from `address` (through the local "proxy").
async fn attempt(
    http: &reqwest::Client,
    base: &str,
    address: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    http.post(format!("{base}/admin/login"))
        .header("x-forwarded-for", address)
        .header("cookie", format!("madd_login_csrf={CSRF}"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", CSRF),
        ])
        .send()
        .await
        .unwrap()
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("madd_session=") && !c.starts_with("madd_session=;"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

fn base(s: &TestStore) -> String {
    s.url("/").trim_end_matches('/').to_string()
}

both_backends!(
    ten_failures_lock_that_address_out_not_the_seller,
    |s: TestStore| async move {
        // The seller exists and logs in (from 127.0.0.1 itself).
        let _ = s.admin_login().await;
        s.clock.advance(time::Duration::seconds(1));
        let (base, http) = (base(&s), &s.http);
        let attacker = "203.0.113.5";
        for i in 0..THROTTLE_FAILURES {
            let r = attempt(http, &base, attacker, "seller", "salah-salah-salah").await;
            assert_eq!(r.status().as_u16(), 401, "attempt {i}");
        }
        // The seller, from another address, logs in with the right password …
        let seller = attempt(http, &base, "198.51.100.7", "seller", PASSWORD).await;
        assert_eq!(
            seller.status().as_u16(),
            303,
            "the seller is not locked out"
        );
        let session = session_cookie(&seller).expect("session cookie");
        let page = http
            .get(s.url("/admin"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
        // … while the failing address stays locked out of "seller", even with the right
        // password (the seller's success elsewhere does not unlock it).
        let locked = attempt(http, &base, attacker, "seller", PASSWORD).await;
        assert_eq!(locked.status().as_u16(), 429);
        assert!(locked.headers().contains_key("retry-after"));
        assert!(session_cookie(&locked).is_none());
        // Only that pair: the same address is not locked out of another username.
        let other_user = attempt(http, &base, attacker, "kasir", "salah-salah-salah").await;
        assert_eq!(other_user.status().as_u16(), 401);
        // The failures are stored with the address they came from.
        assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM login_attempts \
                 WHERE address = '203.0.113.5' AND username = 'seller' AND succeeded = 0"
            )
            .await,
            THROTTLE_FAILURES
        );
        // The lock-out ends with its window, as before.
        s.advance(time::Duration::minutes(16)).await;
        let later = attempt(http, &base, attacker, "seller", PASSWORD).await;
        assert_eq!(later.status().as_u16(), 303);
        s
    }
);

both_backends!(
    one_address_is_limited_before_any_password_is_checked,
    |s: TestStore| async move {
        let (base, http) = (base(&s), &s.http);
        let sprayer = "192.0.2.44";
        let hashed_before = s.app().passwords.runs();
        let started = Instant::now();
        // A different username every time: no lock-out applies, only the per-address budget.
        let mut passed = 0u64;
        let mut first_refusal = None;
        for i in 0..(u64::from(LOGIN_BURST) + 20) {
            let r = attempt(http, &base, sprayer, &format!("user{i}"), "tebak-tebak").await;
            match r.status().as_u16() {
                401 => passed += 1,
                429 => {
                    assert!(r.headers().contains_key("retry-after"));
                    first_refusal = Some(i);
                    break;
                }
                other => panic!("attempt {i}: unexpected {other}"),
            }
        }
        let first_refusal = first_refusal.expect("the address was limited");
        // The burst passes; afterwards only what refilled while the attempts ran (one every
        // 10 s).
        let refilled = started.elapsed().as_secs() / 10 + 1;
        assert!(
            passed >= u64::from(LOGIN_BURST) && passed <= u64::from(LOGIN_BURST) + refilled,
            "{passed} attempts passed before the first refusal"
        );
        // Refused attempts keep being refused at once …
        for _ in 0..5 {
            let r = attempt(http, &base, sprayer, "user-x", "tebak-tebak").await;
            assert_eq!(r.status().as_u16(), 429);
        }
        // … and none of them cost a password check or a stored attempt.
        assert_eq!(
            s.app().passwords.runs() - hashed_before,
            passed,
            "only the attempts before {first_refusal} were hashed"
        );
        assert_eq!(
            s.count(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM login_attempts WHERE address = '192.0.2.44'"
            )
            .await,
            i64::try_from(passed).unwrap()
        );
        // Another address has its own budget.
        let other = attempt(http, &base, "192.0.2.45", "user-y", "tebak-tebak").await;
        assert_eq!(other.status().as_u16(), 401);
        s
    }
);

both_backends!(
    a_hash_with_older_parameters_still_logs_in_and_is_upgraded,
    |s: TestStore| async move {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        // What the store stored before: the argon2 crate's default, 19 MiB and t = 2.
        let old = argon2::Argon2::default()
            .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let stored = || async {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::admins::by_username(&mut conn, "lama")
                .await
                .unwrap()
                .unwrap()
                .password_hash
        };
        {
            let mut conn = s.app().db.write().await.unwrap();
            maddstore::db::admins::create(&mut conn, "lama", &old, s.app().now_ms())
                .await
                .unwrap();
        }
        let (base, http) = (base(&s), &s.http);
        let wrong = attempt(http, &base, "192.0.2.80", "lama", "bukan-ini-123").await;
        assert_eq!(wrong.status().as_u16(), 401);
        assert_eq!(stored().await, old, "a wrong password changes nothing");
        let right = attempt(http, &base, "192.0.2.80", "lama", PASSWORD).await;
        assert_eq!(right.status().as_u16(), 303);
        let upgraded = stored().await;
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"),
            "re-hashed with the current parameters: {upgraded}"
        );
        let again = attempt(http, &base, "192.0.2.80", "lama", PASSWORD).await;
        assert_eq!(again.status().as_u16(), 303);
        assert_eq!(stored().await, upgraded, "re-hashed once");
        s
    }
);

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

const ATTEMPTS: usize = 600;
const ADDRESSES: usize = 60; // 10 attempts each: under the per-address budget
const CONCURRENT: usize = 120;
const LIMIT_KIB: u64 = 100 * 1024;

/// The real binary under a flood of anonymous logins: memory stays bounded (and comes back),
/// and the seller still logs in afterwards.
async fn flood(backend: Backend) {
    if backend == Backend::Postgres && std::env::var("MADD_TEST_POSTGRES").as_deref() == Ok("skip")
    {
        eprintln!("MADD_TEST_POSTGRES=skip: PostgreSQL half not run");
        return;
    }
    let dir = std::env::temp_dir().join(format!("madd-flood-{}", crate::common::random_name()));
    std::fs::create_dir_all(&dir).unwrap();
    let (database_url, pg_name) = fresh_database(backend, &dir).await;
    let env: BTreeMap<&str, String> = [
        ("MADD_DATABASE_URL", database_url),
        ("MADD_LISTEN", "127.0.0.1:0".to_string()),
        ("MADD_LOG", "warn".to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ]
    .into_iter()
    .collect();
    create_seller(&env).await;
    let (mut child, pid, base) = serve(&env).await;

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONCURRENT)
        .build()
        .unwrap();
    // The store answers (and has done its start-up work) before the baseline is taken.
    let r = http
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let idle_kib = rss_kib(pid);

    let flooded = flood_logins(&http, &base, pid, idle_kib, &mut child).await;
    let after_kib = rss_kib(pid);
    report_and_check(backend, &flooded, idle_kib, after_kib);
    seller_still_gets_in(&http, &base).await;

    child.start_kill().unwrap();
    let _ = child.wait().await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(name) = pg_name {
        if let Ok(mut conn) =
            sqlx::AnyConnection::connect(&crate::common::postgres_admin_url()).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

/// The database URL for `backend` (a new file in `dir`, or a new PostgreSQL database) and the
/// PostgreSQL database's name, to drop afterwards.
async fn fresh_database(backend: Backend, dir: &std::path::Path) -> (String, Option<String>) {
    match backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.join("store.db").display()), None),
        Backend::Postgres => {
            sqlx::any::install_default_drivers();
            let name = crate::common::random_name();
            let mut conn = sqlx::AnyConnection::connect(&crate::common::postgres_admin_url())
                .await
                .expect("PostgreSQL must run for the test suite");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let mut url = url::Url::parse(&crate::common::postgres_admin_url()).unwrap();
            url.set_path(&format!("/{name}"));
            (url.to_string(), Some(name))
        }
    }
}

fn store_command(env: &BTreeMap<&str, String>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maddstore"));
    cmd.args(args)
        .env_clear()
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn create_seller(env: &BTreeMap<&str, String>) {
    // The seller's account, made the way the README says.
    let mut create = store_command(env, &["admin", "create", "seller", "--password-stdin"])
        .spawn()
        .unwrap();
    let mut stdin = create.stdin.take().unwrap();
    stdin.write_all(PASSWORD.as_bytes()).await.unwrap();
    drop(stdin);
    let created = create.wait_with_output().await.unwrap();
    assert!(
        created.status.success(),
        "admin create: {}",
        String::from_utf8_lossy(&created.stderr)
    );
}

/// The store, and its process id and address.
async fn serve(env: &BTreeMap<&str, String>) -> (tokio::process::Child, u32, String) {
    // The store, on a port it picks; its first line names it.
    let mut child = store_command(env, &["serve"]).spawn().unwrap();
    let pid = child.id().unwrap();
    let (tx, mut lines) = mpsc::unbounded_channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut stream = BufReader::new(stream).lines();
            while let Ok(Some(l)) = stream.next_line().await {
                let _ = tx.send(l);
            }
        });
    }
    drop(tx);
    let base = tokio::time::timeout(Duration::from_secs(120), async {
        let mut seen = Vec::new();
        while let Some(line) = lines.recv().await {
            if let Some(url) = line.strip_prefix("Madd Store: ") {
                return url.trim().trim_end_matches('/').to_string();
            }
            seen.push(line);
        }
        panic!("the store ended before listening:\n{}", seen.join("\n"));
    })
    .await
    .expect("the store listens");
    // Keep draining its output so it never blocks on a full pipe.
    tokio::spawn(async move { while lines.recv().await.is_some() {} });
    (child, pid, base)
}

/// What the flood was answered, how long it took and the highest RSS seen.
struct Flooded {
    statuses: Vec<(u16, bool)>,
    took: Duration,
    peak_kib: u64,
}

async fn flood_logins(
    http: &reqwest::Client,
    base: &str,
    pid: u32,
    idle_kib: u64,
    child: &mut tokio::process::Child,
) -> Flooded {
    // RSS is sampled all through the flood; crossing the limit stops the store at once (a store
    // without the bound would otherwise go on to gigabytes).
    let peak = Arc::new(AtomicU64::new(idle_kib));
    let flooding = Arc::new(AtomicBool::new(true));
    let (over_tx, over) = tokio::sync::oneshot::channel::<u64>();
    let sampler = {
        let (peak, flooding) = (Arc::clone(&peak), Arc::clone(&flooding));
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(10));
            while flooding.load(Ordering::SeqCst) {
                every.tick().await;
                let kib = rss_kib(pid);
                peak.fetch_max(kib, Ordering::SeqCst);
                if kib >= LIMIT_KIB {
                    let _ = over_tx.send(kib);
                    return;
                }
            }
        })
    };
    let started = Instant::now();
    let logins = futures::stream::iter(0..ATTEMPTS)
        .map(|i| {
            let (http, base) = (http.clone(), base.to_string());
            async move {
                let address = format!("10.77.0.{}", i % ADDRESSES + 1);
                let r = attempt(&http, &base, &address, "seller", &format!("tebakan-{i}")).await;
                (r.status().as_u16(), r.headers().contains_key("retry-after"))
            }
        })
        .buffer_unordered(CONCURRENT)
        .collect::<Vec<(u16, bool)>>();
    let statuses = tokio::select! {
        statuses = logins => statuses,
        Ok(kib) = over => {
            child.start_kill().unwrap();
            let _ = child.wait().await;
            panic!(
                "RSS reached {} MiB during the flood (limit {} MiB); store stopped",
                kib / 1024,
                LIMIT_KIB / 1024
            );
        }
    };
    let took = started.elapsed();
    flooding.store(false, Ordering::SeqCst);
    sampler.await.unwrap();
    Flooded {
        statuses,
        took,
        peak_kib: peak.load(Ordering::SeqCst),
    }
}

fn report_and_check(backend: Backend, flooded: &Flooded, idle_kib: u64, after_kib: u64) {
    let Flooded { statuses, took, .. } = flooded;
    let peak_kib = flooded.peak_kib.max(after_kib);
    let count = |code: u16| statuses.iter().filter(|(s, _)| *s == code).count();
    let (wrong, limited, busy) = (count(401), count(429), count(503));
    println!(
        "{backend:?}: {ATTEMPTS} logins from {ADDRESSES} addresses, {CONCURRENT} at a time, in \
         {took:.1?}: {wrong} checked (401), {limited} limited (429), {busy} busy (503); \
         RSS idle {} MiB, peak {} MiB, after {} MiB",
        idle_kib / 1024,
        peak_kib / 1024,
        after_kib / 1024
    );
    assert_eq!(
        wrong + limited + busy,
        ATTEMPTS,
        "every attempt is answered 401, 429 or 503: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|(s, retry_after)| *s == 401 || *retry_after),
        "every refusal says when to come back"
    );
    assert!(
        busy > 0,
        "the flood was larger than the password threads and their queue"
    );
    assert!(
        peak_kib < LIMIT_KIB,
        "peak RSS {peak_kib} KiB during the flood (limit {LIMIT_KIB})"
    );
    assert!(
        after_kib < LIMIT_KIB,
        "RSS {after_kib} KiB after the flood (limit {LIMIT_KIB})"
    );
}

async fn seller_still_gets_in(http: &reqwest::Client, base: &str) {
    // The seller, from their own address, still gets in with the right password.
    let r = attempt(http, base, "10.99.0.1", "seller", PASSWORD).await;
    assert_eq!(
        r.status().as_u16(),
        303,
        "the seller logs in after the flood"
    );
    let session = session_cookie(&r).expect("a session cookie");
    let page = http
        .get(format!("{base}/admin"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
}

mod flood_on_the_real_binary {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        flood(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        flood(Backend::Postgres).await;
    }
}
