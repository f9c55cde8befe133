//! Money into a customer's saldo from the order and payment paths: a failed order refunded,
//! what was paid beyond an order, a payment for a top-up. The payment intake and fulfilment call
//! these inside their own transactions; the parent module (spending saldo, cash-outs) pays orders
//! through the payment intake, so these must not depend on it.

use madd_domain::{PhoneNumber, Rupiah};

use crate::app::App;
use crate::db::orders::Order;
use crate::db::payments;
use crate::db::wallets::{self, EntryKind, Moved, Movement};
use crate::db::{order_events, order_status, overpayments, Tx};
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::service::{orders as order_service, outbox};

/// Refunds a failed order's money to its customer's saldo in the caller's transaction: the order
/// becomes `refunded` (method `saldo`), the wallet is credited once (a second report of the same
/// failure finds the order refunded already), and the customer is told the amount and the new
/// balance. `None` when nothing was refunded (nothing paid, or refunded already).
pub async fn refund_failed(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    now: i64,
) -> AppResult<Option<Rupiah>> {
    // What the customer is owed: what they paid, less an overpayment already given back.
    let returned = overpayments::of_order(tx, order.id).await?.returned;
    let amount = order.amount_paid - returned;
    if !amount.is_positive() {
        return Ok(None);
    }
    if !order_status::mark_refunded(tx, order.id, "saldo", "otomatis", amount, now).await? {
        return Ok(None);
    }
    let balance = match wallets::apply(
        tx,
        &Movement {
            owner: &order.whatsapp,
            amount,
            kind: EntryKind::Refund,
            order_id: Some(order.id),
            note: order.code.as_str(),
            actor: "system",
        },
        now,
    )
    .await?
    {
        Moved::Done(balance) => balance,
        // The order was refunded just above; an entry for it cannot exist unless the books are
        // already wrong: stop rather than pay twice.
        other => {
            return Err(AppError::internal(format!(
                "saldo refund of {} found {other:?}",
                order.code
            )))
        }
    };
    order_events::add_event(
        tx,
        order.id,
        now,
        "system",
        "refunded",
        &format!(
            "Refund {amount} ke saldo {} (saldo {balance})",
            order.whatsapp.masked()
        ),
    )
    .await?;
    let f = order_service::facts(app, order);
    outbox::enqueue(
        tx,
        Some(order.id),
        &order.whatsapp,
        &notify::refunded_to_saldo(&f, amount, balance),
        now,
    )
    .await?;
    Ok(Some(amount))
}

/// Credits `amount` of `order`'s money to its customer's saldo in the caller's transaction (the
/// seller's refund or overpayment return by the method "Saldo pelanggan") and tells the customer.
/// `kind` `Refund` is once per order; overpayment returns go by amount (the overpayment's own
/// guard keeps them within what was overpaid).
pub async fn credit_for_order(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    amount: Rupiah,
    kind: EntryKind,
    actor: &str,
    now: i64,
) -> AppResult<Rupiah> {
    let moved = wallets::apply(
        tx,
        &Movement {
            owner: &order.whatsapp,
            amount,
            kind,
            order_id: (kind == EntryKind::Refund).then_some(order.id),
            note: order.code.as_str(),
            actor,
        },
        now,
    )
    .await?;
    let Moved::Done(balance) = moved else {
        return Err(AppError::conflict(
            "saldo_already_credited",
            "Pesanan ini sudah dikembalikan ke saldo.",
        ));
    };
    let f = order_service::facts(app, order);
    outbox::enqueue(
        tx,
        Some(order.id),
        &order.whatsapp,
        &notify::credited_to_saldo(&f, amount, balance),
        now,
    )
    .await?;
    Ok(balance)
}

/// On delivery, what the customer paid beyond the bill (and was not given back yet) goes to their
/// saldo — when the seller lets refunds go to saldo automatically.
pub async fn overpayment_to_saldo(
    app: &App,
    tx: &mut Tx,
    order: &Order,
    now: i64,
) -> AppResult<Option<Rupiah>> {
    if !crate::service::settings::on(tx, &app.config)
        .await?
        .refund_to_saldo
    {
        return Ok(None);
    }
    let open = overpayments::of_order(tx, order.id).await?.open();
    if !open.is_positive() {
        return Ok(None);
    }
    let ret = overpayments::NewReturn {
        order_id: order.id,
        amount: open,
        method: madd_domain::RefundMethod::Saldo.as_str(),
        note: "otomatis saat pesanan sukses",
        actor: "system",
    };
    let returned = overpayments::record_return(tx, &ret, now).await?;
    if !returned {
        return Ok(None);
    }
    order_events::add_event(
        tx,
        order.id,
        now,
        "system",
        "overpaid_returned",
        &format!("Kelebihan bayar {open} masuk saldo pelanggan"),
    )
    .await?;
    credit_for_order(app, tx, order, open, EntryKind::Overpayment, "system", now).await?;
    Ok(Some(open))
}

/// A payment whose message names an open top-up: the customer's saldo gets what was paid, in the
/// intake's transaction. `false`: no top-up is named (the payment goes on to order pairing).
pub async fn take_topup_payment(
    tx: &mut Tx,
    payment: &crate::db::payments::Payment,
    now: i64,
) -> AppResult<bool> {
    for code in madd_domain::OrderCode::candidates_in(&payment.message) {
        let Some(topup) = crate::db::topups::open_by_code(tx, &code).await? else {
            continue;
        };
        let Ok(owner) = PhoneNumber::parse(&topup.whatsapp) else {
            continue;
        };
        if !crate::db::topups::mark_paid(tx, topup.id, payment.id, now).await?
            || !payments::mark_credited(tx, payment.id).await?
        {
            return Ok(false);
        }
        let note = format!("bayar #{}", payment.id);
        let Moved::Done(balance) = wallets::apply(
            tx,
            &Movement {
                owner: &owner,
                amount: payment.gross,
                kind: EntryKind::TopUp,
                order_id: None,
                note: &note,
                actor: "trakteer",
            },
            now,
        )
        .await?
        else {
            return Err(AppError::internal(format!(
                "top-up {} moved nothing",
                topup.code
            )));
        };
        outbox::enqueue(
            tx,
            None,
            &owner,
            &notify::topped_up(payment.gross, balance),
            now,
        )
        .await?;
        return Ok(true);
    }
    Ok(false)
}

/// The seller adds saldo by hand (a reseller's deposit by bank transfer, the demo's reseller):
/// a `manual` ledger entry; `amount` must be positive.
pub async fn grant(app: &App, owner: &PhoneNumber, amount: Rupiah, actor: &str) -> AppResult<Rupiah> {
    if !amount.is_positive() {
        return Err(AppError::invalid("invalid_amount", "Jumlah harus lebih dari 0"));
    }
    let mut tx = app.db.begin().await?;
    wallets::apply(
        &mut tx,
        &Movement {
            owner,
            amount,
            kind: EntryKind::Manual,
            order_id: None,
            note: "tambah saldo oleh penjual",
            actor,
        },
        app.now_ms(),
    )
    .await?;
    let balance = wallets::balance_of(&mut tx, owner).await?;
    tx.commit().await?;
    Ok(balance)
}

/// Whether everything the order received came from its owner's saldo.
pub async fn paid_from_saldo(tx: &mut Tx, order: &Order) -> AppResult<bool> {
    let from_saldo = payments::received_from(tx, order.id, super::PROVIDER).await?;
    Ok(order.amount_paid.is_positive() && from_saldo >= order.amount_paid)
}
