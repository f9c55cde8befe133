//! `/v1/transaction`: prepaid topups and their re-checks, and the postpaid inquiry, payment
//! and status commands.

use std::time::Instant;

use serde_json::{json, Value};
use time::macros::offset;

use super::{payload_error, refusal, Call};
use crate::digiflazz::catalogue::{
    self, pasca_bill, plan_for, pln_token_sn, rc_entry, rc_message, serial, test_pasca, test_plan,
    PascaCase, Plan, TEST_BALANCE, TEST_PRICE, TEST_SKU, TEST_SN,
};
use crate::digiflazz::state::{NewTrx, TrxKind};

/// The postpaid SKU the simulator serves.
const PLN_PASCA: &str = "pln";
/// The SN of a documented postpaid test payment.
const TEST_PASCA_SN: &str = "S1234554321N";

/// The fields of a `/v1/transaction` request.
struct TrxRequest {
    commands: Option<String>,
    sku: String,
    customer_no: String,
    ref_id: String,
    testing: bool,
    max_price: Option<i64>,
    cb_url: Option<String>,
}

impl TrxRequest {
    /// A refusal that echoes the request (no transaction formed).
    fn refusal(&self, rc: &str, balance: i64, price: i64) -> Value {
        json!({
            "ref_id": self.ref_id,
            "customer_no": self.customer_no,
            "buyer_sku_code": self.sku,
            "message": rc_message(rc),
            "status": "Gagal",
            "rc": rc,
            "sn": "",
            "buyer_last_saldo": balance,
            "price": price,
        })
    }
}

/// What a forced rc does to a new transaction: a plan, or (not formed) a refusal.
fn forced_plan(rc: &'static str) -> Result<Plan, &'static str> {
    match rc_entry(rc) {
        Some(("00", _, _)) => Ok(Plan::Succeed),
        Some(("03", _, _)) => Ok(Plan::Pending(true)),
        Some(("99", _, _)) => Ok(Plan::PendingAs("99")),
        Some((rc, _, true)) => Ok(Plan::Fail(rc)),
        _ => Err(rc),
    }
}

/// `YYYYMM` of the current month in Jakarta: the period of a production postpaid bill.
fn this_month() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(offset!(+7));
    format!("{}{:02}", now.year(), u8::from(now.month()))
}

impl Call<'_> {
    pub(super) fn transaction(&self) -> Result<Value, Value> {
        let commands = self.body.text("commands")?.map(str::to_string);
        let request = TrxRequest {
            sku: self.body.required("buyer_sku_code")?.to_string(),
            customer_no: self.body.required("customer_no")?.to_string(),
            ref_id: self.body.required("ref_id")?.to_string(),
            testing: self.body.boolean("testing")?.unwrap_or(false),
            max_price: self.body.integer("max_price")?,
            cb_url: self.body.text("cb_url")?.map(str::to_string),
            commands,
        };
        // Accepted and ignored: `allow_dot` (dots are never refused here) and old clients' `msg`.
        self.body.boolean("allow_dot")?;
        self.body.required("username")?;
        self.body.required("sign")?;
        self.authenticate(&request.ref_id)?;
        let development = self.sim.config().is_development();
        // A development key answers only test transactions, and says so as a wrong signature.
        if development && !request.testing {
            return Err(refusal("41"));
        }
        match request.commands.as_deref() {
            None => Ok(self.topup(&request, development)),
            Some("inq-pasca") => Ok(self.inquire(&request, development)),
            Some("pay-pasca") => Ok(self.pay(&request, development)),
            Some("status-pasca") => Ok(self.pasca_status(&request)),
            Some(_) => Err(payload_error("commands")),
        }
    }

    fn topup(&self, request: &TrxRequest, development: bool) -> Value {
        let now = Instant::now();
        let (data, pending) = self.sim.with_state(|s| {
            if let Some(i) = s.find(&request.ref_id) {
                let t = &s.trxs[i];
                let same_request = matches!(t.kind, TrxKind::Topup)
                    && t.sku.eq_ignore_ascii_case(&request.sku)
                    && t.customer_no == request.customer_no;
                return if same_request {
                    (t.to_json(), false)
                } else {
                    (request.refusal("49", s.balance, 0), false)
                };
            }
            let (price, plan, success_sn) = if development {
                if !request.sku.eq_ignore_ascii_case(TEST_SKU) {
                    return (refusal("41"), false);
                }
                (
                    TEST_PRICE,
                    test_plan(&request.customer_no),
                    TEST_SN.to_string(),
                )
            } else {
                let Some(product) = catalogue::product(&request.sku) else {
                    return (request.refusal("43", s.balance, 0), false);
                };
                let price = product.price;
                let plan = match s.forced_rc.map(forced_plan) {
                    Some(Ok(plan)) => plan,
                    Some(Err(rc)) => return (request.refusal(rc, s.balance, price), false),
                    None if !s.is_available(product) => {
                        return (request.refusal("68", s.balance, price), false)
                    }
                    None if request.max_price.is_some_and(|max| max < price) => {
                        return (request.refusal("69", s.balance, price), false)
                    }
                    None => plan_for(&request.customer_no),
                };
                let success_sn = match product.pln_nominal() {
                    Some(nominal) => pln_token_sn(&request.ref_id, &request.customer_no, nominal),
                    None => serial(&request.ref_id),
                };
                (price, plan, success_sn)
            };
            if !development && plan.charges() && price > s.balance {
                return (request.refusal("44", s.balance, price), false);
            }
            let i = s.create(
                NewTrx {
                    ref_id: request.ref_id.clone(),
                    sku: request.sku.clone(),
                    customer_no: request.customer_no.clone(),
                    testing: development,
                    price,
                    plan,
                    success_sn,
                    cb_url: request.cb_url.clone(),
                },
                now,
            );
            let t = &s.trxs[i];
            (t.to_json(), t.pending_since.is_some())
        });
        if pending {
            self.sim.schedule(now);
        }
        data
    }

    /// `inq-pasca`: records the bill (or the failure) under a fresh `ref_id`.
    fn inquire(&self, request: &TrxRequest, development: bool) -> Value {
        self.sim.with_state(|s| {
            if s.find(&request.ref_id).is_some() {
                return request.refusal("49", s.balance, 0);
            }
            if !request.sku.eq_ignore_ascii_case(PLN_PASCA) {
                return if development {
                    refusal("41")
                } else {
                    request.refusal("43", s.balance, 0)
                };
            }
            let case = if development {
                test_pasca(&request.customer_no)
            } else {
                pasca_bill(&request.customer_no, &this_month())
            };
            let bill = match case {
                PascaCase::Bill(bill, _) => Ok(bill),
                PascaCase::NoBill(rc) => Err(rc),
            };
            let i = s.record_inquiry(
                NewTrx {
                    ref_id: request.ref_id.clone(),
                    sku: request.sku.clone(),
                    customer_no: request.customer_no.clone(),
                    testing: development,
                    price: 0,
                    plan: Plan::Succeed,
                    success_sn: if development {
                        TEST_PASCA_SN.to_string()
                    } else {
                        serial(&request.ref_id)
                    },
                    cb_url: request.cb_url.clone(),
                },
                bill,
            );
            s.trxs[i].to_json()
        })
    }

    /// `pay-pasca`: pays the bill of the inquiry with the same `ref_id`.
    fn pay(&self, request: &TrxRequest, development: bool) -> Value {
        let now = Instant::now();
        let (data, pending) = self.sim.with_state(|s| {
            let saldo = if development { TEST_BALANCE } else { s.balance };
            let Some(i) = s.find(&request.ref_id) else {
                return (request.refusal("50", saldo, 0), false);
            };
            let t = &s.trxs[i];
            let same_request = t.is_pasca()
                && t.sku.eq_ignore_ascii_case(&request.sku)
                && t.customer_no == request.customer_no;
            if !same_request {
                return (request.refusal("49", saldo, 0), false);
            }
            // Paid already, or nothing to pay: the record as it stands.
            if matches!(
                t.kind,
                TrxKind::Pasca { paid: true, .. } | TrxKind::Pasca { bill: None, .. }
            ) {
                return (t.to_json(), false);
            }
            let price = t.price;
            let plan = if development {
                match test_pasca(&request.customer_no) {
                    PascaCase::Bill(_, plan) => plan,
                    PascaCase::NoBill(rc) => Plan::Fail(rc),
                }
            } else {
                match s.forced_rc.map(forced_plan) {
                    Some(Ok(plan)) => plan,
                    Some(Err(rc)) => return (request.refusal(rc, saldo, price), false),
                    None => plan_for(&request.customer_no),
                }
            };
            if !development && plan.charges() && price > s.balance {
                return (request.refusal("44", saldo, price), false);
            }
            s.pay(i, plan, request.cb_url.clone(), now);
            let t = &s.trxs[i];
            (t.to_json(), t.pending_since.is_some())
        });
        if pending {
            self.sim.schedule(now);
        }
        data
    }

    /// `status-pasca`: the payment under this `ref_id`.
    fn pasca_status(&self, request: &TrxRequest) -> Value {
        self.sim.with_state(|s| {
            let Some(i) = s.find(&request.ref_id) else {
                return request.refusal("50", s.balance, 0);
            };
            let t = &s.trxs[i];
            let same_request = t.is_pasca()
                && t.sku.eq_ignore_ascii_case(&request.sku)
                && t.customer_no == request.customer_no;
            match &t.kind {
                _ if !same_request => request.refusal("49", s.balance, 0),
                TrxKind::Pasca {
                    paid: false,
                    bill: Some(_),
                } => {
                    // An inquiry nobody paid: there is no payment to report.
                    request.refusal("50", s.balance, 0)
                }
                _ => t.to_json(),
            }
        })
    }
}
