//! The account's mutable state: deposit, transactions and their progress, knobs. Pending
//! transactions end by time: their status is recomputed from the clock on every look
//! ([`State::tick`]), so nothing waits for a background task to see a due transition; timer tasks
//! only make webhooks leave on time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::catalogue::{rc_message, Bill, Plan, Product, TEST_BALANCE};
use super::{DepositTicket, Fault};

/// The seller contacts every transaction answer carries.
const TELE: &str = "@sandbox_seller";
const WA: &str = "081234512345";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Sukses,
    Pending,
    Gagal,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Sukses => "Sukses",
            Status::Pending => "Pending",
            Status::Gagal => "Gagal",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum TrxKind {
    Topup,
    /// A postpaid `ref_id`: the inquiry's bill (none when it failed), then the payment.
    Pasca {
        bill: Option<Bill>,
        paid: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Trx {
    pub ref_id: String,
    pub kind: TrxKind,
    /// As the first request spelled it.
    pub sku: String,
    pub customer_no: String,
    pub testing: bool,
    pub status: Status,
    pub rc: String,
    pub message: String,
    pub sn: String,
    pub price: i64,
    pub buyer_last_saldo: i64,
    /// The price is kept from the balance (Pending/Sukses of a real transaction).
    pub held: bool,
    /// How a Pending transaction ends: Sukses (`true`) or Gagal.
    pub ends_well: bool,
    /// The SN it gets on Sukses.
    pub success_sn: String,
    pub pending_since: Option<Instant>,
    /// The request's `cb_url`: where its webhooks go instead of the account's URL.
    pub cb_url: Option<String>,
    pub index: usize,
}

impl Trx {
    pub fn command(&self) -> &'static str {
        match self.kind {
            TrxKind::Topup => "topup",
            TrxKind::Pasca { paid: true, .. } => "pay-pasca",
            TrxKind::Pasca { paid: false, .. } => "inq-pasca",
        }
    }

    pub fn is_pasca(&self) -> bool {
        matches!(self.kind, TrxKind::Pasca { .. })
    }

    /// The transaction as `/v1/transaction` answers and webhooks carry it (without `data`).
    pub fn to_json(&self) -> Value {
        match &self.kind {
            TrxKind::Topup => json!({
                "ref_id": self.ref_id,
                "customer_no": self.customer_no,
                "buyer_sku_code": self.sku,
                "message": self.message,
                "status": self.status.as_str(),
                "rc": self.rc,
                "sn": self.sn,
                "buyer_last_saldo": self.buyer_last_saldo,
                "price": self.price,
                "tele": TELE,
                "wa": WA,
            }),
            TrxKind::Pasca { bill: None, .. } => json!({
                "ref_id": self.ref_id,
                "customer_no": self.customer_no,
                "buyer_sku_code": self.sku,
                "message": self.message,
                "status": self.status.as_str(),
                "rc": self.rc,
                "buyer_last_saldo": self.buyer_last_saldo,
                "price": self.price,
            }),
            TrxKind::Pasca {
                bill: Some(bill),
                paid,
            } => {
                let detail: Vec<Value> = bill
                    .sheets
                    .iter()
                    .map(|s| {
                        let mut d = json!({
                            "periode": s.periode,
                            "nilai_tagihan": s.nilai_tagihan.to_string(),
                            "admin": s.admin.to_string(),
                            "denda": s.denda.to_string(),
                        });
                        if *paid {
                            d["meter_awal"] = json!(format!("{:08}", s.meter_awal));
                            d["meter_akhir"] = json!(format!("{:08}", s.meter_akhir));
                        }
                        d
                    })
                    .collect();
                let mut data = json!({
                    "ref_id": self.ref_id,
                    "customer_no": self.customer_no,
                    "customer_name": bill.customer_name,
                    "buyer_sku_code": self.sku,
                    "admin": bill.admin(),
                    "message": self.message,
                    "status": self.status.as_str(),
                    "rc": self.rc,
                    "periode": bill.sheets.first().map(|s| s.periode.clone()).unwrap_or_default(),
                    "buyer_last_saldo": self.buyer_last_saldo,
                    "price": self.price,
                    "selling_price": bill.selling_price(),
                    "desc": {
                        "tarif": bill.tarif,
                        "daya": bill.daya,
                        "lembar_tagihan": bill.sheets.len(),
                        "detail": detail,
                    },
                });
                if *paid {
                    data["sn"] = json!(self.sn);
                }
                data
            }
        }
    }
}

/// A webhook to send: a formed transaction (`create`) or a change of one (`update`).
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub event: &'static str,
    pub pasca: bool,
    pub ref_id: String,
    pub cb_url: Option<String>,
    pub data: Value,
}

/// What creating a topup (or paying a bill) needs, once everything is checked.
pub(crate) struct NewTrx {
    pub ref_id: String,
    pub sku: String,
    pub customer_no: String,
    pub testing: bool,
    pub price: i64,
    pub plan: Plan,
    pub success_sn: String,
    pub cb_url: Option<String>,
}

pub(crate) struct State {
    pub balance: i64,
    pub webhook_url: Option<String>,
    pub fault: Option<Fault>,
    pub forced_rc: Option<&'static str>,
    /// Seeded products put in (`true`) or out of stock (`false`) by the knob.
    pub availability: HashMap<&'static str, bool>,
    pub drop_webhooks: bool,
    /// How many copies of each webhook are sent, at the same moment (1: no duplicates).
    pub webhook_copies: u8,
    pub trxs: Vec<Trx>,
    by_ref: HashMap<String, usize>,
    pub transaction_calls: usize,
    pub deposits: Vec<DepositTicket>,
    /// When each `cmd`'s full price list was last served.
    pub last_full_list: HashMap<&'static str, Instant>,
    outbox: Vec<Event>,
}

impl State {
    pub fn new(balance: i64, webhook_url: Option<String>) -> State {
        State {
            balance,
            webhook_url,
            fault: None,
            forced_rc: None,
            availability: HashMap::new(),
            drop_webhooks: false,
            webhook_copies: 1,
            trxs: Vec::new(),
            by_ref: HashMap::new(),
            transaction_calls: 0,
            deposits: Vec::new(),
            last_full_list: HashMap::new(),
            outbox: Vec::new(),
        }
    }

    pub fn find(&self, ref_id: &str) -> Option<usize> {
        self.by_ref.get(ref_id).copied()
    }

    /// Seller up and stock left, after the knob.
    pub fn is_available(&self, product: &Product) -> bool {
        self.availability
            .get(product.sku)
            .copied()
            .unwrap_or(product.available())
    }

    /// The balance a transaction reports: the account's, or the documented test figures.
    fn saldo_for(&self, testing: bool, status: Status, price: i64) -> i64 {
        match (testing, status) {
            (false, _) => self.balance,
            (true, Status::Gagal) => TEST_BALANCE,
            (true, _) => TEST_BALANCE - price,
        }
    }

    /// Ends every Pending transaction whose time has come.
    pub fn tick(&mut self, now: Instant, pending_for: Option<Duration>) {
        let Some(pending_for) = pending_for else {
            return;
        };
        for i in 0..self.trxs.len() {
            let due = self.trxs[i]
                .pending_since
                .is_some_and(|since| now >= since + pending_for);
            if self.trxs[i].status == Status::Pending && due {
                let success = self.trxs[i].ends_well;
                self.finish(i, success);
            }
        }
    }

    fn finish(&mut self, i: usize, success: bool) {
        let trx = &mut self.trxs[i];
        trx.pending_since = None;
        if success {
            trx.status = Status::Sukses;
            trx.rc = "00".to_string();
            trx.sn = trx.success_sn.clone();
        } else {
            trx.status = Status::Gagal;
            trx.rc = "02".to_string();
            trx.sn = String::new();
            if trx.held {
                self.balance += trx.price;
                trx.held = false;
            }
        }
        trx.message = rc_message(&trx.rc).to_string();
        let (testing, status, price) = (trx.testing, trx.status, trx.price);
        self.trxs[i].buyer_last_saldo = self.saldo_for(testing, status, price);
        self.push_event("update", i);
    }

    /// Ends a Pending transaction now. `false` when there is none or it is not Pending.
    pub fn release(&mut self, ref_id: &str, success: bool) -> bool {
        match self.find(ref_id) {
            Some(i) if self.trxs[i].status == Status::Pending => {
                self.finish(i, success);
                true
            }
            _ => false,
        }
    }

    /// Applies a plan to transaction `i` (new, or a bill being paid): status, charge, event.
    fn start(&mut self, i: usize, plan: Plan, now: Instant) {
        let trx = &mut self.trxs[i];
        let (status, rc) = match plan {
            Plan::Succeed => (Status::Sukses, "00"),
            Plan::Fail(rc) => (Status::Gagal, rc),
            Plan::Pending(ends_well) => {
                trx.ends_well = ends_well;
                trx.pending_since = Some(now);
                (Status::Pending, "03")
            }
            Plan::PendingAs(rc) => {
                trx.ends_well = true;
                trx.pending_since = Some(now);
                (Status::Pending, rc)
            }
        };
        trx.status = status;
        trx.rc = rc.to_string();
        trx.message = rc_message(rc).to_string();
        trx.sn = if status == Status::Sukses {
            trx.success_sn.clone()
        } else {
            String::new()
        };
        if status != Status::Gagal && !trx.testing {
            self.balance -= trx.price;
            self.trxs[i].held = true;
        }
        let trx = &self.trxs[i];
        let (testing, price) = (trx.testing, trx.price);
        self.trxs[i].buyer_last_saldo = self.saldo_for(testing, status, price);
        self.push_event("create", i);
    }

    /// Records a new topup and starts it (the caller checked the balance). Its index.
    pub fn create(&mut self, new: NewTrx, now: Instant) -> usize {
        let plan = new.plan;
        let i = self.insert(Trx {
            ref_id: new.ref_id,
            kind: TrxKind::Topup,
            sku: new.sku,
            customer_no: new.customer_no,
            testing: new.testing,
            status: Status::Pending,
            rc: String::new(),
            message: String::new(),
            sn: String::new(),
            price: new.price,
            buyer_last_saldo: 0,
            held: false,
            ends_well: true,
            success_sn: new.success_sn,
            pending_since: None,
            cb_url: new.cb_url,
            index: 0,
        });
        self.start(i, plan, now);
        i
    }

    /// Records a postpaid inquiry: its bill (Sukses) or the rc it failed with. No webhook.
    pub fn record_inquiry(&mut self, new: NewTrx, bill: Result<Bill, &'static str>) -> usize {
        let (status, rc, price, bill) = match bill {
            Ok(bill) => (Status::Sukses, "00", bill.price(), Some(bill)),
            Err(rc) => (Status::Gagal, rc, 0, None),
        };
        let i = self.insert(Trx {
            ref_id: new.ref_id,
            kind: TrxKind::Pasca { bill, paid: false },
            sku: new.sku,
            customer_no: new.customer_no,
            testing: new.testing,
            status,
            rc: rc.to_string(),
            message: rc_message(rc).to_string(),
            sn: String::new(),
            price,
            buyer_last_saldo: 0,
            held: false,
            ends_well: true,
            success_sn: new.success_sn,
            pending_since: None,
            cb_url: new.cb_url,
            index: 0,
        });
        // An inquiry holds nothing: the balance before any payment.
        self.trxs[i].buyer_last_saldo = self.saldo_for(new.testing, Status::Gagal, 0);
        i
    }

    /// Pays the bill of inquiry `i` (the caller checked it is payable and the balance).
    pub fn pay(&mut self, i: usize, plan: Plan, cb_url: Option<String>, now: Instant) {
        if let TrxKind::Pasca { paid, .. } = &mut self.trxs[i].kind {
            *paid = true;
        }
        if cb_url.is_some() {
            self.trxs[i].cb_url = cb_url;
        }
        self.start(i, plan, now);
    }

    fn insert(&mut self, mut trx: Trx) -> usize {
        let i = self.trxs.len();
        trx.index = i;
        self.by_ref.insert(trx.ref_id.clone(), i);
        self.trxs.push(trx);
        i
    }

    fn push_event(&mut self, event: &'static str, i: usize) {
        let trx = &self.trxs[i];
        self.outbox.push(Event {
            event,
            pasca: trx.is_pasca(),
            ref_id: trx.ref_id.clone(),
            cb_url: trx.cb_url.clone(),
            data: trx.to_json(),
        });
    }

    pub fn take_outbox(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.outbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_trx(ref_id: &str, customer_no: &str, plan: Plan, testing: bool) -> NewTrx {
        NewTrx {
            ref_id: ref_id.into(),
            sku: "ML86".into(),
            customer_no: customer_no.into(),
            testing,
            price: 20_000,
            plan,
            success_sn: format!("SN-{ref_id}"),
            cb_url: None,
        }
    }

    #[test]
    fn pending_holds_the_price_and_gagal_gives_it_back() {
        let t0 = Instant::now();
        let mut s = State::new(100_000, None);
        s.create(new_trx("a", "0811", Plan::Succeed, false), t0);
        s.create(new_trx("b", "0832", Plan::Fail("02"), false), t0);
        s.create(new_trx("c", "0833", Plan::Pending(true), false), t0);
        s.create(new_trx("d", "0834", Plan::Pending(false), false), t0);
        assert_eq!(s.balance, 40_000);
        assert_eq!(s.trxs[0].sn, "SN-a");
        assert_eq!(s.trxs[1].buyer_last_saldo, 80_000);
        assert_eq!(s.trxs[2].sn, "");
        assert_eq!(s.take_outbox().len(), 4);

        s.tick(t0 + Duration::from_secs(3600), None);
        assert_eq!(
            s.trxs[2].status,
            Status::Pending,
            "held without pending_for"
        );
        s.tick(t0 + Duration::from_secs(4), Some(Duration::from_secs(5)));
        assert_eq!(s.trxs[2].status, Status::Pending);
        s.tick(t0 + Duration::from_secs(5), Some(Duration::from_secs(5)));
        assert_eq!(s.trxs[2].status, Status::Sukses);
        assert_eq!(s.trxs[2].sn, "SN-c");
        assert_eq!(s.trxs[3].status, Status::Gagal);
        assert_eq!(s.trxs[3].rc, "02");
        assert_eq!(s.balance, 60_000);
        assert_eq!(s.trxs[3].buyer_last_saldo, 60_000);
        let events = s.take_outbox();
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| e.event == "update"));
        assert!(!s.release("c", false), "already final");
        assert!(!s.release("zzz", true));
    }

    #[test]
    fn test_transactions_report_the_documented_figures_and_charge_nothing() {
        let t0 = Instant::now();
        let mut s = State::new(5_000, None);
        s.create(new_trx("a", "0", Plan::Pending(false), true), t0);
        assert_eq!(s.trxs[0].buyer_last_saldo, TEST_BALANCE - 20_000);
        assert!(s.release("a", false));
        assert_eq!(s.trxs[0].buyer_last_saldo, TEST_BALANCE);
        assert_eq!(s.balance, 5_000);
    }
}
