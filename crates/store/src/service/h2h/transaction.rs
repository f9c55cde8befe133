//! `/transaction` (prepaid top-up) and what a transaction reads as: a reseller's order, priced at
//! their tier and paid from their saldo in the order's own transaction, through the same quote,
//! fulfilment and failover as every order; `ref_id` is the idempotency key; `testing: true`
//! answers the spec's documented test cases and moves no money.

use madd_domain::h2h::{self as rules, H2hStatus, Rc};
use madd_domain::{PhoneNumber, Rupiah};

use super::{callbacks, Refusal};
use crate::app::App;
use crate::db::h2h::{self as repo, Account, NewTransaction, Transaction};
use crate::db::wallets;
use crate::error::AppError;
use crate::service::orders::{self as order_service, CreateOrder};

/// Digiflazz forms a new transaction for a `ref_id` older than this (spec 4.2); the store
/// refuses instead of buying again.
const REF_ID_LIFETIME_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// A top-up as the reseller asked for it.
#[derive(Clone, Debug, Default)]
pub struct Buy {
    pub sku: String,
    pub customer_no: String,
    pub ref_id: String,
    pub testing: bool,
    pub max_price: Option<i64>,
    pub cb_url: Option<String>,
}

/// A transaction's state as the API shows it (the `data` object).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub ref_id: String,
    pub customer_no: String,
    pub sku: String,
    pub status: H2hStatus,
    pub rc: Rc,
    pub message: String,
    pub sn: String,
    pub price: i64,
    pub buyer_last_saldo: i64,
}

impl Answer {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "ref_id": self.ref_id,
            "customer_no": self.customer_no,
            "buyer_sku_code": self.sku,
            "message": self.message,
            "status": self.status.as_str(),
            "rc": self.rc.code(),
            "sn": self.sn,
            "buyer_last_saldo": self.buyer_last_saldo,
            "price": self.price,
        })
    }
}

/// Buys, or answers the transaction this `ref_id` already is.
pub async fn buy(app: &App, account: &Account, b: &Buy) -> Result<Answer, Refusal> {
    if b.ref_id.trim().is_empty() || b.sku.trim().is_empty() || b.customer_no.trim().is_empty() {
        return Err(Refusal::saying(
            Rc::PayloadError,
            "buyer_sku_code, customer_no dan ref_id wajib diisi",
        ));
    }
    if b.ref_id.len() > 64 || b.customer_no.len() > 64 || b.sku.len() > 64 {
        return Err(Refusal::saying(Rc::PayloadError, "ref_id, customer_no atau buyer_sku_code terlalu panjang"));
    }
    let cb_url = match b.cb_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => {
            callbacks::check_url(app, url)
                .await
                .map_err(|why| Refusal::saying(Rc::PayloadError, why))?;
            url.to_string()
        }
        None => String::new(),
    };
    if let Some(known) = find(app, account, &b.ref_id).await? {
        return again(app, account, &known, b).await;
    }
    if b.testing {
        return test(app, account, b, &cb_url).await;
    }
    let owner = PhoneNumber::parse(&account.whatsapp)
        .map_err(|_| Refusal::new(Rc::UnknownUser))?;
    let (target, zone) = rules::split_destination(&b.customer_no);
    let created = order_service::create(
        app,
        CreateOrder {
            product: b.sku.trim().to_string(),
            target,
            zone,
            whatsapp: owner.as_str().to_string(),
            idempotency_key: Some(format!(
                "{}{}:{}",
                crate::db::orders::RESELLER_API_KEY_PREFIX,
                account.username,
                b.ref_id
            )),
            voucher: None,
            buyer: Some(owner.clone()),
            saldo_in_full: true,
            max_price: b.max_price.map(Rupiah::new),
        },
    )
    .await;
    let (order, _) = created.map_err(refusal)?;
    let status = H2hStatus::of_order(order.status);
    let new = NewTransaction {
        username: &account.username,
        ref_id: &b.ref_id,
        sku: b.sku.trim(),
        customer_no: b.customer_no.trim(),
        order_id: Some(order.id),
        test_later: None,
        price: order.amount_due.amount(),
        told: status.as_str(),
        cb_url: &cb_url,
    };
    // The order is the money; this row is how the reseller finds it. Written after the order's
    // transaction: a crash between the two leaves an order the same ref_id finds again through
    // its idempotency key, and this row is written then.
    let recorded = record(app, &new).await?;
    answer(app, account, &recorded).await
}

async fn find(app: &App, account: &Account, ref_id: &str) -> Result<Option<Transaction>, Refusal> {
    let mut conn = app.db.read().await.map_err(|_| super::busy())?;
    repo::transaction(&mut conn, &account.username, ref_id)
        .await
        .map_err(|_| super::busy())
}

/// Records a transaction (or finds the one a concurrent request recorded first) and starts
/// watching it for the callback.
async fn record(app: &App, new: &NewTransaction<'_>) -> Result<Transaction, Refusal> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await.map_err(|_| super::busy())?;
    let recorded = match repo::insert_transaction(&mut tx, new, now)
        .await
        .map_err(|_| super::busy())?
    {
        Some(t) => {
            if t.told == H2hStatus::Pending.as_str() {
                callbacks::watch(&mut tx, t.id, now)
                    .await
                    .map_err(|_| super::busy())?;
            }
            t
        }
        None => repo::transaction(&mut tx, new.username, new.ref_id)
            .await
            .map_err(|_| super::busy())?
            .ok_or_else(super::busy)?,
    };
    tx.commit().await.map_err(|_| super::busy())?;
    app.wake_workers();
    Ok(recorded)
}

/// The same `ref_id` again: the stored transaction if it asks for the same thing (Digiflazz's
/// way of checking a status), `rc 49` if not, and a refusal once it is older than 90 days.
async fn again(
    app: &App,
    account: &Account,
    known: &Transaction,
    b: &Buy,
) -> Result<Answer, Refusal> {
    if known.sku != b.sku.trim() || known.customer_no != b.customer_no.trim() || known.testing != b.testing {
        return Err(Refusal::new(Rc::RefIdNotUnique));
    }
    if app.now_ms() - known.created_at > REF_ID_LIFETIME_MS {
        return Err(Refusal::saying(
            Rc::NotFound,
            "Ref ID lebih dari 90 hari: pakai ref_id baru untuk transaksi baru",
        ));
    }
    answer(app, account, known).await
}

/// A documented test case: its documented answer, a record for the same `ref_id` again, and
/// for a pending one the callback that ends it.
async fn test(app: &App, account: &Account, b: &Buy, cb_url: &str) -> Result<Answer, Refusal> {
    let Some(case) = rules::test_case(&b.sku, b.customer_no.trim()) else {
        return Err(if b.sku.eq_ignore_ascii_case(rules::TEST_SKU) {
            Refusal::new(Rc::WrongNumber)
        } else {
            Refusal::saying(Rc::UnknownSku, "Mode testing hanya mengenal SKU xld10")
        });
    };
    let new = NewTransaction {
        username: &account.username,
        ref_id: &b.ref_id,
        sku: b.sku.trim(),
        customer_no: b.customer_no.trim(),
        order_id: None,
        test_later: case.later.map(H2hStatus::as_str),
        price: case.price,
        told: case.now.as_str(),
        cb_url,
    };
    let recorded = record(app, &new).await?;
    answer(app, account, &recorded).await
}

/// What a recorded transaction reads as now.
pub async fn answer(app: &App, account: &Account, t: &Transaction) -> Result<Answer, Refusal> {
    let base = |status: H2hStatus, sn: &str, saldo: i64| Answer {
        ref_id: t.ref_id.clone(),
        customer_no: t.customer_no.clone(),
        sku: t.sku.clone(),
        status,
        rc: status.rc(),
        message: status.rc().message().to_string(),
        sn: sn.to_string(),
        price: t.price,
        buyer_last_saldo: saldo,
    };
    let Some(order_id) = t.order_id else {
        // A test transaction: the spec's figures, moved to its end once its callback is due.
        let case = rules::test_case(&t.sku, &t.customer_no).ok_or_else(super::busy)?;
        let status = H2hStatus::parse(&t.told).unwrap_or(case.now);
        let (sn, saldo) = match status {
            H2hStatus::Sukses if case.now != H2hStatus::Sukses => ("1234567890", case.last_saldo),
            H2hStatus::Gagal => ("", 1_000_000),
            _ => (case.sn, case.last_saldo),
        };
        return Ok(base(status, sn, saldo));
    };
    let mut conn = app.db.read().await.map_err(|_| super::busy())?;
    let order = crate::db::orders::by_id(&mut conn, order_id)
        .await
        .map_err(|_| super::busy())?
        .ok_or_else(super::busy)?;
    let owner = PhoneNumber::parse(&account.whatsapp).map_err(|_| super::busy())?;
    let saldo = wallets::balance_of(&mut conn, &owner)
        .await
        .map_err(|_| super::busy())?;
    let status = H2hStatus::of_order(order.status);
    Ok(base(
        status,
        order.serial_number.as_deref().unwrap_or_default(),
        saldo.amount(),
    ))
}

/// An order the store would not make, in Digiflazz's codes. What the store could not finish for
/// sure (its database, a supplier lookup it waited on, its own bounds) is `Pending`: the same
/// `ref_id` again finds the order if it was made, or makes it then — never a second purchase.
fn refusal(e: AppError) -> Refusal {
    if matches!(
        e,
        AppError::Db(_)
            | AppError::Internal(_)
            | AppError::Unavailable { .. }
            | AppError::Busy { .. }
            | AppError::TooManyRequests { .. }
    ) {
        return super::busy();
    }
    let rc = match e.code() {
        "saldo_insufficient" => Rc::SaldoShort,
        "price_above_max" => Rc::PriceAboveMax,
        "product_not_found" | "product_unavailable" => Rc::UnknownSku,
        "idempotency_key_reused" => Rc::RefIdNotUnique,
        "store_closed" => {
            return Refusal::saying(Rc::Gagal, "Toko sedang tutup sementara, coba lagi nanti")
        }
        code if code.starts_with("invalid_")
            || code == "zone_required"
            || code == "account_not_found" =>
        {
            return Refusal::saying(Rc::WrongNumber, e.to_string())
        }
        _ => return Refusal::saying(Rc::Gagal, "Transaksi Gagal, coba lagi"),
    };
    Refusal::new(rc)
}
