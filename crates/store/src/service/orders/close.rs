//! Closing an unpaid order — at its deadline (the expiry job) or when its customer cancels it in
//! the chat (`batal`): one path, so both give back the flash-sale unit and the voucher use the
//! order held, say so on the timeline, and refresh what the storefront shows is left.

use crate::app::App;
use crate::db::order_events;
use crate::db::order_status;
use crate::db::orders::{self, Order};
use crate::db::Tx;
use crate::error::AppResult;
use crate::jobs::queue::Outcome;
use crate::notify;
use crate::service::outbox;

use super::facts;

/// Why an unpaid order closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// Its payment deadline passed.
    Expired,
    /// Its customer (or the seller, for them) cancelled it in the chat before paying anything.
    CancelledInChat,
}

/// What closing gave back. After the transaction commits, [`Closed::announce`] refreshes the
/// storefront when a sale unit came back.
#[must_use]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Closed {
    pub closed: bool,
    pub sale_unit_back: bool,
}

impl Closed {
    pub fn announce(self, app: &App) {
        if self.sale_unit_back {
            // What is left of the sale shows on the storefront.
            app.catalogue.invalidate();
        }
        if self.closed {
            app.wake_workers();
        }
    }
}

/// Closes `order` if it is still unpaid (and, for a chat cancel, nothing was paid at all), in
/// the caller's transaction: its held units go back, each with its timeline line.
pub async fn close(tx: &mut Tx, order: &Order, why: Closing, now: i64) -> AppResult<Closed> {
    let closed = match why {
        Closing::Expired => order_status::expire(tx, order.id, now).await?,
        Closing::CancelledInChat => order_status::cancel_unpaid(tx, order.id, now).await?,
    };
    if !closed {
        return Ok(Closed::default());
    }
    let why_back = match why {
        Closing::Expired => "pesanan tidak dibayar",
        Closing::CancelledInChat => "pesanan dibatalkan",
    };
    let sale_unit_back =
        crate::db::holds::release(tx, crate::db::holds::FLASH_SALE, order.id, now).await?;
    if sale_unit_back {
        let detail = format!("Stok flash sale dikembalikan ({why_back})");
        order_events::add_event(tx, order.id, now, "system", "flash_sale_released", &detail)
            .await?;
    }
    if crate::db::holds::release(tx, crate::db::holds::VOUCHER, order.id, now).await? {
        let detail = format!("Kuota voucher dikembalikan ({why_back})");
        order_events::add_event(tx, order.id, now, "system", "voucher_released", &detail).await?;
    }
    let (actor, detail) = match why {
        Closing::Expired => ("system", "Batas waktu pembayaran habis"),
        Closing::CancelledInChat => ("customer", "Dibatalkan lewat WhatsApp sebelum dibayar"),
    };
    order_events::add_event(tx, order.id, now, actor, "expired", detail).await?;
    Ok(Closed {
        closed: true,
        sale_unit_back,
    })
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
    let closed = close(&mut tx, &order, Closing::Expired, now).await?;
    if closed.closed {
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
    closed.announce(app);
    Ok(Outcome::Done)
}
