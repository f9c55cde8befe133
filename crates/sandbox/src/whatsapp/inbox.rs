//! The inbox pages a person reads in the demo: one list of conversations, one chat page per
//! number, and a form to answer as the customer. Every piece of text is HTML-escaped before
//! WhatsApp's `*bold*`, `_italic_` and `~strike~` and links are rendered. Links in the pages are
//! relative, so the inbox works wherever the router is mounted.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use time::macros::{format_description, offset};
use time::OffsetDateTime;

use super::{normalize, CustomerMessage, Gateway, SentMessage, WhatsAppSim};
use crate::html::escape;

const STYLE: &str = "\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#efeae2;color:#111b21}\
header{background:#075e54;color:#fff;padding:12px 16px;position:sticky;top:0}\
header a{color:#fff}header h1{font-size:1.1rem;margin:0}header p{margin:4px 0 0;font-size:.85rem;opacity:.9}\
main{max-width:720px;margin:0 auto;padding:12px}\
ul.list{list-style:none;padding:0;margin:0;background:#fff;border-radius:8px}\
ul.list li{border-bottom:1px solid #e9edef}ul.list a{display:block;padding:12px 16px;color:inherit;text-decoration:none}\
.muted{color:#667781;font-size:.8rem}\
.row{display:flex;margin:6px 0}.row.out{justify-content:flex-end}\
.bubble{max-width:85%;padding:6px 10px 4px;border-radius:8px;box-shadow:0 1px .5px rgba(0,0,0,.13);overflow-wrap:anywhere}\
.out .bubble{background:#d9fdd3}.in .bubble{background:#fff}\
.tag{display:inline-block;font-size:.7rem;background:#e9edef;border-radius:4px;padding:0 4px;margin-right:4px}\
.meta{font-size:.7rem;color:#667781;text-align:right;margin-top:2px}\
ol.params{margin:4px 0;padding-left:20px}\
form{background:#fff;border-radius:8px;padding:12px;margin-top:16px}\
label{display:block;font-size:.85rem;margin:6px 0 2px}\
input,textarea,select{width:100%;box-sizing:border-box;font:inherit;padding:8px;border:1px solid #d1d7db;border-radius:6px}\
button{margin-top:8px;background:#00a884;color:#fff;border:0;border-radius:6px;padding:10px 16px;font:inherit}\
.window{font-size:.8rem;margin:8px 0;padding:6px 10px;border-radius:6px;background:#fff7d6}";

pub(super) async fn list(State(sim): State<WhatsAppSim>) -> Html<String> {
    let (messages, inbound) = {
        let state = sim.state();
        (
            state.messages.iter().cloned().collect::<Vec<_>>(),
            state.inbound.clone(),
        )
    };
    // number → (sent to it, received from it, last activity)
    let mut conversations: HashMap<String, (usize, usize, OffsetDateTime)> = HashMap::new();
    for m in &messages {
        let entry = conversations.entry(m.to.clone()).or_insert((0, 0, m.at));
        entry.0 += 1;
        entry.2 = entry.2.max(m.at);
    }
    for m in &inbound {
        let entry = conversations.entry(m.from.clone()).or_insert((0, 0, m.at));
        entry.1 += 1;
        entry.2 = entry.2.max(m.at);
    }
    let mut rows: Vec<_> = conversations.into_iter().collect();
    rows.sort_by(|a, b| b.1 .2.cmp(&a.1 .2).then_with(|| a.0.cmp(&b.0)));

    let mut body = String::new();
    if rows.is_empty() {
        body.push_str("<p class=\"muted\">Belum ada pesan.</p>");
    } else {
        body.push_str("<ul class=\"list\">");
        for (number, (sent, received, last)) in &rows {
            let _ = write!(
                body,
                "<li><a href=\"inbox/{n}\"><strong>+{n}</strong><br>\
                 <span class=\"muted\">{sent} pesan terkirim · {received} dari pelanggan · \
                 terakhir {last}</span></a></li>",
                n = escape(number),
                last = wib(*last),
            );
        }
        body.push_str("</ul>");
    }
    body.push_str(
        "<form method=\"post\" action=\"inbox\">\
         <strong>Kirim sebagai pelanggan</strong>\
         <label for=\"number\">Nomor WhatsApp</label>\
         <input id=\"number\" name=\"number\" inputmode=\"tel\" placeholder=\"0812-3456-7890\" required>\
         <label for=\"name\">Nama (opsional)</label>\
         <input id=\"name\" name=\"name\" placeholder=\"Pelanggan\">\
         <label for=\"text\">Pesan</label>\
         <textarea id=\"text\" name=\"text\" rows=\"3\" required></textarea>\
         <label for=\"via\">Lewat webhook</label>\
         <select id=\"via\" name=\"via\"><option value=\"\">bawaan</option>\
         <option value=\"cloud\">Cloud API (bertanda tangan)</option>\
         <option value=\"fonnte\">Fonnte</option></select>\
         <button type=\"submit\">Kirim sebagai pelanggan</button></form>",
    );
    Html(page(
        "Kotak masuk WhatsApp",
        "<h1>Kotak masuk WhatsApp (sandbox)</h1>\
         <p>Semua pesan yang dikirim toko lewat Cloud API dan Fonnte</p>",
        &body,
    ))
}

pub(super) async fn chat(State(sim): State<WhatsAppSim>, Path(number): Path<String>) -> Response {
    let Some(number) = normalize(&number, "62") else {
        return bad_request("Nomor WhatsApp tidak valid.");
    };
    let (sent, inbound, window_until) = {
        let state = sim.state();
        let sent: Vec<SentMessage> = state
            .messages
            .iter()
            .filter(|m| m.to == number)
            .cloned()
            .collect();
        let inbound: Vec<CustomerMessage> = state
            .inbound
            .iter()
            .filter(|m| m.from == number)
            .cloned()
            .collect();
        let now = state.now();
        let window_until = state
            .last_inbound
            .get(&number)
            .map(|at| *at + super::WINDOW)
            .filter(|until| *until > now);
        (sent, inbound, window_until)
    };

    enum Item<'a> {
        Out(&'a SentMessage),
        In(&'a CustomerMessage),
    }
    let mut items: Vec<(OffsetDateTime, Item)> = sent
        .iter()
        .map(|m| (m.at, Item::Out(m)))
        .chain(inbound.iter().map(|m| (m.at, Item::In(m))))
        .collect();
    // Stable: messages recorded in the same instant keep their order.
    items.sort_by_key(|(at, _)| *at);

    let mut body = String::new();
    body.push_str(&match window_until {
        Some(until) => format!(
            "<p class=\"window\">Jendela 24 jam terbuka sampai {}: teks bebas diterima.</p>",
            wib(until)
        ),
        None => "<p class=\"window\">Jendela 24 jam tertutup: Cloud API hanya menerima \
                 template.</p>"
            .to_owned(),
    });
    if items.is_empty() {
        body.push_str("<p class=\"muted\">Belum ada pesan untuk nomor ini.</p>");
    }
    for (_, item) in &items {
        match item {
            Item::Out(m) => render_sent(&mut body, m),
            Item::In(m) => {
                let _ = write!(
                    body,
                    "<div class=\"row in\"><div class=\"bubble\">\
                     <div class=\"muted\">{name}</div>{text}\
                     <div class=\"meta\">{time}</div></div></div>",
                    name = escape(&m.name),
                    text = render_text(&m.text),
                    time = wib(m.at),
                );
            }
        }
    }
    body.push_str(
        "<form method=\"post\">\
         <strong>Kirim sebagai pelanggan</strong>\
         <label for=\"name\">Nama (opsional)</label>\
         <input id=\"name\" name=\"name\" placeholder=\"Pelanggan\">\
         <label for=\"text\">Pesan</label>\
         <textarea id=\"text\" name=\"text\" rows=\"3\" required></textarea>\
         <label for=\"via\">Lewat webhook</label>\
         <select id=\"via\" name=\"via\"><option value=\"\">bawaan</option>\
         <option value=\"cloud\">Cloud API (bertanda tangan)</option>\
         <option value=\"fonnte\">Fonnte</option></select>\
         <button type=\"submit\">Kirim sebagai pelanggan</button></form>",
    );
    let n = escape(&number);
    Html(page(
        &format!("+{n}"),
        &format!(
            "<h1>+{n}</h1><p><a href=\"../inbox\">← semua percakapan</a> · \
             <a href=\"{n}\">muat ulang</a></p>"
        ),
        &body,
    ))
    .into_response()
}

fn render_sent(out: &mut String, m: &SentMessage) {
    let gateway = match m.gateway {
        Gateway::Cloud => "Cloud API",
        Gateway::Fonnte => "Fonnte",
    };
    let content = match &m.template_name {
        Some(name) => {
            let mut html = format!(
                "<span class=\"tag\">template</span><strong>{}</strong>",
                escape(name)
            );
            if !m.params.is_empty() {
                html.push_str("<ol class=\"params\">");
                for p in &m.params {
                    let _ = write!(html, "<li>{}</li>", render_text(p));
                }
                html.push_str("</ol>");
            }
            html
        }
        None => render_text(&m.body),
    };
    let _ = write!(
        out,
        "<div class=\"row out\"><div class=\"bubble\">{content}\
         <div class=\"meta\"><span class=\"tag\">{gateway}</span>{time} · {status}</div>\
         </div></div>",
        time = wib(m.at),
        status = status_label(&m.status),
    );
}

fn status_label(status: &str) -> String {
    match status {
        "accepted" => "diterima server".into(),
        "sent" => "terkirim ✓".into(),
        "delivered" => "sampai ✓✓".into(),
        "read" => "dibaca ✓✓".into(),
        "failed" => "gagal".into(),
        other => escape(other),
    }
}

#[derive(Deserialize)]
pub(super) struct WriteForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    text: String,
    /// `cloud` or `fonnte`: which webhook carries the message (default: the simulator's choice).
    #[serde(default)]
    via: String,
}

/// `POST /inbox`: a customer writes from a number that may have no conversation yet.
pub(super) async fn write_new(
    State(sim): State<WhatsAppSim>,
    Form(form): Form<WriteForm>,
) -> Response {
    write_as_customer(&sim, &form.number, &form, "inbox/").await
}

/// `POST /inbox/{number}`: the customer answers in the conversation.
pub(super) async fn write(
    State(sim): State<WhatsAppSim>,
    Path(number): Path<String>,
    Form(form): Form<WriteForm>,
) -> Response {
    write_as_customer(&sim, &number, &form, "").await
}

async fn write_as_customer(
    sim: &WhatsAppSim,
    number: &str,
    form: &WriteForm,
    redirect_prefix: &str,
) -> Response {
    let text = form.text.trim();
    if text.is_empty() {
        return bad_request("Pesan tidak boleh kosong.");
    }
    let name = match form.name.trim() {
        "" => "Pelanggan",
        name => name,
    };
    let via = match form.via.as_str() {
        "cloud" => Some(Gateway::Cloud),
        "fonnte" => Some(Gateway::Fonnte),
        _ => None,
    };
    match sim.receive(number, name, text, via).await {
        // Relative to the form's page, so it works under any mount point.
        Ok(message) => (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("{redirect_prefix}{}", message.from),
            )],
        )
            .into_response(),
        Err(_) => bad_request("Nomor WhatsApp tidak valid."),
    }
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(page(
            "Tidak valid",
            "<h1>Kotak masuk WhatsApp (sandbox)</h1>",
            &format!(
                "<p>{}</p><p><a href=\"javascript:history.back()\">← kembali</a></p>",
                escape(message)
            ),
        )),
    )
        .into_response()
}

fn page(title: &str, header_html: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · WhatsApp sandbox</title><style>{STYLE}</style></head>\
         <body><header>{header_html}</header><main>{body}</main></body></html>"
    )
}

/// `08/06/2025 03:59 WIB`: Indonesian readers think in Western Indonesian Time.
fn wib(at: OffsetDateTime) -> String {
    at.to_offset(offset!(+7))
        .format(format_description!(
            "[day]/[month]/[year] [hour]:[minute] WIB"
        ))
        .unwrap_or_default()
}

/// A message as WhatsApp shows it: escaped, then links, bold, italic and strike-through, with
/// line breaks kept.
pub(super) fn render_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut html = String::new();
            for (is_link, segment) in split_links(line) {
                if is_link {
                    let url = escape(segment);
                    let _ = write!(
                        html,
                        "<a href=\"{url}\" target=\"_blank\" rel=\"noopener noreferrer\">{url}</a>"
                    );
                } else {
                    let escaped = escape(segment);
                    let bold = wrap_markers(&escaped, '*', "b");
                    let italic = wrap_markers(&bold, '_', "i");
                    html.push_str(&wrap_markers(&italic, '~', "s"));
                }
            }
            html
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Splits a line into plain segments and `http(s)://` links. A link ends at whitespace; trailing
/// punctuation belongs to the sentence, not the link.
fn split_links(line: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut rest = line;
    while let Some(start) = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        let after = &rest[start..];
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let url = after[..end]
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '*', '_', '~', '\'', '"']);
        let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
        if url.len() <= scheme_len {
            // A bare scheme is text; step past it.
            parts.push((false, &rest[..start + scheme_len]));
            rest = &rest[start + scheme_len..];
            continue;
        }
        if start > 0 {
            parts.push((false, &rest[..start]));
        }
        parts.push((true, url));
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        parts.push((false, rest));
    }
    parts
}

/// WhatsApp's rule for `*x*`: the opening marker starts a word and is followed by a non-space,
/// the closing one follows a non-space and ends a word.
fn wrap_markers(text: &str, marker: char, tag: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let opens = chars[i] == marker
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars
                .get(i + 1)
                .is_some_and(|c| !c.is_whitespace() && *c != marker);
        if opens {
            let close = (i + 2..chars.len()).find(|&j| {
                chars[j] == marker
                    && !chars[j - 1].is_whitespace()
                    && chars.get(j + 1).is_none_or(|c| !c.is_alphanumeric())
            });
            if let Some(j) = close {
                let inner: String = chars[i + 1..j].iter().collect();
                let _ = write!(out, "<{tag}>{inner}</{tag}>");
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_before_formatting() {
        assert_eq!(
            render_text("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(
            render_text("Kode *MS-7K3Q9* _lunas_ ~batal~"),
            "Kode <b>MS-7K3Q9</b> <i>lunas</i> <s>batal</s>"
        );
        assert_eq!(render_text("a*b*c 2 * 3 * 4"), "a*b*c 2 * 3 * 4");
        assert_eq!(render_text("baris 1\nbaris 2"), "baris 1<br>baris 2");
        assert_eq!(render_text("*<b>*"), "<b>&lt;b&gt;</b>");
    }

    #[test]
    fn links_are_clickable_and_safe() {
        assert_eq!(
            render_text("Bayar: https://trakteer.id/madd?q=1&x=\"y\"z."),
            "Bayar: <a href=\"https://trakteer.id/madd?q=1&amp;x=&quot;y&quot;z\" target=\"_blank\" \
             rel=\"noopener noreferrer\">https://trakteer.id/madd?q=1&amp;x=&quot;y&quot;z</a>."
        );
        assert_eq!(render_text("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(render_text("just https:// here"), "just https:// here");
        let with_snake = render_text("lihat http://a.b/c_d_e ya");
        assert!(
            with_snake.contains("href=\"http://a.b/c_d_e\""),
            "{with_snake}"
        );
    }
}
