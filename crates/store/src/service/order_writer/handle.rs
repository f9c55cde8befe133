//! The way into the group-commit writer task: a [`Draft`] (an order with everything decided), the
//! handle that hands it over and the queue the task reads. Plain data and channels (it knows no
//! `App`), so the application's state can hold the handle.

use madd_domain::{GameAccount, OrderCode, PhoneNumber, Quote, Rupiah, ServiceKind};
use tokio::sync::{mpsc, oneshot};

use crate::db::orders::{NewOrder, Order};

/// The most orders one group commit writes.
pub(super) const MAX_BATCH: usize = 64;

/// An order ready to be written: everything is decided, only the rows are missing.
#[derive(Clone, Debug)]
pub struct Draft {
    pub code: OrderCode,
    pub product_code: String,
    pub product_name: String,
    pub brand: String,
    pub kind: ServiceKind,
    pub account: GameAccount,
    pub nickname: Option<String>,
    pub whatsapp: PhoneNumber,
    pub cost: Rupiah,
    pub quote: Quote,
    pub idempotency_key: Option<String>,
    pub now: i64,
    pub expires_at: i64,
}

impl Draft {
    pub(super) fn as_new(&self) -> NewOrder<'_> {
        NewOrder {
            code: &self.code,
            product_code: &self.product_code,
            product_name: &self.product_name,
            brand: &self.brand,
            kind: self.kind,
            account: &self.account,
            nickname: self.nickname.as_deref(),
            whatsapp: &self.whatsapp,
            cost: self.cost,
            price: self.quote.price,
            fee: self.quote.fee,
            amount_due: self.quote.amount_due,
            idempotency_key: self.idempotency_key.as_deref(),
            now: self.now,
            expires_at: self.expires_at,
        }
    }
}

pub(super) struct Pending {
    pub(super) draft: Draft,
    /// The written order, or `None`: write it alone.
    pub(super) reply: oneshot::Sender<Option<Order>>,
}

/// The way into the writer task.
#[derive(Clone, Debug)]
pub struct OrderWriter {
    sender: mpsc::Sender<Pending>,
}

impl OrderWriter {
    /// The handle and the queue the task reads ([`run`]).
    pub fn new() -> (OrderWriter, Queue) {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        (OrderWriter { sender }, Queue(receiver))
    }

    /// Writes `draft` in the next group commit: the order, or `None` when it must be written
    /// alone (see the module's docs).
    pub async fn write(&self, draft: Draft) -> Option<Order> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Pending { draft, reply }).await.ok()?;
        answer.await.ok().flatten()
    }
}

/// The orders waiting for the writer task.
pub struct Queue(pub(super) mpsc::Receiver<Pending>);
