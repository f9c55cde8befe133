//! The five API endpoints: body checks, authentication, faults, and one module per command.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Map, Value};
use subtle::ConstantTimeEq;

use super::catalogue::rc_message;
use super::{sign, DigiflazzSim, Fault};

mod deposit;
mod pln;
mod price_list;
mod transaction;

/// Digiflazz's request bodies are a handful of short fields.
const MAX_BODY: usize = 64 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Balance,
    PriceList,
    Transaction,
    InquiryPln,
    Deposit,
}

pub(crate) fn api_routes() -> Router<DigiflazzSim> {
    let route = |endpoint: Endpoint| {
        post(move |State(sim): State<DigiflazzSim>, req: Request| serve(sim, endpoint, req))
    };
    Router::new()
        .route("/v1/cek-saldo", route(Endpoint::Balance))
        .route("/v1/price-list", route(Endpoint::PriceList))
        .route("/v1/transaction", route(Endpoint::Transaction))
        .route("/v1/inquiry-pln", route(Endpoint::InquiryPln))
        .route("/v1/deposit", route(Endpoint::Deposit))
}

/// A refusal: `data` with only `rc`, `message` and `status`.
fn refusal(rc: &str) -> Value {
    json!({"rc": rc, "message": rc_message(rc), "status": "Gagal"})
}

fn payload_error(field: &str) -> Value {
    json!({"rc": "40", "message": format!("Payload Error: {field}"), "status": "Gagal"})
}

/// The answer: `{"data": …}`, HTTP 400 for the request rejections rc 40–49, else 200.
fn respond(data: Value) -> Response {
    let rejected = data
        .get("rc")
        .and_then(Value::as_str)
        .and_then(|rc| rc.parse::<u8>().ok())
        .is_some_and(|rc| (40..=49).contains(&rc));
    let status = if rejected {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_vec(&json!({ "data": data })).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn html(status: StatusCode, text: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html")], text).into_response()
}

async fn serve(sim: DigiflazzSim, endpoint: Endpoint, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical());
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let fault = sim.with_state(|s| {
        if endpoint == Endpoint::Transaction {
            s.transaction_calls += 1;
        }
        s.fault.clone()
    });
    match fault {
        Some(Fault::ServerError) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<html><body><h1>500 Internal Server Error</h1></body></html>",
            )
        }
        Some(Fault::Malformed) => {
            return (
                [(header::CONTENT_TYPE, "application/json")],
                "{\"data\": {\"ref_id\": \"",
            )
                .into_response()
        }
        _ => {}
    }

    let data = match Body::parse(&body) {
        Err(data) => data,
        Ok(body) => {
            let call = Call {
                sim: &sim,
                body,
                peer,
            };
            let result = match endpoint {
                Endpoint::Balance => call.balance(),
                Endpoint::PriceList => call.price_list(),
                Endpoint::Transaction => call.transaction(),
                Endpoint::InquiryPln => call.inquiry_pln(),
                Endpoint::Deposit => call.deposit(),
            };
            result.unwrap_or_else(|refused| refused)
        }
    };

    if let Some(delay) = sim.config().delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(Fault::Slow(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    if endpoint == Endpoint::Transaction && fault == Some(Fault::DropAnswer) {
        return html(
            StatusCode::BAD_GATEWAY,
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        );
    }
    respond(data)
}

/// A JSON request body, read field by field with Digiflazz's types.
struct Body(Map<String, Value>);

impl Body {
    fn parse(bytes: &[u8]) -> Result<Body, Value> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            _ => Err(payload_error("body must be a JSON object")),
        }
    }

    /// A string field, trimmed; `None` when absent, null or blank; rc 40 when not a string.
    fn text(&self, field: &str) -> Result<Option<&str>, Value> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
            Some(_) => Err(payload_error(field)),
        }
    }

    fn required(&self, field: &str) -> Result<&str, Value> {
        self.text(field)?.ok_or_else(|| payload_error(field))
    }

    fn boolean(&self, field: &str) -> Result<Option<bool>, Value> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(payload_error(field)),
        }
    }

    fn integer(&self, field: &str) -> Result<Option<i64>, Value> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| payload_error(field)),
            Some(_) => Err(payload_error(field)),
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// One API call being answered; `Err` carries a refusal's `data`.
struct Call<'a> {
    sim: &'a DigiflazzSim,
    body: Body,
    peer: Option<IpAddr>,
}

impl Call<'_> {
    /// `username`, `sign` (with `suffix`) and the peer IP, after the endpoint's own fields.
    fn authenticate(&self, suffix: &str) -> Result<(), Value> {
        let username = self.body.required("username")?;
        let signature = self.body.required("sign")?;
        let config = self.sim.config();
        if !same(username, &config.username) {
            return Err(refusal("42"));
        }
        if !same(signature, &sign(&config.username, &config.api_key, suffix)) {
            return Err(refusal("41"));
        }
        if !config.ip_whitelist.is_empty() {
            let allowed = self
                .peer
                .is_some_and(|ip| config.ip_whitelist.iter().any(|w| w.to_canonical() == ip));
            if !allowed {
                let ip = self
                    .peer
                    .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
                return Err(
                    json!({"rc": "45", "message": format!("{}: {ip}", rc_message("45")),
                                  "status": "Gagal"}),
                );
            }
        }
        Ok(())
    }

    fn balance(&self) -> Result<Value, Value> {
        if self.body.required("cmd")? != "deposit" {
            return Err(payload_error("cmd"));
        }
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate("depo")?;
        Ok(json!({"deposit": self.sim.balance()}))
    }
}
