//! `/akun`: the customer's account — sign in with a code sent to their WhatsApp, then their saldo,
//! its history and their orders. The session lives in the `madd_customer` cookie (HttpOnly,
//! SameSite=Lax, so another site's form cannot post with it).

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use madd_domain::{PhoneNumber, Rupiah};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::orders::{self, OrderFilter};
use crate::error::AppError;
use crate::service::{saldo, sign_in};
use crate::web::closed::Closed;
use crate::web::customer::{Customer, COOKIE};
use crate::web::i18n::{self, Lang, Texts};
use crate::web::page::{render, render_status, PageResult};

struct EntryView {
    at: String,
    amount: String,
    credit: bool,
    what: &'static str,
    order: String,
}

struct OrderView {
    code: String,
    product: String,
    status: &'static str,
    status_label: &'static str,
    total: String,
}

#[derive(Template)]
#[template(path = "akun.html")]
struct AccountPage {
    t: &'static Texts,
    closed: bool,
    /// Signed in: the number (grouped), the saldo, its history and the orders.
    signed_in: Option<String>,
    balance: String,
    entries: Vec<EntryView>,
    orders: Vec<OrderView>,
    /// A cash-out was just requested.
    cash_out_sent: bool,
    /// Signing in: the number typed, whether the code was sent, and what went wrong.
    whatsapp: String,
    code_sent: bool,
    error: Option<String>,
}

fn signed_out(t: &'static Texts, closed: bool) -> AccountPage {
    AccountPage {
        t,
        closed,
        signed_in: None,
        cash_out_sent: false,
        balance: String::new(),
        entries: Vec::new(),
        orders: Vec::new(),
        whatsapp: String::new(),
        code_sent: false,
        error: None,
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct AccountQuery {
    #[serde(default)]
    tarik: Option<String>,
}

pub(crate) async fn account(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    customer: Customer,
    axum::extract::Query(q): axum::extract::Query<AccountQuery>,
) -> PageResult {
    let Some(owner) = customer.0 else {
        return Ok(render(&signed_out(t, closed)));
    };
    let wallet = saldo::wallet(&app, &owner).await?;
    let mut conn = app.db.read().await?;
    let own = orders::list(
        &mut conn,
        &OrderFilter {
            search: Some(owner.as_str().to_string()),
            limit: 10,
            ..OrderFilter::default()
        },
    )
    .await?;
    drop(conn);
    Ok(render(&AccountPage {
        signed_in: Some(owner.grouped()),
        cash_out_sent: q.tarik.is_some(),
        balance: wallet.balance.display_spaced(),
        entries: wallet
            .entries
            .iter()
            .map(|e| EntryView {
                at: clock::human(e.created_at),
                amount: Rupiah::new(e.amount.amount().abs()).display_spaced(),
                credit: e.amount.is_positive(),
                what: e.kind.label_id(),
                order: e.note.clone(),
            })
            .collect(),
        orders: own
            .iter()
            .filter(|o| o.whatsapp == owner)
            .map(|o| OrderView {
                code: o.code.to_string(),
                product: o.product_name.clone(),
                status: o.status.as_str(),
                status_label: i18n::status_label(t, o.status),
                total: o.amount_due.display_spaced(),
            })
            .collect(),
        ..signed_out(t, closed)
    }))
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    whatsapp: String,
    #[serde(default)]
    code: String,
}

/// Step 1: the code goes to the number's WhatsApp. Step 2 (a code given): signed in.
pub(crate) async fn sign_in_form(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    crate::web::ratelimit::ClientIp(ip): crate::web::ratelimit::ClientIp,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let address = crate::web::ratelimit::address_text(ip);
    let again = |error: Option<String>, code_sent: bool, status: StatusCode| {
        render_status(
            status,
            &AccountPage {
                whatsapp: f.whatsapp.clone(),
                code_sent,
                error,
                ..signed_out(t, closed)
            },
        )
    };
    let phone = match PhoneNumber::parse(&f.whatsapp) {
        Ok(p) => p,
        Err(e) => {
            return Ok(again(
                Some(i18n::phone_error(t, &e)),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    };
    if f.code.trim().is_empty() {
        return Ok(match sign_in::send_code(&app, &phone, &address).await {
            Ok(()) => again(None, true, StatusCode::OK),
            Err(e @ AppError::TooManyRequests { .. }) => again(
                Some(i18n::app_error(t, &e)),
                false,
                StatusCode::TOO_MANY_REQUESTS,
            ),
            Err(e) => return Err(e.into()),
        });
    }
    match sign_in::verify(&app, &phone, &f.code, &address).await {
        Ok(token) => {
            let mut response = Redirect::to("/akun").into_response();
            if let Ok(v) = cookie(&app, &token, 30 * 24 * 60 * 60).parse() {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(e @ AppError::TooManyRequests { .. }) => Ok(again(
            Some(i18n::app_error(t, &e)),
            false,
            StatusCode::TOO_MANY_REQUESTS,
        )),
        Err(e @ AppError::Invalid { .. }) => Ok(again(
            Some(i18n::app_error(t, &e)),
            true,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn sign_out(State(app): State<App>, customer: Customer) -> PageResult {
    if let Some(token) = customer.1 {
        sign_in::sign_out(&app, &token).await?;
    }
    let mut response = Redirect::to("/akun").into_response();
    if let Ok(v) = cookie(&app, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

fn cookie(app: &App, token: &str, max_age_secs: i64) -> String {
    crate::web::auth::session_cookie_named(app, COOKIE, token, max_age_secs)
}

/// `POST /order/{code}/saldo`: the signed-in owner pays their order from saldo.
pub(crate) async fn pay_with_saldo(
    State(app): State<App>,
    customer: Customer,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Response, crate::web::page::PageError> {
    let owner = customer.required()?;
    saldo::pay_order(&app, &owner, &code).await?;
    let code = madd_domain::OrderCode::parse(&code)
        .map(|c| c.to_string())
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/order/{code}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct TopUpForm {
    #[serde(default)]
    amount: String,
}

/// `POST /akun/isi`: on to Trakteer to pay a top-up.
pub(crate) async fn top_up(
    State(app): State<App>,
    customer: Customer,
    Form(f): Form<TopUpForm>,
) -> Result<Response, crate::web::page::PageError> {
    let owner = customer.required()?;
    let amount = Rupiah::parse_typed(&f.amount)
        .map_err(|e| AppError::invalid("invalid_topup", format!("Jumlah: {e}")))?;
    let (_, url) = saldo::start_topup(&app, &owner, amount).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
pub(crate) struct CashOutForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    account: String,
}

/// `POST /akun/tarik`: ask the seller to pay saldo out (the same request as the chat's `tarik`).
pub(crate) async fn cash_out(
    State(app): State<App>,
    customer: Customer,
    Form(f): Form<CashOutForm>,
) -> Result<Response, crate::web::page::PageError> {
    let owner = customer.required()?;
    let amount = Rupiah::parse_typed(&f.amount)
        .map_err(|e| AppError::invalid("invalid_amount", format!("Jumlah: {e}")))?;
    let method = f
        .method
        .parse::<madd_domain::RefundMethod>()
        .ok()
        .filter(|m| *m != madd_domain::RefundMethod::Saldo)
        .ok_or_else(|| AppError::invalid("invalid_method", "Pilih e-wallet atau bank"))?;
    let account = f.account.trim();
    if !account.chars().any(|c| c.is_ascii_digit()) {
        return Err(
            AppError::invalid("invalid_account", "Tulis nomor e-wallet atau rekening").into(),
        );
    }
    saldo::request_cash_out(&app, &owner, amount, method, account).await?;
    Ok(Redirect::to("/akun?tarik=1").into_response())
}
