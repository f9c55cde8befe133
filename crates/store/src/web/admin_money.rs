//! The seller's money pages: the orders list with filters, the monthly report (page, CSV, SVG
//! chart), settings with their audit trail, deposits and the supplier balance, products and
//! pricing rules. Registered through [`crate::web::admin::table`], so the access test covers them.
//! No handler calls a provider: balance checks and reconciliation runs are queued as jobs.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use madd_domain::report::{LineKey, Month, MonthlyReport};
use madd_domain::{Category, OrderStatus, Rupiah};
use serde::Deserialize;

use crate::app::App;
use crate::clock::{self, WIB};
use crate::db::orders::{self, OrderFilter};
use crate::db::{dashboard as repo, products};
use crate::error::AppError;
use crate::service::pricing::{self, PriceRules};
use crate::service::{money, settings};
use crate::web::admin::{order_row, OrderRow, RouteTable};
use crate::web::auth::AdminSession;
use crate::web::page::{render, PageError};

type PageResult = Result<Response, PageError>;

pub fn register(t: RouteTable) -> RouteTable {
    t.get("/orders", orders_list)
        .get("/reports", reports_index)
        .get("/reports/{month}", report_page)
        .get("/reports/{month}/csv", report_csv)
        .get("/settings", settings_page)
        .post("/settings", settings_save)
        .get("/deposits", deposits_page)
        .post("/deposits", deposit_add)
        .post("/balance/check", balance_check)
        .get("/products", products_page)
        .post("/products/{code}/toggle", product_toggle)
        .get("/pricing", pricing_page)
        .post("/pricing/rules", rule_save)
        .post("/pricing/rules/{id}/delete", rule_delete)
        .post("/payments/reconcile", reconcile_now)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

fn invalid(message: impl Into<String>) -> PageError {
    AppError::invalid("invalid_input", message.into()).into()
}

/// `2026-03-05` → the first instant of that day in WIB (unix ms).
fn parse_day(text: &str) -> Result<i64, PageError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text.trim(), &format)
        .map_err(|_| invalid(format!("Tanggal '{text}' tidak valid (YYYY-MM-DD)")))?;
    Ok(clock::to_millis(date.midnight().assume_offset(WIB)))
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Orders

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
struct OrdersQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    product: Option<String>,
    q: Option<String>,
}

async fn orders_list(
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
        orders: list.iter().map(order_row).collect(),
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
    csrf: String,
    flash: Option<String>,
    month: String,
    label: String,
    prev: String,
    next: String,
    lines: Vec<LineView>,
    notes: Vec<String>,
    chart: String,
    days: Vec<DayView>,
    products: Vec<ProductView>,
}

fn parse_month(text: &str) -> Result<Month, PageError> {
    Month::parse(text).map_err(|e| invalid(e.to_string()))
}

async fn reports_index(State(app): State<App>) -> Response {
    let month = Month::containing(app.now_ms());
    Redirect::to(&format!("/admin/reports/{month}")).into_response()
}

async fn report_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(month): Path<String>,
) -> PageResult {
    let month = parse_month(&month)?;
    let r = money::monthly_report(&app, month).await?;
    let rp = |x: Rupiah| x.display_spaced();
    Ok(render(&ReportPage {
        csrf: s.csrf_token.clone(),
        flash: None,
        month: month.to_string(),
        label: month.label_id(),
        prev: month.prev().to_string(),
        next: month.next().to_string(),
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

async fn report_csv(State(app): State<App>, Path(month): Path<String>) -> PageResult {
    let month = parse_month(&month)?;
    let r = money::monthly_report(&app, month).await?;
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

struct SettingView {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    value: String,
    stored: bool,
    choice: bool,
}

struct AuditView {
    at: String,
    actor: String,
    key: String,
    old: String,
    new: String,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    csrf: String,
    flash: Option<String>,
    settings: Vec<SettingView>,
    audit: Vec<AuditView>,
}

async fn settings_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let current = settings::current(&app).await?;
    let mut conn = app.db.write().await?;
    let audit = repo::settings_audit(&mut conn, 50).await?;
    Ok(render(&SettingsPage {
        csrf: s.csrf_token.clone(),
        flash: done.done.map(|n| format!("{n} pengaturan disimpan.")),
        settings: settings::SPECS
            .iter()
            .map(|spec| {
                let (value, stored) = current.values.get(spec.key).cloned().unwrap_or_default();
                SettingView {
                    key: spec.key,
                    label: spec.label,
                    help: spec.help,
                    value,
                    stored,
                    choice: spec.kind == settings::Kind::Fulfilment,
                }
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|a| AuditView {
                at: clock::human(a.at),
                actor: a.actor,
                key: a.key,
                old: a.old_value.unwrap_or_else(|| "(bawaan)".into()),
                new: a.new_value,
            })
            .collect(),
    }))
}

async fn settings_save(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    s.check_csrf(token)?;
    let changes: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let changed = settings::update(&app, &s.actor(), &changes).await?;
    // Markup and payment-fee changes move prices: apply them to the catalogue now.
    if changed
        .iter()
        .any(|k| k.starts_with("markup_") || k.starts_with("payment_fee_"))
    {
        pricing::reprice(&app, &format!("pengaturan diubah oleh {}", s.actor())).await?;
    }
    Ok(Redirect::to(&format!("/admin/settings?done={}", changed.len())).into_response())
}

// ---------------------------------------------------------------------------------------------
// Deposits and the supplier balance

struct DepositView {
    at: String,
    method: String,
    amount: String,
    fee: String,
    note: String,
    actor: String,
}

#[derive(Template)]
#[template(path = "admin/deposits.html")]
struct DepositsPage {
    csrf: String,
    flash: Option<String>,
    balance: String,
    balance_at: String,
    balance_error: Option<String>,
    low: bool,
    threshold: String,
    deposits_total: String,
    charged: String,
    expected: String,
    difference: Option<String>,
    difference_zero: bool,
    methods: Vec<(&'static str, &'static str, String)>,
    deposits: Vec<DepositView>,
    month: String,
}

fn method_label(m: &str) -> String {
    if m == money::OPENING {
        return "Saldo awal".into();
    }
    settings::DEPOSIT_METHODS
        .iter()
        .find(|(k, _)| *k == m)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| m.to_string())
}

async fn deposits_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    let view = money::balance_view(&app).await?;
    let rec = money::reconcile_deposits(&app).await?;
    let current = settings::current(&app).await?;
    let month = Month::containing(app.now_ms());
    let mut conn = app.db.write().await?;
    let list = repo::deposits(&mut conn, 0, i64::MAX).await?;
    drop(conn);
    Ok(render(&DepositsPage {
        csrf: s.csrf_token.clone(),
        flash: done.done.map(|d| match d.as_str() {
            "check" => "Cek saldo dijadwalkan; muat ulang sebentar lagi.".to_string(),
            _ => "Deposit dicatat.".to_string(),
        }),
        balance: view
            .known
            .map(|(_, b)| b.display_spaced())
            .unwrap_or_else(|| "belum diketahui".into()),
        balance_at: view
            .known
            .map(|(at, _)| clock::human(at))
            .unwrap_or_default(),
        balance_error: view.last.and_then(|c| c.error),
        low: view.low,
        threshold: view.threshold.display_spaced(),
        deposits_total: rec.deposits.display_spaced(),
        charged: rec.charged.display_spaced(),
        expected: rec.expected.display_spaced(),
        difference_zero: rec.difference == Some(Rupiah::ZERO),
        difference: rec.difference.map(Rupiah::display_spaced),
        methods: settings::DEPOSIT_METHODS
            .iter()
            .map(|(k, l)| {
                let f = current.deposit_fee(k);
                (*k, *l, format!("{} + {}", f.rate, f.fixed.display_spaced()))
            })
            .collect(),
        deposits: list
            .into_iter()
            .rev()
            .map(|d| DepositView {
                at: clock::human(d.at),
                method: method_label(&d.method),
                amount: d.amount.display_spaced(),
                fee: d.fee.display_spaced(),
                note: d.note,
                actor: d.actor,
            })
            .collect(),
        month: month.to_string(),
    }))
}

#[derive(Deserialize)]
struct DepositForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    fee: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

fn parse_rupiah(text: &str) -> Result<Rupiah, PageError> {
    let digits: String = text
        .trim()
        .trim_start_matches("Rp")
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '_'))
        .collect();
    digits
        .parse::<i64>()
        .map(Rupiah::new)
        .map_err(|_| invalid(format!("'{text}' bukan angka rupiah")))
}

async fn deposit_add(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<DepositForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let amount = parse_rupiah(&f.amount)?;
    let fee = if f.fee.trim().is_empty() {
        None
    } else {
        Some(parse_rupiah(&f.fee)?)
    };
    // A date without a time: noon WIB of that day (inside the day whatever the clock says).
    let at = if f.date.trim().is_empty() {
        None
    } else {
        Some(parse_day(&f.date)? + 12 * 60 * 60 * 1000)
    };
    money::record_deposit(&app, &s.actor(), amount, &f.method, fee, at, &f.note).await?;
    Ok(Redirect::to("/admin/deposits?done=deposit").into_response())
}

async fn balance_check(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    money::request_balance_check(&app).await?;
    Ok(Redirect::to("/admin/deposits?done=check").into_response())
}

async fn reconcile_now(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    crate::service::reconcile::request(&app).await?;
    Ok(Redirect::to("/admin/payments").into_response())
}

// ---------------------------------------------------------------------------------------------
// Products and pricing

struct ProductRowView {
    code: String,
    name: String,
    brand: String,
    category: &'static str,
    cost: String,
    price: String,
    margin: String,
    rule: String,
    guarded: bool,
    available: bool,
    enabled: bool,
}

#[derive(Template)]
#[template(path = "admin/products.html")]
struct ProductsPage {
    csrf: String,
    flash: Option<String>,
    products: Vec<ProductRowView>,
    sync: crate::web::admin_more::SyncView,
    categories: Vec<(&'static str, &'static str)>,
    category: String,
    q: String,
}

#[derive(Deserialize)]
struct ProductsQuery {
    category: Option<String>,
    q: Option<String>,
    done: Option<String>,
}

async fn products_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<ProductsQuery>,
) -> PageResult {
    let category = match non_empty(&q.category) {
        Some(c) => Some(
            c.parse::<Category>()
                .map_err(|_| invalid("Kategori tidak dikenal"))?,
        ),
        None => None,
    };
    let sync = crate::web::admin_more::sync_view(&app).await?;
    let unit = app.payment.unit_price();
    let mut conn = app.db.write().await?;
    let rules = PriceRules::load(&mut conn, &app.config, unit).await?;
    let list = products::list(&mut conn, category).await?;
    drop(conn);
    let needle = non_empty(&q.q).map(str::to_lowercase);
    let rows = list
        .into_iter()
        .filter(|p| {
            needle.as_ref().is_none_or(|n| {
                p.code.to_lowercase().contains(n)
                    || p.name.to_lowercase().contains(n)
                    || p.brand.to_lowercase().contains(n)
            })
        })
        .take(500)
        .map(|p| {
            let priced = rules.price(p.cost, p.category, &p.brand, &p.code);
            ProductRowView {
                margin: (rules.payment.net(p.price) - p.cost).display_spaced(),
                code: p.code,
                name: p.name,
                brand: p.brand,
                category: p.category.as_str(),
                cost: p.cost.display_spaced(),
                price: p.price.display_spaced(),
                rule: priced.rule,
                guarded: priced.guarded,
                available: p.available,
                enabled: p.enabled,
            }
        })
        .collect();
    Ok(render(&ProductsPage {
        csrf: s.csrf_token.clone(),
        flash: q
            .done
            .as_deref()
            .and_then(crate::web::admin_more::sync_flash),
        products: rows,
        sync,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        category: category.map(|c| c.as_str().to_string()).unwrap_or_default(),
        q: q.q.unwrap_or_default(),
    }))
}

async fn product_toggle(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let mut conn = app.db.write().await?;
    let product = products::get(&mut conn, &code)
        .await?
        .ok_or_else(|| AppError::not_found("product_not_found", "Produk"))?;
    products::set_enabled(&mut conn, &code, !product.enabled).await?;
    app.catalogue.invalidate();
    tracing::info!(%code, enabled = !product.enabled, actor = %s.actor(), "product toggled");
    Ok(Redirect::to("/admin/products").into_response())
}

struct RuleView {
    id: i64,
    scope: String,
    target: String,
    rate: String,
    min: String,
}

struct PriceChangeView {
    at: String,
    code: String,
    cost: String,
    price: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "admin/pricing.html")]
struct PricingPage {
    csrf: String,
    flash: Option<String>,
    default_rule: String,
    guard: String,
    rules: Vec<RuleView>,
    scopes: Vec<(&'static str, &'static str)>,
    history: Vec<PriceChangeView>,
    product: String,
}

#[derive(Deserialize)]
struct PricingQuery {
    product: Option<String>,
    done: Option<String>,
}

async fn pricing_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(q): Query<PricingQuery>,
) -> PageResult {
    let unit = app.payment.unit_price();
    let mut conn = app.db.write().await?;
    let rules = PriceRules::load(&mut conn, &app.config, unit).await?;
    let history = repo::price_history(&mut conn, non_empty(&q.product), 200).await?;
    drop(conn);
    let old_new = |old: Option<Rupiah>, new: Rupiah| match old {
        Some(o) if o != new => format!("{} → {}", o.display_spaced(), new.display_spaced()),
        _ => new.display_spaced(),
    };
    Ok(render(&PricingPage {
        csrf: s.csrf_token.clone(),
        flash: q
            .done
            .map(|n| format!("Aturan disimpan; {n} harga berubah.")),
        default_rule: format!(
            "{} (min {})",
            rules.default.rate,
            rules.default.min.display_spaced()
        ),
        guard: format!(
            "{} + {} per pembayaran; harga dibulatkan ke {}",
            rules.payment.rate,
            rules.payment.fixed.display_spaced(),
            unit.display_spaced()
        ),
        rules: rules
            .rules
            .iter()
            .map(|r| RuleView {
                id: r.id,
                scope: r.scope.clone(),
                target: r.target.clone(),
                rate: madd_domain::Bps::new(u32::try_from(r.rate_bps).unwrap_or(0)).to_string(),
                min: r.min_markup.display_spaced(),
            })
            .collect(),
        scopes: pricing::SCOPES.to_vec(),
        history: history
            .into_iter()
            .map(|h| PriceChangeView {
                at: clock::human(h.at),
                cost: old_new(h.old_cost, h.new_cost),
                price: old_new(h.old_price, h.new_price),
                code: h.product_code,
                reason: h.reason,
            })
            .collect(),
        product: q.product.unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
struct RuleForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    min: String,
}

async fn rule_save(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Form(f): Form<RuleForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    if !pricing::SCOPES.iter().any(|(k, _)| *k == f.scope) {
        return Err(invalid("Cakupan aturan tidak dikenal"));
    }
    let target = f.target.trim();
    if target.is_empty() || target.len() > 100 {
        return Err(invalid("Isi kategori, brand atau kode produk"));
    }
    if f.scope == "category" && target.parse::<Category>().is_err() {
        return Err(invalid("Kategori tidak dikenal"));
    }
    let rate = madd_domain::Bps::parse_percent(&f.percent).map_err(|e| invalid(e.to_string()))?;
    if rate > madd_domain::Bps::new(100_000) {
        return Err(invalid("Markup paling besar 1000%"));
    }
    let min = if f.min.trim().is_empty() {
        Rupiah::ZERO
    } else {
        parse_rupiah(&f.min)?
    };
    if min.is_negative() {
        return Err(invalid("Markup minimum tidak boleh negatif"));
    }
    {
        let mut conn = app.db.write().await?;
        repo::upsert_markup_rule(
            &mut conn,
            &f.scope,
            target,
            i64::from(rate.value()),
            min,
            app.now_ms(),
        )
        .await?;
    }
    tracing::info!(scope = %f.scope, %target, %rate, %min, actor = %s.actor(), "markup rule saved");
    let changed = pricing::reprice(&app, &format!("aturan markup oleh {}", s.actor())).await?;
    Ok(Redirect::to(&format!("/admin/pricing?done={changed}")).into_response())
}

async fn rule_delete(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    {
        let mut conn = app.db.write().await?;
        repo::delete_markup_rule(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("rule_not_found", "Aturan"))?;
    }
    let changed =
        pricing::reprice(&app, &format!("aturan markup dihapus oleh {}", s.actor())).await?;
    Ok(Redirect::to(&format!("/admin/pricing?done={changed}")).into_response())
}

/// The dashboard's money summary (today's figures and the supplier balance).
pub struct MoneySummary {
    pub today_orders: i64,
    pub today_delivered: i64,
    pub today_revenue: String,
    pub today_gross_profit: String,
    pub balance: String,
    pub balance_low: bool,
    pub threshold: String,
    pub unmatched_payments: i64,
    pub month: String,
    pub month_net: String,
}

pub async fn money_summary(app: &App) -> Result<MoneySummary, PageError> {
    let now = app.now_ms();
    let (from, until) = madd_domain::time::day(now);
    let view = money::balance_view(app).await?;
    let month = Month::containing(now);
    let report = money::monthly_report(app, month).await?;
    let mut conn = app.db.read().await?;
    let today = crate::db::figures::between(&mut conn, from, until).await?;
    let unmatched = repo::unmatched_held(&mut conn, 0, i64::MAX).await?;
    Ok(MoneySummary {
        today_orders: today.created,
        today_delivered: today.delivered,
        today_revenue: today.revenue.display_spaced(),
        today_gross_profit: today.profit().display_spaced(),
        balance: view
            .known
            .map(|(_, b)| b.display_spaced())
            .unwrap_or_else(|| "belum diketahui".into()),
        balance_low: view.low,
        threshold: view.threshold.display_spaced(),
        unmatched_payments: unmatched.count,
        month: month.to_string(),
        month_net: report.amount(LineKey::NetProfit).display_spaced(),
    })
}
