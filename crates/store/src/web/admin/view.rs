//! What the dashboard's pages share: the order and message rows, the catalogue-sync box, the
//! forms every action carries (CSRF), and reading what the seller typed. Pages import this,
//! never each other.

use serde::Deserialize;

use crate::app::App;
use crate::clock::{self, WIB};
use crate::db::messages;
use crate::db::orders::Order;
use crate::error::AppError;
use crate::service::catalog_sync;
use crate::web::page::PageError;

pub(crate) struct OrderRow {
    pub(crate) code: String,
    pub(crate) created: String,
    pub(crate) status: &'static str,
    pub(crate) status_label: &'static str,
    pub(crate) product: String,
    pub(crate) account: String,
    pub(crate) total: String,
    pub(crate) paid: String,
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
    }
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
        audience: m.audience.clone(),
        kind: m.kind.clone(),
        state: m.state.as_str(),
        error: m.last_error.clone(),
        attempts: m.attempts,
        body: m.body.clone(),
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
        _ => "Lainnya",
    }
}
