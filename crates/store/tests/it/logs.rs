//! The real binary's log lines: one JSON object a line with `MADD_LOG_FORMAT=json`, and no colour
//! codes when the output is not a terminal (a file, a pipe, the journal).

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Starts `maddstore serve` on a fresh SQLite file and returns its first log line that says it
/// is listening.
async fn listening_line(format: Option<&str>) -> String {
    let dir = std::env::temp_dir().join(crate::common::random_name());
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maddstore"));
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "MADD_DATABASE_URL",
            format!("sqlite://{}", dir.join("store.db").display()),
        )
        .env("MADD_LISTEN", "127.0.0.1:0")
        .env("MADD_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(f) = format {
        cmd.env("MADD_LOG_FORMAT", f);
    }
    let mut child = cmd.spawn().expect("start maddstore serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("listening") {
                return line;
            }
        }
        panic!("serve ended before it listened");
    })
    .await
    .expect("serve listened within a minute");
    child.kill().await.ok();
    let _ = std::fs::remove_dir_all(&dir);
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_and_no_colour_off_a_terminal() {
    let json = listening_line(Some("json")).await;
    let parsed: serde_json::Value = serde_json::from_str(&json).expect(&json);
    assert_eq!(parsed["level"], "INFO", "{json}");
    assert_eq!(
        parsed["fields"]["message"], "madd store listening",
        "{json}"
    );
    assert!(parsed["timestamp"].is_string(), "{json}");

    let text = listening_line(None).await;
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes in a pipe: {text:?}"
    );
    assert!(
        text.contains("INFO") && text.contains("madd store listening"),
        "{text}"
    );
}
