//! The control page (`GET /`), the knobs (`POST /control`, form or JSON) and the counters
//! (`GET /control/counts`).

use std::fmt::Write as _;
use std::time::Duration;

use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::catalogue::{NAMED_METER, PREPAID};
use super::{DigiflazzSim, Fault, SimTransaction};
use crate::control_value::Scalar;
use crate::html::escape;

pub(crate) fn control_routes() -> Router<DigiflazzSim> {
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
        Some(Fault::DropAnswer) => "drop_answer".to_string(),
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "aktif"
    } else {
        "mati"
    }
}

async fn page(State(sim): State<DigiflazzSim>, uri: OriginalUri) -> Html<String> {
    let base = mount_point(&uri, "/");
    let mut html = String::new();
    status(&mut html, &sim, &base);
    let action = escape(&format!("{base}/control"));
    knobs(&mut html, &sim, &action);
    transactions(&mut html, &sim.transactions(), &action);
    deposit_tickets(&mut html, &sim);
    test_data(&mut html);
    price_list(&mut html, &sim);
    html.push_str("</body></html>");
    Html(html)
}

/// The head of the page: where the API is, the balance, and every knob's current setting.
fn status(html: &mut String, sim: &DigiflazzSim, base: &str) {
    let config = sim.config();
    let counts = sim.counts();
    let fault = sim.fault();
    let forced = sim.forced_rc().unwrap_or("-");
    let webhook = sim.webhook_url().unwrap_or_default();
    let (dropping, duplicate) = sim.with_state(|s| (s.drop_webhooks, s.webhook_copies > 1));
    let mode = if config.is_development() {
        "Development (kunci dev-…: hanya transaksi testing)"
    } else {
        "Produksi"
    };
    let pending = match config.pending_for {
        Some(d) => format!("{} dtk", d.as_secs_f64()),
        None => "sampai dirilis".to_string(),
    };
    let _ = write!(
        html,
        r#"<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Digiflazz sandbox</title>
<style>body{{font-family:system-ui,sans-serif;margin:1rem;max-width:70rem}}
.wrap{{overflow-x:auto}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}}
form{{display:inline-block;margin:.2rem .6rem .2rem 0}}fieldset{{margin:.8rem 0}}
code{{background:#f3f3f3;padding:0 .2rem;word-break:break-all}}input,select,button{{font-size:1rem}}</style>
</head><body><h1>Digiflazz sandbox</h1>
<p>API: <code>{base}/v1</code> · username <code>{user}</code> · mode <b>{mode}</b></p>
<p>Saldo: <b>Rp {balance}</b> · gangguan: <b>{fault}</b> · rc paksa: <b>{forced}</b> · pending: {pending}</p>
<p>Webhook: <code>{webhook}</code> · buang webhook: {drop} · kirim dua kali: {duplicate}</p>
<p>Transaksi: {trx} · panggilan /v1/transaction: {calls} · webhook terkirim: {sent}</p>"#,
        base = escape(base),
        user = escape(&config.username),
        mode = mode,
        balance = sim.balance(),
        fault = escape(&fault_label(fault.as_ref())),
        forced = escape(forced),
        pending = escape(&pending),
        webhook = escape(if webhook.is_empty() { "-" } else { &webhook }),
        drop = on_off(dropping),
        duplicate = on_off(duplicate),
        trx = counts.transactions,
        calls = counts.transaction_calls,
        sent = counts.webhooks_sent,
    );
}

/// The knobs, one small form each.
fn knobs(html: &mut String, sim: &DigiflazzSim, action: &str) {
    let webhook = sim.webhook_url().unwrap_or_default();
    let _ = write!(
        html,
        r#"<fieldset><legend>Pengaturan</legend>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_balance">
<input name="balance" type="number" required placeholder="saldo"> <button>Atur saldo</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_fault">
<select name="fault"><option value="none">tanpa gangguan</option><option value="slow">lambat</option>
<option value="server_error">HTTP 500</option><option value="malformed">JSON rusak</option>
<option value="drop_answer">jawaban transaksi hilang (502)</option></select>
<input name="slow_ms" type="number" value="30000" min="0"> ms <button>Atur gangguan</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="force_rc">
<input name="rc" size="4" placeholder="rc" value="{forced_value}"> <button>Paksa rc (kosong = hapus)</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_available">
<input name="sku" size="10" required placeholder="SKU"> <select name="available"><option value="false">stok habis</option>
<option value="true">tersedia</option></select> <button>Atur stok</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="drop_webhooks">
<select name="enabled"><option value="true">buang webhook</option><option value="false">kirim webhook</option></select>
<button>Atur</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="duplicate_webhooks">
<select name="enabled"><option value="true">kirim dua kali</option><option value="false">kirim sekali</option></select>
<button>Atur</button></form>
<form method="post" action="{action}"><input type="hidden" name="action" value="set_webhook_url">
<input name="webhook_url" type="url" size="36" placeholder="https://…/webhooks/digiflazz" value="{webhook}"> <button>Atur webhook</button></form>
</fieldset>"#,
        forced_value = escape(sim.forced_rc().unwrap_or("")),
        webhook = escape(&webhook),
    );
}

fn transactions(html: &mut String, transactions: &[SimTransaction], action: &str) {
    html.push_str(
        "<h2>Transaksi (terbaru dulu)</h2><div class=\"wrap\"><table><tr><th>#</th><th>ref_id</th>\
         <th>perintah</th><th>SKU</th><th>tujuan</th><th>status</th><th>rc / pesan</th>\
         <th>harga</th><th>SN</th><th></th></tr>",
    );
    for trx in transactions.iter().rev() {
        row(html, trx, action);
    }
    if transactions.is_empty() {
        html.push_str("<tr><td colspan=\"10\">Belum ada transaksi.</td></tr>");
    }
    html.push_str("</table></div>");
}

fn deposit_tickets(html: &mut String, sim: &DigiflazzSim) {
    let tickets = sim.deposit_tickets();
    if !tickets.is_empty() {
        html.push_str("<h2>Tiket deposit</h2><ul>");
        for t in tickets.iter().rev() {
            let _ = write!(
                html,
                "<li>{} · Rp {} · berita <code>{}</code> · {}</li>",
                escape(&t.bank),
                t.amount,
                escape(&t.notes),
                escape(&t.owner_name)
            );
        }
        html.push_str("</ul>");
    }
}

/// The numbers that steer the outcomes, so a tester need not read the spec.
fn test_data(html: &mut String) {
    let _ = write!(
        html,
        "<h2>Data uji</h2><ul>\
         <li>Dua digit terakhir <code>customer_no</code>: <code>32</code> gagal (rc 02, saldo \
         kembali); <code>33</code> pending lalu sukses; <code>34</code> pending lalu gagal \
         (refund); lainnya sukses dengan SN.</li>\
         <li>Cek PLN: <code>{meter}</code> → {name}; nomor 11–12 digit lain dapat nama buatan; \
         berakhiran <code>9</code> atau format salah → rc 54.</li>\
         <li>PLN pascabayar (<code>pln</code>): ID 12 digit tidak berakhiran <code>9</code>.</li>\
         <li>Kunci <code>dev-…</code>: <code>xld10</code> dengan 087800001230/32/33/34, \
         <code>pln</code> dengan 530000000001/2/3/6 dan 630000000001/2/6 (wajib \
         <code>testing: true</code>).</li></ul>",
        meter = escape(NAMED_METER.0),
        name = escape(NAMED_METER.1),
    );
}

fn price_list(html: &mut String, sim: &DigiflazzSim) {
    html.push_str(
        "<details><summary>Daftar harga prabayar</summary><div class=\"wrap\"><table>\
         <tr><th>SKU</th><th>produk</th><th>kategori</th><th>harga</th><th>stok</th></tr>",
    );
    let available: Vec<bool> =
        sim.with_state(|s| PREPAID.iter().map(|p| s.is_available(p)).collect());
    for (p, available) in PREPAID.iter().zip(available) {
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(p.sku),
            escape(p.product_name),
            escape(p.category),
            p.price,
            if available { "ada" } else { "habis" }
        );
    }
    html.push_str("</table></div></details>");
}

fn row(html: &mut String, trx: &SimTransaction, action: &str) {
    let _ = write!(
        html,
        "<tr><td>{}</td><td><code>{}</code></td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{} {}</td><td>{}</td><td><code>{}</code></td><td>",
        trx.index,
        escape(&trx.ref_id),
        escape(trx.command),
        if trx.testing { " (testing)" } else { "" },
        escape(&trx.sku),
        escape(&trx.customer_no),
        escape(trx.status),
        escape(&trx.rc),
        escape(&trx.message),
        trx.price,
        escape(&trx.sn),
    );
    if trx.status == "Pending" {
        for (success, label) in [(true, "Selesaikan: Sukses"), (false, "Selesaikan: Gagal")] {
            let _ = write!(
                html,
                r#"<form method="post" action="{action}"><input type="hidden" name="action" value="release">
<input type="hidden" name="ref_id" value="{ref_id}"><input type="hidden" name="success" value="{success}">
<button>{label}</button></form>"#,
                ref_id = escape(&trx.ref_id),
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
    rc: Option<Scalar>,
    sku: Option<Scalar>,
    available: Option<Scalar>,
    enabled: Option<Scalar>,
    ref_id: Option<Scalar>,
    success: Option<Scalar>,
    webhook_url: Option<Scalar>,
}

/// A true/false field; absent means `default`.
fn flag(value: &Option<Scalar>, name: &str, default: bool) -> Result<bool, String> {
    match value {
        None => Ok(default),
        Some(v) => v
            .bool()
            .ok_or_else(|| format!("{name} must be true or false")),
    }
}

fn apply(sim: &DigiflazzSim, request: ControlRequest) -> Result<(), String> {
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
                "drop_answer" => Some(Fault::DropAnswer),
                other => return Err(format!("unknown fault '{other}'")),
            };
            match fault {
                Some(fault) => sim.set_fault(fault),
                None => sim.clear_fault(),
            }
        }
        "force_rc" => {
            let rc = request.rc.as_ref().map(Scalar::text);
            sim.force_rc(rc.as_deref())?;
        }
        "set_available" => {
            let sku = request
                .sku
                .as_ref()
                .map(Scalar::text)
                .ok_or("set_available needs sku")?;
            let available = flag(&request.available, "available", true)?;
            if !sim.set_available(&sku, available) {
                return Err(format!("no product {sku}"));
            }
        }
        "drop_webhooks" => sim.set_drop_webhooks(flag(&request.enabled, "enabled", true)?),
        "duplicate_webhooks" => {
            sim.set_duplicate_webhooks(flag(&request.enabled, "enabled", true)?)
        }
        "release" => {
            let ref_id = request
                .ref_id
                .as_ref()
                .map(Scalar::text)
                .ok_or("release needs ref_id")?;
            let success = flag(&request.success, "success", true)?;
            if !sim.release(&ref_id, success) {
                return Err(format!("no pending transaction {ref_id}"));
            }
        }
        "set_webhook_url" => {
            let url = request
                .webhook_url
                .as_ref()
                .map(Scalar::text)
                .filter(|u| !u.is_empty());
            if let Some(u) = &url {
                url::Url::parse(u).map_err(|e| format!("bad webhook URL: {e}"))?;
            }
            sim.set_webhook_url(url);
        }
        other => return Err(format!("unknown action '{other}'")),
    }
    Ok(())
}

fn state_json(sim: &DigiflazzSim) -> Value {
    let transactions: Vec<Value> = sim
        .transactions()
        .iter()
        .map(|t| {
            json!({"ref_id": t.ref_id, "command": t.command, "sku": t.sku,
                   "customer_no": t.customer_no, "status": t.status, "rc": t.rc,
                   "message": t.message, "price": t.price, "sn": t.sn,
                   "buyer_last_saldo": t.buyer_last_saldo, "testing": t.testing,
                   "index": t.index})
        })
        .collect();
    let (dropping, duplicate, unavailable) = sim.with_state(|s| {
        let unavailable: Vec<&str> = PREPAID
            .iter()
            .filter(|p| !s.is_available(p))
            .map(|p| p.sku)
            .collect();
        (s.drop_webhooks, s.webhook_copies > 1, unavailable)
    });
    let counts = sim.counts();
    json!({
        "ok": true,
        "balance": sim.balance(),
        "fault": fault_label(sim.fault().as_ref()),
        "forced_rc": sim.forced_rc(),
        "webhook_url": sim.webhook_url(),
        "drop_webhooks": dropping,
        "duplicate_webhooks": duplicate,
        "unavailable": unavailable,
        "counts": counts_json(counts),
        "transactions": transactions,
    })
}

fn counts_json(counts: super::Counts) -> Value {
    json!({
        "transactions": counts.transactions,
        "transaction_calls": counts.transaction_calls,
        "webhooks_sent": counts.webhooks_sent,
    })
}

async fn control(State(sim): State<DigiflazzSim>, uri: OriginalUri, request: Request) -> Response {
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
                "<!doctype html><meta charset=\"utf-8\"><p>{}</p><p><a href=\"{}/\">Kembali</a></p>",
                escape(&error),
                escape(&mount_point(&uri, "/control"))
            )),
        )
            .into_response(),
    }
}

/// `GET /control/counts`.
async fn counts(State(sim): State<DigiflazzSim>) -> Json<Value> {
    Json(counts_json(sim.counts()))
}
