//! Customer saldo (store credit), the automatic path for money that would otherwise wait on the
//! seller: a paid order that finally fails is refunded to saldo at once, and saldo pays for the
//! next order — from WhatsApp, where the sender *is* the wallet's owner (no sign-in needed).
//!
//! Books: money refunded to saldo stays owed to the customer (the wallet's balance); an order
//! paid from saldo is recorded as a payment of provider `saldo` with gross = net (no fee), so the
//! monthly report counts its revenue when delivered and its refund if it fails, as for any order.

use madd_domain::{OrderStatus, PhoneNumber, Rupiah};

use crate::app::App;
use crate::db::cash_outs::CashOutState;
use crate::db::payments::{self, NewPayment, PaymentState};
use crate::db::wallets::{self, EntryKind, Moved, Movement};
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::service::{orders as order_service, outbox, payments as payment_service};

/// The `provider` of a payment made from saldo.
pub const PROVIDER: &str = "saldo";

pub mod credit;

/// A wallet as its owner sees it.
pub struct Wallet {
    pub balance: Rupiah,
    pub entries: Vec<wallets::Entry>,
}

pub async fn wallet(app: &App, owner: &PhoneNumber) -> AppResult<Wallet> {
    let mut conn = app.db.read().await?;
    Ok(Wallet {
        balance: wallets::balance_of(&mut conn, owner).await?,
        entries: wallets::entries(&mut conn, owner, 5).await?,
    })
}

/// What paying from saldo did.
#[derive(Debug, PartialEq, Eq)]
pub struct PaidFromSaldo {
    pub taken: Rupiah,
    pub balance: Rupiah,
    pub status: OrderStatus,
    /// Still to pay through Trakteer (zero when saldo covered it).
    pub rest: Rupiah,
}

/// Pays what `owner`'s order `code` still owes from their saldo, as much as the saldo covers
/// (the rest stays due through Trakteer). Only the order's own WhatsApp number may do this.
pub async fn pay_order(app: &App, owner: &PhoneNumber, code: &str) -> AppResult<PaidFromSaldo> {
    let order = order_service::get(app, code).await?;
    if &order.whatsapp != owner {
        // Said as "not found": a stranger learns nothing about someone else's order.
        return Err(AppError::not_found("order_not_found", "Pesanan"));
    }
    if !order.status.accepts_payment() {
        return Err(AppError::conflict(
            "order_not_payable",
            format!("Pesanan {} tidak menunggu pembayaran.", order.code),
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let owed = order.shortfall();
    let balance = wallets::balance_of(&mut tx, owner).await?;
    let take = owed.min(balance);
    if !take.is_positive() {
        return Err(AppError::conflict(
            "saldo_empty",
            "Saldo kakak kosong. Bayar lewat link Trakteer di invoice.",
        ));
    }
    let status = match spend(app, &mut tx, &order, take, now).await? {
        Spent::Paid(status) => status,
        Spent::AlreadyPaid => {
            return Err(AppError::conflict(
                "saldo_used",
                "Saldo sudah dipakai untuk pesanan ini; bayar sisanya lewat Trakteer.",
            ))
        }
        // Another spend got there first: the transaction is dropped, nothing moved.
        Spent::Short => {
            return Err(AppError::conflict(
                "saldo_changed",
                "Saldo berubah saat dipakai. Coba lagi.",
            ))
        }
    };
    let balance = wallets::balance_of(&mut tx, owner).await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(PaidFromSaldo {
        taken: take,
        balance,
        status,
        rest: (owed - take).max(Rupiah::ZERO),
    })
}

/// What [`spend`] did.
pub enum Spent {
    /// Taken and recorded as the order's payment; the order's status after it.
    Paid(OrderStatus),
    /// Saldo already paid this order.
    AlreadyPaid,
    /// The saldo does not cover `take` (nothing moved; the caller drops its transaction).
    Short,
}

/// Takes `take` from the order's owner's saldo and records it as the order's payment, settling
/// it, in the caller's transaction: the wallet's conditional update never lets it go below
/// zero, however many spends race.
pub async fn spend(
    app: &App,
    tx: &mut crate::db::Tx,
    order: &crate::db::orders::Order,
    take: Rupiah,
    now: i64,
) -> AppResult<Spent> {
    let owner = &order.whatsapp;
    match wallets::apply(
        tx,
        &Movement {
            owner,
            amount: Rupiah::ZERO - take,
            kind: EntryKind::Spend,
            order_id: Some(order.id),
            note: order.code.as_str(),
            actor: "customer",
        },
        now,
    )
    .await?
    {
        Moved::Done(_) => {}
        Moved::AlreadyDone => return Ok(Spent::AlreadyPaid),
        Moved::Insufficient(_) => return Ok(Spent::Short),
    }
    let transaction_id = format!("saldo-{}", order.code);
    let Some(payment) = payments::insert_once(
        tx,
        &NewPayment {
            provider: PROVIDER,
            transaction_id: &transaction_id,
            state: PaymentState::Unmatched,
            source: "saldo",
            supporter_name: "",
            message: order.code.as_str(),
            quantity: 0,
            gross: take,
            net: Some(take),
            price_reading: None,
            note: None,
            raw: "",
            paid_at: Some(now),
            received_at: now,
        },
    )
    .await?
    else {
        return Ok(Spent::AlreadyPaid);
    };
    payments::attach(tx, payment.id, order.id).await?;
    let status = payment_service::settle(
        app,
        tx,
        order,
        &payment_service::Received {
            amount: take,
            net: Some(take),
            transaction_id: &transaction_id,
            by: "saldo",
        },
        now,
    )
    .await?;
    Ok(Spent::Paid(status))
}

/// A customer asks for `amount` of their saldo to be paid to `account`; the seller is told.
pub async fn request_cash_out(
    app: &App,
    owner: &PhoneNumber,
    amount: Rupiah,
    method: madd_domain::RefundMethod,
    account: &str,
) -> AppResult<i64> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let balance = wallets::balance_of(&mut tx, owner).await?;
    if amount > balance {
        return Err(AppError::conflict(
            "saldo_too_low",
            format!("Saldo kakak {balance}: tidak cukup untuk menarik {amount}."),
        ));
    }
    let account = madd_domain::text::clean(account, 60);
    let Some(id) =
        crate::db::cash_outs::request(&mut tx, owner, amount, method, &account, now).await?
    else {
        return Err(AppError::conflict(
            "cash_out_open",
            "Masih ada penarikan yang sedang diproses. Tunggu kabar dari penjual dulu ya.",
        ));
    };
    outbox::to_seller(
        &app.config,
        &mut tx,
        None,
        &notify::seller_cash_out(
            amount,
            method.label(),
            &account,
            &owner.local(),
            &app.config.link("/admin/saldo"),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(id)
}

/// The seller paid request `id` out (`reference`: the transfer's number): the saldo is debited
/// now, once, and the customer told. Refused when the saldo no longer covers it.
pub async fn pay_cash_out(app: &App, id: i64, reference: &str, actor: &str) -> AppResult<()> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = crate::db::cash_outs::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("cash_out_not_found", "Penarikan"))?;
    let owner = PhoneNumber::parse(&c.whatsapp)
        .map_err(|e| AppError::internal(format!("cash-out {id} number: {e}")))?;
    let reference = madd_domain::text::clean(reference.trim(), 80);
    if !crate::db::cash_outs::decide(&mut tx, id, CashOutState::Paid, &reference, "", actor, now).await? {
        return Err(AppError::conflict(
            "cash_out_decided",
            "Penarikan ini sudah diputuskan.",
        ));
    }
    let note = format!("tarik #{id}");
    match wallets::apply(
        &mut tx,
        &Movement {
            owner: &owner,
            amount: Rupiah::ZERO - c.amount,
            kind: EntryKind::CashOut,
            order_id: None,
            note: &note,
            actor,
        },
        now,
    )
    .await?
    {
        Moved::Done(balance) => {
            outbox::enqueue(
                &mut tx,
                None,
                &owner,
                &notify::cash_out_paid(c.amount, &c.method, &c.account, &reference, balance),
                now,
            )
            .await?;
        }
        // Spent in the meantime: nothing is paid from the books; the seller must refuse it.
        _ => {
            return Err(AppError::conflict(
                "saldo_too_low",
                "Saldo pelanggan sudah tidak cukup untuk penarikan ini; tolak dengan alasannya.",
            ))
        }
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}

/// The seller refuses request `id` with `reason`; nothing is debited; the customer is told.
pub async fn refuse_cash_out(app: &App, id: i64, reason: &str, actor: &str) -> AppResult<()> {
    let reason = madd_domain::text::clean(reason.trim(), 200);
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason_required",
            "Tulis alasan penolakan",
        ));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let c = crate::db::cash_outs::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("cash_out_not_found", "Penarikan"))?;
    if !crate::db::cash_outs::decide(&mut tx, id, CashOutState::Refused, "", &reason, actor, now).await? {
        return Err(AppError::conflict(
            "cash_out_decided",
            "Penarikan ini sudah diputuskan.",
        ));
    }
    if let Ok(owner) = PhoneNumber::parse(&c.whatsapp) {
        outbox::enqueue(
            &mut tx,
            None,
            &owner,
            &notify::cash_out_refused(c.amount, &reason),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    app.wake_workers();
    Ok(())
}

/// The seller puts a payment that matched no order into the saldo of `owner` (the number the
/// customer gave when asked): its gross, what the customer paid; Trakteer's cut on it is the
/// store's cost (the report counts it). Once per payment.
pub async fn credit_payment(
    app: &App,
    payment_id: i64,
    owner: &PhoneNumber,
    actor: &str,
) -> AppResult<Rupiah> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let payment = payments::by_id(&mut tx, payment_id)
        .await?
        .ok_or_else(|| AppError::not_found("payment_not_found", "Pembayaran"))?;
    if !payments::mark_credited(&mut tx, payment_id).await? || !payment.gross.is_positive() {
        return Err(AppError::conflict(
            "payment_not_creditable",
            "Pembayaran ini sudah dicocokkan atau dimasukkan ke saldo.",
        ));
    }
    let note = format!("bayar #{payment_id}");
    let Moved::Done(balance) = wallets::apply(
        &mut tx,
        &Movement {
            owner,
            amount: payment.gross,
            kind: EntryKind::Payment,
            order_id: None,
            note: &note,
            actor,
        },
        now,
    )
    .await?
    else {
        return Err(AppError::internal(format!(
            "crediting payment {payment_id} moved nothing"
        )));
    };
    outbox::enqueue(
        &mut tx,
        None,
        owner,
        &notify::payment_to_saldo(payment.gross, balance),
        now,
    )
    .await?;
    tx.commit().await?;
    app.wake_workers();
    Ok(balance)
}

/// Smallest and largest top-up, and its step (whole Trakteer units).
pub const TOPUP_MIN: Rupiah = Rupiah::new(10_000);
pub const TOPUP_MAX: Rupiah = Rupiah::new(1_000_000);

/// A new top-up for `owner`: its code and where to pay it. The amount is paid as it is (whole
/// Trakteer units); Trakteer's cut on it is the store's cost, as on an order's payment.
pub async fn start_topup(
    app: &App,
    owner: &PhoneNumber,
    amount: Rupiah,
) -> AppResult<(madd_domain::OrderCode, String)> {
    let unit = app.payment.unit_price();
    if amount < TOPUP_MIN || amount > TOPUP_MAX || amount.round_up_to(unit) != amount {
        return Err(AppError::invalid(
            "invalid_topup",
            format!("Isi saldo antara {TOPUP_MIN} dan {TOPUP_MAX}, kelipatan {unit}."),
        ));
    }
    let code = madd_domain::OrderCode::generate(&mut rand::rngs::OsRng);
    let mut conn = app.db.write().await?;
    crate::db::topups::create(&mut conn, &code, owner, amount, app.now_ms()).await?;
    drop(conn);
    let url = app.payment.pay_url(&code, amount, "Isi saldo Madd Store");
    Ok((code, url))
}
