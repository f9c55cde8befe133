//! Creating orders, reading them, and expiring the unpaid ones.

use std::sync::Arc;
use std::time::Duration;

use madd_domain::{
    GameAccount, OrderCode, PhoneNumber, Quote, Rupiah, ServiceKind, TargetRule, Tier,
};

use crate::app::App;
use crate::clock;
use crate::db::order_events;
use crate::db::order_status;
use crate::db::orders::{self, NewOrder, Order};
use crate::db::products;
use crate::db::store_state;
use crate::error::{AppError, AppResult};
use crate::jobs::queue::{self as jobs, JobKind, Outcome};
use crate::notify::{self, OrderFacts};
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::order_writer::handle::Draft;
use crate::service::{outbox, postpaid, settings};

/// How long order creation waits for the nickname check.
const NICKNAME_WAIT: Duration = Duration::from_secs(10);

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
}

/// The facts messages and pages show about an order.
pub fn facts<'a>(app: &App, order: &'a Order) -> OrderFacts<'a> {
    // The seller's name for the product, as the storefront showed it; the order keeps the
    // supplier's (its lists are matched on it).
    let product_name = app
        .catalogue
        .peek()
        .product(&order.product_code)
        .map(|p| p.label().to_string())
        .unwrap_or_else(|| order.product_name.clone());
    OrderFacts {
        code: &order.code,
        product_name,
        account: &order.account,
        nickname: order.nickname.as_deref(),
        amount_due: order.amount_due,
        track_url: app.config.link(&format!("/order/{}", order.code)),
        admin_url: app.config.link(&format!("/admin/orders/{}", order.code)),
    }
}

/// Where the customer pays what is still owed: the whole amount, or the rest when underpaid.
pub fn pay_url(app: &App, order: &Order) -> Option<String> {
    if !order.status.accepts_payment() {
        return None;
    }
    let owed = order.shortfall();
    if !owed.is_positive() {
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

/// A request repeated with an `Idempotency-Key` gets the order the key made — if it asks for the
/// same thing. The same key with another product, account or number is a client bug that would
/// otherwise silently answer with somebody else's order: refused, as Stripe refuses it.
async fn replay(app: &App, order: Order, req: &CreateOrder) -> AppResult<(Order, bool)> {
    let product = {
        let mut conn = app.db.read().await?;
        products::get(&mut conn, req.product.trim()).await?
    };
    let same_account = product.is_some_and(|p| {
        let rule = TargetRule::for_product(p.category, &p.brand);
        GameAccount::parse(&rule, &req.target, req.zone.as_deref())
            .is_ok_and(|a| a == order.account)
    });
    let same = req.product.trim() == order.product_code
        && same_account
        && PhoneNumber::parse(&req.whatsapp).is_ok_and(|w| w == order.whatsapp);
    if !same {
        return Err(AppError::invalid(
            "idempotency_key_reused",
            "Idempotency-Key ini sudah dipakai untuk pesanan lain; pakai kunci baru untuk pesanan baru.",
        ));
    }
    Ok((order, false))
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

pub async fn create(app: &App, req: CreateOrder) -> AppResult<(Order, bool)> {
    let key = req
        .idempotency_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    if let Some(key) = &key {
        if key.len() > 200 {
            return Err(AppError::invalid(
                "invalid_idempotency_key",
                "Idempotency-Key terlalu panjang",
            ));
        }
        let mut conn = app.db.read().await?;
        if let Some(order) = orders::by_idempotency_key(&mut conn, key).await? {
            drop(conn);
            return replay(app, order, &req).await;
        }
    }
    // What is checked and quoted here comes from the catalogue snapshot (no query); the order's
    // own transaction checks the store is open and charges the price and fee stored then.
    // The snapshot can be up to a poll behind another process (or a direct change to the
    // database): what it refuses is asked of the database before the customer is refused.
    let catalogue = crate::service::catalogue_snapshot::current(app).await?;
    // The seller's `tutup` (a retried request above still finds its order).
    if catalogue.closed {
        ensure_open(app).await?;
    }
    let product = match catalogue.product(req.product.trim()) {
        Some(p) if p.sellable() => Some(p.clone()),
        _ => {
            let mut conn = app.db.read().await?;
            products::get(&mut conn, req.product.trim()).await?
        }
    }
    .ok_or_else(|| AppError::not_found("product_not_found", "Produk"))?;
    if !product.sellable() {
        return Err(AppError::conflict(
            "product_unavailable",
            format!(
                "{} sedang kosong atau tidak dijual. Pilih nominal lain.",
                product.name
            ),
        ));
    }
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = GameAccount::parse(&rule, &req.target, req.zone.as_deref())
        .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let whatsapp = PhoneNumber::parse(&req.whatsapp)
        .map_err(|e| AppError::invalid("invalid_whatsapp", e.to_string()))?;
    // A bill's inquiry names its customer (below); everything else is checked here.
    let nickname = if product.kind == ServiceKind::Postpaid {
        None
    } else {
        match nickname::lookup(app, &rule, &account, NICKNAME_WAIT).await? {
            NicknameAnswer::Found(n) => Some(n),
            NicknameAnswer::NotChecked => None,
        }
    };
    let mut cost = product.cost;
    let mut nickname = nickname;
    let customer_fee = catalogue.customer_fee;
    drop(catalogue);
    let mut quote = if product.kind == ServiceKind::Postpaid {
        // A bill is charged at its inquired total (service::postpaid), the customer's name shown.
        let b = postpaid::inquire(app, &product, account.target(), NICKNAME_WAIT).await?;
        cost = b.bill.total;
        nickname = Some(b.bill.customer_name.clone());
        b.quote
    } else {
        Quote::new(product.price, &customer_fee, app.payment.unit_price())
    };

    let now = app.now_ms();
    let expires_at = now + app.config.payment_window_minutes * 60_000;
    let voucher = req
        .voucher
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    if voucher.is_some() && product.kind == ServiceKind::Postpaid {
        return Err(AppError::invalid(
            "voucher_out_of_scope",
            "Voucher tidak berlaku untuk tagihan pascabayar.",
        ));
    }
    // A flash sale's unit and a voucher's use are taken in the order's own transaction (below),
    // never in a group commit.
    // From the snapshot, not a query on every order: a sale another process just started shows
    // here within a poll (until then its first orders are at the list price).
    let on_sale = product.kind != ServiceKind::Postpaid
        && app
            .catalogue
            .peek()
            .flash_sales
            .iter()
            .any(|s| s.product_code == product.code && s.running(now));
    let guest = req.buyer.as_ref() != Some(&whatsapp);
    if product.kind != ServiceKind::Postpaid && voucher.is_none() && !on_sale && guest {
        // The usual way: the next group commit (`service::order_writer`); what it cannot settle
        // is written alone below.
        let draft = Draft {
            code: OrderCode::generate(&mut rand::rngs::OsRng),
            product_code: product.code.clone(),
            product_name: product.name.clone(),
            brand: product.brand.clone(),
            kind: product.kind,
            account: account.clone(),
            nickname: nickname.clone(),
            whatsapp: whatsapp.clone(),
            cost,
            price: quote.price,
            fee: quote.fee,
            amount_due: quote.amount_due,
            idempotency_key: key.clone(),
            now,
            expires_at,
        };
        if let Some(order) = app.order_writer.write(draft).await {
            return Ok((order, true));
        }
    }
    for _ in 0..5 {
        let code = OrderCode::generate(&mut rand::rngs::OsRng);
        let mut tx = app.db.begin().await?;
        let mut applied: Option<crate::service::vouchers::Applied> = None;
        let mut held: Option<i64> = None;
        let mut discounted = Rupiah::ZERO;
        let mut tier = Tier::Guest;
        if store_state::paused(&mut tx).await? {
            return Err(closed());
        }
        // What is charged is the price and fee in the database now, read in the order's own
        // transaction: a price changed since it was shown (a sync or a markup rule, in this
        // process or another) wins over any copy in memory.
        if product.kind != ServiceKind::Postpaid {
            let fee = settings::on(&mut tx, &app.config).await?.customer_fee;
            match products::get(&mut tx, &product.code).await? {
                Some(mut now_sold) if now_sold.sellable() => {
                    tier = crate::service::tiers::tier_of(
                        app,
                        &mut tx,
                        req.buyer.as_ref(),
                        &whatsapp,
                        now,
                    )
                    .await?;
                    if tier != Tier::Guest {
                        let rules = crate::service::pricing::PriceRules::load(
                            &mut tx,
                            &app.config,
                            app.payment.unit_price(),
                        )
                        .await?;
                        now_sold.price = rules
                            .price_for(
                                tier,
                                now_sold.cost,
                                now_sold.category,
                                &now_sold.brand,
                                &now_sold.code,
                            )
                            .min(now_sold.price);
                    }
                    let sale = crate::service::flash_sales::take(&mut tx, &now_sold, now).await?;
                    if sale.is_some() && voucher.is_some() {
                        return Err(AppError::invalid(
                            "voucher_with_flash_sale",
                            "Voucher tidak bisa dipakai bersama harga flash sale.",
                        ));
                    }
                    let price = match (&voucher, &sale) {
                        (_, Some(sale)) => {
                            held = Some(sale.id);
                            discounted = now_sold.price - sale.price;
                            sale.price
                        }
                        (Some(typed), None) => {
                            let taken = crate::service::vouchers::take(
                                app, &mut tx, typed, &now_sold, &whatsapp,
                            )
                            .await?;
                            let price = now_sold.price - taken.discount;
                            discounted = taken.discount;
                            applied = Some(taken);
                            price
                        }
                        (None, None) => now_sold.price,
                    };
                    quote = Quote::new(price, &fee, app.payment.unit_price());
                    cost = now_sold.cost;
                }
                _ => {
                    return Err(AppError::conflict(
                        "product_unavailable",
                        format!(
                            "{} sedang kosong atau tidak dijual. Pilih nominal lain.",
                            product.name
                        ),
                    ))
                }
            }
        }
        let inserted = orders::insert(
            &mut tx,
            &NewOrder {
                code: &code,
                product_code: &product.code,
                product_name: &product.name,
                brand: &product.brand,
                kind: product.kind,
                account: &account,
                nickname: nickname.as_deref(),
                whatsapp: &whatsapp,
                cost,
                price: quote.price,
                fee: quote.fee,
                amount_due: quote.amount_due,
                idempotency_key: key.as_deref(),
                now,
                expires_at,
            },
        )
        .await;
        let order = match inserted {
            Ok(order) => {
                if let Some(a) = &applied {
                    crate::db::vouchers::record_use(
                        &mut tx,
                        order.id,
                        &a.code,
                        whatsapp.as_str(),
                        a.discount,
                        now,
                    )
                    .await?;
                }
                if let Some(sale) = held {
                    crate::db::flash_sales::record_hold(&mut tx, order.id, sale, now).await?;
                }
                if tier != Tier::Guest {
                    crate::db::tiers::set_order_tier(&mut tx, order.id, tier).await?;
                }
                if discounted.is_positive() {
                    orders::set_discount(
                        &mut tx,
                        order.id,
                        discounted,
                        applied.as_ref().map(|a| a.code.as_str()),
                    )
                    .await?
                } else {
                    order
                }
            }
            Err(crate::db::DbError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                drop(tx);
                if let Some(key) = &key {
                    let mut conn = app.db.write().await?;
                    if let Some(order) = orders::by_idempotency_key(&mut conn, key).await? {
                        drop(conn);
                        return replay(app, order, &req).await;
                    }
                }
                continue; // an order code collision (1 in 2^40): draw again
            }
            Err(e) => return Err(e.into()),
        };
        order_events::add_event(
            &mut tx,
            order.id,
            now,
            "customer",
            "created",
            &created_event(&order),
        )
        .await?;
        let f = facts(app, &order);
        let pay = pay_url(app, &order).unwrap_or_default();
        outbox::enqueue(
            &mut tx,
            Some(order.id),
            &order.whatsapp,
            &notify::order_created(&f, &pay, &clock::human(order.expires_at)),
            now,
        )
        .await?;
        // Abandoned checkouts would buzz the seller's phone: unpaid orders only when asked for.
        if settings::on(&mut tx, &app.config).await?.notify_unpaid {
            outbox::to_seller(
                &app.config,
                &mut tx,
                Some(order.id),
                &notify::seller_new_order(&f, &order.whatsapp.local()),
                now,
            )
            .await?;
        }
        jobs::schedule(
            &mut tx,
            JobKind::ExpireOrder,
            order.id,
            expires_at,
            now,
            None,
        )
        .await?;
        tx.commit().await?;
        if held.is_some() {
            // What is left of the sale shows on the storefront.
            app.catalogue.invalidate();
        }
        app.wake_workers();
        tracing::info!(order = %order.code, product = %order.product_code, "order created");
        return Ok((order, true));
    }
    Err(AppError::internal("could not draw a free order code"))
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

/// The expiry job: an order still unpaid at its deadline expires.
pub async fn expire(app: &App, order_id: i64) -> AppResult<Outcome> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let Some(order) = orders::by_id(&mut tx, order_id).await? else {
        return Ok(Outcome::Done);
    };
    if !order.status.accepts_payment() {
        return Ok(Outcome::Done);
    }
    if order.expires_at > now {
        // The deadline moved (a partial payment extends it).
        return Ok(Outcome::Later(order.expires_at));
    }
    let mut unit_back = false;
    if order_status::expire(&mut tx, order.id, now).await? {
        unit_back = crate::db::flash_sales::release(&mut tx, order.id, now).await?;
        if unit_back {
            order_events::add_event(
                &mut tx,
                order.id,
                now,
                "system",
                "flash_sale_released",
                "Stok flash sale dikembalikan (pesanan tidak dibayar)",
            )
            .await?;
        }
        if crate::db::vouchers::release(&mut tx, order.id, now).await? {
            order_events::add_event(
                &mut tx,
                order.id,
                now,
                "system",
                "voucher_released",
                "Kuota voucher dikembalikan (pesanan tidak dibayar)",
            )
            .await?;
        }
        order_events::add_event(
            &mut tx,
            order.id,
            now,
            "system",
            "expired",
            "Batas waktu pembayaran habis",
        )
        .await?;
        let f = facts(app, &order);
        outbox::enqueue(
            &mut tx,
            Some(order.id),
            &order.whatsapp,
            &notify::order_expired(&f),
            now,
        )
        .await?;
        if order.amount_paid.is_positive() {
            outbox::to_seller(
                &app.config,
                &mut tx,
                Some(order.id),
                &notify::seller_refund_needed(&f, order.amount_paid),
                now,
            )
            .await?;
        }
        tracing::info!(order = %order.code, "order expired");
    }
    tx.commit().await?;
    if unit_back {
        app.catalogue.invalidate();
    }
    app.wake_workers();
    Ok(Outcome::Done)
}

/// The order's status as the customer reads it, with what is still owed.
pub fn owed(order: &Order) -> Rupiah {
    if order.status.accepts_payment() {
        order.shortfall()
    } else {
        Rupiah::ZERO
    }
}
