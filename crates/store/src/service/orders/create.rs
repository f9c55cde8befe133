//! Creating an order: check what the customer typed, then write the order — by the next group
//! commit (`service::order_writer`) when nothing about it needs the order's own transaction, else
//! alone, priced (`service::quote`) and its sale unit and voucher use reserved in that
//! transaction. Both paths write what follows a new order with one function
//! (`order_writer::record_created`).

use std::time::Duration;

use madd_domain::{GameAccount, OrderCode, PhoneNumber, Rupiah, ServiceKind, TargetRule};

use crate::app::App;
use crate::db::orders::{self, NewOrder, Order};
use crate::db::postpaid::Bill;
use crate::db::products::{self, Product};
use crate::db::store_state;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::service::nickname::{self, NicknameAnswer};
use crate::service::order_writer::handle::Draft;
use crate::service::quote::{self, GuestTerms, Quoted};
use crate::service::{order_writer, postpaid, settings};

use super::{closed, ensure_open, CreateOrder};

/// How long order creation waits for the nickname check.
const NICKNAME_WAIT: Duration = Duration::from_secs(10);

/// What the customer asked for, checked: everything an order needs but its price.
struct Checked {
    product: Product,
    account: GameAccount,
    whatsapp: PhoneNumber,
    nickname: Option<String>,
    bill: Option<Bill>,
    /// The snapshot's terms for a guest's plain order, and whether a sale of the product runs.
    terms: GuestTerms,
    on_sale: bool,
}

/// An attempt at writing the order alone.
enum Written {
    Order(Box<Order>),
    /// The order code or the idempotency key is taken already.
    Taken,
}

pub async fn create(app: &App, req: CreateOrder) -> AppResult<(Order, bool)> {
    let key = idempotency_key(&req)?;
    if let Some(key) = &key {
        let mut conn = app.db.read().await?;
        if let Some(order) = orders::by_idempotency_key(&mut conn, key).await? {
            drop(conn);
            return replay(app, order, &req).await;
        }
    }
    let checked = check(app, &req).await?;
    let now = app.now_ms();
    let expires_at = now + app.config.payment_window_minutes * 60_000;
    let guest = req.buyer.as_ref() != Some(&checked.whatsapp);
    let plain = checked.bill.is_none()
        && voucher_of(&req).is_none()
        && !checked.on_sale
        && guest
        && !req.saldo_in_full
        && req.max_price.is_none();
    if plain {
        // The usual way: the next group commit; what it cannot settle is written alone below.
        let draft = Draft {
            code: OrderCode::generate(&mut rand::rngs::OsRng),
            product_code: checked.product.code.clone(),
            product_name: checked.product.name.clone(),
            brand: checked.product.brand.clone(),
            kind: checked.product.kind,
            account: checked.account.clone(),
            nickname: checked.nickname.clone(),
            whatsapp: checked.whatsapp.clone(),
            cost: checked.product.cost,
            quote: quote::guest(&checked.product, &checked.terms),
            idempotency_key: key.clone(),
            now,
            expires_at,
        };
        if let Some(order) = app.order_writer.write(draft).await {
            return Ok((order, true));
        }
    }
    for _ in 0..5 {
        match write_one(app, &checked, &req, key.as_deref(), (now, expires_at)).await? {
            Written::Order(order) => return Ok((*order, true)),
            Written::Taken => {
                if let Some(key) = &key {
                    let mut conn = app.db.write().await?;
                    if let Some(order) = orders::by_idempotency_key(&mut conn, key).await? {
                        drop(conn);
                        return replay(app, order, &req).await;
                    }
                }
                // An order code collision (1 in 2^40): draw again.
            }
        }
    }
    Err(AppError::internal("could not draw a free order code"))
}

fn idempotency_key(req: &CreateOrder) -> AppResult<Option<String>> {
    let key = req
        .idempotency_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return Err(AppError::invalid(
            "invalid_idempotency_key",
            "Idempotency-Key terlalu panjang",
        ));
    }
    Ok(key.map(str::to_owned))
}

fn voucher_of(req: &CreateOrder) -> Option<&str> {
    req.voucher
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn unavailable(product: &Product) -> AppError {
    AppError::conflict(
        "product_unavailable",
        format!(
            "{} sedang kosong atau tidak dijual. Pilih nominal lain.",
            product.name
        ),
    )
}

/// Checks the request against the catalogue snapshot (no query): the order's own transaction
/// checks the store is open and prices it from the database. The snapshot can be up to a poll
/// behind another process: what it refuses is asked of the database before the customer is
/// refused.
async fn check(app: &App, req: &CreateOrder) -> AppResult<Checked> {
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
        return Err(unavailable(&product));
    }
    let now = app.now_ms();
    let terms = GuestTerms {
        rail: app.rail(catalogue.payment_cost),
        fee: catalogue.customer_fee,
        markup_min: catalogue.markup_min,
    };
    // From the snapshot, not a query on every order: a sale another process just started shows
    // here within a poll (until then its first orders are at the list price).
    let on_sale = catalogue
        .flash_sales
        .iter()
        .any(|s| s.product_code == product.code && s.running(now));
    drop(catalogue);
    let rule = TargetRule::for_product(product.category, &product.brand);
    let account = GameAccount::parse(&rule, &req.target, req.zone.as_deref())
        .map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let whatsapp = PhoneNumber::parse(&req.whatsapp)
        .map_err(|e| AppError::invalid("invalid_whatsapp", e.to_string()))?;
    // A bill's inquiry names its customer; everything else is checked by the nickname lookup.
    let (nickname, bill) = if product.kind == ServiceKind::Postpaid {
        let bill = postpaid::inquire(app, &product, account.target(), NICKNAME_WAIT).await?;
        (Some(bill.customer_name.clone()), Some(bill))
    } else {
        match nickname::lookup(app, &rule, &account, NICKNAME_WAIT).await? {
            NicknameAnswer::Found(n) => (Some(n), None),
            NicknameAnswer::NotChecked => (None, None),
        }
    };
    Ok(Checked {
        product,
        account,
        whatsapp,
        nickname,
        bill,
        terms,
        on_sale,
    })
}

/// The one-order transaction: what is charged is the price in the database now, read in the
/// order's own transaction — a price changed since it was shown (a sync or a markup rule, in
/// this process or another) wins over any copy in memory.
async fn write_one(
    app: &App,
    c: &Checked,
    req: &CreateOrder,
    key: Option<&str>,
    (now, expires_at): (i64, i64),
) -> AppResult<Written> {
    let mut tx = app.db.begin().await?;
    if store_state::paused(&mut tx).await? {
        return Err(closed());
    }
    let product = match &c.bill {
        Some(_) => c.product.clone(),
        None => products::get(&mut tx, &c.product.code)
            .await?
            .filter(Product::sellable)
            .ok_or_else(|| unavailable(&c.product))?,
    };
    let quoted = quote::price(
        app,
        &mut tx,
        &quote::Ask {
            product: &product,
            buyer: req.buyer.as_ref(),
            whatsapp: Some(&c.whatsapp),
            voucher: voucher_of(req),
            bill: c.bill.as_ref(),
            now,
        },
    )
    .await?;
    quote::reserve(&mut tx, &quoted, &c.whatsapp, now).await?;
    let q = &quoted.quote;
    let code = OrderCode::generate(&mut rand::rngs::OsRng);
    let inserted = orders::insert(
        &mut tx,
        &NewOrder {
            code: &code,
            product_code: &product.code,
            product_name: &product.name,
            brand: &product.brand,
            kind: product.kind,
            account: &c.account,
            nickname: c.nickname.as_deref(),
            whatsapp: &c.whatsapp,
            cost: c.bill.as_ref().map_or(product.cost, |b| b.total),
            price: q.price,
            fee: q.fee,
            amount_due: q.amount_due,
            idempotency_key: key,
            now,
            expires_at,
        },
    )
    .await;
    let order = match inserted {
        Ok(order) => order,
        Err(crate::db::DbError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            return Ok(Written::Taken)
        }
        Err(e) => return Err(e.into()),
    };
    let mut order = record_terms(&mut tx, order, &quoted, now).await?;
    if req.saldo_in_full {
        order = pay_in_full(app, &mut tx, order, req.max_price, now).await?;
    }
    let settings = settings::on(&mut tx, &app.config).await?;
    order_writer::record_created(app, &mut tx, std::slice::from_ref(&order), &settings).await?;
    tx.commit().await?;
    if quoted.sale.is_some() {
        // What is left of the sale shows on the storefront.
        app.catalogue.invalidate();
    }
    app.wake_workers();
    tracing::info!(order = %order.code, product = %order.product_code, "order created");
    Ok(Written::Order(Box::new(order)))
}

/// What the order's price counted on: the voucher use and the sale unit it holds (given back if
/// it is never paid), and the price lines the invoice shows as the card did.
async fn record_terms(tx: &mut Tx, order: Order, quoted: &Quoted, now: i64) -> AppResult<Order> {
    let q = &quoted.quote;
    if let Some(code) = &quoted.voucher {
        crate::db::vouchers::record_use(
            tx,
            order.id,
            code,
            order.whatsapp.as_str(),
            q.voucher_discount,
            now,
        )
        .await?;
    }
    if let Some(sale) = &quoted.sale {
        crate::db::flash_sales::record_hold(tx, order.id, sale.id, now).await?;
    }
    Ok(orders::set_price_lines(
        tx,
        order.id,
        &orders::PriceLines {
            list: q.list,
            tier: q.tier,
            discount: q.discount(),
            voucher: quoted.voucher.as_deref(),
            voucher_worth: q.voucher_nominal,
            floor: q.floor,
        },
    )
    .await?)
}

/// Pays the order just written from its buyer's saldo, all of it, in the order's transaction;
/// an error drops the transaction and with it the order (nothing was bought, nothing taken).
async fn pay_in_full(
    app: &App,
    tx: &mut Tx,
    order: Order,
    max_price: Option<Rupiah>,
    now: i64,
) -> AppResult<Order> {
    if let Some(max) = max_price.filter(|max| order.amount_due > *max) {
        return Err(AppError::conflict(
            "price_above_max",
            format!("Harga {} di atas max_price {max}", order.amount_due),
        ));
    }
    match crate::service::saldo::spend(app, tx, &order, order.amount_due, now).await? {
        crate::service::saldo::Spent::Paid(_) => {}
        crate::service::saldo::Spent::AlreadyPaid | crate::service::saldo::Spent::Short => {
            return Err(AppError::conflict("saldo_insufficient", "Saldo tidak cukup"))
        }
    }
    orders::by_id(tx, order.id)
        .await?
        .ok_or_else(|| AppError::internal("the order just written is gone"))
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
