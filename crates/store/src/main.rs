//! `maddstore`: the one binary. All logic lives in the library; this only starts it.

use std::io::IsTerminal;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logging is set up before the configuration is read (its errors are logged), so its two
    // variables are read here: MADD_LOG (the filter) and MADD_LOG_FORMAT (`text` or `json`).
    let json = match std::env::var("MADD_LOG_FORMAT").as_deref() {
        Err(_) | Ok("" | "text") => false,
        Ok("json") => true,
        Ok(other) => {
            eprintln!("error: MADD_LOG_FORMAT: '{other}' is not text or json");
            return std::process::ExitCode::FAILURE;
        }
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MADD_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_target(false)
        // Colour only for a person at a terminal: a log file or journal gets plain text.
        .with_ansi(std::io::stdout().is_terminal());
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
    let cli = maddstore::cli::Cli::parse();
    match maddstore::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
