//! DESIGN.md invariant 5: no secret (API keys, webhook tokens, password hashes, session ids)
//! appears in a log line — checked on the real binary logging at `debug`, through requests that
//! carry every kind of secret.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;

const TRAKTEER_TOKEN: &str = "tok-SECRET-trakteer-1a2b";
const FONNTE_SECRET: &str = "fonSECRETwebhook3c4d";
const WRONG_TOKEN: &str = "wrong-SECRET-5e6f";

async fn next_matching(
    rx: &mut mpsc::UnboundedReceiver<String>,
    seen: &mut Vec<String>,
    want: &str,
) -> String {
    tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = rx.recv().await {
            seen.push(line.clone());
            if line.contains(want) {
                return line;
            }
        }
        panic!(
            "the demo ended before printing {want:?}:\n{}",
            seen.join("\n")
        );
    })
    .await
    .unwrap_or_else(|_| panic!("{want:?} never appeared:\n{}", seen.join("\n")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_log() {
    let dir = std::env::temp_dir().join(format!("madd-logs-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut child, mut rx) = start_demo(&dir);
    let mut seen = Vec::new();
    let url_line = next_matching(&mut rx, &mut seen, "Storefront").await;
    let base = url_line
        .split_whitespace()
        .last()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let admin_line = next_matching(&mut rx, &mut seen, "login: admin / ").await;
    let password = admin_line
        .split("login: admin / ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    webhooks_with_secrets(&http, &base).await;
    let (session, csrf) = admin_signs_in(&http, &base, &password).await;
    let (code, token) = customer_signs_in(&http, &base).await;

    // Let the jobs those requests queued run (a chat answer, supplier and gateway calls), then
    // stop the store and read everything it logged.
    next_matching(&mut rx, &mut seen, "message accepted by the gateway").await;
    child.start_kill().unwrap();
    while let Some(line) = rx.recv().await {
        seen.push(line);
    }
    let _ = std::fs::remove_dir_all(&dir);

    let session_id = session.trim_start_matches("madd_session=");
    let log: Vec<&String> = seen
        .iter()
        .filter(|l| !l.contains("login: admin / "))
        .collect();
    assert!(
        log.iter().any(|l| l.contains("DEBUG")),
        "the store logged at debug level"
    );
    for secret in [
        TRAKTEER_TOKEN,
        FONNTE_SECRET,
        WRONG_TOKEN,
        password.as_str(),
        "wrong-SECRET-password",
        session_id,
        csrf.as_str(),
        // The code as the message or a request body carries it (a bare six digits could be a
        // timestamp's microseconds).
        &format!("*{code}*"),
        &format!("\"code\":\"{code}\""),
        &format!("code={code}"),
        token.as_str(),
        "$argon2id$",
        // The sandbox's own credentials, which the store uses as the "real" ones in the demo.
        "sandbox-key",
        "sandbox-fonnte-token",
        "sandbox-api-key",
    ] {
        if let Some(line) = log.iter().find(|l| l.contains(secret)) {
            panic!("a secret ({secret}) reached the log: {line}");
        }
    }
}

/// `maddstore demo` on `dir`, logging at debug, with every line it prints sent to the receiver.
fn start_demo(dir: &std::path::Path) -> (tokio::process::Child, mpsc::UnboundedReceiver<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maddstore"));
    cmd.arg("demo")
        .arg("--db-file")
        .arg(dir.join("demo.db"))
        .env("MADD_LISTEN", "127.0.0.1:0")
        .env("MADD_LOG", "debug")
        .env("MADD_TRAKTEER_WEBHOOK_TOKEN", TRAKTEER_TOKEN)
        .env("MADD_FONNTE_WEBHOOK_SECRET", FONNTE_SECRET)
        .env_remove("MADD_DATABASE_URL")
        .env_remove("MADD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("the maddstore binary runs");
    let (tx, rx) = mpsc::unbounded_channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                let _ = tx.send(l);
            }
        });
    }
    drop(tx);
    (child, rx)
}

/// A payment webhook with the right token and one with a wrong one, and Fonnte's incoming
/// webhook, whose secret is in the path.
async fn webhooks_with_secrets(http: &reqwest::Client, base: &str) {
    // A payment webhook with the right token, and one with a wrong token.
    let tip = serde_json::json!({"transaction_id": "5f0c1a2b-0000-4e5f-8a9b-0c1d2e3f4a5b", "type": "tip",
        "supporter_message": "MS-ZZZZZZZZ", "quantity": "1", "price": 1000, "net_amount": 950});
    for token in [TRAKTEER_TOKEN, WRONG_TOKEN] {
        http.post(format!("{base}/webhooks/trakteer"))
            .header("x-webhook-token", token)
            .json(&tip)
            .send()
            .await
            .unwrap();
    }
    // Fonnte's incoming webhook, whose secret is in the path.
    let incoming = serde_json::json!({"device": "6281200000000", "sender": "6281234567890", "message": "menu", "name": "Budi"});
    let r = http
        .post(format!("{base}/webhooks/fonnte/{FONNTE_SECRET}"))
        .json(&incoming)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// An admin login, a page with the session and a wrong password too (its text must not be logged
/// either). Answers the session cookie and the login's CSRF token.
async fn admin_signs_in(http: &reqwest::Client, base: &str, password: &str) -> (String, String) {
    // An admin login and a page with the session.
    let form = http
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    let login_cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("madd_login_csrf="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap();
    let csrf = login_cookie
        .trim_start_matches("madd_login_csrf=")
        .to_string();
    let r = http
        .post(format!("{base}/admin/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("username", "admin"),
            ("password", password),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("madd_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap();
    let page = http
        .get(format!("{base}/admin"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    // A wrong password too (its text must not be logged either).
    http.post(format!("{base}/admin/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("username", "admin"),
            ("password", "wrong-SECRET-password"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    (session, csrf)
}

/// A customer signs in with a WhatsApp code: answers the code and the session token, neither of
/// which may be logged.
async fn customer_signs_in(http: &reqwest::Client, base: &str) -> (String, String) {
    // A customer signs in with a WhatsApp code: neither the code nor the session token may be
    // logged.
    let r = http
        .post(format!("{base}/api/v1/otp"))
        .json(&serde_json::json!({"whatsapp": "081234567890"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let code = loop {
        let messages: serde_json::Value = http
            .get(format!(
                "{base}/sandbox/whatsapp/api/messages?to=6281234567890"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(code) = messages
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["body"].as_str())
            .find(|b| b.starts_with("Kode masuk"))
            .and_then(|b| b.split('*').nth(1))
        {
            break code.to_string();
        }
        // The outbox worker sends it within moments.
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let token = http
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"whatsapp": "081234567890", "code": code}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    (code, token)
}
