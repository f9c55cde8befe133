//! Orders: creating them (`create`), reading them, and closing the unpaid ones (`close`).

use std::sync::Arc;

use madd_domain::{OrderCode, PhoneNumber, Rupiah, ServiceKind};

use crate::app::App;
use crate::db::orders::{self, Order};
use crate::error::{AppError, AppResult};
use crate::notify::OrderFacts;

mod close;
mod create;

pub use close::{close, expire, Closing};
pub use create::create;

#[derive(Clone, Debug, Default)]
pub struct CreateOrder {
    pub product: String,
    pub target: String,
    pub zone: Option<String>,
    pub whatsapp: String,
    /// The same key returns the same order (double taps, client retries).
    pub idempotency_key: Option<String>,
    /// A voucher code as the customer typed it (empty: none).
    pub voucher: Option<String>,
    /// Who is buying, when known: the signed-in customer (web, API) or the chat's sender. Their
    /// own number's orders are priced at their tier (`service::tiers`).
    pub buyer: Option<PhoneNumber>,
    /// Paid in full from the buyer's saldo in the order's own transaction, or not made at all
    /// (`saldo_insufficient`): the reseller API's way (`service::h2h`).
    pub saldo_in_full: bool,
    /// Refused (`price_above_max`) rather than charged more than this.
    pub max_price: Option<Rupiah>,
}

/// The facts messages and pages show about an order.
pub fn facts<'a>(app: &App, order: &'a Order) -> OrderFacts<'a> {
    // The seller's name for the product, as the storefront showed it; the order keeps the
    // supplier's (its lists are matched on it).
    let product_name = app
        .catalogue
        .peek()
        .product(&order.product_code)
        .map(|p| p.full_label())
        .unwrap_or_else(|| order.product_name.clone());
    OrderFacts {
        code: &order.code,
        product_name,
        account: &order.account,
        nickname: order.nickname.as_deref(),
        amount_due: order.amount_due,
        receipt: (order.kind != ServiceKind::Postpaid).then(|| order.receipt()),
        track_url: app.config.link(&format!("/order/{}", order.code)),
        admin_url: app.config.link(&format!("/admin/orders/{}", order.code)),
    }
}

/// Where the customer pays what is still owed: the whole amount, or the rest when underpaid —
/// the order's invoice when a gateway makes a QRIS per order, else the Trakteer link.
pub fn pay_url(app: &App, order: &Order) -> Option<String> {
    if !order.status.accepts_payment() {
        return None;
    }
    let owed = order.shortfall();
    if !owed.is_positive() {
        return None;
    }
    // A QRIS made for the order is shown on its invoice: that page is where the customer pays.
    if crate::service::rails::makes_payments(app) {
        return Some(app.config.link(&format!("/order/{}", order.code)));
    }
    trakteer_url(app, order)
}

/// Trakteer's pre-filled link for what is still owed.
pub fn trakteer_url(app: &App, order: &Order) -> Option<String> {
    let owed = order.shortfall();
    if !order.status.accepts_payment() || !owed.is_positive() {
        return None;
    }
    // A shortfall of a unit-rounded amount is normally whole units; if a customer paid an odd
    // amount, rounding up keeps the link payable (the extra is recorded as an overpayment).
    let owed = owed.round_up_to(app.payment.unit_price());
    Some(
        app.payment
            .pay_url(&order.code, owed, "Pelanggan Madd Store"),
    )
}

/// The timeline's first line for a new order.
pub(crate) fn created_event(order: &Order) -> String {
    format!(
        "Pesanan dibuat: {} untuk {}{}, total {}",
        order.product_name,
        order.account,
        order
            .nickname
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        order.amount_due
    )
}

/// Refuses new orders while the seller has closed the store (`tutup`): the web, the API and the
/// chat all ask here.
pub async fn ensure_open(app: &App) -> AppResult<()> {
    let mut conn = app.db.read().await?;
    if crate::db::store_state::paused(&mut conn).await? {
        return Err(closed());
    }
    Ok(())
}

/// The answer to an order while the seller has closed the store.
pub(crate) fn closed() -> AppError {
    AppError::conflict(
        "store_closed",
        "Toko sedang tutup sementara, pesanan baru belum bisa dibuat. Coba lagi nanti ya.",
    )
}

/// An order to show (the invoice, its status poll, its QR code): from memory when this process
/// has read it since it last changed (`db::order_cache`), else from a reader. Never for a
/// decision: those read the row in their own transaction.
pub async fn view(app: &App, code: &str) -> AppResult<Arc<Order>> {
    let code = parse_code(code)?;
    let cache = &app.db.order_cache;
    if let Some(order) = cache.get(code.as_str()) {
        metrics::counter!("madd_order_views_total", "from" => "memory").increment(1);
        return Ok(order);
    }
    metrics::counter!("madd_order_views_total", "from" => "database").increment(1);
    let ticket = cache.ticket();
    let read_at = std::time::Instant::now();
    let order = Arc::new(read(app, &code).await?);
    cache.fill(ticket, order.clone(), read_at);
    Ok(order)
}

/// The order with this code, read from a reader.
pub async fn get(app: &App, code: &str) -> AppResult<Order> {
    read(app, &parse_code(code)?).await
}

fn parse_code(code: &str) -> AppResult<OrderCode> {
    OrderCode::parse(code).ok_or_else(|| AppError::not_found("order_not_found", "Pesanan"))
}

async fn read(app: &App, code: &OrderCode) -> AppResult<Order> {
    let mut conn = app.db.read().await?;
    orders::by_code(&mut conn, code)
        .await?
        .ok_or_else(|| AppError::not_found("order_not_found", "Pesanan"))
}

/// The order's status as the customer reads it, with what is still owed.
pub fn owed(order: &Order) -> Rupiah {
    if order.status.accepts_payment() {
        order.shortfall()
    } else {
        Rupiah::ZERO
    }
}
