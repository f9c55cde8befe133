//! The public API (`/api/v1/public/…`): header `key`, the `status/status_code/result/message`
//! envelope, `include`, `limit`/`page` paging under `result.meta.pagination`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;
use time::macros::format_description;
use time::OffsetDateTime;

use super::{Support, TrakteerSim, JAKARTA};

const DEFAULT_LIMIT: u64 = 10;
const MAX_LIMIT: u64 = 100;

/// `2024-05-01 12:30:00`: Jakarta time, no zone, as the API writes it.
pub(super) fn jakarta_text(at: OffsetDateTime) -> String {
    at.to_offset(JAKARTA)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

fn envelope(result: Value) -> Response {
    Json(json!({"status": "success", "status_code": 200, "result": result, "message": "OK"}))
        .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "status": "error",
        "status_code": status.as_u16(),
        "result": null,
        "message": message,
    });
    (status, Json(body)).into_response()
}

/// The `key` header against the configured key, in constant time; an empty key opens nothing.
fn key_ok(sim: &TrakteerSim, headers: &HeaderMap) -> bool {
    let expected = sim.state().config.api_key.clone();
    let presented = headers.get("key").map(|v| v.as_bytes()).unwrap_or_default();
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented))
}

fn unauthenticated() -> Response {
    error(StatusCode::UNAUTHORIZED, "Unauthenticated.")
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    limit: Option<String>,
    page: Option<String>,
    include: Option<String>,
}

struct Paging {
    limit: u64,
    page: u64,
}

impl Paging {
    /// Lenient like the real API: junk falls back to the defaults instead of a 422.
    fn from_query(query: &ListQuery) -> Paging {
        let number = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<u64>().ok());
        Paging {
            limit: number(&query.limit)
                .filter(|&l| l > 0)
                .unwrap_or(DEFAULT_LIMIT)
                .min(MAX_LIMIT),
            page: number(&query.page).filter(|&p| p > 0).unwrap_or(1),
        }
    }

    fn slice<'a, T>(&self, items: impl Iterator<Item = &'a T>) -> impl Iterator<Item = &'a T>
    where
        T: 'a,
    {
        let skip =
            usize::try_from((self.page - 1).saturating_mul(self.limit)).unwrap_or(usize::MAX);
        let take = usize::try_from(self.limit).unwrap_or(usize::MAX);
        items.skip(skip).take(take)
    }

    fn meta(&self, total: usize, count: usize) -> Value {
        let total = total as u64;
        json!({"pagination": {
            "total": total,
            "count": count,
            "per_page": self.limit,
            "current_page": self.page,
            // Laravel's paginator: at least one (empty) page.
            "total_pages": total.div_ceil(self.limit).max(1),
            "links": {},
        }})
    }
}

/// A support as `supports` lists it.
fn support_item(support: &Support, unit_name: &str, includes: &[&str]) -> Value {
    let mut item = json!({
        // Production names the supporter `creator_name` here.
        "creator_name": support.supporter_name,
        "support_message": support.message,
        "quantity": support.quantity,
        "amount": support.total,
        "unit_name": unit_name,
        "status": support.status,
        "updated_at": jakarta_text(support.created_at),
    });
    for &include in includes {
        item[include] = match include {
            "net_amount" => json!(support.net_amount),
            "payment_method" => json!(support.method.slug()),
            "order_id" => json!(support.order_id),
            "supporter_email" => json!(support.supporter_email),
            "is_guest" => json!(true),
            _ => continue,
        };
    }
    item
}

pub(super) async fn supports(
    State(sim): State<TrakteerSim>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if !key_ok(&sim, &headers) {
        return unauthenticated();
    }
    let paging = Paging::from_query(&query);
    let includes: Vec<&str> = query
        .include
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    let state = sim.state();
    let data: Vec<Value> = paging
        .slice(state.supports.iter().rev())
        .map(|s| support_item(s, &state.config.unit_name, &includes))
        .collect();
    let meta = paging.meta(state.supports.len(), data.len());
    drop(state);
    envelope(json!({"data": data, "meta": meta}))
}

/// Supports the account gave: the sandbox creator never gives any.
pub(super) async fn transactions(
    State(sim): State<TrakteerSim>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if !key_ok(&sim, &headers) {
        return unauthenticated();
    }
    let paging = Paging::from_query(&query);
    envelope(json!({"data": [], "meta": paging.meta(0, 0)}))
}

/// The creator's balance: the net of every successful support, as `"6483.00"`.
pub(super) async fn current_balance(
    State(sim): State<TrakteerSim>,
    headers: HeaderMap,
) -> Response {
    if !key_ok(&sim, &headers) {
        return unauthenticated();
    }
    envelope(json!(format!("{}.00", sim.balance())))
}

/// Units given by the supporter with form field `email`.
pub(super) async fn quantity_given(
    State(sim): State<TrakteerSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !key_ok(&sim, &headers) {
        return unauthenticated();
    }
    // Read by hand so that the key is checked before the form.
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let Some(email) = form
        .get("email")
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The email field is required.",
        );
    };
    let given: i64 = sim
        .state()
        .supports
        .iter()
        .filter(|s| s.status == "success")
        .filter(|s| {
            s.supporter_email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .map(|s| s.quantity)
        .sum();
    envelope(json!(given))
}
