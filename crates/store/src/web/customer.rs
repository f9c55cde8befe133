//! The customer's side of saldo: signing in with a WhatsApp code (`POST /api/v1/otp`, `POST
//! /api/v1/session`) and the wallet (`GET /api/v1/wallet`). A session is a bearer token, sent as
//! `Authorization: Bearer …` by apps or kept in the `madd_customer` cookie by the storefront.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use madd_domain::PhoneNumber;
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::service::{saldo, sign_in};
use crate::web::input::ApiJson;

/// The storefront's session cookie.
pub const COOKIE: &str = "madd_customer";

/// The signed-in customer, if any (a bad or expired token is no customer, not an error).
pub struct Customer(pub Option<PhoneNumber>, pub Option<String>);

impl FromRequestParts<App> for Customer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let cookie = crate::web::auth::cookie(&parts.headers, COOKIE);
        let Some(token) = bearer.map(str::to_owned).or(cookie) else {
            return Ok(Customer(None, None));
        };
        let owner = sign_in::owner(app, &token).await?;
        Ok(Customer(owner, Some(token)))
    }
}

impl Customer {
    pub fn required(self) -> AppResult<PhoneNumber> {
        self.0.ok_or(AppError::Unauthorized)
    }
}

#[derive(Deserialize)]
pub(crate) struct OtpRequest {
    whatsapp: String,
}

/// `POST /api/v1/otp`: a sign-in code goes to the number's WhatsApp.
pub(crate) async fn request_code(
    State(app): State<App>,
    crate::web::ratelimit::ClientIp(ip): crate::web::ratelimit::ClientIp,
    ApiJson(req): ApiJson<OtpRequest>,
) -> AppResult<impl IntoResponse> {
    let phone = PhoneNumber::parse(&req.whatsapp)
        .map_err(|e| AppError::invalid("invalid_whatsapp", format!("Nomor WhatsApp: {e}")))?;
    sign_in::send_code(&app, &phone, &crate::web::ratelimit::address_text(ip)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"sent": true})),
    ))
}

#[derive(Deserialize)]
pub(crate) struct SessionRequest {
    whatsapp: String,
    code: String,
}

/// `POST /api/v1/session`: the code for a session token.
pub(crate) async fn open_session(
    State(app): State<App>,
    crate::web::ratelimit::ClientIp(ip): crate::web::ratelimit::ClientIp,
    ApiJson(req): ApiJson<SessionRequest>,
) -> AppResult<impl IntoResponse> {
    let phone = PhoneNumber::parse(&req.whatsapp)
        .map_err(|e| AppError::invalid("invalid_whatsapp", format!("Nomor WhatsApp: {e}")))?;
    let address = crate::web::ratelimit::address_text(ip);
    let token = sign_in::verify(&app, &phone, &req.code, &address).await?;
    Ok(Json(serde_json::json!({"token": token})))
}

/// `GET /api/v1/wallet`: the signed-in customer's saldo and its newest movements.
pub(crate) async fn wallet(
    State(app): State<App>,
    customer: Customer,
) -> AppResult<impl IntoResponse> {
    let owner = customer.required()?;
    let w = saldo::wallet(&app, &owner).await?;
    Ok(Json(serde_json::json!({
        "balance": w.balance.amount(),
        "entries": w.entries.iter().map(|e| serde_json::json!({
            "amount": e.amount.amount(),
            "kind": e.kind.as_str(),
            "label": e.kind.label_id(),
            "order": e.note,
            "created_at": clock::rfc3339(e.created_at),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
pub(crate) struct TopUpRequest {
    amount: i64,
}

/// `POST /api/v1/wallet/topup`: a code and a Trakteer link that add the amount to saldo.
pub(crate) async fn topup(
    State(app): State<App>,
    customer: Customer,
    ApiJson(req): ApiJson<TopUpRequest>,
) -> AppResult<impl IntoResponse> {
    let owner = customer.required()?;
    let amount = madd_domain::Rupiah::new(req.amount);
    let (code, pay_url) = saldo::start_topup(&app, &owner, amount).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"code": code, "amount": amount.amount(), "pay_url": pay_url})),
    ))
}
