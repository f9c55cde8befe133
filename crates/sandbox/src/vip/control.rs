//! The control page (`GET /`) and the knobs (`POST /control`, form or JSON).

use std::fmt::Write as _;
use std::time::Duration;

use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::catalogue::NAMED_ACCOUNTS;
use super::{Fault, SimOrder, VipSim};
use crate::control_value::Scalar;
use crate::html::escape;

pub(crate) fn control_routes() -> Router<VipSim> {
    Router::new()
        .route("/", get(page))
        .route("/control", post(control))
        .route("/control/counts", get(counts))
}

/// The mount point, from the full path of a request to `suffix` under it.
fn mount_point(uri: &OriginalUri, suffix: &str) -> String {
    let path = uri.0.path();
    path.strip_suffix(suffix)
        .unwrap_or(path)
        .trim_end_matches('/')
        .to_string()
}

fn fault_label(fault: Option<&Fault>) -> String {
    match fault {
        None => "none".to_string(),
        Some(Fault::Slow(d)) => format!("slow ({} ms)", d.as_millis()),
        Some(Fault::ServerError) => "server_error".to_string(),
        Some(Fault::Malformed) => "malformed".to_string(),
        Some(Fault::Maintenance) => "maintenance".to_string(),
        Some(Fault::DropOrderAnswer) => "drop_order_answer".to_string(),
        Some(Fault::FailOrders) => "fail_orders".to_string(),
    }
}

async fn page(State(sim): State<VipSim>, uri: OriginalUri) -> Html<String> {
    let base = mount_point(&uri, "/");
    let action = format!("{base}/control");
    let config = sim.config();
    let orders = sim.orders();
    let fault = sim.fault();
    let callback = sim.callback_url().unwrap_or_default();

    let mut html = String::new();
    let _ = write!(
        html,
        r#"<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VIP Reseller sandbox</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;font-size:.9rem}}
form{{display:inline-block;margin:.2rem .6rem .2rem 0}}fieldset{{margin:.8rem 0}}code{{background:#f3f3f3;padding:0 .2rem}}</style>
</head><body><h1>VIP Reseller sandbox</h1>
<p>API base: <code>{base}/api/</code> · API ID <code>{api_id}</code> · user <code>{user}</code> · level <b>{level}</b></p>
<p>Saldo: <b>Rp {balance}</b> · fault: <b>{fault}</b> · order requests: {requests} · callback: <code>{callback}</code></p>"#,
        base = escape(&base),
        api_id = escape(&config.api_id),
        user = escape(&config.username),
        level = escape(&config.level),
        balance = sim.balance(),
        fault = escape(&fault_label(fault.as_ref())),
        requests = sim.order_requests(),
        callback = escape(if callback.is_empty() { "-" } else { &callback }),
    );
    let action = escape(&action);
    let _ = write!(
        html,
        r#"<fieldset><legend>Knobs</legend>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_balance">
<input name="balance" type="number" required placeholder="saldo"> <button>Set saldo</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_fault">
<select name="fault"><option value="none">no fault</option><option value="slow">slow</option>
<option value="server_error">HTTP 500</option><option value="malformed">malformed JSON</option>
<option value="maintenance">maintenance</option><option value="drop_order_answer">drop order answer</option>
<option value="fail_orders">orders fail (out of stock)</option></select>
<input name="slow_ms" type="number" value="30000" min="0"> ms <button>Set fault</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_callback_url">
<input name="callback_url" type="url" size="40" placeholder="https://…/callback" value="{callback}"> <button>Set callback</button></form>
</fieldset>"#,
        callback = escape(&callback),
    );
    html.push_str(
        "<h2>Orders</h2><table><tr><th>#</th><th>trxid</th><th>service</th><th>target</th>\
         <th>status</th><th>note</th><th>price</th><th></th></tr>",
    );
    for order in orders.iter().rev() {
        row(&mut html, order, &action);
    }
    if orders.is_empty() {
        html.push_str("<tr><td colspan=\"8\">No orders yet.</td></tr>");
    }
    html.push_str(
        "</table><h2>Test data</h2><ul>\
         <li><code>data_no</code> ending in <code>2</code> fails (<i>Nomor tujuan salah.</i>, \
         refunded); ending in <code>3</code> stays processing until released; anything else \
         succeeds with an SN.</li>\
         <li>Game ids starting with <code>9</code> are unknown; PLN postpaid numbers ending in \
         <code>9</code> have no bill.</li>",
    );
    for (game, id, zone, name) in NAMED_ACCOUNTS {
        let _ = write!(
            html,
            "<li><code>{}</code> <code>{}</code>{} → {}</li>",
            escape(game),
            escape(id),
            zone.map(|z| format!(" zone <code>{}</code>", escape(z)))
                .unwrap_or_default(),
            escape(name)
        );
    }
    html.push_str("</ul></body></html>");
    Html(html)
}

fn row(html: &mut String, order: &SimOrder, action: &str) {
    let zone = order
        .zone
        .as_deref()
        .map(|z| format!(" ({})", escape(z)))
        .unwrap_or_default();
    let _ = write!(
        html,
        "<tr><td>{}</td><td><code>{}</code></td><td>{}<br><small>{}</small></td><td>{}{}</td>\
         <td>{}</td><td>{}</td><td>{}</td><td>",
        order.index,
        escape(&order.trxid),
        escape(&order.service_name),
        escape(&order.service),
        escape(&order.target),
        zone,
        escape(&order.status),
        escape(&order.note),
        order.price,
    );
    if order.status == "waiting" || order.status == "processing" {
        for (success, label) in [(true, "Release: success"), (false, "Release: error")] {
            let _ = write!(
                html,
                r#"<form method="post" action="{action}"><input type="hidden" name="action" value="release">
<input type="hidden" name="trxid" value="{trxid}"><input type="hidden" name="success" value="{success}">
<button>{label}</button></form>"#,
                trxid = escape(&order.trxid),
            );
        }
    }
    html.push_str("</td></tr>");
}

#[derive(Deserialize)]
struct ControlRequest {
    action: String,
    balance: Option<Scalar>,
    fault: Option<Scalar>,
    slow_ms: Option<Scalar>,
    trxid: Option<Scalar>,
    success: Option<Scalar>,
    callback_url: Option<Scalar>,
}

fn apply(sim: &VipSim, request: ControlRequest) -> Result<(), String> {
    match request.action.trim() {
        "set_balance" => {
            let balance = request
                .balance
                .as_ref()
                .and_then(Scalar::int)
                .ok_or("balance must be a whole number")?;
            sim.set_balance(balance);
        }
        "clear_fault" => sim.clear_fault(),
        "set_fault" => {
            let name = request.fault.as_ref().map(Scalar::text).unwrap_or_default();
            let fault = match name.as_str() {
                "" | "none" => None,
                "slow" => {
                    let ms = request
                        .slow_ms
                        .as_ref()
                        .and_then(Scalar::int)
                        .and_then(|ms| u64::try_from(ms).ok())
                        .ok_or("slow needs slow_ms, a number of milliseconds")?;
                    Some(Fault::Slow(Duration::from_millis(ms)))
                }
                "server_error" => Some(Fault::ServerError),
                "malformed" => Some(Fault::Malformed),
                "maintenance" => Some(Fault::Maintenance),
                "drop_order_answer" => Some(Fault::DropOrderAnswer),
                "fail_orders" => Some(Fault::FailOrders),
                other => return Err(format!("unknown fault '{other}'")),
            };
            match fault {
                Some(fault) => sim.set_fault(fault),
                None => sim.clear_fault(),
            }
        }
        "release" => {
            let trxid = request
                .trxid
                .as_ref()
                .map(Scalar::text)
                .ok_or("release needs trxid")?;
            let success = match &request.success {
                None => true,
                Some(s) => s.bool().ok_or("success must be true or false")?,
            };
            if !sim.release(&trxid, success) {
                return Err(format!("no pending order {trxid}"));
            }
        }
        "set_callback_url" => {
            let url = request
                .callback_url
                .as_ref()
                .map(Scalar::text)
                .filter(|u| !u.is_empty());
            if let Some(u) = &url {
                url::Url::parse(u).map_err(|e| format!("bad callback URL: {e}"))?;
            }
            sim.set_callback_url(url);
        }
        other => return Err(format!("unknown action '{other}'")),
    }
    Ok(())
}

fn state_json(sim: &VipSim) -> Value {
    let orders: Vec<Value> = sim
        .orders()
        .iter()
        .map(|o| {
            json!({"trxid": o.trxid, "kind": o.kind, "service": o.service,
                   "service_name": o.service_name, "target": o.target, "zone": o.zone,
                   "status": o.status, "note": o.note, "price": o.price, "index": o.index})
        })
        .collect();
    json!({
        "ok": true,
        "balance": sim.balance(),
        "fault": fault_label(sim.fault().as_ref()),
        "callback_url": sim.callback_url(),
        "order_requests": sim.order_requests(),
        "orders": orders,
    })
}

async fn control(State(sim): State<VipSim>, uri: OriginalUri, request: Request) -> Response {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    let Ok(body) = axum::body::to_bytes(request.into_body(), 64 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let parsed: Result<ControlRequest, String> = if is_json {
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_bytes(&body).map_err(|e| e.to_string())
    };
    let result = parsed.and_then(|request| apply(&sim, request));
    match (result, is_json) {
        (Ok(()), true) => Json(state_json(&sim)).into_response(),
        (Ok(()), false) => {
            let base = mount_point(&uri, "/control");
            Redirect::to(if base.is_empty() { "/" } else { &base }).into_response()
        }
        (Err(error), true) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": error})),
        )
            .into_response(),
        (Err(error), false) => (
            StatusCode::BAD_REQUEST,
            Html(format!(
                "<!doctype html><meta charset=\"utf-8\"><p>{}</p><p><a href=\"{}/\">Back</a></p>",
                escape(&error),
                escape(&mount_point(&uri, "/control"))
            )),
        )
            .into_response(),
    }
}

/// `GET /control/counts`: how many API requests (and order requests) arrived so far.
async fn counts(
    axum::extract::State(sim): axum::extract::State<VipSim>,
) -> axum::Json<serde_json::Value> {
    let (requests, orders) = sim.with_state(|s| (s.requests, s.order_requests));
    axum::Json(serde_json::json!({"requests": requests, "order_requests": orders}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }
}
