//! The reseller API's accounts: turning H2H on for an approved reseller (the key and webhook
//! secret shown once), who may call, where callbacks go, and the delivery log with *kirim ulang*.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::PhoneNumber;
use serde::Deserialize;

use crate::app::App;
use crate::db::h2h::{self as repo, LogLine};
use crate::web::admin::view::{invalid, DoneQuery};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageResult};

struct AccountView {
    username: String,
    whatsapp: String,
    number: String,
    enabled: bool,
    allowlist: String,
    callback_url: String,
    saldo: String,
    /// Each callback with its tries' answers, oldest first (`500 · 500 · 200`).
    deliveries: Vec<(LogLine, String)>,
}

#[derive(Template)]
#[template(path = "admin/h2h.html")]
struct H2hPage {
    csrf: String,
    flash: Option<String>,
    base: String,
    /// Username, key and webhook secret, right after they were made.
    shown: Option<(String, String, String)>,
    accounts: Vec<AccountView>,
}

async fn page(app: &App, s: &AdminSession, flash: Option<String>, shown: Option<(String, String, String)>) -> PageResult {
    let mut conn = app.db.read().await?;
    let mut accounts = Vec::new();
    for a in repo::accounts(&mut conn).await? {
        let number = PhoneNumber::parse(&a.whatsapp).ok();
        let saldo = match &number {
            Some(n) => crate::db::wallets::balance_of(&mut conn, n).await?,
            None => madd_domain::Rupiah::ZERO,
        };
        accounts.push(AccountView {
            number: number
                .map(|p| p.grouped())
                .unwrap_or_else(|| a.whatsapp.clone()),
            saldo: saldo.display_spaced(),
            deliveries: {
                let mut lines = Vec::new();
                for line in repo::log_of(&mut conn, &a.username, 20).await? {
                    let tries = repo::tries(&mut conn, line.id).await?;
                    let answers: Vec<String> = tries
                        .iter()
                        .map(|t: &repo::Try| {
                            t.status.map_or_else(|| "—".to_string(), |s| s.to_string())
                        })
                        .collect();
                    lines.push((line, answers.join(" · ")));
                }
                lines
            },
            username: a.username,
            whatsapp: a.whatsapp,
            enabled: a.enabled,
            allowlist: a.allowlist,
            callback_url: a.callback_url,
        });
    }
    drop(conn);
    Ok(render(&H2hPage {
        csrf: s.csrf_token.clone(),
        flash,
        base: app.config.link("").trim_end_matches('/').to_string(),
        shown,
        accounts,
    }))
}

pub(crate) async fn h2h_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let flash = done.done.map(|d| match d.as_str() {
        "access" => "Akses disimpan.".to_string(),
        "closed" => "H2H dimatikan untuk reseller ini.".to_string(),
        "saldo" => "Saldo ditambahkan.".to_string(),
        _ => "Callback dikirim ulang.".to_string(),
    });
    page(&app, &s, flash, None).await
}

#[derive(Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    whatsapp: String,
}

/// Turns H2H on (or makes a new key): the page that shows the key, never a redirect carrying it.
pub(crate) async fn open(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<OpenForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let number = PhoneNumber::parse(&f.whatsapp).map_err(|e| invalid(e.to_string()))?;
    let c = crate::service::h2h::open(&app, &number).await?;
    tracing::info!(username = %c.username, actor = %s.actor(), "h2h key made");
    let shown = (c.username, c.key.expose().to_string(), c.webhook_secret.expose().to_string());
    page(&app, &s, None, Some(shown)).await
}

#[derive(Deserialize)]
pub(crate) struct AccountForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    allowlist: String,
    #[serde(default)]
    callback_url: String,
    #[serde(default)]
    callback: i64,
}

pub(crate) async fn access(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<AccountForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::h2h::set_access(&app, &f.username, &f.allowlist, &f.callback_url).await?;
    Ok(Redirect::to("/admin/h2h?done=access").into_response())
}

pub(crate) async fn close(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<AccountForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::h2h::close(&app, &f.username).await?;
    Ok(Redirect::to("/admin/h2h?done=closed").into_response())
}

pub(crate) async fn resend(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<AccountForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    if !crate::service::h2h::callbacks::resend(&app, &f.username, f.callback).await? {
        return Err(invalid("Callback itu tidak ada."));
    }
    Ok(Redirect::to("/admin/h2h?done=resent").into_response())
}

#[derive(Deserialize)]
pub(crate) struct GrantForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    whatsapp: String,
    #[serde(default)]
    amount: String,
}

/// A reseller's deposit by transfer, into their saldo.
pub(crate) async fn grant(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<GrantForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let number = PhoneNumber::parse(&f.whatsapp).map_err(|e| invalid(e.to_string()))?;
    let amount = madd_domain::Rupiah::parse_typed(&f.amount)
        .map_err(|_| invalid("Jumlah saldo: angka rupiah, mis. 100000"))?;
    crate::service::saldo::credit::grant(&app, &number, amount, &s.actor()).await?;
    Ok(Redirect::to("/admin/h2h?done=saldo").into_response())
}
