//! The checkout pages (spec §11.3) — plain HTML forms, Indonesian, no JavaScript, readable on a
//! 390-pixel phone — the QR image, and the JSON controls, callback log and fault knobs.

use std::fmt::Write as _;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use time::macros::{format_description, offset};
use time::OffsetDateTime;

use super::api::{mount_base, refuse, view, View};
use super::{now, Action, Faults, Status, Transaction, TripaySim};
use crate::html::escape;
use crate::qris;

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#eef3fb;color:#1d2433}\
main{max-width:30rem;margin:0 auto;padding:1rem}\
.card{background:#fff;border-radius:12px;padding:1rem 1.25rem;box-shadow:0 1px 4px #0002;margin-bottom:1rem}\
h1{font-size:1.3rem;margin:.25rem 0}h2{font-size:1.05rem}.amount{font-size:1.6rem;font-weight:700}\
.qr{display:block;width:100%;max-width:18rem;margin:.5rem auto}.muted{color:#5b6475;font-size:.9rem}\
.badge{display:inline-block;background:#fff3cd;border-radius:6px;padding:.1rem .5rem;font-size:.85rem}\
.status{font-weight:700}.ok{color:#176c2c}.fail{color:#b00020}\
form{margin:.4rem 0}button{width:100%;padding:.75rem;border:0;border-radius:8px;background:#1f5fbf;\
color:#fff;font:700 1rem system-ui;cursor:pointer}button.alt{background:#5b6475}\
textarea{width:100%;padding:.5rem;border:1px solid #bbb;border-radius:8px;font:.85rem monospace}\
table{width:100%;border-collapse:collapse;font-size:.85rem}th,td{text-align:left;padding:.3rem;\
border-bottom:1px solid #eee;vertical-align:top}code{word-break:break-all}.scroll{overflow-x:auto}";

/// Western Indonesian Time, as Tripay's pages show times.
const WIB: time::UtcOffset = offset!(+7);

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{} · Tripay (sandbox)</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        escape(title)
    ))
}

/// `Rp 20.000`.
fn rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}Rp {grouped}")
}

fn wib(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(WIB))
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[day]-[month]-[year] [hour]:[minute]:[second]"
            ))
            .ok()
        })
        .map_or_else(|| unix.to_string(), |t| format!("{t} WIB"))
}

/// `sisa 12 menit 5 detik`, or that the time is up.
fn countdown(tx: &Transaction, now: i64) -> String {
    let left = tx.expired_time - now;
    if tx.status != Status::Unpaid {
        return format!("Batas bayar {}", wib(tx.expired_time));
    }
    if left <= 0 {
        return "Waktu pembayaran habis".into();
    }
    format!(
        "Bayar sebelum {} · sisa {} menit {} detik",
        wib(tx.expired_time),
        left / 60,
        left % 60
    )
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Paid => "ok",
        Status::Unpaid => "",
        _ => "fail",
    }
}

fn not_found(what: &str) -> Response {
    let body = format!(
        "<div class=\"card\"><h1>Tidak ditemukan</h1><p>Transaksi <code>{}</code> tidak ada \
         di Tripay sandbox.</p></div>",
        escape(what)
    );
    (StatusCode::NOT_FOUND, page("Tidak ditemukan", &body)).into_response()
}

/// `/`, `/checkout`: the unpaid transactions, then the latest others.
pub(super) async fn list(
    State(sim): State<TripaySim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
) -> Html<String> {
    let base = mount_base(&original, &uri);
    let base = base.as_str();
    let all = sim.transactions();
    let row = |tx: &Transaction| {
        format!(
            "<tr><td><a href=\"{}/checkout/{}\"><code>{}</code></a><br>{}</td><td>{}</td>\
             <td class=\"status {}\">{}</td></tr>",
            escape(base),
            escape(&tx.reference),
            escape(&tx.reference),
            escape(&tx.merchant_ref),
            rupiah(tx.amount),
            status_class(tx.status),
            tx.status.as_str(),
        )
    };
    let unpaid: String = all
        .iter()
        .rev()
        .filter(|tx| tx.status == Status::Unpaid)
        .map(row)
        .collect();
    let others: String = all
        .iter()
        .rev()
        .filter(|tx| tx.status != Status::Unpaid)
        .take(20)
        .map(row)
        .collect();
    let faults = serde_json::to_string_pretty(&sim.faults()).unwrap_or_default();
    let table = |rows: &str, empty: &str| {
        if rows.is_empty() {
            format!("<p class=\"muted\">{empty}</p>")
        } else {
            format!(
                "<div class=\"scroll\"><table><tr><th>Referensi</th><th>Nominal</th>\
                 <th>Status</th></tr>{rows}</table></div>"
            )
        }
    };
    let body = format!(
        "<div class=\"card\"><span class=\"badge\">Sandbox · tanpa uang sungguhan</span>\
         <h1>Tripay · menunggu pembayaran</h1>{unpaid}</div>\
         <div class=\"card\"><h2>Transaksi terakhir</h2>{others}</div>\
         <div class=\"card\"><h2>Gangguan aktif</h2><pre class=\"muted\">{faults}</pre>\
         <p class=\"muted\">Ubah lewat <code>POST {base}/faults</code> (JSON). \
         Log callback: <a href=\"{base}/callbacks\">{base}/callbacks</a>.</p></div>",
        unpaid = table(&unpaid, "Belum ada transaksi UNPAID."),
        others = table(&others, "Belum ada."),
        faults = escape(&faults),
        base = escape(base),
    );
    page("Checkout", &body)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CheckoutQuery {
    /// A pasted QRIS payload to read back.
    qris: Option<String>,
}

/// The pay page of one transaction.
pub(super) async fn checkout(
    State(sim): State<TripaySim>,
    Path(reference): Path<String>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Query(query): Query<CheckoutQuery>,
) -> Response {
    let Some(tx) = sim.transaction(&reference) else {
        return not_found(&reference);
    };
    let base = mount_base(&original, &uri);
    let qr = match tx
        .qr_payload
        .as_deref()
        .and_then(|p| crate::qr_svg::svg(p, None))
    {
        Some(svg) => svg.replacen("<svg ", "<svg class=\"qr\" ", 1),
        None => format!(
            "<p>Nomor virtual account: <code>{}</code></p>",
            escape(tx.pay_code.as_deref().unwrap_or("-"))
        ),
    };
    let sandbox_note = if tx.qr_string.as_deref() == Some("SANDBOX MODE") {
        "<p class=\"muted\">API menjawab <code>qr_string</code> = <code>SANDBOX MODE</code>; \
         gambar ini dari <code>qr_url</code>.</p>"
    } else {
        ""
    };
    let body = format!(
        "<div class=\"card\"><span class=\"badge\">Sandbox · tanpa uang sungguhan</span>\
         <h1>MADD STORE SANDBOX</h1><p class=\"muted\">{method} · <code>{reference}</code><br>\
         Pesanan <code>{merchant_ref}</code></p><p class=\"amount\">{amount}</p>\
         <p>Status: <span class=\"status {class}\">{status}</span><br>\
         <span class=\"muted\">{countdown}</span></p>{qr}{sandbox_note}{buttons}\
         <p class=\"muted\"><a href=\"{here}\">Muat ulang</a> · <a href=\"{base}/checkout\">Semua \
         transaksi</a></p></div>{paste}{log}",
        method = escape(&tx.method_name),
        reference = escape(&tx.reference),
        merchant_ref = escape(&tx.merchant_ref),
        amount = rupiah(tx.amount),
        class = status_class(tx.status),
        status = tx.status.as_str(),
        countdown = escape(&countdown(&tx, now())),
        buttons = buttons(&tx, &base),
        here = escape(&format!("{base}/checkout/{}", tx.reference)),
        base = escape(&base),
        paste = paste_box(&tx, &base, query.qris.as_deref()),
        log = callback_log(&sim, &tx),
    );
    page(&format!("Bayar {}", rupiah(tx.amount)), &body).into_response()
}

/// The actions the transaction's status allows, as form buttons.
fn buttons(tx: &Transaction, base: &str) -> String {
    let choices: &[(&str, &str, bool)] = match tx.status {
        Status::Unpaid => &[
            ("pay", "Bayar", false),
            ("fail", "Gagal", true),
            ("expire", "Kedaluwarsa", true),
        ],
        Status::Paid => &[
            ("refund", "Refund", true),
            ("resend", "Kirim ulang callback", true),
        ],
        Status::Expired => &[
            ("late_pay", "Bayar terlambat", false),
            ("resend", "Kirim ulang callback", true),
        ],
        Status::Failed | Status::Refund => &[("resend", "Kirim ulang callback", true)],
    };
    choices
        .iter()
        .map(|(action, label, alt)| {
            format!(
                "<form method=\"post\" action=\"{}\"><button{}>{label}</button></form>",
                escape(&format!("{base}/control/{}/{action}", tx.reference)),
                if *alt { " class=\"alt\"" } else { "" },
            )
        })
        .collect()
}

/// The wallet stand-in: paste any QRIS payload, see whether its CRC holds and what it asks.
fn paste_box(tx: &Transaction, base: &str, pasted: Option<&str>) -> String {
    let pasted = pasted.map(|p| p.chars().take(1_000).collect::<String>());
    let result =
        match pasted.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => String::new(),
            Some(text) => match qris::parse(text) {
                Ok(parsed) => {
                    let verdict = match parsed.amount {
                        Some(a) if a == tx.amount => {
                            "<span class=\"ok\">sama dengan tagihan</span>"
                        }
                        Some(_) => "<span class=\"fail\">berbeda dari tagihan</span>",
                        None => "<span class=\"fail\">tanpa nominal (QRIS statis)</span>",
                    };
                    format!(
                    "<p class=\"ok\">CRC cocok.</p><p>Nominal: <strong>{}</strong> ({verdict})<br>\
                     Merchant: {}<br>Referensi: <code>{}</code><br>Jenis: {}</p>",
                    parsed.amount.map_or_else(|| "-".into(), rupiah),
                    escape(&parsed.merchant_name),
                    escape(parsed.reference.as_deref().unwrap_or("-")),
                    if parsed.dynamic { "dinamis (sekali pakai)" } else { "statis" },
                )
                }
                Err(e) => format!(
                    "<p class=\"fail\">Bukan QRIS yang sah: {}</p>",
                    escape(&e.to_string())
                ),
            },
        };
    format!(
        "<div class=\"card\"><h2>Periksa kode QRIS</h2>\
         <form method=\"get\" action=\"{action}\"><label for=\"qris\">Tempel isi QRIS</label>\
         <textarea id=\"qris\" name=\"qris\" rows=\"4\">{value}</textarea>\
         <button class=\"alt\">Periksa</button></form>{result}</div>",
        action = escape(&format!("{base}/checkout/{}", tx.reference)),
        value = escape(pasted.as_deref().unwrap_or_default()),
    )
}

fn callback_log(sim: &TripaySim, tx: &Transaction) -> String {
    let mut rows = String::new();
    for d in sim
        .deliveries()
        .iter()
        .rev()
        .filter(|d| d.reference == tx.reference)
        .take(20)
    {
        let outcome = match &d.outcome {
            super::Outcome::Replied { http, .. } => format!("HTTP {http}"),
            super::Outcome::Failed { reason } => reason.clone(),
            super::Outcome::Dropped => "tidak dikirim (gangguan)".into(),
        };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            escape(&wib(d.at)),
            escape(&d.status),
            d.attempt,
            if d.succeeded { "ok" } else { "fail" },
            escape(&outcome),
        );
    }
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "<div class=\"card\"><h2>Callback</h2><div class=\"scroll\"><table><tr><th>Waktu</th>\
         <th>Status</th><th>Percobaan</th><th>Hasil</th></tr>{rows}</table></div></div>"
    )
}

/// `qr_url`: the QR of the payload (SVG, see `crate::qr_svg` for why not PNG).
pub(super) async fn qr(State(sim): State<TripaySim>, Path(reference): Path<String>) -> Response {
    let svg = sim
        .transaction(&reference)
        .and_then(|tx| tx.qr_payload)
        .and_then(|payload| crate::qr_svg::svg(&payload, None));
    match svg {
        Some(svg) => (
            [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")],
            svg,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "QR tidak ditemukan").into_response(),
    }
}

/// `POST /control/{id}/{action}`: a form post (the page's buttons) goes back to the page, any
/// other body gets JSON.
pub(super) async fn control(
    State(sim): State<TripaySim>,
    Path((id, action)): Path<(String, String)>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let from_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let result = match Action::parse(&action) {
        Some(action) => sim.act(&id, action).await,
        None => Err(format!(
            "aksi tidak dikenal: {}",
            action.chars().take(30).collect::<String>()
        )),
    };
    let missing = sim.transaction(&id).is_none();
    match (result, from_form) {
        (Ok(tx), true) => {
            let base = mount_base(&original, &uri);
            Redirect::to(&format!("{base}/checkout/{}", tx.reference)).into_response()
        }
        (Ok(tx), false) => Json(json!({
            "success": true,
            "message": format!("Status transaksi saat ini {}", tx.status.as_str()),
            "data": view(&tx, View::Detail),
        }))
        .into_response(),
        (Err(_), true) if missing => not_found(&id),
        (Err(message), true) => {
            let base = mount_base(&original, &uri);
            let body = format!(
                "<div class=\"card\"><h1 class=\"fail\">Tidak bisa</h1><p>{}</p>\
                 <p><a href=\"{}\">Kembali</a></p></div>",
                escape(&message),
                escape(&format!("{base}/checkout/{id}"))
            );
            (StatusCode::CONFLICT, page("Tidak bisa", &body)).into_response()
        }
        (Err(message), false) if missing => refuse(StatusCode::NOT_FOUND, &message),
        (Err(message), false) => refuse(StatusCode::CONFLICT, &message),
    }
}

pub(super) async fn callbacks(State(sim): State<TripaySim>) -> Response {
    Json(sim.deliveries()).into_response()
}

pub(super) async fn faults(State(sim): State<TripaySim>) -> Response {
    Json(sim.faults()).into_response()
}

/// Replaces every knob (missing fields are off); `{}` resets them all.
pub(super) async fn set_faults(State(sim): State<TripaySim>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            sim.set_faults(faults);
            Json(sim.faults()).into_response()
        }
        Err(e) => refuse(StatusCode::BAD_REQUEST, &format!("knob tidak terbaca: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tripay::create::tests::sample_transaction;

    #[test]
    fn formats_rupiah_and_the_countdown() {
        assert_eq!(rupiah(20_000), "Rp 20.000");
        assert_eq!(rupiah(1_234_567), "Rp 1.234.567");
        let tx = sample_transaction();
        let text = countdown(&tx, tx.expired_time - 125);
        assert!(text.ends_with("sisa 2 menit 5 detik"), "{text}");
        assert!(text.contains("WIB"));
        assert_eq!(countdown(&tx, tx.expired_time), "Waktu pembayaran habis");
    }

    #[test]
    fn buttons_follow_the_status() {
        let mut tx = sample_transaction();
        let html = buttons(&tx, "/sandbox/tripay");
        assert!(html.contains("Bayar") && html.contains("Gagal") && html.contains("Kedaluwarsa"));
        assert!(html.contains("/sandbox/tripay/control/DEV-T12345123456ABCDE/pay"));
        tx.status = Status::Expired;
        assert!(buttons(&tx, "").contains("Bayar terlambat"));
        tx.status = Status::Paid;
        assert!(buttons(&tx, "").contains("Refund"));
    }

    #[test]
    fn the_paste_box_reads_a_payload_back() {
        let mut tx = sample_transaction();
        let payload = qris::build(&qris::Payload {
            acquirer: "ID.MADDSTORE.SANDBOX",
            amount: 20_000,
            style: qris::AmountStyle::Integer,
            merchant_name: "MADD STORE SANDBOX",
            city: "JAKARTA",
            reference: "MS-7K3Q9XW2-1",
        });
        let html = paste_box(&tx, "", Some(&payload));
        assert!(
            html.contains("CRC cocok") && html.contains("Rp 20.000"),
            "{html}"
        );
        assert!(html.contains("sama dengan tagihan"));
        tx.amount = 25_000;
        assert!(paste_box(&tx, "", Some(&payload)).contains("berbeda dari tagihan"));
        let broken = paste_box(&tx, "", Some(&payload.replace("20000", "20001")));
        assert!(broken.contains("Bukan QRIS yang sah"), "{broken}");
    }
}
