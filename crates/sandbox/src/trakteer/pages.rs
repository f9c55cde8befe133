//! HTML: the tip page (pay-link target), the payment result, and the control page. Indonesian,
//! mobile first, inline CSS, every value escaped.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::api::jakarta_text;
use super::{
    DeliveryOutcome, PayError, PayRequest, PaymentMethod, Support, TrakteerSim, MAX_QUANTITY,
};
use crate::html::escape;

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#fdf3f4;color:#222}\
main{max-width:34rem;margin:0 auto;padding:1rem}main.wide{max-width:70rem}\
.card{background:#fff;border-radius:12px;padding:1rem 1.25rem;box-shadow:0 1px 4px #0002;margin-bottom:1rem}\
h1{font-size:1.4rem;margin:.25rem 0}h2{font-size:1.1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}\
input,textarea{width:100%;padding:.6rem;border:1px solid #ccc;border-radius:8px;font:inherit}\
fieldset{border:1px solid #eee;border-radius:8px;margin:.75rem 0}fieldset label{display:inline-block;font-weight:400;margin:.25rem 1rem .25rem 0}\
fieldset input{width:auto}button{width:100%;padding:.8rem;border:0;border-radius:8px;background:#be1e2d;color:#fff;font:700 1.05rem system-ui;cursor:pointer}\
.badge{display:inline-block;background:#fff3cd;border-radius:6px;padding:.1rem .5rem;font-size:.85rem}\
.total{font-size:1.2rem}.muted{color:#666;font-size:.9rem}.ok{color:#176c2c}.fail{color:#b00020}\
table{width:100%;border-collapse:collapse;font-size:.9rem}th,td{text-align:left;padding:.35rem;border-bottom:1px solid #eee;vertical-align:top}\
.scroll{overflow-x:auto}code{word-break:break-all}";

/// `Rp 52.000`.
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

fn page(title: &str, class: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{} · Trakteer (sandbox)</title><style>{STYLE}</style></head>\
         <body><main class=\"{class}\">{body}</main></body></html>",
        escape(title)
    ))
}

fn not_found() -> Response {
    let body = "<div class=\"card\"><h1>Halaman tidak ditemukan</h1>\
                <p>Kreator ini tidak ada di Trakteer sandbox.</p></div>";
    (StatusCode::NOT_FOUND, page("Tidak ditemukan", "", body)).into_response()
}

/// Where the router is mounted (`/sandbox/trakteer`, or `` at the root), so that links work
/// under any prefix: the full path minus the part the router matched.
fn mount_base(original: &Uri, inner: &Uri) -> String {
    let full = original.path();
    let base = match full.strip_suffix(inner.path()) {
        Some(base) => base,
        // `/sandbox/trakteer` reaches the nested `/` without its slash.
        None if inner.path() == "/" => full,
        None => "",
    };
    base.trim_end_matches('/').to_string()
}

fn root_of(base: &str) -> String {
    if base.is_empty() {
        "/".into()
    } else {
        base.to_string()
    }
}

/// The pay link's parameters (`step` only matters to the real multi-step form).
#[derive(Debug, Default, Deserialize)]
pub(super) struct TipQuery {
    quantity: Option<String>,
    display_name: Option<String>,
    supporter_message: Option<String>,
    payment_method: Option<String>,
    email: Option<String>,
}

pub(super) async fn tip(
    State(sim): State<TrakteerSim>,
    Path(slug): Path<String>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Query(query): Query<TipQuery>,
) -> Response {
    tip_page(&sim, &slug, &mount_base(&original, &uri), &query, false)
}

/// The embeddable modal: the same form. Closing it does not mean the customer paid.
pub(super) async fn tip_modal(
    State(sim): State<TrakteerSim>,
    Path(slug): Path<String>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Query(query): Query<TipQuery>,
) -> Response {
    tip_page(&sim, &slug, &mount_base(&original, &uri), &query, true)
}

fn tip_page(sim: &TrakteerSim, slug: &str, base: &str, query: &TipQuery, modal: bool) -> Response {
    let config = sim.config();
    if slug != config.page {
        return not_found();
    }
    let quantity = query
        .quantity
        .as_deref()
        .and_then(|q| q.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_QUANTITY);
    let total = quantity.saturating_mul(config.unit_price);
    let chosen = query
        .payment_method
        .as_deref()
        .and_then(PaymentMethod::from_slug)
        .unwrap_or(PaymentMethod::Qris);
    let methods: String = PaymentMethod::ALL
        .iter()
        .map(|m| {
            format!(
                "<label><input type=\"radio\" name=\"payment_method\" value=\"{}\"{}> {}</label>",
                m.slug(),
                if *m == chosen { " checked" } else { "" },
                escape(m.label())
            )
        })
        .collect();
    let modal_note = if modal {
        "<p class=\"muted\">Menutup jendela ini tidak berarti pembayaran selesai.</p>"
    } else {
        ""
    };
    let unit = escape(&config.unit_name);
    let body = format!(
        "<div class=\"card\"><span class=\"badge\">Sandbox · tidak ada uang sungguhan</span>\
         <h1>Traktir {creator}</h1>\
         <p>1 {unit} = <strong>{price}</strong></p>{modal_note}\
         <form method=\"post\" action=\"{action}\" \
          oninput=\"t.value='Rp '+((+quantity.value||0)*{unit_price}).toLocaleString('id-ID')\">\
         <label for=\"quantity\">Jumlah {unit}</label>\
         <input id=\"quantity\" name=\"quantity\" type=\"number\" min=\"1\" max=\"{max}\" \
          value=\"{quantity}\" required>\
         <p class=\"total\">Total: <output name=\"t\" for=\"quantity\">{total}</output></p>\
         <label for=\"display_name\">Nama</label>\
         <input id=\"display_name\" name=\"display_name\" maxlength=\"100\" value=\"{name}\">\
         <label for=\"email\">Email (opsional)</label>\
         <input id=\"email\" name=\"email\" type=\"email\" value=\"{email}\">\
         <label for=\"supporter_message\">Pesan</label>\
         <textarea id=\"supporter_message\" name=\"supporter_message\" rows=\"3\" \
          maxlength=\"500\">{message}</textarea>\
         <fieldset><legend>Metode pembayaran</legend>{methods}</fieldset>\
         <button type=\"submit\">Bayar</button></form></div>",
        creator = escape(&config.creator_name),
        price = rupiah(config.unit_price),
        action = escape(&format!("{base}/{}/tip/pay", config.page)),
        unit_price = config.unit_price,
        max = MAX_QUANTITY,
        total = rupiah(total),
        name = escape(query.display_name.as_deref().unwrap_or_default()),
        email = escape(query.email.as_deref().unwrap_or_default()),
        message = escape(query.supporter_message.as_deref().unwrap_or_default()),
    );
    page(&format!("Traktir {}", config.creator_name), "", &body).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PayForm {
    quantity: Option<String>,
    display_name: Option<String>,
    supporter_message: Option<String>,
    payment_method: Option<String>,
    email: Option<String>,
}

pub(super) async fn pay(
    State(sim): State<TrakteerSim>,
    Path(slug): Path<String>,
    Form(form): Form<PayForm>,
) -> Response {
    let config = sim.config();
    if slug != config.page {
        return not_found();
    }
    let quantity_text = form.quantity.unwrap_or_default();
    let result = match quantity_text.trim().parse::<i64>() {
        Err(_) => Err(format!(
            "jumlah tidak valid: {:?}",
            quantity_text.chars().take(20).collect::<String>()
        )),
        Ok(quantity) => sim
            .pay(PayRequest {
                quantity,
                display_name: form.display_name.unwrap_or_default(),
                message: form.supporter_message.unwrap_or_default(),
                method: form.payment_method.unwrap_or_else(|| "qris".into()),
                email: form.email,
            })
            .map_err(|e: PayError| e.to_string()),
    };
    match result {
        Ok(support) => paid_page(&support, &config.unit_name).into_response(),
        Err(e) => {
            let body = format!(
                "<div class=\"card\"><h1 class=\"fail\">Pembayaran gagal</h1><p>{}</p>\
                 <p class=\"muted\">Kembali ke halaman sebelumnya dan periksa isiannya.</p></div>",
                escape(&e)
            );
            (StatusCode::BAD_REQUEST, page("Pembayaran gagal", "", &body)).into_response()
        }
    }
}

fn paid_page(support: &Support, unit_name: &str) -> Html<String> {
    let body = format!(
        "<div class=\"card\"><span class=\"badge\">Sandbox</span>\
         <h1 class=\"ok\">Pembayaran berhasil</h1>\
         <p>Terima kasih, {name}! {quantity} {unit} untuk <strong>{total}</strong> \
         lewat {method}.</p>\
         <p>ID transaksi: <code id=\"transaction-id\">{id}</code></p>\
         <p class=\"muted\">Pesan: {message}</p>\
         <p class=\"muted\">Silakan kembali ke toko untuk melihat status pesanan.</p></div>",
        name = escape(&support.supporter_name),
        quantity = support.quantity,
        unit = escape(unit_name),
        total = rupiah(support.total),
        method = escape(support.method.label()),
        id = escape(&support.transaction_id),
        message = escape(&support.message),
    );
    page("Pembayaran berhasil", "", &body)
}

pub(super) async fn test_webhook(
    State(sim): State<TrakteerSim>,
    Path(slug): Path<String>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
) -> Response {
    if slug != sim.config().page {
        return not_found();
    }
    sim.send_test_webhook();
    Redirect::to(&root_of(&mount_base(&original, &uri))).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct WebhookStatusForm {
    enabled: bool,
}

pub(super) async fn webhook_status(
    State(sim): State<TrakteerSim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Form(form): Form<WebhookStatusForm>,
) -> Response {
    sim.set_webhook_enabled(form.enabled);
    Redirect::to(&root_of(&mount_base(&original, &uri))).into_response()
}

pub(super) async fn control(
    State(sim): State<TrakteerSim>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
) -> Html<String> {
    let base = mount_base(&original, &uri);
    let config = sim.config();
    let enabled = sim.webhook_enabled();
    let supports: String = sim
        .supports()
        .iter()
        .rev()
        .map(|s| {
            format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&jakarta_text(s.created_at)),
                escape(&s.transaction_id),
                escape(&s.supporter_name),
                escape(&s.message),
                s.quantity,
                rupiah(s.total),
                rupiah(s.net_amount),
                escape(s.method.label()),
            )
        })
        .collect();
    let deliveries: String = sim
        .deliveries()
        .iter()
        .rev()
        .map(|d| {
            let outcome = match &d.outcome {
                DeliveryOutcome::Status(code) => format!("HTTP {code}"),
                DeliveryOutcome::Failed(reason) => reason.clone(),
            };
            format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>\
                 <td class=\"{}\">{}</td></tr>",
                escape(&jakarta_text(d.at)),
                escape(&d.transaction_id),
                d.copy,
                d.attempt,
                if d.succeeded() { "ok" } else { "fail" },
                escape(&outcome),
            )
        })
        .collect();
    let webhook = match &config.webhook_url {
        Some(url) => format!("<code>{}</code>", escape(url)),
        None => "belum diatur".into(),
    };
    let page_path = format!("{base}/{}", config.page);
    let body = format!(
        "<div class=\"card\"><span class=\"badge\">Sandbox</span><h1>Trakteer · {creator}</h1>\
         <p>Halaman: <a href=\"{tip}\">{tip}</a> · 1 {unit} = {price}</p>\
         <p>Webhook: {webhook} · <strong class=\"{state_class}\">{state}</strong> · \
         salinan tambahan: {copies} · ulang maksimal: {retries}×</p>\
         <form method=\"post\" action=\"{test}\"><button type=\"submit\">Kirim webhook uji</button></form>\
         <form method=\"post\" action=\"{status}\"><input type=\"hidden\" name=\"enabled\" value=\"{toggle}\">\
         <p><button type=\"submit\">{toggle_label}</button></p></form></div>\
         <div class=\"card\"><h2>Dukungan</h2><div class=\"scroll\"><table>\
         <tr><th>Waktu</th><th>ID transaksi</th><th>Nama</th><th>Pesan</th><th>Jumlah</th>\
         <th>Total</th><th>Bersih</th><th>Metode</th></tr>{supports}</table></div></div>\
         <div class=\"card\"><h2>Pengiriman webhook</h2><div class=\"scroll\"><table>\
         <tr><th>Waktu</th><th>ID transaksi</th><th>Salinan</th><th>Percobaan</th><th>Hasil</th></tr>\
         {deliveries}</table></div></div>",
        creator = escape(&config.creator_name),
        tip = escape(&format!("{page_path}/tip")),
        unit = escape(&config.unit_name),
        price = rupiah(config.unit_price),
        state_class = if enabled { "ok" } else { "fail" },
        state = if enabled { "aktif" } else { "nonaktif" },
        copies = config.duplicate_deliveries,
        retries = config.max_retries,
        test = escape(&format!("{page_path}/test-webhook")),
        status = escape(&format!("{base}/webhook-status")),
        toggle = !enabled,
        toggle_label = if enabled {
            "Matikan webhook"
        } else {
            "Aktifkan webhook"
        },
    );
    page("Kontrol Trakteer", "wide", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rupiah_like_the_site() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(999), "Rp 999");
        assert_eq!(rupiah(52_000), "Rp 52.000");
        assert_eq!(rupiah(1_234_567), "Rp 1.234.567");
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b a=\"1\">&'</b>"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn finds_the_mount_point() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(
            mount_base(
                &uri("/sandbox/trakteer/maddstore/tip?q=1"),
                &uri("/maddstore/tip")
            ),
            "/sandbox/trakteer"
        );
        assert_eq!(
            mount_base(&uri("/sandbox/trakteer"), &uri("/")),
            "/sandbox/trakteer"
        );
        assert_eq!(
            mount_base(&uri("/sandbox/trakteer/"), &uri("/")),
            "/sandbox/trakteer"
        );
        assert_eq!(
            mount_base(&uri("/maddstore/tip"), &uri("/maddstore/tip")),
            ""
        );
        assert_eq!(mount_base(&uri("/"), &uri("/")), "");
    }
}
