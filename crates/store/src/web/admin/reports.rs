//! The monthly profit report: page, CSV and its SVG chart.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use madd_domain::report::LineKey;
use madd_domain::report::{Month, MonthlyReport};
use madd_domain::Rupiah;

use crate::app::App;
use crate::web::admin::view::invalid;
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageError, PageResult};

struct LineView {
    label: &'static str,
    amount: String,
    negative: bool,
    total: bool,
    explanation: String,
}

struct DayView {
    date: String,
    delivered: i64,
    refunded: i64,
    income: String,
    supplier: String,
    fees: String,
    deposits: String,
    net: String,
}

struct ProductView {
    code: String,
    name: String,
    delivered: i64,
    refunded: i64,
    income: String,
    supplier: String,
    fees: String,
    margin: String,
}

#[derive(Template)]
#[template(path = "admin/report.html")]
struct ReportPage {
    /// The payment-cost line split by rail: label, payments, paid, cost, what Trakteer would
    /// have cost for the same payments.
    rails: Vec<(String, i64, String, String, Option<String>)>,
    csrf: String,
    flash: Option<String>,
    month: String,
    label: String,
    prev: String,
    next: String,
    /// The result first (a phone shows it before any row): the owner's profit, net profit,
    /// sales and the number of orders delivered.
    owner_profit: String,
    owner_negative: bool,
    net_profit: String,
    sales: String,
    delivered: i64,
    /// Customers' saldo: opening, credits, debits, closing.
    saldo: [String; 4],
    lines: Vec<LineView>,
    notes: Vec<String>,
    chart: String,
    days: Vec<DayView>,
    products: Vec<ProductView>,
}

fn parse_month(text: &str) -> Result<Month, PageError> {
    Month::parse(text).map_err(|e| invalid(e.to_string()))
}

pub(crate) async fn reports_index(State(app): State<App>) -> Response {
    let month = Month::containing(app.now_ms());
    Redirect::to(&format!("/admin/reports/{month}")).into_response()
}

pub(crate) async fn report_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(month): Path<String>,
) -> PageResult {
    let month = parse_month(&month)?;
    let r = crate::service::report::monthly_report(&app, month).await?;
    let rails = crate::service::report::payment_costs_by_rail(&app, month).await?;
    let rp = |x: Rupiah| x.display_spaced();
    Ok(render(&ReportPage {
        rails: rails
            .into_iter()
            .map(|l| {
                (
                    l.label,
                    l.payments,
                    rp(l.gross),
                    rp(l.fees),
                    l.trakteer_would_cost.map(rp),
                )
            })
            .collect(),
        csrf: s.csrf_token.clone(),
        flash: None,
        month: month.to_string(),
        label: month.label_id(),
        prev: month.prev().to_string(),
        next: month.next().to_string(),
        owner_profit: rp(r.amount(LineKey::OwnerProfit)),
        owner_negative: r.amount(LineKey::OwnerProfit).is_negative(),
        net_profit: rp(r.amount(LineKey::NetProfit)),
        sales: rp(r.amount(LineKey::Sales)),
        delivered: r.days.iter().map(|d| d.delivered).sum(),
        saldo: [
            rp(r.saldo.opening),
            rp(r.saldo.credits),
            rp(r.saldo.debits),
            rp(r.saldo.closing),
        ],
        lines: r
            .lines
            .iter()
            .map(|l| LineView {
                label: l.key.label_id(),
                amount: rp(l.amount),
                negative: l.amount.is_negative(),
                total: l.total,
                explanation: l.explanation.clone(),
            })
            .collect(),
        notes: r.notes.clone(),
        chart: chart_svg(&r),
        days: r
            .days
            .iter()
            .filter(|d| d.delivered + d.refunded > 0 || d.deposit_fees != Rupiah::ZERO)
            .map(|d| DayView {
                date: format!("{:02}/{:02}", d.day, month.month),
                delivered: d.delivered,
                refunded: d.refunded,
                income: rp(d.income),
                supplier: rp(d.supplier_cost),
                fees: rp(d.payment_fees),
                deposits: rp(d.deposit_fees),
                net: rp(d.net),
            })
            .collect(),
        products: r
            .products
            .iter()
            .map(|p| ProductView {
                code: p.product_code.clone(),
                name: p.product_name.clone(),
                delivered: p.delivered,
                refunded: p.refunded,
                income: rp(p.income),
                supplier: rp(p.supplier_cost),
                fees: rp(p.payment_fees),
                margin: rp(p.margin),
            })
            .collect(),
    }))
}

pub(crate) async fn report_csv(State(app): State<App>, Path(month): Path<String>) -> PageResult {
    let month = parse_month(&month)?;
    let r = crate::service::report::monthly_report(&app, month).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"laporan-{month}.csv\""),
            ),
        ],
        r.to_csv(),
    )
        .into_response())
}

/// The month's daily net profit as bars (green above zero, red below), drawn here from numbers
/// only (nothing from customers or the supplier goes into it), with presentation attributes
/// rather than inline styles (the CSP allows no inline style).
pub fn chart_svg(r: &MonthlyReport) -> String {
    const W: i64 = 720;
    const H: i64 = 220;
    const TOP: i64 = 16;
    const BOTTOM: i64 = 24;
    let days = r.days.len().max(1) as i64;
    let max_up = r
        .days
        .iter()
        .map(|d| d.net.amount())
        .max()
        .unwrap_or(0)
        .max(0);
    let max_down = r
        .days
        .iter()
        .map(|d| -d.net.amount())
        .max()
        .unwrap_or(0)
        .max(0);
    let span = (max_up + max_down).max(1);
    let plot = H - TOP - BOTTOM;
    let zero_y = TOP + plot * max_up / span;
    let slot = W / days;
    let bar = (slot - 4).max(2);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" \
         aria-label=\"Laba bersih per hari, {}\">",
        r.month
    );
    svg.push_str(&format!(
        "<line x1=\"0\" y1=\"{zero_y}\" x2=\"{W}\" y2=\"{zero_y}\" stroke=\"#999\" stroke-width=\"1\"/>"
    ));
    for (i, d) in r.days.iter().enumerate() {
        let x = i as i64 * slot + 2;
        let v = d.net.amount();
        let h = (v.abs() * plot / span).max(if v == 0 { 0 } else { 1 });
        let (y, fill) = if v >= 0 {
            (zero_y - h, "#2e7d32")
        } else {
            (zero_y, "#c62828")
        };
        if h > 0 {
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{fill}\">\
                 <title>{:02}: {}</title></rect>",
                d.day,
                d.net.display_spaced()
            ));
        }
        if d.day == 1 || d.day % 5 == 0 {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                x + bar / 2,
                H - 6,
                d.day
            ));
        }
    }
    svg.push_str(&format!(
        "<text x=\"4\" y=\"12\" font-size=\"11\" fill=\"#555\">maks {}</text></svg>",
        Rupiah::new(max_up).display_spaced()
    ));
    svg
}

// ---------------------------------------------------------------------------------------------
// Settings
