//! Orders: the filtered list, one order's page (timeline, messages, payments) and what the seller
//! does with an order — process, re-check, refund, give an overpayment back.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use madd_domain::attempt::AttemptState;
use madd_domain::{OrderStatus, RefundMethod, Rupiah};
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::order_events;
use crate::db::orders::{self, Order, OrderFilter};
use crate::db::{messages, payments};
use crate::db::{supplier_attempts, supplier_requests};
use crate::error::AppError;
use crate::service::{fulfilment, overpayment};
use crate::web::admin::view::{
    actor_label, audience_label, customer_chat, invalid, message_kind_label, message_row, message_state_label,
    non_empty, order_rows, parse_day, replacement_note, supplier_action_label,
    supplier_outcome_label, CsrfForm, FlashQuery, MessageRow, OrderRow,
};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageError, PageResult};

#[derive(Template)]
#[template(path = "admin/orders.html")]
struct OrdersPage {
    csrf: String,
    flash: Option<String>,
    orders: Vec<OrderRow>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    from: String,
    to: String,
    product: String,
    q: String,
}

#[derive(Deserialize)]
pub(crate) struct OrdersQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    product: Option<String>,
    q: Option<String>,
}

pub(crate) async fn orders_list(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<OrdersQuery>,
) -> PageResult {
    let status = match non_empty(&q.status) {
        Some(st) => Some(
            st.parse::<OrderStatus>()
                .map_err(|_| invalid("Status tidak dikenal"))?,
        ),
        None => None,
    };
    let from = non_empty(&q.from).map(parse_day).transpose()?;
    // `to` is inclusive: orders created before the next day's midnight.
    let until = non_empty(&q.to)
        .map(parse_day)
        .transpose()?
        .map(|d| d + 24 * 60 * 60 * 1000);
    let mut conn = app.db.write().await?;
    let list = orders::list(
        &mut conn,
        &OrderFilter {
            status,
            search: non_empty(&q.q).map(str::to_string),
            limit: 300,
            from,
            until,
            product: non_empty(&q.product).map(str::to_string),
        },
    )
    .await?;
    Ok(render(&OrdersPage {
        csrf: s.csrf_token.clone(),
        flash: None,
        orders: order_rows(&mut conn, &list).await?,
        statuses: OrderStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_id()))
            .collect(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        product: q.product.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Monthly report

struct OrderDetail {
    code: String,
    status: &'static str,
    status_label: &'static str,
    product: String,
    product_code: String,
    account: String,
    nickname: Option<String>,
    whatsapp: String,
    price: String,
    fee: String,
    total: String,
    paid: String,
    cost: String,
    created: String,
    trxid: Option<String>,
    supplier_status: String,
    serial: Option<String>,
    failure: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/order.html")]
struct OrderPage {
    csrf: String,
    flash: Option<String>,
    o: OrderDetail,
    can_process: bool,
    is_retry: bool,
    can_recheck: bool,
    can_refund: bool,
    /// A chat with the customer, the message prefilled for the order's state.
    wa_url: String,
    /// The ways money can go back, for the refund and overpayment forms.
    refund_methods: [RefundMethod; 6],
    /// The overpayment and the form to give it back (`None`: not overpaid).
    overpaid: Option<OverpaidView>,
    /// Everything that happened to the order, oldest first: status changes and actions (with
    /// who), payments, messages and supplier requests.
    timeline: Vec<TimelineEntry>,
    payments: Vec<(String, String, String, String, String)>,
    messages: Vec<MessageRow>,
    supplier: Vec<(String, String, String, String)>,
    /// Each purchase attempt at a supplier, in order.
    attempts: Vec<AttemptView>,
    /// Bought through the reseller API: the reseller's username and their `ref_id`.
    h2h: Option<(String, String)>,
}

struct AttemptView {
    n: i64,
    supplier: &'static str,
    sku: String,
    reference: String,
    trxid: String,
    cost: String,
    outcome: String,
    failed: bool,
    detail: String,
}

/// The reseller and `ref_id` of an order the reseller API made.
async fn api_origin(
    conn: &mut crate::db::Conn,
    order_id: i64,
) -> crate::db::DbResult<Option<(String, String)>> {
    Ok(crate::db::h2h::transaction_of_order(conn, order_id)
        .await?
        .map(|t| (t.username, t.ref_id)))
}

pub(crate) async fn order_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Query(flash): Query<FlashQuery>,
) -> PageResult {
    let order = crate::service::orders::get(&app, &code).await?;
    let overpaid = overpaid_view(&app, &order).await?;
    let mut conn = app.db.write().await?;
    let events = order_events::events(&mut conn, order.id).await?;
    let pays = payments::for_order(&mut conn, order.id).await?;
    let msgs = messages::for_order(&mut conn, order.id).await?;
    let reqs = supplier_requests::supplier_requests(&mut conn, order.id).await?;
    let tries = supplier_attempts::for_order(&mut conn, order.id).await?;
    let h2h = api_origin(&mut conn, order.id).await?;
    drop(conn);
    let timeline = timeline(&events, &pays, &msgs, &reqs);
    let o = &order;
    Ok(render(&OrderPage {
        h2h,
        timeline,
        overpaid,
        csrf: s.csrf_token.clone(),
        flash: flash.done.map(|d| match d.as_str() {
            "process" => "Pesanan dikirim ke supplier.".to_string(),
            "recheck" => "Status supplier dicek ulang.".to_string(),
            "refund" => "Refund dicatat.".to_string(),
            "overpaid" => "Pengembalian kelebihan bayar dicatat.".to_string(),
            "resend" => "Pesan dijadwalkan kirim ulang.".to_string(),
            _ => "Selesai.".to_string(),
        }),
        can_process: o.can_process(),
        is_retry: o.status == OrderStatus::Failed,
        can_recheck: o.can_recheck(),
        can_refund: o.status.can_refund(),
        wa_url: customer_chat(o),
        refund_methods: RefundMethod::ALL,
        o: OrderDetail {
            code: o.code.to_string(),
            status: o.status.as_str(),
            status_label: o.status.label_id(),
            product: o.product_name.clone(),
            product_code: o.product_code.clone(),
            account: o.account.to_string(),
            nickname: o.nickname.clone(),
            whatsapp: o.whatsapp.local(),
            price: o.price.display_spaced(),
            fee: o.fee.display_spaced(),
            total: o.amount_due.display_spaced(),
            paid: o.amount_paid.display_spaced(),
            cost: o.cost.display_spaced(),
            created: clock::human(o.created_at),
            trxid: o.supplier_trxid.clone(),
            supplier_status: o
                .supplier_status
                .map(|s| supplier_outcome_label(s.as_str()).to_string())
                .unwrap_or_default(),
            serial: o.serial_number.clone(),
            failure: o.failure_reason.clone(),
        },
        payments: pays
            .iter()
            .map(|p| {
                (
                    clock::human(p.received_at),
                    p.transaction_id.clone(),
                    p.supporter_name.clone(),
                    p.gross.display_spaced(),
                    p.net
                        .map(|n| n.display_spaced())
                        .unwrap_or_else(|| "–".into()),
                )
            })
            .collect(),
        messages: msgs.iter().map(message_row).collect(),
        attempts: tries
            .into_iter()
            .map(|a| AttemptView {
                n: a.attempt,
                supplier: a.supplier.label(),
                failed: matches!(a.state, AttemptState::Failed | AttemptState::FailedEarlier),
                outcome: a.state.label_id().to_string(),
                sku: a.sku,
                reference: a.reference,
                trxid: a.trxid.unwrap_or_else(|| "–".into()),
                cost: a
                    .cost
                    .map(|c| c.display_spaced())
                    .unwrap_or_else(|| "–".into()),
                detail: a.detail,
            })
            .collect(),
        supplier: reqs
            .iter()
            .map(|r| {
                (
                    clock::human(r.at),
                    r.action.clone(),
                    r.outcome.clone(),
                    r.detail.clone(),
                )
            })
            .collect(),
    }))
}

pub(crate) struct TimelineEntry {
    at: String,
    kind: &'static str,
    who: String,
    detail: String,
}

fn timeline(
    events: &[order_events::OrderEvent],
    pays: &[payments::Payment],
    msgs: &[messages::Message],
    reqs: &[supplier_requests::SupplierRequest],
) -> Vec<TimelineEntry> {
    let mut all: Vec<(i64, u8, TimelineEntry)> = Vec::new();
    for e in events {
        all.push((
            e.at,
            0,
            TimelineEntry {
                at: clock::human(e.at),
                kind: "Status",
                who: actor_label(&e.actor),
                detail: e.detail.clone(),
            },
        ));
    }
    for p in pays {
        let net = p.net.map(|n| format!(", neto {n}")).unwrap_or_default();
        all.push((
            p.received_at,
            1,
            TimelineEntry {
                at: clock::human(p.received_at),
                kind: "Pembayaran",
                // The rail it came through (`trakteer`, `midtrans`, `tripay`) or `saldo`.
                who: format!("{} ({})", p.provider, p.source),
                detail: format!(
                    "{} dari {}{net} – transaksi {}",
                    p.gross, p.supporter_name, p.transaction_id
                ),
            },
        ));
    }
    for r in reqs {
        all.push((
            r.at,
            2,
            TimelineEntry {
                at: clock::human(r.at),
                kind: "Supplier",
                who: supplier_action_label(&r.action).to_string(),
                detail: format!("{}: {}", supplier_outcome_label(&r.outcome), r.detail),
            },
        ));
    }
    for m in msgs {
        let state = match &m.last_error {
            Some(e) => format!("{} ({e})", message_state_label(m.state)),
            None => message_state_label(m.state).to_string(),
        };
        all.push((
            m.created_at,
            3,
            TimelineEntry {
                at: clock::human(m.created_at),
                kind: "WhatsApp",
                who: format!("ke {}", audience_label(&m.audience)),
                detail: match replacement_note(m) {
                    Some(note) => format!(
                        "{} #{} – {state} – {note}",
                        message_kind_label(&m.kind),
                        m.id
                    ),
                    None => format!("{} – {state}", message_kind_label(&m.kind)),
                },
            },
        ));
    }
    all.sort_by_key(|(at, order, _)| (*at, *order));
    all.into_iter().map(|(_, _, e)| e).collect()
}

pub(crate) async fn process(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let order = fulfilment::process(&app, &code, &s.actor()).await?;
    Ok(Redirect::to(&format!("/admin/orders/{}?done=process", order.code)).into_response())
}

pub(crate) async fn recheck(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    fulfilment::recheck(&app, &code).await?;
    Ok(Redirect::to(&format!("/admin/orders/{code}?done=recheck")).into_response())
}

/// Money going back to the customer: a failed order's refund, or an overpayment returned.
#[derive(Deserialize)]
pub(crate) struct RefundForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    method: String,
    /// For a refund, empty means everything the customer paid; a return needs an amount.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

pub(crate) async fn refund(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<RefundForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let method = refund_method(&f.method)?;
    let amount = match f.amount.trim() {
        "" => None,
        text => Some(refund_amount(text)?),
    };
    crate::service::refunds::refund(&app, &code, &s.actor(), method, amount, &f.note).await?;
    let order = crate::service::orders::get(&app, &code).await?;
    Ok(Redirect::to(&format!("/admin/orders/{}?done=refund", order.code)).into_response())
}

/// The order page's overpayment box.
pub struct OverpaidView {
    pub overpaid: String,
    pub returned: String,
    pub returned_any: bool,
    pub open: String,
    /// The form is shown (something is left to give back and the order allows it).
    pub can_return: bool,
}

/// `None` when the order was not overpaid.
pub async fn overpaid_view(app: &App, order: &Order) -> Result<Option<OverpaidView>, PageError> {
    let over = overpayment::of_order(app, order.id).await?;
    if over.overpaid == Rupiah::ZERO {
        return Ok(None);
    }
    Ok(Some(OverpaidView {
        overpaid: over.overpaid.display_spaced(),
        returned: over.returned.display_spaced(),
        returned_any: over.returned != Rupiah::ZERO,
        open: over.open().display_spaced(),
        can_return: overpayment::returnable(order.status) && over.open() != Rupiah::ZERO,
    }))
}

pub(crate) async fn overpayment_return(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<RefundForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let amount = refund_amount(&f.amount)?;
    let method = refund_method(&f.method)?;
    overpayment::give_back(&app, &code, &s.actor(), method, amount, &f.note).await?;
    let order = crate::service::orders::get(&app, &code).await?;
    Ok(Redirect::to(&format!("/admin/orders/{}?done=overpaid", order.code)).into_response())
}

/// A refund or return amount as the seller typed it.
fn refund_amount(text: &str) -> Result<Rupiah, PageError> {
    Rupiah::parse_typed(text)
        .map_err(|e| AppError::invalid("invalid_refund_amount", e.to_string()).into())
}

/// One of the ways money goes back, as the seller picked it.
fn refund_method(text: &str) -> Result<RefundMethod, PageError> {
    text.parse().map_err(|_| {
        AppError::invalid("invalid_refund_method", "Metode refund tidak dikenal").into()
    })
}
