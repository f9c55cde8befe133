//! The account's mutable state: balance, orders and their progress, knobs. Orders move by time:
//! their status is recomputed from the clock on every look ([`State::tick`]), so nothing waits for
//! a background task to see a due transition; timer tasks only make callbacks fire on time.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::catalogue::digits_from;
use super::Fault;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Game,
    Prepaid,
    Postpaid,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Game => "game",
            Kind::Prepaid => "prepaid",
            Kind::Postpaid => "postpaid",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Waiting,
    Processing,
    Success,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Processing => "processing",
            Status::Success => "success",
            Status::Error => "error",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Success | Status::Error)
    }
}

/// How an order ends, decided when it is placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    Succeed,
    Fail(&'static str),
    /// Stays `processing` until released from the control page or [`super::VipSim::release`].
    Hold,
}

/// What the success note looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    Game,
    PlnToken,
    /// Pulsa, data, e-money, streaming vouchers.
    Voucher,
    Postpaid,
}

pub(crate) const NOTE_PROCESSING: &str = "Pesanan sedang diproses.";
pub(crate) const NOTE_WRONG_NUMBER: &str = "Nomor tujuan salah.";
pub(crate) const NOTE_WRONG_ZONE: &str = "Zone tujuan salah.";
pub(crate) const NOTE_RELEASED_FAIL: &str = "Transaksi gagal, saldo dikembalikan.";
/// The note of orders placed under [`Fault::FailOrders`].
pub(crate) const NOTE_OUT_OF_STOCK: &str = "Stok sedang kosong.";

#[derive(Clone, Debug)]
pub(crate) struct Order {
    pub trxid: String,
    pub kind: Kind,
    pub service_code: String,
    pub service_name: String,
    pub target: String,
    pub zone: Option<String>,
    pub price: i64,
    pub index: usize,
    pub created: Instant,
    pub status: Status,
    pub note: String,
    pub plan: Plan,
    pub delivery: Delivery,
}

impl Order {
    /// The order as `status` answers and callbacks show it.
    pub fn to_json(&self) -> Value {
        json!({
            "trxid": self.trxid,
            "data": self.target,
            "zone": self.zone.clone().unwrap_or_default(),
            "service": self.service_name,
            "status": self.status.as_str(),
            "note": self.note,
            "price": self.price,
        })
    }

    /// The serial number, token or reference a successful order delivers.
    fn success_note(&self) -> String {
        match self.delivery {
            Delivery::PlnToken => {
                let digits = digits_from(&self.trxid, 20);
                let groups: Vec<&str> = (0..5).map(|i| &digits[i * 4..i * 4 + 4]).collect();
                groups.join("-")
            }
            Delivery::Voucher => format!("0412{}", digits_from(&self.trxid, 14)),
            Delivery::Game => digits_from(&self.trxid, 16),
            Delivery::Postpaid => format!("REF{}", digits_from(&self.trxid, 16)),
        }
    }
}

/// What placing an order needs, once the service and its price are known.
pub(crate) struct NewOrder {
    pub kind: Kind,
    pub service_code: String,
    pub service_name: String,
    pub target: String,
    pub zone: Option<String>,
    pub price: i64,
    pub plan: Plan,
    pub delivery: Delivery,
}

pub(crate) struct State {
    pub balance: i64,
    pub callback_url: Option<String>,
    /// How many copies of each callback are sent, at the same moment (1: no duplicates).
    pub callback_copies: u8,
    pub fault: Option<Fault>,
    pub orders: Vec<Order>,
    pub order_requests: usize,
    /// Every API request that arrived (a test waits for one to be in the simulator's hands).
    pub requests: usize,
    next_trx: u64,
    processing_after: Duration,
    complete_after: Duration,
    /// Orders whose status changed since the last drain: the callbacks to send.
    outbox: Vec<Value>,
}

impl State {
    pub fn new(
        balance: i64,
        callback_url: Option<String>,
        processing_after: Duration,
        complete_after: Duration,
        first_trx: u64,
    ) -> State {
        State {
            balance,
            callback_url,
            callback_copies: 1,
            fault: None,
            orders: Vec::new(),
            order_requests: 0,
            requests: 0,
            next_trx: first_trx,
            processing_after,
            complete_after,
            outbox: Vec::new(),
        }
    }

    /// When an order placed at `created` becomes `processing` and when it ends (both counted from
    /// the order; the end is never before the start of processing).
    pub fn deadlines(&self, created: Instant) -> (Instant, Instant) {
        let processing = created + self.processing_after;
        let done = created + self.complete_after.max(self.processing_after);
        (processing, done)
    }

    /// Moves every order whose time has come.
    pub fn tick(&mut self, now: Instant) {
        for i in 0..self.orders.len() {
            let (processing_at, done_at) = self.deadlines(self.orders[i].created);
            if self.orders[i].status == Status::Waiting && now >= processing_at {
                let order = &mut self.orders[i];
                order.status = Status::Processing;
                order.note = NOTE_PROCESSING.to_string();
                self.outbox.push(order.to_json());
            }
            if self.orders[i].status == Status::Processing && now >= done_at {
                match self.orders[i].plan.clone() {
                    Plan::Succeed => self.finish(i, true, None),
                    Plan::Fail(reason) => self.finish(i, false, Some(reason)),
                    Plan::Hold => {}
                }
            }
        }
    }

    fn finish(&mut self, i: usize, success: bool, reason: Option<&str>) {
        let order = &mut self.orders[i];
        if success {
            order.status = Status::Success;
            order.note = order.success_note();
        } else {
            order.status = Status::Error;
            order.note = reason.unwrap_or(NOTE_RELEASED_FAIL).to_string();
            // VIP refunds a failed order.
            self.balance += order.price;
        }
        self.outbox.push(self.orders[i].to_json());
    }

    /// Ends a pending order now. `false` when there is no such order or it has already ended.
    pub fn release(&mut self, trxid: &str, success: bool) -> bool {
        let Some(i) = self.orders.iter().position(|o| o.trxid == trxid) else {
            return false;
        };
        if self.orders[i].status.is_final() {
            return false;
        }
        self.finish(i, success, None);
        true
    }

    /// Debits the price and records the order, `waiting`. `None` when the balance is short.
    pub fn place(&mut self, new: NewOrder, now: Instant) -> Option<&Order> {
        if new.price > self.balance {
            return None;
        }
        self.balance -= new.price;
        let plan = if self.fault == Some(Fault::FailOrders) {
            Plan::Fail(NOTE_OUT_OF_STOCK)
        } else {
            new.plan
        };
        let trxid = format!("VP{}", self.next_trx);
        self.next_trx += 1;
        let index = self.orders.len();
        self.orders.push(Order {
            trxid,
            kind: new.kind,
            service_code: new.service_code,
            service_name: new.service_name,
            target: new.target,
            zone: new.zone,
            price: new.price,
            index,
            created: now,
            status: Status::Waiting,
            note: String::new(),
            plan,
            delivery: new.delivery,
        });
        self.orders.last()
    }

    pub fn take_outbox(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.outbox)
    }
}

/// The outcome chosen by the target, as the spec asks: last digit `2` fails, `3` is held.
pub(crate) fn plan_for(target: &str, zone_missing: bool) -> Plan {
    if zone_missing {
        return Plan::Fail(NOTE_WRONG_ZONE);
    }
    match target.chars().last() {
        Some('2') => Plan::Fail(NOTE_WRONG_NUMBER),
        Some('3') => Plan::Hold,
        _ => Plan::Succeed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_order(target: &str, price: i64) -> NewOrder {
        NewOrder {
            kind: Kind::Prepaid,
            service_code: "PLN20".into(),
            service_name: "Token PLN 20.000".into(),
            target: target.into(),
            zone: None,
            price,
            plan: plan_for(target, false),
            delivery: Delivery::PlnToken,
        }
    }

    #[test]
    fn orders_move_with_time_and_refund_on_error() {
        let t0 = Instant::now();
        let mut s = State::new(
            100_000,
            None,
            Duration::from_secs(2),
            Duration::from_secs(5),
            1_000_000,
        );
        let ok = s
            .place(new_order("12345678900", 20_000), t0)
            .unwrap()
            .trxid
            .clone();
        let bad = s
            .place(new_order("12345678902", 30_000), t0)
            .unwrap()
            .trxid
            .clone();
        assert_eq!(ok, "VP1000000");
        assert_eq!(bad, "VP1000001");
        assert_eq!(s.balance, 50_000);
        assert!(s.place(new_order("1", 50_001), t0).is_none());

        s.tick(t0 + Duration::from_secs(1));
        assert!(s.orders.iter().all(|o| o.status == Status::Waiting));
        s.tick(t0 + Duration::from_secs(2));
        assert!(s.orders.iter().all(|o| o.status == Status::Processing));
        s.tick(t0 + Duration::from_secs(5));
        assert_eq!(s.orders[0].status, Status::Success);
        assert_eq!(s.orders[0].note.len(), 24, "{}", s.orders[0].note);
        assert_eq!(s.orders[1].status, Status::Error);
        assert_eq!(s.orders[1].note, NOTE_WRONG_NUMBER);
        assert_eq!(s.balance, 80_000);
        assert_eq!(s.take_outbox().len(), 4);
        assert!(s.take_outbox().is_empty());
    }

    #[test]
    fn fail_orders_fault_fails_new_orders_at_completion_and_refunds() {
        let t0 = Instant::now();
        let mut s = State::new(100_000, None, Duration::ZERO, Duration::from_secs(5), 1);
        let before = s
            .place(new_order("0810", 10_000), t0)
            .unwrap()
            .trxid
            .clone();
        s.fault = Some(Fault::FailOrders);
        let failing = s
            .place(new_order("0813", 20_000), t0)
            .unwrap()
            .trxid
            .clone();
        assert_eq!(s.balance, 70_000, "charged as usual");
        s.tick(t0 + Duration::from_secs(1));
        assert_eq!(s.orders[1].status, Status::Processing);
        s.tick(t0 + Duration::from_secs(5));
        assert_eq!(s.orders[0].trxid, before);
        assert_eq!(
            s.orders[0].status,
            Status::Success,
            "placed before the fault"
        );
        assert_eq!(s.orders[1].trxid, failing);
        assert_eq!(
            s.orders[1].status,
            Status::Error,
            "even a held target fails"
        );
        assert_eq!(s.orders[1].note, NOTE_OUT_OF_STOCK);
        assert_eq!(s.balance, 90_000, "refunded");
    }

    #[test]
    fn held_orders_wait_for_release() {
        let t0 = Instant::now();
        let mut s = State::new(100_000, None, Duration::ZERO, Duration::ZERO, 1);
        let held = s
            .place(new_order("0813", 10_000), t0)
            .unwrap()
            .trxid
            .clone();
        s.tick(t0 + Duration::from_secs(3600));
        assert_eq!(s.orders[0].status, Status::Processing);
        assert!(s.release(&held, false));
        assert!(!s.release(&held, true));
        assert!(!s.release("VP404", true));
        assert_eq!(s.orders[0].status, Status::Error);
        assert_eq!(s.balance, 100_000);
    }
}
