//! What the dashboard's pages share: the order and message rows, the catalogue-sync box, the
//! forms every action carries (CSRF), and reading what the seller typed. Pages import this,
//! never each other.

use std::collections::BTreeMap;

use madd_domain::offer::{first_offer, Suppliers};
use madd_domain::SupplierId;
use serde::Deserialize;

use crate::app::App;
use crate::clock::{self, WIB};
use crate::db::messages;
use crate::db::offers::OfferRow;
use crate::db::orders::Order;
use crate::error::AppError;
use crate::service::catalog_sync;
use crate::web::page::PageError;
use madd_domain::OrderStatus;

pub(crate) struct OrderRow {
    pub(crate) code: String,
    pub(crate) created: String,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) product: String,
    pub(crate) account: String,
    pub(crate) total: String,
    pub(crate) paid: String,
    /// Paid and not yet with the supplier: "Proses" places it.
    pub(crate) can_process: bool,
    /// A WhatsApp chat with the customer, the message prefilled for the order's state.
    pub(crate) wa_url: String,
}

pub(crate) fn order_row(o: &Order) -> OrderRow {
    OrderRow {
        code: o.code.to_string(),
        created: clock::human(o.created_at),
        status: o.status.as_str(),
        status_label: o.status.label_id(),
        product: o.product_name.clone(),
        account: match &o.nickname {
            Some(n) => format!("{} – {n}", o.account),
            None => o.account.to_string(),
        },
        total: o.amount_due.display_spaced(),
        paid: o.amount_paid.display_spaced(),
        can_process: o.can_process(),
        wa_url: customer_chat(o),
    }
}

/// A page of the orders list, each API order's account naming the reseller whose bot bought it.
pub(crate) async fn order_rows(
    conn: &mut crate::db::Conn,
    list: &[Order],
) -> crate::db::DbResult<Vec<OrderRow>> {
    let (from, to) = (
        list.iter().map(|o| o.id).min().unwrap_or(0),
        list.iter().map(|o| o.id).max().unwrap_or(0),
    );
    let resellers = crate::db::h2h::resellers_of_orders(conn, (from, to)).await?;
    Ok(list
        .iter()
        .map(|o| {
            let mut row = order_row(o);
            if let Some(username) = resellers.get(&o.id) {
                row.account.push_str(&format!(" · API {username}"));
            }
            row
        })
        .collect())
}

/// `wa.me` with a message to the customer that fits the order's state.
pub(crate) fn customer_chat(o: &Order) -> String {
    let text = match o.status {
        OrderStatus::Failed => format!(
            "Halo kak, mohon maaf pesanan {} ({}) gagal diproses. Kami bisa kirim ulang atau \
             mengembalikan dana; untuk refund, boleh kirim nomor GoPay/DANA/OVO atau rekeningnya?",
            o.code, o.product_name
        ),
        OrderStatus::Underpaid => format!(
            "Halo kak, pembayaran pesanan {} ({}) masih kurang {}. Sisanya bisa dibayar lewat \
             halaman pesanan ya.",
            o.code,
            o.product_name,
            o.shortfall().display_spaced()
        ),
        _ => format!("Halo kak, soal pesanan {} ({}):", o.code, o.product_name),
    };
    format!(
        "https://wa.me/{}?text={}",
        o.whatsapp.as_str(),
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    )
}

pub(crate) struct MessageRow {
    pub id: i64,
    pub created: String,
    pub to: String,
    pub audience: String,
    pub kind: String,
    pub state: &'static str,
    pub error: Option<String>,
    pub attempts: i64,
    pub body: String,
    pub failed: bool,
    /// How this message and its template replacement are linked, when they are.
    pub note: Option<String>,
}

/// "template pengganti pesan #N" / "diganti template #M" for a 131047 replacement pair.
pub(crate) fn replacement_note(m: &messages::Message) -> Option<String> {
    match (m.replaces_id, m.replaced_by) {
        (Some(original), _) => Some(format!(
            "template pengganti pesan #{original} (di luar jendela 24 jam)"
        )),
        (None, Some(copy)) => Some(format!("dikirim ulang sebagai template: pesan #{copy}")),
        (None, None) => None,
    }
}

pub(crate) fn message_row(m: &messages::Message) -> MessageRow {
    MessageRow {
        id: m.id,
        created: clock::human(m.created_at),
        to: m.recipient.local(),
        audience: audience_label(&m.audience).to_string(),
        kind: message_kind_label(&m.kind).to_string(),
        state: message_state_label(m.state),
        error: m.last_error.clone(),
        attempts: m.attempts,
        // A sign-in code waiting to be sent is no one's business but its owner's.
        body: if m.kind == crate::notify::SIGN_IN_CODE {
            "(kode masuk disembunyikan)".to_string()
        } else {
            m.body.clone()
        },
        // A replaced message is already being sent again, as its template.
        failed: m.state == messages::MessageState::Failed && m.replaced_by.is_none(),
        note: replacement_note(m),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

#[derive(Deserialize)]
pub(crate) struct DoneQuery {
    pub done: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct FlashQuery {
    pub done: Option<String>,
}

pub(crate) fn invalid(message: impl Into<String>) -> PageError {
    AppError::invalid("invalid_input", message.into()).into()
}

/// `2026-03-05` → the first instant of that day in WIB (unix ms).
pub(crate) fn parse_day(text: &str) -> Result<i64, PageError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text.trim(), &format)
        .map_err(|_| invalid(format!("Tanggal '{text}' tidak valid (YYYY-MM-DD)")))?;
    Ok(clock::to_millis(date.midnight().assume_offset(WIB)))
}

pub(crate) fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Orders

/// The products page's sync box.
pub struct SyncView {
    /// When the last run finished, `None` before the first.
    pub last_at: Option<String>,
    pub total: i64,
    pub available: i64,
    pub unavailable: i64,
    pub error: Option<String>,
    /// When the next run is due.
    pub next_at: Option<String>,
    /// A run is due now or running.
    pub busy: bool,
}

pub async fn sync_view(app: &App) -> Result<SyncView, PageError> {
    let status = catalog_sync::status(app).await?;
    let now = app.now_ms();
    let last = status.last;
    Ok(SyncView {
        last_at: last.as_ref().map(|r| clock::human(r.finished_at)),
        total: last.as_ref().map(|r| r.total).unwrap_or_default(),
        available: last.as_ref().map(|r| r.available).unwrap_or_default(),
        unavailable: last
            .as_ref()
            .map(|r| r.total - r.available)
            .unwrap_or_default(),
        error: last.and_then(|r| r.error),
        next_at: status.next.map(|(at, _)| clock::human(at)),
        busy: status
            .next
            .is_some_and(|(at, running)| running || at <= now),
    })
}

pub fn sync_flash(done: &str) -> Option<String> {
    match done {
        "sync" => {
            Some("Sinkron katalog dijadwalkan; muat ulang sebentar lagi untuk hasilnya.".into())
        }
        "sync-running" => Some("Sinkron katalog sedang berjalan; muat ulang sebentar lagi.".into()),
        _ => None,
    }
}

/// A store check's name (`doctor`'s, in English for the command line) as the dashboard says it.
pub(crate) fn check_label(name: &str) -> &'static str {
    match name {
        "configuration" => "Konfigurasi",
        "database" => "Database",
        "supplier" => "Supplier",
        "payment" => "Pembayaran",
        "whatsapp" => "WhatsApp",
        "public URL" => "Alamat publik",
        "seller" => "WhatsApp penjual",
        "webhooks" => "Webhook",
        "backups" => "Cadangan harian",
        "saldo" => "Saldo pelanggan",
        _ => "Lainnya",
    }
}

// The seller reads Indonesian: the stored names (kinds, states, actions) are for code and logs.

/// Who moved an order, as the seller reads it: `system`, `customer`, `supplier`, a provider's
/// name (`digiflazz`, `midtrans`, `saldo`…) or `admin:<name>`.
pub(crate) fn actor_label(actor: &str) -> String {
    match actor {
        "system" => "sistem".into(),
        "customer" => "pembeli".into(),
        "seller" => "penjual".into(),
        other => match other.strip_prefix("admin:") {
            Some(name) => format!("penjual ({name})"),
            None => other.into(),
        },
    }
}

pub(crate) fn audience_label(audience: &str) -> &str {
    match audience {
        "customer" => "pembeli",
        "seller" => "penjual",
        other => other,
    }
}

pub(crate) fn message_kind_label(kind: &str) -> &str {
    match kind {
        "order_created" => "Tagihan & link bayar",
        "payment_received" => "Pembayaran diterima",
        "payment_short" => "Pembayaran kurang",
        "order_delivered" => "Pesanan terkirim + SN",
        "order_failed" => "Pesanan gagal",
        "refunded_to_saldo" => "Refund ke saldo",
        "credited_to_saldo" => "Masuk saldo",
        "sign_in_code" => "Kode masuk",
        "seller_cash_out" => "Permintaan tarik saldo",
        "cash_out_paid" => "Tarik saldo dibayar",
        "cash_out_refused" => "Tarik saldo ditolak",
        "payment_to_saldo" => "Pembayaran masuk saldo",
        "topped_up" => "Isi saldo berhasil",
        "order_expired" => "Pesanan kedaluwarsa",
        "chat_reply" => "Balasan chat",
        "seller_new_order" => "Pesanan baru",
        "seller_payment_received" => "Pembayaran masuk",
        "seller_order_failed" => "Gagal di supplier",
        "seller_order_stuck" => "Pesanan tersangkut",
        "seller_refund_needed" => "Perlu refund",
        "seller_unmatched_payment" => "Pembayaran belum cocok",
        "seller_late_payment" => "Bayar setelah kedaluwarsa",
        "seller_low_balance" => "Saldo supplier menipis",
        "seller_customer_message" => "Chat dari pembeli",
        other => other,
    }
}

pub(crate) fn message_state_label(state: messages::MessageState) -> &'static str {
    use messages::MessageState as S;
    match state {
        S::Queued => "antre",
        S::Sent => "terkirim",
        S::Delivered => "sampai",
        S::Read => "dibaca",
        S::Failed => "gagal",
    }
}

pub(crate) fn supplier_action_label(action: &str) -> &str {
    match action {
        "order" => "Pesan ke supplier",
        "callback" => "Kabar dari supplier",
        "status" => "Cek status",
        "reconcile" => "Cari di riwayat supplier",
        other => other,
    }
}

pub(crate) fn supplier_outcome_label(outcome: &str) -> &str {
    match outcome {
        "accepted" => "diterima",
        "rejected" => "ditolak",
        "unknown" => "tanpa jawaban",
        "waiting" => "menunggu",
        "processing" => "diproses",
        "success" => "sukses",
        "error" => "gagal",
        "found" => "ditemukan",
        "not_found" => "tidak ada",
        "unavailable" => "tidak bisa dicek",
        "unresolved" => "belum pasti",
        other => other,
    }
}

/// `5 menit`, `3 jam`, `2 hari`: how long ago or how long something has waited.
pub(crate) fn span_id(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    match minutes {
        0..=59 => format!("{minutes} menit"),
        60..=2_879 => format!("{} jam", minutes / 60),
        _ => format!("{} hari", minutes / 1_440),
    }
}

// ---------------------------------------------------------------------------------------------
// Offers

/// Each store product's offers (by product code), and the offers matched to none.
pub(crate) fn group_offers(all: Vec<OfferRow>) -> (BTreeMap<String, Vec<OfferRow>>, Vec<OfferRow>) {
    let mut grouped: BTreeMap<String, Vec<OfferRow>> = BTreeMap::new();
    let mut unmatched = Vec::new();
    for o in all {
        match o.product_code.clone() {
            Some(code) => grouped.entry(code).or_default().push(o),
            None => unmatched.push(o),
        }
    }
    (grouped, unmatched)
}

/// The offer tried first among `list`, as `(supplier, sku)`.
pub(crate) fn first_of(
    list: &[OfferRow],
    configured: &[SupplierId],
    paused: &[SupplierId],
) -> Option<(SupplierId, String)> {
    let plain: Vec<_> = list.iter().map(OfferRow::offer).collect();
    first_offer(&plain, &Suppliers { configured, paused }).map(|o| (o.supplier, o.sku.clone()))
}
/// Every product's code and name, for a field's `<datalist>` picker: a seller on a phone types
/// part of a name and taps the product instead of remembering its code.
pub(crate) async fn product_picker(
    conn: &mut crate::db::Conn,
) -> crate::db::DbResult<Vec<(String, String)>> {
    Ok(crate::db::products::list(conn, None)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p.label().to_string()))
        .collect())
}

