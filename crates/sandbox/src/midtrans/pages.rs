//! The pay page (`GET /qris`), standing in for Midtrans's QRIS simulator and a wallet app: paste
//! a payload (checked: CRC, merchant, amount) or pick a transaction, then pay, refuse, expire or
//! cancel it. Plain forms, no JavaScript, Indonesian, readable on a 390 px phone. Also the QR
//! images of the charge answers' actions.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use time::OffsetDateTime;

use super::api::error_body;
use super::{wib_text, Faults, MidtransSim, Transaction, TxStatus};
use crate::html::escape;
use crate::qris;

/// Transactions that ended, shown below the pending ones.
const RECENT_ENDED: usize = 20;
/// A pasted text longer than this is not a QRIS payload.
const MAX_PASTE: usize = 2_000;

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#eef3f8;color:#1d2733}\
main{max-width:40rem;margin:0 auto;padding:.75rem}\
.card{background:#fff;border-radius:12px;padding:.9rem 1rem;box-shadow:0 1px 4px #0002;margin-bottom:.9rem}\
h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.1rem;margin:.2rem 0 .5rem}\
textarea,input,select{width:100%;padding:.5rem;border:1px solid #bbb;border-radius:8px;font:inherit}\
button{padding:.55rem .9rem;border:0;border-radius:8px;background:#0a5bd3;color:#fff;font:600 .95rem system-ui;cursor:pointer;margin:.2rem .2rem .2rem 0}\
button.warn{background:#b3261e}button.alt{background:#5f6b7a}\
form.inline{display:inline}.badge{display:inline-block;background:#fff3cd;border-radius:6px;padding:.1rem .5rem;font-size:.85rem}\
.muted{color:#5f6b7a;font-size:.9rem}.ok{color:#176c2c}.fail{color:#b3261e}.amount{font-size:1.25rem;font-weight:700}\
code{word-break:break-all;font-size:.85rem}img.qr{width:180px;height:auto;display:block;margin:.4rem 0}\
label.check{display:inline-block;margin:.15rem .8rem .15rem 0}label.check input{width:auto}\
.grid{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}";

/// Where the router is mounted (`/sandbox/midtrans`, or `` at the root): the full path minus
/// the part the router matched.
pub(super) fn mount_base(original: &Uri, inner: &Uri) -> String {
    let full = original.path();
    let base = match full.strip_suffix(inner.path()) {
        Some(base) => base,
        None if inner.path() == "/" => full,
        None => "",
    };
    base.trim_end_matches('/').to_string()
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

fn status_label(status: TxStatus) -> &'static str {
    match status {
        TxStatus::Pending => "menunggu pembayaran",
        TxStatus::Settlement => "lunas",
        TxStatus::Expire => "kedaluwarsa",
        TxStatus::Cancel => "dibatalkan",
        TxStatus::Deny => "ditolak",
        TxStatus::Refund => "dikembalikan",
    }
}

fn time_left(expiry: OffsetDateTime) -> String {
    let left = (expiry - OffsetDateTime::now_utc()).whole_seconds();
    if left <= 0 {
        "waktu habis (menunggu penjadwal)".into()
    } else {
        format!("sisa {} mnt {} dtk", left / 60, left % 60)
    }
}

async fn image(sim: &MidtransSim, id: &str, framed: bool) -> Response {
    let Some(svg) = sim.transaction(id).and_then(|tx| {
        crate::qr_svg::svg(&tx.qr_string, framed.then_some("QRIS · MADD STORE SANDBOX"))
    }) else {
        return (
            StatusCode::NOT_FOUND,
            Json(error_body(404, "Transaction doesn't exist.")),
        )
            .into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

/// `generate-qr-code`: the bare code (SVG, where Midtrans serves PNG).
pub(super) async fn qr_code(State(sim): State<MidtransSim>, Path(id): Path<String>) -> Response {
    image(&sim, &id, false).await
}

/// `generate-qr-code-v2`: the code with a QRIS header band.
pub(super) async fn qr_code_framed(
    State(sim): State<MidtransSim>,
    Path(id): Path<String>,
) -> Response {
    image(&sim, &id, true).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PageQuery {
    /// A pasted payload, or the URL of one of our QR images.
    q: Option<String>,
    /// What the last button did.
    pesan: Option<String>,
}

/// One transaction with the buttons its state allows.
fn transaction_card(tx: &Transaction, base: &str) -> String {
    let id = escape(&tx.transaction_id);
    let button = |action: &str, label: &str, class: &str| {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"{base}/control/{id}/{action}\">\
             <input type=\"hidden\" name=\"dari\" value=\"halaman\">\
             <button type=\"submit\" class=\"{class}\">{label}</button></form>",
            base = escape(base)
        )
    };
    let (qr, buttons) = match tx.status {
        TxStatus::Pending => (
            format!(
                "<img class=\"qr\" alt=\"QRIS {order}\" src=\"{base}/v2/qris/{id}/qr-code\">\
                 <p class=\"muted\">{left}</p>",
                order = escape(&tx.order_id),
                base = escape(base),
                left = time_left(tx.expiry_time)
            ),
            [
                button("pay", "Bayar", ""),
                button("deny", "Tolak", "warn"),
                button("expire", "Kedaluwarsa", "alt"),
                button("cancel", "Batalkan", "alt"),
            ]
            .concat(),
        ),
        TxStatus::Expire | TxStatus::Cancel | TxStatus::Deny => {
            (String::new(), button("late_pay", "Bayar terlambat", "warn"))
        }
        TxStatus::Settlement => (String::new(), button("refund", "Refund", "warn")),
        TxStatus::Refund => (String::new(), String::new()),
    };
    let paid = tx
        .settlement_time
        .map(|at| {
            format!(
                " · dibayar {} lewat {}",
                wib_text(at),
                tx.issuer.as_deref().unwrap_or("?")
            )
        })
        .unwrap_or_default();
    format!(
        "<div class=\"card\"><p class=\"amount\">{amount}</p>\
         <p><strong>{order}</strong> · {status}{paid}</p>\
         <p class=\"muted\">{item} · dibuat {created} · berakhir {expiry} · {acquirer}</p>{qr}\
         <div>{buttons}{resend}</div></div>",
        amount = rupiah(tx.gross_amount),
        order = escape(&tx.order_id),
        status = status_label(tx.status),
        paid = escape(&paid),
        item = escape(&tx.item_name),
        created = wib_text(tx.transaction_time),
        expiry = wib_text(tx.expiry_time),
        acquirer = escape(&tx.acquirer),
        resend = button("resend", "Kirim ulang notifikasi", "alt"),
    )
}

/// What a pasted payload (or one of our image URLs) says, and its transaction when we have it.
fn paste_result(sim: &MidtransSim, pasted: &str, base: &str) -> String {
    let pasted = pasted.trim();
    if pasted.len() > MAX_PASTE {
        return "<div class=\"card fail\">Teks terlalu panjang untuk kode QRIS.</div>".into();
    }
    if let Some(id) = image_url_id(pasted) {
        return match sim.transaction(id) {
            Some(tx) => transaction_card(&tx, base),
            None => "<div class=\"card fail\">Gambar QR ini bukan dari simulator ini.</div>".into(),
        };
    }
    let parsed = match qris::parse(pasted) {
        Ok(parsed) => parsed,
        Err(e) => {
            return format!(
                "<div class=\"card\"><p class=\"fail\">QR tidak bisa dibaca: {}</p></div>",
                escape(&e.to_string())
            )
        }
    };
    let found = sim
        .transactions()
        .into_iter()
        .rev()
        .find(|t| t.qr_string == pasted)
        .map(|tx| transaction_card(&tx, base))
        .unwrap_or_else(|| {
            "<p class=\"muted\">Tidak ada transaksi simulator dengan kode ini.</p>".into()
        });
    format!(
        "<div class=\"card\"><h2>Hasil pindai</h2><p class=\"ok\">CRC cocok · {kind}</p>\
         <p>Merchant: <strong>{merchant}</strong></p><p>Nominal: <strong>{amount}</strong></p>\
         <p>Referensi: <code>{reference}</code></p></div>{found}",
        kind = if parsed.dynamic {
            "QR dinamis"
        } else {
            "QR statis"
        },
        merchant = escape(&parsed.merchant_name),
        amount = parsed
            .amount
            .map_or("tidak ada (pembeli mengisi)".into(), rupiah),
        reference = escape(parsed.reference.as_deref().unwrap_or("-")),
    )
}

/// `…/v2/qris/{id}/qr-code` or `…/v4/qris/{id}/qr-code` → `{id}`.
fn image_url_id(text: &str) -> Option<&str> {
    let rest = text.split("/qris/").nth(1)?;
    rest.strip_suffix("/qr-code")
}

fn faults_card(faults: &Faults, base: &str) -> String {
    let check = |name: &str, on: bool, label: &str| {
        format!(
            "<label class=\"check\"><input type=\"checkbox\" name=\"{name}\"{}> {label}</label>",
            if on { " checked" } else { "" }
        )
    };
    let fail = faults.fail_next.unwrap_or(super::FailNext {
        count: 0,
        status: 500,
        created: false,
    });
    let checks = [
        check("hang", faults.hang, "API menggantung"),
        check("auth_fail", faults.auth_fail, "401 selalu"),
        check("qris_disabled", faults.qris_disabled, "QRIS nonaktif (402)"),
        check("force_deny", faults.force_deny, "charge ditolak"),
        check("omit_qr_string", faults.omit_qr_string, "tanpa qr_string"),
        check(
            "omit_expiry_time",
            faults.omit_expiry_time,
            "tanpa expiry_time",
        ),
        check("duplicate", faults.duplicate, "notifikasi ganda"),
        check("drop_all", faults.drop_all, "notifikasi hilang"),
        check("tamper", faults.tamper, "tanda tangan salah"),
        check("forge_status", faults.forge_status, "status dipalsukan"),
        check("bad_amount", faults.bad_amount, "nominal lain"),
        check("reorder", faults.reorder, "urutan terbalik"),
        check(
            "old_host_in_actions",
            faults.old_host_in_actions,
            "host lama di actions",
        ),
        check("fail_created", fail.created, "gagal tapi tetap dibuat"),
    ]
    .concat();
    format!(
        "<div class=\"card\"><h2>Gangguan</h2><form method=\"post\" action=\"{base}/faults\">{checks}\
         <div class=\"grid\"><label>Gagal berikutnya (jumlah)<input name=\"fail_count\" type=\"number\" min=\"0\" value=\"{count}\"></label>\
         <label>Kode gagal<input name=\"fail_status\" type=\"number\" value=\"{status}\"></label>\
         <label>Latensi (ms)<input name=\"latency_ms\" type=\"number\" min=\"0\" value=\"{latency}\"></label>\
         <label>Hilangkan N kiriman pertama<input name=\"drop_first\" type=\"number\" min=\"0\" max=\"5\" value=\"{drop}\"></label>\
         <label>Tunda notifikasi (ms)<input name=\"notification_delay_ms\" type=\"number\" min=\"0\" value=\"{delay}\"></label></div>\
         <label>Mode HTTP<select name=\"http_mode\"><option value=\"body_only\">body_only (selalu 200)</option>\
         <option value=\"mirror\"{mirror}>mirror (HTTP = kode body)</option></select></label>\
         <button type=\"submit\">Simpan</button></form>\
         <form method=\"post\" action=\"{base}/faults\"><input type=\"hidden\" name=\"reset\" value=\"1\">\
         <button type=\"submit\" class=\"alt\">Matikan semua</button></form>\
         <p class=\"muted\"><a href=\"{base}/faults\">JSON gangguan</a> · <a href=\"{base}/notifications\">Log notifikasi</a></p></div>",
        base = escape(base),
        count = fail.count,
        status = fail.status,
        latency = faults.latency_ms,
        drop = faults.drop_first,
        delay = faults.notification_delay_ms,
        mirror = if faults.http_mode == super::HttpMode::Mirror { " selected" } else { "" },
    )
}

pub(super) async fn pay_page(
    State(sim): State<MidtransSim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> Html<String> {
    let base = mount_base(&original, &uri);
    let message = query
        .pesan
        .map(|m| format!("<div class=\"card\"><p>{}</p></div>", escape(&m)))
        .unwrap_or_default();
    let pasted = query.q.unwrap_or_default();
    let result = if pasted.trim().is_empty() {
        String::new()
    } else {
        paste_result(&sim, &pasted, &base)
    };
    let all = sim.transactions();
    let pending: String = all
        .iter()
        .rev()
        .filter(|t| t.status == TxStatus::Pending)
        .map(|t| transaction_card(t, &base))
        .collect();
    let ended: String = all
        .iter()
        .rev()
        .filter(|t| t.status != TxStatus::Pending)
        .take(RECENT_ENDED)
        .map(|t| transaction_card(t, &base))
        .collect();
    let pending = if pending.is_empty() {
        "<p class=\"muted\">Belum ada transaksi yang menunggu.</p>".into()
    } else {
        pending
    };
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Simulator QRIS · Midtrans (sandbox)</title><style>{STYLE}</style></head><body><main>\
         <div class=\"card\"><span class=\"badge\">Sandbox · tidak ada uang sungguhan</span>\
         <h1>Simulator QRIS Midtrans</h1>\
         <p class=\"muted\">Pengganti aplikasi dompet: tempel kode QR atau pilih transaksi di bawah.</p>\
         <form method=\"get\" action=\"{page}\"><label for=\"q\">Kode QR (teks) atau URL gambar QR</label>\
         <textarea id=\"q\" name=\"q\" rows=\"3\">{pasted}</textarea><button type=\"submit\">Periksa</button></form></div>\
         {message}{result}<h2>Menunggu pembayaran</h2>{pending}<h2>Selesai</h2>{ended}{faults}</main></body></html>",
        page = escape(&format!("{base}/qris")),
        pasted = escape(&pasted.chars().take(MAX_PASTE).collect::<String>()),
        faults = faults_card(&sim.faults(), &base),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rupiah() {
        assert_eq!(rupiah(20_000), "Rp 20.000");
        assert_eq!(rupiah(999), "Rp 999");
    }

    #[test]
    fn reads_our_image_urls() {
        assert_eq!(
            image_url_id("http://x/sandbox/midtrans/v2/qris/abc-1/qr-code"),
            Some("abc-1")
        );
        assert_eq!(image_url_id("000201"), None);
    }

    #[test]
    fn finds_the_mount_point() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(
            mount_base(&uri("/sandbox/midtrans/qris"), &uri("/qris")),
            "/sandbox/midtrans"
        );
        assert_eq!(mount_base(&uri("/qris"), &uri("/qris")), "");
    }
}
