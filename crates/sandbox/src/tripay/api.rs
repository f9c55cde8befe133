//! The API under `/api/` and `/api-sandbox/` (spec §3–§5, §8, §11.2): the envelope
//! `{"success", "message", "data"}`, the Bearer key, and the API fault knobs in front of it.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, OriginalUri, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use subtle::ConstantTimeEq;

use super::create;
use super::{Channel, FailBody, FailNext, Transaction, TripaySim, CHANNELS};

/// The longest wait `latency_ms` imposes.
const MAX_LATENCY: Duration = Duration::from_secs(120);
/// `merchant/transactions` pages hold at most this many (spec §5.3).
const MAX_PER_PAGE: usize = 50;

pub(super) fn success(data: Value) -> Response {
    Json(json!({"success": true, "message": "", "data": data})).into_response()
}

pub(super) fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "message": message}))).into_response()
}

/// Latency, hang, authentication, IP allow-list and `fail_next`, in that order.
pub(super) async fn gate(State(sim): State<TripaySim>, request: Request, next: Next) -> Response {
    let faults = sim.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms).min(MAX_LATENCY)).await;
    }
    if faults.hang {
        // The client gives up; dropping this future is the only way out.
        std::future::pending::<()>().await;
    }
    if faults.auth_fail || !authorized(&sim, request.headers()) {
        return refuse(StatusCode::UNAUTHORIZED, "Invalid API Key");
    }
    if faults.ip_block {
        let ip = caller_ip(&request);
        let message = format!(
            "Unauthorized IP ({ip}). Please add this IP to your merchant Whitelist IP ({})",
            sim.config().merchant_code
        );
        return refuse(StatusCode::FORBIDDEN, &message);
    }
    if let Some(fail) = sim.take_fail_next() {
        if fail.created {
            drop(next.run(request).await);
        }
        return failure(&fail);
    }
    next.run(request).await
}

fn authorized(sim: &TripaySim, headers: &HeaderMap) -> bool {
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    let expected = sim.config().api_key.as_bytes();
    !presented.is_empty() && bool::from(expected.ct_eq(presented.as_bytes()))
}

/// The peer address when the server records it, else the first forwarded hop.
fn caller_ip(request: &Request) -> String {
    if let Some(ConnectInfo(addr)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        return addr.ip().to_string();
    }
    request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().chars().take(45).collect())
        .filter(|v: &String| !v.is_empty())
        .unwrap_or_else(|| "127.0.0.1".into())
}

fn failure(fail: &FailNext) -> Response {
    let status = StatusCode::from_u16(fail.http)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match fail.body {
        FailBody::None => status.into_response(),
        FailBody::Html => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let code = status.as_u16();
            let page = format!(
                "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} \
                 {reason}</h1></center><hr><center>nginx</center></body></html>"
            );
            (status, [(CONTENT_TYPE, "text/html")], page).into_response()
        }
        FailBody::JsonError => (status, Json(json!({"message": "Server Error"}))).into_response(),
    }
}

/// `0.7` as a JSON number (`0` when whole), as `fee_merchant.percent` is written.
fn percent_number(bps: i64) -> Value {
    if bps % 100 == 0 {
        json!(bps / 100)
    } else {
        // Hundredths of a percent: exact enough in an f64 for a display figure.
        json!(bps as f64 / 100.0)
    }
}

/// `"0.70"`, as `total_fee.percent` is written.
fn percent_text(bps: i64) -> String {
    format!("{}.{:02}", bps / 100, bps % 100)
}

fn channel_json(sim: &TripaySim, channel: &Channel) -> Value {
    let on_customer = sim.config().fee_on_customer;
    let fee = json!({"flat": channel.flat, "percent": percent_number(channel.percent_bps)});
    let none = json!({"flat": 0, "percent": 0});
    let (fee_merchant, fee_customer) = if on_customer {
        (none, fee)
    } else {
        (fee, none)
    };
    json!({
        "group": channel.group,
        "code": channel.code,
        "name": channel.name,
        "type": "direct",
        "fee_merchant": fee_merchant,
        "fee_customer": fee_customer,
        "total_fee": {"flat": channel.flat, "percent": percent_text(channel.percent_bps)},
        "minimum_fee": channel.flat,
        "maximum_fee": null,
        "minimum_amount": channel.min_amount,
        "maximum_amount": channel.max_amount,
        "icon_url": format!("https://sandbox.invalid/tripay/{}.png", channel.code.to_ascii_lowercase()),
        "active": !sim.faults().channel_inactive,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeQuery {
    code: Option<String>,
    amount: Option<String>,
}

pub(super) async fn payment_channels(
    State(sim): State<TripaySim>,
    Query(query): Query<CodeQuery>,
) -> Response {
    let list: Vec<Value> = CHANNELS
        .iter()
        .filter(|c| query.code.as_deref().is_none_or(|code| code == c.code))
        .map(|c| channel_json(&sim, c))
        .collect();
    success(Value::Array(list))
}

pub(super) async fn fee_calculator(
    State(sim): State<TripaySim>,
    Query(query): Query<CodeQuery>,
) -> Response {
    let Some(amount) = query
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    else {
        return refuse(StatusCode::BAD_REQUEST, "The amount field is required.");
    };
    let Some(amount) = amount.parse::<i64>().ok().filter(|a| *a >= 0) else {
        return refuse(StatusCode::BAD_REQUEST, "The amount must be an integer.");
    };
    let chosen: Vec<&Channel> = CHANNELS
        .iter()
        .filter(|c| query.code.as_deref().is_none_or(|code| code == c.code))
        .collect();
    if chosen.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "Payment channel not found");
    }
    let on_customer = sim.config().fee_on_customer;
    let list: Vec<Value> = chosen
        .into_iter()
        .map(|c| {
            let fee = c.fee(amount);
            let (merchant, customer) = if on_customer { (0, fee) } else { (fee, 0) };
            json!({
                "code": c.code,
                "name": c.name,
                "fee": {"flat": c.flat, "percent": percent_text(c.percent_bps), "min": null, "max": null},
                "total_fee": {"merchant": merchant, "customer": customer},
            })
        })
        .collect();
    success(Value::Array(list))
}

/// Where the router is mounted (`/sandbox/tripay`), from the full path and the matched one.
pub(super) fn mount_base(original: &Uri, inner: &Uri) -> String {
    let full = original.path();
    let base = match full.strip_suffix(inner.path()) {
        Some(base) => base,
        None if inner.path() == "/" => full,
        None => "",
    };
    base.trim_end_matches('/').to_string()
}

pub(super) async fn create(
    State(sim): State<TripaySim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let links = sim
        .config()
        .public_base
        .clone()
        .unwrap_or_else(|| mount_base(&original, &uri));
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let result = create::read_body(content_type, &body)
        .and_then(|value| create::parse(&value))
        .and_then(|request| sim.create(request, &links));
    match result {
        Ok(tx) => success(view(&tx, View::Create)),
        Err((status, message)) => refuse(status, &message),
    }
}

/// Which answer a transaction appears in: they differ in their extra fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum View {
    Create,
    /// `paid_at` as a string, as the docs' detail sample writes it.
    Detail,
    /// `created_at`, `expired_at`, `paid_at` (integer), `note`.
    Listing,
}

pub(super) fn view(tx: &Transaction, which: View) -> Value {
    let items: Vec<Value> = tx
        .order_items
        .iter()
        .map(|i| {
            json!({
                "sku": i.sku, "name": i.name, "price": i.price, "quantity": i.quantity,
                "subtotal": i.price.saturating_mul(i.quantity),
                "product_url": i.product_url, "image_url": i.image_url,
            })
        })
        .collect();
    let mut data = json!({
        "reference": tx.reference,
        "merchant_ref": tx.merchant_ref,
        "payment_selection_type": "static",
        "payment_method": tx.method,
        "payment_name": tx.method_name,
        "customer_name": tx.customer_name,
        "customer_email": tx.customer_email,
        "customer_phone": tx.customer_phone,
        "callback_url": tx.callback_url,
        "return_url": tx.return_url,
        "amount": tx.amount,
        "fee_merchant": tx.fee_merchant,
        "fee_customer": tx.fee_customer,
        "total_fee": tx.total_fee,
        "amount_received": tx.amount_received,
        "pay_code": tx.pay_code,
        "pay_url": null,
        "checkout_url": tx.checkout_url,
        "status": tx.status.as_str(),
        "expired_time": tx.expired_time,
        "order_items": items,
        "instructions": [instructions(tx)],
        "qr_string": tx.qr_string,
        "qr_url": tx.qr_url,
    });
    if let Value::Object(map) = &mut data {
        extra_fields(map, tx, which);
    }
    data
}

fn extra_fields(map: &mut Map<String, Value>, tx: &Transaction, which: View) {
    match which {
        View::Create => {}
        View::Detail => {
            map.insert("paid_at".into(), json!(tx.paid_at.map(|t| t.to_string())));
            map.insert("note".into(), json!(tx.note));
        }
        View::Listing => {
            map.insert("created_at".into(), json!(tx.created_at));
            map.insert("expired_at".into(), json!(tx.expired_time));
            map.insert("paid_at".into(), json!(tx.paid_at));
            map.insert("note".into(), json!(tx.note));
        }
    }
}

fn instructions(tx: &Transaction) -> Value {
    if tx.qr_url.is_some() {
        json!({"title": "Pembayaran via QRIS", "steps": [
            "Buka aplikasi e-wallet atau mobile banking yang mendukung QRIS.",
            "Pindai kode QR yang tampil di layar.",
            "Periksa nominal dan nama merchant, lalu konfirmasi pembayaran.",
            "Transaksi selesai. Simpan bukti pembayaran Anda."
        ]})
    } else {
        json!({"title": "Pembayaran via Virtual Account", "steps": [
            "Pilih menu transfer ke virtual account di aplikasi bank Anda.",
            format!("Masukkan nomor virtual account {}.", tx.pay_code.as_deref().unwrap_or("-")),
            "Periksa nominal lalu konfirmasi pembayaran."
        ]})
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReferenceQuery {
    reference: Option<String>,
}

fn by_reference(
    sim: &TripaySim,
    query: &ReferenceQuery,
) -> Result<Transaction, (StatusCode, &'static str)> {
    let Some(reference) = query
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    else {
        return Err((StatusCode::BAD_REQUEST, "The reference field is required."));
    };
    sim.transaction(reference)
        .filter(|tx| tx.reference == reference)
        .ok_or((StatusCode::NOT_FOUND, "Transaction not found"))
}

pub(super) async fn detail(
    State(sim): State<TripaySim>,
    Query(query): Query<ReferenceQuery>,
) -> Response {
    match by_reference(&sim, &query) {
        Ok(tx) => success(view(&tx, View::Detail)),
        Err((status, message)) => refuse(status, message),
    }
}

/// The prose answer of §5.2: the status inside a sentence, no `data`.
pub(super) async fn check_status(
    State(sim): State<TripaySim>,
    Query(query): Query<ReferenceQuery>,
) -> Response {
    match by_reference(&sim, &query) {
        Ok(tx) => Json(json!({
            "success": true,
            "message": format!("Status transaksi saat ini {}", tx.status.as_str()),
        }))
        .into_response(),
        Err((status, message)) => refuse(status, message),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    sort: Option<String>,
    reference: Option<String>,
    merchant_ref: Option<String>,
    method: Option<String>,
    status: Option<String>,
}

/// `merchant/transactions` with the filters and pagination of §5.3 (newest first by default).
pub(super) async fn transactions(
    State(sim): State<TripaySim>,
    Query(query): Query<ListQuery>,
) -> Response {
    let wanted = |filter: &Option<String>, value: &str| {
        filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .is_none_or(|f| f.eq_ignore_ascii_case(value))
    };
    let ascending = query.sort.as_deref() == Some("asc");
    let mut matching: Vec<Transaction> = sim
        .transactions()
        .into_iter()
        .filter(|tx| {
            wanted(&query.reference, &tx.reference)
                && wanted(&query.merchant_ref, &tx.merchant_ref)
                && wanted(&query.method, &tx.method)
                && wanted(&query.status, tx.status.as_str())
        })
        .collect();
    if !ascending {
        matching.reverse();
    }
    let number =
        |text: &Option<String>| text.as_deref().and_then(|t| t.trim().parse::<usize>().ok());
    let per_page = number(&query.per_page)
        .unwrap_or(MAX_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let total = matching.len();
    let last_page = total.div_ceil(per_page).max(1);
    let page = number(&query.page).unwrap_or(1).clamp(1, last_page);
    let from = (page - 1) * per_page;
    let list: Vec<Value> = matching
        .iter()
        .skip(from)
        .take(per_page)
        .map(|tx| view(tx, View::Listing))
        .collect();
    let to = from + list.len();
    Json(json!({
        "success": true,
        "message": "Success",
        "data": list,
        "pagination": {
            "sort": if ascending { "asc" } else { "desc" },
            "offset": {"from": if list.is_empty() { 0 } else { from + 1 }, "to": to},
            "current_page": page,
            "previous_page": (page > 1).then(|| page - 1),
            "next_page": (page < last_page).then(|| page + 1),
            "last_page": last_page,
            "per_page": per_page,
            "total_records": total,
        },
    }))
    .into_response()
}
