//! The four API endpoints: authentication, faults, and one function per request `type`.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::catalogue::{self, NicknameAnswer, PLN_POSTPAID_CODE, PLN_POSTPAID_NAME};
use super::params::Params;
use super::state::{plan_for, Delivery, Kind, NewOrder};
use super::{Fault, VipSim};

pub(crate) const MSG_MISSING: &str = "Masih ada parameter yang kosong.";
pub(crate) const MSG_BAD_KEY: &str = "API Key not registered.";
pub(crate) const MSG_BAD_SIGN: &str = "API Signature not valid.";
pub(crate) const MSG_NO_SERVICE: &str = "Layanan tidak ditemukan atau saat ini tidak tersedia.";
pub(crate) const MSG_NO_BALANCE: &str = "Saldo Anda tidak cukup untuk melakukan pemesanan ini.";
pub(crate) const MSG_NO_TRX: &str = "Transaksi tidak ditemukan.";
pub(crate) const MSG_MAINTENANCE: &str = "Ada pemeliharaan sistem API, coba lagi nanti.";
pub(crate) const MSG_NO_NICKNAME: &str = "ID tidak ditemukan.";
pub(crate) const MSG_NO_BILL: &str = "Tagihan tidak ditemukan.";
pub(crate) const MSG_BAD_TYPE: &str = "Permintaan tidak valid.";
const MSG_PROFILE: &str = "Successfully got your account details.";
const MSG_SERVICES: &str = "Daftar layanan berhasil didapatkan.";
const MSG_ORDER: &str = "Pesanan berhasil, pesanan akan diproses.";
const MSG_STATUS: &str = "Detail transaksi berhasil didapatkan.";
const MSG_NICKNAME: &str = "Success.";
const MSG_BILL: &str = "Cek tagihan berhasil.";

/// VIP's request bodies are a handful of short fields.
const MAX_BODY: usize = 64 * 1024;
/// The most orders one `status&limit=` answer lists.
const MAX_LIMIT: usize = 500;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Profile,
    GameFeature,
    Prepaid,
    Postpaid,
}

impl Endpoint {
    fn places_order(self, call_type: Option<&str>) -> bool {
        matches!(
            (self, call_type),
            (Endpoint::GameFeature | Endpoint::Prepaid, Some("order"))
                | (Endpoint::Postpaid, Some("pay-pasca"))
        )
    }
}

pub(crate) fn api_routes() -> Router<VipSim> {
    Router::new()
        .route(
            "/api/profile",
            post(|State(sim): State<VipSim>, req: Request| serve(sim, Endpoint::Profile, req)),
        )
        .route(
            "/api/game-feature",
            post(|State(sim): State<VipSim>, req: Request| serve(sim, Endpoint::GameFeature, req)),
        )
        .route(
            "/api/prepaid",
            post(|State(sim): State<VipSim>, req: Request| serve(sim, Endpoint::Prepaid, req)),
        )
        .route(
            "/api/postpaid",
            post(|State(sim): State<VipSim>, req: Request| serve(sim, Endpoint::Postpaid, req)),
        )
}

fn ok(data: Value, message: &str) -> Value {
    json!({"result": true, "data": data, "message": message})
}

fn fail(message: &str) -> Value {
    json!({"result": false, "data": null, "message": message})
}

async fn serve(sim: VipSim, endpoint: Endpoint, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical());
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let params = Params::parse(content_type, &body);
    let places_order = endpoint.places_order(params.get("type"));

    let fault = sim.with_state(|s| {
        s.requests += 1;
        if places_order {
            s.order_requests += 1;
        }
        s.fault.clone()
    });
    match fault {
        Some(Fault::ServerError) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>500 Internal Server Error</h1></body></html>",
            )
                .into_response()
        }
        Some(Fault::Malformed) => {
            return (
                [(header::CONTENT_TYPE, "application/json")],
                "{\"result\": true, \"data\": [{\"trxid\": \"VP",
            )
                .into_response()
        }
        Some(Fault::Maintenance) => return Json(fail(MSG_MAINTENANCE)).into_response(),
        _ => {}
    }

    let answer = match authenticate(&sim, &params, peer) {
        Err(message) => fail(&message),
        Ok(()) => match endpoint {
            Endpoint::Profile => profile(&sim),
            Endpoint::GameFeature => game_feature(&sim, &params),
            Endpoint::Prepaid => prepaid(&sim, &params),
            Endpoint::Postpaid => postpaid(&sim, &params),
        },
    };

    if let Some(Fault::Slow(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    if places_order && fault == Some(Fault::DropOrderAnswer) {
        return (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response();
    }
    Json(answer).into_response()
}

fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn authenticate(sim: &VipSim, params: &Params, peer: Option<IpAddr>) -> Result<(), String> {
    let (Some(key), Some(sign)) = (params.get("key"), params.get("sign")) else {
        return Err(MSG_MISSING.to_string());
    };
    if !same(key, &sim.config().api_key) {
        return Err(MSG_BAD_KEY.to_string());
    }
    if !same(sign, sim.signature()) {
        return Err(MSG_BAD_SIGN.to_string());
    }
    let whitelist = &sim.config().ip_whitelist;
    if !whitelist.is_empty() {
        match peer {
            Some(ip) if whitelist.iter().any(|w| w.to_canonical() == ip) => {}
            Some(ip) => return Err(format!("IP {ip} is not permitted")),
            None => return Err("IP unknown is not permitted".to_string()),
        }
    }
    Ok(())
}

fn profile(sim: &VipSim) -> Value {
    let config = sim.config();
    let balance = sim.balance();
    ok(
        json!({
            "full_name": "Madd Store Sandbox",
            "username": config.username,
            "balance": balance,
            "point": 0,
            "level": config.level,
            "registered": "2023-01-23 17:56:45",
        }),
        MSG_PROFILE,
    )
}

fn game_feature(sim: &VipSim, params: &Params) -> Value {
    match params.get("type") {
        None => fail(MSG_MISSING),
        Some("services") => game_services(sim, params),
        Some("get-nickname") => nickname(params),
        Some("order") => game_order(sim, params),
        Some("status") => status(sim, Kind::Game, params),
        Some(_) => fail(MSG_BAD_TYPE),
    }
}

fn prepaid(sim: &VipSim, params: &Params) -> Value {
    match params.get("type") {
        None => fail(MSG_MISSING),
        Some("services") => prepaid_services(sim, params),
        Some("order") => prepaid_order(sim, params),
        Some("status") => status(sim, Kind::Prepaid, params),
        Some(_) => fail(MSG_BAD_TYPE),
    }
}

fn postpaid(sim: &VipSim, params: &Params) -> Value {
    match params.get("type") {
        None => fail(MSG_MISSING),
        Some("inq-pasca") => postpaid_inquiry(sim, params),
        Some("pay-pasca") => postpaid_pay(sim, params),
        Some("status") => status(sim, Kind::Postpaid, params),
        Some(_) => fail(MSG_BAD_TYPE),
    }
}

fn status_matches(available: bool, filter: Option<&str>) -> bool {
    match filter.map(str::to_ascii_lowercase).as_deref() {
        Some("available") => available,
        Some("empty") => !available,
        _ => true,
    }
}

fn game_services(sim: &VipSim, params: &Params) -> Value {
    // Older clients filter with filter_type=game + filter_value, newer ones with filter_game.
    let game = params.get("filter_game").or_else(|| {
        params
            .get("filter_type")
            .filter(|t| t.eq_ignore_ascii_case("game"))
            .and(params.get("filter_value"))
    });
    let status = params.get("filter_status");
    let items: Vec<Value> = sim
        .catalogue()
        .games
        .iter()
        .filter(|g| game.is_none_or(|name| g.game.eq_ignore_ascii_case(name)))
        .filter(|g| status_matches(g.available, status))
        .map(|g| g.to_json())
        .collect();
    ok(Value::Array(items), MSG_SERVICES)
}

fn prepaid_services(sim: &VipSim, params: &Params) -> Value {
    let filter_type = params.get("filter_type").map(str::to_ascii_lowercase);
    let value = params.get("filter_value");
    let status = params.get("filter_status");
    let items: Vec<Value> = sim
        .catalogue()
        .prepaid
        .iter()
        .filter(|p| match (filter_type.as_deref(), value) {
            (Some("type"), Some(v)) => p.type_slug.eq_ignore_ascii_case(v),
            (Some("brand"), Some(v)) => p.brand.eq_ignore_ascii_case(v),
            _ => true,
        })
        .filter(|p| status_matches(p.available, status))
        .map(|p| p.to_json())
        .collect();
    ok(Value::Array(items), MSG_SERVICES)
}

fn nickname(params: &Params) -> Value {
    let (Some(code), Some(target)) = (params.get("code"), params.get("target")) else {
        return fail(MSG_MISSING);
    };
    match catalogue::nickname(code, target, params.get("additional_target")) {
        NicknameAnswer::Found { name, country } => {
            let mut answer = ok(Value::String(name), MSG_NICKNAME);
            if let Some((code, name)) = country {
                answer["country"] = json!({"code": code, "name": name});
            }
            answer
        }
        NicknameAnswer::NotFound => fail(MSG_NO_NICKNAME),
        NicknameAnswer::MissingZone => fail(MSG_MISSING),
        NicknameAnswer::UnknownGame => fail(MSG_NO_SERVICE),
    }
}

fn game_order(sim: &VipSim, params: &Params) -> Value {
    let (Some(service), Some(target)) = (params.get("service"), params.get("data_no")) else {
        return fail(MSG_MISSING);
    };
    let zone = params.get("data_zone");
    let Some(item) = sim.catalogue().game(service).filter(|g| g.available) else {
        return fail(MSG_NO_SERVICE);
    };
    place(
        sim,
        NewOrder {
            kind: Kind::Game,
            service_code: item.code.to_string(),
            service_name: item.display_name(),
            target: target.to_string(),
            zone: zone.map(str::to_string),
            price: item.prices.for_level(&sim.config().level),
            plan: plan_for(target, item.needs_zone && zone.is_none()),
            delivery: Delivery::Game,
        },
    )
}

fn prepaid_order(sim: &VipSim, params: &Params) -> Value {
    let (Some(service), Some(target)) = (params.get("service"), params.get("data_no")) else {
        return fail(MSG_MISSING);
    };
    let Some(item) = sim.catalogue().prepaid(service).filter(|p| p.available) else {
        return fail(MSG_NO_SERVICE);
    };
    place(
        sim,
        NewOrder {
            kind: Kind::Prepaid,
            service_code: item.code.clone(),
            service_name: item.name.clone(),
            target: target.to_string(),
            zone: None,
            price: item.prices.for_level(&sim.config().level),
            plan: plan_for(target, false),
            delivery: if item.type_slug == "token-pln" {
                Delivery::PlnToken
            } else {
                Delivery::Voucher
            },
        },
    )
}

/// Debits and records an order; answers like VIP's `order` (`zone` only for games).
fn place(sim: &VipSim, new: NewOrder) -> Value {
    let kind = new.kind;
    let placed = sim.with_state(|s| {
        let order = s.place(new, Instant::now())?;
        let (json, created) = (order.to_json(), order.created);
        Some((json, created, s.balance))
    });
    let Some((mut data, created, balance)) = placed else {
        return fail(MSG_NO_BALANCE);
    };
    sim.schedule(created);
    data["balance"] = json!(balance);
    if kind != Kind::Game {
        if let Some(map) = data.as_object_mut() {
            map.remove("zone");
        }
    }
    ok(data, MSG_ORDER)
}

fn status(sim: &VipSim, kind: Kind, params: &Params) -> Value {
    if let Some(trxid) = params.get("trxid") {
        let found = sim.with_state(|s| {
            s.orders
                .iter()
                .find(|o| o.kind == kind && o.trxid == trxid)
                .map(|o| o.to_json())
        });
        return match found {
            Some(order) => ok(json!([order]), MSG_STATUS),
            None => fail(MSG_NO_TRX),
        };
    }
    let Some(limit) = params.get("limit").and_then(|l| l.parse::<usize>().ok()) else {
        return fail(MSG_MISSING);
    };
    let orders: Vec<Value> = sim.with_state(|s| {
        s.orders
            .iter()
            .rev()
            .filter(|o| o.kind == kind)
            .take(limit.min(MAX_LIMIT))
            .map(|o| o.to_json())
            .collect()
    });
    ok(Value::Array(orders), MSG_STATUS)
}

/// The postpaid request's service and customer number, and the bill (or the answer refusing it).
fn postpaid_bill(params: &Params) -> Result<(&str, catalogue::Bill), Value> {
    let (Some(service), Some(customer_no)) = (params.get("service"), params.get("data_no")) else {
        return Err(fail(MSG_MISSING));
    };
    if !service.eq_ignore_ascii_case(PLN_POSTPAID_CODE) {
        return Err(fail(MSG_NO_SERVICE));
    }
    let bill = catalogue::pln_bill(customer_no).ok_or_else(|| fail(MSG_NO_BILL))?;
    Ok((customer_no, bill))
}

fn postpaid_inquiry(sim: &VipSim, params: &Params) -> Value {
    let (customer_no, bill) = match postpaid_bill(params) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    ok(
        json!({
            "data": {"no": customer_no, "name": bill.name},
            "service": PLN_POSTPAID_NAME,
            "balance": sim.balance(),
            "price": {"bill": bill.bill, "admin": bill.admin, "total": bill.total()},
        }),
        MSG_BILL,
    )
}

fn postpaid_pay(sim: &VipSim, params: &Params) -> Value {
    let (customer_no, bill) = match postpaid_bill(params) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    place(
        sim,
        NewOrder {
            kind: Kind::Postpaid,
            service_code: PLN_POSTPAID_CODE.to_string(),
            service_name: PLN_POSTPAID_NAME.to_string(),
            target: customer_no.to_string(),
            zone: None,
            price: bill.total(),
            plan: plan_for(customer_no, false),
            delivery: Delivery::Postpaid,
        },
    )
}
