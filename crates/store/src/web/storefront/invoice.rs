//! The invoice: status timeline, countdown, pay link and its QR code, the SN once delivered.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use madd_domain::storefront as shopfront;
use madd_domain::{OrderStatus, ServiceKind};

use crate::app::App;
use crate::clock;
use crate::db::orders::Order;
use crate::error::{AppError, AppResult};
use crate::service::catalogue_snapshot;
use crate::service::orders;
use crate::web::closed::Closed;
use crate::web::i18n::{self, Lang, Texts};
use crate::web::page::{render, PageResult};
use crate::web::storefront::view::{price_lines, PriceLine};

/// One step of the invoice's status timeline.
pub struct Step {
    pub label: &'static str,
    /// `done`, `now`, `todo` or `bad`.
    pub state: &'static str,
}

/// The timeline the invoice shows for a status: the happy path, bent where the order left it.
pub fn timeline(t: &Texts, status: OrderStatus) -> Vec<Step> {
    use OrderStatus::*;
    let label = |s| i18n::status_label(t, s);
    let path: Vec<(OrderStatus, &'static str)> = match status {
        AwaitingPayment | Paid | Processing | Delivered => vec![
            (AwaitingPayment, "done"),
            (Paid, "done"),
            (Processing, "done"),
            (Delivered, "done"),
        ],
        Underpaid => vec![
            (Underpaid, "bad"),
            (Paid, "todo"),
            (Processing, "todo"),
            (Delivered, "todo"),
        ],
        Expired => vec![(AwaitingPayment, "done"), (Expired, "bad")],
        Failed => vec![
            (AwaitingPayment, "done"),
            (Paid, "done"),
            (Processing, "done"),
            (Failed, "bad"),
        ],
        // A refunded order did fail: its step keeps the failure's mark, never a tick.
        Refunded => vec![
            (AwaitingPayment, "done"),
            (Paid, "done"),
            (Failed, "bad"),
            (Refunded, "done"),
        ],
    };
    let reached = path.iter().position(|(s, _)| *s == status);
    path.iter()
        .enumerate()
        .map(|(i, (s, kind))| Step {
            label: label(*s),
            state: match reached {
                Some(r) if i < r => {
                    if *kind == "bad" {
                        "bad"
                    } else {
                        "done"
                    }
                }
                Some(r) if i == r => {
                    if *kind == "bad" {
                        "bad"
                    } else if status == Delivered || status == Refunded {
                        "done"
                    } else {
                        "now"
                    }
                }
                _ => "todo",
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    t: &'static Texts,
    closed: bool,
    code: String,
    status: &'static str,
    status_label: &'static str,
    steps: Vec<Step>,
    product_name: String,
    account: String,
    nickname: Option<String>,
    amount_due: String,
    /// The price lines as the confirmation card showed them (a bill shows its total only).
    lines: Vec<PriceLine>,
    amount_paid: String,
    amount_paid_raw: i64,
    shortfall: Option<String>,
    awaiting: bool,
    expires: String,
    expires_ms: i64,
    now_ms: i64,
    minutes_left: i64,
    serial: Option<String>,
    token: Option<String>,
    /// Trakteer's link and steps, when Trakteer is how this order is paid now.
    pay_url: Option<String>,
    /// The order's own QRIS, when a gateway made one.
    qris: Option<super::qris::Qris>,
    /// A gateway's own pay page, when it gave no QR text.
    hosted: Option<(&'static str, String)>,
    /// The QRIS is being made (the page looks again soon).
    preparing: bool,
    /// The current payment's reference: the live invoice reloads when it changes.
    payment_ref: String,
    cs_url: Option<String>,
    live: bool,
    /// A paid order that failed or was refunded: what happened and what happens next.
    outcome: Option<Outcome>,
    /// A paid order on its way: how long it usually takes (and the seller's hours in manual mode).
    waiting: Option<(&'static str, Option<String>)>,
    /// The signed-in owner's saldo, when it can pay (part of) this order.
    saldo: Option<String>,
}

/// What the invoice says about a paid order that did not arrive.
struct Outcome {
    refunded: bool,
    /// Why it failed, in the customer's words (never the seller's balance or our internals).
    reason: &'static str,
    /// The supplier's own words, when they are about the customer's order (a refusal).
    supplier_note: Option<String>,
    received: String,
    /// How the money went back, for a refund.
    refund: Option<String>,
    /// It went to the customer's saldo (said with how to use it).
    to_saldo: bool,
    cs_url: Option<String>,
}

pub(crate) async fn invoice(
    State(app): State<App>,
    Lang(t): Lang,
    Closed(closed): Closed,
    customer: crate::web::customer::Customer,
    Path(code): Path<String>,
) -> PageResult {
    let order = orders::view(&app, &code).await?;
    // Only the order's own number, signed in, sees its saldo here.
    let saldo = match &customer.0 {
        Some(owner) if *owner == order.whatsapp && order.status.accepts_payment() => {
            let balance = crate::service::saldo::wallet(&app, owner).await?.balance;
            balance.is_positive().then(|| balance.display_spaced())
        }
        _ => None,
    };
    let awaiting = order.status.accepts_payment();
    let now = app.now_ms();
    // The CS number comes with the catalogue snapshot (settings move its version).
    let catalogue = catalogue_snapshot::current(&app).await?;
    let cs_link = |text: &str| {
        catalogue.seller_whatsapp.as_ref().map(|seller| {
            let text = format!("{text} {}", order.code);
            format!(
                "https://wa.me/{}?text={}",
                seller.as_str(),
                url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
            )
        })
    };
    let cs_url = cs_link(t.cs_text);
    let outcome = outcome_of(t, &order, cs_link);
    let pay = if awaiting {
        super::qris::view(&app, &order).await?
    } else {
        super::qris::PayView::Trakteer
    };
    let (qris, hosted, preparing) = match pay {
        super::qris::PayView::Qris(q) => (Some(q), None, false),
        super::qris::PayView::Hosted { rail, url } => (None, Some((rail, url)), false),
        super::qris::PayView::Preparing => (None, None, true),
        super::qris::PayView::Trakteer => (None, None, false),
    };
    let trakteer = qris.is_none() && hosted.is_none() && !preparing;
    Ok(render(&InvoicePage {
        t,
        closed,
        code: order.code.to_string(),
        status: order.status.as_str(),
        status_label: i18n::status_label(t, order.status),
        steps: timeline(t, order.status),
        // The seller's name for it, as on the page the customer bought from (the order keeps the
        // supplier's, which the supplier's own lists use).
        product_name: catalogue
            .product(&order.product_code)
            .map(|p| p.full_label())
            .unwrap_or_else(|| order.product_name.clone()),
        account: order.account.to_string(),
        nickname: order.nickname.clone(),
        amount_due: order.amount_due.display_spaced(),
        lines: if order.kind == ServiceKind::Postpaid {
            Vec::new()
        } else {
            price_lines(t, &order.receipt(), None)
        },
        amount_paid: order.amount_paid.display_spaced(),
        amount_paid_raw: order.amount_paid.amount(),
        shortfall: (order.status == OrderStatus::Underpaid)
            .then(|| order.shortfall().display_spaced()),
        awaiting,
        expires: clock::human(order.expires_at),
        expires_ms: order.expires_at,
        now_ms: now,
        minutes_left: ((order.expires_at - now).max(0) + 59_999) / 60_000,
        token: order
            .serial_number
            .as_deref()
            .filter(|_| order.product_code.starts_with("PLN") || order.brand == "PLN")
            .and_then(shopfront::pln_token),
        serial: order.serial_number.clone(),
        pay_url: orders::trakteer_url(&app, &order).filter(|_| trakteer),
        payment_ref: qris
            .as_ref()
            .map(|q| q.reference.clone())
            .or_else(|| hosted.as_ref().map(|h| h.1.clone()))
            .unwrap_or_default(),
        qris,
        hosted,
        preparing,
        cs_url,
        live: !order.status.is_final(),
        outcome,
        waiting: match order.status {
            OrderStatus::Paid if catalogue.manual_fulfilment => Some((
                t.manual_wait,
                Some(catalogue.seller_hours.clone()).filter(|h| !h.trim().is_empty()),
            )),
            OrderStatus::Paid | OrderStatus::Processing => Some((t.processing_wait, None)),
            _ => None,
        },
        saldo,
    }))
}

/// A paid order that failed or was refunded: what the customer is told about their money.
fn outcome_of(
    t: &Texts,
    order: &Order,
    cs_link: impl Fn(&str) -> Option<String>,
) -> Option<Outcome> {
    matches!(order.status, OrderStatus::Failed | OrderStatus::Refunded)
        .then(|| order.amount_paid)
        .filter(|paid| paid.is_positive())
        .map(|paid| Outcome {
            refunded: order.status == OrderStatus::Refunded,
            reason: if order.failure_retryable {
                t.failed_temporary
            } else {
                t.failed_rejected
            },
            // The supplier's own words stay for the seller; the customer reads their cause.
            supplier_note: order
                .failure_reason
                .as_deref()
                .filter(|_| !order.failure_retryable)
                .and_then(madd_domain::supplier_failure::classify)
                .map(|cause| cause_text(t, cause).to_string()),
            received: paid.display_spaced(),
            refund: order.refund_method.as_deref().map(|m| {
                let method = m
                    .parse::<madd_domain::RefundMethod>()
                    .map(|m| m.label().to_string())
                    .unwrap_or_else(|_| m.to_string());
                match order
                    .refund_note
                    .as_deref()
                    .filter(|n| !n.trim().is_empty())
                {
                    Some(note) => format!("{method} ({note})"),
                    None => method,
                }
            }),
            to_saldo: order.refund_method.as_deref() == Some("saldo"),
            cs_url: cs_link(t.failed_cs_text),
        })
}

/// The pay link as a QR code (SVG made here, no outside service), while the order takes money.
pub(crate) async fn qr_code(
    State(app): State<App>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let order = orders::view(&app, &code).await?;
    let url = orders::pay_url(&app, &order)
        .ok_or_else(|| AppError::not_found("nothing_to_pay", "Tagihan pembayaran"))?;
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(format!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

fn cause_text(t: &Texts, cause: madd_domain::supplier_failure::Cause) -> &'static str {
    use madd_domain::supplier_failure::Cause;
    match cause {
        Cause::WrongTarget => t.cause_wrong_target,
        Cause::WrongOperator => t.cause_wrong_operator,
        Cause::Blocked => t.cause_blocked,
        Cause::Unavailable => t.cause_unavailable,
        Cause::TargetLimit => t.cause_target_limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines() {
        let states = |s| {
            timeline(&i18n::ID, s)
                .into_iter()
                .map(|s| format!("{}:{}", s.label, s.state))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            states(OrderStatus::AwaitingPayment),
            "Menunggu Pembayaran:now Dibayar:todo Diproses:todo Sukses:todo"
        );
        assert_eq!(
            states(OrderStatus::Delivered),
            "Menunggu Pembayaran:done Dibayar:done Diproses:done Sukses:done"
        );
        assert_eq!(
            states(OrderStatus::Underpaid),
            "Kurang Bayar:bad Dibayar:todo Diproses:todo Sukses:todo"
        );
        assert_eq!(
            states(OrderStatus::Expired),
            "Menunggu Pembayaran:done Kedaluwarsa:bad"
        );
        // No tick beside a failure, even once the money is back.
        assert_eq!(
            states(OrderStatus::Refunded),
            "Menunggu Pembayaran:done Dibayar:done Gagal:bad Dikembalikan:done"
        );
    }
}
