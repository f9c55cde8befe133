//! The five API endpoints: body checks, authentication, faults, and one function per command.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Map, Value};
use subtle::ConstantTimeEq;
use time::macros::offset;

use super::catalogue::{
    self, digits_from, pasca_bill, plan_for, pln_inquiry, pln_token_sn, rc_entry, rc_message,
    serial, stable_hash, test_pasca, test_plan, PascaCase, Plan, PASCA, PREPAID, TEST_BALANCE,
    TEST_PRICE, TEST_SKU, TEST_SN,
};
use super::state::{NewTrx, TrxKind};
use super::{sign, DepositTicket, DigiflazzSim, Fault};

/// Digiflazz's request bodies are a handful of short fields.
const MAX_BODY: usize = 64 * 1024;
/// The postpaid SKU the simulator serves.
const PLN_PASCA: &str = "pln";
/// The SN of a documented postpaid test payment.
const TEST_PASCA_SN: &str = "S1234554321N";
const MSG_NO_METER: &str = "IDPEL/No Meter salah";

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

/// The fields of a `/v1/transaction` request.
struct TrxRequest {
    commands: Option<String>,
    sku: String,
    customer_no: String,
    ref_id: String,
    testing: bool,
    max_price: Option<i64>,
    cb_url: Option<String>,
}

impl TrxRequest {
    /// A refusal that echoes the request (no transaction formed).
    fn refusal(&self, rc: &str, balance: i64, price: i64) -> Value {
        json!({
            "ref_id": self.ref_id,
            "customer_no": self.customer_no,
            "buyer_sku_code": self.sku,
            "message": rc_message(rc),
            "status": "Gagal",
            "rc": rc,
            "sn": "",
            "buyer_last_saldo": balance,
            "price": price,
        })
    }
}

/// What a forced rc does to a new transaction: a plan, or (not formed) a refusal.
fn forced_plan(rc: &'static str) -> Result<Plan, &'static str> {
    match rc_entry(rc) {
        Some(("00", _, _)) => Ok(Plan::Succeed),
        Some(("03", _, _)) => Ok(Plan::Pending(true)),
        Some(("99", _, _)) => Ok(Plan::PendingAs("99")),
        Some((rc, _, true)) => Ok(Plan::Fail(rc)),
        _ => Err(rc),
    }
}

/// `YYYYMM` of the current month in Jakarta: the period of a production postpaid bill.
fn this_month() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(offset!(+7));
    format!("{}{:02}", now.year(), u8::from(now.month()))
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

    fn price_list(&self) -> Result<Value, Value> {
        let cmd = match self.body.required("cmd")? {
            "prepaid" => "prepaid",
            "pasca" => "pasca",
            _ => return Err(payload_error("cmd")),
        };
        let code = self.body.text("code")?;
        let category = self.body.text("category")?;
        let brand = self.body.text("brand")?;
        let kind = self.body.text("type")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate("pricelist")?;

        if code.is_none() {
            let every = self.sim.config().price_list_every;
            let now = Instant::now();
            let limited = self.sim.with_state(|s| {
                let too_soon = !every.is_zero()
                    && s.last_full_list
                        .get(cmd)
                        .is_some_and(|last| now < *last + every);
                if !too_soon {
                    s.last_full_list.insert(cmd, now);
                }
                too_soon
            });
            if limited {
                return Err(refusal("83"));
            }
        }
        let matches =
            |field: Option<&str>, value: &str| field.is_none_or(|f| f.eq_ignore_ascii_case(value));
        let items: Vec<Value> = if cmd == "prepaid" {
            let available: Vec<bool> = self
                .sim
                .with_state(|s| PREPAID.iter().map(|p| s.is_available(p)).collect());
            PREPAID
                .iter()
                .zip(available)
                .filter(|(p, _)| {
                    matches(code, p.sku)
                        && matches(category, p.category)
                        && matches(brand, p.brand)
                        && matches(kind, "Umum")
                })
                .map(|(p, available)| {
                    let (unlimited_stock, stock, seller) = if available == p.available() {
                        (p.unlimited_stock, p.stock, p.seller_product_status)
                    } else if available {
                        (true, 0, true)
                    } else {
                        (false, 0, p.seller_product_status)
                    };
                    let (start, end) = p.cut_off();
                    json!({
                        "product_name": p.product_name,
                        "category": p.category,
                        "brand": p.brand,
                        "type": "Umum",
                        "seller_name": p.seller_name(),
                        "price": p.price,
                        "buyer_sku_code": p.sku,
                        "buyer_product_status": true,
                        "seller_product_status": seller,
                        "unlimited_stock": unlimited_stock,
                        "stock": stock,
                        "multi": p.multi(),
                        "start_cut_off": start,
                        "end_cut_off": end,
                        "desc": p.desc(),
                    })
                })
                .collect()
        } else {
            PASCA
                .iter()
                .filter(|p| matches(code, p.sku) && matches(brand, p.brand))
                .map(|p| {
                    json!({
                        "product_name": p.product_name,
                        "category": "Pascabayar",
                        "brand": p.brand,
                        "seller_name": "Li***",
                        "admin": p.admin,
                        "commission": p.commission,
                        "buyer_sku_code": p.sku,
                        "buyer_product_status": true,
                        "seller_product_status": true,
                        "desc": p.desc,
                    })
                })
                .collect()
        };
        Ok(Value::Array(items))
    }

    fn transaction(&self) -> Result<Value, Value> {
        let commands = self.body.text("commands")?.map(str::to_string);
        let request = TrxRequest {
            sku: self.body.required("buyer_sku_code")?.to_string(),
            customer_no: self.body.required("customer_no")?.to_string(),
            ref_id: self.body.required("ref_id")?.to_string(),
            testing: self.body.boolean("testing")?.unwrap_or(false),
            max_price: self.body.integer("max_price")?,
            cb_url: self.body.text("cb_url")?.map(str::to_string),
            commands,
        };
        // Accepted and ignored: `allow_dot` (dots are never refused here) and old clients' `msg`.
        self.body.boolean("allow_dot")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate(&request.ref_id)?;
        let development = self.sim.config().is_development();
        // A development key answers only test transactions, and says so as a wrong signature.
        if development && !request.testing {
            return Err(refusal("41"));
        }
        match request.commands.as_deref() {
            None => Ok(self.topup(&request, development)),
            Some("inq-pasca") => Ok(self.inquire(&request, development)),
            Some("pay-pasca") => Ok(self.pay(&request, development)),
            Some("status-pasca") => Ok(self.pasca_status(&request)),
            Some(_) => Err(payload_error("commands")),
        }
    }

    fn topup(&self, request: &TrxRequest, development: bool) -> Value {
        let now = Instant::now();
        let (data, pending) = self.sim.with_state(|s| {
            if let Some(i) = s.find(&request.ref_id) {
                let t = &s.trxs[i];
                let same_request = matches!(t.kind, TrxKind::Topup)
                    && t.sku.eq_ignore_ascii_case(&request.sku)
                    && t.customer_no == request.customer_no;
                return if same_request {
                    (t.to_json(), false)
                } else {
                    (request.refusal("49", s.balance, 0), false)
                };
            }
            let (price, plan, success_sn) = if development {
                if !request.sku.eq_ignore_ascii_case(TEST_SKU) {
                    return (refusal("41"), false);
                }
                (
                    TEST_PRICE,
                    test_plan(&request.customer_no),
                    TEST_SN.to_string(),
                )
            } else {
                let Some(product) = catalogue::product(&request.sku) else {
                    return (request.refusal("43", s.balance, 0), false);
                };
                let price = product.price;
                let plan = match s.forced_rc.map(forced_plan) {
                    Some(Ok(plan)) => plan,
                    Some(Err(rc)) => return (request.refusal(rc, s.balance, price), false),
                    None if !s.is_available(product) => {
                        return (request.refusal("68", s.balance, price), false)
                    }
                    None if request.max_price.is_some_and(|max| max < price) => {
                        return (request.refusal("69", s.balance, price), false)
                    }
                    None => plan_for(&request.customer_no),
                };
                let success_sn = match product.pln_nominal() {
                    Some(nominal) => pln_token_sn(&request.ref_id, &request.customer_no, nominal),
                    None => serial(&request.ref_id),
                };
                (price, plan, success_sn)
            };
            if !development && plan.charges() && price > s.balance {
                return (request.refusal("44", s.balance, price), false);
            }
            let i = s.create(
                NewTrx {
                    ref_id: request.ref_id.clone(),
                    sku: request.sku.clone(),
                    customer_no: request.customer_no.clone(),
                    testing: development,
                    price,
                    plan,
                    success_sn,
                    cb_url: request.cb_url.clone(),
                },
                now,
            );
            let t = &s.trxs[i];
            (t.to_json(), t.pending_since.is_some())
        });
        if pending {
            self.sim.schedule(now);
        }
        data
    }

    /// `inq-pasca`: records the bill (or the failure) under a fresh `ref_id`.
    fn inquire(&self, request: &TrxRequest, development: bool) -> Value {
        self.sim.with_state(|s| {
            if s.find(&request.ref_id).is_some() {
                return request.refusal("49", s.balance, 0);
            }
            if !request.sku.eq_ignore_ascii_case(PLN_PASCA) {
                return if development {
                    refusal("41")
                } else {
                    request.refusal("43", s.balance, 0)
                };
            }
            let case = if development {
                test_pasca(&request.customer_no)
            } else {
                pasca_bill(&request.customer_no, &this_month())
            };
            let bill = match case {
                PascaCase::Bill(bill, _) => Ok(bill),
                PascaCase::NoBill(rc) => Err(rc),
            };
            let i = s.record_inquiry(
                NewTrx {
                    ref_id: request.ref_id.clone(),
                    sku: request.sku.clone(),
                    customer_no: request.customer_no.clone(),
                    testing: development,
                    price: 0,
                    plan: Plan::Succeed,
                    success_sn: if development {
                        TEST_PASCA_SN.to_string()
                    } else {
                        serial(&request.ref_id)
                    },
                    cb_url: request.cb_url.clone(),
                },
                bill,
            );
            s.trxs[i].to_json()
        })
    }

    /// `pay-pasca`: pays the bill of the inquiry with the same `ref_id`.
    fn pay(&self, request: &TrxRequest, development: bool) -> Value {
        let now = Instant::now();
        let (data, pending) = self.sim.with_state(|s| {
            let saldo = if development { TEST_BALANCE } else { s.balance };
            let Some(i) = s.find(&request.ref_id) else {
                return (request.refusal("50", saldo, 0), false);
            };
            let t = &s.trxs[i];
            let same_request = t.is_pasca()
                && t.sku.eq_ignore_ascii_case(&request.sku)
                && t.customer_no == request.customer_no;
            if !same_request {
                return (request.refusal("49", saldo, 0), false);
            }
            // Paid already, or nothing to pay: the record as it stands.
            if matches!(
                t.kind,
                TrxKind::Pasca { paid: true, .. } | TrxKind::Pasca { bill: None, .. }
            ) {
                return (t.to_json(), false);
            }
            let price = t.price;
            let plan = if development {
                match test_pasca(&request.customer_no) {
                    PascaCase::Bill(_, plan) => plan,
                    PascaCase::NoBill(rc) => Plan::Fail(rc),
                }
            } else {
                match s.forced_rc.map(forced_plan) {
                    Some(Ok(plan)) => plan,
                    Some(Err(rc)) => return (request.refusal(rc, saldo, price), false),
                    None => plan_for(&request.customer_no),
                }
            };
            if !development && plan.charges() && price > s.balance {
                return (request.refusal("44", saldo, price), false);
            }
            s.pay(i, plan, request.cb_url.clone(), now);
            let t = &s.trxs[i];
            (t.to_json(), t.pending_since.is_some())
        });
        if pending {
            self.sim.schedule(now);
        }
        data
    }

    /// `status-pasca`: the payment under this `ref_id`.
    fn pasca_status(&self, request: &TrxRequest) -> Value {
        self.sim.with_state(|s| {
            let Some(i) = s.find(&request.ref_id) else {
                return request.refusal("50", s.balance, 0);
            };
            let t = &s.trxs[i];
            let same_request = t.is_pasca()
                && t.sku.eq_ignore_ascii_case(&request.sku)
                && t.customer_no == request.customer_no;
            match &t.kind {
                _ if !same_request => request.refusal("49", s.balance, 0),
                TrxKind::Pasca {
                    paid: false,
                    bill: Some(_),
                } => {
                    // An inquiry nobody paid: there is no payment to report.
                    request.refusal("50", s.balance, 0)
                }
                _ => t.to_json(),
            }
        })
    }

    fn inquiry_pln(&self) -> Result<Value, Value> {
        let customer_no = self.body.required("customer_no")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate(customer_no)?;
        if self.sim.forced_rc() == Some("86") {
            return Ok(
                json!({"message": rc_message("86"), "status": "Gagal", "rc": "86",
                             "customer_no": customer_no}),
            );
        }
        Ok(match pln_inquiry(customer_no) {
            Some(owner) => json!({
                "message": rc_message("00"),
                "status": "Sukses",
                "rc": "00",
                "customer_no": customer_no,
                "meter_no": owner.meter_no,
                "subscriber_id": owner.subscriber_id,
                "name": owner.name,
                "segment_power": owner.segment_power,
            }),
            None => json!({
                "message": MSG_NO_METER,
                "status": "Gagal",
                "rc": "54",
                "customer_no": customer_no,
                "meter_no": "",
                "subscriber_id": "",
                "name": "",
                "segment_power": "",
            }),
        })
    }

    fn deposit(&self) -> Result<Value, Value> {
        let amount = self
            .body
            .integer("amount")?
            .filter(|a| *a > 0)
            .ok_or_else(|| payload_error("amount"))?;
        // The doc's example spells it `Bank`, its table `bank`.
        let bank = match self.body.text("bank")? {
            Some(bank) => bank,
            None => self.body.required("Bank")?,
        };
        let owner_name = self.body.required("owner_name")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate("deposit")?;

        let (bank, method, account_no) = match bank.to_ascii_uppercase().as_str() {
            "BCA" => ("BCA", "Bank Transfer", "0123 4567 89"),
            "MANDIRI" => ("MANDIRI", "Bank Transfer", "123 00 0456789 0"),
            "BRI" => ("BRI", "Bank Transfer", "0123 01 000456 50 1"),
            "BNI" => ("BNI", "Bank Transfer", "0123456789"),
            "FLIP" => ("Flip", "Virtual Account", "8808 0812 3456 7890"),
            "SHOPEEPAY" => ("ShopeePay", "Virtual Account", "8930 0812 3456 7890"),
            _ => return Err(refusal("64")),
        };
        let ticket = self.sim.with_state(|s| {
            let seed = format!("{}:{amount}:{owner_name}:{bank}", s.deposits.len());
            let h = stable_hash(&[&seed]);
            const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            let notes: String = (0..7)
                .map(|i| char::from(LETTERS[((h >> (i * 5)) % LETTERS.len() as u64) as usize]))
                .collect();
            let unique: i64 = digits_from(&seed, 3).parse::<i64>().unwrap_or(0) % 999 + 1;
            let ticket = DepositTicket {
                bank: bank.to_string(),
                owner_name: owner_name.to_string(),
                amount: amount + unique,
                notes,
            };
            s.deposits.push(ticket.clone());
            ticket
        });
        Ok(json!({
            "rc": "00",
            "bank": ticket.bank,
            "payment_method": method,
            "account_no": account_no,
            "notes": ticket.notes,
            "amount": ticket.amount,
        }))
    }
}
