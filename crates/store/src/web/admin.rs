//! The seller's dashboard. Every route but the login form sits behind [`auth::require_admin`];
//! every state-changing form carries the session's CSRF token.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{middleware, Extension, Form, Router};
use madd_domain::OrderStatus;
use serde::Deserialize;

use crate::app::App;
use crate::clock;
use crate::db::orders::{self, Order, OrderFilter};
use crate::db::{messages, payments};
use crate::error::AppError;
use crate::service::{fulfilment, outbox, payments as payment_service};
use crate::web::auth::{self, AdminSession};
use crate::web::page::{render, render_status, PageError};
use crate::web::ratelimit::ClientIp;

type PageResult = Result<Response, PageError>;

/// The admin router, built from one table ([`table`]) that the access test iterates too. The
/// guard wraps the whole router, so even a route added outside the table is refused to anonymous
/// requests; only the login form is public.
pub fn routes(app: App) -> Router<App> {
    table()
        .router
        .layer(middleware::from_fn_with_state(app, guard))
}

/// The login form is the one public admin page.
pub const PUBLIC_PATH: &str = "/login";

async fn guard(
    state: State<App>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    if request.uri().path() == PUBLIC_PATH {
        return next.run(request).await;
    }
    auth::require_admin(state, request, next).await
}

/// Registers each admin route on the router and in the list the access test reads, in one step.
pub struct RouteTable {
    pub router: Router<App>,
    /// `(method, path under /admin)`, e.g. `("POST", "/orders/{code}/process")`.
    pub list: Vec<(&'static str, &'static str)>,
}

impl RouteTable {
    fn new() -> RouteTable {
        RouteTable {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> RouteTable
    where
        H: axum::handler::Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.route(path, get(handler));
        self.list.push(("GET", path));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> RouteTable
    where
        H: axum::handler::Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.route(path, post(handler));
        self.list.push(("POST", path));
        self
    }
}

/// Every admin route.
pub fn table() -> RouteTable {
    let t = RouteTable::new()
        .get(PUBLIC_PATH, login_form)
        .post(PUBLIC_PATH, login)
        .get("/", dashboard)
        .get("/orders/{code}", order_page)
        .post("/orders/{code}/process", process)
        .post("/orders/{code}/recheck", recheck)
        .post("/orders/{code}/refund", refund)
        .get("/payments", payments_page)
        .post("/payments/{id}/attach", attach_payment)
        .get("/messages", messages_page)
        .post("/messages/{id}/resend", resend_message)
        .post("/logout", logout);
    let t = crate::web::admin_money::register(t);
    crate::web::admin_more::register(t)
}

/// Every admin route but the login form, as `(method, path)` with `/admin` in front: what the
/// access test requests anonymously.
pub fn protected_routes() -> Vec<(&'static str, String)> {
    table()
        .list
        .into_iter()
        .filter(|(_, p)| *p != PUBLIC_PATH)
        .map(|(m, p)| {
            let path = if p == "/" {
                "/admin".to_string()
            } else {
                format!("/admin{p}")
            };
            (m, path)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: Option<String>,
    flash: Option<String>,
}

const LOGIN_CSRF_COOKIE: &str = "madd_login_csrf";

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// The login form carries a token that must match a cookie set with it (login CSRF).
async fn login_form(State(app): State<App>, Query(q): Query<NextQuery>) -> Response {
    let token = auth::random_token();
    let secure = if app.config.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let mut response = render(&LoginPage {
        csrf: token.clone(),
        next: auth::safe_next(q.next.as_deref()),
        error: None,
        flash: None,
    });
    if let Ok(v) =
        format!("{LOGIN_CSRF_COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Strict{secure}")
            .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    next: Option<String>,
}

async fn login(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let cookie_token = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let again = |status: StatusCode, error: &str| {
        render_status(
            status,
            &LoginPage {
                csrf: cookie_token.clone(),
                next: auth::safe_next(f.next.as_deref()),
                error: Some(error.to_string()),
                flash: None,
            },
        )
    };
    if cookie_token.is_empty() || cookie_token != f.csrf_token {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "Sesi login kedaluwarsa. Muat ulang halaman lalu coba lagi.",
        ));
    }
    // The CSRF pair above is the client's own to choose (a double-submit cookie), so it is no
    // bound on strangers: auth::login limits attempts per address before any password check.
    match auth::login(&app, client, &f.username, &f.password).await {
        Ok(token) => {
            let mut response = Redirect::to(&auth::safe_next(f.next.as_deref())).into_response();
            if let Ok(v) = auth::session_cookie(&app, &token, auth::session_max_age_secs()).parse()
            {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(e @ (AppError::TooManyRequests { .. } | AppError::Busy { .. })) => {
            let mut response = again(e.status(), &e.public_message());
            if let Some(secs) = e.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, secs.into());
            }
            Ok(response)
        }
        Err(AppError::Invalid { message, .. }) => Ok(again(StatusCode::UNAUTHORIZED, &message)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

async fn logout(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    auth::logout(&app, &headers).await?;
    let mut response = Redirect::to("/admin/login").into_response();
    if let Ok(v) = auth::session_cookie(&app, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

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

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    csrf: String,
    money: crate::web::admin_money::MoneySummary,
    flash: Option<String>,
    counts: Vec<(&'static str, &'static str, i64)>,
    needs_action: Vec<OrderRow>,
    orders: Vec<OrderRow>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    q: String,
}

#[derive(Deserialize)]
struct DashboardQuery {
    status: Option<String>,
    q: Option<String>,
}

async fn dashboard(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Query(query): Query<DashboardQuery>,
) -> PageResult {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(st) => Some(
            st.parse::<OrderStatus>()
                .map_err(|_| AppError::invalid("invalid_status", "Status tidak dikenal"))?,
        ),
        None => None,
    };
    let money = crate::web::admin_money::money_summary(&app).await?;
    let mut conn = app.db.write().await?;
    let counts = orders::count_by_status(&mut conn).await?;
    let mut needs_action = Vec::new();
    for st in [
        OrderStatus::Paid,
        OrderStatus::Failed,
        OrderStatus::Underpaid,
    ] {
        let list = orders::list(
            &mut conn,
            &OrderFilter {
                status: Some(st),
                search: None,
                limit: 50,
                ..OrderFilter::default()
            },
        )
        .await?;
        needs_action.extend(list.iter().map(order_row));
    }
    let list = orders::list(
        &mut conn,
        &OrderFilter {
            status,
            search: query.q.clone().filter(|q| !q.trim().is_empty()),
            limit: 100,
            ..OrderFilter::default()
        },
    )
    .await?;
    Ok(render(&Dashboard {
        csrf: s.csrf_token.clone(),
        money,
        flash: None,
        counts: counts
            .iter()
            .map(|(st, n)| (st.as_str(), st.label_id(), *n))
            .collect(),
        needs_action,
        orders: list.iter().map(order_row).collect(),
        statuses: OrderStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_id()))
            .collect(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: query.q.unwrap_or_default(),
    }))
}

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

struct MessageRow {
    id: i64,
    created: String,
    to: String,
    audience: String,
    kind: String,
    state: &'static str,
    error: Option<String>,
    attempts: i64,
    body: String,
    failed: bool,
    /// How this message and its template replacement are linked, when they are.
    note: Option<String>,
}

/// "template pengganti pesan #N" / "diganti template #M" for a 131047 replacement pair.
fn replacement_note(m: &messages::Message) -> Option<String> {
    match (m.replaces_id, m.replaced_by) {
        (Some(original), _) => Some(format!(
            "template pengganti pesan #{original} (di luar jendela 24 jam)"
        )),
        (None, Some(copy)) => Some(format!("dikirim ulang sebagai template: pesan #{copy}")),
        (None, None) => None,
    }
}

fn message_row(m: &messages::Message) -> MessageRow {
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
    /// The overpayment and the form to give it back (`None`: not overpaid).
    overpaid: Option<crate::web::admin_more::OverpaidView>,
    /// Everything that happened to the order, oldest first: status changes and actions (with
    /// who), payments, messages and supplier requests.
    timeline: Vec<TimelineEntry>,
    payments: Vec<(String, String, String, String, String)>,
    messages: Vec<MessageRow>,
    supplier: Vec<(String, String, String, String)>,
}

#[derive(Deserialize)]
struct FlashQuery {
    done: Option<String>,
}

async fn order_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Query(flash): Query<FlashQuery>,
) -> PageResult {
    let order = crate::service::orders::get(&app, &code).await?;
    let overpaid = crate::web::admin_more::overpaid_view(&app, &order).await?;
    let mut conn = app.db.write().await?;
    let events = orders::events(&mut conn, order.id).await?;
    let pays = payments::for_order(&mut conn, order.id).await?;
    let msgs = messages::for_order(&mut conn, order.id).await?;
    let reqs = orders::supplier_requests(&mut conn, order.id).await?;
    drop(conn);
    let timeline = timeline(&events, &pays, &msgs, &reqs);
    let o = &order;
    Ok(render(&OrderPage {
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
        can_process: o.status == OrderStatus::Paid
            || (o.status == OrderStatus::Failed
                && o.failure_retryable
                && o.supplier_trxid.is_none()),
        is_retry: o.status == OrderStatus::Failed,
        can_recheck: o.status == OrderStatus::Processing && o.supplier_trxid.is_some(),
        can_refund: o.status == OrderStatus::Failed,
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
                .map(|s| s.as_str().to_string())
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
    events: &[orders::OrderEvent],
    pays: &[payments::Payment],
    msgs: &[messages::Message],
    reqs: &[orders::SupplierRequest],
) -> Vec<TimelineEntry> {
    let mut all: Vec<(i64, u8, TimelineEntry)> = Vec::new();
    for e in events {
        all.push((
            e.at,
            0,
            TimelineEntry {
                at: clock::human(e.at),
                kind: "status",
                who: e.actor.clone(),
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
                kind: "pembayaran",
                who: format!("trakteer ({})", p.source),
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
                kind: "supplier",
                who: r.action.clone(),
                detail: format!("{}: {}", r.outcome, r.detail),
            },
        ));
    }
    for m in msgs {
        let state = match &m.last_error {
            Some(e) => format!("{} ({e})", m.state.as_str()),
            None => m.state.as_str().to_string(),
        };
        all.push((
            m.created_at,
            3,
            TimelineEntry {
                at: clock::human(m.created_at),
                kind: "pesan",
                who: format!("ke {}", m.audience),
                detail: match replacement_note(m) {
                    Some(note) => format!("{} #{} – {state} – {note}", m.kind, m.id),
                    None => format!("{} – {state}", m.kind),
                },
            },
        ));
    }
    all.sort_by_key(|(at, order, _)| (*at, *order));
    all.into_iter().map(|(_, _, e)| e).collect()
}

async fn process(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    let order = fulfilment::process(&app, &code, &s.actor()).await?;
    Ok(Redirect::to(&format!("/admin/orders/{}?done=process", order.code)).into_response())
}

async fn recheck(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    fulfilment::recheck(&app, &code).await?;
    Ok(Redirect::to(&format!("/admin/orders/{code}?done=recheck")).into_response())
}

#[derive(Deserialize)]
struct RefundForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    method: String,
    /// Empty: everything the customer paid.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

async fn refund(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(code): Path<String>,
    Form(f): Form<RefundForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    // One list of ways money goes back to a customer, shared with overpayment returns.
    let Some((method, _)) = crate::service::overpayment::METHODS
        .iter()
        .find(|(m, _)| *m == f.method)
    else {
        return Err(
            AppError::invalid("invalid_refund_method", "Metode refund tidak dikenal").into(),
        );
    };
    let amount = match f.amount.trim() {
        "" => None,
        text => Some(madd_domain::Rupiah::new(
            text.replace(['.', ' '], "")
                .trim_start_matches("Rp")
                .parse()
                .map_err(|_| {
                    AppError::invalid("invalid_refund_amount", "Jumlah refund bukan angka")
                })?,
        )),
    };
    crate::service::money::refund(&app, &code, &s.actor(), method, amount, &f.note).await?;
    let order = crate::service::orders::get(&app, &code).await?;
    Ok(Redirect::to(&format!("/admin/orders/{}?done=refund", order.code)).into_response())
}

struct PaymentRow {
    id: i64,
    received: String,
    transaction_id: String,
    state: &'static str,
    supporter: String,
    message: String,
    gross: String,
    net: String,
    order_code: Option<String>,
    attachable: bool,
}

#[derive(Template)]
#[template(path = "admin/payments.html")]
struct PaymentsPage {
    csrf: String,
    flash: Option<String>,
    payments: Vec<PaymentRow>,
}

async fn payments_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
) -> PageResult {
    let mut conn = app.db.write().await?;
    let list = payments::list(&mut conn, None, 200).await?;
    let mut rows = Vec::with_capacity(list.len());
    for p in &list {
        let order_code = match p.order_id {
            Some(id) => orders::by_id(&mut conn, id)
                .await?
                .map(|o| o.code.to_string()),
            None => None,
        };
        rows.push(PaymentRow {
            id: p.id,
            received: clock::human(p.received_at),
            transaction_id: p.transaction_id.clone(),
            state: p.state.as_str(),
            supporter: p.supporter_name.clone(),
            message: p.message.clone(),
            gross: p.gross.display_spaced(),
            net: p
                .net
                .map(|n| n.display_spaced())
                .unwrap_or_else(|| "–".into()),
            order_code,
            attachable: p.state == payments::PaymentState::Unmatched,
        });
    }
    Ok(render(&PaymentsPage {
        csrf: s.csrf_token.clone(),
        flash: None,
        payments: rows,
    }))
}

#[derive(Deserialize)]
struct AttachForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

async fn attach_payment(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<AttachForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    payment_service::attach(&app, id, &f.code, &s.actor()).await?;
    Ok(Redirect::to("/admin/payments").into_response())
}

#[derive(Template)]
#[template(path = "admin/messages.html")]
struct MessagesPage {
    csrf: String,
    flash: Option<String>,
    messages: Vec<MessageRow>,
}

async fn messages_page(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
) -> PageResult {
    let mut conn = app.db.write().await?;
    let list = messages::list(&mut conn, None, 200).await?;
    Ok(render(&MessagesPage {
        csrf: s.csrf_token.clone(),
        flash: None,
        messages: list.iter().map(message_row).collect(),
    }))
}

async fn resend_message(
    State(app): State<App>,
    Extension(s): Extension<AdminSession>,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    s.check_csrf(&f.csrf_token)?;
    if !outbox::resend(&app, id).await? {
        return Err(AppError::conflict(
            "message_not_failed",
            "Hanya pesan yang gagal yang bisa dikirim ulang.",
        )
        .into());
    }
    Ok(Redirect::to("/admin/messages").into_response())
}
