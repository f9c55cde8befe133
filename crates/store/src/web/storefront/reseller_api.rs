//! `/akun/h2h`: the reseller's own page for the reseller API — username, a new key when they
//! need one (shown once), who may call and where callbacks go, their saldo, transactions and
//! delivery log with *kirim ulang*, and how to use it. Signed in by WhatsApp code, as `/akun`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::Deserialize;

use crate::app::App;
use crate::db::h2h::{self as repo, Account, LogLine};
use crate::web::closed::Closed;
use crate::web::customer::Customer;
use crate::web::i18n::{Lang, Texts};
use crate::web::page::{render, PageResult};

#[derive(Template)]
#[template(path = "akun_h2h.html")]
struct ResellerApiPage {
    t: &'static Texts,
    closed: bool,
    account: Option<Account>,
    shown: Option<(String, String)>,
    flash: Option<String>,
    saldo: String,
    base: String,
    /// Ref ID, SKU, destination, status.
    transactions: Vec<(String, String, String, String)>,
    deliveries: Vec<LogLine>,
}

#[derive(Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

async fn page(
    app: &App,
    (t, closed): (&'static Texts, bool),
    owner: &madd_domain::PhoneNumber,
    shown: Option<(String, String)>,
    flash: Option<String>,
) -> PageResult {
    let mut conn = app.db.read().await?;
    let account = repo::account_for(&mut conn, owner.as_str()).await?;
    let (transactions, deliveries) = match &account {
        Some(a) => (
            repo::transactions_of(&mut conn, &a.username, 20).await?,
            repo::log_of(&mut conn, &a.username, 20).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let saldo = crate::db::wallets::balance_of(&mut conn, owner).await?;
    drop(conn);
    Ok(render(&ResellerApiPage {
        t,
        closed,
        account,
        shown,
        flash,
        saldo: saldo.display_spaced(),
        base: app.config.link("").trim_end_matches('/').to_string(),
        transactions: transactions
            .into_iter()
            .map(|x| (x.ref_id, x.sku, x.customer_no, x.told))
            .collect(),
        deliveries,
    }))
}

pub(crate) async fn reseller_api(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    customer: Customer,
    Query(q): Query<Done>,
) -> PageResult {
    let Some(owner) = customer.0 else {
        return Ok(Redirect::to("/akun").into_response());
    };
    let flash = q.done.map(|d| match d.as_str() {
        "akses" => "Akses disimpan.".to_string(),
        _ => "Callback dikirim ulang.".to_string(),
    });
    page(&app, (t, closed), &owner, None, flash).await
}

/// A new key and webhook secret: the old ones stop working at once.
pub(crate) async fn new_key(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    customer: Customer,
) -> PageResult {
    let Some(owner) = customer.0 else {
        return Ok(Redirect::to("/akun").into_response());
    };
    let c = crate::service::h2h::open(&app, &owner).await?;
    let shown = (c.key.expose().to_string(), c.webhook_secret.expose().to_string());
    page(&app, (t, closed), &owner, Some(shown), None).await
}

#[derive(Deserialize)]
pub(crate) struct AccessForm {
    #[serde(default)]
    allowlist: String,
    #[serde(default)]
    callback_url: String,
    #[serde(default)]
    callback: i64,
}

async fn own_account(app: &App, customer: &Customer) -> Result<Option<Account>, crate::web::page::PageError> {
    let Some(owner) = &customer.0 else {
        return Ok(None);
    };
    let mut conn = app.db.read().await?;
    Ok(repo::account_for(&mut conn, owner.as_str()).await?)
}

pub(crate) async fn access(
    State(app): State<App>,
    customer: Customer,
    Form(f): Form<AccessForm>,
) -> PageResult {
    let Some(a) = own_account(&app, &customer).await? else {
        return Ok(Redirect::to("/akun").into_response());
    };
    crate::service::h2h::set_access(&app, &a.username, &f.allowlist, &f.callback_url).await?;
    Ok(Redirect::to("/akun/h2h?done=akses").into_response())
}

pub(crate) async fn resend(
    State(app): State<App>,
    customer: Customer,
    Form(f): Form<AccessForm>,
) -> PageResult {
    let Some(a) = own_account(&app, &customer).await? else {
        return Ok(Redirect::to("/akun").into_response());
    };
    crate::service::h2h::callbacks::resend(&app, &a.username, f.callback).await?;
    Ok(Redirect::to("/akun/h2h?done=ulang").into_response())
}
